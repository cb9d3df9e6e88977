"""The clone wizard checks the line's place as it is being chosen: a plan of the child building with clashes in
red, the clash list by kind, the places where the line fits; on a real dialog under Xvfb."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from viewer.compare import find_line
from viewer.compare.placement import Placement, split_problems
from viewer.io import load_document
from viewer.model.checks import LayoutChecker
from viewer.ui.compare import clone_wizard
from viewer.ui.compare.clone_wizard import PLACEMENT_ROLE, CloneDialog
from viewer.ui.compare.mother_line_menu import cloned_lines
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

ON_COLUMNS = ["HM-ELE1-COT-01", "HM-ELE1-DRY-02", "HM-ELE1-PRS-01", "HM-ELE1-SLT-01"]
LEGEND_HEIGHT = 28  # pixels at the top of the plan: the legend, with its red swatch
SHOTS = None  # a folder to save the dialog's pictures in while looking at them by hand


def plan_pixels(widget, colour=(214, 39, 40)) -> int:
    """Pixels of the plan drawn in the clash red (or another colour), give or take antialiasing; below the
    legend."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(height, stride)
    rgb = rows[:, : width * 3].reshape(height, width, 3).astype(int)[LEGEND_HEIGHT:]
    return int((np.abs(rgb - np.array(colour)).sum(axis=2) < 30).sum())


@pytest.fixture
def wizard(qtbot, demo_path, library):
    document = load_document(demo_path, library)
    dialog = CloneDialog(document, None, library)
    qtbot.addWidget(dialog)
    dialog.line.setCurrentIndex(dialog.line.findData("OC-ELE1"))
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_wizard_lists_the_clashes_offers_places_and_picking_one_clears_them(wizard, qtbot):
    ok = wizard.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert wizard.site.currentData() == "Holland child plant"
    # At the mother's coordinates the cathode side stands on Holland's columns.
    texts = wizard.clash_texts()
    assert texts[0] == "On a building column (4)" and len(texts) == 5
    for ident in ON_COLUMNS:
        assert any(f"({ident}) stands on a building column" in t for t in texts[1:])
    assert "Cathode coater (HM-ELE1-COT-01)" in texts[1]
    assert "4 clashes" in wizard.summary.text() and ok.text() == "Clone with 4 clashes"
    assert wizard.clashes.isVisible()
    assert plan_pixels(wizard.preview) > 40
    if SHOTS:
        wizard.grab().save(f"{SHOTS}/wizard-clashes.png")

    # The places offered: every one without clashes, nearest to the asked origin first, at least two turns.
    rows = [wizard.places.topLevelItem(i) for i in range(wizard.places.topLevelItemCount())]
    assert len(rows) >= 4 and all(r.text(2) == "0" for r in rows)
    assert rows[0].text(1) == "0 deg" and {r.text(1) for r in rows} >= {"0 deg", "90 deg"}
    assert "places without clashes" in wizard.search_note.text()

    first: Placement = rows[0].data(0, PLACEMENT_ROLE)
    wizard.places.setCurrentItem(rows[0])
    qtbot.waitUntil(lambda: wizard.current_check is not None and wizard.current_check.placement == first)
    assert (wizard.x.value(), wizard.y.value(), wizard.rotate.value()) == (*first.origin, first.rotate)
    assert wizard.clash_texts() == [] and not wizard.clashes.isVisible()
    assert "No clashes" in wizard.summary.text() and ok.text() == "Clone" and ok.isEnabled()
    assert plan_pixels(wizard.preview) == 0
    command = wizard.command()
    assert (command.origin, command.rotate, command.mirror) == (first.origin, first.rotate, False)
    if SHOTS:
        wizard.grab().save(f"{SHOTS}/wizard-fits.png")
    # Zoomed to the line, its footprints fill much more of the plan.
    blue = plan_pixels(wizard.preview, (59, 120, 196))
    wizard.zoom.setChecked(True)
    assert plan_pixels(wizard.preview, (59, 120, 196)) > 3 * blue > 0

    # A turned place updates the plan and the list just as well.
    turned = next(r for r in rows if r.text(1) == "90 deg")
    wizard.places.setCurrentItem(turned)
    qtbot.waitUntil(lambda: wizard.rotate.value() == 90.0 and wizard.current_check.placement.rotate == 90.0)
    assert wizard.clash_texts() == []

    # The engineer's own origin is still possible, and checked: back at 0, 0 the clashes return.
    wizard.x.setValue(0.0)
    wizard.y.setValue(0.0)
    wizard.rotate.setValue(0.0)
    qtbot.waitUntil(lambda: wizard.current_check.placement == Placement((0.0, 0.0), 0.0))
    assert wizard.clash_texts()[0] == "On a building column (4)"
    # And a search near it offers the same nearest place again.
    wizard.find_places()
    assert wizard.places.topLevelItem(0).data(0, PLACEMENT_ROLE) == first


def test_wizard_refuses_the_mother_site_as_the_child(wizard, qtbot):
    wizard.site.setCurrentIndex(wizard.site.findData("Ochang mother plant"))
    qtbot.waitUntil(lambda: "Cannot clone" in wizard.summary.text())
    assert "already at 'Ochang mother plant'" in wizard.summary.text()
    assert not wizard.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert wizard.places.topLevelItemCount() == 0 and wizard.current_check is None


def test_clone_from_the_menu_at_a_place_the_wizard_found_has_no_clashes(qtbot, tmp_path, demo_path, monkeypatch):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(demo_path)
    qtbot.waitUntil(lambda: window.session.document is not None and window.session.path == demo_path, timeout=20000)
    picked = []

    def pick_first_place(dialog: CloneDialog) -> int:
        dialog.line.setCurrentIndex(dialog.line.findData("OC-ELE1"))
        dialog.places.setCurrentItem(dialog.places.topLevelItem(0))
        dialog.check_now()
        picked.append(dialog.current_check)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(clone_wizard.CloneDialog, "exec", pick_first_place)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Mother line")
    next(a for a in menu.actions() if a.text().startswith("Clone line")).trigger()
    (check,) = picked
    assert check.clashes == []
    document = window.session.document
    (line,) = cloned_lines(document)
    assert (line.pose.x, line.pose.y, line.pose.yaw) == (*check.placement.origin, check.placement.rotate)
    site = document.site_by_name("Holland child plant")
    clashes, _ = split_problems(LayoutChecker(document, window.session.library, site).current(), line)
    assert clashes == []
    assert find_line(document, line.id)[2] is line
    compare = getattr(window, "compare_window", None)
    if compare is not None:
        compare.close()

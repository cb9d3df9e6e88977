"""The clone wizard: which mother line goes to which child site, and where it stands there.

The wizard shows the line in the child building on a plan (building outline, columns, equipment already
there, the line's footprints at the proposed place, clashes in red), lists every clash of the layout checks
by kind, and offers the places where the line fits (`viewer.compare.placement`); picking one, or typing an
origin and turn, updates the plan and the clash list.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.compare import CloneError
from viewer.compare.clone import CloneLineCommand
from viewer.compare.placement import (
    FitResult,
    Placement,
    PlacementCheck,
    check_placement,
    clashes_by_kind,
    find_placements,
)
from viewer.model import PlantDocument
from viewer.model.checks import DEFAULT_CLEARANCE
from viewer.model.library import EquipmentLibrary

ToScreen = Callable[[float, float], QPointF]  # site metres to widget pixels
PLACEMENT_ROLE = Qt.ItemDataRole.UserRole + 1
CLASH_RED = QColor(214, 39, 40)
LINE_BLUE = QColor(59, 120, 196)
EXISTING_GREY = QColor(170, 170, 170)
FLOOR = QColor(246, 246, 242)
FITS_GREEN = QColor(30, 130, 60)
LEGEND_HEIGHT = 28  # pixels: the strip above the plan with the legend and the scale bar
ZOOM_MARGIN = 6.0  # metres of floor shown around the line when zoomed to it


def lines_of(document: PlantDocument) -> list[tuple[str, str]]:
    """(label, line id) of every line, site first: what the wizard offers."""
    return [(f"{s.name} / {li.name} ({li.id})", li.id) for s in document.sites for a in s.areas for li in a.lines]


class PlanPreview(QWidget):
    """A plan of the child building with the cloned line at its proposed place; north (+y) up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check: PlacementCheck | None = None
        self.zoom_to_line = False  # the whole building, or the line and a few metres around it
        self.setMinimumSize(560, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_check(self, check: PlacementCheck | None) -> None:
        self.check = check
        self.update()

    def _transform(self, check: PlacementCheck) -> tuple[float, float, float]:
        """(scale, left, top) in site metres: a site point (x, y) lands at ((x - left) * s, (top - y) * s)."""
        if self.zoom_to_line and any(f.cloned for f in check.footprints):
            near = ZOOM_MARGIN
            xs = [c[0] + d for f in check.footprints if f.cloned for c in f.corners for d in (-near, near)]
            ys = [c[1] + d for f in check.footprints if f.cloned for c in f.corners for d in (-near, near)]
        else:
            xs = [p[0] for p in check.building] + [c[0] for f in check.footprints for c in f.corners]
            ys = [p[1] for p in check.building] + [c[1] for f in check.footprints for c in f.corners]
        if not xs:
            xs, ys = [0.0, 10.0], [0.0, 10.0]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        pad, top = 12.0, LEGEND_HEIGHT + 4.0  # room for the legend above the plan
        scale = min((self.width() - 2 * pad) / max(x1 - x0, 1e-6), (self.height() - pad - top) / max(y1 - y0, 1e-6))
        spare_x = (self.width() - 2 * pad) / scale - (x1 - x0)
        spare_y = (self.height() - pad - top) / scale - (y1 - y0)
        return scale, x0 - pad / scale - spare_x / 2, y1 + top / scale + spare_y / 2

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        check = self.check
        if check is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No plan: choose a line and a child site")
            return
        scale, x0, y_top = self._transform(check)

        def at(x: float, y: float) -> QPointF:
            return QPointF((x - x0) * scale, (y_top - y) * scale)

        # Zoomed in, the plan runs past the widget: keep it off the legend strip.
        painter.setClipRect(QRectF(0, LEGEND_HEIGHT, self.width(), self.height() - LEGEND_HEIGHT))
        if len(check.building) >= 3:
            painter.setPen(QPen(QColor(60, 60, 60), 2))
            painter.setBrush(QBrush(FLOOR))
            painter.drawPolygon(QPolygonF([at(*p) for p in check.building]))
        clashing = check.clashing_ids
        hit_columns = self._hit_columns(check, clashing)
        half = check.column_size / 2
        side = max(check.column_size * scale, 3.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(90, 90, 90)))
        for cx, cy in check.columns:
            corner = at(cx - half, cy + half)
            painter.drawRect(QRectF(corner.x(), corner.y(), side, side))
        for outline in check.building_outlines:  # the columns and walls of the building's own model
            painter.drawPolygon(QPolygonF([at(*p) for p in outline]))
        for footprint in sorted(check.footprints, key=lambda f: (f.cloned, f.id in clashing)):
            if footprint.id in clashing:
                painter.setPen(QPen(CLASH_RED.darker(130), 2))
                painter.setBrush(QBrush(CLASH_RED))
            elif footprint.cloned:
                painter.setPen(QPen(LINE_BLUE.darker(140), 1))
                painter.setBrush(QBrush(LINE_BLUE))
            else:
                painter.setPen(QPen(EXISTING_GREY.darker(140), 1))
                painter.setBrush(QBrush(EXISTING_GREY))
            painter.drawPolygon(QPolygonF([at(*c) for c in footprint.corners]))
        painter.setPen(QPen(CLASH_RED, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for index in hit_columns:  # a ring that stays visible however small the columns are drawn
            painter.drawEllipse(at(*check.columns[index]), 6, 6)
        self._draw_origin(painter, check, at)
        self._draw_clash_names(painter, check, clashing, at)
        painter.setClipping(False)
        self._draw_legend(painter, check, scale)

    @staticmethod
    def _hit_columns(check: PlacementCheck, clashing: set[str]) -> set[int]:
        """Columns inside the box of a footprint that stands on a column: drawn red beside it."""
        boxes = []
        for footprint in check.footprints:
            if footprint.id in clashing and any(v.kind == "column" and footprint.id in v.ids for v in check.clashes):
                xs, ys = [c[0] for c in footprint.corners], [c[1] for c in footprint.corners]
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
        half = check.column_size / 2
        return {
            i
            for i, (cx, cy) in enumerate(check.columns)
            for x0, y0, x1, y1 in boxes
            if x0 - half <= cx <= x1 + half and y0 - half <= cy <= y1 + half
        }

    @staticmethod
    def _draw_origin(painter: QPainter, check: PlacementCheck, at: ToScreen) -> None:
        """The line's origin with an arrow along the line's own x axis (its direction of flow)."""
        placement = check.placement
        ox, oy = placement.origin
        turn = math.radians(placement.rotate)
        tip = at(ox + 6 * math.cos(turn), oy + 6 * math.sin(turn))
        base = at(ox, oy)
        painter.setPen(QPen(QColor(20, 20, 20), 2))
        painter.drawLine(base, tip)
        painter.setBrush(QBrush(QColor(255, 200, 0)))
        painter.drawEllipse(base, 5, 5)

    @staticmethod
    def _draw_clash_names(painter: QPainter, check: PlacementCheck, clashing: set[str], at: ToScreen) -> None:
        """The names of the clashing equipment, each above (or else below) its footprint where no other name is."""
        font = QFont(painter.font())
        font.setPointSizeF(8.0)
        painter.setFont(font)
        painter.setPen(CLASH_RED.darker(150))
        metrics = painter.fontMetrics()
        taken: list[QRectF] = []
        for footprint in check.footprints:
            if footprint.id not in clashing or not footprint.cloned:
                continue
            points = [at(*c) for c in footprint.corners]
            left = min(p.x() for p in points)
            top, bottom = min(p.y() for p in points), max(p.y() for p in points)
            width, height = metrics.horizontalAdvance(footprint.name) + 4, metrics.height()
            tries = [top - 3 - height * (k + 1) for k in range(4)] + [bottom + 3 + height * k for k in range(4)]
            for y in tries:
                box = QRectF(left, y, width, height)
                if not any(box.intersects(other) for other in taken):
                    taken.append(box)
                    painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, footprint.name)
                    break

    def _draw_legend(self, painter: QPainter, check: PlacementCheck, scale: float) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(9.0)
        painter.setFont(font)
        x = 8.0
        for colour, text in ((LINE_BLUE, "cloned line"), (CLASH_RED, "clash"), (EXISTING_GREY, "already there"),
                             (QColor(90, 90, 90), "column")):  # fmt: skip
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(colour))
            painter.drawRect(QRectF(x, 8, 12, 12))
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(QPointF(x + 16, 19), text)
            x += 24 + painter.fontMetrics().horizontalAdvance(text)
        # A 10 m scale bar at the top right.
        bar = 10.0 * scale
        right = self.width() - 10.0
        painter.setPen(QPen(QColor(30, 30, 30), 2))
        painter.drawLine(QPointF(right - bar, 14), QPointF(right, 14))
        painter.drawText(QPointF(right - bar - 6 - painter.fontMetrics().horizontalAdvance("10 m"), 19), "10 m")


class CloneDialog(QDialog):
    """Which mother line, which child site, where and how it stands there; checked as it is being placed."""

    def __init__(
        self,
        document: PlantDocument,
        parent: QWidget | None = None,
        library: EquipmentLibrary | None = None,
        clearance: float = DEFAULT_CLEARANCE,
    ) -> None:
        super().__init__(parent)
        if library is None:
            from viewer.io import builtin_library

            library = builtin_library()
        self.document = document
        self.library = library
        self.clearance = clearance
        self.result: FitResult | None = None
        self.current_check: PlacementCheck | None = None
        self.setWindowTitle("Clone a mother line to a child site")
        intro = QLabel("The copy keeps every cell, equipment, parameter and signal, with new ids linked to the "
                       "mother's; tags re-bind through the child site's tag template.")  # fmt: skip
        intro.setWordWrap(True)
        form = QFormLayout()
        self.line = QComboBox()
        for label, ident in lines_of(document):
            self.line.addItem(label, ident)
        form.addRow("Mother line", self.line)
        self.site = QComboBox()
        for site in document.sites:
            self.site.addItem(f"{site.name} ({site.country or '-'})", site.name)
        if self.site.count() > 1:
            self.site.setCurrentIndex(1)
        form.addRow("Child site", self.site)
        self.x, self.y, self.rotate = QDoubleSpinBox(), QDoubleSpinBox(), QDoubleSpinBox()
        for spin in (self.x, self.y):
            spin.setRange(-100_000, 100_000)
            spin.setDecimals(2)
            spin.setSuffix(" m")
        self.rotate.setRange(-360, 360)
        self.rotate.setSuffix(" deg")
        form.addRow("Origin x", self.x)
        form.addRow("Origin y", self.y)
        form.addRow("Rotation", self.rotate)
        self.mirror = QCheckBox("Mirror-image line")
        form.addRow("", self.mirror)

        self.places = QTreeWidget()
        self.places.setHeaderLabels(["Origin (m)", "Turn", "Clashes", "Moved", "Why offered"])
        self.places.setRootIsDecorated(False)
        self.places.setAlternatingRowColors(True)
        self.places.setToolTip("Places where the line fits: pick one to see it on the plan")
        self.places.currentItemChanged.connect(self._on_place_picked)
        self.search = QPushButton("Find places near this origin")
        self.search.clicked.connect(self.find_places)
        self.search_note = QLabel()
        self.search_note.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.clashes = QTreeWidget()
        self.clashes.setHeaderHidden(True)
        self.clashes.setWordWrap(True)
        self.preview = PlanPreview()
        self.zoom = QCheckBox("Zoom to the line")
        self.zoom.setToolTip("Show the line and the floor a few metres around it, or the whole building")
        self.zoom.toggled.connect(self._on_zoom)

        left = QVBoxLayout()
        left.addWidget(intro)
        left.addLayout(form)
        left.addWidget(QLabel("<b>Places where the line fits</b>"))
        left.addWidget(self.places, 2)
        left.addWidget(self.search)
        left.addWidget(self.search_note)
        right = QVBoxLayout()
        right.addWidget(self.zoom)
        right.addWidget(self.preview, 3)
        right.addWidget(self.summary)
        right.addWidget(self.clashes, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(columns)
        outer.addWidget(self.buttons)
        self.resize(1180, 720)

        # Several changes in a row (a picked place sets x, y and turn) make one check.
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(0)
        self._check_timer.timeout.connect(self.check_now)
        for spin in (self.x, self.y, self.rotate):
            spin.valueChanged.connect(self._check_timer.start)
        self.mirror.toggled.connect(self._on_subject_changed)
        self.line.currentIndexChanged.connect(self._on_subject_changed)
        self.site.currentIndexChanged.connect(self._on_subject_changed)
        self._on_subject_changed()

    # ------------------------------------------------------------ the values

    def placement(self) -> Placement:
        return Placement((self.x.value(), self.y.value()), self.rotate.value(), self.mirror.isChecked())

    def command(self) -> CloneLineCommand:
        placement = self.placement()
        return CloneLineCommand(self.line.currentData(), self.site.currentData(), placement.origin,
                                placement.rotate, placement.mirror)  # fmt: skip

    def set_placement(self, placement: Placement) -> None:
        self.x.setValue(placement.origin[0])
        self.y.setValue(placement.origin[1])
        self.rotate.setValue(placement.rotate)
        if self.mirror.isChecked() != placement.mirror:
            self.mirror.blockSignals(True)  # a place found for the other mirror setting: no new search
            self.mirror.setChecked(placement.mirror)
            self.mirror.blockSignals(False)
        self._check_timer.start()

    def _on_zoom(self, zoomed: bool) -> None:
        self.preview.zoom_to_line = zoomed
        self.preview.update()

    # ------------------------------------------------------------ checking and searching

    def _on_subject_changed(self) -> None:
        """Another line, site or mirror setting: new places to offer, and the plan checked again."""
        self.find_places()
        self.check_now()

    def find_places(self) -> None:
        """Search the child building for places where the line fits, nearest to the origin now set."""
        self.places.blockSignals(True)
        self.places.clear()
        self.places.blockSignals(False)
        self.result = None
        if self.line.currentData() is None or self.site.currentData() is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.result = find_placements(self.document, self.library, self.line.currentData(),
                                          self.site.currentData(), self.placement(),
                                          clearance=self.clearance)  # fmt: skip
        except CloneError as exc:
            self.search_note.setText(str(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.places.blockSignals(True)
        for option in self.result.options:
            placement = option.placement
            turn = f"{placement.rotate:g} deg" + (" mirror" if placement.mirror else "")
            item = QTreeWidgetItem([f"{placement.origin[0]:.1f}, {placement.origin[1]:.1f}", turn,
                                    str(option.clashes), f"{option.distance:.1f} m", option.how])  # fmt: skip
            item.setData(0, PLACEMENT_ROLE, placement)
            item.setToolTip(0, option.text())
            if option.clashes:
                for column in range(item.columnCount()):
                    item.setForeground(column, QBrush(CLASH_RED))
            self.places.addTopLevelItem(item)
        for column in range(self.places.columnCount()):
            self.places.resizeColumnToContents(column)
        self.places.blockSignals(False)
        fitting = sum(1 for o in self.result.options if o.clashes == 0)
        nowhere = "".join(f"; turned {t:g} deg{' (mirror image)' if m else ''} it fits nowhere"
                          for t, m in self.result.no_room)  # fmt: skip
        self.search_note.setText(f"{fitting} places without clashes, nearest to {self.result.prefer.text()} first "
                                 f"({self.result.seconds:.2f} s){nowhere}.")  # fmt: skip

    def _on_place_picked(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        if item is not None:
            self.set_placement(item.data(0, PLACEMENT_ROLE))

    def check_now(self) -> None:
        """Run the layout checks with the line at the place now set; show the plan and the clash list."""
        self._check_timer.stop()
        self.clashes.clear()
        self.current_check = None
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        line, site = self.line.currentData(), self.site.currentData()
        try:
            if line is None or site is None:
                raise CloneError("choose a mother line and a child site")
            check = check_placement(self.document, self.library, line, site, self.placement(), self.clearance)
        except CloneError as exc:
            self.summary.setText(f"<span style='color:{CLASH_RED.name()}'>Cannot clone: {exc}</span>")
            self.preview.set_check(None)
            ok.setEnabled(False)
            return
        self.current_check = check
        self.preview.set_check(check)
        self.clashes.setVisible(bool(check.clashes))
        ok.setEnabled(True)
        if not check.clashes:
            self.summary.setText(f"<span style='color:{FITS_GREEN.name()}'><b>No clashes</b>: the line fits here "
                                 f"({check.placement.text()}).</span>")  # fmt: skip
            ok.setText("Clone")
        else:
            self.summary.setText(f"<span style='color:{CLASH_RED.name()}'><b>{len(check.clashes)} clashes</b> of "
                                 f"the line at {site} with the layout checks; pick a place where it fits, or "
                                 "clone anyway and move the equipment.</span>")  # fmt: skip
            ok.setText(f"Clone with {len(check.clashes)} clashes")
            for title, found in clashes_by_kind(check.clashes):
                group = QTreeWidgetItem([f"{title} ({len(found)})"])
                group.setForeground(0, QBrush(CLASH_RED))
                bold = QFont(group.font(0))
                bold.setBold(True)
                group.setFont(0, bold)
                for violation in found:
                    child = QTreeWidgetItem([violation.message])
                    child.setForeground(0, QBrush(CLASH_RED))
                    group.addChild(child)
                self.clashes.addTopLevelItem(group)
            self.clashes.expandAll()
        if check.other_problems:
            self.summary.setText(self.summary.text() + f" ({len(check.other_problems)} other layout problems at "
                                 "the site do not involve the line.)")  # fmt: skip

    def clash_texts(self) -> list[str]:
        """The clash list as shown: group titles and the findings under them."""
        out = []
        for i in range(self.clashes.topLevelItemCount()):
            group = self.clashes.topLevelItem(i)
            out.append(group.text(0))
            out.extend(group.child(j).text(0) for j in range(group.childCount()))
        return out

"""The Review menu's files in the real window: a real BCF file merged into the open plant as one undo step (a
second import changes nothing), the topics exported as BCF 3.0 and read back, the review report written from
the window, and the review parts joined up (the Markup button, presentation restoring the clipping box)."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from ui_helpers import open_window, settle

from viewer.app.review_view import RestoredExtras
from viewer.io import load_document
from viewer.model.review_edit import PutTopics
from viewer.review.bcf_read import read_bcf
from viewer.review.synthetic import synthetic_topics
from viewer.ui.review import AUTHOR_KEY

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(AUTHOR_KEY, "lee.seoyeon")
    main = open_window(qtbot, settings)
    yield main
    main.close()


def test_review_menu_has_the_files_and_the_parts_are_joined(window) -> None:
    texts = [a.text() for a in window.review.menu.actions()]
    assert {"&Import BCF…", "&Export BCF…", "Review &Report…"} <= set(texts)
    assert window.presentation.topics_action in window.review.menu.actions()
    assert window.review.markup_editor is not None and not window.review.panel.markup_button.isHidden()
    assert window.presentation.restore_extras is not None
    window.presentation.restore_extras(RestoredExtras(((0.0, 0.0, 0.0), (20.0, 20.0, 5.0)), "", ""))
    assert window.scene.clip_widget is not None and window.clip_action.isChecked()
    assert np.allclose(window.scene.view.clip_box, [[0, 0, 0], [20, 20, 5]])


def test_a_real_bcf_file_merges_as_one_undo_step_and_again_changes_nothing(window, shared_data) -> None:
    path = shared_data / "bcf" / "cases" / "v2.1-maximum-information.bcf"
    expected = read_bcf(path, window.session.document)
    assert window.review_files.import_bcf(path)
    settle(window)
    book = window.session.document.review
    assert len(book.topics) == len(expected.topics) > 0
    assert window.review.dock.isVisible()
    assert window.session.undo.undo_text().startswith("Review: import v2.1-maximum-information.bcf")
    before, steps = list(book.topics), window.session.undo.index
    assert window.review_files.import_bcf(path)
    assert book.topics == before
    assert window.session.undo.index == steps, "a second import is no undo step"
    assert "nothing changed" in window.statusBar().currentMessage()
    window.session.undo.undo()
    assert window.session.document.review.topics == []


def test_topics_export_as_bcf_30_and_the_report_is_written(window, tmp_path) -> None:
    document = window.session.document
    topics, snapshots = synthetic_topics(document, 3, seed=5)
    topics[0] = replace(topics[0], title="Coater drive side too close to the cabinet")
    window.session.undo.push(PutTopics(topics, snapshots))
    out = tmp_path / "meeting.bcf"
    assert window.review_files.export_bcf(out, "3.0")
    with zipfile.ZipFile(out) as archive:
        assert b"3.0" in archive.read("bcf.version")
    again = read_bcf(out, load_document(window.session.path))
    assert sorted(t.title for t in again.topics) == sorted(t.title for t in topics)
    report = tmp_path / "meeting.html"
    assert window.review_files.write_report(report, statuses=[], participants="Kim Minjun, J. Miller")
    text = report.read_text(encoding="utf-8")
    assert "Coater drive side too close to the cabinet" in text and "J. Miller" in text
    bad = tmp_path / "meeting.docx"
    assert not window.review_files.write_report(bad)
    assert not bad.exists()

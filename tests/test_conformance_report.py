"""The child line's layout at its own site counts in the verdict, and the conformance report is a document to
sign: sites, revisions, time, inputs, marked pictures, approval block; HTML and PDF."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from viewer.compare import LAYOUT_RULE, Level, Tolerances, clone_line, diff_lines, document_revision, find_line
from viewer.compare.report import (
    LAYOUT_PROBLEM,
    ConformanceReport,
    html_page,
    picture_marks,
    report_dict,
    tolerance_rows,
)
from viewer.io import load_document, save_document
from viewer.model import Cell, Deviation, DeviationChange, DeviationStatus, Equipment, Line, Pose

CHILD = "Holland child plant"
COLUMN_CLASHES = {"HM-ELE1-COT-01", "HM-ELE1-PRS-01", "HM-ELE1-SLT-01", "HM-ELE1-DRY-02"}
CLEAN_ORIGIN = (0.0, 6.0)  # Electrode line 1 at Holland clear of every column and wall
PRESS_AT_CLEAN_ORIGIN = (59.0, 18.0)  # HM-ELE1-PRS-01 there: 6.5 x 3.0 m, so y 16.5 .. 19.5
JULY = datetime(2026, 7, 1, 12, 0, tzinfo=UTC).timestamp()  # 08:00 in Detroit (EDT), 21:00 in Ochang


def electrode_clone(demo_path, origin=(0.0, 0.0)):
    document = load_document(demo_path)
    child_line = clone_line(document, "Electrode line 1", document, CHILD, origin=origin,
                            now=datetime(2026, 6, 30, 22, 0, tzinfo=UTC))  # fmt: skip
    _, _, mother_line = find_line(document, "OC-ELE1")
    return document, mother_line, child_line


def add_neighbour(document, y: float, x: float = PRESS_AT_CLEAN_ORIGIN[0]) -> str:
    """A control cabinet of another line of the child site, beside the cloned roll press."""
    area = document.site_by_name(CHILD).areas[0]
    cabinet = Equipment("HM-UTL9-CAB-01", "Utility cabinet", "control_cabinet", Pose(x=x, y=y))
    area.lines.append(Line("HM-UTL9", "Utilities 9", cells=[Cell("HM-UTL9-C1", "Cabinets", equipment=[cabinet])]))
    return cabinet.id


# ---------------------------------------------------------------- A: layout problems in the verdict


def test_electrode_line_cloned_to_holland_lists_its_column_clashes_and_is_not_level_4(demo_path, library):
    document, mother_line, child_line = electrode_clone(demo_path)
    assert diff_lines(mother_line, child_line, document).level == Level.SYSTEM_SYNERGY  # copy alone: exact
    result = diff_lines(mother_line, child_line, document, library=library)
    # No difference, but 4 of the 20 stand on columns: they do not conform.
    assert result.differences == [] and result.conformance == 80.0
    assert {p.kind for p in result.layout_problems} == {"column"}
    assert {p.ids[0] for p in result.layout_problems} == COLUMN_CLASHES
    coater = next(p for p in result.layout_problems if p.ids == ("HM-ELE1-COT-01",))
    assert coater.places == ((24.0, 12.0), (36.0, 12.0), (48.0, 12.0))  # the three columns it stands on
    assert coater.location == "columns at x 24.0 y 12.0, x 36.0 y 12.0, x 48.0 y 12.0"
    assert "Cathode coater (HM-ELE1-COT-01) stands on a building column" in coater.message
    assert all(p.blocking and p.is_open for p in result.layout_problems)
    assert result.level == Level.MAKE_IT_WORK
    text = "\n".join(result.summary())
    assert "layout problems at the child site: 4 (4 blocking, 0 narrow walkways open)" in text
    for ident in COLUMN_CLASHES:
        assert re.search(rf"on a column: .*\({ident}\) stands on a building column .*\[blocking\]", text)
    assert "conformance 80.0 %; Copy Exactly level 1 - Make it work" in text
    assert "not level 3: 4 blocking layout problems" in text
    assert "not level 2: process outputs not compared (no recordings given)" in text
    result.outputs_match = True  # recordings show the line runs as the mother: the drawing is what is wrong
    assert result.level == Level.OUTPUT_MATCHING


def test_layout_rule_walkways_count_like_differences_blocking_problems_are_never_approved(demo_path, library):
    document, mother_line, child_line = electrode_clone(demo_path, CLEAN_ORIGIN)
    clean = diff_lines(mother_line, child_line, document, library=library)
    assert (clean.layout_checked, clean.layout_problems, clean.level) == (True, [], Level.SYSTEM_SYNERGY)
    assert clean.level_reasons() == ["level 4: no difference from the mother and no layout problem at the child site"]

    cabinet = add_neighbour(document, y=20.3)  # 0.5 m from the press; the press needs 1 m
    narrow = diff_lines(mother_line, child_line, document, library=library)
    [walkway] = narrow.layout_problems
    assert (walkway.kind, walkway.ids, walkway.blocking) == ("clearance", ("HM-ELE1-PRS-01", cabinet), False)
    assert walkway.value == pytest.approx(0.5) and walkway.required == pytest.approx(1.0)
    [(x, y)] = walkway.places  # in the narrowest gap, between the press and the cabinet
    assert 58.1 <= x <= 59.9 and y == pytest.approx(19.75)
    assert narrow.differences == [] and narrow.level == Level.MAKE_IT_WORK
    assert narrow.level_reasons() == [
        "not level 3: 1 walkway narrower than the minimum without an approved deviation: HM-ELE1-PRS-01",
        "not level 2: process outputs not compared (no recordings given)",
    ]
    assert diff_lines(mother_line, child_line, document, Tolerances(walkway=0.4), library).layout_problems == []

    document.deviations.append(Deviation("DEV-010", "HM-ELE1-PRS-01", "layout.clearance", "1.0 m", "0.5 m",
                                         "Cabinet serviced from the far side", "M. Novak", approved_by="S. Choi",
                                         approved_at="2026-06-29T14:00:00Z",
                                         status=DeviationStatus.APPROVED))  # fmt: skip
    approved = diff_lines(mother_line, child_line, document, library=library)
    assert approved.layout_problems[0].deviation == "DEV-010"
    assert approved.level == Level.COPY_EXACTLY  # an approved difference: 3, not 4
    assert approved.level_reasons() == ["not level 4: 1 approved narrow walkway (level 4 needs no difference at all)"]

    document.site_by_name(CHILD).areas[0].lines[-1].cells[0].equipment[0].pose = Pose(x=59.0, y=19.5)
    document.deviations.append(Deviation("DEV-011", "HM-ELE1-PRS-01", "layout.overlap", "", "", "Tight room",
                                         "M. Novak", approved_by="S. Choi", approved_at="2026-06-29T14:00:00Z",
                                         status=DeviationStatus.APPROVED))  # fmt: skip
    overlapping = diff_lines(mother_line, child_line, document, library=library)
    [overlap] = overlapping.layout_problems
    assert (overlap.kind, overlap.ids, overlap.blocking, overlap.deviation) == (
        "overlap", ("HM-ELE1-PRS-01", cabinet), True, None)  # fmt: skip
    assert overlap.value == pytest.approx(1.8 * 0.3)
    assert overlapping.level == Level.MAKE_IT_WORK
    marks = picture_marks(overlapping)
    assert marks.also_show == {cabinet}  # the other half of the overlap is drawn in the child picture
    assert [m.text for m in marks.child] == ["HM-ELE1-PRS-01: overlap", f"{cabinet}: overlap"]
    assert marks.child_colors["HM-ELE1-PRS-01"] == LAYOUT_PROBLEM


def test_report_modules_import_no_qt_or_vtk():
    import subprocess
    import sys

    code = (
        "import sys, viewer.compare.report, viewer.compare.report_pdf, viewer.compare.layout_problems;"
        "print(','.join(m for m in ('PySide6', 'vtk', 'vtkmodules', 'pyvista', 'pyvistaqt') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_layout_rule_is_written_where_people_read_the_verdict():
    assert "cannot be built as drawn and no deviation can approve it" in LAYOUT_RULE
    assert "'layout.clearance'" in LAYOUT_RULE and "Level 4 needs no difference and no layout problem" in LAYOUT_RULE


# ---------------------------------------------------------------- B: the report


def test_report_data_names_sites_times_revisions_inputs_and_the_approvals_audit_trail(demo_path, library):
    document, mother_line, child_line = electrode_clone(demo_path)
    trail = [DeviationChange(DeviationStatus.PROPOSED, "M. Novak", "2026-06-28T12:00:00Z"),
             DeviationChange(DeviationStatus.APPROVED, "S. Choi", "2026-06-29T14:00:00Z", "checked on site")]
    document.deviations.append(Deviation("DEV-001", "HM-ELE1-MIX-01", "parameters.speed", "30 rpm", "32 rpm",
                                         "Local motor", "M. Novak", requested_at="2026-06-28T12:00:00Z",
                                         approved_by="S. Choi", approved_at="2026-06-29T14:00:00Z",
                                         status=DeviationStatus.APPROVED, history=trail))  # fmt: skip
    document.deviations.append(Deviation("DEV-002", "HM-ELE1-MIX-02", "pose", "", "", "Drain", "M. Novak"))
    result = diff_lines(mother_line, child_line, document, library=library)
    data = report_dict(ConformanceReport(result, document, document, generated_at=JULY, child_file="child.json"))
    assert data["mother"]["site"] == {"id": "OC", "name": "Ochang mother plant", "country": "KR",
                                      "timezone": "Asia/Seoul"}  # fmt: skip
    assert data["child"]["site"]["name"] == CHILD and data["child"]["site"]["country"] == "US"
    assert data["child"]["revision"] == data["mother"]["revision"] == document_revision(document)
    assert data["generated"]["child_site_time"] == {"text": "2026-07-01 08:00:00 (UTC-04:00)",
                                                   "iso": "2026-07-01T08:00:00-04:00", "zone": "America/Detroit"}
    assert data["generated"]["mother_site_time"]["text"] == "2026-07-01 21:00:00 (UTC+09:00)"
    assert data["clone_record"]["cloned_at_site_time"]["text"] == "2026-06-30 18:00:00 (UTC-04:00)"
    assert data["clone_record"]["same_document"] is True and data["clone_record"]["mother_unchanged"] is False
    assert data["inputs"]["recordings"] is None
    assert data["inputs"]["tolerances"] == {"position_m": 0.05, "rotation_deg": 0.5, "parameter_default": 0.0,
                                            "parameters": {}, "walkway_m": 1.0}  # fmt: skip
    assert [d["id"] for d in data["approved_deviations"]] == ["DEV-001"]
    approved = data["approved_deviations"][0]
    assert (approved["decided_by"], approved["decided_when"]) == ("S. Choi", "2026-06-29T14:00:00Z")
    assert [(h["status"], h["by"]) for h in approved["history"]] == [("proposed", "M. Novak"), ("approved", "S. Choi")]
    assert [p["equipment_ids"][0] for p in data["layout_problems"]] == sorted(COLUMN_CLASHES)
    json.dumps(data)  # plain data all through
    assert ("Recordings", "no recordings given: process outputs not compared") in tolerance_rows(data)
    recorded = report_dict(ConformanceReport(result, document, document, generated_at=JULY,
                                             mother_recording="ochang.parquet", child_recording="holland.parquet",
                                             period=(JULY - 86400, JULY)))  # fmt: skip
    assert tolerance_rows(recorded)[-3:] == [
        ("Mother recording", "ochang.parquet"),
        ("Child recording", "holland.parquet"),
        ("Period", "2026-06-30 08:00:00 (UTC-04:00) to 2026-07-01 08:00:00 (UTC-04:00) (America/Detroit)"),
    ]


def test_html_report_has_every_section_and_says_none_for_empty_tables(demo_path, library):
    document, mother_line, child_line = electrode_clone(demo_path)
    result = diff_lines(mother_line, child_line, document, library=library)
    page = html_page(ConformanceReport(result, document, document, generated_at=JULY, mother_picture=b"\x89PNG1",
                                       child_picture=b"\x89PNG2"))  # fmt: skip
    assert "Ochang mother plant (OC), KR" in page and "Holland child plant (HM), US" in page
    assert "2026-07-01 08:00:00 (UTC-04:00), child site time (America/Detroit)" in page
    assert "2026-07-01 12:00:00 (UTC)" in page
    assert document_revision(document) in page
    assert '<b id="level">1 - Make it work</b>' in page and '<b id="layout">4\n(4 blocking)</b>' in page
    layout_table = page[page.index("<table id='layout-table'>") : page.index("<h2>Differences</h2>")]
    assert layout_table.count("<tr class='problem'>") == 4
    assert all(ident in layout_table for ident in COLUMN_CLASHES)
    for table in ("differences-table", "deviations-table", "outputs-table", "approved-table"):
        body = page[page.index(f"<table id='{table}'>") :]
        body = body[: body.index("</table>")]
        assert "<tr class='none'><td colspan=" in body and ">none</td>" in body, table
    assert "no recordings given: process outputs not compared" in page
    assert LAYOUT_RULE.replace("'", "&#x27;") in page
    approval = page[page.index("<div id=\"approval\">") :]
    assert all(f"<tr><th>{role}</th><td></td><td></td><td></td></tr>" in approval
               for role in ("Prepared by", "Reviewed by", "Approved by"))  # fmt: skip
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 2


def _colour_pixels(image: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 30) -> np.ndarray:
    return np.all(np.abs(image[..., :3].astype(int) - np.array(rgb)) <= tolerance, axis=-1)


def test_child_plan_picture_calls_out_each_clash_rings_its_columns_and_has_a_true_scale_bar(demo_path, library):
    from viewer.scene.report_pictures import Callout, Ring, render_plan_picture

    document, mother_line, child_line = electrode_clone(demo_path)
    result = diff_lines(mother_line, child_line, document, library=library)
    marks = picture_marks(result)
    picture = render_plan_picture(document, library.merged(document.types), child_line, marks.child_colors,
                                  [Callout(m.equipment_id, m.text, m.color) for m in marks.child],
                                  [Ring(*r) for r in marks.rings])  # fmt: skip
    image = np.asarray(Image.open(io.BytesIO(picture.png)).convert("RGB"))
    assert image.shape[1] == 1200 and 0.4 <= image.shape[0] / image.shape[1] <= 0.8
    assert set(picture.callouts_drawn) == COLUMN_CLASHES
    magenta = _colour_pixels(image, LAYOUT_PROBLEM, 12)
    for ident, (left, top, right, bottom) in picture.boxes.items():
        border = np.concatenate([magenta[top + 1, left + 4 : right - 4], magenta[bottom - 1, left + 4 : right - 4]])
        assert border.mean() > 0.9, ident  # the callout's frame is drawn in the clash colour
        inside = image[top + 4 : bottom - 4, left + 4 : right - 4]
        assert (inside.min(axis=2) < 90).any(), ident  # and it holds dark text
    # The filled equipment: shaded by the light, still plainly magenta, and none outside the child's clashes.
    shaded = (image[..., 0] > 120) & (image[..., 2] > 90) & (image[..., 1] < 80)
    assert shaded.sum() > 3000
    # Six rings (the coater stands on three columns), each 12 m (the column spacing) from its neighbour in x.
    assert len(picture.rings_px) == 6
    xs = sorted(x for x, y in picture.rings_px if abs(y - picture.rings_px[0][1]) < 2)
    spacing = 12.0 / picture.metres_per_pixel
    assert np.allclose(np.diff(xs)[:2], spacing, atol=1.5)
    for x, y in picture.rings_px:
        radius = max(14.0, 1.5 / picture.metres_per_pixel)
        ring = [magenta[round(y), round(x + radius - 2)], magenta[round(y - radius + 2), round(x)]]
        assert all(ring), (x, y)
    # The scale bar: a round length, drawn as long as that many metres at the picture's scale.
    assert picture.scale_bar_m == 10.0
    edge = image[image.shape[0] - 34, :400].max(axis=1) < 60  # along the bar's top edge
    start = int(np.argmax(edge))
    end = start + int(np.argmin(edge[start:]))  # the edge runs unbroken from 0 to the end of the bar
    assert start == 24 and end - 1 - start == pytest.approx(10.0 / picture.metres_per_pixel, abs=2)


def _pdf_pages(path, scale: float = 1.0):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            text = page.get_textpage().get_text_range()
            pages.append((text, np.asarray(page.render(scale=scale).to_pil().convert("RGB"))))
        return pages
    finally:
        pdf.close()


def test_cli_writes_a_pdf_report_to_sign(demo_path, tmp_path, capsys):
    from viewer.cli import main

    child_file = tmp_path / "holland.mtplant.json"
    assert main(["clone", str(demo_path), "--line", "Electrode line 1", "--to-site", CHILD, "-o",
                 str(child_file), "--allow-clashes"]) == 0  # fmt: skip
    document = load_document(child_file)
    document.deviations.append(Deviation("DEV-001", "HM-ELE1-MIX-01", "parameters.mixing_speed", "40 rpm", "45 rpm",
                                         "Local motor", "M. Novak", approved_by="S. Choi",
                                         approved_at="2026-06-29T14:00:00Z",
                                         status=DeviationStatus.APPROVED))  # fmt: skip
    mixer = next(p.equipment for p in document.iter_equipment() if p.equipment.id == "HM-ELE1-MIX-01")
    mixer.parameters = [dataclasses.replace(q, value=45) if q.name == "mixing_speed" else q for q in mixer.parameters]
    save_document(document, child_file)
    report, as_json = tmp_path / "conformance.pdf", tmp_path / "conformance.json"
    # The line stands on columns: the report is written, and the exit status refuses the release.
    assert main(["diff", f"{demo_path}:Electrode line 1", str(child_file), "--report", str(report), "--json",
                 str(as_json)]) == 1  # fmt: skip
    captured = capsys.readouterr()
    assert "4 layout problems at the child site found (--fail-on drift)" in captured.err
    out = captured.out
    assert f"wrote {report}" in out and "Copy Exactly level 1 - Make it work" in out
    assert report.read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob(".conformance.pdf.*"))  # written through a temporary file, nothing left over
    mother_revision = document_revision(load_document(demo_path))
    child_revision = document_revision(load_document(child_file))
    data = json.loads(as_json.read_text())
    assert data["clone_record"]["mother_unchanged"] is True  # the demo is the revision the clone came from
    assert {p["equipment_ids"][0] for p in data["layout_problems"]} == COLUMN_CLASHES
    assert data["summary"]["layout_blocking"] == 4 and data["summary"]["level"] == "1 - Make it work"
    assert (data["mother"]["revision"], data["child"]["revision"]) == (mother_revision, child_revision)

    pages = _pdf_pages(report)
    assert len(pages) >= 3
    texts = [text for text, _ in pages]
    joined = "\n".join(texts)
    flat = re.sub(r"\s+", "", joined)
    for n, (text, image) in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        assert "Electrode line 1 (HM-ELE1) against Electrode line 1 (OC-ELE1)" in text  # every page's head
        assert (image.min(axis=2) < 100).mean() > 0.005, n  # printed, not blank
    first = texts[0]
    assert "Ochang mother plant (OC), KR" in first and "Holland child plant (HM), US" in first
    assert "child site time (America/Detroit)" in first and "(Asia/Seoul)" in first
    assert mother_revision in re.sub(r"\s+", "", first) and child_revision in re.sub(r"\s+", "", first)
    assert "Copy Exactly level 1 - Make it work" in first
    assert "no recordings given" in first and "the mother document is the revision the line was cloned from" in first
    for ident in COLUMN_CLASHES:
        assert ident in joined
    assert "Layout rule." in joined and "cannot be built as drawn" in joined
    # The pictures: the page of the child's plan carries the clash colour; no other page does.
    magenta = [int(_colour_pixels(image, LAYOUT_PROBLEM, 40).sum()) for _, image in pages]
    child_page = next(n for n, text in enumerate(texts) if "Child: Electrode line 1 (HM-ELE1)" in text)
    assert "Mother: Electrode line 1 (OC-ELE1) at Ochang mother plant (OC), KR, from above" in joined
    assert magenta[child_page] > 500
    assert all(count < 50 for n, count in enumerate(magenta) if n != child_page), magenta
    last = texts[-1]
    assert "Approval" in last
    for words in ("Prepared by", "Reviewed by", "Approved by", "Signature", "Decision"):
        assert words in last
    approved = last[last.index("Approved deviations") :]
    assert "DEV-001" in approved and "S. Choi" in approved and "2026-06-29" in approved
    assert "parameters.mixing_speed" in flat and "approveddeviationDEV-001" in flat
    outputs = joined[joined.index("Process outputs") :]
    assert re.search(r"Verdict\s+none", outputs)  # the empty table says so


def test_report_suffix_chooses_the_format_and_anything_else_is_refused(demo_path, tmp_path, capsys):
    from viewer.cli import main

    child_file = tmp_path / "holland.mtplant.json"
    assert main(["clone", str(demo_path), "--line", "Electrode line 1", "--to-site", CHILD, "-o",
                 str(child_file), "--allow-clashes"]) == 0  # fmt: skip
    capsys.readouterr()
    wrong = tmp_path / "conformance.docx"
    assert main(["diff", str(child_file), str(child_file), "--report", str(wrong)]) == 2
    err = capsys.readouterr().err
    assert f"mothertwin diff: --report {wrong}: a report is written as .html or .pdf, chosen by the suffix" in err
    assert not wrong.exists()


def test_a_failed_pdf_leaves_the_previous_report_in_place(demo_path, tmp_path, monkeypatch, library):
    from viewer.compare import report_pdf

    document, mother_line, child_line = electrode_clone(demo_path)
    result = diff_lines(mother_line, child_line, document, library=library)
    target = tmp_path / "r.pdf"
    target.write_bytes(b"%PDF- the signed one")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_pdf, "pdf_bytes", broken)
    with pytest.raises(RuntimeError):
        report_pdf.write_pdf(target, ConformanceReport(result, document, document))
    assert target.read_bytes() == b"%PDF- the signed one"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]

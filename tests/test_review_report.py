"""The review report: HTML and PDF drawn from the demo plant with review topics, every PDF page rendered to
pixels and read back as text; pictures rendered off screen for topics without a snapshot; the command line."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viewer.io import builtin_library, load_document, save_document
from viewer.model.edit import DeleteEquipment
from viewer.model.review import (
    Comment,
    Measurement,
    Priority,
    ReviewViewpoint,
    Topic,
    TopicStatus,
    TopicType,
)
from viewer.review.report import ReviewReportError, report_dict, write_review_report
from viewer.review.report_data import ReviewReport, parse_statuses, select_topics
from viewer.review.synthetic import synthetic_topics

ROOT = Path(__file__).resolve().parents[1]
PARTICIPANTS = "Kim Minjun, Lee Seoyeon, J. Miller, 박지훈"
HANGUL_AUTHOR = "김민준"
MEETING = "2026-12-07"
NO_SNAPSHOT = "11111111-0000-4000-8000-000000000005"
GONE = "11111111-0000-4000-8000-000000000006"
MEASURED = "11111111-0000-4000-8000-000000000007"
DELETED = "OC-ELE1-MIX-DST-01"  # the dust collector, pinned by a topic and then deleted
MM = 72 / 25.4  # PDF points per millimetre: pages render at one pixel per point


def review_document(demo_path: Path):
    """The demo plant with seven topics: four synthetic ones with snapshots and markup (one closed, one with a
    decision and a Korean comment), one without a snapshot or camera, one whose equipment was deleted since,
    and a measurement."""
    document = load_document(demo_path, builtin_library())
    topics, snapshots = synthetic_topics(document, 4, snapshots=True, seed=3)
    document.review.snapshots.update(snapshots)
    statuses = (TopicStatus.OPEN, TopicStatus.CLOSED, TopicStatus.IN_PROGRESS, TopicStatus.OPEN)
    dues = ("2027-01-12", "2027-01-02", "", "2026-12-01")
    topics = [replace(t, status=s, due_date=d) for t, s, d in zip(topics, statuses, dues, strict=True)]
    topics[0] = replace(
        topics[0],
        decision="Move the dust collector 0.8 m east; the vendor confirms the duct length.",
        comments=(*topics[0].comments, Comment("c-hangul", HANGUL_AUTHOR, "2026-12-05T11:00:00+09:00",
                                                "벽에서 0.8 m 떨어져야 합니다. Clearance must be 0.8 m.")),
    )  # fmt: skip
    no_snapshot = Topic(
        guid=NO_SNAPSHOT, title="Cable tray crosses the AGV route", number=5, status=TopicStatus.OPEN,
        priority=Priority.HIGH, assignee="lee.seoyeon", due_date="2026-12-20", author="e.contractor",
        created="2026-12-04T08:00:00+00:00", site="OC", equipment=("OC-ELE1-MIX-02",),
        description="From the electrical contractor's BCF file: no snapshot came with it.",
        viewpoints=(ReviewViewpoint(guid="vp-5", site="OC"),),
        comments=(Comment("c-51", "j.miller", "2026-12-04T09:00:00-05:00", "Reroute the tray above 2.4 m."),),
    )  # fmt: skip
    gone = Topic(
        guid=GONE, title="Dust collector blocks the exit", number=6, status=TopicStatus.OPEN, site="OC",
        equipment=(DELETED,), pin=(30.0, 12.0, 0.0), assignee="park.jihoon", due_date="2026-12-10",
        description="The dust collector was deleted since the topic was raised.",
    )  # fmt: skip
    measured = Topic(
        guid=MEASURED, title="Aisle width between the mixers", number=7, type=TopicType.QUESTION,
        status=TopicStatus.RESOLVED, site="OC", measurement=Measurement((5.0, 3.0, 0.0), (5.0, 5.4, 0.0)),
        assignee="choi.yuna", due_date="2026-12-15", description="Measured in the meeting.",
        comments=(Comment("c-71", "a.novak", "2026-12-06T10:00:00+01:00", "2.4 m is enough for the forklift."),),
    )  # fmt: skip
    document.review.topics = [*topics, no_snapshot, gone, measured]
    DeleteEquipment((DELETED,)).redo(document)  # deleted after the topic was raised
    return document


@pytest.fixture(scope="module")
def plant(demo_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "reviewed.mtplant.json"
    save_document(review_document(demo_path), path)
    return path


@pytest.fixture(scope="module")
def reports(plant, tmp_path_factory):
    """The report of every topic as HTML and PDF, and of the open ones as PDF, pictures rendered."""
    from viewer.scene.review_pictures import write_review_report_with_pictures

    folder = tmp_path_factory.mktemp("reports")
    document = load_document(plant, builtin_library())
    library = builtin_library().merged(document.types)
    out = {}
    for name, statuses in (("all.html", ()), ("all.pdf", ()), ("open.pdf", ("open",))):
        out[name] = write_review_report_with_pictures(document, library, folder / name, statuses=statuses,
                                                      participants=PARTICIPANTS, meeting_date=MEETING,
                                                      plant_file=str(plant))  # fmt: skip
    return document, out


def pdf_pages(path: Path) -> list[tuple[str, np.ndarray]]:
    """Text and RGB pixels (one pixel per point) of every page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [(page.get_textpage().get_text_range().replace("\r\n", "\n"),
                 np.asarray(page.render(scale=1.0).to_pil().convert("RGB"))) for page in pdf]  # fmt: skip
    finally:
        pdf.close()


def flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- what a report holds


def test_report_data_filters_orders_and_says_what_is_gone(plant):
    document = load_document(plant, builtin_library())
    data = report_dict(ReviewReport(document, participants=("A", "B")))
    assert [t["number"] for t in data["topics"]] == [1, 2, 3, 4, 5, 6, 7]
    assert data["counts"] == {"open": 4, "in progress": 1, "resolved": 1, "closed": 1}
    # Actions by due date, none last.
    assert [a["number"] for a in data["actions"]] == [4, 6, 7, 5, 2, 1, 3]
    gone = next(t for t in data["topics"] if t["guid"] == GONE)
    assert gone["equipment_gone"] == ["OC-ELE1-MIX-DST-01"] and not gone["equipment"][0]["present"]
    measured = next(t for t in data["topics"] if t["guid"] == MEASURED)
    assert measured["measurement"]["distance_m"] == pytest.approx(2.4)
    present = next(t for t in data["topics"] if t["guid"] == NO_SNAPSHOT)["equipment"][0]
    assert present == {"id": "OC-ELE1-MIX-02", "name": "Anode mixer", "line": "Electrode line 1 (OC-ELE1)",
                       "present": True}  # fmt: skip
    # Overdue against the meeting date: topic 4 is due 2026-12-01 and open; the closed one never is.
    dated = report_dict(ReviewReport(document, meeting_date=date(2026, 12, 7)))
    assert [a["number"] for a in dated["actions"] if a["overdue"]] == [4]
    # Filters: statuses, site, line.
    both = parse_statuses(["open,in-progress"])
    assert [t.number for t in select_topics(ReviewReport(document, statuses=both))] == [1, 3, 4, 5, 6]
    assert select_topics(ReviewReport(document, site="Holland child plant")) == []
    on_line = select_topics(ReviewReport(document, line="OC-ELE1"))
    assert [t.number for t in on_line] == [2, 5]  # the slitter and the mixer
    with pytest.raises(ReviewReportError, match="unknown status 'done'; expected one of open, in progress"):
        parse_statuses(["open", "done"])
    with pytest.raises(ReviewReportError, match=r"no site named 'Nowhere'.*Ochang mother plant \(OC\)"):
        select_topics(ReviewReport(document, site="Nowhere"))


def test_html_holds_every_topic_its_comments_and_the_actions(reports):
    document, paths = reports
    page = paths["all.html"].read_text(encoding="utf-8")
    assert "MotherTwin Cells Co." in page and "Monday 7 December 2026" in page
    for name in ("Kim Minjun", "Lee Seoyeon", "J. Miller", "박지훈"):
        assert f"<li>{name}</li>" in page
    for topic in document.review.topics:
        assert f"id=\"topic-{topic.number}\"" in page and topic.title in page
        for comment in topic.comments:
            assert comment.text in page and comment.author in page
    assert HANGUL_AUTHOR in page and "벽에서 0.8 m 떨어져야 합니다." in page
    assert "OC-ELE1-MIX-DST-01: gone, no longer in the plant" in page
    assert "Measured distance 2.400 m" in page
    assert "Move the dust collector 0.8 m east" in page
    # Self-contained: every topic's picture is embedded, nothing is fetched.
    assert page.count("src='data:image/png;base64,") == 7
    assert "http://" not in page and "https://" not in page
    # Printed, each topic and the actions start a page of A4.
    assert "@page { size: A4;" in page and ".topic, .actions { break-before: page;" in page
    # The summary table: one row per action, in due-date order, with who and when.
    table = page[page.index('id="actions-table"'):]
    rows = table.split("<tr")[2:]
    assert len(rows) == 7
    assert [r.split("<td>")[1].split("</td>")[0] for r in rows] == ["#4", "#6", "#7", "#5", "#2", "#1", "#3"]
    assert "<td>park.jihoon</td><td>2026-12-10</td>" in rows[1]
    assert "2026-12-01 (overdue)" in rows[0]


def test_pdf_every_page_has_its_picture_and_text(reports):
    document, paths = reports
    pages = pdf_pages(paths["all.pdf"])
    topics = sorted(document.review.topics, key=lambda t: t.number)
    assert len(pages) == 1 + len(topics) + 1  # title page, a page per topic, the actions
    for number, (text, _) in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "MotherTwin Cells Co." in text and "Meeting 2026-12-07" in text
    title_text = flat(pages[0][0])
    assert "LAYOUT REVIEW MEETING REPORT" in title_text and "Monday 7 December 2026" in title_text
    for name in ("Kim Minjun", "Lee Seoyeon", "J. Miller", "박지훈"):
        assert name in title_text
    # The contents: each topic with the page it starts on (the title page, then one page per topic here).
    for topic in document.review.topics:
        assert f"#{topic.number} {topic.title}" in title_text
    contents = [flat(li) for li in pages[0][0].split("\n")]
    assert [li.split()[-1] for li in contents if li[:2] in {f"#{n}" for n in range(1, 8)}] == [
        str(n + 1) for n in range(1, 8)]
    for topic, (text, pixels) in zip(topics, pages[1:-1], strict=True):
        words = flat(text)
        assert f"#{topic.number}" in words and topic.title in words, topic.title
        assert topic.description in words
        for comment in topic.comments:
            assert comment.author in words and flat(comment.text) in words
        # The picture: under the heading, full width, about 100 mm high; varied, not white.
        area = pixels[int(36 * MM) : int(120 * MM), int(20 * MM) : int(190 * MM)].astype(float)
        assert (area.min(axis=2) < 235).mean() > 0.9, f"page of #{topic.number}: no picture"
        assert area.std() > 12 and len(np.unique(area.reshape(-1, 3)[::7], axis=0)) > 200
        # Text below the picture: the facts table and the description in dark ink.
        below = pixels[int(140 * MM) : int(230 * MM)]
        assert (below.max(axis=2) < 110).mean() > 0.002
    by_number = {t.number: flat(p[0]) for t, p in zip(topics, pages[1:-1], strict=True)}
    assert "OC-ELE1-MIX-DST-01: gone, no longer in the plant" in by_number[6]
    assert "Measured distance 2.400 m" in by_number[7]
    assert "Anode mixer (OC-ELE1-MIX-02)" in by_number[5]
    assert "Rendered framed on what the topic is about (no camera), as the topic has no snapshot: its equipment " \
        "highlighted, pin #5 drawn." in by_number[5]
    assert "its equipment highlighted" not in by_number[6] and "pin #6 drawn" in by_number[6]
    assert "pin #7 drawn, the measurement drawn" in by_number[7]
    assert "Snapshot taken in the meeting, with its markup" in by_number[1]
    assert "Move the dust collector 0.8 m east" in by_number[1]
    # Korean: the text is in the PDF (searchable, copyable); drawing its glyphs needs a Korean font on the
    # reading machine when none was found to embed (this test machine has none).
    assert HANGUL_AUTHOR in by_number[1] and "떨어져야" in by_number[1]
    actions = pages[-1][0]
    lines = [flat(li) for li in actions.split("\n") if li.strip()]
    assert "Actions" in lines
    order = [next(i for i, li in enumerate(lines) if li.startswith(f"#{n}")) for n in (4, 6, 7, 5, 2, 1, 3)]
    assert order == sorted(order)
    for expected in ("park.jihoon", "2026-12-10", "lee.seoyeon", "2026-12-20", "choi.yuna", "2026-12-15",
                     "2026-12-01 (overdue)"):  # fmt: skip
        assert expected in flat(actions)


def test_status_filter_leaves_closed_topics_out(reports):
    document, paths = reports
    pages = pdf_pages(paths["open.pdf"])
    text = flat(" ".join(t for t, _ in pages))
    open_topics = [t for t in document.review.topics if t.status == TopicStatus.OPEN]
    assert len(pages) == 1 + len(open_topics) + 1
    for topic in document.review.topics:
        assert (topic.title in text) == (topic.status == TopicStatus.OPEN), topic.title
    assert "status open" in flat(pages[0][0])


# ---------------------------------------------------------------- pictures for topics without a snapshot


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_pictures_are_rendered_with_the_equipment_highlighted_and_the_pin_drawn(plant):
    from viewer.model.review import MarkupKind, MarkupShape
    from viewer.review.report_data import STATUS_COLORS
    from viewer.scene.offscreen import offscreen_plotter
    from viewer.scene.plant_view import HIGHLIGHT_COLOR, PlantView
    from viewer.scene.review_pictures import PIN_RADIUS, missing_pictures, render_topic_picture

    document = load_document(plant, builtin_library())
    library = builtin_library().merged(document.types)
    # Only the topics without a snapshot get a picture rendered; one given is kept as it is.
    given = {GONE: b"given"}
    pictures = missing_pictures(document, library, document.review.topics, have=given)
    assert set(pictures) == {NO_SNAPSHOT, GONE, MEASURED} and pictures[GONE] == b"given"
    size = (640, 360)
    plotter = offscreen_plotter(size)
    try:
        view = PlantView(plotter)
        view.show_site(document, library, document.sites[0])
        for guid in (NO_SNAPSHOT, GONE, MEASURED):
            topic = document.review.topic(guid)
            picture = render_topic_picture(view, topic, size)
            image = _pixels(picture.png)
            assert picture.framed and picture.pin_px is not None, guid
            x, y = picture.pin_px
            assert 0.1 * size[0] < x < 0.9 * size[0] and 0.1 * size[1] < y < 0.9 * size[1]  # framed on it
            head = image[round(y - PIN_RADIUS * 2.4) - 8, round(x) - 8 : round(x) + 9]
            colour = np.array(STATUS_COLORS[topic.status])
            assert (np.abs(head - colour).max(axis=1) < 8).mean() > 0.6, (guid, head[:3])
            # The selection colour, shaded by the light: red and blue high, green low.
            red, green, blue = image[..., 0], image[..., 1], image[..., 2]
            magenta = ((red > HIGHLIGHT_COLOR[0] * 0.6) & (green < 80) & (blue > HIGHLIGHT_COLOR[2] * 0.5)).mean()
            if guid == NO_SNAPSHOT:
                assert picture.highlighted == ("OC-ELE1-MIX-02",) and magenta > 0.01
            else:  # the equipment is gone, or there was none: nothing is highlighted
                assert picture.highlighted == () and magenta < 0.001
        # A camera is used as it is, and the topic's markup is drawn on the rendered picture in the report.
        camera_topic = replace(document.review.topics[0], viewpoints=(replace(
            document.review.topics[0].viewpoints[0], snapshot="", markup=(MarkupShape(
                MarkupKind.RECTANGLE, ((0.1, 0.1), (0.3, 0.3)), color=(0, 200, 0), width=8),)),))  # fmt: skip
        picture = render_topic_picture(view, camera_topic, size)
        assert not picture.framed and view.camera_state().position == camera_topic.viewpoints[0].camera.position
    finally:
        plotter.close()
    from viewer.review.report_data import topic_picture

    png, source = topic_picture(ReviewReport(document, pictures={camera_topic.guid: picture.png}), camera_topic)
    drawn = _pixels(png)
    assert source == "rendered" and tuple(drawn[int(0.1 * size[1]), int(0.2 * size[0])]) == (0, 200, 0)


def test_window_function_uses_the_pictures_it_is_given(plant, tmp_path):
    from viewer.scene.review_pictures import write_review_report_with_pictures

    document = load_document(plant, builtin_library())
    solid = io.BytesIO()
    Image.new("RGB", (320, 180), (12, 160, 200)).save(solid, format="PNG")
    path = write_review_report_with_pictures(document, builtin_library().merged(document.types),
                                             tmp_path / "window.html", pictures={NO_SNAPSHOT: solid.getvalue()},
                                             statuses=["open"], title="Weekly layout review")  # fmt: skip
    page = path.read_text(encoding="utf-8")
    assert base64.b64encode(solid.getvalue()).decode("ascii") in page
    assert "<h1>Weekly layout review</h1>" in page and page.count("data:image/png;base64,") == 4


def test_a_report_that_cannot_be_written_leaves_the_old_file(plant, tmp_path):
    document = load_document(plant, builtin_library())
    with pytest.raises(ReviewReportError, match=r"r\.docx: a review report is written as \.html or \.pdf"):
        write_review_report(document, tmp_path / "r.docx")
    old = tmp_path / "r.html"
    old.write_text("the report of last week", encoding="utf-8")
    with pytest.raises(ReviewReportError, match=r"meeting date '7\.12\.2026': expected YYYY-MM-DD"):
        write_review_report(document, old, meeting_date="7.12.2026")
    with pytest.raises(ReviewReportError, match="no line named 'L9'"):
        write_review_report(document, old, line="L9")
    assert old.read_text(encoding="utf-8") == "the report of last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no half-written temporary file left


# ---------------------------------------------------------------- the command line


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    return subprocess.run([sys.executable, "-m", "viewer.cli", "review-report", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)  # fmt: skip


def test_cli_writes_the_report_end_to_end(plant, tmp_path):
    out = tmp_path / "review.pdf"
    done = _cli(str(plant), "-o", str(out), "--status", "open", "--status", "in-progress", "--participants",
                PARTICIPANTS, "--date", MEETING, "--title", "Ochang layout review")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout and "5 of 7 topics" in done.stdout
    pages = pdf_pages(out)
    assert len(pages) == 1 + 5 + 1
    assert "Ochang layout review" in flat(pages[0][0]) and "J. Miller" in pages[0][0]
    assert "Page 7 of 7" in pages[-1][0]
    html = tmp_path / "review.html"
    assert _cli(str(plant), "-o", str(html), "--site", "OC").returncode == 0
    assert html.read_text(encoding="utf-8").count("class=\"topic\"") == 7


def test_cli_refuses_what_it_cannot_do(plant, tmp_path):
    wrong = _cli(str(plant), "-o", str(tmp_path / "r.docx"))
    assert wrong.returncode == 2 and "r.docx: a review report is written as .html or .pdf" in wrong.stderr
    status = _cli(str(plant), "-o", str(tmp_path / "r.pdf"), "--status", "done")
    assert status.returncode == 2 and "unknown status 'done'" in status.stderr
    site = _cli(str(plant), "-o", str(tmp_path / "r.pdf"), "--site", "Nowhere")
    assert site.returncode == 2 and "no site named 'Nowhere'" in site.stderr
    missing = _cli(str(tmp_path / "none.mtplant.json"), "-o", str(tmp_path / "r.pdf"))
    assert missing.returncode == 2 and "none.mtplant.json" in missing.stderr
    assert not any(tmp_path.iterdir())


def test_a_long_topic_runs_on_over_pages(demo_path, tmp_path):
    """Many equipment, a long thread and a decision longer than a page: the PDF is written, nothing is lost."""
    document = load_document(demo_path, builtin_library())
    ids = tuple(p.equipment.id for p in document.iter_equipment())[:60]
    essay = " ".join(f"Sentence {k} of the long comment about the walkway." for k in range(400))
    document.review.topics = [Topic(
        guid="22222222-0000-4000-8000-000000000001", title="Whole line review", number=1, equipment=ids, site="OC",
        decision="Decided: " + essay, comments=tuple(Comment(f"c{k}", "kim.minjun", f"2026-12-0{1 + k % 6}T10:00:00Z",
                                                             essay if k == 3 else f"Point {k}") for k in range(30)),
    )]  # fmt: skip
    path = write_review_report(document, tmp_path / "long.pdf", pictures={})
    pages = pdf_pages(path)
    text = flat(" ".join(t for t, _ in pages))
    assert len(pages) >= 6 and f"Page {len(pages)} of {len(pages)}" in text
    assert all(i in text for i in ids) and "Point 29" in text
    # All of it on the topic's pages; the actions table holds the decision's first words.
    assert text.count("Sentence 399 of the long") == 2
    assert "Decision: Decided: Sentence 0 of the long" in flat(pages[-1][0]) and "\u2026" in pages[-1][0]


def test_korean_runs_take_the_korean_font():
    from viewer.review.report_pdf import fonts, markup, segments

    assert segments("김민준: 0.8 m 떨어져야") == [(True, "김민준"), (False, ": 0.8 m "), (True, "떨어져야")]
    korean = fonts()[2]
    assert markup("Kim <b> 김민준") == f"Kim &lt;b&gt; <font name='{korean}'>김민준</font>"


def test_comments_are_in_the_order_they_were_written_whatever_the_offset(demo_path):
    document = load_document(demo_path, builtin_library())
    document.review.topics = [Topic(guid="g", title="t", number=1, comments=(
        Comment("a", "ochang", "2026-12-07T09:30:00+09:00", "second: 00:30 UTC"),
        Comment("b", "detroit", "2026-12-06T19:10:00-05:00", "first: 00:10 UTC"),
        Comment("c", "nobody", "some day", "no time: last"),
    ))]  # fmt: skip
    comments = report_dict(ReviewReport(document))["topics"][0]["comments"]
    assert [c["author"] for c in comments] == ["detroit", "ochang", "nobody"]


def test_pictures_go_into_the_pdf_as_jpeg_no_wider_than_print_needs():
    from viewer.review.report_pdf import PRINT_WIDTH, print_picture

    big = io.BytesIO()
    Image.new("RGB", (3200, 1800), (12, 160, 200)).save(big, format="PNG")
    with Image.open(io.BytesIO(print_picture(big.getvalue()))) as printed:
        assert printed.format == "JPEG" and printed.size == (PRINT_WIDTH, PRINT_WIDTH * 9 // 16)
        assert np.abs(np.asarray(printed).astype(int)[400, 400] - (12, 160, 200)).max() <= 3

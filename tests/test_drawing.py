"""Rendered pictures as layout drawings, checked on pixels: scale bar, north arrow, title block, equipment ids,
framing without cropping, and names that stand beside (not on) what they name."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import MultiPoint
from shapely.geometry import box as shapely_box

from viewer.cli import main
from viewer.compare.clone import document_revision
from viewer.io import builtin_library, load_document
from viewer.scene.drawing import box_corners, project_points
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import PlantView
from viewer.scene.render import DrawingSheet, RenderRequest, draw_sheet, drawing_bounds, find_line

SIZE = (960, 540)
LINE = "Assembly line 1"


@pytest.fixture(scope="module")
def demo():
    from viewer.paths import demo_plant_path

    document = load_document(demo_plant_path(), builtin_library())
    return document, builtin_library().merged(document.types)


class Drawn:
    """One drawing rendered off-screen, with its view and overlays still there to read back."""

    def __init__(self, demo, view: str = "top", line: str | None = None, size=SIZE, **flags) -> None:
        document, library = demo
        self.document = document
        self.site = document.sites[0]
        self.line = find_line(self.site, line) if line else None
        self.request = RenderRequest(size=size, view=view, line=line, **flags)
        self.plotter = offscreen_plotter(size)
        self.view = PlantView(self.plotter, names_beside=True)
        self.view.show_site(document, library, self.site, labels=self.request.labels)
        if self.line is not None:
            self.view.focus_line(self.line)
        self.sheet: DrawingSheet = draw_sheet(self.view, document, self.site, self.line, self.request)
        self.plotter.render()
        # Rows from the bottom (display y), RGB as int.
        self.image = self.plotter.screenshot(return_img=True)[::-1, :, :3].astype(int)

    def region(self, box) -> np.ndarray:
        left, bottom, right, top = (round(v) for v in box)
        return self.image[bottom:top, left:right]

    def close(self) -> None:
        self.plotter.close()


@pytest.fixture
def drawn(demo):
    made: list[Drawn] = []

    def draw(*args, **kwargs) -> Drawn:
        made.append(Drawn(demo, *args, **kwargs))
        return made[-1]

    yield draw
    for drawing in made:
        drawing.close()


def dark(pixels: np.ndarray) -> int:
    return int((pixels.max(axis=2) < 80).sum())


def test_scale_bar_and_north_arrow_stand_in_their_corners(drawn):
    with_them = drawn("top")
    without = drawn("top", scale_bar=False, north=False)
    bar, north = with_them.sheet.scale_bar, with_them.sheet.north
    assert without.sheet.scale_bar is None and without.sheet.north is None
    width, height = SIZE
    left, bottom, right, top = bar.box()
    assert right < width / 2 and top < height / 3  # bottom left
    left, bottom, right, top = north.box()
    assert left > width / 2 and bottom > height / 2  # top right
    for overlay in (bar, north):
        assert dark(with_them.region(overlay.box())) > 40  # black bar parts and ticks; the arrow's dark half
        assert dark(without.region(overlay.box())) < 5  # background and floor there otherwise
    # A round length, drawn at the picture's scale.
    assert bar.length in (1, 2, 5, 10, 20, 50, 100, 200, 500) and bar.text == f"{bar.length:g} m"
    assert bar.pixels == pytest.approx(bar.length / with_them.view.metres_per_pixel())
    assert 60 < bar.pixels <= bar.target_px
    assert north.angle == pytest.approx(90.0, abs=0.5)  # plan, north (+Y) up


def test_north_arrow_turns_with_the_view_and_stays_off_the_front_view(drawn):
    iso = drawn("iso")
    # From the south-west, +Y runs up and to the left on the picture (the long X side runs up to the right).
    assert 95 < iso.sheet.north.angle < 175
    front = drawn("front")
    assert front.sheet.north is None and front.sheet.scale_bar is not None


def test_title_block_says_what_the_drawing_shows(drawn, demo):
    document, _ = demo
    line = drawn("iso", line=LINE)
    texts = line.sheet.title_block.texts()
    assert texts[0] == "MotherTwin Cells Co."
    assert "Site: Ochang mother plant (KR)" in texts
    assert f"Line: {LINE}" in texts
    assert "View: Isometric view from the south-west" in texts
    revision = next(t for t in texts if t.startswith("Revision: "))
    assert revision.split()[1] == document_revision(document)[:12]
    drawn_at = next(t for t in texts if t.startswith("Drawn: "))
    assert drawn_at.endswith("(UTC+09:00)")  # Ochang's own time
    assert any(t.startswith("North: +Y") for t in texts)
    # The actors say the same (the values column), and the block is drawn in the bottom-right corner.
    values = [actor.GetInput() for actor in line.sheet.title_block.values]
    assert f"{LINE}" in values and revision.split(": ", 1)[1] in values
    block = line.sheet.title_block.box()
    assert block[0] > SIZE[0] / 2 and block[1] < SIZE[1] / 4
    without = drawn("iso", line=LINE, title_block=False)
    assert without.sheet.title_block is None
    assert dark(line.region(block)) > 150  # text and rules (the time of drawing changes a few pixels)
    assert dark(line.region(block)) > 5 * dark(without.region(block)) + 100


def test_top_view_scale_row_matches_the_picture(drawn):
    top = drawn("top")
    scale = next(t for t in top.sheet.title_block.texts() if t.startswith("Scale: "))
    assert f"1 px = {top.view.metres_per_pixel():.3f} m" in scale
    assert "View: Plan (top view), north up" in top.sheet.title_block.texts()


def test_ids_label_the_equipment(drawn):
    plain = drawn("top", line=LINE)
    ids = drawn("top", line=LINE, ids=True)
    assert plain.view.id_label_layer() is None
    layer = ids.view.id_label_layer()
    line_ids = {p.equipment.id for p in ids.view.batch.paths if p.line.name == LINE}
    placed = layer.placed_texts()
    assert set(layer.texts()) == line_ids  # one per equipment of the line, nothing else
    assert len(placed) >= 20 and set(placed) <= line_ids  # 1 m conveyor parts side by side: not all have room
    boxes = layer.placed_boxes()
    assert len(boxes) == len(placed)
    # Blue text (the id colour) where ids are, and none without them.
    def blue(px: np.ndarray) -> int:  # the dark blue of the ids, not the teal of the machines
        return int(((px[..., 2] > px[..., 1] + 40) & (px[..., 2] > px[..., 0] + 60)).sum())

    assert sum(blue(ids.region(b)) for b in boxes) > 20 * len(boxes)
    assert sum(blue(plain.region(b)) for b in boxes) < 2 * len(boxes)
    # Ids keep clear of the title block.
    block = shapely_box(*ids.sheet.title_block.box())
    assert not any(shapely_box(*b).intersects(block) for b in boxes.tolist())


def test_ids_that_have_no_room_are_reported(demo, tmp_path, capsys):
    from viewer.paths import demo_plant_path

    out = tmp_path / "ids.png"
    assert main(["render", str(demo_plant_path()), "-o", str(out), "--view", "top", "--ids", "--size", "640x360"]) == 0
    assert "equipment ids had no room; try --line or a larger --size" in capsys.readouterr().err


@pytest.mark.parametrize(("view", "line"), [("top", None), ("iso", None), ("front", None), ("iso", LINE)])
def test_the_building_or_the_line_is_framed_whole_and_clear_of_the_overlays(drawn, view, line):
    drawing = drawn(view, line=line)
    renderer = drawing.plotter.renderer
    bounds = drawing_bounds(drawing.view, drawing.line)
    if line is None:  # the building's floor corners and its columns' tops
        outline = drawing.view._outline
        assert bounds[0][0] <= outline[:, 0].min() and bounds[1][1] >= outline[:, 1].max()
        assert bounds[1][2] >= drawing.site.column_grid.height
    corners = project_points(renderer, box_corners(bounds))
    width, height = SIZE
    assert (corners >= 0).all() and (corners[:, 0] <= width).all() and (corners[:, 1] <= height).all()
    # The equipment is not under an overlay: no equipment box meets the title block, scale bar or arrow.
    shown = np.flatnonzero(drawing.view.batch.visible)
    hulls = [MultiPoint(project_points(renderer, box_corners(drawing.view.batch.bounds[i]))).convex_hull for i in shown]
    for overlay in drawing.sheet.overlays():
        area = shapely_box(*overlay.box())
        assert not any(hull.intersects(area) for hull in hulls), type(overlay).__name__
    # And it is drawn large: the framed box spans most of the picture one way or the other.
    extent = corners.max(axis=0) - corners.min(axis=0)
    assert max(extent[0] / width, extent[1] / height) > 0.7


@pytest.mark.parametrize("view", ["top", "iso"])
def test_line_and_cell_names_stand_beside_the_equipment_they_name(drawn, view):
    drawing = drawn(view)
    renderer = drawing.plotter.renderer
    layer = drawing.view._label_layers[0]
    batch = drawing.view.batch
    named: dict[str, list[int]] = {}
    for index, path in enumerate(batch.paths):
        named.setdefault(path.line.name.upper(), []).append(index)
        named.setdefault(path.cell.name, []).append(index)
    placed = layer.placed_texts()
    assert len([t for t in placed if t in named]) >= 20  # most names are drawn (5 lines, 20 cells)
    for text, (left, bottom, right, top) in zip(placed, layer.placed_boxes().tolist(), strict=True):
        label = shapely_box(left + 1, bottom + 1, right - 1, top - 1)  # edges may touch
        for index in named.get(text, []):
            hull = MultiPoint(project_points(renderer, box_corners(batch.bounds[index]))).convex_hull
            assert not hull.intersects(label), (text, batch.paths[index].equipment.id)
    # Readable: each name is drawn dark on its light background.
    for left, bottom, right, top in layer.placed_boxes().tolist()[:5]:
        pixels = drawing.image[bottom:top, left:right]
        assert dark(pixels) > 10 and (pixels.min(axis=2) > 200).mean() > 0.4


def test_overlays_are_a_few_actors_whatever_the_plant(drawn):
    drawing = drawn("top", ids=True)
    names = [name for name in drawing.plotter.actors if name.startswith("drawing-")]
    assert 0 < len(names) <= 25  # title block rows, bar, arrow: none per equipment (155 here)
    assert len(drawing.view.batch) > 100


def test_recording_drawing_shows_the_state_time_in_site_time(demo, tmp_path, monkeypatch):
    from viewer.paths import demo_plant_path
    from viewer.scene import render

    document, _ = demo
    site = document.sites[0]
    path = next(p for p in document.iter_equipment() if p.site is site and p.equipment.signals)
    signal = path.equipment.signals[0].name
    recording = tmp_path / "rec.csv"
    with recording.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "tag", "value"])
        tag = f"{site.id}/{path.line.id}/{path.cell.id}/{path.equipment.id}/{signal}"
        writer.writerows([(1_735_689_600.0, tag, "running")])
    sheets: list[DrawingSheet] = []
    original = render.draw_sheet

    def keep(*args, **kwargs) -> DrawingSheet:
        sheets.append(original(*args, **kwargs))
        return sheets[-1]

    monkeypatch.setattr(render, "draw_sheet", keep)
    out = tmp_path / "state.png"
    args = ["render", str(demo_plant_path()), "-o", str(out), "--size", "960x540", "--view", "top"]
    assert main([*args, "--recording", str(recording), "--at", "2025-01-01T00:00:30Z"]) == 0
    texts = sheets[0].title_block.texts()
    assert "State at: 2025-01-01 09:00:30 (UTC+09:00)" in texts  # Ochang's time of the state shown
    image = np.asarray(Image.open(out))
    assert image.shape[:2] == (540, 960)


def test_cli_options_leave_the_overlays_out(demo, tmp_path, monkeypatch):
    from viewer.paths import demo_plant_path
    from viewer.scene import render

    sheets: list[DrawingSheet] = []
    original = render.draw_sheet
    monkeypatch.setattr(render, "draw_sheet", lambda *a, **k: sheets.append(original(*a, **k)) or sheets[-1])
    args = ["render", str(demo_plant_path()), "--size", "960x540", "--view", "top"]
    assert main([*args, "-o", str(tmp_path / "all.png")]) == 0
    assert main([*args, "-o", str(tmp_path / "none.png"), "--no-title-block", "--no-north", "--no-scale-bar"]) == 0
    assert len(sheets[0].overlays()) == 3 and sheets[1].overlays() == []
    full = np.asarray(Image.open(tmp_path / "all.png"))[::-1, :, :3].astype(int)
    for overlay in sheets[0].overlays():  # each drawn where it stands
        left, bottom, right, top = (round(v) for v in overlay.box())
        assert dark(full[bottom:top, left:right]) > 40
    # Without them the plant gets the whole sheet (less a small gap at its edges).
    assert sheets[1].framed == (10, 10, 950, 530)
    assert sheets[0].framed[3] - sheets[0].framed[1] < 530 - 10 - 100


def test_the_window_keeps_its_cheap_name_placement(demo):
    """Names beside what they name cost a search per name at every camera stop: drawings only, not the window."""
    document, library = demo
    plotter = offscreen_plotter(SIZE)
    try:
        view = PlantView(plotter)
        view.show_site(document, library, document.sites[0], labels=True)
        layer = view._label_layers[0]
        assert layer._keep_clear is None and not layer._beside.any()
    finally:
        plotter.close()

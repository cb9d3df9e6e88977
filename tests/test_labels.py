"""The label layer checked on rendered pixels: where labels land, which win, and when they are placed again."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.io import builtin_library, load_document
from viewer.scene import labels
from viewer.scene.labels import LabelLayer, LabelSpec
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.pieces import name_label_specs
from viewer.scene.plant_view import PlantView
from viewer.scene.render import RenderRequest, render_image

SIZE = (400, 300)
RED = (255, 0, 0)
BACKGROUND = 204  # white at 0.8 opacity over black


@pytest.fixture
def plotter():
    plotter = offscreen_plotter(SIZE)
    plotter.set_background("black")
    camera = plotter.camera
    camera.position = (0.0, 0.0, 50.0)
    camera.focal_point = (0.0, 0.0, 0.0)
    camera.up = (0.0, 1.0, 0.0)
    yield plotter
    plotter.close()


def shown(plotter, specs: list[LabelSpec], font_size: int = 16) -> LabelLayer:
    layer = LabelLayer(specs, RED, font_size)
    plotter.renderer.AddActor(layer.actor)
    layer.attach(plotter.renderer)
    return layer


def frame(plotter) -> np.ndarray:
    """One rendered frame as (h, w, 3) int, bottom row first (rows are display y)."""
    plotter.render()
    return plotter.screenshot(return_img=True)[::-1, :, :3].astype(int)


def display_of(plotter, xyz) -> tuple[int, int]:
    renderer = plotter.renderer
    renderer.SetWorldPoint(*xyz, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return round(x), round(y)


def label_boxes(image: np.ndarray) -> np.ndarray:
    """(x0, x1, y0, y1): inclusive display bounds of everything drawn (anything not black)."""
    drawn = image.max(axis=2) > 0
    ys, xs = np.nonzero(drawn)
    return np.array([xs.min(), xs.max(), ys.min(), ys.max()]) if len(xs) else np.array([])


def box_around(image: np.ndarray, xy: tuple[int, int], reach: int = 80) -> np.ndarray:
    """label_boxes of what is drawn within `reach` pixels of display point `xy`."""
    x, y = xy
    window = np.zeros_like(image)
    rows, columns = slice(max(y - reach, 0), y + reach), slice(max(x - reach, 0), x + reach)
    window[rows, columns] = image[rows, columns]
    return label_boxes(window)


def test_labels_are_drawn_centred_on_their_anchors(plotter):
    points = [(-10.0, 5.0, 0.0), (8.0, -6.0, 0.0)]
    layer = shown(plotter, [LabelSpec(points[0], "West"), LabelSpec(points[1], "East side")])
    image = frame(plotter)
    assert layer.placed_texts() == ["West", "East side"]
    widths = []
    for point in points:
        x, y = display_of(plotter, point)
        x0, x1, y0, y1 = box_around(image, (x, y))
        assert abs((x0 + x1) / 2 - x) <= 1.0 and abs((y0 + y1) / 2 - y) <= 1.0, (x0, x1, y0, y1, x, y)
        widths.append(x1 - x0)
        patch = image[y0 : y1 + 1, x0 : x1 + 1]
        background = (np.abs(patch - BACKGROUND) <= 2).all(axis=2)
        text = (patch[:, :, 0] >= 240) & (patch[:, :, 1:] <= 15).all(axis=2)
        assert background.mean() > 0.4 and text.sum() > 20
        # Rounded corners: the corner pixel shows less background than the edge next to it.
        assert image[y0, x0].max() < image[y0, x0 + 4].max()
    assert widths[1] > widths[0]  # "East side" is the longer text
    assert image[5, 5].max() == 0 and image[150, 200].max() == 0  # nothing drawn away from the labels


def test_overlapping_labels_keep_the_higher_priority(plotter):
    near = (0.0, 0.0, 0.0)
    beside = (0.3, 0.1, 0.0)  # a few pixels away: the two labels would overlap
    layer = shown(
        plotter,
        [LabelSpec(near, "low", 1.0), LabelSpec(beside, "HIGH PRIORITY NAME", 5.0), LabelSpec(beside, "tie", 5.0)],
    )
    image = frame(plotter)
    assert layer.placed_texts() == ["HIGH PRIORITY NAME"]  # equal priorities: the one given first
    x0, x1, _, _ = label_boxes(image)
    x, _ = display_of(plotter, beside)
    assert x1 - x0 > 120 and abs((x0 + x1) / 2 - x) <= 1.0  # the long label, centred on its own anchor


def test_a_label_overlapping_only_at_its_edge_gives_way(plotter):
    # The second anchor lies just above the first label, so only the boxes overlap, not box and anchor.
    layer = shown(plotter, [LabelSpec((0.0, 0.0, 0.0), "FIRST LABEL", 2.0), LabelSpec((0.0, 1.6, 0.0), "second")])
    image = frame(plotter)
    _, _, y0, y1 = label_boxes(image)
    first_y, second_y = display_of(plotter, (0.0, 0.0, 0.0))[1], display_of(plotter, (0.0, 1.6, 0.0))[1]
    assert y1 < second_y < first_y + (y1 - y0)  # above the first box, nearer than one label height
    assert layer.placed_texts() == ["FIRST LABEL"]


def test_labels_apart_are_all_placed_and_behind_the_camera_none(plotter):
    specs = [LabelSpec((x, 0.0, 0.0), f"{x:g}") for x in (-12.0, 0.0, 12.0)]
    layer = shown(plotter, [*specs, LabelSpec((0.0, 0.0, 80.0), "behind")])
    frame(plotter)
    assert layer.placed_texts() == ["-12", "0", "12"]
    assert layer.texts() == ["-12", "0", "12", "behind"]  # every text, placed or not, in the order given


def test_moving_the_camera_places_again_and_a_still_camera_does_not(plotter):
    point = (5.0, 3.0, 0.0)
    layer = shown(plotter, [LabelSpec(point, "Mover")])
    first = frame(plotter)
    assert layer.placements == 1
    frame(plotter)
    frame(plotter)
    assert layer.placements == 1  # same view: the quads from the first frame are drawn again

    plotter.camera.position = (-6.0, 0.0, 50.0)
    plotter.camera.focal_point = (-6.0, 0.0, 0.0)
    moved = frame(plotter)
    assert layer.placements == 2
    x, y = display_of(plotter, point)
    x0, x1, y0, y1 = label_boxes(moved)
    assert abs((x0 + x1) / 2 - x) <= 1.0 and abs((y0 + y1) / 2 - y) <= 1.0
    assert label_boxes(first)[0] < x0  # it followed its anchor to the right

    plotter.window_size = (500, 300)
    frame(plotter)
    assert layer.placements == 3  # a new viewport size moves every anchor too


def test_hidden_or_detached_layers_are_not_placed(plotter):
    layer = shown(plotter, [LabelSpec((0.0, 0.0, 0.0), "Quiet")])
    layer.actor.SetVisibility(False)
    assert frame(plotter).max() == 0
    assert layer.placements == 0
    layer.actor.SetVisibility(True)
    assert frame(plotter).max() > 0
    assert layer.placements == 1

    layer.detach()
    plotter.camera.Azimuth(10.0)
    frame(plotter)
    assert layer.placements == 1


def test_each_distinct_text_is_rasterised_once(plotter):
    texts = ["Pump 7 unique", "Valve 9 unique", "Pump 7 unique"]
    before = labels._TEXTS.rasterised
    first = shown(plotter, [LabelSpec((x, 0.0, 0.0), t) for x, t in zip((-12.0, 0.0, 12.0), texts, strict=True)])
    frame(plotter)
    assert labels._TEXTS.rasterised == before + 2 and first.placed_texts() == texts
    again = shown(plotter, [LabelSpec((0.0, 8.0, 0.0), "Valve 9 unique")])
    frame(plotter)
    assert labels._TEXTS.rasterised == before + 2 and again.placed_texts() == ["Valve 9 unique"]


def test_a_multi_line_label_is_taller(plotter):
    one = shown(plotter, [LabelSpec((-10.0, 0.0, 0.0), "Temp 21.5 C")])
    two = shown(plotter, [LabelSpec((10.0, 0.0, 0.0), "Temp 21.5 C\nPressure 1.2 bar")])
    image = frame(plotter)
    assert one.placed_texts() and two.placed_texts()
    _, _, low, high = box_around(image, display_of(plotter, (-10.0, 0.0, 0.0)), reach=60)
    _, _, low2, high2 = box_around(image, display_of(plotter, (10.0, 0.0, 0.0)), reach=60)
    one_height, two_height = high - low + 1, high2 - low2 + 1
    assert two_height >= 2 * one_height - 8, (one_height, two_height)


def test_off_screen_pictures_show_the_names(minimal_data, write_json):
    document = load_document(write_json(minimal_data))
    library = builtin_library().merged(document.types)
    with_names = render_image(document, library, RenderRequest(size=SIZE, view="top", labels=True))
    without = render_image(document, library, RenderRequest(size=SIZE, view="top", labels=False))
    changed = np.abs(with_names[:, :, :3].astype(int) - without[:, :, :3].astype(int)).max(axis=2) > 30
    assert changed.sum() > 300  # "LINE 1" and "Cell 1" with their backgrounds
    ink = (with_names[:, :, :3].max(axis=2) < 110) & changed  # dark text on the light floor
    assert ink.sum() > 30

    plotter = offscreen_plotter(SIZE)
    try:
        view = PlantView(plotter)
        view.show_site(document, library, document.sites[0], labels=True)
        view.set_view("top")
        image = frame(plotter)
        layer = view._label_layers[0]
        assert sorted(layer.placed_texts()) == ["Cell 1", "LINE 1"] and view.label_texts() == layer.texts()
        spec = next(s for s in name_label_specs(view.batch, None, 10.0) if s.text == "LINE 1")
        x, y = display_of(plotter, spec.position)
        left, bottom, right, top = layer.placed_boxes()[layer.placed_texts().index("LINE 1")].tolist()
        # Beside its anchor (on the free floor next to what it names), not far from it, with its text drawn.
        assert max(left - x, x - right, 0) < 30 and max(bottom - y, y - top, 0) < 30
        assert (image[bottom:top, left:right].max(axis=2) < 110).sum() > 15
    finally:
        plotter.close()


def test_a_label_above_its_anchor_stands_over_it_centred(plotter):
    point = (0.0, 0.0, 0.0)
    layer = LabelLayer([LabelSpec(point, "Cathode coater\nstate: running")], RED, 16, above=True)
    plotter.renderer.AddActor(layer.actor)
    layer.attach(plotter.renderer)
    image = frame(plotter)
    x, y = display_of(plotter, point)
    x0, x1, y0, _ = label_boxes(image)
    assert y0 == y + labels.ABOVE_GAP  # the anchor (the equipment's top) stays uncovered
    assert abs((x0 + x1) / 2 - x) <= 1


def test_a_new_layer_is_prepared_in_short_steps_before_its_first_frame(plotter):
    specs = [LabelSpec((i * 3.0 - 15.0, 0.0, 0.0), f"prepared name {i}") for i in range(12)]
    layer = shown(plotter, specs)
    dpi = int(plotter.ren_win.GetDPI())
    before = labels._TEXTS.rasterised
    calls = 1
    while not layer.prepare(dpi, seconds=0.0):  # no time at all: one text per call, then the packing
        calls += 1
        assert calls < 40
    assert labels._TEXTS.rasterised - before == 12 and calls == 13  # a text per call, then the packing
    frame(plotter)
    assert labels._TEXTS.rasterised - before == 12  # the frame found everything prepared
    assert layer.prepare(dpi, seconds=0.0)


def test_a_label_the_view_edge_would_cut_is_left_out(plotter):
    anchor = (0.0, 0.0, 0.0)
    layer = shown(plotter, [LabelSpec(anchor, "Whole"), LabelSpec(anchor, "Cut at the edge", priority=2.0)])
    frame(plotter)
    assert layer.placed_texts() == ["Cut at the edge"]  # centred: fits, and wins
    plotter.camera.position = (14.8, 0.0, 50.0)  # the anchor about 34 px from the left edge
    plotter.camera.focal_point = (14.8, 0.0, 0.0)
    image = frame(plotter)
    assert 0 <= display_of(plotter, (0.0, 0.0, 0.0))[0] < 45
    assert layer.placed_texts() == ["Whole"]  # the longer label would be cut: the short one fits
    assert label_boxes(image)[0] >= 0


def test_names_give_way_to_the_labels_of_a_layer_they_yield_to(plotter):
    names = shown(plotter, [LabelSpec((0.0, 2.0, 0.0), "Formation"), LabelSpec((0.0, -11.0, 0.0), "Aging")])
    frame(plotter)
    assert names.placed_texts() == ["Formation", "Aging"]
    values = LabelLayer([LabelSpec((0.0, 0.0, 0.0), "Coater\nstate: running\nspeed: 60 m/min")], RED, 16, above=True)
    plotter.renderer.AddActor(values.actor)
    values.attach(plotter.renderer)
    names.yield_to([values])
    image = frame(plotter)
    assert values.placed_texts() == ["Coater\nstate: running\nspeed: 60 m/min"]
    assert names.placed_texts() == ["Aging"]  # "Formation" stood where the values are
    left, bottom, right, top = values.placed_boxes()[0]
    x0, x1, y0, y1 = box_around(image, display_of(plotter, (0.0, 0.0, 0.0)), reach=75)
    assert (x0, y0) == (left, bottom) and (x1 + 1, y1 + 1) == (right, top)  # only the values there
    values.detach()  # the values go (selection cleared): the name comes back
    plotter.renderer.RemoveActor(values.actor)
    frame(plotter)
    assert names.placed_texts() == ["Formation", "Aging"]


def test_names_keep_clear_of_an_obstacle_drawn_over_the_view(plotter):
    names = shown(plotter, [LabelSpec((0.0, 0.0, 0.0), "Under the legend"), LabelSpec((0.0, -11.0, 0.0), "Clear")])
    frame(plotter)
    x, y = display_of(plotter, (0.0, 0.0, 0.0))

    class Legend:
        box = np.array([[x - 5, y - 5, x + 5, y + 5]], np.int64)

        def placed_boxes(self) -> np.ndarray:
            return self.box

    legend = Legend()
    names.yield_to([legend])
    frame(plotter)
    assert names.placed_texts() == ["Clear"]
    legend.box = np.zeros((0, 4), np.int64)  # hidden: the view is the same, the name comes back
    frame(plotter)
    assert names.placed_texts() == ["Under the legend", "Clear"]

"""Off-screen rendering checked on pixels: equipment drawn where expected, in the expected colour."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from viewer.cli import main
from viewer.io import builtin_library, load_document
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import PlantView
from viewer.scene.render import RenderRequest, render_image

SIZE = (640, 400)
RED, BLUE = [230, 20, 20], [20, 40, 230]


def marker_document(minimal_data: dict) -> dict:
    """Two box-shaped marker types (no mesh: drawn as their footprint) in two lines."""
    minimal_data["types"] = {
        "red_marker": {
            "title": "Red",
            "category": "test",
            "color": RED,
            "footprint": {"width": 4, "depth": 4, "height": 1},
        },
        "blue_marker": {
            "title": "Blue",
            "category": "test",
            "color": BLUE,
            "footprint": {"width": 4, "depth": 4, "height": 1},
        },
    }
    area = minimal_data["sites"][0]["areas"][0]
    area["lines"][0]["cells"][0]["equipment"] = [
        {"id": "R", "name": "Red one", "type": "red_marker", "pose": {"x": 10, "y": 6}}
    ]
    area["lines"].append(
        {
            "id": "L2",
            "name": "Line 2",
            "cells": [
                {
                    "id": "C2",
                    "name": "Cell 2",
                    "equipment": [{"id": "B", "name": "Blue one", "type": "blue_marker", "pose": {"x": 30, "y": 14}}],
                }
            ],
        }
    )
    return minimal_data


def pixel_of(plotter, xyz) -> tuple[int, int]:
    """(row, column) in a screenshot of the plotter of a world point."""
    renderer = plotter.renderer
    renderer.SetWorldPoint(*xyz, 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return SIZE[1] - 1 - round(y), round(x)


def hue(rgb) -> str:
    r, g, b = (int(v) for v in rgb[:3])
    if r > 120 and r > 2 * g and r > 2 * b:
        return "red"
    if b > 120 and b > 2 * r and b > 1.5 * g:
        return "blue"
    if abs(r - g) < 25 and abs(g - b) < 25:
        return "grey"
    return f"other{(r, g, b)}"


@pytest.fixture
def marker_scene(minimal_data, write_json):
    document = load_document(write_json(marker_document(minimal_data)))
    library = builtin_library().merged(document.types)
    plotter = offscreen_plotter(SIZE)
    view = PlantView(plotter)
    view.show_site(document, library, document.sites[0], labels=False)
    view.set_view("top")
    yield plotter, view
    plotter.close()


def shot(plotter) -> np.ndarray:
    plotter.render_window.Render()  # pyvista's screenshot reuses the last frame of an off-screen plotter
    return plotter.screenshot(return_img=True)


def test_equipment_drawn_where_expected_in_its_colour(marker_scene):
    plotter, _ = marker_scene
    image = shot(plotter)
    assert hue(image[pixel_of(plotter, (10, 6, 1))]) == "red"
    assert hue(image[pixel_of(plotter, (30, 14, 1))]) == "blue"
    assert hue(image[pixel_of(plotter, (20, 10, 0))]) == "grey"  # the floor between them
    # The red box is 4 m wide: 2.5 m from its centre is floor again.
    assert hue(image[pixel_of(plotter, (12.5, 6, 0))]) == "grey"
    assert hue(image[pixel_of(plotter, (11.5, 6, 1))]) == "red"


def test_recolour_and_hide_through_arrays(marker_scene):
    plotter, view = marker_scene
    batch = view.batch
    batch.set_colors(np.array([batch.index_of("R")]), (20, 40, 230))
    image = shot(plotter)
    assert hue(image[pixel_of(plotter, (10, 6, 1))]) == "blue"
    batch.set_visible(np.array([p.equipment.id != "B" for p in batch.paths]))
    image = shot(plotter)
    assert hue(image[pixel_of(plotter, (30, 14, 1))]) == "grey"
    assert hue(image[pixel_of(plotter, (10, 6, 1))]) == "blue"


def test_level_of_detail_boxes_stand_where_the_equipment_stands(marker_scene):
    plotter, view = marker_scene
    view.set_interacting(True)
    assert view.proxy_actor.visibility and not view.detail_actor.visibility
    image = shot(plotter)
    assert hue(image[pixel_of(plotter, (10, 6, 1))]) == "red"
    assert hue(image[pixel_of(plotter, (30, 14, 1))]) == "blue"
    assert hue(image[pixel_of(plotter, (20, 10, 0))]) == "grey"


def test_render_one_line_only(minimal_data, write_json):
    document = load_document(write_json(marker_document(minimal_data)))
    library = builtin_library().merged(document.types)
    image = render_image(document, library, RenderRequest(size=SIZE, view="top", line="Line 2", labels=False))
    colours = {hue(p) for p in image.reshape(-1, image.shape[-1])[::7]}
    assert "blue" in colours
    assert "red" not in colours


def test_cli_renders_the_demo_to_png(demo_path, tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["render", str(demo_path), "-o", str(out), "--size", "800x450", "--view", "iso"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (800x450, iso view)"
    image = np.asarray(Image.open(out))
    assert image.shape == (450, 800, 3)
    # A plant, not a blank frame: library colours of the electrode (blue) and formation (violet) areas show up.
    pixels = image.reshape(-1, 3)
    assert len(np.unique(pixels // 16, axis=0)) > 60
    bluish = (pixels[:, 2].astype(int) - pixels[:, 0] > 70) & (pixels[:, 2] > 110)
    assert bluish.sum() > 200


def test_cli_render_transparent_background(demo_path, tmp_path):
    out = tmp_path / "clear.png"
    assert main(["render", str(demo_path), "-o", str(out), "--size", "320x200", "--transparent"]) == 0
    image = np.asarray(Image.open(out))
    assert image.shape == (200, 320, 4)
    assert image[0, 0, 3] == 0  # the sky corner is transparent
    assert image[:, :, 3].max() == 255  # the plant is opaque


def test_cli_render_unknown_line_is_a_clear_error(demo_path, tmp_path, capsys):
    code = main(["render", str(demo_path), "-o", str(tmp_path / "x.png"), "--line", "Line 9"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no line named 'Line 9' at site 'Ochang mother plant'; lines there: Electrode line 1," in err
    assert not (tmp_path / "x.png").exists()


def test_cli_render_bad_size(demo_path, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["render", str(demo_path), "-o", str(tmp_path / "x.png"), "--size", "big"])
    assert "expected WIDTHxHEIGHT such as 1600x900, got 'big'" in capsys.readouterr().err


def test_empty_child_site_renders_its_building(demo_path, tmp_path):
    out = tmp_path / "child.png"
    assert main(["render", str(demo_path), "-o", str(out), "--size", "320x200", "--site", "Holland child plant"]) == 0
    image = np.asarray(Image.open(out))
    floor = np.all(np.abs(image.astype(int) - [214, 216, 212]) < 6, axis=-1)
    # The whole empty building is drawn (framed with room for the scale bar and north arrow): a good part of
    # the picture, and no floor reaches the picture's edges (nothing cropped).
    assert floor.mean() > 0.12
    assert not (floor[0].any() or floor[-1].any() or floor[:, 0].any() or floor[:, -1].any())


def test_hiding_everything_draws_only_the_building(marker_scene):
    plotter, view = marker_scene
    view.batch.set_visible(np.zeros(len(view.batch), dtype=bool))
    image = shot(plotter)
    assert hue(image[pixel_of(plotter, (10, 6, 1))]) == "grey"
    view.batch.set_visible(np.ones(len(view.batch), dtype=bool))
    assert hue(shot(plotter)[pixel_of(plotter, (10, 6, 1))]) == "red"

"""Review pins rendered off-screen: heads at their projected points in the status colour, the same size on
screen near and far, numbers decluttered by priority, the ring of the highlighted pin, picking by pixels."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv

from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.review_pins import HALO_COLOR, PIN_PIXELS, ReviewPins

SIZE = (400, 300)
RED = (222, 45, 38)
GREY = (140, 140, 140)
BACKGROUND = (30, 30, 30)


@pytest.fixture
def plotter():
    plotter = offscreen_plotter(SIZE)
    plotter.set_background(tuple(c / 255 for c in BACKGROUND))
    camera = plotter.camera
    camera.position = (0.0, -40.0, 30.0)
    camera.focal_point = (0.0, 0.0, 0.0)
    camera.up = (0.0, 0.0, 1.0)
    yield plotter
    plotter.close()


def frame(plotter) -> np.ndarray:
    """(h, w, 3) int, bottom row first (rows are display y)."""
    plotter.reset_camera_clipping_range()
    plotter.render()
    return plotter.screenshot(return_img=True)[::-1, :, :3].astype(int)


def head_width(image: np.ndarray, x: int, y: int) -> int:
    """How many pixels across the head at (x, y) is: the run of non-background pixels on that row."""
    row = np.abs(image[y] - np.array(BACKGROUND)).sum(axis=1) > 40
    left = x
    while left > 0 and row[left - 1]:
        left -= 1
    right = x
    while right < len(row) - 1 and row[right + 1]:
        right += 1
    return right - left + 1


def test_heads_are_drawn_in_their_colour_and_keep_their_size_on_screen(plotter):
    pins = ReviewPins(plotter.renderer)
    pins.set_pins(np.array([[-6.0, 0.0, 0.0], [6.0, 0.0, 0.0]]), [3, 12], np.array([RED, GREY]))
    image = frame(plotter)
    display, front = pins.display_positions()
    assert front.all()
    (rx, ry), (gx, gy) = np.round(display).astype(int)
    r, g, b = image[ry, rx]
    assert r > 170 and g < 120 and b < 120  # lit red
    grey = image[gy, gx]
    assert abs(grey[0] - grey[1]) < 12 and abs(grey[1] - grey[2]) < 12 and grey[0] > 90
    near = head_width(image, rx, ry)
    assert abs(near - PIN_PIXELS) <= 3
    plotter.camera.position = (0.0, -200.0, 150.0)  # five times as far: the head is as big on screen
    image = frame(plotter)
    (rx, ry), _ = np.round(pins.display_positions()[0]).astype(int)
    assert abs(head_width(image, rx, ry) - near) <= 2
    assert sorted(pins.labels.placed_texts()) == ["#12", "#3"]


def test_numbers_give_way_by_priority_and_the_chosen_pin_is_ringed(plotter):
    pins = ReviewPins(plotter.renderer)
    points = np.array([[0.0, 0.0, 0.0], [0.3, 0.0, 0.0], [12.0, 0.0, 0.0]])  # the first two crowd each other
    pins.set_pins(points, [1, 2, 3], np.array([RED, RED, GREY]), priorities=[1.0, 5.0, 1.0])
    frame(plotter)
    assert pins.labels.placed_texts() == ["#2", "#3"]  # #1 would cover #2, which matters more
    pins.set_highlight(2)
    image = frame(plotter)
    (x, y) = np.round(pins.display_positions()[0][2]).astype(int)
    ring = image[y, x + PIN_PIXELS // 2 + 4]  # outside the head, inside the halo
    assert np.abs(ring - np.array(HALO_COLOR)).max() < 40
    pins.set_highlight(None)
    image = frame(plotter)
    assert np.abs(image[y, x + PIN_PIXELS // 2 + 4] - np.array(BACKGROUND)).max() < 20


def test_pin_at_finds_the_nearest_head_within_a_few_pixels(plotter):
    pins = ReviewPins(plotter.renderer)
    pins.set_pins(np.array([[-6.0, 0.0, 0.0], [6.0, 0.0, 0.0]]), [1, 2], np.array([RED, RED]))
    frame(plotter)
    (ax, ay), (bx, by) = pins.display_positions()[0]
    assert pins.pin_at(ax + 3, ay - 2) == 0
    assert pins.pin_at(bx, by) == 1
    assert pins.pin_at((ax + bx) / 2, (ay + by) / 2) is None
    pins.set_visible(False)
    assert pins.pin_at(bx, by) is None


def test_pins_come_back_after_the_scene_is_cleared(plotter):
    """Showing another site clears the renderer's actors; the pins are in the next frame all the same."""
    pins = ReviewPins(plotter.renderer)
    pins.set_pins(np.array([[0.0, 0.0, 0.0]]), [7], np.array([RED]))
    plotter.add_mesh(pv.Cube(center=(20, 20, 0)), name="something")
    plotter.clear_actors()
    assert not plotter.renderer.HasViewProp(pins.actor)
    image = frame(plotter)
    assert plotter.renderer.HasViewProp(pins.actor)
    x, y = np.round(pins.display_positions()[0][0]).astype(int)
    assert image[y, x][0] > 170
    assert pins.labels.placed_texts() == ["#7"]


def test_set_pins_checks_its_arrays(plotter):
    pins = ReviewPins(plotter.renderer)
    with pytest.raises(ValueError, match="as many numbers and colours as positions"):
        pins.set_pins(np.zeros((2, 3)), [1], np.zeros((2, 3)))

"""A big plant opened in steps: boxes first, the full meshes drawn in slices, and the result is the scene and
the image one full frame gives. Picking without a cell locator finds what VTK's locator finds."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from ui_helpers import open_window, rendered
from vtkmodules.vtkCommonCore import reference
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

from viewer.io import builtin_library, save_document
from viewer.model.synthetic import generate_plant
from viewer.scene.batch import EQUIPMENT_INDEX
from viewer.scene.detail_drawing import DetailDrawing
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.pieces import site_pieces
from viewer.scene.plant_view import PlantView
from viewer.scene.render import choose_site

SIZE = (640, 400)


@pytest.fixture(scope="module")
def library():
    return builtin_library()


@pytest.fixture(scope="module")
def plant(library):
    return generate_plant(library, 400, seed=2)


def shown_in_steps(plant, library) -> tuple[object, PlantView]:
    plotter = offscreen_plotter(SIZE)
    view = PlantView(plotter)
    view.grid_labels = True
    site = choose_site(plant, None)
    for _ in view.show_site_steps(plant, library, site, lod=True):
        pass
    view.set_view("iso")
    return plotter, view


def test_slices_give_the_image_of_one_full_frame(plant, library):
    plotter, view = shown_in_steps(plant, library)
    try:
        assert view.interacting and view.proxy_actor.visibility and not view.detail_actor.visibility
        assert not any(actor.GetVisibility() for actor in view._label_actors)  # names come with the meshes
        props = plotter.renderer.GetViewProps().GetNumberOfItems()
        drawing = DetailDrawing(view, triangles_per_step=view.batch.detail.n_cells // 6 + 1)
        while not drawing.drawn:
            drawing.step()
        assert drawing.steps == 1 + 6 + 1  # the base frame, six slices, the names
        drawing.present(plotter.render_window.Render)
        sliced = plotter.screenshot(return_img=True).astype(int)

        # The view now shows the full meshes and the names; no slice is left in the scene.
        assert not view.interacting and view.detail_actor.visibility and not view.proxy_actor.visibility
        assert all(actor.GetVisibility() for actor in view._label_actors)
        assert plotter.renderer.GetViewProps().GetNumberOfItems() == props

        plotter.render_window.Render()
        full = plotter.screenshot(return_img=True).astype(int)
        assert len(np.unique(full.reshape(-1, 3) // 16, axis=0)) > 20  # a plant, not an empty view
        differ = (np.abs(sliced - full).max(axis=2) > 8).mean()
        assert differ < 0.001, f"{differ:.2%} of the pixels differ from one full frame"
    finally:
        plotter.close()


def test_a_restart_draws_the_new_camera(plant, library):
    plotter, view = shown_in_steps(plant, library)
    try:
        drawing = DetailDrawing(view, triangles_per_step=view.batch.detail.n_cells // 3 + 1)
        drawing.step()
        drawing.step()
        view.set_view("top")  # the camera moved: what was drawn is for the old view
        drawing.restart()
        while not drawing.drawn:
            drawing.step()
        drawing.present(plotter.render_window.Render)
        sliced = plotter.screenshot(return_img=True).astype(int)
        plotter.render_window.Render()
        full = plotter.screenshot(return_img=True).astype(int)
        assert (np.abs(sliced - full).max(axis=2) > 8).mean() < 0.001
    finally:
        plotter.close()


def test_pieces_made_beforehand_are_the_ones_made_in_place(plant, library):
    site = choose_site(plant, None)
    plotter, view = shown_in_steps(plant, library)
    try:
        in_place = sorted(view.label_texts())
        pieces = site_pieces(site, view.batch, grid_labels=True)
        for _ in view.show_site_steps(plant, library, site, batch=view.batch, pieces=pieces):
            pass
        assert sorted(view.label_texts()) == in_place
        columns = view.plotter.actors["columns"].mapper.dataset
        assert np.array_equal(columns.points, pieces.building.columns.points)
    finally:
        plotter.close()


def test_picking_finds_what_a_cell_locator_finds(plant, library):
    plotter = offscreen_plotter(SIZE)
    try:
        view = PlantView(plotter)
        view.show_site(plant, library, choose_site(plant, None), labels=False)
        view.set_view("iso")
        hidden = np.zeros(len(view.batch), dtype=bool)
        hidden[::5] = True  # some equipment hidden: the ray goes through them
        view.batch.set_visible(~hidden)
        locator = vtkStaticCellLocator()
        locator.SetDataSet(view.batch.detail)
        locator.BuildLocator()
        owners = np.asarray(view.batch.detail.cell_data[EQUIPMENT_INDEX])
        rng = np.random.default_rng(5)
        tops = view.batch.bounds.mean(axis=1)
        tops[:, 2] = view.batch.bounds[:, 1, 2]
        aimed = view.project(tops[rng.choice(len(tops), 150)])[0] + rng.normal(0, 2, (150, 2))
        hits = 0
        for x, y in np.vstack([aimed, rng.uniform((0, 0), SIZE, size=(50, 2))]):
            near, far = view.display_ray(x, y)
            point, cell = [0.0, 0.0, 0.0], reference(0)
            found = locator.IntersectWithLine(near, far, 1e-6, reference(0.0), point, [0.0] * 3, reference(0), cell)
            expected = int(owners[int(cell)]) if found else None
            index, hit = view.pick_point(x, y)
            assert index == expected, (x, y)
            if found:
                hits += 1
                assert np.linalg.norm(hit - point) < 1e-3
        assert hits > 50
    finally:
        plotter.close()


# ---------------------------------------------------------------- the window


@pytest.fixture(scope="module")
def big_plant(tmp_path_factory):
    path = tmp_path_factory.mktemp("steps") / "plant-10k.mtplant.json"
    save_document(generate_plant(builtin_library(), 10_000, seed=1), path)
    return path


@pytest.mark.gui
def test_big_plant_shows_boxes_first_and_ends_fully_drawn(qtbot, tmp_path, big_plant):
    window = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    try:
        stages: list[tuple[str, bool]] = []
        window.scene.progress.connect(lambda _f, stage: stages.append((stage, window.scene.view.interacting)))
        before = window.session.document
        window.start_open(big_plant)
        qtbot.waitUntil(lambda: window.session.document is not before, timeout=60_000)
        # Handed over: the plant is open, its meshes are still being drawn behind the boxes.
        assert window.opening and window.scene.busy
        assert window.load_progress.isVisible() and not window.load_cancel.isVisible()
        qtbot.waitUntil(lambda: any(stage == "Drawing the detail" for stage, _ in stages), timeout=30_000)
        view = window.scene.view
        assert view.interacting and view.proxy_actor.visibility and not view.detail_actor.visibility
        window.scene.set_view("top")  # the camera moves meanwhile: the drawing starts again for it
        start = time.perf_counter()
        qtbot.waitUntil(lambda: not window.opening, timeout=60_000)
        assert time.perf_counter() - start < 30

        assert all(boxes for stage, boxes in stages if stage == "Drawing the detail")
        assert not window.scene.busy and not window.load_progress.isVisible()
        assert not view.interacting and view.detail_actor.visibility and not view.proxy_actor.visibility
        assert all(actor.GetVisibility() for actor in view._label_actors)
        assert len(view.batch) == 10_000 and view.batch.visible.all()
        assert view.batch.detail.n_cells == len(view.batch.detail.regular_faces) > 1_000_000
        assert window.tree_dock.model.total == 10_000
        assert window.plotter.camera.parallel_projection  # the top view asked for while drawing
        registered = list(window.plotter.actors.values())
        assert all(prop in registered or prop.IsA("vtkActor2D") for prop in window.plotter.renderer.GetViewProps())
        assert window.plotter.ren_win.GetMultiSamples() == 0 or not window.plotter.software_opengl

        # Later frames of a plant this big are drawn in slices too; moving equipment shows the boxes at once.
        frames: list[bool] = []
        window.scene.rendered.connect(lambda: frames.append(view.interacting))
        matrix = np.eye(4)
        for step in range(3):  # as a drag does
            matrix[:3, 3] = view.batch.bounds[0][0] + (1.0, 0.0, 0.0)
            view.move_equipment([0], matrix[None])
            window.scene.request_render()
            qtbot.waitUntil(lambda n=step + 1: len(frames) >= n, timeout=5_000)
            assert frames[-1]  # a frame of boxes, straight away
        qtbot.waitUntil(lambda: not view.interacting and window.scene._drawing is None, timeout=30_000)
        assert view.detail_actor.visibility and not view.proxy_actor.visibility and not frames[-1]

        image = rendered(window)
        assert len(np.unique(image.reshape(-1, 3) // 16, axis=0)) > 20
    finally:
        window.close()

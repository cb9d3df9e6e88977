"""`mothertwin bench load`: figures for load, scene build, first frame and orbit frames, with ratios.

Measured in one run on the same machine: our batched scene, the naive way (one pyvista actor per
equipment, same meshes), and the floor (a one-box scene at the same window size).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.bench.figures import figure_line, verdict
from viewer.io import builtin_library, load_document, save_document
from viewer.model import edit
from viewer.model.checks import LayoutChecker
from viewer.model.geometry import equipment_world_matrices
from viewer.model.synthetic import generate_plant
from viewer.model.undo import UndoStack
from viewer.scene.batch import TypeMeshes
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import PlantView
from viewer.scene.render import choose_site


def _render(plotter: pv.Plotter) -> float:
    start = time.perf_counter()
    plotter.render_window.Render()  # pyvista's render() skips frames before the first show
    plotter.render_window.WaitForCompletion()
    return time.perf_counter() - start


def _orbit(plotter: pv.Plotter, frames: int, before_frame: Callable[[], None] | None = None) -> float:
    """Median seconds per frame while the camera turns around the scene."""
    _render(plotter)
    times = []
    for _ in range(frames):
        plotter.camera.azimuth += 360.0 / frames
        if before_frame is not None:
            before_frame()
        times.append(_render(plotter))
    return statistics.median(times)



def run_benchmark(
    equipment: int = 10_000, size: tuple[int, int] = (1280, 800), naive: bool = True, frames: int = 20
) -> dict[str, float]:
    library = builtin_library()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.mtplant.json"
        save_document(generate_plant(library, equipment, seed=1), path)
        print(f"MotherTwin benchmark: {equipment} equipment, window {size[0]}x{size[1]}, {pv.vtk_version_info} VTK")
        start = time.perf_counter()
        document = load_document(path, library)
        figures["load"] = time.perf_counter() - start

    site = choose_site(document, None)
    meshes = TypeMeshes(library)
    for name in {p.equipment.type for p in document.iter_equipment()}:
        meshes.get(name)  # mesh files are read before timing: both ways share them

    plotter = offscreen_plotter(size)
    renderer_name = plotter.render_window.GetClassName()
    view = PlantView(plotter)
    start = time.perf_counter()
    view.show_site(document, library, site, meshes=meshes)
    figures["build"] = time.perf_counter() - start
    view.set_view("iso")
    figures["first_frame"] = _render(plotter)
    triangles = view.batch.detail.n_cells
    figures["orbit_detail"] = _orbit(plotter, frames)
    view.set_interacting(True)
    figures["orbit_lod"] = _orbit(plotter, frames)
    view.set_interacting(False)
    # Recolour every equipment (the sensor-state path) and time the next frame.
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    view.batch.set_colors(np.arange(len(view.batch)), rng.integers(0, 255, (len(view.batch), 3)))
    figures["recolour_all"] = time.perf_counter() - start
    plotter.close()

    floor_plotter = offscreen_plotter(size)
    floor_plotter.add_mesh(pv.Box(), color="grey")
    floor_plotter.camera_position = "iso"
    figures["orbit_one_box"] = _orbit(floor_plotter, frames)
    floor_plotter.close()

    figures.update(_layout_checks(document, library, site))
    if naive:
        figures.update(_naive(document, site, meshes, size, frames))

    print(f"  renderer: {renderer_name}; site {site.name}: {len(view.batch)} equipment, {triangles:,} triangles")
    figure_line("load document", f"{figures['load']:.2f} s")
    figure_line("build scene", f"{figures['build']:.2f} s")
    figure_line("first frame", f"{figures['first_frame']:.2f} s")
    total = figures["load"] + figures["build"] + figures["first_frame"]
    figure_line("load + build + first frame", f"{total:.2f} s", verdict(total <= 5.0, "target <= 5 s"))
    figure_line("orbit frame, full detail (median)", f"{figures['orbit_detail'] * 1000:.0f} ms")
    figure_line("orbit frame, level of detail (median)", f"{figures['orbit_lod'] * 1000:.0f} ms")
    figure_line("orbit frame, one-box scene (floor)", f"{figures['orbit_one_box'] * 1000:.0f} ms")
    ratio = figures["orbit_lod"] / figures["orbit_one_box"]
    figure_line("orbit frame / floor", f"{ratio:.2f}x", verdict(ratio <= 3.0, "target <= 3x"))
    figure_line("recolour every equipment (arrays)", f"{figures['recolour_all'] * 1000:.1f} ms")
    figure_line("layout check, whole site", f"{figures['check_full'] * 1000:.0f} ms")
    recheck = figures["check_move"]
    figure_line(
        "layout re-check after a move (median)",
        f"{recheck * 1000:.1f} ms",
        verdict(recheck <= 0.2, "target <= 200 ms"),
    )
    figure_line("re-check speed-up vs checking everything", f"{figures['check_full'] / recheck:.0f}x")
    if naive:
        figure_line("naive build (one actor per equipment)", f"{figures['naive_build']:.2f} s")
        figure_line("naive orbit frame (median)", f"{figures['naive_orbit'] * 1000:.0f} ms")
        build_ratio = figures["naive_build"] / figures["build"]
        figure_line("build speed-up vs naive", f"{build_ratio:.1f}x", verdict(build_ratio >= 10.0, "target >= 10x"))
        figure_line("orbit frame speed-up vs naive", f"{figures['naive_orbit'] / figures['orbit_lod']:.1f}x")
    return figures



def _layout_checks(document, library, site) -> dict[str, float]:  # noqa: ANN001
    """Clearance/overlap checks: all at once, then incrementally after single moves (the editing case)."""
    start = time.perf_counter()
    checker = LayoutChecker(document, library, site)
    full = time.perf_counter() - start
    stack = UndoStack(document)
    ids = [p.equipment.id for p in checker.paths]
    rng = np.random.default_rng(2)
    times = []
    for equipment_id in rng.choice(ids, size=min(25, len(ids)), replace=False):
        stack.push(edit.move_by(document, [str(equipment_id)], 0.5, -0.25))
        start = time.perf_counter()
        checker.update([str(equipment_id)])
        times.append(time.perf_counter() - start)
    stack.go_to(0)
    return {"check_full": full, "check_move": statistics.median(times)}



def _naive(document, site, meshes: TypeMeshes, size: tuple[int, int], frames: int) -> dict[str, float]:  # noqa: ANN001
    """One actor per equipment, the way a first pyvista script would do it, with the same meshes."""
    plotter = offscreen_plotter(size)
    paths = [p for p in document.iter_equipment() if p.site is site]
    matrices = equipment_world_matrices(document, site)
    start = time.perf_counter()
    for path, matrix in zip(paths, matrices, strict=True):
        mesh = meshes.get(path.equipment.type)
        poly = pv.PolyData.from_regular_faces(mesh.vertices, mesh.faces)
        poly.transform(matrix, inplace=True)
        plotter.add_mesh(poly, color=meshes.library[path.equipment.type].color)
    plotter.camera_position = "iso"
    build = time.perf_counter() - start
    orbit = _orbit(plotter, max(3, frames // 4))
    plotter.close()
    return {"naive_build": build, "naive_orbit": orbit}

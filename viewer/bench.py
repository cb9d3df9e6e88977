"""`mothertwin bench`: figures for load, scene build, first frame and orbit frames, with ratios.

Measured in one run on the same machine: our batched scene, the naive way (one pyvista actor per
equipment, same meshes), and the floor (a one-box scene at the same window size).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.io import builtin_library, load_document, save_document
from viewer.model import Pose, Site, edit
from viewer.model.checks import LayoutChecker
from viewer.model.geometry import equipment_world_matrices
from viewer.model.synthetic import generate_plant
from viewer.model.undo import UndoStack
from viewer.scene.batch import TypeMeshes
from viewer.scene.plant_view import PlantView
from viewer.scene.render import choose_site, offscreen_plotter


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


def _line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:44s} {value:>12s}  {note}")


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
    _line("load document", f"{figures['load']:.2f} s")
    _line("build scene", f"{figures['build']:.2f} s")
    _line("first frame", f"{figures['first_frame']:.2f} s")
    total = figures["load"] + figures["build"] + figures["first_frame"]
    _line("load + build + first frame", f"{total:.2f} s", _verdict(total <= 5.0, "target <= 5 s"))
    _line("orbit frame, full detail (median)", f"{figures['orbit_detail'] * 1000:.0f} ms")
    _line("orbit frame, level of detail (median)", f"{figures['orbit_lod'] * 1000:.0f} ms")
    _line("orbit frame, one-box scene (floor)", f"{figures['orbit_one_box'] * 1000:.0f} ms")
    ratio = figures["orbit_lod"] / figures["orbit_one_box"]
    _line("orbit frame / floor", f"{ratio:.2f}x", _verdict(ratio <= 3.0, "target <= 3x"))
    _line("recolour every equipment (arrays)", f"{figures['recolour_all'] * 1000:.1f} ms")
    _line("layout check, whole site", f"{figures['check_full'] * 1000:.0f} ms")
    recheck = figures["check_move"]
    _line(
        "layout re-check after a move (median)",
        f"{recheck * 1000:.1f} ms",
        _verdict(recheck <= 0.2, "target <= 200 ms"),
    )
    _line("re-check speed-up vs checking everything", f"{figures['check_full'] / recheck:.0f}x")
    if naive:
        _line("naive build (one actor per equipment)", f"{figures['naive_build']:.2f} s")
        _line("naive orbit frame (median)", f"{figures['naive_orbit'] * 1000:.0f} ms")
        build_ratio = figures["naive_build"] / figures["build"]
        _line("build speed-up vs naive", f"{build_ratio:.1f}x", _verdict(build_ratio >= 10.0, "target >= 10x"))
        _line("orbit frame speed-up vs naive", f"{figures['naive_orbit'] / figures['orbit_lod']:.1f}x")
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


def _one_line_plant(library, equipment: int):  # noqa: ANN001
    """A plant whose first site holds one line of `equipment` equipment (cells of the generated lines)."""
    document = generate_plant(library, equipment, seed=4)
    site = document.sites[0]
    lines = [li for a in site.areas for li in a.lines]
    big = lines[0]
    for area in site.areas:
        for line in area.lines:
            for cell in line.cells:
                cell.pose = replace(cell.pose, x=cell.pose.x + line.pose.x + area.pose.x,
                                    y=cell.pose.y + line.pose.y + area.pose.y)  # fmt: skip
            if line is not big:
                big.cells.extend(line.cells)
    site.areas = [site.areas[0]]
    site.areas[0].pose = Pose()
    site.areas[0].lines = [big]
    big.pose = Pose()
    document.sites.append(Site("CHILD", "Child site"))
    return document, big


def run_compare_benchmark(equipment: int = 10_000) -> dict[str, float]:
    """Diff of two lines of `equipment` each: by mother link, and by position (never cloned), against naive."""
    from viewer.compare import clone_line, diff_lines
    from viewer.compare.diff import naive_match_count

    library = builtin_library()
    document, mother_line = _one_line_plant(library, equipment)
    child_line = clone_line(document, mother_line.id, document, "Child site", origin=(50.0, 900.0), rotate=90.0)
    rng = np.random.default_rng(3)
    children = [e for c in child_line.cells for e in c.equipment]
    for e in rng.choice(children, size=len(children) // 100, replace=False):
        e.pose = replace(e.pose, x=e.pose.x + 0.5)  # 1 % moved
    figures = {}
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = diff_lines(mother_line, child_line, document)
        times.append(time.perf_counter() - start)
    figures["diff_linked"] = statistics.median(times)
    for e in children:
        e.mother_id = None
    start = time.perf_counter()
    unlinked = diff_lines(mother_line, child_line, document)
    figures["diff_by_position"] = time.perf_counter() - start
    sample = 400
    sampled_line = replace(child_line, cells=[])
    for cell in child_line.cells:
        if sum(len(c.equipment) for c in sampled_line.cells) >= sample:
            break
        sampled_line.cells.append(cell)
    sampled = sum(len(c.equipment) for c in sampled_line.cells)
    start = time.perf_counter()
    naive_match_count(mother_line, sampled_line)
    figures["naive_by_position"] = (time.perf_counter() - start) * len(children) / sampled
    print(f"MotherTwin compare benchmark: two lines of {len(children)} equipment")
    _line("diff, matched by mother link (median)", f"{figures['diff_linked'] * 1000:.0f} ms",
          _verdict(figures["diff_linked"] <= 0.5, "target <= 0.5 s"))  # fmt: skip
    _line("  differences found (1 % moved)", f"{len(result.differences)}")
    _line("diff, never cloned: by cell, type, position", f"{figures['diff_by_position'] * 1000:.0f} ms")
    _line("  matched by position", f"{unlinked.matched_by_position}")
    _line(f"naive pairwise matching (from {sampled} children)", f"{figures['naive_by_position']:.1f} s")
    _line("speed-up vs naive", f"{figures['naive_by_position'] / figures['diff_by_position']:.0f}x")
    return figures


def _verdict(ok: bool, target: str) -> str:
    return f"{'PASS' if ok else 'FAIL'} ({target})"


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


# ---------------------------------------------------------------- the desktop window (`mothertwin bench --ui`)

UI_LATENCY_TARGET = 0.100  # seconds an event may wait on the GUI thread while a plant loads
PICK_TARGET = 0.050  # seconds from a click to the selection (or for the pick alone)
UI_SETTLE_SECONDS = 2.0  # probed on after the plant is drawn: what the open set going (checks, sensors) runs on


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def run_ui_benchmark(equipment: int = 10_000, clicks: int = 40) -> dict[str, float]:
    """Open a real main window (needs a display: Xvfb will do) and measure what the user feels.

    - event latency while a big plant opens: a 10 ms timer on the GUI thread records how late it fires,
      from the moment Open is chosen until the new plant is fully drawn (its full meshes on screen, not only
      the level-of-detail boxes it shows first), and for UI_SETTLE_SECONDS after (the layout checks it
      started, their colours, the sensor bindings of the new site);
    - cancelling: how fast the window is back, and the open plant is still the same object;
    - one full frame of the new plant drawn at once, for comparison (the window draws big frames in slices);
    - picking: `PlantView.pick` alone and the whole click-to-selection path (pick, selection, highlight,
      tree and inspector), at random points of the view.
    """
    from PySide6.QtCore import QEventLoop, QPointF, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from viewer.paths import demo_plant_path
    from viewer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["mothertwin-bench"])
    library = builtin_library()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plant-{equipment}.mtplant.json"
        save_document(generate_plant(library, equipment, seed=1), path)
        window = MainWindow(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat), library)
        window.resize(1400, 900)
        window.show()
        window.open_file(demo_plant_path())
        window.scene.render_now()
        app.processEvents()
        renderer = getattr(window.plotter, "renderer_name", "") or window.plotter.ren_win.GetClassName()
        size = f"{window.plotter.width()}x{window.plotter.height()}"
        header = f"MotherTwin window benchmark: {equipment} equipment, view {size}, {renderer}"

        lateness: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            lateness.append(max(0.0, now - last[0] - 0.010))
            last[0] = now

        probe = QTimer()
        probe.setInterval(10)
        probe.timeout.connect(tick)

        def wait_until(done: Callable[[], bool], timeout: float) -> bool:
            loop = QEventLoop()
            check = QTimer()
            check.setInterval(5)
            check.timeout.connect(lambda: loop.quit() if done() else None)
            check.start()
            QTimer.singleShot(round(timeout * 1000), loop.quit)
            loop.exec()
            check.stop()
            return done()

        # Cancel half-way: the demo stays open.
        before = window.session.document
        window.start_open(path)
        wait_until(lambda: window.load_progress.value() >= 30, 60)
        start = time.perf_counter()
        window.cancel_open()
        app.processEvents()
        figures["cancel_response"] = time.perf_counter() - start
        figures["cancel_kept_document"] = float(window.session.document is before and not window.opening)

        # The full load, with the latency probe running until the plant is drawn, and a while after.
        boxes: list[float] = []

        def on_scene_progress(_fraction: float, stage: str) -> None:
            if stage == "Drawing the detail" and not boxes:
                boxes.append(time.perf_counter())  # the first frame (level-of-detail boxes) is on screen

        window.scene.progress.connect(on_scene_progress)
        last[0] = time.perf_counter()
        probe.start()
        start = time.perf_counter()
        window.start_open(path)
        loaded = wait_until(lambda: window.session.document is not before and not window.opening, 120)
        figures["open_total"] = time.perf_counter() - start
        while_opening = list(lateness)
        wait_until(lambda: False, UI_SETTLE_SECONDS)
        probe.stop()
        window.scene.progress.disconnect(on_scene_progress)
        if not loaded:
            print("  the plant did not open within 120 s")
            window.close()
            return figures
        figures["open_boxes"] = (boxes[0] - start) if boxes else figures["open_total"]
        figures["latency_max"] = max(while_opening)
        figures["latency_p95"] = _percentile(while_opening, 95)
        figures["latency_ticks"] = len(while_opening)
        after = lateness[len(while_opening) :] or [0.0]
        figures["after_max"] = max(after)
        figures["after_p95"] = _percentile(after, 95)
        header += f", {window.plotter.ren_win.GetMultiSamples()}x multi-sampling for this plant"
        start = time.perf_counter()
        window.scene.render_now()
        figures["full_frame"] = time.perf_counter() - start

        # Click where equipment is: the top of random equipment that is inside the view.
        rng = np.random.default_rng(3)
        view = window.scene.view
        ratio = window.plotter.devicePixelRatioF()
        tops = view.batch.bounds.mean(axis=1)
        tops[:, 2] = view.batch.bounds[:, 1, 2]
        display, in_front = view.project(tops)
        width_px, height_px = window.plotter.ren_win.GetSize()
        on_screen = (display > 0).all(axis=1) & (display[:, 0] < width_px) & (display[:, 1] < height_px)
        inside = np.flatnonzero(in_front & on_screen)
        pick_times, click_times, hits = [], [], 0
        for index in rng.choice(inside, size=min(clicks, len(inside)), replace=False):
            x, y = display[index]
            pos = QPointF(x / ratio, (height_px - 1 - y) / ratio)
            start = time.perf_counter()
            hits += view.pick(x, y) is not None
            pick_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            window._on_click(pos, False)  # the handler a real click reaches
            click_times.append(time.perf_counter() - start)
        figures["pick_hits"] = float(hits)
        figures["pick_median"] = statistics.median(pick_times)
        figures["pick_p95"] = _percentile(pick_times, 95)
        figures["pick_max"] = max(pick_times)
        figures["click_median"] = statistics.median(click_times)
        figures["click_p95"] = _percentile(click_times, 95)
        window.close()

    print(header)
    _line("open: boxes on screen after", f"{figures['open_boxes']:.2f} s")
    _line("open: fully drawn (read ... full meshes) after", f"{figures['open_total']:.2f} s")
    _line("event latency while opening, max", f"{figures['latency_max'] * 1000:.0f} ms",
          _verdict(figures["latency_max"] <= UI_LATENCY_TARGET, "target <= 100 ms"))  # fmt: skip
    _line("event latency while opening, p95", f"{figures['latency_p95'] * 1000:.0f} ms",
          f"({int(figures['latency_ticks'])} timer ticks)")  # fmt: skip
    _line(f"event latency {UI_SETTLE_SECONDS:g} s after, max / p95",
          f"{figures['after_max'] * 1000:.0f} / {figures['after_p95'] * 1000:.0f} ms",
          _verdict(figures["after_max"] <= UI_LATENCY_TARGET, "target <= 100 ms"))  # fmt: skip
    _line("cancel: window back after", f"{figures['cancel_response'] * 1000:.0f} ms",
          _verdict(figures["cancel_kept_document"] == 1.0, "the open plant stays"))  # fmt: skip
    _line("one full frame drawn at once (not sliced)", f"{figures['full_frame']:.2f} s")
    picks = " / ".join(f"{figures[k] * 1000:.1f}" for k in ("pick_median", "pick_p95", "pick_max")) + " ms"
    _line(f"pick on equipment ({int(figures['pick_hits'])} hits), median / p95 / max", picks,
          _verdict(figures["pick_p95"] <= PICK_TARGET, "target <= 50 ms"))  # fmt: skip
    _line("click to selection (pick, highlight, tree, inspector), median", f"{figures['click_median'] * 1000:.0f} ms")
    _line("click to selection, p95", f"{figures['click_p95'] * 1000:.1f} ms",
          _verdict(figures["click_p95"] <= PICK_TARGET, "target <= 50 ms"))  # fmt: skip
    return figures

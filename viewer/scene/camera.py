"""The camera of a 3D view: the preset views, framing and zooming, its state as the model keeps it, and the
projection between world points and display points (VTK pixels, origin bottom left).

Functions of a pyvista plotter or renderer; `PlantView` calls them with what it shows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyvista as pv

from viewer.model.views import CameraState

VIEWS = ("iso", "top", "front")


def set_view(plotter: pv.Plotter, view: str, bounds: np.ndarray) -> None:
    """Camera preset framing `bounds` ((2, 3) box)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    centre = (bounds[0] + bounds[1]) / 2
    size = float(np.linalg.norm(bounds[1] - bounds[0]))
    camera = plotter.camera
    camera.focal_point = tuple(centre)
    if view == "top":
        plotter.enable_parallel_projection()
        camera.position = (centre[0], centre[1], centre[2] + size)
        camera.up = (0.0, 1.0, 0.0)
    elif view == "front":
        plotter.disable_parallel_projection()
        camera.position = (centre[0], centre[1] - size * 1.1, centre[2] + size * 0.18)
        camera.up = (0.0, 0.0, 1.0)
    else:
        plotter.disable_parallel_projection()
        camera.position = (centre[0] - size * 0.45, centre[1] - size * 0.75, centre[2] + size * 0.55)
        camera.up = (0.0, 0.0, 1.0)
    plotter.reset_camera(bounds=(bounds[0][0], bounds[1][0], bounds[0][1], bounds[1][1], bounds[0][2], bounds[1][2]))
    if view == "top":
        # Fill the window with the plan, whatever its aspect ratio (reset_camera fits a sphere).
        width, height = plotter.window_size
        extent = bounds[1] - bounds[0]
        camera.parallel_scale = max(extent[1] / 2, extent[0] / 2 * height / width) * 1.08
    else:
        camera.zoom(1.9)
    plotter.reset_camera_clipping_range()


def fit_bounds(plotter: pv.Plotter, bounds: np.ndarray, margin: float = 1.3) -> None:
    """Frame a (2, 3) box, keeping the direction the camera looks from."""
    lo, hi = np.asarray(bounds[0], float), np.asarray(bounds[1], float)
    centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2 * margin, 0.5)
    lo, hi = centre - half, centre + half
    plotter.reset_camera(bounds=(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]))
    plotter.reset_camera_clipping_range()


def zoom_to_fit(plotter: pv.Plotter, bounds: np.ndarray, fill: float = 0.92) -> None:
    """Zoom (keeping the direction) so the (2, 3) box fills `fill` of the window, whatever its aspect ratio:
    set_view's fixed zoom suits a wide picture but crops a narrow viewport between docks."""
    width, height = plotter.window_size
    corners = np.array([[bounds[i][0], bounds[j][1], bounds[k][2]] for i in (0, 1) for j in (0, 1) for k in (0, 1)])
    for _ in range(3):  # perspective: the projected size is not linear in the zoom, so settle in a few steps
        shown = np.array([display_position(plotter.renderer, c) for c in corners])
        extent = shown.max(axis=0) - shown.min(axis=0)
        used = max(extent[0] / max(width, 1), extent[1] / max(height, 1))
        if used <= 0 or abs(used - fill) < 0.01:
            break
        plotter.camera.zoom(fill / used)
        plotter.reset_camera_clipping_range()


def zoom_towards(plotter: pv.Plotter, target: np.ndarray, factor: float) -> None:
    """Zoom by `factor` (> 1 closer) keeping the world point `target` where it is on screen.

    Position and focal point both move towards the point by the same fraction: the view direction is
    unchanged and the point stays on the same ray from the eye (in parallel projection the scale shrinks
    by the same fraction instead of the eye moving)."""
    t = 1.0 - 1.0 / factor
    camera = plotter.camera
    position, focal = np.array(camera.position), np.array(camera.focal_point)
    if camera.parallel_projection:
        camera.parallel_scale = camera.parallel_scale * (1.0 - t)
        shift = t * (target - focal)
        view = (focal - position) / np.linalg.norm(focal - position)
        shift -= (shift @ view) * view  # only across the screen: depth does not matter in parallel views
        camera.position = tuple(position + shift)
        camera.focal_point = tuple(focal + shift)
    else:
        camera.position = tuple(position + t * (target - position))
        camera.focal_point = tuple(focal + t * (target - focal))
    plotter.reset_camera_clipping_range()


def camera_state(plotter: pv.Plotter) -> CameraState:
    camera = plotter.camera
    return CameraState(
        position=tuple(camera.position),
        focal_point=tuple(camera.focal_point),
        up=tuple(camera.up),
        parallel=bool(camera.parallel_projection),
        parallel_scale=float(camera.parallel_scale),
        view_angle=float(camera.view_angle),
    )


def apply_camera(plotter: pv.Plotter, state: CameraState) -> None:
    camera = plotter.camera
    camera.position = state.position
    camera.focal_point = state.focal_point
    camera.up = state.up
    camera.parallel_projection = state.parallel
    camera.parallel_scale = state.parallel_scale
    camera.view_angle = state.view_angle
    plotter.reset_camera_clipping_range()


def metres_per_pixel(plotter: pv.Plotter) -> float:
    """World size of one display pixel at the focal point (what a scale bar shows)."""
    camera = plotter.camera
    height = max(1, plotter.renderer.GetSize()[1])
    if camera.parallel_projection:
        return 2.0 * camera.parallel_scale / height
    distance = float(np.linalg.norm(np.subtract(camera.position, camera.focal_point)))
    return 2.0 * distance * np.tan(np.radians(camera.view_angle) / 2) / height


def display_ray(renderer: pv.Renderer, display_x: float, display_y: float) -> tuple[np.ndarray, np.ndarray]:
    """World points where the ray through a display point meets the near and far clipping planes."""
    ends = []
    for depth in (0.0, 1.0):
        renderer.SetDisplayPoint(display_x, display_y, depth)
        renderer.DisplayToWorld()
        x, y, z, w = renderer.GetWorldPoint()
        ends.append(np.array([x, y, z]) / (w or 1.0))
    return ends[0], ends[1]


def display_position(renderer: pv.Renderer, point: Sequence[float]) -> tuple[float, float]:
    """Display coordinates of a world point."""
    renderer.SetWorldPoint(float(point[0]), float(point[1]), float(point[2]), 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return x, y


def display_positions(renderer: pv.Renderer, points: np.ndarray) -> np.ndarray:
    """Display coordinates (n, 2) of many world points at once (the camera's projection, vectorised)."""
    width, height = renderer.GetSize()
    matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(width / max(height, 1), -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    homogeneous = np.column_stack([np.asarray(points, dtype=float), np.ones(len(points))]) @ m.T
    ndc = homogeneous[:, :2] / homogeneous[:, 3:4]
    origin = np.array(renderer.GetOrigin(), dtype=float)
    return origin + (ndc + 1.0) / 2.0 * np.array([width, height], dtype=float)


def project(renderer: pv.Renderer, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Display coordinates (n, 2) of world points, and which of them lie in front of the camera.

    One matrix product for all points: box selection projects 10,000 centres per drag."""
    width, height = renderer.GetSize()
    matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(width / max(height, 1), -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    homogeneous = np.c_[np.asarray(points, float), np.ones(len(points))] @ m.T
    w = homogeneous[:, 3]
    in_front = w > 1e-9
    ndc = homogeneous[:, :2] / np.where(in_front, w, 1.0)[:, None]
    x0, y0 = renderer.GetOrigin()
    display = np.c_[(ndc[:, 0] + 1) / 2 * width + x0, (ndc[:, 1] + 1) / 2 * height + y0]
    return display, in_front

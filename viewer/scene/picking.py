"""What lies under a display point or inside a display rectangle: ray casts against the equipment of a batch
in numpy, snapping onto a machine's vertices and edges, box selection.

`PlantView` calls these with its batch and clipping box; the rays come from `camera.display_ray`.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv

from viewer.scene.batch import EquipmentBatch
from viewer.scene.camera import display_positions, project


def pick_point(
    batch: EquipmentBatch, near: np.ndarray, far: np.ndarray, clip: np.ndarray | None
) -> tuple[int | None, np.ndarray | None]:
    """The visible equipment of `batch` the ray from `near` to `far` hits first and the world point hit on
    it, or (None, None); what the (2, 3) box `clip` cuts away is not hit.

    The ray against every equipment's box, then against the triangles of the boxes it crosses, nearest box
    first, until no box left can hold a nearer hit. No cell locator: building one for 2 M triangles holds
    the interpreter lock for a third of a second (a loading thread would freeze the window with it), and it
    had to be built again whenever equipment was hidden or moved."""
    direction = far - near
    enter, leave = ray_box_span(batch.bounds, near, direction)
    candidates = np.flatnonzero((enter <= leave) & batch.visible)
    best_t, best = np.inf, None
    for index in candidates[np.argsort(enter[candidates], kind="stable")]:
        if enter[index] > best_t:
            break  # this box and all further ones start behind the nearest hit
        points, faces = batch.mesh_of(int(index))
        t = ray_triangle_hits(np.asarray(points, dtype=float)[faces], near, direction)
        t = t[t < best_t]
        if len(t) and clip is not None:
            t = t[inside_box(near + t[:, None] * direction, clip)]  # what the clipping box cuts is not hit
        if len(t):
            best_t, best = float(t.min()), int(index)
    if best is None:
        return None, None
    return best, near + best_t * direction


def floor_point(near: np.ndarray, far: np.ndarray, height: float = 0.0) -> np.ndarray | None:
    """Where the ray from `near` to `far` meets the floor plane z = height, or None (above the horizon)."""
    dz = far[2] - near[2]
    if abs(dz) < 1e-12:
        return None
    t = (height - near[2]) / dz
    return None if t < 0 else near + t * (far - near)


def surface_point(camera: pv.Camera, near: np.ndarray, far: np.ndarray, hit: np.ndarray | None) -> np.ndarray:
    """The world point under a display point whose ray runs from `near` to `far`: `hit` (on equipment), else
    the floor, else the camera's focal plane."""
    if hit is not None:
        return hit
    direction = far - near
    if abs(direction[2]) > 1e-9:
        t = -near[2] / direction[2]
        if 0.0 < t <= 1.0:
            return near + t * direction
    normal = np.subtract(camera.focal_point, camera.position)
    denominator = float(direction @ normal)
    t = float(np.subtract(camera.focal_point, near) @ normal) / denominator if denominator else 0.5
    return near + t * direction


def snap_on_equipment(
    renderer: pv.Renderer,
    batch: EquipmentBatch,
    index: int,
    hit: np.ndarray,
    display_xy: tuple[float, float],
    radius: float,
) -> tuple[np.ndarray, str]:
    """The picked point moved onto the nearest vertex, else the nearest edge, of that equipment's mesh
    within `radius` display pixels; ('vertex' | 'edge' | 'surface') says which."""
    points, faces = batch.mesh_of(index)
    shown = display_positions(renderer, points)
    cursor = np.asarray(display_xy, dtype=float)
    # Only points near the hit in depth: the far side of the machine projects to the same pixels.
    reach = max(float(np.linalg.norm(batch.bounds[index][1] - batch.bounds[index][0])) * 0.25, 0.05)
    near = np.linalg.norm(points - hit, axis=1) <= reach
    pixel = np.linalg.norm(shown - cursor, axis=1)
    candidates = np.flatnonzero(near & (pixel <= radius))
    if len(candidates):
        best = candidates[np.argmin(pixel[candidates])]
        return points[best], "vertex"
    sides = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    edges = np.unique(np.sort(sides, axis=1), axis=0)
    edges = edges[near[edges[:, 0]] | near[edges[:, 1]]]
    if len(edges):
        a2, b2 = shown[edges[:, 0]], shown[edges[:, 1]]
        span = b2 - a2
        length2 = np.maximum(np.einsum("ij,ij->i", span, span), 1e-12)
        t = np.clip(np.einsum("ij,ij->i", cursor - a2, span) / length2, 0.0, 1.0)
        gap = np.linalg.norm(a2 + t[:, None] * span - cursor, axis=1)
        best = int(np.argmin(gap))
        if gap[best] <= radius:
            a3, b3 = points[edges[best, 0]], points[edges[best, 1]]
            return a3 + t[best] * (b3 - a3), "edge"
    return np.asarray(hit, dtype=float), "surface"


def equipment_in_rect(
    renderer: pv.Renderer, batch: EquipmentBatch, clip: np.ndarray | None, x0: float, y0: float, x1: float, y1: float
) -> np.ndarray:
    """Indices of the shown equipment whose box centre projects inside a display rectangle (and lies inside
    the clipping box `clip`)."""
    centres = batch.bounds.mean(axis=1)
    display, in_front = project(renderer, centres)
    (lx, hx), (ly, hy) = sorted((x0, x1)), sorted((y0, y1))
    inside = (display[:, 0] >= lx) & (display[:, 0] <= hx) & (display[:, 1] >= ly) & (display[:, 1] <= hy)
    return np.flatnonzero(inside & in_front & batch.visible & inside_box(centres, clip))


def inside_box(points: np.ndarray, box: np.ndarray | None) -> np.ndarray:
    """Which of (n, 3) points lie inside a (2, 3) box (all of them when there is no box)."""
    if box is None:
        return np.ones(len(points), dtype=bool)
    lo, hi = box
    return np.all((points >= lo - 1e-6) & (points <= hi + 1e-6), axis=1)


def ray_box_span(bounds: np.ndarray, start: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the segment start + t * direction (0 <= t <= 1) enters and leaves each (2, 3) box of `bounds`
    ((n, 2, 3)); enter > leave where it misses. The boxes grow by a hair so hits on their faces count."""
    pad = 1e-6 * (1.0 + np.abs(bounds).max(initial=0.0))
    lo, hi = bounds[:, 0] - pad, bounds[:, 1] + pad
    enter = np.zeros(len(bounds))
    leave = np.ones(len(bounds))
    for axis in range(3):
        if abs(direction[axis]) < 1e-300:  # parallel to this pair of faces: inside the slab or a miss
            outside = (start[axis] < lo[:, axis]) | (start[axis] > hi[:, axis])
            leave[outside] = -1.0
            continue
        a = (lo[:, axis] - start[axis]) / direction[axis]
        b = (hi[:, axis] - start[axis]) / direction[axis]
        enter = np.maximum(enter, np.minimum(a, b))
        leave = np.minimum(leave, np.maximum(a, b))
    return enter, leave


def ray_triangle_hits(triangles: np.ndarray, start: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """t (0 <= t <= 1) of every hit of the segment start + t * direction on (k, 3, 3) triangles
    (Moller-Trumbore, both sides count); zero-area triangles are never hit."""
    v0 = triangles[:, 0]
    e1 = triangles[:, 1] - v0
    e2 = triangles[:, 2] - v0
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    solid = det != 0.0
    inverse = np.divide(1.0, det, out=np.zeros_like(det), where=solid)
    s = start - v0
    u = np.einsum("ij,ij->i", s, p) * inverse
    q = np.cross(s, e1)
    v = (q @ direction) * inverse
    t = np.einsum("ij,ij->i", e2, q) * inverse
    tolerance = 1e-9
    hit = solid & (u >= -tolerance) & (v >= -tolerance) & (u + v <= 1.0 + tolerance) & (t >= 0.0) & (t <= 1.0)
    return t[hit]

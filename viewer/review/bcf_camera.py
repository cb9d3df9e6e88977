"""Our camera (`CameraState`, VTK's terms) and BCF's, both ways.

BCF gives a camera's position (CameraViewPoint), a unit view direction and an up vector; a perspective camera has
a vertical field of view (BCF 2.1's schema only allows 45 to 60 degrees, 3.0 any angle below 180), an orthogonal
one the height of the view in metres (ViewToWorldScale; VTK's parallel scale is half that height). BCF 3.0 adds
the picture's AspectRatio (width / height). BCF has no focal point: on the way in, it is put at `focal_distance`
along the view direction (the caller picks it: the distance to the selected equipment, or where the view meets
the floor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from viewer.model.views import CameraState, Vec3

BCF21_FOV_RANGE = (45.0, 60.0)
DEFAULT_FOCAL_DISTANCE = 20.0  # metres, when nothing says how far the camera looks
DEFAULT_ASPECT = 1.6  # a 1280 x 800 window


@dataclass(frozen=True, slots=True)
class BcfCamera:
    orthogonal: bool
    viewpoint: Vec3
    direction: Vec3  # unit length
    up: Vec3  # unit length, at right angles to the direction
    field_of_view: float = 60.0  # degrees, vertical (perspective)
    view_to_world_scale: float = 1.0  # metres, the view's height (orthogonal)
    aspect_ratio: float = DEFAULT_ASPECT


def _sub(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _dot(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _unit(v: Vec3) -> Vec3 | None:
    length = math.sqrt(_dot(v, v))
    if not math.isfinite(length) or length < 1e-12:
        return None
    return (v[0] / length, v[1] / length, v[2] / length)


def orthonormal_up(direction: Vec3, up: Vec3) -> Vec3:
    """`up` made perpendicular to the view direction (the world Z, or Y when looking straight down)."""
    for candidate in (up, (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)):
        along = _dot(candidate, direction)
        made = _unit((candidate[0] - along * direction[0], candidate[1] - along * direction[1],
                      candidate[2] - along * direction[2]))  # fmt: skip
        if made is not None:
            return made
    return (0.0, 0.0, 1.0)


def camera_to_bcf(camera: CameraState, aspect_ratio: float = DEFAULT_ASPECT) -> BcfCamera:
    direction = _unit(_sub(camera.focal_point, camera.position)) or (0.0, 1.0, 0.0)
    up = orthonormal_up(direction, camera.up)
    return BcfCamera(
        orthogonal=camera.parallel,
        viewpoint=camera.position,
        direction=direction,
        up=up,
        field_of_view=camera.view_angle,
        view_to_world_scale=2.0 * camera.parallel_scale,
        aspect_ratio=aspect_ratio if aspect_ratio > 0 else DEFAULT_ASPECT,
    )


def bcf21_field_of_view(angle: float) -> float:
    """The angle BCF 2.1's schema accepts (45 to 60 degrees); the exact one goes in our extension."""
    low, high = BCF21_FOV_RANGE
    return min(high, max(low, angle))


def camera_from_bcf(camera: BcfCamera, focal_distance: float = DEFAULT_FOCAL_DISTANCE) -> CameraState:
    direction = _unit(camera.direction) or (0.0, 1.0, 0.0)
    distance = focal_distance if math.isfinite(focal_distance) and focal_distance > 1e-6 else DEFAULT_FOCAL_DISTANCE
    x, y, z = camera.viewpoint
    focal = (x + direction[0] * distance, y + direction[1] * distance, z + direction[2] * distance)
    angle = camera.field_of_view if 0.0 < camera.field_of_view < 180.0 else 30.0
    return CameraState(
        position=camera.viewpoint,
        focal_point=focal,
        up=orthonormal_up(direction, camera.up),
        parallel=camera.orthogonal,
        parallel_scale=camera.view_to_world_scale / 2.0 if camera.orthogonal else 1.0,
        view_angle=angle if not camera.orthogonal else 30.0,
    )


def floor_distance(camera: BcfCamera, floor_z: float = 0.0, longest: float = 2000.0) -> float | None:
    """How far along the view the floor is, when the camera looks down at it from above."""
    direction = _unit(camera.direction)
    if direction is None or direction[2] > -1e-3 or camera.viewpoint[2] <= floor_z:
        return None
    distance = (floor_z - camera.viewpoint[2]) / direction[2]
    return distance if 0.0 < distance <= longest else None


def distance_along(camera: BcfCamera, point: Vec3) -> float | None:
    """How far a point lies in front of the camera, along its view direction (None behind it)."""
    direction = _unit(camera.direction)
    if direction is None:
        return None
    distance = _dot(_sub(point, camera.viewpoint), direction)
    return distance if distance > 1e-3 else None


def same_view(a: CameraState, b: CameraState, tolerance: float = 1e-4) -> bool:
    """Whether two cameras stand at the same place and look the same way (their focal distance aside)."""
    scale = max(1.0, math.dist(a.position, (0.0, 0.0, 0.0)))
    if a.parallel != b.parallel or math.dist(a.position, b.position) > tolerance * scale:
        return False
    da = _unit(_sub(a.focal_point, a.position))
    db = _unit(_sub(b.focal_point, b.position))
    return da is not None and db is not None and _dot(da, db) > 1.0 - tolerance

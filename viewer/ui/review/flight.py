"""Camera flights between two cameras: eased, about a second, driven by the event loop.

The flight moves the focal point in a straight line and swings the eye around it (direction slerped, distance
interpolated geometrically), so a flight from a close-up to a wide view pulls back smoothly instead of cutting
through the equipment. Every frame goes through a setter (the view state's `set_camera`): the 3D view only
listens, as it does for any other camera change.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEasingCurve, QObject, QVariantAnimation, Signal

from viewer.model.views import CameraState, Vec3

FLIGHT_MS = 1000
SLERP_PARALLEL = 1e-6  # below this angle two directions count as the same


def _vec3(values: np.ndarray) -> Vec3:
    return (float(values[0]), float(values[1]), float(values[2]))


def _slerp(a: np.ndarray, b: np.ndarray, t: float, fallback_axis: np.ndarray) -> np.ndarray:
    """Unit vector between unit vectors a and b; around `fallback_axis` when they are opposite."""
    dot = float(np.clip(a @ b, -1.0, 1.0))
    angle = math.acos(dot)
    if angle < SLERP_PARALLEL:
        return a
    if math.pi - angle < 1e-4:  # opposite: any great circle will do, take one through the fallback axis
        axis = fallback_axis - (fallback_axis @ a) * a
        if np.linalg.norm(axis) < 1e-9:
            axis = np.cross(a, (1.0, 0.0, 0.0) if abs(a[0]) < 0.9 else (0.0, 1.0, 0.0))
        axis /= np.linalg.norm(axis)
        return a * math.cos(math.pi * t) + axis * math.sin(math.pi * t)
    sin = math.sin(angle)
    return (math.sin((1.0 - t) * angle) * a + math.sin(t * angle) * b) / sin


def interpolate_camera(start: CameraState, end: CameraState, t: float) -> CameraState:
    """The camera a fraction `t` (0..1, already eased) of the way from `start` to `end`; exactly the two at
    the ends. A switch between perspective and parallel projection happens half way."""
    if t <= 0.0:
        return start
    if t >= 1.0:
        return end
    focal_a, focal_b = np.array(start.focal_point), np.array(end.focal_point)
    offset_a = np.array(start.position) - focal_a
    offset_b = np.array(end.position) - focal_b
    length_a, length_b = float(np.linalg.norm(offset_a)), float(np.linalg.norm(offset_b))
    focal = focal_a + (focal_b - focal_a) * t
    if length_a < 1e-9 or length_b < 1e-9:
        position = np.array(start.position) + (np.array(end.position) - np.array(start.position)) * t
    else:
        up_axis = np.array(start.up, dtype=float)
        direction = _slerp(offset_a / length_a, offset_b / length_b, t, up_axis)
        distance = length_a * (length_b / length_a) ** t
        position = focal + direction * distance
    up_a, up_b = np.array(start.up, dtype=float), np.array(end.up, dtype=float)
    norm_a, norm_b = float(np.linalg.norm(up_a)), float(np.linalg.norm(up_b))
    if norm_a > 1e-9 and norm_b > 1e-9:
        up = _slerp(up_a / norm_a, up_b / norm_b, t, offset_a / max(length_a, 1e-9))
    else:
        up = up_a + (up_b - up_a) * t
    scale_a, scale_b = start.parallel_scale, end.parallel_scale
    scale = scale_a * (scale_b / scale_a) ** t if scale_a > 0 and scale_b > 0 else scale_a + (scale_b - scale_a) * t
    return CameraState(
        position=_vec3(position),
        focal_point=_vec3(focal),
        up=_vec3(up),
        parallel=end.parallel if t >= 0.5 else start.parallel,
        parallel_scale=float(scale),
        view_angle=start.view_angle + (end.view_angle - start.view_angle) * t,
    )


class CameraFlight(QObject):
    """One flight at a time from camera to camera, eased in and out. Frames come from Qt's animation timer
    (about 60 a second, never blocking the GUI thread); the flight keeps to its duration however slow a frame
    is, since each frame is placed by the time elapsed. `finish` jumps to the end of a flight under way."""

    frame = Signal(object)  # the CameraState of each frame, the last one the end camera
    finished = Signal()

    def __init__(
        self, set_camera: Callable[[CameraState], None], duration_ms: int = FLIGHT_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._set_camera = set_camera
        self._start: CameraState | None = None
        self._end: CameraState | None = None
        self._animation = QVariantAnimation(self)
        self._animation.setStartValue(0.0)
        self._animation.setEndValue(1.0)
        self._animation.setDuration(duration_ms)
        self._animation.setEasingCurve(QEasingCurve.Type.InOutCubic)
        self._animation.valueChanged.connect(self._on_value)
        self._animation.finished.connect(self._on_finished)

    @property
    def duration_ms(self) -> int:
        return self._animation.duration()

    @property
    def running(self) -> bool:
        return self._end is not None

    @property
    def time_fraction(self) -> float:
        """How much of the flight's time has gone (0..1); the camera's progress is this, eased."""
        return self._animation.currentTime() / max(1, self._animation.duration())

    @property
    def target(self) -> CameraState | None:
        """Where the flight under way ends."""
        return self._end

    def fly(self, start: CameraState, end: CameraState) -> None:
        """Fly from `start` to `end`; a flight under way jumps to its end first."""
        self.finish()
        if start == end:
            self._set_camera(end)
            self.frame.emit(end)
            self.finished.emit()
            return
        self._start, self._end = start, end
        self._animation.start()

    def finish(self) -> None:
        """Jump to the end of the flight under way (a key pressed mid-flight)."""
        if self._end is not None:
            self._animation.stop()
            self._land()

    def cancel(self) -> None:
        """Stop where the camera is now, without landing."""
        self._animation.stop()
        self._start = self._end = None

    def _on_value(self, value: object) -> None:
        if self._start is None or self._end is None:
            return
        camera = interpolate_camera(self._start, self._end, float(value))  # type: ignore[arg-type]
        self._set_camera(camera)
        self.frame.emit(camera)

    def _on_finished(self) -> None:
        if self._end is not None:
            self._land()

    def _land(self) -> None:
        end, self._start, self._end = self._end, None, None
        assert end is not None
        self._set_camera(end)
        self.frame.emit(end)
        self.finished.emit()

"""Named camera positions kept in the plant document (saved viewpoints for reviews and remote sessions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Vec3 = tuple[float, float, float]


def _vec3(values: Iterable[float]) -> Vec3:
    x, y, z = (float(v) for v in values)
    return (x, y, z)


@dataclass(frozen=True, slots=True)
class CameraState:
    position: Vec3
    focal_point: Vec3
    up: Vec3 = (0.0, 0.0, 1.0)
    parallel: bool = False
    parallel_scale: float = 1.0
    view_angle: float = 30.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": list(self.position),
            "focal_point": list(self.focal_point),
            "up": list(self.up),
            "parallel": self.parallel,
            "parallel_scale": self.parallel_scale,
            "view_angle": self.view_angle,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CameraState:
        return cls(
            position=_vec3(data["position"]),
            focal_point=_vec3(data["focal_point"]),
            up=_vec3(data.get("up", (0.0, 0.0, 1.0))),
            parallel=bool(data.get("parallel", False)),
            parallel_scale=float(data.get("parallel_scale", 1.0)),
            view_angle=float(data.get("view_angle", 30.0)),
        )


@dataclass(frozen=True, slots=True)
class Viewpoint:
    """A named camera position, e.g. "coater close-up" for a review meeting, at one site."""

    name: str
    camera: CameraState
    site: str = ""  # site id; empty when the document has one site

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.site:
            out["site"] = self.site
        out["camera"] = self.camera.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Viewpoint:
        return cls(str(data["name"]), CameraState.from_dict(data["camera"]), str(data.get("site", "")))

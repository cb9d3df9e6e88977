"""Outlines in the plan: a block's drawn extent (nested blocks followed, within limits), and the points, areas
and thickened lines the building's walls and columns are made of."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

NESTING_LIMIT = 16  # nested block levels followed for an outline
NESTED_ENTITIES = 100_000  # entities of nested blocks looked at for one block's outline

GEOMETRY_TYPES = frozenset(
    {"LWPOLYLINE", "POLYLINE", "LINE", "CIRCLE", "ARC", "ELLIPSE", "SPLINE", "SOLID", "TRACE", "3DFACE", "HATCH"}
)


def _geometry(entities: Iterable[Any], chain: tuple[str, ...], budget: list[int]) -> Iterator[Any]:
    """The drawn geometry of a block, nested inserts resolved into their (transformed) entities. A block
    that inserts itself, directly or round a loop (`chain`: the blocks on the way here), is not followed
    again, and at most NESTED_ENTITIES nested entities are looked at (a drawing could nest blocks that
    insert the next one many times over, level after level)."""
    for entity in entities:
        kind = entity.dxftype()
        if kind in GEOMETRY_TYPES:
            yield entity
        elif kind == "INSERT" and len(chain) < NESTING_LIMIT and entity.dxf.get("name", "") not in chain:
            try:
                nested = list(entity.virtual_entities())
            except Exception:  # ezdxf refuses some damaged nested blocks; the rest still counts
                continue
            budget[0] -= len(nested)
            if budget[0] < 0:
                return
            yield from _geometry(nested, (*chain, entity.dxf.name), budget)


@dataclass(slots=True)
class BlockOutline:
    """A block's drawn extent in block coordinates (drawing units): its centre and size; None when empty."""

    centre: tuple[float, float, float]
    width: float
    depth: float


def block_outline(block: Any) -> BlockOutline | None:
    from ezdxf import bbox

    try:
        box = bbox.extents(_geometry(block, (block.name,), [NESTED_ENTITIES]), fast=False)
    except Exception:  # a damaged entity: no outline, the caller says so
        return None
    if not box.has_data:
        return None
    (x0, y0, z0), (x1, y1, _z1) = box.extmin, box.extmax
    return BlockOutline(((x0 + x1) / 2, (y0 + y1) / 2, z0), x1 - x0, y1 - y0)


# ---------------------------------------------------------------- building outlines


def _flat_points(entity: Any, tolerance: float) -> list[tuple[float, float]]:
    from ezdxf import path as ezpath

    points = [(v.x, v.y) for v in ezpath.make_path(entity).flattening(tolerance)]
    if len(points) > 1 and math.dist(points[0], points[-1]) < 1e-9:
        points.pop()
    return points


def _area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))) / 2


def _across(points: list[tuple[float, float]]) -> float:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def _thick_outline(points: list[tuple[float, float]], thickness: float) -> list[tuple[float, float]]:
    import shapely

    shape = shapely.LineString(points).buffer(thickness / 2, cap_style="flat", join_style="mitre")
    if shape.is_empty or shape.geom_type != "Polygon":
        return []
    return [(float(x), float(y)) for x, y in list(shape.exterior.coords)[:-1]]

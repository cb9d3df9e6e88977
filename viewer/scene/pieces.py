"""The pieces of a site's scene besides the equipment actors, as data and meshes (no actors): the building's
meshes and the names of lines and cells with the floor grid's metre marks. A loading thread makes them
(`site_pieces`), so the GUI thread only adds actors; `PlantView` makes them itself when drawing a site alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

from viewer.model import Site
from viewer.scene.batch import EquipmentBatch
from viewer.scene.building import column_mesh, floor_grid, floor_mesh, site_footprint, wall_mesh
from viewer.scene.labels import LabelSpec

COLUMN_COLOR = (196, 192, 184)


def _group_bounds(batch: EquipmentBatch, key: str, shown: np.ndarray) -> dict[str, tuple[str, np.ndarray]]:
    """Name and (2, 3) box per line or cell id, over the shown equipment in it (numpy per group)."""
    groups = [p.line if key == "line" else p.cell for p in batch.paths]
    index_of: dict[str, int] = {}
    names: list[str] = []
    owner = np.empty(len(groups), dtype=np.int64)
    for i, group in enumerate(groups):
        owner[i] = index_of.setdefault(group.id, len(index_of))
        if owner[i] == len(names):
            names.append(group.name)
    keep = np.asarray(shown, dtype=bool)
    count = len(index_of)
    lo = np.full((count, 3), np.inf)
    hi = np.full((count, 3), -np.inf)
    np.minimum.at(lo, owner[keep], batch.bounds[keep, 0])
    np.maximum.at(hi, owner[keep], batch.bounds[keep, 1])
    return {ident: (names[k], np.stack([lo[k], hi[k]])) for ident, k in index_of.items() if np.isfinite(lo[k]).all()}


@dataclass
class BuildingMeshes:
    """The building of a site as meshes: floor outline, floor, grid lines, walls and column boxes."""

    outline: np.ndarray
    floor: pv.PolyData
    grid: pv.PolyData
    walls: pv.PolyData
    columns: pv.PolyData


def building_meshes(site: Site, bounds: np.ndarray | None) -> BuildingMeshes:
    """`bounds`: the (2, 3) box of the equipment, which the floor covers when the site has no footprint."""
    outline = site_footprint(site, bounds)
    return BuildingMeshes(
        outline,
        floor_mesh(outline),
        floor_grid(outline, grid_spacing_of(site)),
        wall_mesh(outline),
        column_mesh(site, COLUMN_COLOR),
    )


def grid_spacing_of(site: Site) -> float:
    return site.column_grid.spacing[0] if site.column_grid.count[0] else 10.0


def name_label_specs(
    batch: EquipmentBatch | None, outline: np.ndarray | None, spacing: float, beside: bool = False
) -> list[LabelSpec]:
    """Line and cell names of the visible equipment, and the floor grid's metre marks when `outline` is given
    (see PlantView._add_labels). `beside` (layout drawings): a line's name is anchored on the floor at the middle
    of the line, a cell's at the middle of its front (south) edge, and both stand on the nearest free floor;
    otherwise (the window, where placing them beside costs 20 ms a camera stop on a big plant) a line's name
    floats over the line and a cell's sits at its front edge."""
    specs = []
    if batch is not None and len(batch):
        shown = batch.visible
        lines = _group_bounds(batch, "line", shown)
        cells = _group_bounds(batch, "cell", shown)
        if beside:
            specs += [
                LabelSpec((*((b[0][:2] + b[1][:2]) / 2), b[0][2]), name.upper(), 10.0, beside=True)
                for name, b in lines.values()
            ]
            specs += [
                LabelSpec(((b[0][0] + b[1][0]) / 2, b[0][1], b[0][2]), name, 1.0, beside=True)
                for name, b in cells.values()
            ]
        else:
            specs += [
                LabelSpec((*((b[0][:2] + b[1][:2]) / 2), b[1][2] + 3.0), name.upper(), 10.0)
                for name, b in lines.values()
            ]
            specs += [
                LabelSpec(((b[0][0] + b[1][0]) / 2, b[0][1] - 0.5, 0.2), name, 1.0) for name, b in cells.values()
            ]
    if outline is not None:
        specs += [LabelSpec(p, t, 0.5) for p, t in grid_label_specs(outline, spacing)]
    return specs


@dataclass
class SitePieces:
    """A site's scene besides the equipment actors, as data and meshes (no actors): a loading thread makes
    them, so the GUI thread only adds actors (the column boxes and the names of a 10,000-equipment plant
    take a tenth of a second to work out)."""

    site: Site
    batch: EquipmentBatch
    building: BuildingMeshes
    labels: list[LabelSpec]
    grid_labels: bool


def site_pieces(site: Site, batch: EquipmentBatch, grid_labels: bool = True) -> SitePieces:
    """The pieces of `site` with all of `batch` shown; `grid_labels` as the view that will take them has it."""
    building = building_meshes(site, batch.visible_bounds())
    outline = building.outline if grid_labels else None
    return SitePieces(site, batch, building, name_label_specs(batch, outline, grid_spacing_of(site)), grid_labels)


def grid_label_specs(outline: np.ndarray, spacing: float) -> list[tuple[tuple[float, float, float], str]]:
    """Where the metre marks of the floor grid go: x values along the front edge, y along the left edge."""
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    xs = np.arange(np.ceil(lo[0] / spacing) * spacing, hi[0] + 1e-9, spacing)
    ys = np.arange(np.ceil(lo[1] / spacing) * spacing, hi[1] + 1e-9, spacing)
    inset = min(spacing * 0.15, 1.5)
    specs = [((float(x), float(lo[1]) + inset, 0.05), f"{x:g} m") for x in xs]
    specs += [((float(lo[0]) + inset, float(y), 0.05), f"{y:g} m") for y in ys if abs(y - lo[1]) > 1e-6]
    return specs

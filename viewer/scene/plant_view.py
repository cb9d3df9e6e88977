"""The 3D view of one site: owns every VTK actor; the model never sees them.

Used by the off-screen renderer and by the desktop window alike, so what `mothertwin render` draws is what
the engineer sees on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

from viewer.model import EquipmentLibrary, Line, PlantDocument, Site
from viewer.scene.batch import COLORS, EquipmentBatch, TypeMeshes, build_batch
from viewer.scene.building import (
    FLOOR_COLOR,
    GRID_COLOR,
    WALL_COLOR,
    column_mesh,
    floor_grid,
    floor_mesh,
    site_footprint,
    wall_mesh,
)

VIEWS = ("iso", "top", "front")
BACKGROUND_TOP = (236, 240, 245)
BACKGROUND_BOTTOM = (178, 190, 204)
COLUMN_COLOR = (196, 192, 184)
LINE_LABEL_COLOR = (20, 40, 80)
CELL_LABEL_COLOR = (40, 48, 56)


@dataclass
class LabelSpec:
    position: tuple[float, float, float]
    text: str


def _group_bounds(batch: EquipmentBatch, key: str) -> dict[str, tuple[str, np.ndarray]]:
    """Name and (2, 3) box per line or cell id, over the equipment in it."""
    groups: dict[str, tuple[str, list[int]]] = {}
    for index, path in enumerate(batch.paths):
        group = path.line if key == "line" else path.cell
        groups.setdefault(group.id, (group.name, []))[1].append(index)
    out = {}
    for ident, (name, members) in groups.items():
        boxes = batch.bounds[members]
        out[ident] = (name, np.stack([boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)]))
    return out


class PlantView:
    """Builds and updates the scene of one site inside a pyvista plotter."""

    def __init__(self, plotter: pv.Plotter) -> None:
        self.plotter = plotter
        self.batch: EquipmentBatch | None = None
        self.site: Site | None = None
        self.detail_actor: pv.Actor | None = None
        self.proxy_actor: pv.Actor | None = None
        self.warnings: list[str] = []
        self._label_actors: list[pv.Actor] = []
        self._interacting = False

    # ------------------------------------------------------------ building the scene

    def show_site(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site,
        meshes: TypeMeshes | None = None,
        labels: bool = True,
    ) -> None:
        self.plotter.clear_actors()
        self._label_actors = []
        self._interacting = False
        self.site = site
        meshes = meshes or TypeMeshes(library)
        self.batch = build_batch(document, library, site, meshes)
        self.warnings = list(self.batch.warnings)
        self.plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)
        self._add_building(site)
        if len(self.batch):
            self.detail_actor = self.plotter.add_mesh(
                self.batch.detail,
                scalars=COLORS,
                rgb=True,
                name="equipment",
                show_scalar_bar=False,
                lighting=True,
                smooth_shading=False,
            )
            self.proxy_actor = self.plotter.add_mesh(
                self.batch.proxy,
                scalars=COLORS,
                rgb=True,
                name="equipment-lod",
                show_scalar_bar=False,
                preference="point",
                backface_culling=True,
                lighting=False,
            )
            self.proxy_actor.visibility = False
            self.proxy_actor.pickable = False
        if labels and len(self.batch):
            self._add_labels()

    def _add_building(self, site: Site) -> None:
        bounds = self.batch.visible_bounds() if self.batch is not None else None
        outline = site_footprint(site, bounds)
        # Unlit: a flat floor looks the same, and lighting a full-screen polygon is costly in software GL.
        self.plotter.add_mesh(floor_mesh(outline), color=FLOOR_COLOR, name="floor", pickable=False, lighting=False)
        grid = floor_grid(outline, site.column_grid.spacing[0] if site.column_grid.count[0] else 10.0)
        if grid.n_points:
            self.plotter.add_mesh(grid, color=GRID_COLOR, line_width=1, name="floor-grid", pickable=False)
        self.plotter.add_mesh(wall_mesh(outline), color=WALL_COLOR, name="walls", pickable=False)
        columns = column_mesh(site, COLUMN_COLOR)
        if columns.n_points:
            self.plotter.add_mesh(
                columns,
                scalars=COLORS,
                rgb=True,
                name="columns",
                pickable=False,
                backface_culling=True,
                lighting=False,
                show_scalar_bar=False,
            )

    def _add_labels(self) -> None:
        lines = _group_bounds(self.batch, "line")
        cells = _group_bounds(self.batch, "cell")
        self._add_label_set(
            "line-labels",
            [LabelSpec((*((b[0][:2] + b[1][:2]) / 2), b[1][2] + 3.0), name) for name, b in lines.values()],
            size=18,
            color=LINE_LABEL_COLOR,
            bold=True,
        )
        self._add_label_set(
            "cell-labels",
            [LabelSpec(((b[0][0] + b[1][0]) / 2, b[0][1] - 0.5, 0.2), name) for name, b in cells.values()],
            size=12,
            color=CELL_LABEL_COLOR,
            bold=False,
        )

    def _add_label_set(self, name: str, specs: list[LabelSpec], size: int, color: tuple, bold: bool) -> None:
        if not specs:
            return
        actor = self.plotter.add_point_labels(
            np.array([s.position for s in specs]),
            [s.text for s in specs],
            name=name,
            font_size=size,
            text_color=color,
            bold=bold,
            shape="rounded_rect",
            shape_color="white",
            shape_opacity=0.75,
            show_points=False,
            always_visible=True,
            margin=3,
            pickable=False,
        )
        self._label_actors.append(actor)

    # ------------------------------------------------------------ view state

    def focus_line(self, line: Line) -> None:
        """Show only one line's equipment (the building stays) and frame it."""
        if self.batch is None:
            return
        visible = np.array([p.line is line for p in self.batch.paths], dtype=bool)
        self.batch.set_visible(visible)

    def set_interacting(self, interacting: bool) -> None:
        """Level of detail: boxes while the camera moves, full meshes when it stops."""
        if self.detail_actor is None or interacting == self._interacting:
            return
        self._interacting = interacting
        self.detail_actor.visibility = not interacting
        self.proxy_actor.visibility = interacting
        # Placing labels without overlap costs more than drawing the plant: hide them while moving.
        for actor in self._label_actors:
            actor.visibility = not interacting

    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
        bounds = self.batch.visible_bounds() if self.batch is not None else None
        if bounds is None:
            bounds = np.array([[0.0, 0.0, 0.0], [60.0, 40.0, 5.0]])
        centre = (bounds[0] + bounds[1]) / 2
        size = float(np.linalg.norm(bounds[1] - bounds[0]))
        camera = self.plotter.camera
        camera.focal_point = tuple(centre)
        if view == "top":
            self.plotter.enable_parallel_projection()
            camera.position = (centre[0], centre[1], centre[2] + size)
            camera.up = (0.0, 1.0, 0.0)
        elif view == "front":
            self.plotter.disable_parallel_projection()
            camera.position = (centre[0], centre[1] - size * 1.1, centre[2] + size * 0.18)
            camera.up = (0.0, 0.0, 1.0)
        else:
            self.plotter.disable_parallel_projection()
            camera.position = (centre[0] - size * 0.45, centre[1] - size * 0.75, centre[2] + size * 0.55)
            camera.up = (0.0, 0.0, 1.0)
        self.plotter.reset_camera(
            bounds=(bounds[0][0], bounds[1][0], bounds[0][1], bounds[1][1], bounds[0][2], bounds[1][2])
        )
        camera.zoom(1.1 if view == "top" else 1.6)
        self.plotter.reset_camera_clipping_range()

"""Placing dropped equipment, moves from a drag's start poses, drag snapping and the unsaved mark: no Qt."""

from __future__ import annotations

import pytest

from viewer.io import load_document
from viewer.model.edit import footprint_bounds, locate, move_by
from viewer.model.placing import cell_at, new_id, place_new
from viewer.model.undo import UndoStack
from viewer.ui.edit.drag import DragSession

MIXER = "OC-ELE1-MIX-01"
DUST = "OC-ELE1-MIX-DST-01"


@pytest.fixture
def demo(demo_path, library):
    return load_document(demo_path, library)


def test_cell_under_the_point_else_the_nearest(demo, library):
    site = demo.sites[0]
    assert cell_at(demo, library, site, 30.0, 12.0).id == "OC-ELE1-COT"  # on the coaters' floor
    assert cell_at(demo, library, site, 10.0, 17.0).id == "OC-ELE1-MIX"  # between the mixers
    assert cell_at(demo, library, site, 9.0, -30.0).id == "OC-ELE1-MIX"  # outside everything: the nearest


def test_place_new_equipment_where_dropped(demo, library):
    site = demo.sites[0]
    command = place_new(demo, library, site, "workbench", 30.0, 22.0)
    assert command.cell_id == "OC-ELE1-COT"
    (item,) = command.items
    assert item.id == "OC-ELE1-COT-WOR-01" and item.type == "workbench"
    assert (item.pose.x, item.pose.y, item.pose.yaw) == (30.0 - 14.0, 22.0, 0.0)  # the cell stands at x 14
    assert [p.name for p in item.parameters] == [p.name for p in library["workbench"].default_parameters()]
    stack = UndoStack(demo)
    stack.push(command)
    assert new_id(demo, locate(demo, [item.id])[0].cell, "workbench") == "OC-ELE1-COT-WOR-02"
    stack.undo()
    assert item.id not in {p.equipment.id for p in demo.iter_equipment()}


def test_move_from_origin_poses_does_not_pile_up_rounding(demo):
    origin = [locate(demo, [MIXER])[0].equipment.pose]
    for step in range(1, 30):
        command = move_by(demo, [MIXER], 0.1 * step, 0.0, group_key=1, origin=origin)
        command.redo(demo)
    assert locate(demo, [MIXER])[0].equipment.pose.x == 6.9  # exactly: each step starts from the origin


def test_drag_session_grid_then_edges_with_a_guide(demo, library):
    site = demo.sites[0]
    merged = library.merged(demo.types)
    drag = DragSession.begin(demo, merged, site, [DUST], (10.0, 22.0), grid_step=0.5)
    # Off-grid cursor travel snaps to 0.5 m; no neighbour edge is near enough to pull it.
    command = drag.step((10.0 + 2.26, 22.0 + 0.1))
    assert drag.offset == (2.5, 0.0) and drag.guides == []
    assert command.poses[0].x == pytest.approx(4.0 + 2.5)
    # Travel that leaves the left edge 0.1 m off the mixer's left edge (8.4) and 1 m in front of it: pulled on.
    drag.grid_step = 0.0
    command = drag.step((10.0 - 0.4, 22.0 - 6.5))
    command.redo(demo)
    box = footprint_bounds(demo, merged, locate(demo, [DUST])[0])
    assert box[0, 0] == pytest.approx(8.4)
    (guide,) = [g for g in drag.guides if g[0][0] == g[1][0]]  # the vertical line x = 8.4
    assert guide[0][0] == pytest.approx(8.4)


def test_set_unsaved_marks_a_state_that_is_not_the_file(demo):
    stack = UndoStack(demo)
    assert stack.is_clean() and stack.clean_index == 0
    stack.set_unsaved()
    assert not stack.is_clean() and stack.clean_index is None
    stack.set_clean()
    assert stack.is_clean()

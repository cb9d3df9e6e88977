"""Edit commands: exact undo and redo for every kind, random sequences included (hypothesis)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viewer.io import dumps_document, load_document
from viewer.model import edit
from viewer.model.edit import EditError
from viewer.model.undo import UndoStack


@pytest.fixture(scope="module")
def demo_document(demo_path):
    return load_document(demo_path)


def world_xy(document, library, equipment_id):
    (path,) = edit.locate(document, [equipment_id])
    box = edit.footprint_bounds(document, library, path)
    return box.mean(axis=0)


def test_move_is_in_world_coordinates_even_in_a_turned_line(minimal_data, write_json, library):
    minimal_data["sites"][0]["areas"][0]["lines"][0]["pose"] = {"x": 10.0, "yaw": 90.0}
    document = load_document(write_json(minimal_data))
    stack = UndoStack(document)
    before = world_xy(document, library, "E1")
    stack.push(edit.move_by(document, ["E1"], 2.0, 0.5))
    after = world_xy(document, library, "E1")
    assert after - before == pytest.approx([2.0, 0.5])
    stack.undo()
    assert world_xy(document, library, "E1") == pytest.approx(before)


def test_a_drag_is_one_undo_step(demo_document):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    start = copy.deepcopy(document)
    with stack.group("Drag"):
        for _ in range(25):
            stack.push(edit.move_by(document, ["OC-ELE1-MIX-01", "OC-ELE1-MIX-02"], 0.1, 0.0, group_key="drag-1"))
    assert stack.texts() == ["Move"]
    (path,) = edit.locate(document, ["OC-ELE1-MIX-01"])
    assert path.equipment.pose.x == pytest.approx(4.0 + 2.5)
    stack.undo()
    assert document == start
    assert not stack.can_undo()


def test_rotate_about_selection_centre_and_back(demo_document, library):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    ids = ["OC-ELE1-PRS-01", "OC-ELE1-PRS-02"]  # two presses 20 m apart along y
    a, b = (world_xy(document, library, i) for i in ids)
    stack.push(edit.rotate_by(document, ids, 90.0))
    a2, b2 = (world_xy(document, library, i) for i in ids)
    assert (a2 + b2) / 2 == pytest.approx((a + b) / 2)  # turned about their common centre
    assert abs(a2[0] - b2[0]) == pytest.approx(20.0, abs=1e-6)  # the pair now lies along x
    (path,) = edit.locate(document, ids[:1])
    assert path.equipment.pose.yaw == pytest.approx(90.0)
    stack.undo()
    assert document == demo_document


def test_align_and_distribute(demo_document, library):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    ids = ["OC-ELE1-DRY-01", "OC-ELE1-DRY-02", "OC-ELE1-DRY-03", "OC-ELE1-SLT-01"]
    stack.push(edit.align(document, library, ids, "front"))
    fronts = {round(float(edit.footprint_bounds(document, library, p)[0, 1]), 6) for p in edit.locate(document, ids)}
    assert len(fronts) == 1
    stack.push(edit.distribute(document, library, ids, "x"))
    boxes = sorted(
        (edit.footprint_bounds(document, library, p) for p in edit.locate(document, ids)), key=lambda b: b[0, 0]
    )
    gaps = [boxes[i + 1][0, 0] - boxes[i][1, 0] for i in range(3)]
    assert gaps == pytest.approx([gaps[0]] * 3)
    with pytest.raises(EditError, match="distribute needs at least three equipment"):
        edit.distribute(document, library, ids[:2], "x")


def test_duplicate_array_copy_delete_and_ids(demo_document):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    with stack.group("Array copy"):
        for command in edit.array_copy(document, ["OC-FOR1-FRM-01"], count=3, dx=0.0, dy=2.0):
            stack.push(command)
    (copy1,) = edit.locate(document, ["OC-FOR1-FRM-01-2"])
    assert copy1.equipment.pose.y == pytest.approx(6.0 + 2.0)
    assert [p.equipment.id for p in edit.locate(document, ["OC-FOR1-FRM-01-3", "OC-FOR1-FRM-01-4"])]
    assert document.equipment_count() == demo_document.equipment_count() + 3
    stack.push(edit.DeleteEquipment(("OC-FOR1-FRM-01", "OC-FOR1-FRM-01-3")))
    assert document.equipment_count() == demo_document.equipment_count() + 1
    stack.undo()
    stack.undo()
    assert document == demo_document
    with pytest.raises(EditError, match="no equipment with id 'NOPE' in this document"):
        stack.push(edit.DeleteEquipment(("NOPE",)))


def test_move_to_cell_keeps_the_floor_position(demo_document, library):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    before = world_xy(document, library, "OC-ASM1-STK-ROB-01")
    stack.push(edit.MoveToCell(("OC-ASM1-STK-ROB-01",), "OC-FOR1-FRM"))
    (path,) = edit.locate(document, ["OC-ASM1-STK-ROB-01"])
    assert path.cell.id == "OC-FOR1-FRM"
    assert world_xy(document, library, "OC-ASM1-STK-ROB-01") == pytest.approx(before)
    stack.undo()
    assert document == demo_document


def test_history_and_clean_mark(demo_document):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    assert stack.is_clean()
    stack.push(edit.RenameEquipment("OC-ELE1-COT-01", "Cathode coater A"))
    stack.push(edit.SetParameter(("OC-ELE1-COT-01",), "coating_speed", 65))
    assert not stack.is_clean()
    assert stack.texts() == ["Rename", "Set parameter"]
    assert (stack.undo_text(), stack.redo_text()) == ("Set parameter", "")
    stack.set_clean()
    stack.undo()
    assert not stack.is_clean()
    stack.redo()
    assert stack.is_clean()
    stack.go_to(0)
    assert document == demo_document
    stack.push(edit.RenameEquipment("OC-ELE1-COT-01", "Other"))  # branches off: the saved state is gone
    assert not stack.is_clean()
    assert stack.texts() == ["Rename"]


# ---------------------------------------------------------------- random sequences


def _random_command(data, document, library):
    ids = [p.equipment.id for p in document.iter_equipment()]
    pick = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
    kind = data.draw(st.sampled_from(
        ["move", "rotate", "align", "distribute", "duplicate", "array", "delete", "rename", "parameter", "cell"]
    ))  # fmt: skip
    distance = st.floats(-20, 20, allow_nan=False).map(lambda v: round(v, 3))
    if kind == "move":
        return [edit.move_by(document, pick, data.draw(distance), data.draw(distance))]
    if kind == "rotate":
        return [edit.rotate_by(document, pick, data.draw(st.sampled_from([15.0, 90.0, -90.0, 33.3])))]
    if kind == "align" and len(pick) >= 2:
        return [edit.align(document, library, pick, data.draw(st.sampled_from(edit.ALIGN_EDGES)))]
    if kind == "distribute" and len(pick) >= 3:
        return [edit.distribute(document, library, pick, data.draw(st.sampled_from(["x", "y"])))]
    if kind == "duplicate":
        return edit.duplicate(document, pick, data.draw(distance), data.draw(distance))
    if kind == "array":
        return edit.array_copy(document, pick, data.draw(st.integers(1, 3)), 1.5, 0.0)
    if kind == "delete":
        return [edit.DeleteEquipment(tuple(pick))]
    if kind == "rename":
        return [edit.RenameEquipment(pick[0], data.draw(st.text(min_size=1, max_size=12)))]
    if kind == "parameter":
        value = data.draw(st.one_of(st.integers(-5, 500), st.floats(-1e3, 1e3, allow_nan=False), st.text(max_size=5)))
        return [edit.SetParameter(tuple(pick), data.draw(st.sampled_from(["coating_speed", "new_param"])), value, "u")]
    cells = [c.id for s in document.sites for a in s.areas for li in a.lines for c in li.cells]
    return [edit.MoveToCell(tuple(pick), data.draw(st.sampled_from(cells)))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edit_sequences_undo_and_redo_exactly(demo_document, library, data):
    document = copy.deepcopy(demo_document)
    stack = UndoStack(document)
    steps = data.draw(st.integers(1, 12))
    for _ in range(steps):
        commands = _random_command(data, document, library)
        with stack.group("step"):
            for command in commands:
                stack.push(command)
    done = copy.deepcopy(document)
    done_text = dumps_document(document)
    stack.go_to(0)
    assert document == demo_document
    assert dumps_document(document) == dumps_document(demo_document)
    stack.go_to(len(stack.texts()))
    assert document == done
    assert dumps_document(document) == done_text


def test_viewpoints_live_in_the_document_and_are_undoable(demo_path, tmp_path):
    from viewer.io import save_document
    from viewer.model import CameraState, Viewpoint

    document = load_document(demo_path)
    stack = UndoStack(document)
    coater = Viewpoint("Coater close-up", CameraState((10.0, -20.0, 15.0), (20.0, 12.0, 1.5)), site="OC")
    stack.push(edit.AddViewpoint(coater))
    stack.push(
        edit.AddViewpoint(
            Viewpoint(
                "Overview", CameraState((0.0, 0.0, 200.0), (108.0, 48.0, 0.0), parallel=True, parallel_scale=60.0)
            )
        )
    )
    path = tmp_path / "with-views.mtplant.json"
    save_document(document, path)
    again = load_document(path)
    assert again.viewpoints == document.viewpoints
    assert again.viewpoints[0].camera.focal_point == (20.0, 12.0, 1.5)
    assert '"name": "Coater close-up"' in path.read_text()
    stack.push(edit.RemoveViewpoint("Coater close-up"))
    assert [v.name for v in document.viewpoints] == ["Overview"]
    stack.go_to(0)
    assert document.viewpoints == []
    assert dumps_document(document) == demo_path.read_text()


def test_unique_name_counts_up_from_two_and_remembers_what_it_gave():
    from viewer.model.edit import unique_name

    taken = {"press", "press-2"}
    assert unique_name("oven", taken) == "oven" and unique_name("press", taken) == "press-3"
    assert unique_name("press", taken, "_") == "press_2" and {"oven", "press-3", "press_2"} <= taken

"""The view state runs without Qt or VTK and round-trips through JSON."""

from __future__ import annotations

import subprocess
import sys

import pytest

from viewer.io import builtin_library, load_document
from viewer.paths import demo_plant_path
from viewer.scene.view_state import CameraState, Viewpoint, ViewState


@pytest.fixture(scope="module")
def paths():
    document = load_document(demo_plant_path(), builtin_library())
    return list(document.iter_equipment())


def test_view_state_loads_no_qt_or_vtk():
    """Saved viewpoints and remote sessions use the view state without a window: it must not pull in Qt or VTK."""
    code = (
        "import sys, viewer.scene.view_state; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'vtk', 'vtkmodules', 'pyvista'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_selection_events_and_order():
    state = ViewState()
    seen = []
    state.selection_changed.connect(seen.append)
    state.select(["b", "a", "b"])
    state.add_to_selection(["c"])
    state.toggle_selected("a")
    state.select(["b", "c"])  # unchanged: no event
    assert seen == [("b", "a"), ("b", "a", "c"), ("b", "c")]
    state.clear_selection()
    assert state.selection == ()


def test_hide_isolate_and_mask(paths):
    state = ViewState()
    line = paths[0].line
    in_line = sum(p.line is line for p in paths)
    state.isolate(line.id)
    assert state.visible_mask(paths).sum() == in_line
    state.hide([paths[0].equipment.id])
    assert state.visible_mask(paths).sum() == in_line - 1
    assert not state.is_visible(paths[0])
    state.show_all()
    assert state.visible_mask(paths).all()


def test_json_round_trip():
    state = ViewState()
    state.set_active_site("OC")
    state.select(["OC-ELE1-COT-01", "OC-ELE1-COT-02"])
    state.hide(["OC-ASM1"])
    state.isolate("OC-ELE1")
    state.set_xray(True)
    camera = CameraState((1.0, 2.0, 3.0), (4.0, 5.0, 6.0), (0.0, 0.0, 1.0), True, 12.5, 25.0)
    state.set_camera(camera)
    state.add_viewpoint(Viewpoint("coater close-up", camera))
    copy = ViewState.from_json(state.to_json())
    assert copy.to_dict() == state.to_dict()
    assert copy.camera == camera
    assert copy.viewpoint("coater close-up").camera.parallel_scale == 12.5


def test_rejects_foreign_json():
    with pytest.raises(ValueError, match="not a view state"):
        ViewState.from_json('{"format": "something-else", "version": 1}')

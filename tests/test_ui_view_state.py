"""The view state runs without Qt or VTK and round-trips through JSON; saved viewpoints are not part of it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from viewer.app.view_state import ViewState
from viewer.io import builtin_library, load_document
from viewer.model.views import CameraState
from viewer.paths import demo_plant_path


@pytest.fixture(scope="module")
def paths():
    document = load_document(demo_plant_path(), builtin_library())
    return list(document.iter_equipment())


def test_view_state_loads_no_qt_or_vtk():
    """Saved viewpoints and remote sessions use the view state without a window: it must not pull in Qt or VTK."""
    code = (
        "import sys, viewer.app.view_state; "
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
    copy = ViewState.from_json(state.to_json())
    assert copy.to_dict() == state.to_dict()
    assert copy.camera == camera


def test_rejects_foreign_json():
    with pytest.raises(ValueError, match="not a view state"):
        ViewState.from_json('{"format": "something-else", "version": 1}')


def test_view_state_imports_only_the_model():
    """The application layer sits on the model: the view state pulls in neither the 3D scene nor the window."""
    code = (
        "import sys, viewer.app.view_state; "
        "print(sorted({'.'.join(m.split('.')[:2]) for m in sys.modules if m.startswith('viewer.')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['viewer.app', 'viewer.model']"


def test_viewpoints_are_the_documents_not_the_view_state():
    """Saved viewpoints have one home, the plant document; a view state written with a list of them still reads."""
    state = ViewState()
    assert not hasattr(state, "viewpoints")
    assert "viewpoints" not in state.to_dict()
    camera = {"position": [1.0, 2.0, 3.0], "focal_point": [4.0, 5.0, 6.0], "up": [0.0, 0.0, 1.0]}
    older = {
        "format": "mothertwin-view-state",
        "version": 1,
        "active_site": "OC",
        "selection": ["OC-ELE1-COT-01"],
        "camera": camera,
        "viewpoints": [{"name": "coater close-up", "camera": camera}],
    }
    state.update_from_dict(older)
    assert state.active_site == "OC" and state.selection == ("OC-ELE1-COT-01",)
    assert state.camera is not None and state.camera.focal_point == (4.0, 5.0, 6.0)
    assert "viewpoints" not in state.to_dict() and not hasattr(state, "viewpoints")

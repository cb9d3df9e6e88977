"""The model layer runs without Qt or VTK (napari's rule), and pose maths are right."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from viewer.model import Area, Cell, Enterprise, Equipment, Line, PlantDocument, Pose, Site
from viewer.model.geometry import equipment_world_matrices, pose_matrix


def test_model_imports_no_qt_or_vtk():
    code = (
        "import sys, viewer.model, viewer.model.geometry, viewer.model.synthetic;"
        "bad=[m for m in ('PySide6','vtk','vtkmodules','pyvista','pyvistaqt') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_yaw_turns_x_onto_y():
    matrix = pose_matrix(Pose(x=1.0, y=2.0, z=0.5, yaw=90.0))
    np.testing.assert_allclose(matrix[:3, :3] @ [1, 0, 0], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(matrix[:3, 3], [1.0, 2.0, 0.5])


def test_pitch_and_roll_follow_right_hand_rule():
    pitch = pose_matrix(Pose(pitch=90.0))[:3, :3]
    np.testing.assert_allclose(pitch @ [1, 0, 0], [0, 0, -1], atol=1e-12)
    roll = pose_matrix(Pose(roll=90.0))[:3, :3]
    np.testing.assert_allclose(roll @ [0, 1, 0], [0, 0, 1], atol=1e-12)


def test_world_pose_composes_area_line_cell_equipment():
    equipment = Equipment("E", "E", "conveyor", Pose(x=1.0))
    cell = Cell("C", "C", Pose(y=2.0), [equipment])
    line = Line("L", "L", Pose(x=10.0, yaw=90.0), [cell])
    area = Area("A", "A", Pose(x=100.0), [line])
    document = PlantDocument(Enterprise("X", "X"), [Site("S", "S", areas=[area])])
    (matrix,) = equipment_world_matrices(document)
    # Line turned 90 degrees: the cell's +y and the equipment's +x both turn.
    np.testing.assert_allclose(matrix[:3, 3], [100.0 + 10.0 - 2.0, 1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(matrix[:3, :3] @ [1, 0, 0], [0, 1, 0], atol=1e-12)

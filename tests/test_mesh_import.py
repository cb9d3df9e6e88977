"""Importing external meshes as new equipment types: units asked when missing, STEP through cascadio."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viewer.io import dumps_document, load_document, save_document
from viewer.io.mesh_import import UNIT_CHOICES, UnitsRequiredError, declared_units, import_mesh_type
from viewer.io.meshes import MeshCache
from viewer.model import edit
from viewer.model.undo import UndoStack


def test_stl_has_no_units_so_they_are_asked_for(tmp_path):
    source = tmp_path / "Vendor Press.stl"
    source.write_bytes(trimesh.creation.box(extents=(2500, 1200, 1800)).export(file_type="stl"))
    assert not declared_units(source)
    with pytest.raises(UnitsRequiredError, match=r"Vendor Press\.stl does not say which unit its coordinates are in"):
        import_mesh_type(source, tmp_path, set())
    new_type = import_mesh_type(source, tmp_path, {"vendor_press"}, units=UNIT_CHOICES["millimetre"])
    assert new_type.name == "vendor_press_2"
    assert (new_type.footprint.width, new_type.footprint.depth, new_type.footprint.height) == (2.5, 1.2, 1.8)
    assert new_type.mesh == "meshes/vendor_press_2.glb"
    # The converted GLB follows the library's convention: metres, Z up, centred, on the floor.
    mesh = MeshCache().load(tmp_path / new_type.mesh)
    np.testing.assert_allclose(mesh.extents, [2.5, 1.2, 1.8], atol=1e-6)
    np.testing.assert_allclose(mesh.bounds[0], [-1.25, -0.6, 0.0], atol=1e-6)


def test_step_file_through_cascadio(tmp_path):
    gmsh = pytest.importorskip("gmsh", reason="gmsh writes the STEP test file (test extra)")
    source = tmp_path / "fixture.step"
    gmsh.initialize()
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("fixture")
        gmsh.model.occ.addBox(0, 0, 0, 2000, 1000, 500)  # millimetres, as CAD writes them
        gmsh.model.occ.synchronize()
        gmsh.write(str(source))
    finally:
        gmsh.finalize()
    assert declared_units(source)
    new_type = import_mesh_type(source, tmp_path, set())
    assert (new_type.footprint.width, new_type.footprint.depth, new_type.footprint.height) == (2.0, 1.0, 0.5)


def test_imported_type_is_undoable_and_saved_with_the_document(demo_path, tmp_path, library):
    document_path = tmp_path / "plant.mtplant.json"
    document_path.write_bytes(demo_path.read_bytes())
    document = load_document(document_path)
    source = tmp_path / "agv.glb"
    source.write_bytes(trimesh.creation.box(extents=(0.9, 0.4, 0.6)).export(file_type="glb"))  # glTF: Y up
    new_type = import_mesh_type(source, tmp_path, set(library.names()) | set(document.types))
    assert new_type.name == "agv_2"  # the built-in 'agv' keeps its name
    assert (new_type.footprint.width, new_type.footprint.depth, new_type.footprint.height) == (0.9, 0.6, 0.4)
    stack = UndoStack(document)
    stack.push(edit.AddEquipmentType(new_type))
    save_document(document, document_path)
    reloaded = load_document(document_path)
    assert reloaded.types["agv_2"].mesh_path() == tmp_path / "meshes" / "agv_2.glb"
    stack.undo()
    assert document.types == {}
    assert dumps_document(document) == demo_path.read_text()

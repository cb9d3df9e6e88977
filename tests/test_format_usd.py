"""OpenUSD export (.usd, .usda, .usdc) through the shipped format plugin, read back with pxr: the stage in
metres and Z up, one Xform prim per level and equipment, world transforms as the model has them, ids and
parameters as custom attributes, type meshes authored once and instanced, the building, and USD's own
validators finding no error."""

from __future__ import annotations

import numpy as np
import pytest
from format_3d_fixtures import rich_document

from viewer.app.exporting import choose_scope, export_plant, find_writer
from viewer.formats import equipment_world_matrices
from viewer.io import load_document
from viewer.sensors.plugins import PluginRegistry, is_shipped

pxr = pytest.importorskip("pxr", reason="OpenUSD export needs usd-core (pip install usd-core)")
from pxr import Sdf, Usd, UsdGeom, UsdValidation  # noqa: E402

SUFFIXES = [".usda", ".usdc"]


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover(allow=is_shipped)


def export(registry, document, path, library, **kwargs) -> Usd.Stage:
    written = export_plant(document, path, find_writer(registry, path.suffix), library=library, **kwargs)
    assert written == [path.resolve()]
    stage = Usd.Stage.Open(str(path))
    assert stage is not None and stage.GetRootLayer() is not None
    return stage


def by_level(stage: Usd.Stage, level: str) -> list[Usd.Prim]:
    return [p for p in stage.Traverse() if p.GetAttribute("mothertwin:level").Get() == level]


def expected_prims(document) -> int:
    """Prims a default traversal of the stage sees, counted from the document: the root, each level and
    equipment, and each site's building (its Xform, the floor, the walls, columns and slabs, and the column
    grid's point instancer with its prototype scope and column mesh)."""
    count = 1
    for site in document.sites:
        count += 1 + len(site.areas)
        count += sum(len(a.lines) for a in site.areas)
        count += sum(len(li.cells) for a in site.areas for li in a.lines)
        count += sum(len(c.equipment) for a in site.areas for li in a.lines for c in li.cells)
        parts = (len(site.footprint) >= 3) + sum(e.kind.value != "space" for e in site.building)
        grid = 3 if site.column_grid.positions() else 0
        count += 1 + parts + grid if parts or grid else 0
    return count


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_stage_in_metres_z_up_with_a_prim_per_level_and_equipment(tmp_path, registry, library, suffix):
    document = rich_document(library)
    stage = export(registry, document, tmp_path / f"plant{suffix}", library)
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0 and UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z
    layer = stage.GetRootLayer()
    assert layer.pseudoRoot.GetInfo("metersPerUnit") == 1.0 and layer.pseudoRoot.GetInfo("upAxis") == "Z"
    assert stage.GetDefaultPrim().GetPath() == Sdf.Path("/ENT_1")
    assert stage.GetDefaultPrim().GetAttribute("mothertwin:id").Get() == "ENT-1"
    header = (tmp_path / f"plant{suffix}").read_bytes()[:8]
    assert header == (b"#usda 1." if suffix == ".usda" else b"PXR-USDC")
    assert sum(1 for _ in stage.Traverse()) == expected_prims(document) == 29
    counts = {level: len(by_level(stage, level)) for level in ("site", "area", "line", "cell", "equipment")}
    assert counts == {"site": 2, "area": 2, "line": 3, "cell": 4, "equipment": 7}
    for prim in by_level(stage, "equipment") + by_level(stage, "cell"):
        assert prim.GetTypeName() == "Xform" and Sdf.Path.IsValidIdentifier(prim.GetName())
    mixer = stage.GetPrimAtPath("/ENT_1/S_1/S_1_A1/S_1_L1/S_1_C1/S_1_E_1")  # from the ids, made prim names
    assert mixer.GetAttribute("mothertwin:id").Get() == "S-1.E/1" and mixer.GetDisplayName() == "Mischer Süd"
    errors = UsdValidation.ValidationContext(
        [UsdValidation.ValidationRegistry().GetOrLoadValidatorByName(m.name)
         for m in UsdValidation.ValidationRegistry().GetAllValidatorMetadata()]
    ).Validate(stage)  # fmt: skip
    assert [e.GetMessage() for e in errors] == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_world_transforms_are_the_models(tmp_path, registry, library, suffix):
    document = rich_document(library)
    stage = export(registry, document, tmp_path / f"plant{suffix}", library)
    cache = UsdGeom.XformCache()
    world = {p.GetAttribute("mothertwin:id").Get(): np.array(cache.GetLocalToWorldTransform(p)).T
             for p in by_level(stage, "equipment")}  # fmt: skip  # USD's row-vector matrix, turned to ours
    for path, matrix in zip(document.iter_equipment(), equipment_world_matrices(document), strict=True):
        np.testing.assert_allclose(world[path.equipment.id], matrix @ np.diag([*path.equipment.scale, 1.0]), atol=1e-6)
    mixer = stage.GetPrimAtPath("/ENT_1/S_1/S_1_A1/S_1_L1/S_1_C1/S_1_E_1")
    assert UsdGeom.Xformable(mixer).GetXformOpOrderAttr().Get() == ["xformOp:transform"]
    cell = stage.GetPrimAtPath("/ENT_1/S_1/S_1_A1/S_1_L1/S_1_C1")
    local = np.array(UsdGeom.Xformable(cell).GetLocalTransformation()).T
    assert local[:3, 3] == pytest.approx([1.0, 2.0, 0.0]) and local[1, 0] == pytest.approx(1.0)  # yaw 90 in its line


def test_ids_and_parameters_are_custom_attributes_and_deviations_local_opinions(tmp_path, registry, library):
    document = rich_document(library)
    stage = export(registry, document, tmp_path / "plant.usda", library)
    for path in document.iter_equipment():
        item = path.equipment
        prim = next(p for p in by_level(stage, "equipment") if p.GetAttribute("mothertwin:id").Get() == item.id)
        assert prim.GetAttribute("mothertwin:name").Get() == item.name
        assert prim.GetAttribute("mothertwin:type").Get() == item.type
        assert prim.GetAttribute("mothertwin:id").IsCustom()
        for parameter in item.parameters:
            attribute = prim.GetAttribute(f"mothertwin:param:{pxr.Tf.MakeValidIdentifier(parameter.name)}")
            assert attribute.Get() == parameter.value, (item.id, parameter.name)
            assert (attribute.GetCustomDataByKey("unit") or "") == parameter.unit
        with_values = [a for a in prim.GetAttributes() if a.GetName().startswith("mothertwin:param:") and a.HasValue()]
        assert len(with_values) == len(item.parameters)
    press = stage.GetPrimAtPath("/ENT_1/S_1/S_1_A1/S_1_L1/S_1_C1/S_1_E_2")
    assert press.GetAttribute("mothertwin:motherId").Get() == "OC-ELE1-PRS-01"
    assert press.GetAttribute("mothertwin:param:rate__1_s_").Get() == 2.5
    assert press.GetAttribute("mothertwin:param:cleanroom").GetTypeName() == Sdf.ValueTypeNames.Bool
    assert press.GetAttribute("mothertwin:param:vendor").Get() == "Kim & Co"
    # What the press has of its own in the file: the deviating value, the missing parameter blocked; the
    # parameters equal to its type's come from the type's prototype.
    defaults = library["roll_press"].parameters
    spec = stage.GetRootLayer().GetPrimAtPath(press.GetPath())
    own = {a.name for a in spec.attributes if a.name.startswith("mothertwin:param:")}
    first, missing = (f"mothertwin:param:{p.name}" for p in defaults[:2])
    assert {first, missing} <= own and not own & {f"mothertwin:param:{p.name}" for p in defaults[2:]}
    assert press.GetAttribute(first).Get() == 999.5 and press.GetAttribute(missing).Get() is None
    unchanged = stage.GetPrimAtPath("/ENT_1/S_1/S_1_A1/S_1_L1/S_1_C1/S_1_E_1")
    assert not [a for a in stage.GetRootLayer().GetPrimAtPath(unchanged.GetPath()).attributes if "param" in a.name]


def test_type_meshes_are_authored_once_and_instanced(tmp_path, registry, library, demo_path):
    document = load_document(demo_path, library)
    stage = export(registry, document, tmp_path / "demo.usdc", library)
    equipment = by_level(stage, "equipment")
    assert len(equipment) == document.equipment_count() and all(p.IsInstance() for p in equipment)
    types = {p.equipment.type for p in document.iter_equipment()}
    prototypes = stage.GetPrimAtPath("/MT_CELLS/Prototypes")
    assert prototypes.GetSpecifier() == Sdf.SpecifierClass and prototypes.IsAbstract()
    assert sorted(c.GetName() for c in prototypes.GetAllChildren()) == sorted(types)
    meshes = [p for p in Usd.PrimRange(prototypes, Usd.PrimAllPrimsPredicate) if p.GetTypeName() == "Mesh"]
    assert len(meshes) == len(types)  # one mesh per type in the file
    assert len(stage.GetPrototypes()) == len(types)  # USD shares one prototype per type
    coater = stage.GetPrimAtPath("/MT_CELLS/Prototypes/coater/mesh")
    points = np.array(UsdGeom.Mesh(coater).GetPointsAttr().Get())
    fp = library["coater"].footprint
    assert np.ptp(points, axis=0)[:2] == pytest.approx([fp.width, fp.depth], rel=0.05)
    instance = next(p for p in equipment if p.GetAttribute("mothertwin:type").Get() == "coater")
    assert instance.GetPrototype().GetChildren()[0].GetTypeName() == "Mesh"


def test_the_building_is_on_the_stage(tmp_path, registry, library):
    document = rich_document(library)
    stage = export(registry, document, tmp_path / "plant.usdc", library)
    building = stage.GetPrimAtPath("/ENT_1/S_1/S_1_building")
    kinds = sorted(c.GetAttribute("mothertwin:kind").Get() for c in building.GetChildren())
    assert kinds == ["column", "column grid", "floor", "slab", "wall"]
    floor = UsdGeom.Mesh(stage.GetPrimAtPath("/ENT_1/S_1/S_1_building/S_1_floor"))
    points = np.array(floor.GetPointsAttr().Get())[np.array(floor.GetFaceVertexIndicesAttr().Get())].reshape(-1, 3, 3)
    area = 0.5 * np.linalg.norm(np.cross(points[:, 1] - points[:, 0], points[:, 2] - points[:, 0]), axis=1).sum()
    assert area == pytest.approx(60 * 30 + 30 * 10)
    wall = UsdGeom.Mesh(stage.GetPrimAtPath("/ENT_1/S_1/S_1_building/W1"))
    assert np.array(wall.GetExtentAttr().Get()) == pytest.approx(np.array([[0, 0, 0], [60, 0.3, 6]]))
    assert wall.GetPrim().GetDisplayName() == "South wall"
    grid = UsdGeom.PointInstancer(stage.GetPrimAtPath("/ENT_1/S_1/S_1_building/S_1_column_grid"))
    positions = np.array(grid.GetPositionsAttr().Get())
    expected = document.sites[0].column_grid.positions()
    assert sorted(map(tuple, positions[:, :2].tolist())) == sorted(expected) and (positions[:, 2] == 0).all()
    column = stage.GetPrimAtPath(grid.GetPrototypesRel().GetTargets()[0])
    assert np.array(UsdGeom.Mesh(column).GetExtentAttr().Get())[1] == pytest.approx([0.25, 0.25, 7.0])
    assert stage.GetPrimAtPath("/ENT_1/S_2/S_2_building/S_2_floor").IsValid()


def test_a_line_alone_and_the_usd_suffixes(tmp_path, registry, library):
    document = rich_document(library)
    site, line = choose_scope(document, None, "Line 2")
    path = tmp_path / "line.usd"
    export_plant(document, path, find_writer(registry, "usd"), site, line, library=library)
    assert path.read_bytes()[:8] == b"PXR-USDC"  # .usd: binary, as USD writes it
    stage = Usd.Stage.Open(str(path))
    assert [p.GetAttribute("mothertwin:id").Get() for p in by_level(stage, "equipment")] == ["S-1.R1"]
    assert not stage.GetPrimAtPath("/ENT_1/S_1/S_1_building").IsValid()  # a line comes without the building
    ids = [p.equipment.id for p in document.iter_equipment()]
    robot = stage.GetPrimAtPath("/ENT_1/S_1/S_1_A1/S_1_L2/S_1_C3/S_1_R1")
    np.testing.assert_allclose(
        np.array(UsdGeom.XformCache().GetLocalToWorldTransform(robot)).T,
        equipment_world_matrices(document)[ids.index("S-1.R1")],
        atol=1e-6,
    )
    text = tmp_path / "text.usd"
    export_plant(document, text, find_writer(registry, "usda"), site, line, library=library)
    assert text.read_bytes().startswith(b"#usda 1.0")  # --format usda into a .usd: text
    assert Usd.Stage.Open(str(text)).GetPrimAtPath(robot.GetPath()).IsValid()


def test_prim_names_from_ids_are_valid_and_unique_among_siblings():
    from mothertwin_formats.usd import valid_names

    names = valid_names(["S-1.A", "S-1_A", "S_1_A_2", "1st", "Zelle Süd", ""])
    assert names == ["S_1_A", "S_1_A_2", "S_1_A_2_2", "_1st", "Zelle_S_d", "_"]
    assert all(Sdf.Path.IsValidIdentifier(n) for n in names) and len(set(names)) == len(names)

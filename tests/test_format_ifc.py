"""IFC import (plugins/mothertwin_formats/ifc): the real IFC2X3 exports in shared/data/ifc and IFC4 files the
tests write with ifcopenshell; counts checked against ifcopenshell's own by_type, positions against its
geometry in world coordinates, bad files against the messages they must give, and a crashing importer against
the host's worker process."""

from __future__ import annotations

import io
import math
import textwrap
import zipfile
from pathlib import Path

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.system
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.geom
import ifcopenshell.util.element
import ifcopenshell.util.placement
import numpy as np
import pytest
import shapely

from viewer.app.importing import import_plant, place_files
from viewer.app.opening import open_plant
from viewer.io import PlantFileError, builtin_library, load_document, save_document
from viewer.io.meshes import MeshCache
from viewer.model import BuildingKind, Equipment, Pose
from viewer.model.checks import LayoutChecker
from viewer.model.geometry import equipment_world_matrices
from viewer.sensors.plugins import Contribution, PluginManifest, PluginRegistry

ROOT = Path(__file__).resolve().parents[1]
DATA = next(
    (p / "shared" / "data" / "ifc" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared/data/ifc").is_dir()),
    ROOT.parent / "shared" / "data" / "ifc",
)
ARCHITECTURAL = DATA / "Architectural.ifc"
MEP = DATA / "MEP.ifc"
MM = 0.001  # the 1 mm the positions must hold to
EQUIPMENT_CLASSES = ("IfcBuildingElementProxy", "IfcFurnishingElement", "IfcDistributionElement")
BUILDING_CLASSES = ("IfcWall", "IfcCurtainWall", "IfcSlab", "IfcColumn", "IfcSpace")
STOREY_Z = 1.0  # metres: the generated file's storey stands this high
CONVEYOR_X = (30.0, 33.0, 36.0)


def needs(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared IFC test data is not on this machine)")
    return path


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


def find(document, equipment_id: str) -> Equipment:
    return next(p.equipment for p in document.iter_equipment() if p.equipment.id == equipment_id)


def named(document, name: str) -> Equipment:
    return next(p.equipment for p in document.iter_equipment() if p.equipment.name == name)


def by_types(model, classes) -> list:
    seen = {}
    for ifc_class in classes:
        for element in model.by_type(ifc_class):
            seen[element.id()] = element
    return list(seen.values())


# ---------------------------------------------------------------- a file the tests write


def write_ifc4(path: Path) -> None:
    """An IFC4 hall in millimetres: a wall, a column and a press (a proxy turned 30 degrees, with a property set)
    on a storey 1 m up."""
    api = ifcopenshell.api
    f = api.project.create_file(version="IFC4")
    project = api.root.create_entity(f, ifc_class="IfcProject", name="Test plant")
    api.unit.assign_unit(f)  # millimetres
    model = api.context.add_context(f, context_type="Model")
    body = api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
    )
    site = api.root.create_entity(f, ifc_class="IfcSite", name="Test site")
    building = api.root.create_entity(f, ifc_class="IfcBuilding", name="Hall")
    storey = api.root.create_entity(f, ifc_class="IfcBuildingStorey", name="Ground")
    api.aggregate.assign_object(f, products=[site], relating_object=project)
    api.aggregate.assign_object(f, products=[building], relating_object=site)
    api.aggregate.assign_object(f, products=[storey], relating_object=building)
    lifted = np.eye(4)
    lifted[2, 3] = STOREY_Z
    api.geometry.edit_object_placement(f, product=storey, matrix=lifted, is_si=True)
    upper = api.root.create_entity(f, ifc_class="IfcBuildingStorey", name="Upper")  # nothing on it
    api.aggregate.assign_object(f, products=[upper], relating_object=building)
    raised = np.eye(4)
    raised[2, 3] = STOREY_Z + 4.0
    api.geometry.edit_object_placement(f, product=upper, matrix=raised, is_si=True)

    def box(ifc_class, name, size, x, y, yaw, container=storey):
        element = api.root.create_entity(f, ifc_class=ifc_class, name=name)
        length, thickness, height = size
        shape = api.geometry.add_wall_representation(
            f, context=body, length=length, height=height, thickness=thickness
        )
        api.geometry.assign_representation(f, product=element, representation=shape)
        matrix = np.eye(4)
        c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
        matrix[:2, :2] = [[c, -s], [s, c]]
        matrix[:3, 3] = (x, y, STOREY_Z)
        api.geometry.edit_object_placement(f, product=element, matrix=matrix, is_si=True)
        if container is not None:
            api.spatial.assign_container(f, products=[element], relating_structure=container)
        return element

    box("IfcWall", "North wall", (5.0, 0.2, 3.0), 10.0, 5.0, 0.0)
    box("IfcColumn", "C1", (0.4, 0.4, 3.0), 20.0, 10.0, 0.0)
    # A room with a desk in it, and an air terminal of a supply air system: lines by room and by system.
    room = box("IfcSpace", "R1", (6.0, 4.0, 3.0), 40.0, 0.0, 0.0, container=None)
    room.LongName = "Office"
    api.aggregate.assign_object(f, products=[room], relating_object=storey)
    box("IfcFurniture", "Desk", (1.6, 0.8, 0.75), 41.0, 1.0, 0.0, container=room)
    diffuser = box("IfcAirTerminal", "Diffuser", (0.6, 0.6, 0.3), 43.0, 2.0, 0.0, container=room)
    supply = api.system.add_system(f, ifc_class="IfcDistributionSystem")
    supply.Name = "Supply air"
    api.system.assign_system(f, products=[diffuser], system=supply)
    ghost = api.root.create_entity(f, ifc_class="IfcWall", name="Ghost wall")  # no shape to draw
    api.spatial.assign_container(f, products=[ghost], relating_structure=storey)
    press = box("IfcBuildingElementProxy", "Press 1", (1.0, 0.6, 0.8), 3.0, 4.0, 30.0)
    pset = api.pset.add_pset(f, product=press, name="Pset_Test")
    api.pset.edit_pset(f, pset=pset, properties={"Speed": 60.0, "Label": "A"})
    width = f.createIfcPropertySingleValue("Width", None, f.createIfcLengthMeasure(2500.0), None)  # 2500 mm
    pset.HasProperties = [*pset.HasProperties, width]
    # Three conveyors of one type: its shape (a representation map) and its property set are shared.
    conveyor = api.root.create_entity(f, ifc_class="IfcBuildingElementProxyType", name="Conveyor type")
    shape = api.geometry.add_wall_representation(f, context=body, length=2.0, height=0.9, thickness=0.5)
    api.geometry.assign_representation(f, product=conveyor, representation=shape)
    type_pset = api.pset.add_pset(f, product=conveyor, name="Pset_ConveyorType")
    api.pset.edit_pset(f, pset=type_pset, properties={"Maker": "ACME"})
    for n, x in enumerate(CONVEYOR_X):
        element = api.root.create_entity(f, ifc_class="IfcBuildingElementProxy", name=f"Conveyor {n + 1}")
        api.type.assign_type(f, related_objects=[element], relating_type=conveyor)
        matrix = np.eye(4)
        matrix[:3, 3] = (x, 2.0, STOREY_Z)
        api.geometry.edit_object_placement(f, product=element, matrix=matrix, is_si=True)
        api.spatial.assign_container(f, products=[element], relating_structure=storey)
    f.write(str(path))


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ifc") / "hall.ifc"
    write_ifc4(path)
    return path


@pytest.fixture(scope="module")
def hall_import(hall, registry):
    return import_plant(hall, registry=registry)


def world_vertices(path: Path, element) -> np.ndarray:
    """ifcopenshell's own world-coordinate mesh of an element (metres)."""
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    shape = ifcopenshell.geom.create_shape(settings, element)
    return np.asarray(shape.geometry.verts, dtype=float).reshape(-1, 3)


def drawn_vertices(imported, equipment_id: str, folder: Path) -> np.ndarray:
    """Where the window draws an equipment's mesh: its type's GLB (read as the viewer reads it) placed by the
    equipment's world transform."""
    document = imported.document
    index = [p.equipment.id for p in document.iter_equipment()].index(equipment_id)
    matrix = equipment_world_matrices(document)[index]
    kind = document.types[find(document, equipment_id).type]
    mesh_path = folder / kind.mesh
    if not mesh_path.exists():
        mesh_path.parent.mkdir(parents=True, exist_ok=True)
        mesh_path.write_bytes(imported.assets[kind.mesh])
    mesh = MeshCache().load(mesh_path)
    return mesh.vertices @ matrix[:3, :3].T + matrix[:3, 3]


def test_a_millimetre_ifc4_file_comes_out_in_metres_with_the_press_where_its_placement_says(hall, hall_import):
    report = hall_import.report
    assert report.format == "IFC4"
    press = named(hall_import.document, "Press 1")
    assert press.name == "Press 1"
    # The type's origin is the footprint centre on the floor: 0.5 m along and 0.3 m across the press's own
    # axes from its placement (3 m, 4 m), turned 30 degrees; the storey's floor (1 m up) is height zero.
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    assert press.pose.x == pytest.approx(3.0 + c * 0.5 - s * 0.3, abs=MM)
    assert press.pose.y == pytest.approx(4.0 + s * 0.5 + c * 0.3, abs=MM)
    assert press.pose.z == pytest.approx(0.0, abs=MM)
    assert press.pose.yaw == pytest.approx(30.0, abs=1e-6)
    kind = hall_import.document.types[press.type]
    assert (kind.footprint.width, kind.footprint.depth, kind.footprint.height) == pytest.approx((1.0, 0.6, 0.8), abs=MM)
    assert kind.mesh in hall_import.assets and kind.mesh.startswith("meshes/")


def test_the_drawn_mesh_lands_exactly_where_ifcopenshell_puts_the_element(hall, hall_import, tmp_path):
    model = ifcopenshell.open(str(hall))
    element = model.by_type("IfcBuildingElementProxy")[0]
    expected = world_vertices(hall, element) - [0.0, 0.0, STOREY_Z]
    drawn = drawn_vertices(hall_import, element.GlobalId, tmp_path)
    assert drawn.min(axis=0) == pytest.approx(expected.min(axis=0), abs=MM)
    assert drawn.max(axis=0) == pytest.approx(expected.max(axis=0), abs=MM)
    # Every drawn corner is one of ifcopenshell's corners.
    gaps = np.linalg.norm(drawn[:, None, :] - expected[None, :, :], axis=2).min(axis=1)
    assert gaps.max() < MM


def test_property_sets_become_parameters_with_lengths_in_metres(hall_import):
    press = named(hall_import.document, "Press 1")
    values = {p.name: (p.value, p.unit) for p in press.parameters}
    assert values["Pset_Test/Speed"] == (60.0, "")
    assert values["Pset_Test/Label"] == ("A", "")
    width, unit = values["Pset_Test/Width"]
    assert (width, unit) == (pytest.approx(2.5), "m")
    assert len(press.parameters) == 3
    for n in range(len(CONVEYOR_X)):  # the type's set, on each of its occurrences
        conveyor = named(hall_import.document, f"Conveyor {n + 1}")
        assert [(p.name, p.value) for p in conveyor.parameters] == [("Pset_ConveyorType/Maker", "ACME")]
    assert hall_import.report.count("parameters") == 3 + len(CONVEYOR_X)


def test_elements_of_one_shape_share_one_type_and_mesh(hall_import):
    document = hall_import.document
    conveyors = [named(document, f"Conveyor {n + 1}") for n in range(len(CONVEYOR_X))]
    assert len({c.type for c in conveyors}) == 1
    kind = document.types[conveyors[0].type]
    assert kind.title == "Conveyor type"
    assert (kind.footprint.width, kind.footprint.depth, kind.footprint.height) == pytest.approx((2.0, 0.5, 0.9))
    assert [(c.pose.x, c.pose.y, c.pose.yaw) for c in conveyors] == [
        pytest.approx((x + 1.0, 2.25, 0.0), abs=MM) for x in CONVEYOR_X
    ]
    assert len(hall_import.assets) == len(document.types) == 4  # the press's, the conveyors', desk, diffuser
    assert hall_import.report.count("meshes") == 4


def test_walls_and_columns_become_the_building_in_metres(hall_import):
    site = hall_import.document.sites[0]
    assert site.name == "Test site"
    kinds = {e.name: e for e in site.building}
    wall, column = kinds["North wall"], kinds["C1"]
    assert wall.kind == BuildingKind.WALL and column.kind == BuildingKind.COLUMN
    wall_xy = np.asarray(wall.outline)
    assert wall_xy.min(axis=0) == pytest.approx((10.0, 5.0), abs=MM)
    assert wall_xy.max(axis=0) == pytest.approx((15.0, 5.2), abs=MM)
    assert (wall.base, wall.height) == pytest.approx((0.0, 3.0), abs=MM)
    column_xy = np.asarray(column.outline)
    assert column_xy.min(axis=0) == pytest.approx((20.0, 10.0), abs=MM)
    assert column_xy.max(axis=0) == pytest.approx((20.4, 10.4), abs=MM)
    report = hall_import.report
    assert report.count("building elements") == 3  # the wall, the column and the room
    assert report.count("equipment") == 1 + len(CONVEYOR_X) + 2
    assert site.footprint == []  # a wall and a column apart, no floor: nothing says where the edge is


def test_an_equipment_put_on_the_imported_column_is_flagged(hall_import):
    document = hall_import.document
    site = document.sites[0]
    cell = site.areas[0].lines[0].cells[0]
    cell.equipment.append(Equipment("on-column", "Robot on column", "robot_6axis", Pose(20.2, 10.2, 0.0)))
    library = builtin_library()
    checker = LayoutChecker(document, library, site)
    kinds = {v.kind for v in checker.current() if "on-column" in v.ids}
    assert "column" in kinds
    cell.equipment.pop()


def test_the_file_heights_option_keeps_the_storeys_own_height(hall, registry):
    kept = import_plant(hall, registry=registry, options={"z_origin": "file"})
    press = named(kept.document, "Press 1")
    assert press.pose.z == pytest.approx(STOREY_Z, abs=MM)
    wall = next(e for e in kept.document.sites[0].building if e.kind == BuildingKind.WALL)
    assert wall.base == pytest.approx(STOREY_Z, abs=MM)


def test_an_imported_ifc_saves_and_loads_back_with_its_meshes(hall_import, tmp_path):
    target = tmp_path / "hall.mtplant.json"
    place_files(hall_import.document, hall_import.assets, tmp_path)
    save_document(hall_import.document, target)
    loaded = load_document(target)
    press = named(loaded, "Press 1")
    kind = loaded.types[press.type]
    assert (tmp_path / kind.mesh).is_file()
    assert MeshCache().load(tmp_path / kind.mesh).extents == pytest.approx((1.0, 0.6, 0.8), abs=MM)


# ---------------------------------------------------------------- the real files


def expected_counts(path: Path) -> dict[str, int]:
    model = ifcopenshell.open(str(path))
    return {
        "equipment": len(by_types(model, EQUIPMENT_CLASSES)),
        "building elements": len(by_types(model, BUILDING_CLASSES)),
        "area": len(model.by_type("IfcBuildingStorey")),
        "links": len(model.by_type("IfcRelConnectsPorts")),
    }


@pytest.mark.parametrize("name", ["Architectural.ifc", "MEP.ifc"])
def test_the_real_files_report_counts_that_match_the_file(name, registry):
    path = needs(DATA / name)
    imported = import_plant(path, registry=registry)
    expected = expected_counts(path)
    report = imported.report
    assert report.format == "IFC2X3"
    assert report.count("site") == 1
    for what, count in expected.items():
        assert report.count(what) == count, what
    document = imported.document
    assert sum(1 for _ in document.iter_equipment()) == expected["equipment"]
    building_ids = {e.id.split(".part")[0] for s in document.sites for e in s.building}
    assert len(building_ids) == expected["building elements"]
    assert len(document.links) == expected["links"]
    assert report.count("meshes") == sum(1 for t in document.types.values() if t.mesh) == len(imported.assets)


def test_the_architectural_model_is_a_building_with_its_storey_floor_at_zero(registry):
    path = needs(ARCHITECTURAL)
    imported = import_plant(path, registry=registry)
    site = imported.document.sites[0]
    walls = [e for e in site.building if e.kind == BuildingKind.WALL]
    slabs = [e for e in site.building if e.kind == BuildingKind.SLAB]
    assert len(walls) >= 15 and len(slabs) == 1
    assert slabs[0].base == pytest.approx(0.0, abs=MM)  # the storey at 5.75 m is height zero
    model = ifcopenshell.open(str(path))
    slab = model.by_type("IfcSlab")[0]
    world = world_vertices(path, slab)
    outline = np.asarray(slabs[0].outline)
    assert outline.min(axis=0) == pytest.approx(world[:, :2].min(axis=0), abs=MM)
    assert outline.max(axis=0) == pytest.approx(world[:, :2].max(axis=0), abs=MM)
    assert slabs[0].height == pytest.approx(np.ptp(world[:, 2]), abs=MM)
    # The site's outline is the building's: it holds every wall.
    footprint = shapely.Polygon(site.footprint).buffer(0.01)
    assert all(footprint.contains(shapely.Polygon(w.outline)) for w in walls)
    proxy = next(p.equipment for p in imported.document.iter_equipment())
    assert footprint.contains(shapely.Point(proxy.pose.x, proxy.pose.y))


def test_tilted_ducts_of_the_mep_file_are_drawn_where_ifcopenshell_has_them(registry, tmp_path):
    path = needs(MEP)
    imported = import_plant(path, registry=registry)
    model = ifcopenshell.open(str(path))
    storey_z = ifcopenshell.util.placement.get_local_placement(model.by_type("IfcBuildingStorey")[0].ObjectPlacement)
    for element in by_types(model, EQUIPMENT_CLASSES):
        expected = world_vertices(path, element) - [0.0, 0.0, storey_z[2, 3]]
        drawn = drawn_vertices(imported, element.GlobalId, tmp_path)
        assert drawn.min(axis=0) == pytest.approx(expected.min(axis=0), abs=MM), element.Name
        assert drawn.max(axis=0) == pytest.approx(expected.max(axis=0), abs=MM), element.Name
        equipment = find(imported.document, element.GlobalId)
        assert (equipment.pose.pitch, equipment.pose.roll) == (0.0, 0.0)  # the tilt is in the mesh, the yaw kept


def test_mep_property_sets_of_the_type_and_the_occurrence_are_both_kept(registry):
    path = needs(MEP)
    imported = import_plant(path, registry=registry)
    model = ifcopenshell.open(str(path))
    for element in model.by_type("IfcFlowSegment"):
        equipment = find(imported.document, element.GlobalId)
        values = {p.name: p.value for p in equipment.parameters}
        for set_name, properties in ifcopenshell.util.element.get_psets(element).items():
            for prop, value in properties.items():
                if prop == "id" or value is None:
                    continue
                got = values[f"{set_name}/{prop}"]
                if isinstance(value, list):
                    assert got == "; ".join(str(v) for v in value)
                elif isinstance(value, float):
                    assert got == pytest.approx(value)  # the file is in metres: no conversion
                else:
                    assert got == value


# ---------------------------------------------------------------- bad files


def head_of_mep_like(schema: str = "IFC2X3") -> bytes:
    return textwrap.dedent(
        f"""\
        ISO-10303-21;
        HEADER;
        FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
        FILE_NAME('x.ifc','2026-12-06T00:00:00',(''),(''),'','','');
        FILE_SCHEMA(('{schema}'));
        ENDSEC;
        DATA;
        #1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,$);
        ENDSEC;
        END-ISO-10303-21;
        """
    ).encode()


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.ifc", head_of_mep_like())
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "file", "the file is empty"),
    "text": (b"hello, this is a note\n", "line 1", "not an IFC STEP file"),
    "binary": (bytes(range(256)) * 8, "line 1", "binary data"),
    "ifcxml": (b'<?xml version="1.0"?>\n<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4"/>', "line 1",
               "ifcXML"),
    "zip": (zipped(), "line 1", "ZIP archive"),
    "schema": (head_of_mep_like("IFC9X9"), "line 5", "unknown IFC schema 'IFC9X9'"),
    "no schema": (head_of_mep_like().replace(b"FILE_SCHEMA(('IFC2X3'));\n", b""), "HEADER", "no FILE_SCHEMA"),
    "broken entity": (head_of_mep_like().replace(b"IFCPROJECT(", b"IFCPROJECT((", 1), "line", "not valid IFC STEP"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_gives_a_message_naming_the_file_and_the_place(case, tmp_path, registry):
    data, where, words = BAD_FILES[case]
    path = tmp_path / f"{case.replace(' ', '_')}.ifc"
    path.write_bytes(data)
    with pytest.raises(PlantFileError) as caught:
        import_plant(path, registry=registry)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    assert problem.where.startswith(where), problem
    assert words in problem.message, problem


def test_a_truncated_file_names_the_line_and_entity_it_ends_in(tmp_path, registry):
    data = needs(MEP).read_bytes()
    segment = data.index(b"=IFCFLOWSEGMENT(")
    cut = data[: segment + 30]  # in the middle of a duct's entity
    path = tmp_path / "truncated.ifc"
    path.write_bytes(cut)
    with pytest.raises(PlantFileError) as caught:
        import_plant(path, registry=registry)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    lines = cut.rstrip().count(b"\n") + 1
    assert problem.where == f"line {lines}"
    last_entity = data[data.rindex(b"#", 0, segment) + 1 : segment].decode()
    assert f"truncated: it ends in entity #{last_entity}" in problem.message


def test_a_crash_in_the_import_worker_is_a_message_and_this_process_carries_on(tmp_path, monkeypatch):
    """A reader that takes its process down (as ifcopenshell's geometry iterator does on some files): run
    isolated, the crash is reported naming the file; the caller's process is untouched."""
    module = tmp_path / "crashing_ifc_reader.py"
    module.write_text(
        textwrap.dedent(
            """\
            import os


            class CrashingReader:
                name = "crashing"
                title = "Crashing IFC"
                suffixes = (".ifc",)
                isolated = True

                def sniff(self, head):
                    return False

                def read(self, request):
                    os.abort()
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    manifest = PluginManifest(
        name="crashing",
        version="0.1",
        contributions=(Contribution("importer", "crashing", "crashing_ifc_reader:CrashingReader", "", (".ifc",)),),
    )
    registry = PluginRegistry(manifests={manifest.name: manifest})
    path = tmp_path / "model.ifc"
    path.write_bytes(head_of_mep_like())
    with pytest.raises(PlantFileError) as caught:
        open_plant(path, registry=registry)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    assert "the Crashing IFC importer crashed (SIGABRT)" in problem.message
    assert "the open plant is unchanged" in problem.message


def test_the_height_choice_is_offered_and_a_cancel_stops_the_read(hall, registry):
    from viewer.app.opening import OpenCancelledError, ReadRequest, import_options

    options = import_options(hall, registry)
    assert [(o.key, o.default, o.choices) for o in options] == [
        ("z_origin", "lowest-storey", ("lowest-storey", "file"))
    ]
    reader = registry.load("importer", "ifc")()
    request = ReadRequest(hall, hall.read_bytes(), builtin_library(), lambda fraction, stage: None, lambda: True)
    with pytest.raises(OpenCancelledError):
        reader.read(request)


def test_the_building_outline_is_the_rooms_edge_the_hull_of_walls_that_do_not_close_or_none_when_scattered():
    from mothertwin_formats.ifc.geometry import building_outline

    def wall(x0, y0, x1, y1):
        return shapely.box(x0, y0, x1, y1)

    room = [wall(0, 0, 20, 0.3), wall(0, 9.7, 20, 10), wall(0, 0, 0.3, 10), wall(19.7, 0, 20, 10)]
    closed = shapely.Polygon(building_outline(room))
    assert closed.area == pytest.approx(200.0, rel=0.01)  # the room's floor, not the walls' own 18 m2
    open_room = room[:3]  # the east wall missing: the walls enclose nothing
    hull = shapely.Polygon(building_outline(open_room))
    assert hull.area == pytest.approx(200.0, rel=0.01)
    assert building_outline([]) == []
    apart = [wall(0, 0, 5, 0.2), wall(20, 10, 20.4, 10.4)]  # a wall and a column
    assert building_outline(apart) == []
    wings = shapely.Polygon(building_outline([wall(0, 0, 10, 10), wall(20, 0, 30, 10)], has_floor=True))
    assert wings.area == pytest.approx(300.0, rel=0.01)  # two slabs apart: the hull over both


def test_a_wall_without_geometry_is_left_out_with_a_warning_and_counted_as_skipped(hall, hall_import):
    ghost = ifcopenshell.open(str(hall)).by_type("IfcWall")[-1]
    assert ghost.Name == "Ghost wall"
    assert all(e.name != "Ghost wall" for e in hall_import.document.sites[0].building)
    warnings = [p for p in hall_import.problems if p.where == f"entity #{ghost.id()} (IfcWall 'Ghost wall')"]
    assert [w.message for w in warnings] == ["no geometry to take a plan outline from: the wall is left out"]
    skipped = [(r.what, r.count) for r in hall_import.report.skipped if "no geometry" in r.source]
    assert skipped == [("IfcWall", 1)]


def box_triangles(lo, hi) -> np.ndarray:
    import trimesh

    box = trimesh.creation.box(bounds=np.array([lo, hi], dtype=float))
    return np.asarray(box.triangles)


def test_a_wall_is_cut_as_a_floor_plan_so_a_doorway_is_a_gap_and_an_open_shape_keeps_its_footprint():
    from mothertwin_formats.ifc.geometry import wall_polygons

    # A 3 m wall, 0.2 m thick, with a 1 m wide door from the floor to 2 m (the lintel above it).
    piers = [box_triangles((0, 0, 0), (1, 0.2, 3)), box_triangles((2, 0, 0), (3, 0.2, 3))]
    lintel = box_triangles((1, 0, 2), (2, 0.2, 3))
    outline = shapely.union_all(wall_polygons(np.concatenate([*piers, lintel])))
    assert outline.area == pytest.approx(0.4, abs=1e-6)  # the two piers: 2 x 1 m x 0.2 m
    assert not outline.contains(shapely.Point(1.5, 0.1))  # one walks through the doorway
    assert outline.contains(shapely.Point(0.5, 0.1))
    # A shape that is not closed (a face missing) cannot be cut: its whole footprint stands.
    open_shape = np.concatenate([piers[0][:-2], piers[1], lintel])
    assert shapely.union_all(wall_polygons(open_shape)).area == pytest.approx(0.6, abs=1e-6)


def test_the_architectural_walls_have_their_doorway_open(registry):
    path = needs(ARCHITECTURAL)
    imported = import_plant(path, registry=registry)
    model = ifcopenshell.open(str(path))
    door = model.by_type("IfcDoor")[0]
    host = door.FillsVoids[0].RelatingOpeningElement.VoidsElements[0].RelatingBuildingElement
    door_xy = world_vertices(path, door)[:, :2].mean(axis=0)
    wall = [e for e in imported.document.sites[0].building if e.id.split(".part")[0] == host.GlobalId]
    assert wall and all(e.kind == BuildingKind.WALL for e in wall)
    assert not any(shapely.Polygon(e.outline).contains(shapely.Point(*door_xy)) for e in wall)
    whole = shapely.MultiPoint(world_vertices(path, host)[:, :2]).convex_hull
    assert whole.contains(shapely.Point(*door_xy))  # the wall's own shape spans the doorway


def test_every_storey_is_an_area_lowest_first(hall_import):
    site = hall_import.document.sites[0]
    assert [a.name for a in site.areas] == ["Ground", "Upper"]
    assert hall_import.report.count("area") == 2
    assert sorted(line.name for line in site.areas[0].lines) == ["Equipment", "R1 Office", "Supply air"]
    assert site.areas[1].lines == []


def test_lines_are_the_system_an_element_belongs_to_else_the_room_it_stands_in(hall_import):
    document = hall_import.document
    where = {p.equipment.name: (p.line.name, p.cell.name) for p in document.iter_equipment()}
    assert where["Diffuser"] == ("Supply air", "Air terminals")  # its system before its room
    assert where["Desk"] == ("R1 Office", "Furniture")
    assert where["Press 1"] == ("Equipment", "Building element proxies")
    room = next(e for e in document.sites[0].building if e.kind == BuildingKind.SPACE)
    assert np.asarray(room.outline).min(axis=0) == pytest.approx((40.0, 0.0), abs=MM)
    assert hall_import.report.count("line") == 3

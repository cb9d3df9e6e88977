"""AutomationML import and export: the real CaseStudy_A.aml placed as its frames say, the report's counts
against the file (counted here with plain lxml XPath), and plants exported and imported back unchanged."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import trimesh
from lxml import etree
from scipy.spatial.transform import Rotation

from viewer.app.exporting import export_plant
from viewer.app.importing import import_plant
from viewer.formats import (
    Equipment,
    EquipmentType,
    Footprint,
    MaterialLink,
    Parameter,
    Pose,
    cell_world_matrices,
    equipment_world_matrices,
)
from viewer.io import builtin_library, load_document
from viewer.io.meshes import load_mesh
from viewer.io.plant_json import document_to_dict, plant_schema_check
from viewer.model.synthetic import generate_plant
from viewer.sensors.plugins import PluginRegistry

CASE_STUDY = Path(__file__).resolve().parents[2] / "shared" / "data" / "automationml" / "CaseStudy_A.aml"
if not CASE_STUDY.exists():
    CASE_STUDY = Path("/work/shared/data/automationml/CaseStudy_A.aml")
DEMO = Path(__file__).resolve().parents[1] / "assets" / "demo" / "battery-plant.mtplant.json"
NS = {"c": "http://www.dke.de/CAEX"}
LEVEL_ROLES = ("Enterprise", "Site", "Area", "ProductionLine", "WorkCell")
needs_case_study = pytest.mark.skipif(not CASE_STUDY.exists(), reason="shared data CaseStudy_A.aml not present")


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


@pytest.fixture(scope="module")
def case_study(registry):
    return import_plant(CASE_STUDY, registry=registry)


def _writer(registry):
    from viewer.app.exporting import find_writer

    return find_writer(registry, "aml")


# ---------------------------------------------------------------- the real file, counted independently


def _roles(element) -> list[str]:
    return [r.get("RefBaseRoleClassPath") or "" for r in element.xpath("c:RoleRequirements", namespaces=NS)]


def _frame(element) -> np.ndarray:
    """The element's Frame as a 4x4 matrix: rotations about fixed x, then y, then z (scipy's extrinsic 'xyz')."""
    matrix = np.eye(4)
    frame = element.xpath("c:Attribute[@Name='Frame']", namespaces=NS)
    if not frame:
        return matrix
    values = {k: 0.0 for k in ("x", "y", "z", "rx", "ry", "rz")}
    for attribute in frame[0].xpath("c:Attribute", namespaces=NS):
        values[attribute.get("Name")] = float(attribute.findtext("c:Value", namespaces=NS))
    matrix[:3, :3] = Rotation.from_euler("xyz", [values["rx"], values["ry"], values["rz"]], degrees=True).as_matrix()
    matrix[:3, 3] = (values["x"], values["y"], values["z"])
    return matrix


def _world(element) -> np.ndarray:
    chain = [element, *element.iterancestors("{http://www.dke.de/CAEX}InternalElement")]
    matrix = np.eye(4)
    for each in reversed(chain):
        matrix = matrix @ _frame(each)
    return matrix


@needs_case_study
def test_every_framed_element_of_the_case_study_is_where_its_frames_say(case_study):
    tree = etree.parse(str(CASE_STUDY))
    document = case_study.document
    placed = dict(zip([p.equipment.id for p in document.iter_equipment()], equipment_world_matrices(document),
                      strict=True))  # fmt: skip
    placed |= cell_world_matrices(document)
    framed = tree.xpath("//c:InstanceHierarchy//c:InternalElement[c:Attribute[@Name='Frame']]", namespaces=NS)
    frame_only = [e for e in framed if _roles(e) and all(r.endswith("/Frame") for r in _roles(e))]
    checked = 0
    for element in framed:
        if element in frame_only:
            continue
        assert element.get("ID") in placed, element.get("Name")
        expected, got = _world(element), placed[element.get("ID")]
        assert np.linalg.norm(got[:3, 3] - expected[:3, 3]) < 0.001, element.get("Name")
        assert np.allclose(got[:3, :3], expected[:3, :3], atol=1e-6), element.get("Name")
        checked += 1
    assert checked == len(framed) - len(frame_only) == 129
    # A robot turned about three axes, composed below its parents: spot checks of the conversion itself
    robot = tree.xpath("//c:InternalElement[@Name='030GRF341']", namespaces=NS)[0]
    assert np.allclose(placed[robot.get("ID")][:3, 3], _world(robot)[:3, 3], atol=1e-9)


@needs_case_study
def test_case_study_report_counts_match_the_file(case_study):
    tree = etree.parse(str(CASE_STUDY))
    report = case_study.report
    document = case_study.document
    elements = tree.xpath("//c:InstanceHierarchy//c:InternalElement", namespaces=NS)
    levels = [e for e in elements if any(r.rsplit("/", 1)[-1] in LEVEL_ROLES for r in _roles(e))]
    frames = [e for e in elements if _roles(e) and all(r.endswith("/Frame") for r in _roles(e))]
    level_set = set(levels)
    groups = [e for e in elements if e not in level_set and any(d in level_set for d in e.iterdescendants())]
    equipment = [e for e in elements if e not in level_set and e not in frames and e not in groups]
    assert report.count("equipment") == len(equipment) == document.equipment_count() == 448
    assert {p.equipment.id for p in document.iter_equipment()} == {e.get("ID") for e in equipment}
    # Parameters: every attribute with a value of an equipment element, the Frame aside
    values = sum(len(e.xpath("c:Attribute[@Name!='Frame']/descendant-or-self::c:Attribute[c:Value]", namespaces=NS))
                 for e in equipment)  # fmt: skip
    assert report.count("parameters") == values == sum(len(p.equipment.parameters) - _nested(p.equipment)
                                                       for p in document.iter_equipment())  # fmt: skip
    links = tree.xpath("//c:InstanceHierarchy//c:InternalLink", namespaces=NS)
    assert report.count("links") == len(links) == len(document.links) == 169
    # Each level: by role where the file has it, plus the levels made for elements without one above them
    for level, role in (("site", "Site"), ("area", "Area"), ("line", "ProductionLine"), ("cell", "WorkCell")):
        by_role = [r for r in report.mapped if r.what == level and "role" in r.source]
        assert sum(r.count for r in by_role) == sum(1 for e in levels if any(x.endswith("/" + role) for x in _roles(e)))
    assert report.count("site") == len(document.sites) == 1
    assert report.count("cell") == sum(len(li.cells) for s in document.sites for a in s.areas for li in a.lines) == 4
    skipped = {r.source: r.count for r in report.skipped}
    assert skipped["role class Frame: reference frames, no geometry (frames composed)"] == len(frames) == 106
    # Meshes: one type per mesh reference, a box and one warning per missing file
    references = {
        v.split("#")[0]
        for v in tree.xpath(
            "//c:InstanceHierarchy//c:ExternalInterface[contains(@RefBaseClassPath, 'COLLADAInterface')]"
            "/c:Attribute[@Name='refURI']/c:Value/text()",
            namespaces=NS,
        )
    }
    missing = [p for p in case_study.problems if "mesh file" in p.message and "not found" in p.message]
    assert len(missing) == len(references) == next(r.count for r in report.skipped if r.what == "mesh files")
    fence = document.types["Pfosten.1_Rep"]
    assert (fence.mesh, fence.footprint) == ("", Footprint(1.0, 1.0, 1.0))
    assert document.enterprise.name == "CarManufacturer"
    assert plant_schema_check().problems(document_to_dict(document), "x") == []


def _nested(equipment: Equipment) -> int:
    return sum(1 for p in equipment.parameters if p.name == "AutomationML parent")


@needs_case_study
def test_elements_inside_equipment_keep_their_parent(case_study):
    tree = etree.parse(str(CASE_STUDY))
    by_id = {p.equipment.id: p.equipment for p in case_study.document.iter_equipment()}
    robot = tree.xpath("//c:InternalElement[@Name='030RB_100_KR240R2700prime_']", namespaces=NS)[0]
    wrist = robot.xpath("c:InternalElement[@Name='KRxxxRultra.6.1']", namespaces=NS)[0]
    parameters = {p.name: p.value for p in by_id[wrist.get("ID")].parameters}
    assert parameters["AutomationML parent"] == robot.get("ID")
    assert by_id[robot.get("ID")].type == "KR240R2700prime_2_Product"


@needs_case_study
def test_case_study_exports_and_imports_back(case_study, registry, tmp_path):
    out = tmp_path / "case.aml"
    export_plant(case_study.document, out, _writer(registry))
    again = import_plant(out, registry=registry)
    _assert_same_plant(case_study.document, again.document)
    # the nesting was rebuilt: the wrist is an InternalElement inside the robot again
    tree = etree.parse(str(out))
    wrist = tree.xpath("//c:InternalElement[@ID='AF138E59-0000-17AC-556E-B84F0000325B']", namespaces=NS)[0]
    assert wrist.getparent().get("Name") == "030RB_100_KR240R2700prime_"


# ---------------------------------------------------------------- round trips of MotherTwin plants


def _matrices(document) -> dict[str, np.ndarray]:
    return dict(zip([p.equipment.id for p in document.iter_equipment()], equipment_world_matrices(document),
                    strict=True))  # fmt: skip


def _assert_same_plant(before, after) -> None:
    assert (after.enterprise.id, after.enterprise.name) == (before.enterprise.id, before.enterprise.name)
    tree = [(s.id, s.name, [(a.id, a.name, [(li.id, li.name, [(c.id, c.name) for c in li.cells]) for li in a.lines])
                             for a in s.areas]) for s in before.sites]  # fmt: skip
    assert [(s.id, s.name, [(a.id, a.name, [(li.id, li.name, [(c.id, c.name) for c in li.cells]) for li in a.lines])
             for a in s.areas]) for s in after.sites] == tree  # fmt: skip
    first, second = list(before.iter_equipment()), list(after.iter_equipment())
    assert [(p.equipment.id, p.equipment.name, p.equipment.type) for p in second] == [
        (p.equipment.id, p.equipment.name, p.equipment.type) for p in first
    ]
    for a, b in zip(first, second, strict=True):
        assert sorted((p.name, p.value, p.unit, type(p.value)) for p in b.equipment.parameters) == sorted(
            (p.name, p.value, p.unit, type(p.value)) for p in a.equipment.parameters
        ), a.equipment.id
        assert (b.equipment.scale, b.equipment.mother_id) == (a.equipment.scale, a.equipment.mother_id)
    old, new = _matrices(before), _matrices(after)
    for ident, matrix in old.items():
        assert np.linalg.norm(new[ident][:3, 3] - matrix[:3, 3]) < 0.001, ident
        assert np.allclose(new[ident][:3, :3], matrix[:3, :3], atol=1e-7), ident
    for kind in (s for s in before.sites):
        other = after.site_by_name(kind.id)
        assert (other.country, other.timezone, other.latitude, other.longitude) == (
            kind.country, kind.timezone, kind.latitude, kind.longitude)  # fmt: skip
    assert set(after.types) == set(before.types)
    for name, kind in before.types.items():
        got = after.types[name]
        assert (got.title, got.category, got.footprint, got.color, got.clearance) == (
            kind.title, kind.category, kind.footprint, kind.color, kind.clearance)  # fmt: skip
        assert sorted((p.name, p.value, p.unit) for p in got.parameters) == sorted(
            (p.name, p.value, p.unit) for p in kind.parameters
        )
        assert (got.mesh_path().resolve() if got.mesh else None) == (kind.mesh_path().resolve() if kind.mesh else None)
    assert [(k.id, k.name, k.side_a, k.side_b) for k in after.links] == [
        (k.id, k.name, k.side_a, k.side_b) for k in before.links
    ]


def test_demo_plant_exports_and_imports_back_the_same(registry, tmp_path):
    document = load_document(DEMO)
    equipment = [p.equipment for p in document.iter_equipment()]
    document.links = [
        MaterialLink("flow-1", "slurry to coater", f"{equipment[0].id}:out", f"{equipment[1].id}:in"),
        MaterialLink("flow-2", "coater to press", f"{equipment[1].id}:out", f"{equipment[2].id}:in"),
    ]
    equipment[3].pose = Pose(1.5, -2.25, 0.3, yaw=33.0, pitch=-12.0, roll=4.5)
    equipment[4].scale = (1.0, 2.0, 0.5)
    equipment[5].parameters.append(Parameter("enabled", True))
    equipment[5].parameters.append(Parameter("recipe", "NCM811 v3"))
    out = tmp_path / "export" / "demo.aml"
    out.parent.mkdir()
    written = export_plant(document, out, _writer(registry))
    assert written == [out.resolve()]
    result = import_plant(out, registry=registry)
    _assert_same_plant(document, result.document)
    assert result.report.count("equipment") == document.equipment_count()
    assert result.report.count("parameters") == sum(len(e.parameters) for e in equipment)
    assert result.report.count("links") == 2
    assert [r.source for r in result.report.mapped if r.what == "cell"] == ["InternalElements with that role class"]


def test_synthetic_plant_with_its_own_types_and_nested_equipment_round_trips(registry, tmp_path):
    library = builtin_library()
    document = generate_plant(library, 400, seed=3)
    mesh_folder = tmp_path / "source"
    mesh_folder.mkdir()
    trimesh.creation.box((2.0, 1.0, 0.5)).export(mesh_folder / "press.dae")
    document.types["custom_press"] = EquipmentType(
        "custom_press", "Custom press", "press", Footprint(2.0, 1.0, 0.5), mesh="press.dae", color=(10, 20, 30),
        parameters=[Parameter("force", 120.0, "kN")], clearance=0.5, base_dir=mesh_folder,
    )  # fmt: skip
    cell = document.sites[0].areas[0].lines[0].cells[0]
    cell.pose = Pose(3.0, 4.0, 0.0, yaw=90.0)
    parent, child, grandchild = cell.equipment[:3]
    parent.type = "custom_press"
    parent.pose = Pose(1.0, 2.0, 0.5, yaw=30.0, pitch=10.0, roll=-5.0)
    child.parameters.append(Parameter("AutomationML parent", parent.id))
    child.pose = Pose(2.0, 2.5, 1.0, yaw=-120.0, pitch=90.0, roll=0.0)  # straight up: the gimbal-lock case
    grandchild.parameters.append(Parameter("AutomationML parent", child.id))
    grandchild.pose = Pose(2.2, 2.0, 1.4, yaw=10.0, pitch=20.0, roll=30.0)
    grandchild.mother_id = "OC-ELE1-MIX-01"
    out = tmp_path / "out" / "synthetic.aml"
    out.parent.mkdir()
    export_plant(document, out, _writer(registry))
    tree = etree.parse(str(out))
    nested = tree.xpath(f"//c:InternalElement[@ID='{grandchild.id}']", namespaces=NS)[0]
    assert [e.get("ID") for e in nested.iterancestors()][:2] == [child.id, parent.id]
    refuri = tree.xpath("//c:SystemUnitClass[@Name='custom_press']/c:ExternalInterface/c:Attribute[@Name='refURI']"
                        "/c:Value/text()", namespaces=NS)  # fmt: skip
    assert refuri == ["../source/press.dae"]
    result = import_plant(out, registry=registry)
    _assert_same_plant(document, result.document)
    kind = result.document.types["custom_press"]
    assert sorted(load_mesh(kind.mesh_path()).extents) == pytest.approx([0.5, 1.0, 2.0])  # the file loads
    assert result.report.count("meshes") >= 1


def test_export_of_one_line_holds_that_line_only(registry, tmp_path):
    document = load_document(DEMO)
    site = document.sites[0]
    line = site.areas[0].lines[0]
    out = tmp_path / "line.aml"
    export_plant(document, out, _writer(registry), site, line)
    result = import_plant(out, registry=registry)
    lines = [li for s in result.document.sites for a in s.areas for li in a.lines]
    assert [(li.id, li.name) for li in lines] == [(line.id, line.name)]
    assert result.document.equipment_count() == sum(len(c.equipment) for c in line.cells)


# ---------------------------------------------------------------- the file is CAEX 3.0

# The CAEX 3.0 schema's child sequences (CAEX_ClassModel_V.3.0.xsd) for the elements the writer makes.
SEQUENCES = {
    "CAEXFile": ["SuperiorStandardVersion", "SourceDocumentInformation", "ExternalReference", "InstanceHierarchy",
                 "InterfaceClassLib", "RoleClassLib", "SystemUnitClassLib", "AttributeTypeLib"],
    "InstanceHierarchy": ["Description", "Version", "InternalElement"],
    "InternalElement": ["Description", "Attribute", "ExternalInterface", "InternalElement", "SupportedRoleClass",
                        "InternalLink", "RoleRequirements", "MappingObject"],
    "SystemUnitClass": ["Description", "Attribute", "ExternalInterface", "InternalElement", "SupportedRoleClass",
                        "InternalLink", "SystemUnitClass"],
    "SystemUnitClassLib": ["Description", "Version", "SystemUnitClass"],
    "RoleClassLib": ["Description", "Version", "RoleClass"],
    "RoleClass": ["Description", "Attribute", "ExternalInterface", "RoleClass"],
    "InterfaceClassLib": ["Description", "Version", "InterfaceClass"],
    "InterfaceClass": ["Description", "Attribute", "ExternalInterface", "InterfaceClass"],
    "ExternalInterface": ["Description", "Attribute", "ExternalInterface"],
    "Attribute": ["Description", "DefaultValue", "Value", "RefSemantic", "Constraint", "Attribute"],
}  # fmt: skip
REQUIRED = {
    "CAEXFile": ("FileName", "SchemaVersion"),
    "SourceDocumentInformation": ("OriginName", "OriginID", "OriginVersion", "LastWritingDateTime"),
    "InstanceHierarchy": ("Name",),
    "InternalElement": ("Name", "ID"),
    "ExternalInterface": ("Name", "ID"),
    "InternalLink": ("Name", "RefPartnerSideA", "RefPartnerSideB"),
    "SystemUnitClass": ("Name",),
    "RoleClass": ("Name",),
    "InterfaceClass": ("Name",),
    "Attribute": ("Name",),
    "RoleRequirements": ("RefBaseRoleClassPath",),
    "SupportedRoleClass": ("RefRoleClassPath",),
}


def _class_paths(root, lib: str, kind: str) -> set[str]:
    out = set()
    for library in root.xpath(f"c:{lib}", namespaces=NS):
        for element in library.iter(f"{{{NS['c']}}}{kind}"):
            names = [a.get("Name") for a in element.iterancestors() if a.tag.endswith(kind)][::-1]
            out.add("/".join([library.get("Name"), *names, element.get("Name")]))
    return out


def test_exported_file_keeps_the_caex_3_structure(registry, tmp_path):
    document = load_document(DEMO)
    equipment = [p.equipment for p in document.iter_equipment()]
    document.links = [MaterialLink("k1", "flow", f"{equipment[0].id}:out", f"{equipment[1].id}:in")]
    out = tmp_path / "demo.aml"
    export_plant(document, out, _writer(registry))
    root = etree.parse(str(out)).getroot()
    assert root.tag == "{http://www.dke.de/CAEX}CAEXFile" and root.get("SchemaVersion") == "3.0"
    assert root.get("FileName") == "demo.aml"
    for element in root.iter(etree.Element):
        local = etree.QName(element).localname
        assert etree.QName(element).namespace == NS["c"]
        for key in REQUIRED.get(local, ()):
            assert element.get(key), (local, key, element.sourceline)
        order = SEQUENCES.get(local)
        if order is not None:
            positions = [order.index(etree.QName(c).localname) for c in element]
            assert positions == sorted(positions), (local, element.sourceline)
    ids = root.xpath("//@ID")
    assert len(ids) == len(set(ids))
    units = _class_paths(root, "SystemUnitClassLib", "SystemUnitClass")
    assert set(root.xpath("//c:InternalElement/@RefBaseSystemUnitPath", namespaces=NS)) <= units
    roles = _class_paths(root, "RoleClassLib", "RoleClass")
    used = set(root.xpath("//@RefBaseRoleClassPath | //@RefRoleClassPath", namespaces=NS))
    assert used <= roles
    interfaces = _class_paths(root, "InterfaceClassLib", "InterfaceClass")
    assert set(root.xpath("//c:ExternalInterface/@RefBaseClassPath", namespaces=NS)) <= interfaces
    ports = set(root.xpath("//c:ExternalInterface/@ID", namespaces=NS))
    link = root.xpath("//c:InternalLink", namespaces=NS)[0]
    assert {link.get("RefPartnerSideA"), link.get("RefPartnerSideB")} <= ports
    frame = root.xpath(f"//c:InternalElement[@ID='{equipment[0].id}']/c:Attribute[@Name='Frame']", namespaces=NS)[0]
    assert [(a.get("Name"), a.get("Unit")) for a in frame] == [
        ("x", "m"), ("y", "m"), ("z", "m"), ("rx", "deg"), ("ry", "deg"), ("rz", "deg")]  # fmt: skip


def test_frame_conversion_matches_pose_matrix_numerically():
    from mothertwin_formats.aml.caex import frame_matrix, frame_to_pose, matrix_to_frame

    from viewer.formats import pose_matrix

    rng = np.random.default_rng(7)
    for values in [*rng.uniform(-180, 180, (200, 6)), (1, 2, 3, 10, 90, 20), (0, 0, 0, 45, -90, -30)]:
        frame = tuple(float(v) for v in values)
        matrix = frame_matrix(frame)
        expected = Rotation.from_euler("xyz", frame[3:], degrees=True).as_matrix()
        assert np.allclose(matrix[:3, :3], expected, atol=1e-12)
        assert np.allclose(pose_matrix(frame_to_pose(frame)), matrix, atol=1e-12)
        assert np.allclose(frame_matrix(matrix_to_frame(matrix)), matrix, atol=1e-9)
    assert math.isclose(frame_to_pose((0, 0, 0, 1, 2, 3)).yaw, 3)


def test_round_trip_times_for_the_benchmark(tmp_path):
    from mothertwin_formats.aml import round_trip_times

    library = builtin_library()
    document = generate_plant(library, 200, seed=1)
    times = round_trip_times(copy.deepcopy(document), library, tmp_path / "bench.aml")
    assert times.equipment == 200 and times.file_bytes == (tmp_path / "bench.aml").stat().st_size
    assert times.export_s > 0 and times.import_s > 0

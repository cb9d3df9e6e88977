"""glTF 2.0 export (.glb, .gltf) through the shipped format plugin: the Khronos validator finds no error, one node
per level and equipment with names, ids and parameters in `extras`, world positions as the model has them
(turned to Y up), one mesh per type shared by its equipment, the building, what a site or line export holds."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from format_3d_fixtures import CRATE, quaternion_matrix, rich_document

from viewer.app.exporting import ExportError, choose_scope, export_plant, find_writer
from viewer.formats import equipment_world_matrices, load_type_mesh
from viewer.io import load_document
from viewer.sensors.plugins import PluginRegistry, is_shipped

VALIDATOR_SCRIPT = Path(__file__).with_name("gltf_validate.js")
DEFAULT_VALIDATOR = Path("/tmp/gv/node_modules/gltf-validator")
Z_UP_TO_Y_UP = np.array([[1.0, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]])  # (x, y, z) -> (x, z, -y)


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover(allow=is_shipped)


@pytest.fixture(scope="module")
def validator() -> Path:
    folder = Path(os.environ.get("MOTHERTWIN_GLTF_VALIDATOR_DIR", DEFAULT_VALIDATOR))
    if shutil.which("node") is None:
        pytest.skip("node (Node.js) is not on PATH: the Khronos glTF validator runs on it")
    if not (folder / "package.json").is_file():
        pytest.skip(f"the Khronos glTF validator (npm package gltf-validator) is not at {folder}; "
                    "npm install gltf-validator and point MOTHERTWIN_GLTF_VALIDATOR_DIR at its folder")  # fmt: skip
    return folder


def validate(validator: Path, path: Path) -> dict:
    done = subprocess.run(
        [shutil.which("node") or "node", str(VALIDATOR_SCRIPT), str(validator), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_glb(path: Path) -> tuple[dict, bytes]:
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<III", data)
    assert (magic, version, length) == (0x46546C67, 2, len(data))
    json_length, json_kind = struct.unpack_from("<II", data, 12)
    assert json_kind == 0x4E4F534A
    gltf = json.loads(data[20 : 20 + json_length])
    binary = b""
    if 20 + json_length < len(data):
        bin_length, bin_kind = struct.unpack_from("<II", data, 20 + json_length)
        assert bin_kind == 0x004E4942
        binary = data[28 + json_length : 28 + json_length + bin_length]
    return gltf, binary


def accessor_values(gltf: dict, binary: bytes, index: int) -> np.ndarray:
    accessor = gltf["accessors"][index]
    view = gltf["bufferViews"][accessor["bufferView"]]
    start = view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
    return np.frombuffer(binary, "<f4", accessor["count"] * 3, start).reshape(-1, 3)


def node_matrix(node: dict) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = quaternion_matrix(node.get("rotation", [0, 0, 0, 1])) * np.asarray(node.get("scale", [1, 1, 1]))
    m[:3, 3] = node.get("translation", [0, 0, 0])
    return m


def walk(gltf: dict) -> list[tuple[dict, np.ndarray, list[str]]]:
    """Every node with its world matrix and the names of the levels above it."""
    out = []

    def visit(index: int, parent: np.ndarray, above: list[str]) -> None:
        node = gltf["nodes"][index]
        world = parent @ node_matrix(node)
        out.append((node, world, above))
        for child in node.get("children", []):
            visit(child, world, [*above, node.get("extras", {}).get("level", "")])

    for root in gltf["scenes"][gltf["scene"]]["nodes"]:
        visit(root, np.eye(4), [])
    return out


def export(registry: PluginRegistry, document, path: Path, library, **kwargs) -> list[Path]:
    return export_plant(document, path, find_writer(registry, path.suffix), library=library, **kwargs)


def test_exports_of_the_demo_and_a_rich_plant_pass_the_khronos_validator(
    tmp_path, registry, validator, library, demo_path
):
    files = [tmp_path / "demo.glb", tmp_path / "demo.gltf", tmp_path / "rich.glb", tmp_path / "external.gltf"]
    export(registry, load_document(demo_path, library), files[0], library)
    export(registry, load_document(demo_path, library), files[1], library)
    export(registry, rich_document(library), files[2], library)
    written = export(registry, rich_document(library), files[3], library, options={"buffer": "bin"})
    assert [p.name for p in written] == ["external.gltf", "external.bin"]
    for path in files:
        report = validate(validator, path)
        assert report["issues"]["numErrors"] == 0, (path.name, report["issues"]["messages"][:10])
        assert report["issues"]["numWarnings"] == 0, (path.name, report["issues"]["messages"][:10])
        assert report["info"]["totalTriangleCount"] > 0
    assert validate(validator, files[3])["info"]["resources"][0]["storage"] == "external"
    assert validate(validator, files[1])["info"]["resources"][0]["storage"] == "data-uri"
    # The validator really looks: a file with an accessor that runs past its buffer view is an error.
    gltf = json.loads(files[1].read_text())
    gltf["accessors"][0]["count"] += 1000
    broken = tmp_path / "broken.gltf"
    broken.write_text(json.dumps(gltf))
    assert validate(validator, broken)["issues"]["numErrors"] > 0


def test_one_node_per_level_and_equipment_with_names_ids_and_parameters(tmp_path, registry, library):
    document = rich_document(library)
    export(registry, document, tmp_path / "plant.glb", library)
    gltf, _ = read_glb(tmp_path / "plant.glb")
    nodes = walk(gltf)
    by_id = {n.get("extras", {}).get("id"): (n, above) for n, _, above in nodes}
    assert gltf["nodes"][0]["name"] == "Werk Süd" and gltf["nodes"][0]["extras"]["id"] == "ENT-1"
    equipment = [p.equipment for p in document.iter_equipment()]
    exported = [n for n, _, _ in nodes if n.get("extras", {}).get("level") == "equipment"]
    assert len(exported) == len(equipment) == 7
    for item in equipment:
        node, above = by_id[item.id]
        assert node["name"] == item.name and node["extras"]["type"] == item.type
        assert above == ["enterprise", "site", "area", "line", "cell"]
        assert node["extras"]["parameters"] == {
            p.name: ({"value": p.value, "unit": p.unit} if p.unit else {"value": p.value}) for p in item.parameters
        }
    press = by_id["S-1.E/2"][0]["extras"]
    assert press["mother_id"] == "OC-ELE1-PRS-01"
    assert press["parameters"]["rate (1/s)"] == {"value": 2.5, "unit": "1/s"}
    assert press["parameters"]["cleanroom"] == {"value": True} and press["parameters"]["vendor"]["value"] == "Kim & Co"
    levels = [n.get("extras", {}).get("level") for n, _, _ in nodes]
    assert (levels.count("site"), levels.count("area"), levels.count("line"), levels.count("cell")) == (2, 2, 3, 4)
    assert by_id["S-1.C2"][0]["name"] == "Empty cell" and "children" not in by_id["S-1.C2"][0]


def test_world_positions_are_the_models_turned_to_y_up(tmp_path, registry, library):
    document = rich_document(library)
    export(registry, document, tmp_path / "plant.glb", library)
    gltf, _ = read_glb(tmp_path / "plant.glb")
    assert gltf["nodes"][0]["rotation"] == pytest.approx([-0.5**0.5, 0, 0, 0.5**0.5])  # -90 degrees about X
    world_of = {n["extras"]["id"]: w for n, w, _ in walk(gltf) if n.get("extras", {}).get("level") == "equipment"}
    expected = equipment_world_matrices(document)
    for path, matrix in zip(document.iter_equipment(), expected, strict=True):
        scaled = matrix @ np.diag([*path.equipment.scale, 1.0])
        np.testing.assert_allclose(world_of[path.equipment.id], Z_UP_TO_Y_UP @ scaled, atol=1e-6)
    # The mixer, tilted and scaled, stands where the model puts it: its origin in glTF's axes.
    mixer = world_of["S-1.E/1"]
    model = expected[0]
    assert mixer[:3, 3] == pytest.approx([model[0, 3], model[2, 3], -model[1, 3]], abs=1e-6)
    assert np.linalg.norm(mixer[:3, :3], axis=0) == pytest.approx([1.0, 2.0, 1.5])


def test_one_mesh_per_type_shared_by_its_equipment_and_a_box_for_a_type_without_mesh(tmp_path, registry, library):
    document = rich_document(library)
    export(registry, document, tmp_path / "plant.glb", library)
    gltf, binary = read_glb(tmp_path / "plant.glb")
    equipment_nodes = [n for n in gltf["nodes"] if n.get("extras", {}).get("level") == "equipment"]
    mesh_of_type: dict[str, set[int]] = {}
    for node in equipment_nodes:
        mesh_of_type.setdefault(node["extras"]["type"], set()).add(node["mesh"])
    assert all(len(meshes) == 1 for meshes in mesh_of_type.values())
    assert len({next(iter(m)) for m in mesh_of_type.values()}) == len(mesh_of_type) == 5
    crates = [n for n in equipment_nodes if n["extras"]["type"] == "crate"]
    assert len(crates) == 3 and len({n["mesh"] for n in crates}) == 1

    def bounds(mesh_index: int) -> tuple[np.ndarray, np.ndarray]:
        primitives = gltf["meshes"][mesh_index]["primitives"]
        points = np.concatenate([accessor_values(gltf, binary, p["attributes"]["POSITION"]) for p in primitives])
        return points.min(axis=0), points.max(axis=0)

    lo, hi = bounds(crates[0]["mesh"])  # the footprint box, standing on the floor, centred
    fp = CRATE.footprint
    assert lo == pytest.approx([-fp.width / 2, -fp.depth / 2, 0])
    assert hi == pytest.approx([fp.width / 2, fp.depth / 2, fp.height])
    vertices, faces, colors = load_type_mesh(library, "slurry_mixer")
    lo, hi = bounds(next(iter(mesh_of_type["slurry_mixer"])))
    assert lo == pytest.approx(vertices.min(axis=0), abs=1e-5) and hi == pytest.approx(vertices.max(axis=0), abs=1e-5)
    primitives = gltf["meshes"][next(iter(mesh_of_type["slurry_mixer"]))]["primitives"]
    assert sum(gltf["accessors"][p["attributes"]["POSITION"]]["count"] for p in primitives) == 3 * len(faces)
    assert len(primitives) == len(np.unique(colors, axis=0))  # a primitive (and material) per colour
    crate_material = gltf["materials"][gltf["meshes"][crates[0]["mesh"]]["primitives"][0]["material"]]
    assert crate_material["name"] == "#c87828"  # the type's colour (200, 120, 40)


def test_the_building_floor_walls_columns_slabs_and_column_grid_are_nodes(tmp_path, registry, library):
    document = rich_document(library)
    export(registry, document, tmp_path / "plant.glb", library)
    gltf, binary = read_glb(tmp_path / "plant.glb")
    nodes = walk(gltf)
    building = [(n, w) for n, w, above in nodes if n.get("extras", {}).get("level") == "building" and "site" in above]
    kinds = [n["extras"].get("kind") for n, _ in building]
    assert kinds.count("floor") == 2 and kinds.count("wall") == 1 and kinds.count("slab") == 1
    assert kinds.count("column grid") == 1 and kinds.count("column") == 3 * 2 + 1  # the grid's and the model's
    assert "space" not in kinds  # a room is air: not drawn
    names = {n["name"] for n, _ in building}
    assert {"South wall", "Mezzanine", "Floor", "Column grid", "Column 1.1", "Column 3.2"} <= names
    floor = next(n for n, _ in building if n["extras"].get("kind") == "floor" and n["extras"]["id"] == "S-1.floor")
    points = accessor_values(gltf, binary, gltf["meshes"][floor["mesh"]]["primitives"][0]["attributes"]["POSITION"])
    triangles = points.reshape(-1, 3, 3)
    area = 0.5 * np.linalg.norm(np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]), axis=1)
    assert area.sum() == pytest.approx(60 * 30 + 30 * 10)  # the L-shaped footprint
    grid = document.sites[0].column_grid
    grid_columns = [(n, w) for n, w in building if "grid" in n["extras"]]
    columns = sorted((float(w[0, 3]), float(w[2, 3])) for _, w in grid_columns)
    np.testing.assert_allclose(columns, sorted((x, -y) for x, y in grid.positions()), atol=1e-9)  # glTF's axes
    assert all(abs(w[1, 3]) < 1e-9 for _, w in grid_columns)  # standing on the floor
    grid_meshes = {n["mesh"] for n, _ in grid_columns}
    assert len(grid_meshes) == 1  # one column mesh for the whole grid


def test_a_site_or_a_line_exports_alone_and_options_are_checked(tmp_path, registry, library):
    document = rich_document(library)
    site, _ = choose_scope(document, "Second site", None)
    export(registry, document, tmp_path / "site.glb", library, site=site)
    gltf, _ = read_glb(tmp_path / "site.glb")
    ids = {n.get("extras", {}).get("id") for n in gltf["nodes"]}
    assert "S-2.E1" in ids and "S-1" not in ids and "S-1.E/1" not in ids and "S-2.floor" in ids
    site, line = choose_scope(document, None, "Line 2")
    export_plant(document, tmp_path / "line.glb", find_writer(registry, "glb"), site, line, library=library)
    gltf, _ = read_glb(tmp_path / "line.glb")
    levels = [(n["extras"]["level"], n["extras"]["id"]) for n in gltf["nodes"] if "id" in n.get("extras", {})]
    assert [lv for lv in levels if lv[0] == "equipment"] == [("equipment", "S-1.R1")]
    assert ("line", "S-1.L1") not in levels and not any(lv[0] == "building" for lv in levels)
    world = {n["extras"]["id"]: w for n, w, _ in walk(gltf) if "id" in n.get("extras", {})}
    ids = [p.equipment.id for p in document.iter_equipment()]
    robot = equipment_world_matrices(document)[ids.index("S-1.R1")]  # the line keeps its place in the site
    np.testing.assert_allclose(world["S-1.R1"], Z_UP_TO_Y_UP @ robot, atol=1e-6)
    writer = find_writer(registry, "glb")
    export_plant(document, tmp_path / "with.glb", writer, site, line, {"building": "yes"}, library)
    assert any(n.get("extras", {}).get("kind") == "wall" for n in read_glb(tmp_path / "with.glb")[0]["nodes"])
    with pytest.raises(ExportError, match="option building='maybe': expected yes or no"):
        export(registry, document, tmp_path / "bad.glb", library, options={"building": "maybe"})
    with pytest.raises(ExportError, match="option buffer='zip': expected embed or bin"):
        export(registry, document, tmp_path / "bad.gltf", library, options={"buffer": "zip"})
    assert not (tmp_path / "bad.glb").exists() and not (tmp_path / "bad.gltf").exists()


def test_another_reader_opens_the_export(tmp_path, registry, library, demo_path):
    """trimesh (a glTF reader of its own) loads the export with every equipment's geometry in place."""
    import trimesh

    document = load_document(demo_path, library)
    export(registry, document, tmp_path / "demo.glb", library)
    scene = trimesh.load(tmp_path / "demo.glb", force="scene")
    named = {scene.graph[name][1] for name in scene.graph.nodes_geometry}
    assert len(scene.graph.nodes_geometry) >= document.equipment_count()
    assert len(scene.geometry) == len(named)
    lo, hi = scene.bounds  # Y up: the floor at y = 0, the plant towards -z (north)
    footprint = np.asarray(document.sites[0].footprint)
    assert lo[1] == pytest.approx(0.0, abs=1e-3) and hi[1] > 2.0
    assert lo[0] == pytest.approx(footprint[:, 0].min(), abs=0.5)
    assert -hi[2] == pytest.approx(footprint[:, 1].min(), abs=0.5)


def test_the_formats_benchmark_times_and_sizes_each_3d_export(registry, library, capsys):
    from viewer.bench.formats import scene_export_figures
    from viewer.model.synthetic import generate_plant

    figures = scene_export_figures(generate_plant(library, 300, seed=7), library, registry, 300)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["glTF", "export", "(.glb)"], ["OpenUSD", "export", "(.usdc)"], ["OpenUSD", "export", "(.usda)"]
    ]  # fmt: skip
    assert all("(<= 2 s per 10,000 equipment); " in line and line.endswith("MB written") for line in lines)
    assert {k for k in figures if k.endswith("_s")} == {"glb_export_s", "usdc_export_s", "usda_export_s"}
    assert all(figures[k] > 0 for k in figures)


def test_a_type_whose_mesh_cannot_be_read_exports_as_its_footprint_box(tmp_path, library, caplog):
    from viewer.model import EquipmentLibrary, EquipmentType, Footprint

    (tmp_path / "broken.glb").write_bytes(b"not a mesh")
    kinds = EquipmentLibrary({
        "broken": EquipmentType("broken", "Broken", "test", Footprint(2, 1, 1), mesh="broken.glb", base_dir=tmp_path),
        "gone": EquipmentType("gone", "Gone", "test", Footprint(2, 1, 1), mesh="gone.glb", base_dir=tmp_path),
    })  # fmt: skip
    assert load_type_mesh(kinds, "broken") is None and load_type_mesh(kinds, "gone") is None
    messages = [r.getMessage() for r in caplog.records]
    assert any("broken.glb" in m and "type 'broken' exported as its footprint box" in m for m in messages)
    assert any("gone.glb: mesh file not found" in m for m in messages)
    vertices, faces, colors = load_type_mesh(library, "robot_6axis")
    assert len(faces) == len(colors) > 12 and vertices.shape[1] == 3

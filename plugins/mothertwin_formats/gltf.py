"""glTF 2.0 export (.glb binary, .gltf JSON): the plant for other 3D viewers.

What maps to what:
- every level of the hierarchy (plant > site > area > line > cell > equipment) is a node with its transform
  relative to its parent (translation, rotation, scale) and its name; `extras` hold the level, the id, and for
  equipment the type, the mother id and the parameters ({name: {"value", "unit"}});
- one glTF mesh per equipment type (a primitive per colour, one material per colour), referenced by every
  node of that type: the file holds each type's triangles once;
- each site's building under a "Building" node: the floor (the site's footprint), the walls, columns and
  slabs of the building model, and the regular column grid (one column mesh, a node per column);
- metres; the plant's Z-up frame is kept inside and turned to glTF's Y-up by the root node's rotation
  (-90 degrees about X: plant north, +Y, becomes glTF's forward, -Z).

A .gltf holds its buffer as a base64 data URI (one file, written atomically); `--option buffer=bin` writes
it beside the .gltf as <name>.bin instead.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from mothertwin_formats.scene3d import PlantScene, SceneMesh, build_scene
from viewer.formats import ExportError, OpenCancelledError, WriteRequest

BUFFER_OPTION = "buffer"  # .gltf: "embed" (default) or "bin"
Z_UP_TO_Y_UP = [-0.7071067811865476, 0.0, 0.0, 0.7071067811865476]  # x, y, z, w: -90 degrees about X
ARRAY_BUFFER = 34962
FLOAT = 5126
TRIANGLES = 4
GLB_MAGIC, GLB_JSON, GLB_BIN = 0x46546C67, 0x4E4F534A, 0x004E4942


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """glTF colour factors are linear; MotherTwin's colours are sRGB bytes."""
    c = np.asarray(rgb, dtype=float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def quaternions(rotations: np.ndarray) -> np.ndarray:
    """(n, 4) unit quaternions (x, y, z, w) of (n, 3, 3) rotation matrices: per matrix from its largest of
    w, x, y, z (Shepperd's method, which stays exact for half turns), vectorised."""
    (r00, r01, r02), (r10, r11, r12), (r20, r21, r22) = [[rotations[:, i, j] for j in range(3)] for i in range(3)]
    with np.errstate(divide="ignore", invalid="ignore"):
        sw = np.sqrt(np.maximum(1 + r00 + r11 + r22, 0)) * 2  # 4 w
        sx = np.sqrt(np.maximum(1 + r00 - r11 - r22, 0)) * 2  # 4 x
        sy = np.sqrt(np.maximum(1 + r11 - r00 - r22, 0)) * 2
        sz = np.sqrt(np.maximum(1 + r22 - r00 - r11, 0)) * 2
        candidates = np.array(
            [
                [(r21 - r12) / sw, (r02 - r20) / sw, (r10 - r01) / sw, sw / 4],
                [sx / 4, (r01 + r10) / sx, (r02 + r20) / sx, (r21 - r12) / sx],
                [(r01 + r10) / sy, sy / 4, (r12 + r21) / sy, (r02 - r20) / sy],
                [(r02 + r20) / sz, (r12 + r21) / sz, sz / 4, (r10 - r01) / sz],
            ]
        )  # (case, component, matrix)
    by_w = r00 + r11 + r22 > 0
    by_x = ~by_w & (r00 >= r11) & (r00 >= r22)
    by_y = ~by_w & ~by_x & (r11 >= r22)
    case = np.select([by_w, by_x, by_y], [0, 1, 2], 3)
    q = candidates[case, :, np.arange(len(rotations))]
    q[q[:, 3] < 0] *= -1  # the same rotation; w >= 0 reads better
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def decompose(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Translation (n, 3), rotation quaternion (n, 4) and scale (n, 3) of transforms T @ R @ S."""
    linear = matrices[:, :3, :3]
    scale = np.linalg.norm(linear, axis=1)  # the length of each column
    scale[scale == 0] = 1e-12
    rotation = linear / scale[:, None, :]
    mirrored = np.linalg.det(rotation) < 0
    scale[mirrored, 0] *= -1
    rotation[mirrored, :, 0] *= -1
    return matrices[:, :3, 3], quaternions(rotation), scale


class _Buffer:
    """The binary buffer and its views and accessors, each view 4-byte aligned."""

    def __init__(self, gltf: dict[str, Any]) -> None:
        self.gltf = gltf
        self.parts: list[bytes] = []
        self.length = 0

    def add_vec3(self, values: np.ndarray, with_bounds: bool) -> int:
        data = np.ascontiguousarray(values, dtype="<f4")
        view = {"buffer": 0, "byteOffset": self.length, "byteLength": data.nbytes, "target": ARRAY_BUFFER}
        self.parts.append(data.tobytes())
        self.length += data.nbytes
        self.gltf["bufferViews"].append(view)
        accessor: dict[str, Any] = {
            "bufferView": len(self.gltf["bufferViews"]) - 1,
            "componentType": FLOAT,
            "count": len(data),
            "type": "VEC3",
        }
        if with_bounds:
            accessor["min"] = data.min(axis=0).astype(float).tolist()
            accessor["max"] = data.max(axis=0).astype(float).tolist()
        self.gltf["accessors"].append(accessor)
        return len(self.gltf["accessors"]) - 1

    def data(self) -> bytes:
        return b"".join(self.parts)


def _flat_triangles(mesh: SceneMesh) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corner positions (k, 3, 3), face normals (k, 3) and colours (k, 3) of the mesh's triangles that have
    an area (a degenerate one has no normal, and the validator rejects a normal that is not unit length)."""
    corners = mesh.vertices[mesh.faces].astype(np.float32).astype(float)
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1)
    keep = length > 1e-10
    return corners[keep], normals[keep] / length[keep, None], mesh.face_colors[keep]


def _add_meshes(scene: PlantScene, gltf: dict[str, Any], buffer: _Buffer) -> dict[str, int]:
    """One glTF mesh per scene mesh, a primitive per colour; returns the mesh index by scene key."""
    materials: dict[tuple[int, int, int], int] = {}
    index_of: dict[str, int] = {}
    for key, mesh in scene.meshes.items():
        corners, normals, colors = _flat_triangles(mesh)
        if not len(corners):
            continue
        unique, group = np.unique(colors, axis=0, return_inverse=True)
        primitives = []
        for g, rgb in enumerate(unique):
            members = np.flatnonzero(group.ravel() == g)
            color = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
            if color not in materials:
                materials[color] = len(gltf["materials"])
                gltf["materials"].append(_material(color))
            position = buffer.add_vec3(corners[members].reshape(-1, 3), with_bounds=True)
            normal = buffer.add_vec3(np.repeat(normals[members], 3, axis=0), with_bounds=False)
            attributes = {"POSITION": position, "NORMAL": normal}
            primitives.append({"attributes": attributes, "material": materials[color], "mode": TRIANGLES})
        index_of[key] = len(gltf["meshes"])
        gltf["meshes"].append({"name": mesh.name, "primitives": primitives})
    return index_of


def _material(color: tuple[int, int, int]) -> dict[str, Any]:
    linear = [round(float(c), 6) for c in srgb_to_linear(np.array(color))]
    return {
        "name": "#{:02x}{:02x}{:02x}".format(*color),
        "pbrMetallicRoughness": {"baseColorFactor": [*linear, 1.0], "metallicFactor": 0.0, "roughnessFactor": 0.85},
        "doubleSided": True,  # library meshes need not be closed; a layout is looked at from every side
    }


def _add_nodes(scene: PlantScene, gltf: dict[str, Any], mesh_of: dict[str, int]) -> None:
    translation, rotation, scale = decompose(scene.matrices)
    has_translation = np.abs(translation).max(axis=1) > 0
    has_rotation = np.abs(rotation - [0.0, 0.0, 0.0, 1.0]).max(axis=1) > 1e-12
    has_scale = np.abs(scale - 1.0).max(axis=1) > 1e-12
    translations, rotations, scales = translation.tolist(), rotation.tolist(), scale.tolist()
    children = scene.children()
    nodes = gltf["nodes"]
    for i, node in enumerate(scene.nodes):
        out: dict[str, Any] = {"name": node.name}
        if children[i]:
            out["children"] = children[i]
        if node.mesh is not None and node.mesh in mesh_of:
            out["mesh"] = mesh_of[node.mesh]
        if has_translation[i]:
            out["translation"] = translations[i]
        if has_rotation[i]:
            out["rotation"] = rotations[i]
        if has_scale[i]:
            out["scale"] = scales[i]
        if node.extras:
            out["extras"] = node.extras
        nodes.append(out)
    nodes[0]["rotation"] = Z_UP_TO_Y_UP  # the root's own transform is the identity: only the turn to Y up


def _json_bytes(gltf: dict[str, Any], path: Path) -> bytes:
    try:
        return json.dumps(gltf, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except ValueError as exc:
        raise ExportError(f"{path.name}: a value cannot be written as glTF JSON: {exc}") from exc


def _glb(json_part: bytes, binary: bytes) -> bytes:
    json_part += b" " * (-len(json_part) % 4)
    binary += b"\0" * (-len(binary) % 4)
    chunks = struct.pack("<II", len(json_part), GLB_JSON) + json_part
    if binary:
        chunks += struct.pack("<II", len(binary), GLB_BIN) + binary
    return struct.pack("<III", GLB_MAGIC, 2, 12 + len(chunks)) + chunks


class GltfWriter:
    """glTF 2.0: JSON (.gltf) unless the file is a .glb."""

    name = "gltf"
    suffixes = (".gltf", ".glb")
    binary = False  # for a file of neither suffix

    def write(self, request: WriteRequest) -> dict[str, bytes]:
        path = request.path
        suffix = path.suffix.lower()
        binary = suffix == ".glb" or (suffix != ".gltf" and self.binary)
        buffer_mode = request.options.get(BUFFER_OPTION, "embed").lower()
        if buffer_mode not in ("embed", "bin"):
            raise ExportError(f"option {BUFFER_OPTION}={buffer_mode!r}: expected embed or bin")
        scene = build_scene(request)
        if request.cancelled():
            raise OpenCancelledError(f"export of {path.name} cancelled")
        request.progress(0.5, "meshes")
        gltf: dict[str, Any] = {
            "asset": {"version": "2.0", "generator": "MotherTwin"},
            "scene": 0,
            "scenes": [{"name": request.document.enterprise.name, "nodes": [0]}],
            "nodes": [],
            "meshes": [],
            "materials": [],
            "accessors": [],
            "bufferViews": [],
        }
        buffer = _Buffer(gltf)
        mesh_of = _add_meshes(scene, gltf, buffer)
        request.progress(0.7, "nodes")
        _add_nodes(scene, gltf, mesh_of)
        for key in ("meshes", "materials", "accessors", "bufferViews"):
            if not gltf[key]:
                del gltf[key]  # the validator wants no empty arrays
        data = buffer.data()
        files: dict[str, bytes] = {}
        extra: dict[str, bytes] = {}
        if data:
            entry: dict[str, Any] = {"byteLength": len(data)}
            if not binary and buffer_mode == "bin":
                bin_name = f"{path.stem}.bin"
                entry["uri"] = quote(bin_name)
                extra[bin_name] = data
            elif not binary:
                entry["uri"] = "data:application/octet-stream;base64," + base64.b64encode(data).decode("ascii")
            gltf["buffers"] = [entry]
        if request.cancelled():
            raise OpenCancelledError(f"export of {path.name} cancelled")
        request.progress(0.9, "writing")
        text = _json_bytes(gltf, path)
        files[path.name] = _glb(text, data) if binary else text
        files.update(extra)
        return files


class GlbWriter(GltfWriter):
    """glTF 2.0 binary: one .glb file with the buffer inside."""

    name = "glb"
    suffixes = (".glb", ".gltf")
    binary = True

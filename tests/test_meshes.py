"""Meshes through trimesh: every format, units honoured, Y-up fixed, failures named, cache by content."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest
import trimesh

from viewer.io.meshes import MeshCache, MeshLoadError
from viewer.model import EquipmentLibrary
from viewer.scene.batch import TypeMeshes


def box_bytes(file_type: str, extents=(1.0, 2.0, 3.0)) -> bytes:
    data = trimesh.creation.box(extents=extents).export(file_type=file_type)
    return data if isinstance(data, bytes) else data.encode()


@pytest.mark.parametrize("file_type", ["stl", "obj", "ply"])
def test_unitless_formats_load_in_metres_as_written(tmp_path, file_type):
    path = tmp_path / f"box.{file_type}"
    path.write_bytes(box_bytes(file_type))
    mesh = MeshCache().load(path)
    np.testing.assert_allclose(mesh.extents, [1.0, 2.0, 3.0], atol=1e-6)
    assert mesh.face_colors.shape == (12, 3)


def test_gltf_y_up_becomes_z_up(tmp_path):
    # A box tall along Y in glTF terms (glTF is Y up) must stand tall along Z here.
    path = tmp_path / "tall.glb"
    path.write_bytes(box_bytes("glb", extents=(1.0, 3.0, 2.0)))
    mesh = MeshCache().load(path)
    np.testing.assert_allclose(mesh.extents, [1.0, 2.0, 3.0], atol=1e-6)


def test_collada_unit_in_inches_comes_out_in_metres(tmp_path):
    text = box_bytes("dae", extents=(100.0, 50.0, 10.0)).decode()
    text = text.replace("<up_axis>Y_UP</up_axis>", '<unit name="inch" meter="0.0254"/>\n    <up_axis>Z_UP</up_axis>')
    path = tmp_path / "inches.dae"
    path.write_text(text)
    mesh = MeshCache().load(path)
    np.testing.assert_allclose(mesh.extents, [2.54, 1.27, 0.254], rtol=1e-6)


def test_collada_y_up_is_turned_to_z_up(tmp_path):
    path = tmp_path / "yup.dae"
    path.write_bytes(box_bytes("dae", extents=(1.0, 3.0, 2.0)))  # trimesh writes Y_UP and no unit (metres)
    mesh = MeshCache().load(path)
    np.testing.assert_allclose(mesh.extents, [1.0, 2.0, 3.0], atol=1e-6)


def _set_3mf_unit(data: bytes, unit: str | None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name.endswith(".model"):
                content = re.sub(rb'\sunit="\w+"', b"", content)
                if unit:
                    content = content.replace(b"<model ", f'<model unit="{unit}" '.encode(), 1)
            target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(("unit", "factor"), [(None, 0.001), ("millimeter", 0.001), ("meter", 1.0), ("inch", 0.0254)])
def test_3mf_model_units(tmp_path, unit, factor):
    path = tmp_path / "part.3mf"
    path.write_bytes(_set_3mf_unit(box_bytes("3mf", extents=(10.0, 20.0, 30.0)), unit))
    mesh = MeshCache().load(path)
    np.testing.assert_allclose(mesh.extents, np.array([10.0, 20.0, 30.0]) * factor, rtol=1e-6)


def test_missing_and_corrupt_and_unsupported_files_are_named(tmp_path):
    cache = MeshCache()
    missing = tmp_path / "gone.glb"
    with pytest.raises(MeshLoadError) as caught:
        cache.load(missing)
    assert str(caught.value) == f"{missing}: mesh file not found"
    corrupt = tmp_path / "broken.glb"
    corrupt.write_bytes(b"glTF\x02\x00\x00\x00garbage")
    with pytest.raises(MeshLoadError) as caught:
        cache.load(corrupt)
    assert str(caught.value).startswith(f"{corrupt}: cannot read mesh (GLB): ")
    odd = tmp_path / "model.fbx"
    odd.write_bytes(b"x")
    with pytest.raises(MeshLoadError, match=r"unsupported mesh format '\.fbx'; expected one of \.glb, \.gltf"):
        cache.load(odd)


def test_cache_is_by_content_in_memory_and_on_disk(tmp_path):
    data = box_bytes("stl")
    first, second = tmp_path / "a.stl", tmp_path / "b.stl"
    first.write_bytes(data)
    second.write_bytes(data)
    cache = MeshCache(tmp_path / "cache")
    mesh_a = cache.load(first)
    mesh_b = cache.load(second)
    assert mesh_b is mesh_a
    assert (cache.misses, cache.hits) == (1, 1)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    # A new process (new cache object) reads the converted mesh from disk.
    fresh = MeshCache(tmp_path / "cache")
    np.testing.assert_array_equal(fresh.load(first).vertices, mesh_a.vertices)
    # Changed content is a different entry, never a stale one.
    first.write_bytes(box_bytes("stl", extents=(5.0, 5.0, 5.0)))
    np.testing.assert_allclose(cache.load(first).extents, [5.0, 5.0, 5.0])


def test_missing_or_corrupt_mesh_draws_the_footprint_box(library, tmp_path):
    from dataclasses import replace

    broken = tmp_path / "broken.stl"
    broken.write_bytes(b"solid nothing\nthis is not an stl\n")
    types = {
        "coater": replace(library["coater"], mesh="missing.glb", base_dir=tmp_path),
        "roll_press": replace(library["roll_press"], mesh="broken.stl", base_dir=tmp_path),
    }
    meshes = TypeMeshes(EquipmentLibrary(types))
    coater = meshes.get("coater")
    np.testing.assert_allclose(coater.extents, [36.0, 3.2, 3.6])
    assert coater.bounds[0][2] == pytest.approx(0.0)  # stands on the floor
    press = meshes.get("roll_press")
    np.testing.assert_allclose(press.extents, [6.5, 3.0, 3.4])
    assert meshes.warnings[0] == (
        f"{tmp_path / 'missing.glb'}: mesh file not found; equipment of type 'coater' drawn as their "
        "36 x 3.2 x 3.6 m footprint box"
    )
    assert meshes.warnings[1].startswith(f"{broken}: cannot read mesh")
    assert meshes.warnings[1].endswith("drawn as their 6.5 x 3 x 3.4 m footprint box")


def test_real_ur5e_meshes_in_metres(shared_data):
    cache = MeshCache()
    for kind, suffix in (("visual", "dae"), ("collision", "stl")):
        upper = cache.load(shared_data / f"ur5e_universal_robot/{kind}/upperarm.{suffix}")
        # UR5e upper arm: 425 mm link between joint axes, about 545 mm long overall, 120 mm wide.
        np.testing.assert_allclose(upper.extents, [0.1202, 0.1497, 0.5452], atol=0.002)
        base = cache.load(shared_data / f"ur5e_universal_robot/{kind}/base.{suffix}")
        np.testing.assert_allclose(base.extents, [0.151, 0.151, 0.0991], atol=0.002)
    visual = cache.load(shared_data / "ur5e_universal_robot/visual/upperarm.dae")
    assert len(visual.faces) > 10_000
    assert tuple(visual.face_colors[0]) != (170, 170, 170)  # material colour kept, not the fallback grey


def test_real_mir_agv_meshes_in_metres(shared_data):
    cache = MeshCache()
    mir100 = cache.load(shared_data / "mir_agv/visual/mir_100_base.stl")
    # MiR100: 890 x 580 mm footprint.
    np.testing.assert_allclose(mir100.extents[:2], [0.898, 0.584], atol=0.005)
    mir250 = cache.load(shared_data / "mir_agv/collision/mir_250_base.stl")
    np.testing.assert_allclose(mir250.extents[:2], [0.80, 0.58], atol=0.01)


def test_every_library_type_mesh_loads_and_fits_its_footprint(library):
    meshes = TypeMeshes(library)
    for name in library.names():
        mesh = meshes.get(name)
        fp = library[name].footprint
        assert meshes.warnings == [], meshes.warnings
        lo, _hi = mesh.bounds
        assert lo[2] == pytest.approx(0.0, abs=0.06), name  # stands on the floor
        np.testing.assert_array_less(mesh.extents, np.array([fp.width, fp.depth, fp.height]) * 1.05 + 0.05, name)
        assert mesh.extents[0] > 0.6 * fp.width and mesh.extents[2] > 0.6 * fp.height, name


def test_back_faces_are_culled_only_where_no_one_can_see_them(library):
    from viewer.io.meshes import MeshData
    from viewer.model.synthetic import generate_plant
    from viewer.scene.batch import build_batch, closed_outward
    from viewer.scene.offscreen import offscreen_plotter
    from viewer.scene.plant_view import PlantView

    box = trimesh.creation.box()
    colors = np.zeros((12, 3), np.uint8)
    assert closed_outward(MeshData(box.vertices, box.faces, colors))
    assert not closed_outward(MeshData(box.vertices, box.faces[:, ::-1], colors))  # inside out
    assert not closed_outward(MeshData(box.vertices, box.faces[:10], colors[:10]))  # a face missing
    two = MeshData(np.vstack([box.vertices, box.vertices + 5]), np.vstack([box.faces, box.faces + 8]), colors)
    assert closed_outward(MeshData(two.vertices, two.faces, np.zeros((24, 3), np.uint8)))  # two bodies

    meshes = TypeMeshes(library)
    assert all(meshes.closed(name) for name in library.types), "the built-in library is closed bodies"
    document = generate_plant(library, 40, seed=2)
    site = document.sites[0]
    assert build_batch(document, library, site, meshes).closed
    next(iter(document.iter_equipment())).equipment.scale = (-1.0, 1.0, 1.0)  # a mirrored equipment
    assert not build_batch(document, library, site, meshes).closed

    plotter = offscreen_plotter((200, 150))
    try:
        view = PlantView(plotter)
        plain = generate_plant(library, 40, seed=2)
        view.show_site(plain, library, plain.sites[0])
        assert view.detail_actor.GetProperty().GetBackfaceCulling()
        lo, hi = view.batch.visible_bounds()
        view.set_clip_box(np.stack([lo, (lo + hi) / 2]))
        assert not view.detail_actor.GetProperty().GetBackfaceCulling()  # cut open: the insides show
        view.set_clip_box(None)
        assert view.detail_actor.GetProperty().GetBackfaceCulling()
    finally:
        plotter.close()

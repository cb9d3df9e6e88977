"""Small pictures of equipment types for the library dock, rendered off-screen once and cached on disk.

The cache key is a hash of the mesh itself (points, triangles, colours) and of the picture size, so an
edited mesh gets a new picture and an unchanged one is never drawn twice, whatever its file is called.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.io.meshes import MeshData
from viewer.paths import cache_dir
from viewer.scene.batch import COLORS

THUMBNAIL_SIZE = 96
THUMBNAIL_VERSION = 1  # bump when the look of the pictures changes: old files are then never read
BACKGROUND = (246, 247, 249)


def thumbnail_folder() -> Path:
    return cache_dir() / "thumbnails"


def mesh_digest(mesh: MeshData, size: int = THUMBNAIL_SIZE) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"v{THUMBNAIL_VERSION}:{size}:".encode())
    for array in (mesh.vertices.astype(np.float64), mesh.faces.astype(np.int64), mesh.face_colors.astype(np.uint8)):
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


class ThumbnailRenderer:
    """Draws type meshes into PNG files; one off-screen plotter for all of them, opened on first use."""

    def __init__(self, folder: Path | None = None, size: int = THUMBNAIL_SIZE) -> None:
        self.folder = folder if folder is not None else thumbnail_folder()
        self.size = size
        self.rendered = 0  # pictures drawn (not found in the cache), for tests and the log
        self._plotter: pv.Plotter | None = None

    def path_for(self, mesh: MeshData) -> Path:
        return self.folder / f"{mesh_digest(mesh, self.size)}.png"

    def cached(self, mesh: MeshData) -> Path | None:
        path = self.path_for(mesh)
        return path if path.is_file() else None

    def thumbnail(self, mesh: MeshData) -> Path:
        """The picture of a mesh: from the cache, or drawn now and stored."""
        path = self.path_for(mesh)
        if path.is_file():
            return path
        from viewer.scene.offscreen import offscreen_plotter, save_png

        if self._plotter is None:
            self._plotter = offscreen_plotter((self.size, self.size))
            self._plotter.set_background(BACKGROUND)
        plotter = self._plotter
        plotter.clear_actors()
        poly = pv.PolyData.from_regular_faces(mesh.vertices.astype(np.float32), mesh.faces)
        poly.cell_data[COLORS] = mesh.face_colors
        plotter.add_mesh(poly, scalars=COLORS, rgb=True, show_scalar_bar=False, smooth_shading=False)
        plotter.camera_position = "iso"
        plotter.camera.up = (0.0, 0.0, 1.0)
        plotter.reset_camera()
        plotter.camera.zoom(1.35)
        image = plotter.screenshot(return_img=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        save_png(image, path)  # atomic: a half-written picture is never found in the cache
        self.rendered += 1
        return path

    def close(self) -> None:
        if self._plotter is not None:
            self._plotter.close()
            self._plotter = None

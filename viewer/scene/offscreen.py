"""Pictures without a screen: the off-screen plotter, transparent screenshots and PNG files.

Below both the 3D view (`plant_view`, whose snapshots use it) and the drawings (`render`), so neither has to
import the other to take a picture.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image

from viewer.io.atomic import atomic_write_bytes


def offscreen_plotter(size: tuple[int, int]) -> pv.Plotter:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # No screen: go straight to EGL instead of trying X first (and warning about it on every render).
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    # No multi-sampling: deterministic pixels, and faster on software OpenGL.
    theme = pv.themes.DocumentTheme()
    theme.multi_samples = 0
    return pv.Plotter(off_screen=True, window_size=size, lighting="light_kit", theme=theme)


def transparent_screenshot(plotter: pv.Plotter) -> np.ndarray:
    """RGBA from two renders over black and over white: what differs is background showing through.

    Works whatever the OpenGL context offers; an alpha channel read back from the frame buffer is not
    available on every off-screen context (it came back opaque with Mesa here)."""
    plotter.renderer.GradientBackgroundOff()
    images = []
    for colour in ("black", "white"):
        plotter.set_background(colour)
        plotter.render()  # screenshot() reads the last frame; it does not draw a new one
        images.append(plotter.screenshot(return_img=True)[:, :, :3].astype(np.int32))
    over_black, over_white = images
    alpha = 255 - np.clip((over_white - over_black).max(axis=2), 0, 255)
    safe = np.maximum(alpha, 1)[:, :, None]
    rgb = np.clip(over_black * 255 // safe, 0, 255)
    return np.dstack([rgb, alpha]).astype(np.uint8)


def save_png(image: np.ndarray, path: Path) -> None:

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    atomic_write_bytes(Path(path), buffer.getvalue())

"""The 3D view widget: pyvistaqt's interactor, drawing each frame once, and lighter in software OpenGL."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pyvistaqt import QtInteractor

GL_RENDERER = 0x1F01
# Renderer names of OpenGL done on the CPU (Mesa's llvmpipe and softpipe, SwiftShader, Windows' fallback).
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "swiftshader", "software rasterizer", "gdi generic")


def is_software_renderer(name: str) -> bool:
    return any(word in name.lower() for word in SOFTWARE_RENDERERS)


class ViewWidget(QtInteractor):
    """pyvistaqt's widget draws the scene again in every paint, and a frame drawn on request schedules such a
    paint: each frame was drawn twice. `frame_drawn` marks the frame in VTK's buffers as current, so the next
    paint only copies it to the screen. A resize, or any paint nobody announced, still draws.

    In software OpenGL a big scene is drawn without multi-sampling: it doubles the time of a frame there
    (the off-screen renderer never uses it). Small scenes keep it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, auto_update=False)
        self._frame_current = False
        self._samples = self.ren_win.GetMultiSamples()  # the theme's, for scenes that can afford it
        self._big_scene = False
        self.renderer_name = ""  # the OpenGL renderer, once the widget has its context

    @property
    def software_opengl(self) -> bool:
        return is_software_renderer(self.renderer_name)

    def set_big_scene(self, big: bool) -> None:
        """Whether the scene shown is big (frames cost a lot): no multi-sampling then in software OpenGL."""
        self._big_scene = big
        self._apply_samples()

    def _apply_samples(self) -> None:
        samples = 0 if self._big_scene and self.software_opengl else self._samples
        if self.ren_win.GetMultiSamples() != samples:
            self.ren_win.SetMultiSamples(samples)

    def frame_drawn(self) -> None:
        """VTK has just drawn a frame with nothing changed since: the paint it scheduled only shows it."""
        self._frame_current = True

    def initializeGL(self) -> None:  # noqa: N802
        super().initializeGL()
        context = self.context()
        if context is not None:
            self.renderer_name = str(context.functions().glGetString(GL_RENDERER) or "")
        self._apply_samples()

    def resizeGL(self, w: int, h: int) -> None:  # noqa: N802
        self._frame_current = False
        super().resizeGL(w, h)

    def paintGL(self) -> None:  # noqa: N802
        current, self._frame_current = self._frame_current, False
        if not current or getattr(self, "_in_paint", None) is not False:
            super().paintGL()
            return
        # pyvistaqt skips its own render while this flag is up (it guards against re-entry): copy the
        # frame VTK drew to the widget, without drawing it again.
        self._in_paint = True
        try:
            super().paintGL()
        finally:
            self._in_paint = False

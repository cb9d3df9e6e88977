"""Presentation mode: the window full screen, only the 3D view left, review topics or saved viewpoints as
slides with smooth camera flights between them, a laser pointer and the meeting's clock.

Keys while presenting (taken before any other part of the window sees them, so an arrow key never nudges the
selected equipment): Right / Page Down / Space next slide, Left / Page Up previous, Home / End first and last,
L held or P the laser pointer, Esc leaves. Leaving puts back exactly what was shown before: docks, toolbars,
menu and status bar, the window's geometry and state, and the view (camera, selection, visibility, site).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import QByteArray, QElapsedTimer, QEvent, QObject, QPointF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QToolBar, QWidget

from viewer.app.review_view import RestoredExtras, apply_viewpoint
from viewer.app.view_state import ViewState
from viewer.model.review import ReviewViewpoint
from viewer.model.views import CameraState
from viewer.ui.review.flight import FLIGHT_MS, CameraFlight
from viewer.ui.review.presentation_overlay import CaptionBand, ClockBadge, LaserPointer
from viewer.ui.review.slides import Slide

NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Down}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up, Qt.Key.Key_Backspace}
LASER_HOLD_KEY = Qt.Key.Key_L
LASER_TOGGLE_KEY = Qt.Key.Key_P
OWN_KEYS = {*NEXT_KEYS, *PREVIOUS_KEYS, Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Escape, LASER_HOLD_KEY,
            LASER_TOGGLE_KEY}  # fmt: skip
CLOCK_TICK_MS = 250
COVER_CHECK_MS = 200  # a window manager has made the window full screen by then


def presentation_keys() -> list[tuple[str, str]]:
    """(keys, what they do) while presenting, for Help > Keyboard Shortcuts."""
    return [
        ("Right / Page Down / Space / Down", "Next slide (a flight under way jumps to its end)"),
        ("Left / Page Up / Up / Backspace", "Previous slide"),
        ("Home / End", "First / last slide"),
        ("L (hold)", "Laser pointer while held"),
        ("P", "Laser pointer on / off"),
        ("Esc", "Leave presentation mode: the window as it was"),
    ]


class CameraSource(Protocol):
    def camera_state(self) -> CameraState: ...


class SceneHost(Protocol):
    @property
    def view(self) -> CameraSource: ...


class PresentationHost(Protocol):
    """What presentation mode needs of the window (the main window, which is a QMainWindow too)."""

    state: ViewState
    scene: SceneHost
    plotter: QWidget  # the 3D view


class PresentationMode(QObject):
    """Slides shown full screen. `start` enters, `stop` (or Esc) leaves; `go_to`, `next`, `previous` move.

    `known_ids`: the equipment the plant has, so a viewpoint naming deleted equipment selects the rest.
    `restore_extras`: applies what a review viewpoint holds besides the view state (clipping box, colour-by,
    replayed time), as the Review dock does; left out, those stay as they are."""

    slide_changed = Signal(int)  # index of the slide now shown
    flight_finished = Signal()
    started = Signal()
    stopped = Signal()

    def __init__(
        self,
        window: PresentationHost,
        slides: Sequence[Slide],
        *,
        known_ids: Iterable[str] | None = None,
        restore_extras: Callable[[RestoredExtras], None] | None = None,
        flight_ms: int = FLIGHT_MS,
        restore_view: bool = True,
        parent: QObject | None = None,
    ) -> None:
        if not isinstance(window, QMainWindow):
            raise TypeError("presentation mode needs the main window (a QMainWindow)")
        super().__init__(parent if parent is not None else window)
        self.window = window
        self.host = window
        self.slides = list(slides)
        self.known_ids = set(known_ids) if known_ids is not None else None
        self.restore_extras = restore_extras
        self.restore_view = restore_view
        self.index = -1
        self.active = False
        self.laser_on = False
        self._laser_held = False
        self._saved: dict[str, Any] = {}
        view = window.plotter
        self.flight = CameraFlight(window.state.set_camera, flight_ms, self)
        self.flight.finished.connect(self.flight_finished)
        self.caption = CaptionBand(view)
        self.clock_badge = ClockBadge(view)
        self.laser = LaserPointer(view)
        for overlay in (self.caption, self.clock_badge, self.laser):
            overlay.hide()
        self.clock = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(CLOCK_TICK_MS)
        self._tick.timeout.connect(self._on_tick)

    # ------------------------------------------------------------ entering and leaving

    def start(self, index: int = 0) -> None:
        if self.active:
            return
        window = self.window
        self._saved = self._remember()
        self.active = True
        for widget in self._saved["docks"] + self._saved["toolbars"]:
            widget.hide()
        window.menuBar().hide()
        window.statusBar().hide()
        if self._saved["axes"]:
            window.set_axes(False)  # type: ignore[attr-defined]  # the corner axes would sit under the caption
        window.showFullScreen()
        QTimer.singleShot(COVER_CHECK_MS, self._cover_screen)
        QApplication.instance().installEventFilter(self)  # keys before the window's shortcuts; the view's mouse
        self.clock.start()
        self._tick.start()
        self._place_overlays()
        for overlay in (self.caption, self.clock_badge):
            overlay.show()
            overlay.raise_()
        self.laser.raise_()
        window.activateWindow()
        self.started.emit()
        if self.slides:
            self.go_to(index)
        else:
            self.caption.set_slide(0, 0, "Nothing to present", "No slides")

    def stop(self) -> None:
        """Leave: the window, its docks and bars, and the view as they were before `start`."""
        if not self.active:
            return
        self.active = False
        self.flight.cancel()
        self._tick.stop()
        QApplication.instance().removeEventFilter(self)
        self.set_laser(False)
        for overlay in (self.caption, self.clock_badge, self.laser):
            overlay.hide()
        saved, window = self._saved, self.window
        window.setWindowState(saved["window_state"])
        if not saved["window_state"] & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            window.setGeometry(saved["geometry"])
        window.restoreState(saved["state"])
        if saved["axes"]:
            window.set_axes(True)  # type: ignore[attr-defined]
        window.menuBar().setVisible(saved["menubar"])
        window.statusBar().setVisible(saved["statusbar"])
        for widget in saved["docks"] + saved["toolbars"]:
            widget.show()
        if self.restore_view:
            self.host.state.update_from_dict(saved["view"])
        hide_strays = getattr(window, "hide_stray_tab_bars", None)
        if callable(hide_strays):
            QTimer.singleShot(0, hide_strays)  # restoreState can leave dock tab bars behind (see the window)
        self.stopped.emit()

    def _remember(self) -> dict[str, Any]:
        window = self.window
        view = self.host.state.to_dict()
        if view["camera"] is None:  # a view never moved by hand: the camera it shows is the one to come back to
            view["camera"] = self.host.scene.view.camera_state().to_dict()
        docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()]
        toolbars = [t for t in window.findChildren(QToolBar) if t.isVisible() and t.parentWidget() is window]
        return {
            "geometry": QRect(window.geometry()),
            "state": QByteArray(window.saveState()),
            "window_state": window.windowState(),
            "menubar": window.menuBar().isVisible(),
            "statusbar": window.statusBar().isVisible(),
            "docks": docks,
            "toolbars": toolbars,
            "view": view,
            "axes": bool(getattr(getattr(window, "axes_action", None), "isChecked", lambda: False)()),
        }

    def _cover_screen(self) -> None:
        """Where no window manager makes the window full screen (a bare X server), make it cover the screen."""
        screen = self.window.screen()
        if self.active and screen is not None and self.window.geometry() != screen.geometry():
            self.window.setGeometry(screen.geometry())
            self.window.setWindowState(self.window.windowState() | Qt.WindowState.WindowFullScreen)

    # ------------------------------------------------------------ moving between slides

    @property
    def slide(self) -> Slide | None:
        return self.slides[self.index] if 0 <= self.index < len(self.slides) else None

    def next(self) -> None:
        self.go_to(self.index + 1)

    def previous(self) -> None:
        self.go_to(self.index - 1)

    def first(self) -> None:
        self.go_to(0)

    def last(self) -> None:
        self.go_to(len(self.slides) - 1)

    def go_to(self, index: int) -> None:
        """Show a slide: its caption at once, its view restored and the camera flown to it (a flight under
        way jumps to its end first). Past either end nothing moves."""
        if not self.slides:
            return
        index = max(0, min(index, len(self.slides) - 1))
        self.flight.finish()
        if index == self.index:
            return
        self.index = index
        slide = self.slides[index]
        self.caption.set_slide(index + 1, len(self.slides), slide.title, slide.subtitle)
        state = self.host.state
        site_before = state.active_site
        start = state.camera or self.host.scene.view.camera_state()
        view = slide.view
        if isinstance(view, ReviewViewpoint):
            extras = apply_viewpoint(state, replace(view, camera=None), self.known_ids)
            if self.restore_extras is not None:
                self.restore_extras(extras)
        elif view is not None and view.site and view.site != state.active_site:
            state.set_active_site(view.site)
        target = slide.camera
        if target is not None:
            if state.active_site != site_before:
                state.set_camera(target)  # another site: nothing to fly over, be there at once
                self.flight_finished.emit()
            else:
                self.flight.fly(start, target)
        self.slide_changed.emit(index)

    # ------------------------------------------------------------ laser pointer

    def set_laser(self, on: bool) -> None:
        if on == self.laser_on:
            return
        self.laser_on = on
        view = self.host.plotter
        if on:
            self.laser.place()
            self.laser.show()
            self.laser.raise_()
            self.laser.move_to(QPointF(view.mapFromGlobal(QCursor.pos())))
            view.setCursor(Qt.CursorShape.BlankCursor)
        else:
            self.laser.clear()
            self.laser.hide()
            view.unsetCursor()

    def toggle_laser(self) -> None:
        self._laser_held = False
        self.set_laser(not self.laser_on)

    # ------------------------------------------------------------ events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.Close and self.active:
            self.stop()  # first: the window then keeps its normal layout in the settings, not the full screen
            return False
        if watched is self.host.plotter and kind in (QEvent.Type.MouseMove, QEvent.Type.Resize):
            if kind == QEvent.Type.Resize:
                QTimer.singleShot(0, self._place_overlays)
                return False
            if self.laser_on and isinstance(event, QMouseEvent):
                self.laser.move_to(event.position())
                # Pointing, not dragging: the view gets no move, so no hover tooltip pops up under the dot.
                return event.buttons() == Qt.MouseButton.NoButton
            return False
        if not isinstance(event, QKeyEvent) or not self.active:
            return False
        key = Qt.Key(event.key())
        if key not in OWN_KEYS or event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not a window shortcut's (Esc would clear the selection, Home reset the view)
            return True
        if kind == QEvent.Type.KeyPress:
            event.accept()
            if not event.isAutoRepeat() or key not in (LASER_HOLD_KEY, LASER_TOGGLE_KEY, Qt.Key.Key_Escape):
                self._key(key)
            return True
        if kind == QEvent.Type.KeyRelease:
            event.accept()
            if key == LASER_HOLD_KEY and not event.isAutoRepeat() and self._laser_held:
                self._laser_held = False
                self.set_laser(False)
            return True
        return False

    def _key(self, key: Qt.Key) -> None:
        if key in NEXT_KEYS:
            self.next()
        elif key in PREVIOUS_KEYS:
            self.previous()
        elif key == Qt.Key.Key_Home:
            self.first()
        elif key == Qt.Key.Key_End:
            self.last()
        elif key == Qt.Key.Key_Escape:
            self.stop()
        elif key == LASER_HOLD_KEY and not self.laser_on:
            self._laser_held = True
            self.set_laser(True)
        elif key == LASER_TOGGLE_KEY:
            self.toggle_laser()

    def _place_overlays(self) -> None:
        for overlay in (self.caption, self.clock_badge, self.laser):
            overlay.place()

    def _on_tick(self) -> None:
        self.clock_badge.set_seconds(self.clock.elapsed() / 1000.0)

    @property
    def elapsed_text(self) -> str:
        return self.clock_badge.text

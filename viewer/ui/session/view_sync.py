"""The view between the session and the window: as leader, the view state (and what the window adds to it:
clipping box, colour-by, replay cursor and speed, or live) is published on every change and the camera while
it moves; as a follower, the leader's views and cameras are applied. A follower never publishes its view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from viewer.app.review_view import apply_viewpoint
from viewer.model.views import CameraState
from viewer.session import ReplayCursor, SessionError, SessionView, session_view_from_state
from viewer.ui.review import restore_extras, view_extras
from viewer.ui.session.host import SessionHost

if TYPE_CHECKING:
    from viewer.session import SessionClient

VIEW_DELAY_MS = 30  # changes that come together (a site switch: site, selection, camera) go as one view
POLL_MS = 500  # the clipping box dragged, colour-by chosen, a replay running: looked at this often


class ViewSync(QObject):
    def __init__(self, window: SessionHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.client: SessionClient | None = None
        self.applying = False  # a received view is being applied: its changes are not ours to publish
        self.published: SessionView | None = None  # the last view published (camera aside)
        self.applied = 0  # views and cameras applied here (tests read it)
        self.not_followed: list[str] = []  # what of the leader's last view could not be put back here
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VIEW_DELAY_MS)
        self._timer.timeout.connect(self.publish_view)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.publish_view)
        state = window.state
        for signal in (state.selection_changed, state.visibility_changed, state.active_site_changed):
            signal.connect(self._changed)
        state.xray_changed.connect(self._changed)
        state.camera_changed.connect(self._camera_changed)
        # While the camera moves (a drag), the scene stores it only at the end: send it as it moves.
        window.plotter.iren.add_observer("InteractionEvent", self._interacting)
        timeline = self._timeline()
        if timeline is not None:
            for signal in (timeline.mode_changed, timeline.speed_changed, timeline.seeking):
                signal.connect(self._changed)

    def _timeline(self) -> object | None:
        controller = getattr(getattr(self.window, "sensor_ui", None), "controller", None)
        return getattr(controller, "timeline", None)

    def attach(self, client: SessionClient | None) -> None:
        self.client = client
        self.published = None
        if client is None:
            self._poll.stop()
        else:
            self._poll.start()

    @property
    def leading(self) -> bool:
        return self.client is not None and self.client.is_leader and not self.client.ended

    # ------------------------------------------------------------ presenting

    def current_view(self) -> SessionView:
        """The window's view now, as a session view."""
        clip, color_by, replay_time = view_extras(self.window)  # type: ignore[arg-type]
        timeline = self._timeline()
        speed = float(getattr(timeline, "speed", 1.0))
        replay = ReplayCursor(not replay_time, replay_time, speed)
        return session_view_from_state(self.window.state, clip_box=clip, color_by=color_by, replay=replay)

    def _changed(self, *_: object) -> None:
        if self.leading and not self.applying:
            self._timer.start()

    def publish_view(self, force: bool = False) -> bool:
        """(Leader) publish the view when it changed since the last one (`force`: anyway); True when sent."""
        if not self.leading or self.applying:
            return False
        view = self.current_view()
        if not force and self.published is not None and view.with_camera(None) == self.published.with_camera(None):
            return False
        assert self.client is not None
        try:
            self.client.publish_view(view)
        except SessionError:
            return False  # control just went to another: their view counts now
        self.published = view
        return True

    def _camera_changed(self, camera: object) -> None:
        if isinstance(camera, CameraState) and self.leading and not self.applying:
            assert self.client is not None
            self.client.publish_camera(camera)

    def _interacting(self, *_: object) -> None:
        if self.leading:
            assert self.client is not None
            self.client.publish_camera(self.window.scene.view.camera_state())

    def took_control(self) -> None:
        """Now leading: everyone following sees this window's view at once."""
        self.publish_view(force=True)
        camera = self.window.scene.view.camera_state()
        if self.client is not None:
            self.client.publish_camera(camera)

    # ------------------------------------------------------------ following

    def apply_view(self, view: SessionView) -> None:
        """The leader's view, here: site, visibility, selection, X-ray, camera, then the window's extras."""
        if self.client is None or self.client.is_leader or not self.client.following:
            return
        w = self.window
        self.applying = True
        try:
            extras = apply_viewpoint(w.state, view.viewpoint, w._site_of.keys())
            missed = restore_extras(w, extras)  # type: ignore[arg-type]
            if missed and missed != self.not_followed:  # said once, not at every view the leader sends
                w.statusBar().showMessage(f"Following: not here: {'; '.join(missed)}", 10000)
            self.not_followed = missed
            timeline = self._timeline()
            if timeline is not None and getattr(timeline, "source", None) is not None:
                if view.replay.live and str(timeline.mode) == "replay":  # type: ignore[attr-defined]
                    timeline.set_mode("live")  # type: ignore[attr-defined]
                if timeline.speed != view.replay.speed:  # type: ignore[attr-defined]
                    timeline.set_speed(view.replay.speed)  # type: ignore[attr-defined]
            self.applied += 1
        finally:
            self.applying = False

    def apply_camera(self, camera: CameraState) -> None:
        if self.client is None or self.client.is_leader or not self.client.following:
            return
        self.applying = True
        try:
            self.window.state.set_camera(camera)
            self.applied += 1
        finally:
            self.applying = False

"""Start the desktop application: `mothertwin` with no sub-command, or `python -m viewer.ui.app [FILE]`."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from viewer.app.document import Message, Severity
from viewer.model.site_choice import find_site, unknown_site_text
from viewer.model.site_time import parse_site_time
from viewer.paths import demo_plant_path
from viewer.sensors import SourceSettings
from viewer.sensors.recording import outside_message
from viewer.ui.main_window import APPLICATION, ORGANIZATION, MainWindow
from viewer.ui.sensors import Mode

SCREENSHOT_TIMEOUT_S = 180.0


@dataclass
class StartupRequest:
    """What `mothertwin open` asks for: a plant, and optionally a recording replayed at a time, equipment to
    select and frame, a signal to colour by, and a screenshot to save once all of it is on screen (a link
    a control room can send: "open this plant at 02:14 last night, look at this coater")."""

    path: Path | None = None
    recording: Path | None = None
    at: float | None = None
    select: list[str] = field(default_factory=list)
    color_by: str | None = None
    screenshot: Path | None = None
    at_text: str | None = None  # a time as typed (`--at`): one without an offset is in the shown site's zone
    site: str | None = None  # the site to show (id or name); else the mother site
    recording_options: dict[str, object] = field(default_factory=dict)  # how its times are read (ReadOptions)
    join: dict[str, str] | None = None  # `--join`: url, and user, password_env, ca, name, site when given


def run_app(request: StartupRequest | None = None) -> int:
    """Open the plant asked for (the demo plant when none) in the main window, then the rest of `request`
    in order, and run the event loop; the exit code.

    With a screenshot, the window is saved as a PNG once everything asked for is shown, and the app exits:
    pictures for documentation and review packs, and a whole-app check that needs no mouse.
    """
    request = request or StartupRequest()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow()
    window.show()
    # Work a crash left behind comes first; then the file asked for (the recovered one stays open).
    if request.screenshot is not None or not window.editing.offer_recovery():
        window.start_open(Path(request.path) if request.path is not None else demo_plant_path(), request.site)
        window.startup = _Startup(app, window, request)  # kept: the timer's slot is one of its methods
        window.startup.start()
        if request.join:
            _join(window, request.join)
    elif request.recording is not None or request.select:
        text = "the work recovered from the last session is open: run the same command again to see what it asks"
        print(f"mothertwin: {text}", file=sys.stderr)
        window.messages.add_messages([Message(Severity.WARNING, text)])
    return app.exec()


def _join(window: MainWindow, join: dict[str, str]) -> None:
    """Join the session once the plant is open (the session compares the plants)."""
    from viewer.ui.session import TypedCredentials, default_login

    login = join.get("user") or default_login()
    credentials = TypedCredentials(login, join.get("password_env", ""), tls_ca=join.get("ca"))
    ui = window.session_ui  # type: ignore[attr-defined]
    ui.join_when_open(join["url"], credentials, join.get("name", login), join.get("site", ""))


class _Startup:
    """The steps after the plant opens, one check every STEP_MS so the window stays responsive:
    select, connect the recording, colour by, seek, then (with a screenshot) save and exit."""

    STEP_MS = 100
    SETTLE_S = 1.0  # after the seek: its colours, then when its alarms began (asked once the cursor rests)

    def __init__(self, app: QApplication, window: MainWindow, request: StartupRequest) -> None:
        self.app, self.window, self.request = app, window, request
        self.started = time.monotonic()
        self.step = "open"
        self.reached: float | None = None
        self.timer = QTimer(window)
        self.timer.timeout.connect(self.check)
        window.sensor_ui.controller.timeline.error.connect(self._failed)
        self.open_problems: list[str] = []  # why the plant could not be opened, for the terminal
        window.session.open_failed.connect(self._open_failed)
        # What the recording holds that cannot be shown: the messages dock has it, the terminal too.
        window.sensor_ui.controller.timeline.warning.connect(lambda text: print(f"mothertwin: {text}", file=sys.stderr))

    def start(self) -> None:
        self.timer.start(self.STEP_MS)

    def _say(self, text: str, error: bool = False) -> None:
        print(f"mothertwin: {text}" if error else text, file=sys.stderr if error else sys.stdout, flush=True)
        if error:  # the terminal may be out of sight: the messages dock says it too
            self.window.messages.add_messages([Message(Severity.WARNING, text)])

    def _finish(self, code: int) -> None:
        self.timer.stop()
        self.step = "done"
        if self.request.screenshot is not None:
            self.app.exit(code)

    def _failed(self, text: str) -> None:
        if self.step != "done":  # the messages dock has it from the sensor controller: the terminal too
            print(f"mothertwin: {text}", file=sys.stderr, flush=True)
            self._finish(1)

    def _open_failed(self, path: str, problems: list) -> None:
        self.open_problems = [str(p) for p in problems]

    def check(self) -> None:
        window, request = self.window, self.request
        controller = window.sensor_ui.controller
        timeline = controller.timeline
        if time.monotonic() - self.started > SCREENSHOT_TIMEOUT_S:
            self._say(f"{request.path or 'the plant'} was not shown within {SCREENSHOT_TIMEOUT_S:.0f} s", error=True)
            self._finish(1)
        elif self.step == "open":
            if window.opening:
                return
            if window.session.document is None:  # the open failed: the messages dock says why, and so do we
                for problem in self.open_problems:
                    print(problem, file=sys.stderr)
                target = request.screenshot
                count = len(self.open_problems)
                why = f" ({count} problem{'s' if count != 1 else ''} above)" if count else ""
                text = f"nothing was opened, so no screenshot: {target}" if target else "nothing was opened"
                self._say(text + why, True)
                self._finish(1)
                return
            if request.site and find_site(window.session.document, request.site) is None:
                self._say(f"--site: {unknown_site_text(window.session.document, request.site)}", error=True)
            if request.select:
                known = [i for i in request.select if window.equipment_site(i) is not None]
                for unknown in sorted(set(request.select) - set(known)):
                    self._say(f"--select {unknown}: no equipment with that id in the plant", error=True)
                if known:
                    window.focus_ids(known)
            if request.recording is not None:
                name = request.recording.stem
                settings = SourceSettings("recording", name, str(request.recording), options=request.recording_options)
                controller.connect_source(settings)
                self.step = "replay"
            else:
                self.step = "shown"
        elif self.step == "replay":
            if timeline.mode is not Mode.REPLAY or timeline.source is None or controller.bindings is None:
                return
            if request.color_by:
                try:
                    self.window.sensor_ui.set_color_by(request.color_by)
                except ValueError as exc:
                    self._say(f"--color-by {request.color_by}: {exc}", error=True)
            display = self.window.sensor_ui.clock.display
            target = request.at if request.at is not None else timeline.start_time
            if request.at_text:
                try:  # read once the plant is open: the zone is the one of the site shown
                    target = parse_site_time(request.at_text, self.window.sensor_ui.clock.site_zone)
                except ValueError as exc:
                    self._say(f"--at: {exc}", error=True)
                    self._finish(1)
                    return
            outside = outside_message(request.recording, target, timeline.start_time, timeline.end_time, display.text)
            if outside is not None:
                self._say(f"--at: {outside}: shown at its nearest end", error=True)
            timeline.seek(target)
            self.step = "seeking"
        elif self.step == "seeking":
            source = timeline.source
            if source is None or not timeline.idle() or source.cursor != timeline.cursor:
                self.reached = None
                return
            self.reached = self.reached or time.monotonic()
            if time.monotonic() - self.reached >= self.SETTLE_S and timeline.idle():
                coloured = controller.colored_count
                moment = window.sensor_ui.clock.display.text(timeline.cursor)
                self._say(
                    f"replay of {request.recording} at {moment}: {coloured} equipment "
                    f"coloured, {len(controller.alarms())} alarms"
                )
                self.step = "shown"
        elif self.step == "shown":
            self.step = "done"
            self.timer.stop()
            if request.screenshot is not None:
                window.plotter.render()
                self.app.processEvents()
                ok = window.grab().save(str(request.screenshot))
                self._say(f"wrote {request.screenshot} ({window.width()}x{window.height()}): {window.windowTitle()}")
                self.app.exit(0 if ok else 1)


if __name__ == "__main__":
    sys.exit(run_app(StartupRequest(Path(sys.argv[1]) if len(sys.argv) > 1 else None)))

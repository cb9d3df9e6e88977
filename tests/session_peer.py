"""A second app process for the session tests: the real startup of `mothertwin open PLANT --join URL`
(`run_app` with a join request), scripted by a test.

Every 100 ms it reports, atomically (a temporary file renamed over the report), its camera, connection state,
leader, the roster's logins, the review topics' titles and the session bar's text; and it reads the commands
the test appended to COMMANDS (one JSON list a line: ["request_control"], ["make_topic", TITLE],
["move_camera", [x, y, z, fx, fy, fz, ux, uy, uz]], ["follow", true]) and applies each once, on its GUI thread.
It exits when STOP_FILE exists.

    python tests/session_peer.py URL LOGIN REPORT.json STOP_FILE SETTINGS.ini
        [--plant FILE] [--password-env VAR] [--ca FILE] [--commands FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

import viewer.ui.app as app_module
from viewer.model.review import new_topic
from viewer.model.review_edit import PutTopics
from viewer.ui.app import StartupRequest, run_app
from viewer.ui.main_window import MainWindow


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    for name in ("url", "login", "report", "stop", "settings"):
        parser.add_argument(name)
    parser.add_argument("--plant")
    parser.add_argument("--password-env")
    parser.add_argument("--ca")
    parser.add_argument("--commands")
    return parser.parse_args(argv)


def apply_command(window: MainWindow, login: str, command: list) -> None:
    ui = window.session_ui  # type: ignore[attr-defined]
    name = command[0]
    if name == "request_control":
        ui.request_control()
    elif name == "make_topic":
        topic = new_topic(window.session.document.review, command[1], login)
        window.session.undo.push(PutTopics([topic]))
    elif name == "move_camera":  # as a drag does: the VTK camera moves, the scene stores it
        values = command[1]
        camera = window.plotter.camera
        camera.SetPosition(*values[0:3])
        camera.SetFocalPoint(*values[3:6])
        camera.SetViewUp(*values[6:9])
        window.scene.store_camera()
        window.scene.request_render()
    elif name == "follow":
        ui.set_following(bool(command[1]))
    else:
        print(f"session_peer: unknown command {command!r}", file=sys.stderr)


def report_of(window: MainWindow) -> dict:
    ui = window.session_ui  # type: ignore[attr-defined]
    client = ui.client
    document = window.session.document
    return {
        "camera": window.scene.view.camera_state().to_dict(),
        "connection": client.connection.value if client is not None else "",
        "leader": client.leader if client is not None else "",
        "is_leader": bool(client is not None and client.is_leader),
        "roster": [entry.username for entry in client.roster] if client is not None else [],
        "topics": [topic.title for topic in document.review.topics] if document is not None else [],
        "bar": ui.bar.label.text() if ui.bar.isVisible() else "",
        "bar_kind": ui.bar.kind if ui.bar.isVisible() else "",
        "selection": list(window.state.selection),
        "applied": ui.view.applied,
        "last_error": (client.last_error or "") if client is not None else "",
    }


def main() -> int:
    args = arguments(sys.argv[1:])
    app = QApplication(sys.argv[:1])
    windows: list[MainWindow] = []
    done_commands = 0

    class PeerWindow(MainWindow):  # the settings of the test, not the user's
        def __init__(self) -> None:
            super().__init__(settings=QSettings(args.settings, QSettings.Format.IniFormat))
            windows.append(self)

    app_module.MainWindow = PeerWindow  # type: ignore[misc]

    def tick() -> None:
        nonlocal done_commands
        if Path(args.stop).exists():
            app.exit(0)
            return
        if not windows or windows[0].session.document is None or windows[0].opening:
            return
        window = windows[0]
        if args.commands and Path(args.commands).exists():
            lines = Path(args.commands).read_text(encoding="utf-8").splitlines()
            complete = [line for line in lines if line.strip()]
            for line in complete[done_commands:]:
                apply_command(window, args.login, json.loads(line))
                done_commands += 1
        part = Path(args.report + ".part")
        part.write_text(json.dumps(report_of(window)), encoding="utf-8")
        os.replace(part, args.report)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    join = {"url": args.url, "user": args.login, "name": args.login.title(), "site": "Holland"}
    if args.password_env:
        join["password_env"] = args.password_env
    if args.ca:
        join["ca"] = args.ca
    return run_app(StartupRequest(path=Path(args.plant) if args.plant else None, join=join))


if __name__ == "__main__":
    sys.exit(main())

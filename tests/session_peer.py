"""A second app process for tests/test_ui_session.py: the real startup of `mothertwin open demo --join URL`
(`run_app` with a join request), reporting its camera to a JSON file every 100 ms until told to stop.

    python tests/session_peer.py URL LOGIN REPORT.json STOP_FILE SETTINGS.ini
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

import viewer.ui.app as app_module
from viewer.ui.app import StartupRequest, run_app
from viewer.ui.main_window import MainWindow


def main() -> int:
    url, login, report, stop, settings = sys.argv[1:6]
    app = QApplication(sys.argv[:1])
    windows: list[MainWindow] = []

    class PeerWindow(MainWindow):  # the settings of the test, not the user's
        def __init__(self) -> None:
            super().__init__(settings=QSettings(settings, QSettings.Format.IniFormat))
            windows.append(self)

    app_module.MainWindow = PeerWindow  # type: ignore[misc]

    def tick() -> None:
        if Path(stop).exists():
            app.exit(0)
            return
        if not windows:
            return
        window = windows[0]
        ui = window.session_ui  # type: ignore[attr-defined]
        client = ui.client
        data = {
            "camera": window.scene.view.camera_state().to_dict(),
            "connection": client.connection.value if client is not None else "",
            "leader": client.leader if client is not None else "",
            "selection": list(window.state.selection),
            "applied": ui.view.applied,
        }
        part = Path(report + ".part")
        part.write_text(json.dumps(data), encoding="utf-8")
        os.replace(part, report)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    return run_app(StartupRequest(join={"url": url, "user": login, "name": login.title(), "site": "Holland"}))


if __name__ == "__main__":
    sys.exit(main())

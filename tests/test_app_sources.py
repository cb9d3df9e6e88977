"""The sensor sources run without a window: the application layer's manager, a real source, no Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh interpreter so that nothing the test session imported (Qt for the window tests) counts.
SCRIPT = r"""
import json, sys, threading, time
from viewer.app.sensor_view import bind_site
from viewer.app.sources import RegistrySources, SourceManager
from viewer.io import load_document
from viewer.paths import demo_plant_path
from viewer.sensors import SampleBuffer, SourceSettings
from viewer.sensors.plugins import PluginRegistry

document = load_document(demo_plant_path())
paths = [p for p in document.iter_equipment() if p.site.id == "OC"]
bindings, _, problem = bind_site(paths, paths[0].site)
store = SampleBuffer(stale_after=10.0)
manager = SourceManager(store, RegistrySources(PluginRegistry.discover()))
notices, changes, threads = [], [], set()
def on_notice(n):
    notices.append([str(n.severity), n.text])
    threads.add(threading.current_thread().name)
manager.notice.connect(on_notice)
manager.sources_changed.connect(lambda: changes.append(1))

name = manager.connect_source(SourceSettings("simulator", "sim", options={"rate": 20.0, "seed": 3}), bindings)
first_rows = [(r.name, r.status) for r in manager.rows()]
bad = manager.connect_source(SourceSettings("no-such-kind", "sim"), bindings)
deadline = time.time() + 10
while time.time() < deadline:
    rows = {r.name: r for r in manager.rows()}
    if name in rows and rows[name].messages >= 3 and bad not in rows:
        break
    time.sleep(0.05)
rows = {r.name: r for r in manager.rows()}
row = rows[name]
bound = set(bindings.by_tag)
arrived = [t for t in store.tags() if t in bound]
state_tags = [t for t in arrived if t.endswith("/state")]
transitions = manager.poll_transitions()
manager.disconnect_source(name)
manager.stop_all()
print(json.dumps({
    "name": name, "bad": bad, "problem": problem, "first_rows": first_rows,
    "row": [row.kind, row.address, row.status, row.messages, row.values, row.malformed, row.error],
    "rows_after_failure": sorted(rows), "rows_after_stop": [r.name for r in manager.rows()],
    "bound": len(bound), "arrived": len(arrived),
    "state_value": store.latest(state_tags[0]).value if state_tags else None,
    "notices": notices, "changes": len(changes), "threads": sorted(threads),
    "transitions": [str(t.text) for t in transitions], "is_running": manager.source(name) is not None,
    "qt": sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "vtkmodules", "vtk", "pyvista")),
}))
"""


def test_simulator_runs_through_the_application_layer_with_no_qt():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "plugins")]))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["qt"] == []  # no PySide6, no VTK: a command line or a follow-me session can run sources
    assert out["problem"] == ""
    assert out["name"] == "sim" and out["bad"] == "sim-2"  # names are made unique at once, before starting
    assert out["first_rows"] in ([["sim", "connecting"]], [["sim", "connected"]])
    kind, address, status, messages, values, malformed, error = out["row"]
    assert (kind, address, status, malformed, error) == ("simulator", "built-in simulator, 20 Hz", "connected", 0, "")
    assert messages >= 3 and values >= messages  # each step publishes a value for every bound tag
    # The values arrived in the store under the bound tags: every bound tag, a state among them.
    assert out["arrived"] == out["bound"] > 0
    assert isinstance(out["state_value"], str) and out["state_value"]
    assert out["rows_after_failure"] == ["sim"]  # the failed source left no row behind
    assert out["rows_after_stop"] == [] and out["is_running"] is False
    assert out["transitions"] == []  # connected from the first poll: nothing to tell
    texts = {text: level for level, text in out["notices"]}
    assert texts["source sim started: built-in simulator, 20 Hz"] == "info"
    assert texts["source sim disconnected"] == "info"
    failed = [t for t in texts if t.startswith("source sim-2 could not start: ")]
    assert len(failed) == 1 and texts[failed[0]] == "error" and "no-such-kind" in failed[0]
    # Started and failed on their connecting threads, not the caller's: a GUI must hand them over.
    assert {"connect-sim", "connect-sim-2"} <= set(out["threads"])
    assert out["changes"] >= 5  # two connects, started, failed, disconnected


@pytest.mark.gui
def test_the_windows_manager_hands_notices_from_connecting_threads_to_the_gui_thread(qtbot):
    from PySide6.QtCore import QThread

    from viewer.sensors import SampleBuffer, SourceSettings
    from viewer.sensors.plugins import PluginError
    from viewer.ui.document.session import Message, Severity
    from viewer.ui.sensors.sources import SourceManager

    class NoSources:
        def load_source(self, kind: str) -> type:
            raise PluginError(f"no plugin provides a source of kind {kind!r}")

    manager = SourceManager(SampleBuffer(stale_after=10.0), NoSources())
    received: list[tuple[Message, bool]] = []
    gui = QThread.currentThread()
    manager.message.connect(lambda m: received.append((m, QThread.currentThread() is gui)))
    name = manager.connect_source(SourceSettings("opcua", "line"), bindings=None)
    qtbot.waitUntil(lambda: bool(received), timeout=5000)
    manager.stop_all()
    assert name == "line" and manager.rows() == []
    message, on_gui_thread = received[0]
    expected = "source line could not start: no plugin provides a source of kind 'opcua'"
    assert message == Message(Severity.ERROR, expected)
    assert on_gui_thread  # the Qt signal was queued over from the connecting thread

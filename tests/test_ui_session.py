"""Remote sessions in the real window under Xvfb, through a real Mosquitto on loopback: a presenter's window and
a follower's (two windows in this process, and once a second app process), the Session menu and dock, following
the view and the camera, control, review topics for all, a broker restart, the pointer and the same plant.

Waits are on conditions with generous timeouts (a loaded two-core machine): never a sleep as synchronisation.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings
from sensor_fixtures import Broker, mosquitto_broker  # noqa: F401 (fixture)
from ui_helpers import ANODE_COATER, CATHODE_COATER, open_window, settle

from viewer.cli.open_cmd import join_request
from viewer.io import builtin_library, load_document
from viewer.model.edit import RenameEquipment
from viewer.model.review import new_topic
from viewer.model.review_edit import PutTopics, RemoveTopics
from viewer.model.views import CameraState
from viewer.paths import demo_plant_path
from viewer.session import SessionCredentials, data_bytes, document_hash
from viewer.session.view_message import SessionView, view_from_body, view_to_body
from viewer.ui.main_window import MainWindow
from viewer.ui.session import plant_sync
from viewer.ui.session.dialogs import SessionDialog
from viewer.ui.session.view_sync import ViewSync

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]
WAIT_MS = 30_000


def settings_at(tmp_path: Path, name: str) -> QSettings:
    return QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)


def camera_values(camera: CameraState) -> np.ndarray:
    return np.array([*camera.position, *camera.focal_point, *camera.up, camera.parallel_scale, camera.view_angle])


def same_camera(a: MainWindow, b: MainWindow) -> bool:
    return bool(np.allclose(camera_values(a.scene.view.camera_state()), camera_values(b.scene.view.camera_state()),
                            rtol=0, atol=1e-6))  # fmt: skip


def orbit(window: MainWindow, degrees: float) -> None:
    """Turn the presenter's camera as a drag does: the VTK camera moves, the scene stores it."""
    window.plotter.camera.Azimuth(degrees)
    window.scene.store_camera()
    window.scene.request_render()


@pytest.fixture
def windows(qtbot, tmp_path, mosquitto_broker: Broker):  # noqa: F811
    """Alice leads a session from her window, Bob's window joined it; both on the demo plant."""
    made: list[MainWindow] = []

    def make(name: str, path: Path | None = None) -> MainWindow:
        window = open_window(qtbot, settings_at(tmp_path, name))
        if path is not None:
            assert window.open_file(path)
            settle(window)
        made.append(window)
        return window

    def pair(follower_plant: Path | None = None) -> tuple[MainWindow, MainWindow]:
        alice, bob = make("alice"), make("bob", follower_plant)
        assert alice.session_ui.start(mosquitto_broker.url, SessionCredentials("alice"), "Alice", "Ochang mother")
        url = alice.session_ui.client.join_url
        assert bob.session_ui.join(url, SessionCredentials("bob"), "Bob", "Holland child")
        qtbot.waitUntil(lambda: len(alice.session_ui.dock.rows()) == 2 and len(bob.session_ui.dock.rows()) == 2,
                        timeout=WAIT_MS)  # fmt: skip
        qtbot.waitUntil(lambda: bob.session_ui.client.leader == "alice", timeout=WAIT_MS)
        return alice, bob

    pair.broker = mosquitto_broker  # type: ignore[attr-defined]
    yield pair
    for window in made:
        window.session_ui.leave()
        window.close()


def test_the_follower_mirrors_camera_selection_visibility_and_xray(windows, qtbot):
    alice, bob = windows()
    titles = [a.text() for a in alice.menuBar().actions()]
    assert titles[-3:] == ["&Session", "&Review", "&Help"]
    assert alice.session_ui.pointer_action.shortcut().toString() == "Ctrl+P"
    rows = {row[2]: row for row in bob.session_ui.dock.rows()}
    assert rows["alice"][:4] == ["Alice", "Ochang mother", "alice", "leads"]
    assert rows["bob"][:4] == ["Bob (you)", "Holland child", "bob", "following"]
    assert bob.session_ui.dock.bold_rows() == ["alice"]
    assert "connected" in bob.session_ui.status.text()
    assert not bob.session_ui.bar.isVisible()  # the same plant on both sides: nothing to say

    alice.state.select([CATHODE_COATER])
    alice.state.hide([ANODE_COATER])
    alice.state.set_xray(True)
    orbit(alice, 35.0)
    qtbot.waitUntil(lambda: bob.state.selection == (CATHODE_COATER,) and bob.state.xray, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ANODE_COATER in bob.state.hidden, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: same_camera(alice, bob), timeout=WAIT_MS)
    # The clipping box (the window's, not the view state's) follows too.
    box = np.array([[20.0, 5.0, 0.0], [50.0, 20.0, 6.0]])
    alice.scene.set_clipping(True, box)
    alice.clip_action.setChecked(True)
    qtbot.waitUntil(lambda: bob.scene.clip_widget is not None, timeout=WAIT_MS)
    assert np.allclose(bob.scene.view.clip_box, box, atol=1e-6)
    # A follower never publishes: its client never held a view of its own.
    assert bob.session_ui.client._my_view is None
    # Colour-by (the sensor features', read by the presenter's window every half second) follows as well.
    signal = alice.sensor_ui.controller.colorable_signals()[0]
    alice.sensor_ui.set_color_by(signal)
    qtbot.waitUntil(lambda: bob.sensor_ui.controller.color_by == signal, timeout=WAIT_MS)
    # Another site shown at the presenter's: the follower's view goes there too.
    child = alice.session.document.sites[1].id
    alice.state.set_active_site(child)
    qtbot.waitUntil(lambda: bob.state.active_site == child, timeout=WAIT_MS)


def test_stop_following_stays_where_you_are_and_following_again_catches_up(windows, qtbot):
    alice, bob = windows()
    orbit(alice, 20.0)
    qtbot.waitUntil(lambda: same_camera(alice, bob), timeout=WAIT_MS)
    bob.session_ui.set_following(False)
    qtbot.waitUntil(lambda: "looking around" in [r[3] for r in alice.session_ui.dock.rows()], timeout=WAIT_MS)
    kept = bob.scene.view.camera_state()
    orbit(alice, 40.0)
    moved = alice.scene.view.camera_state()
    # The leader's camera reached Bob's client (it keeps the newest), but not his view.
    qtbot.waitUntil(lambda: bob.session_ui.client.leader_view is not None
                    and bob.session_ui.client.leader_view.camera == moved, timeout=WAIT_MS)  # fmt: skip
    settle(bob)
    assert camera_values(bob.scene.view.camera_state()) == pytest.approx(camera_values(kept), abs=1e-9)
    bob.session_ui.set_following(True)
    qtbot.waitUntil(lambda: same_camera(alice, bob), timeout=WAIT_MS)


def test_a_declined_request_for_control_is_told_to_who_asked(windows, qtbot):
    alice, bob = windows()
    bob.session_ui.request_control()
    bar = alice.session_ui.bar
    qtbot.waitUntil(lambda: bar.isVisible() and bar.kind == "control", timeout=WAIT_MS)
    bar.button("Decline").click()
    qtbot.waitUntil(lambda: "declined your request" in bob.statusBar().currentMessage(), timeout=WAIT_MS)
    assert bob.statusBar().currentMessage() == "Session: Alice declined your request for control"
    assert alice.session_ui.client.is_leader and not bob.session_ui.client.is_leader


def test_take_control_and_the_other_side_follows_the_new_leader(windows, qtbot):
    alice, bob = windows()
    assert not bob.session_ui.end_action.isEnabled() and bob.session_ui.request_action.isEnabled()
    bob.session_ui.request_control()
    bar = alice.session_ui.bar
    qtbot.waitUntil(lambda: bar.isVisible() and bar.kind == "control", timeout=WAIT_MS)
    assert "Bob" in bar.label.text() and "asks for control" in bar.label.text()
    bar.button("Grant").click()
    qtbot.waitUntil(lambda: bob.session_ui.client.is_leader, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: alice.session_ui.dock.bold_rows() == ["bob"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bob.session_ui.hand_back_action.isEnabled() and bob.session_ui.end_action.isEnabled(),
                    timeout=WAIT_MS)  # fmt: skip
    bob.state.select([ANODE_COATER])
    orbit(bob, -50.0)
    qtbot.waitUntil(lambda: alice.state.selection == (ANODE_COATER,), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: same_camera(alice, bob), timeout=WAIT_MS)
    bob.session_ui.hand_back()
    qtbot.waitUntil(lambda: alice.session_ui.client.is_leader, timeout=WAIT_MS)
    orbit(alice, 15.0)
    qtbot.waitUntil(lambda: same_camera(alice, bob), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: alice.session_ui.end_action.isEnabled(), timeout=WAIT_MS)
    alice.session_ui.end_action.trigger()  # the leader ends it: the others are told and out
    qtbot.waitUntil(lambda: bob.session_ui.client is None, timeout=WAIT_MS)
    assert bob.session_ui.join_action.isEnabled() and not bob.session_ui.leave_action.isEnabled()
    assert "Session ended by Alice" in bob.statusBar().currentMessage()


def test_a_topic_made_in_one_window_appears_in_the_other_as_one_undo_step(windows, qtbot):
    alice, bob = windows()
    alice_undo, bob_undo = alice.session.undo, bob.session.undo
    before = bob_undo.index
    topic = new_topic(alice.session.document.review, "Coater web wanders", "alice", equipment=[CATHODE_COATER])
    alice_undo.push(PutTopics([topic]))
    qtbot.waitUntil(lambda: bob.session.document.review.topic(topic.guid) is not None, timeout=WAIT_MS)
    assert bob.session.document.review.topic(topic.guid).title == "Coater web wanders"
    assert bob_undo.index == before + 1
    assert bob_undo.undo_text() == "Review: from Alice"
    # Deleted on Bob's side: gone on Alice's, and nothing came back to Bob (no echo).
    bob_undo.push(RemoveTopics([topic.guid]))
    qtbot.waitUntil(lambda: alice.session.document.review.topic(topic.guid) is None, timeout=WAIT_MS)
    assert alice_undo.undo_text() == "Review: from Bob"
    settle(bob)
    assert bob_undo.index == before + 2
    assert alice_undo.texts()[-2:] == ["Review topic", "Review: from Bob"]


def test_reconnecting_after_the_broker_dies_and_connected_after_it_restarts(windows, qtbot):
    alice, bob = windows()
    broker = windows.broker
    broker.kill()
    qtbot.waitUntil(lambda: bob.session_ui.dock.state == "reconnecting", timeout=WAIT_MS)
    assert "reconnecting…" in bob.session_ui.status.text() and "#b07800" in bob.session_ui.status.text()
    broker.start()
    qtbot.waitUntil(lambda: bob.session_ui.dock.state == "connected", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: alice.session_ui.dock.state == "connected", timeout=WAIT_MS)
    assert "connected" in alice.session_ui.status.text()
    orbit(alice, 25.0)  # the session goes on
    qtbot.waitUntil(lambda: same_camera(alice, bob), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(bob.session_ui.dock.rows()) == 2, timeout=WAIT_MS)


def test_the_pointer_shows_on_the_other_window_and_goes_when_turned_off(windows, qtbot):
    alice, bob = windows()
    settle(alice)
    alice.session_ui.pointer_action.trigger()
    assert alice.session_ui.pointer.on
    centre = QPointF(alice.plotter.width() / 2, alice.plotter.height() / 2)
    alice.session_ui.pointer.move_to(centre)
    qtbot.waitUntil(lambda: "alice" in bob.session_ui.pointer.points, timeout=WAIT_MS)
    sent = alice.session_ui.pointer.sent
    assert sent is not None and bob.session_ui.pointer.points["alice"] == pytest.approx(sent)
    markers = bob.session_ui.pointer.markers
    assert markers.names == ["Alice"] and markers.actor.GetVisibility()
    assert bob.plotter.renderer.HasViewProp(markers.actor)
    alice.session_ui.pointer_action.trigger()
    qtbot.waitUntil(lambda: not bob.session_ui.pointer.points, timeout=WAIT_MS)
    assert markers.names == [] and not markers.actor.GetVisibility()
    alice.session_ui.pointer_action.trigger()
    alice.session_ui.pointer.move_to(QPointF(centre.x() + 40, centre.y()))
    qtbot.waitUntil(lambda: "alice" in bob.session_ui.pointer.points, timeout=WAIT_MS)
    alice.session_ui.leave()  # who leaves takes their pointer along
    qtbot.waitUntil(lambda: not bob.session_ui.pointer.points, timeout=WAIT_MS)
    assert markers.names == [] and [r[2] for r in bob.session_ui.dock.rows()] == ["bob"]


def test_session_events_are_handled_on_the_gui_thread(windows, qtbot, monkeypatch):
    """The client's signals fire on paho's thread; what the window does with them runs on the GUI thread."""
    seen: list[bool] = []
    gui = threading.get_ident()
    apply_camera = ViewSync.apply_camera

    def recording(self: ViewSync, camera: CameraState) -> None:
        seen.append(threading.get_ident() == gui)
        apply_camera(self, camera)

    monkeypatch.setattr(ViewSync, "apply_camera", recording)  # before the windows join: the bridge calls it
    alice, bob = windows()
    orbit(alice, 10.0)
    qtbot.waitUntil(lambda: bool(seen) and same_camera(alice, bob), timeout=WAIT_MS)
    assert all(seen)


def test_a_follower_with_another_plant_is_told_and_may_open_the_presenter_s(windows, qtbot, tmp_path):
    data = json.loads(demo_plant_path().read_text(encoding="utf-8"))
    equipment = data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"][0]
    equipment["pose"]["x"] += 2.5  # one machine moved at Bob's site
    changed = tmp_path / "bob-plant.mtplant.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    alice, bob = windows(follower_plant=changed)
    bar = bob.session_ui.bar
    qtbot.waitUntil(lambda: bar.isVisible() and bar.kind == "differs", timeout=WAIT_MS)
    assert "Your plant differs from the presenter's" in bar.label.text()
    assert document_hash(alice.session.document)[:12] in bar.label.text()
    assert bob.session.path == changed  # nothing was replaced on its own
    bar.button("Get the presenter's plant").click()
    qtbot.waitUntil(lambda: bar.isVisible() and bar.kind == "received", timeout=WAIT_MS)
    assert "1 equipment moved" in bar.label.text(), bar.label.text()
    assert bob.session.path == changed
    bar.button("Open It").click()
    qtbot.waitUntil(lambda: bob.session.path is None and not bob.opening, timeout=WAIT_MS)
    assert document_hash(bob.session.document) == document_hash(alice.session.document)
    assert "(from the session, not saved)" in bob.windowTitle()
    assert bob.session.modified  # closing asks: it is nowhere on disk here
    bob.session.undo.push(RenameEquipment(ANODE_COATER, "Anode coater (Bob's note)"))
    assert bob.windowTitle() == f"{demo_plant_path().name} (from the session, not saved)* — MotherTwin"


def test_the_plant_is_written_out_only_for_a_session_and_once_a_change(windows, qtbot, tmp_path, monkeypatch):
    """Writing out a plant of 10,000 equipment takes over half a second: never on an open outside a session, once
    per change inside one (on a worker thread for the presenter), however many join meanwhile."""
    written: list[int] = []  # the thread of each writing out

    def counting(data: dict) -> bytes:
        written.append(threading.get_ident())
        return data_bytes(data)

    monkeypatch.setattr(plant_sync, "data_bytes", counting)
    alone = open_window(qtbot, settings_at(tmp_path, "carol"))
    try:
        assert alone.open_file(demo_plant_path())
        settle(alone)
        assert written == []  # no session: nothing written out
    finally:
        alone.close()
    alice, bob = windows()
    bob.session_ui.plant.document_hash()  # taken at its join already (kept): nothing of Bob's counts below
    before = len(written)
    assert before >= 1  # the session's hash: once each
    hash_before = bob.session_ui.client.session_document_hash
    assert hash_before == document_hash(alice.session.document)
    alice.session.undo.push(RenameEquipment(CATHODE_COATER, "Cathode coater (rebuilt)"))
    wanted = document_hash(alice.session.document)
    bar = bob.session_ui.bar
    qtbot.waitUntil(lambda: bob.session_ui.client.session_document_hash == wanted, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.isVisible() and bar.kind == "differs", timeout=WAIT_MS)
    assert wanted[:12] in bar.label.text()
    gui = threading.get_ident()
    after_edit = written[before:]
    assert len(after_edit) == 1 and after_edit[0] != gui  # the presenter wrote it out once, off the GUI thread
    alice.session_ui.plant.announce()  # as when someone joins: the bytes taken for the change are offered again
    assert len(written) == before + 1


def test_two_app_processes_the_follower_s_camera_equals_the_presenter_s(qtbot, tmp_path, mosquitto_broker):  # noqa: F811
    alice = open_window(qtbot, settings_at(tmp_path, "alice"))
    try:
        assert alice.session_ui.start(mosquitto_broker.url, SessionCredentials("alice"), "Alice", "Ochang")
        report, stop = tmp_path / "peer.json", tmp_path / "peer.stop"
        path = os.pathsep.join([str(ROOT), str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")])
        env = dict(os.environ, PYTHONPATH=path)
        command = [sys.executable, str(ROOT / "tests" / "session_peer.py"), alice.session_ui.client.join_url, "bob",
                   str(report), str(stop), str(tmp_path / "bob.ini")]  # fmt: skip
        peer = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            qtbot.waitUntil(lambda: len(alice.session_ui.dock.rows()) == 2, timeout=90_000)

            def peer_camera() -> np.ndarray | None:
                try:
                    data = json.loads(report.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    return None
                return camera_values(CameraState.from_dict(data["camera"]))

            orbit(alice, 30.0)
            alice.state.select([CATHODE_COATER])
            ours = camera_values(alice.scene.view.camera_state())
            qtbot.waitUntil(lambda: (c := peer_camera()) is not None and np.allclose(c, ours, rtol=0, atol=1e-6),
                            timeout=90_000)  # fmt: skip
            qtbot.waitUntil(lambda: json.loads(report.read_text())["selection"] == [CATHODE_COATER], timeout=WAIT_MS)
            row = next(r for r in alice.session_ui.dock.rows() if r[2] == "bob")
            assert row[:4] == ["Bob", "Holland", "bob", "following"]
        finally:
            stop.write_text("stop")
            try:
                peer.wait(timeout=60)
            except subprocess.TimeoutExpired:
                peer.kill()
                peer.wait(timeout=10)
        assert peer.returncode == 0, peer.stdout.read().decode() if peer.stdout else ""
        qtbot.waitUntil(lambda: len(alice.session_ui.dock.rows()) == 1, timeout=WAIT_MS)  # Bob left the roster
    finally:
        alice.session_ui.leave()
        alice.close()


def test_a_session_view_is_read_after_a_plant_was_opened():
    """The view checks compile a part of the plant schema; once a plant was opened (the whole schema compiled)
    they must still resolve inside it, not by fetching the schema's $id from the network."""
    load_document(demo_plant_path(), builtin_library())
    view = SessionView().with_camera(CameraState((1.0, 2.0, 3.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0), False, 1.0, 30.0))
    assert view_from_body(view_to_body(view)).camera == view.camera


def test_open_join_options_are_checked_before_the_window_opens(monkeypatch):
    def args(**given: object) -> argparse.Namespace:
        keys = ("join", "session_user", "session_password_env", "session_ca", "session_name", "session_site")
        return argparse.Namespace(**{key: given.get(key) for key in keys})

    assert join_request(args()) is None
    assert join_request(args(session_user="bob")) == "--session-user need --join"
    assert "expected mqtt[s]://HOST:PORT/SESSION_ID" in str(join_request(args(join="mqtt://broker:1883")))
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    unset = join_request(args(join="mqtt://broker:1883/abcdefghijklmnopqrstuv", session_password_env="NO_SUCH_VAR"))
    assert "the variable NO_SUCH_VAR is not set" in str(unset)
    monkeypatch.setenv("SESSION_PASSWORD", "secret")
    url = "mqtt://broker:1883/abcdefghijklmnopqrstuv"
    assert join_request(args(join=url, session_user="bob", session_password_env="SESSION_PASSWORD")) == {
        "url": url,
        "user": "bob",
        "password_env": "SESSION_PASSWORD",
    }


def test_start_dialog_remembers_all_but_a_typed_password(qtbot, tmp_path):
    settings = settings_at(tmp_path, "dialog")
    dialog = SessionDialog(settings, joining=False)
    qtbot.addWidget(dialog)
    dialog.url.setText("mqtts://broker.ochang.example:8883")
    dialog.login.setText("kim.minjun")
    dialog.password.setText("typed-secret-1234")
    dialog.name.setText("Kim Min-jun")
    dialog.site.setText("Ochang mother plant")
    choice = dialog.choice()
    assert choice.credentials.password() == "typed-secret-1234"
    assert "typed-secret-1234" not in repr(choice.credentials)
    settings.sync()
    assert "typed-secret-1234" not in (tmp_path / "dialog.ini").read_text(encoding="utf-8")
    again = SessionDialog(settings, joining=False)
    qtbot.addWidget(again)
    assert (again.url.text(), again.login.text(), again.name.text(), again.password.text()) == (
        "mqtts://broker.ochang.example:8883",
        "kim.minjun",
        "Kim Min-jun",
        "",
    )


COATER_TAG = "OC/OC-ELE1/OC-ELE1-COT/OC-ELE1-COT-01/{}"


def _coater_recording(path: Path, start: float = 1_735_689_600.0) -> float:
    """100 s of the cathode coater: running, then a fault from 50 s."""
    lines = ["time,tag,value"]
    for second in range(101):
        lines.append(f"{start + second},{COATER_TAG.format('state')},{'running' if second < 50 else 'fault'}")
    path.write_text("\n".join(lines) + "\n")
    return start


def test_the_follower_follows_a_replay_s_time_and_speed(windows, qtbot, tmp_path):
    from viewer.ui.sensors.dialogs import source_settings
    from viewer.ui.sensors.timeline import Mode

    alice, bob = windows()
    start = _coater_recording(tmp_path / "coater.csv")
    for window in (alice, bob):  # both sites have the recording (sent along with the question)
        window.sensor_ui.controller.connect_source(source_settings("recording", {"path": str(tmp_path / "coater.csv")}))
        qtbot.waitUntil(lambda w=window: w.sensor_ui.controller.timeline.mode is Mode.REPLAY, timeout=10000)
    presenter, follower = alice.sensor_ui.controller.timeline, bob.sensor_ui.controller.timeline
    presenter.set_speed(10.0)
    presenter.seek(start + 60.0)
    qtbot.waitUntil(lambda: presenter.idle() and abs(presenter.cursor - (start + 60.0)) < 0.5, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: abs(follower.cursor - (start + 60.0)) < 0.5, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: follower.speed == 10.0, timeout=WAIT_MS)
    assert follower.mode is Mode.REPLAY
    presenter.seek(start + 20.0)
    qtbot.waitUntil(lambda: abs(follower.cursor - (start + 20.0)) < 0.5, timeout=WAIT_MS)


def test_a_follower_without_the_recording_is_told_what_it_cannot_follow(windows, qtbot, tmp_path):
    from viewer.ui.sensors.dialogs import source_settings
    from viewer.ui.sensors.timeline import Mode

    alice, bob = windows()
    start = _coater_recording(tmp_path / "coater.csv")
    alice.sensor_ui.controller.connect_source(source_settings("recording", {"path": str(tmp_path / "coater.csv")}))
    qtbot.waitUntil(lambda: alice.sensor_ui.controller.timeline.mode is Mode.REPLAY, timeout=10000)
    alice.sensor_ui.controller.timeline.seek(start + 30.0)
    sync = bob.session_ui.view
    qtbot.waitUntil(lambda: any("replay time" in m for m in sync.not_followed), timeout=WAIT_MS)
    assert "Following: not here:" in bob.statusBar().currentMessage()

"""Remote sessions between two real app processes through real Mosquitto brokers: this test's window and a
second app (tests/session_peer.py: the real `mothertwin open --join` startup) scripted through a command file
and read through the report it writes every 100 ms. Review topics both ways, take control, a broker killed and
restarted, an outsider refused by the shipped ACL, and a follower told that its plant differs.

One peer process per test, stopped by its stop file (then killed if it must be). Waits are on conditions with
generous timeouts (a second app takes 5-10 s to start on a loaded two-core machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from sensor_fixtures import MOSQUITTO, MOSQUITTO_PASSWD, mosquitto_broker  # noqa: F401 (fixture)
from test_session_broker import PASSWORDS, SiteBroker
from ui_helpers import open_window

from viewer.model.review import new_topic
from viewer.model.review_edit import PutTopics
from viewer.model.views import CameraState
from viewer.paths import demo_plant_path
from viewer.session import SessionCredentials
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]
START_MS = 90_000  # the peer's app starting, opening the plant and joining
WAIT_MS = 30_000


def camera_values(camera: CameraState) -> np.ndarray:
    return np.array([*camera.position, *camera.focal_point, *camera.up, camera.parallel_scale, camera.view_angle])


def orbit(window: MainWindow, degrees: float) -> None:
    """Turn the camera as a drag does: the VTK camera moves, the scene stores it."""
    window.plotter.camera.Azimuth(degrees)
    window.scene.store_camera()
    window.scene.request_render()


class PeerProcess:
    """The second app: started joined to `url`, reporting to a JSON file, taking commands from another."""

    def __init__(self, folder: Path, url: str, login: str, *options: str, env: dict[str, str] | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.report_path, self.stop_path = folder / "peer.json", folder / "peer.stop"
        self.commands_path = folder / "peer.commands"
        self.commands: list[str] = []
        path = os.pathsep.join([str(ROOT), str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")])
        command = [sys.executable, str(ROOT / "tests" / "session_peer.py"), url, login, str(self.report_path),
                   str(self.stop_path), str(folder / "peer.ini"), "--commands", str(self.commands_path),
                   *options]  # fmt: skip
        self.log_path = folder / "peer.log"  # a file, not a pipe: a chatty peer never blocks on a full pipe
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": path, **(env or {})},
                                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def report(self) -> dict:
        try:
            return json.loads(self.report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def send(self, *command: object) -> None:
        """Append a command; the whole file is replaced at once so the peer never reads half a line."""
        self.commands.append(json.dumps(list(command)))
        part = self.commands_path.with_suffix(".part")
        part.write_text("\n".join(self.commands) + "\n", encoding="utf-8")
        os.replace(part, self.commands_path)

    def camera(self) -> np.ndarray | None:
        data = self.report()
        return camera_values(CameraState.from_dict(data["camera"])) if "camera" in data else None

    def has_camera(self, values: np.ndarray) -> bool:
        camera = self.camera()
        return camera is not None and bool(np.allclose(camera, values, rtol=0, atol=1e-6))

    def stop(self) -> str:
        """Stop it (stop file, then kill); what it printed."""
        self.stop_path.write_text("stop")
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def presenter(qtbot, tmp_path):
    """This process's window, leading a session it starts with `presenter(broker_url, credentials)`; a peer
    process started with `presenter.peer(...)` is stopped at the end."""
    window = open_window(qtbot, QSettings(str(tmp_path / "alice.ini"), QSettings.Format.IniFormat))
    peers: list[PeerProcess] = []

    def start(broker_url: str, credentials: SessionCredentials) -> MainWindow:
        assert window.session_ui.start(broker_url, credentials, "Alice", "Ochang mother")
        qtbot.waitUntil(lambda: window.session_ui.client.is_leader, timeout=WAIT_MS)
        return window

    def peer(login: str, *options: str, env: dict[str, str] | None = None) -> PeerProcess:
        made = PeerProcess(tmp_path / "peer", window.session_ui.client.join_url, login, *options, env=env)
        peers.append(made)
        return made

    start.peer = peer  # type: ignore[attr-defined]
    try:
        yield start
    finally:
        for made in peers:
            output = made.stop()
            assert made.process.returncode == 0, output
        window.session_ui.leave()
        window.close()


def joined(qtbot, window: MainWindow, peer: PeerProcess, login: str) -> None:
    qtbot.waitUntil(lambda: login in [row[2] for row in window.session_ui.dock.rows()], timeout=START_MS)
    qtbot.waitUntil(lambda: peer.report().get("leader") == "alice", timeout=START_MS)


def test_a_review_topic_made_in_either_process_appears_in_the_other(presenter, qtbot, mosquitto_broker):  # noqa: F811
    alice = presenter(mosquitto_broker.url, SessionCredentials("alice"))
    peer = presenter.peer("bob")
    joined(qtbot, alice, peer, "bob")
    topic = new_topic(alice.session.document.review, "Coater web wanders", "alice")
    alice.session.undo.push(PutTopics([topic]))
    qtbot.waitUntil(lambda: "Coater web wanders" in peer.report().get("topics", []), timeout=WAIT_MS)
    peer.send("make_topic", "Bob: guard rail too close to the aisle")
    review = alice.session.document.review
    qtbot.waitUntil(lambda: "Bob: guard rail too close to the aisle" in [t.title for t in review.topics],
                    timeout=WAIT_MS)  # fmt: skip
    assert alice.session.undo.undo_text() == "Review: from Bob"


def test_take_control_the_presenter_grants_then_follows_the_peer_s_camera(presenter, qtbot, mosquitto_broker):  # noqa: F811
    alice = presenter(mosquitto_broker.url, SessionCredentials("alice"))
    peer = presenter.peer("bob")
    joined(qtbot, alice, peer, "bob")
    peer.send("request_control")
    bar = alice.session_ui.bar
    qtbot.waitUntil(lambda: bar.isVisible() and bar.kind == "control", timeout=WAIT_MS)
    assert "Bob" in bar.label.text() and "asks for control" in bar.label.text()
    bar.button("Grant").click()
    qtbot.waitUntil(lambda: peer.report().get("is_leader") is True, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: alice.session_ui.client.leader == "bob", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: alice.session_ui.dock.bold_rows() == ["bob"], timeout=WAIT_MS)
    moved = [31.5, -42.25, 27.0, 40.0, 12.5, 1.5, 0.0, 0.0, 1.0]
    peer.send("move_camera", moved)

    def alice_follows() -> bool:
        peer_camera, ours = peer.camera(), camera_values(alice.scene.view.camera_state())
        return (peer_camera is not None and np.allclose(peer_camera[:3], moved[:3], atol=1e-6)
                and np.allclose(peer_camera, ours, rtol=0, atol=1e-6))  # fmt: skip

    qtbot.waitUntil(alice_follows, timeout=WAIT_MS)


def test_the_peer_reconnects_after_the_broker_restarts_and_catches_up(presenter, qtbot, mosquitto_broker):  # noqa: F811
    alice = presenter(mosquitto_broker.url, SessionCredentials("alice"))
    peer = presenter.peer("bob")
    joined(qtbot, alice, peer, "bob")
    orbit(alice, 20.0)
    qtbot.waitUntil(lambda: peer.has_camera(camera_values(alice.scene.view.camera_state())), timeout=WAIT_MS)
    mosquitto_broker.kill()
    qtbot.waitUntil(lambda: peer.report().get("connection") == "reconnecting", timeout=WAIT_MS)
    orbit(alice, 45.0)  # moved while the broker is down: the peer must catch up after it is back
    moved = camera_values(alice.scene.view.camera_state())
    assert not peer.has_camera(moved)
    mosquitto_broker.start()
    qtbot.waitUntil(lambda: peer.report().get("connection") == "connected", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: peer.has_camera(moved), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "bob" in [row[2] for row in alice.session_ui.dock.rows()], timeout=WAIT_MS)


def test_a_peer_with_another_plant_is_told_that_it_differs(presenter, qtbot, tmp_path, mosquitto_broker):  # noqa: F811
    data = json.loads(demo_plant_path().read_text(encoding="utf-8"))
    equipment = data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"][0]
    equipment["pose"]["x"] += 2.5  # one machine moved at Bob's site
    changed = tmp_path / "bob-plant.mtplant.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    alice = presenter(mosquitto_broker.url, SessionCredentials("alice"))
    peer = presenter.peer("bob", "--plant", str(changed))
    joined(qtbot, alice, peer, "bob")
    qtbot.waitUntil(lambda: peer.report().get("bar_kind") == "differs", timeout=WAIT_MS)
    assert "Your plant differs from the presenter's" in peer.report()["bar"]


needs_mosquitto_passwd = pytest.mark.skipif(
    not Path(MOSQUITTO).exists() or not Path(MOSQUITTO_PASSWD).exists(),
    reason="mosquitto or mosquitto_passwd is not installed (Debian package `mosquitto`)",
)


@pytest.fixture
def site_broker(tmp_path, monkeypatch):
    """A broker from the shipped session-site.conf and session.acl (TLS, the example logins of the ACL); the
    presenter's password in this process's environment."""
    broker = SiteBroker(tmp_path / "broker")
    broker.start()
    monkeypatch.setenv("MT_TEST_MOTHER_PASSWORD", PASSWORDS["mother-engineer"])
    try:
        yield broker
    finally:
        broker.stop()


def site_login(broker: SiteBroker, login: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """The peer's options and environment for `login` of the shipped ACL on `broker`."""
    return ("--password-env", "MT_TEST_PEER_PASSWORD", "--ca", str(broker.tls.ca)), {
        "MT_TEST_PEER_PASSWORD": PASSWORDS[login]
    }


def mother_engineer(broker: SiteBroker) -> SessionCredentials:
    return SessionCredentials("mother-engineer", "MT_TEST_MOTHER_PASSWORD", tls_ca=str(broker.tls.ca))


@needs_mosquitto_passwd
def test_with_the_shipped_broker_config_a_participant_login_follows(presenter, qtbot, site_broker):
    """The counterpart of the outsider's test below: the same broker, TLS and passwords let a participant in."""
    alice = presenter(f"mqtts://127.0.0.1:{site_broker.port}", mother_engineer(site_broker))
    options, env = site_login(site_broker, "child-engineer")
    peer = presenter.peer("child-engineer", *options, env=env)
    qtbot.waitUntil(lambda: "child-engineer" in [row[2] for row in alice.session_ui.dock.rows()], timeout=START_MS)
    qtbot.waitUntil(lambda: peer.report().get("leader") == "mother-engineer", timeout=WAIT_MS)
    orbit(alice, 30.0)
    qtbot.waitUntil(lambda: peer.has_camera(camera_values(alice.scene.view.camera_state())), timeout=WAIT_MS)
    assert sorted(peer.report()["roster"]) == ["child-engineer", "mother-engineer"]


@needs_mosquitto_passwd
def test_the_shipped_acl_refuses_an_outsider_process_anything_of_the_session(presenter, qtbot, site_broker):
    alice = presenter(f"mqtts://127.0.0.1:{site_broker.port}", mother_engineer(site_broker))
    topic = new_topic(alice.session.document.review, "Only for participants", "mother-engineer")
    alice.session.undo.push(PutTopics([topic]))
    options, env = site_login(site_broker, "outsider")
    peer = presenter.peer("outsider", *options, env=env)
    # Its login is good (the broker lets it connect), its topic rights are none: its first publish is refused
    # and it says so, rather than showing an empty session as connected.
    qtbot.waitUntil(lambda: peer.report().get("connection") == "refused", timeout=START_MS)
    assert "does not let user 'outsider' take part in session" in peer.report()["last_error"]
    assert "not authorized" in peer.report()["last_error"]
    start = camera_values(CameraState.from_dict(peer.report()["camera"]))
    for degrees in (15.0, 30.0, 45.0):  # the presenter keeps moving while the outsider is in
        orbit(alice, degrees)
        qtbot.wait(1500)
        seen = peer.report()
        assert seen["leader"] == "" and seen["roster"] in ([], ["outsider"]), seen
        assert "Only for participants" not in seen["topics"]
        assert [row[2] for row in alice.session_ui.dock.rows()] == ["mother-engineer"]
    assert np.allclose(peer.camera(), start, atol=1e-9)  # never moved by the presenter
    assert not np.allclose(start, camera_values(alice.scene.view.camera_state()), atol=1e-3)

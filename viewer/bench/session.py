"""`mothertwin bench session`: remote sessions through real Mosquitto brokers on loopback, started from the
shipped packaging/mosquitto files (TLS, logins from make-users.sh, the ACL, a child site bridged to the mother).

- Presenter camera move -> follower: a follower SessionClient receives each camera and applies it to a
  ViewState ("applied"), and its off-screen PlantView renders it ("to follower frame"); p50/p95/max over
  --moves moves at 30 Hz, through one broker (target p95 <= 150 ms) and through the bridge (<= 250 ms). The
  floor in the same run: a bare paho publish -> receive of a message of the same size on the same brokers.
- Orbit frame on the presenter (off-screen PlantView of a generated plant) publishing every camera with 5
  followers connected (another process, as other machines would be) against the same orbit without a
  session (target <= 1.1x), medians over --frames frames.
- --followers followers (SessionClients in this process, a paho loop each) on one broker: p95 latency across
  all of them, and how many missed the last camera of a burst (target: none).

The figures are printed; nothing here is a pass/fail test of the code (the tests are).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from viewer.bench.figures import figure_line, percentile, verdict
from viewer.model.views import CameraState
from viewer.session.broker_config import (
    BRIDGE_CONFIG,
    BRIDGE_LOGIN,
    BrokerTls,
    bridge_config,
    make_loopback_tls,
    make_users,
    site_config,
)

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
ONE_BROKER_TARGET_S = 0.150
BRIDGE_TARGET_S = 0.250
ORBIT_RATIO_TARGET = 1.1
RATE_HZ = 30.0
PRESENTER, FOLLOWER = "mother-engineer", "child-engineer"  # logins of the shipped ACL that may read sessions
WAIT_S = 30.0
ORBIT_FOLLOWERS = 5
BURST_MOVES = 15  # cameras per burst in the many-followers run (half a second at 30 Hz), then a pause

FOLLOWERS_PROCESS = """
import sys, time
from viewer.session import SessionClient, SessionCredentials
url, join, ca, login, variable, count = sys.argv[1:7]
received = [0]
clients = []
for index in range(int(count)):
    client = SessionClient(url, SessionCredentials(login, password_env=variable, tls_ca=ca),
                           name=f"follower {index}", keep_fresh=0)
    client.camera_received.connect(lambda camera: received.__setitem__(0, received[0] + 1))
    client.join(join)
    clients.append(client)
deadline = time.monotonic() + 60
while not all(client.leader for client in clients) and time.monotonic() < deadline:
    time.sleep(0.05)
print("READY" if all(client.leader for client in clients) else "FAILED", flush=True)
sys.stdin.readline()
for client in clients:
    client.close()
print("RECEIVED", received[0], flush=True)
"""


def missing_tools() -> str:
    """Why the benchmark cannot run here ("" when it can)."""
    missing = [path for path in (MOSQUITTO, MOSQUITTO_PASSWD) if not Path(path).exists()]
    if not missing:
        return ""
    names = ", ".join(Path(path).name for path in missing)
    return f"needs Mosquitto: {names} not found (install the Debian package `mosquitto`)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"mothertwin bench session: no {what} after {timeout:g} s")
        time.sleep(0.02)


class LoopbackSite:
    """A site's broker on 127.0.0.1 from session-site.conf and session.acl as shipped; `bridge_to` makes it a
    child site bridged to that broker by bridge-to-mother.conf."""

    def __init__(self, folder: Path, passwords: dict[str, str], bridge_to: LoopbackSite | None = None) -> None:
        folder.mkdir(parents=True)
        self.folder, self.port = folder, _free_port()
        self.tls: BrokerTls = make_loopback_tls(folder / "tls")
        password_file = folder / "passwords"
        make_users(password_file, "".join(f"{login}:{word}\n" for login, word in passwords.items()), MOSQUITTO_PASSWD)
        included = folder / "conf.d"
        (folder / "data").mkdir()
        included.mkdir()
        self.log = folder / "mosquitto.log"
        self.config = folder / "mosquitto.conf"
        self.config.write_text(site_config(self.port, password_file, self.tls, folder / "data", self.log, included))
        if bridge_to is not None:
            bridge = bridge_config(bridge_to.port, passwords[BRIDGE_LOGIN], bridge_to.tls.ca)
            (included / BRIDGE_CONFIG.name).write_text(bridge)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtts://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Mosquitto did not start: {self.log.read_text()[-1500:]}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@contextmanager
def bridged_sites(folder: Path) -> Iterator[tuple[LoopbackSite, LoopbackSite, dict[str, str]]]:
    """The mother's broker and a child site's bridged to it; yields (mother, child, password variables by
    login). The passwords are random, handed to the clients through environment variables of this process."""
    logins = (PRESENTER, FOLLOWER, BRIDGE_LOGIN)
    passwords = {login: secrets.token_urlsafe(12) for login in logins}
    variables = {login: f"MT_BENCH_SESSION_PASSWORD_{login.replace('-', '_').upper()}" for login in logins}
    os.environ.update({variables[login]: passwords[login] for login in logins})
    mother = LoopbackSite(folder / "mother", passwords)
    child = LoopbackSite(folder / "child", passwords, bridge_to=mother)
    try:
        mother.start()
        child.start()
        yield mother, child, variables
    finally:
        child.stop()
        mother.stop()
        for variable in variables.values():
            os.environ.pop(variable, None)


def _client(site: LoopbackSite, login: str, variables: dict[str, str], **options: Any) -> Any:
    from viewer.session import SessionClient, SessionCredentials

    credentials = SessionCredentials(login, password_env=variables[login], tls_ca=str(site.tls.ca))
    return SessionClient(site.url, credentials, keep_fresh=0, **options)


def _orbit_camera(index: int, centre: tuple[float, float, float], radius: float) -> CameraState:
    """The index-th camera of a slow orbit; each position is a distinct key (floats survive JSON exactly)."""
    angle = index * 2.0 * math.pi / 300.0
    x, y, z = centre
    position = (x + radius * math.cos(angle), y + radius * math.sin(angle), z + radius * 0.6 + index * 1e-6)
    return CameraState(position, centre)


def _render(plotter: Any) -> float:
    start = time.perf_counter()
    plotter.render_window.Render()
    plotter.render_window.WaitForCompletion()
    return time.perf_counter() - start


class _Scene:
    """An off-screen PlantView of a generated plant (what a presenter or a follower looks at)."""

    def __init__(self, equipment: int, size: tuple[int, int] = (1280, 800)) -> None:
        from viewer.io import builtin_library
        from viewer.model.synthetic import generate_plant
        from viewer.scene.offscreen import offscreen_plotter
        from viewer.scene.plant_view import PlantView
        from viewer.scene.render import choose_site

        library = builtin_library()
        document = generate_plant(library, equipment, seed=1)
        self.plotter = offscreen_plotter(size)
        self.view = PlantView(self.plotter)
        self.view.show_site(document, library, choose_site(document, None))
        self.view.set_view("iso")
        _render(self.plotter)
        bounds = self.view.batch.bounds
        low, high = bounds[:, 0].min(axis=0), bounds[:, 1].max(axis=0)
        self.centre = (float(low[0] + high[0]) / 2, float(low[1] + high[1]) / 2, float(low[2] + high[2]) / 2)
        self.radius = float(max(high - low))

    def orbit(self, frames: int, before_frame: Callable[[], None] | None = None) -> list[float]:
        """Seconds of each frame while the camera turns (level of detail on, as while dragging)."""
        self.view.set_interacting(True)
        times = []
        try:
            for _ in range(frames):
                start = time.perf_counter()
                self.plotter.camera.azimuth += 360.0 / frames
                if before_frame is not None:
                    before_frame()
                _render(self.plotter)
                times.append(time.perf_counter() - start)
        finally:
            self.view.set_interacting(False)
        return times

    def close(self) -> None:
        self.plotter.close()


def _moves(
    presenter_site: LoopbackSite,
    follower_site: LoopbackSite,
    variables: dict[str, str],
    moves: int,
    scene: _Scene | None,
    presenter_login: str = PRESENTER,
    follower_login: str = FOLLOWER,
) -> dict[str, list[float]]:
    """Latencies (s) of `moves` camera moves at 30 Hz from a presenter to a follower: applied to the follower's
    ViewState, and (with a scene) to the follower's rendered frame."""
    from viewer.app.view_state import ViewState
    from viewer.session.connection import join_url

    presenter = _client(presenter_site, presenter_login, variables, name="presenter")
    follower = _client(follower_site, follower_login, variables, name="follower")
    state = ViewState()
    sent: dict[tuple[float, ...], float] = {}
    applied: dict[tuple[float, ...], float] = {}
    framed: dict[tuple[float, ...], float] = {}
    renders: list[float] = []
    newest: list[CameraState] = []
    arrived = threading.Event()

    def on_camera(camera: CameraState) -> None:  # paho's thread
        state.set_camera(camera)
        applied[camera.position] = time.perf_counter()
        newest[:] = [camera]
        arrived.set()

    follower.camera_received.connect(on_camera)
    centre, radius = (scene.centre, scene.radius) if scene is not None else ((0.0, 0.0, 0.0), 100.0)
    try:
        session = presenter.start()
        follower.join(join_url(follower_site.url, session))
        _wait_until(lambda: follower.leader == presenter_login, WAIT_S, "leader record at the follower")

        def present() -> None:
            start = time.perf_counter()
            for index in range(moves):
                pause = start + index / RATE_HZ - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                camera = _orbit_camera(index, centre, radius)
                sent[camera.position] = time.perf_counter()
                presenter.publish_camera(camera)

        sender = threading.Thread(target=present, name="bench-presenter", daemon=True)
        sender.start()
        last = _orbit_camera(moves - 1, centre, radius).position
        deadline = time.monotonic() + moves / RATE_HZ + 10.0
        while time.monotonic() < deadline and last not in (framed if scene is not None else applied):
            if not arrived.wait(0.05) or scene is None:
                continue
            arrived.clear()
            camera = newest[0]
            scene.view.apply_camera(camera)  # the follower's frame of the newest camera (this thread renders)
            renders.append(_render(scene.plotter))
            framed[camera.position] = time.perf_counter()
        sender.join()
    finally:
        follower.close()
        presenter.close()
    return {
        "applied": [applied[key] - sent[key] for key in applied if key in sent],
        "frame": [framed[key] - sent[key] for key in framed if key in sent],
        "received": [float(len(applied))],
        "last": [float(last in applied)],
        "render": renders,
    }


def _bare_round_trips(
    sender_site: LoopbackSite, receiver_site: LoopbackSite, variables: dict[str, str], count: int, size: int,
    sender_login: str = PRESENTER, receiver_login: str = FOLLOWER,
) -> list[float]:  # fmt: skip
    """Seconds from a bare paho publish (QoS 0, `size` bytes) to its receipt, one message at a time."""
    import paho.mqtt.client as mqtt

    topic = f"mothertwin/v1/sessions/{secrets.token_urlsafe(16)}/from/{sender_login}/camera"
    got = threading.Event()
    subscribed = threading.Event()
    clients = []
    for site, login in ((receiver_site, receiver_login), (sender_site, sender_login)):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{secrets.token_hex(5)}",
                             protocol=mqtt.MQTTv5)  # fmt: skip
        client.username_pw_set(login, os.environ[variables[login]])
        client.tls_set(ca_certs=str(site.tls.ca))
        client.connect("127.0.0.1", site.port, keepalive=30)
        client.loop_start()
        clients.append(client)
    receiver, sender = clients
    receiver.on_message = lambda client, userdata, message: got.set()
    receiver.on_subscribe = lambda *args: subscribed.set()
    receiver.subscribe(topic, qos=0)
    times: list[float] = []
    try:
        _wait_until(subscribed.is_set, WAIT_S, "SUBACK for the floor")
        payload = b"x" * size
        _wait_until(lambda: _probe(sender, topic, payload, got), WAIT_S, "bare message through")  # the bridge may lag
        for _ in range(count):
            got.clear()
            start = time.perf_counter()
            sender.publish(topic, payload, qos=0)
            if got.wait(5.0):
                times.append(time.perf_counter() - start)
            time.sleep(0.002)
    finally:
        for client in clients:
            client.disconnect()
            client.loop_stop()
    return times


def _probe(sender: Any, topic: str, payload: bytes, got: threading.Event) -> bool:
    got.clear()
    sender.publish(topic, payload, qos=0)
    return got.wait(0.2)


def _camera_message_size() -> int:
    from viewer.session.messages import Envelope, Kind, encode, utc_now
    from viewer.session.view_message import camera_to_body

    camera = _orbit_camera(123, (1234.5678, 987.654, 3.21), 250.0)
    envelope = Envelope(Kind.CAMERA, secrets.token_urlsafe(16), PRESENTER, 1796609000000000, utc_now(),
                        camera_to_body(camera))  # fmt: skip
    return len(encode(envelope))


def _latency_figures(label: str, values: list[float], target: float | None, floor: list[float]) -> dict[str, float]:
    p50, p95, most = (percentile(values, q) for q in (50, 95, 100))
    floor_p95 = percentile(floor, 95)
    note = verdict(p95 <= target, f"p95 <= {target * 1000:.0f} ms") + "; " if target is not None else ""
    ratio = f"{p95 / floor_p95:.1f}x the floor's p95" if floor_p95 > 0 else "no floor"
    figure_line(label, f"p95 {p95 * 1000:.1f} ms",
                f"{note}p50 {p50 * 1000:.1f} ms, max {most * 1000:.1f} ms, {len(values)} moves; {ratio}")  # fmt: skip
    return {"p50": p50, "p95": p95, "max": most}


def _orbit_with_followers(
    site: LoopbackSite, variables: dict[str, str], scene: _Scene, frames: int
) -> tuple[float, float, int]:
    """(median frame without a session, with one and 5 followers in another process, cameras they received)."""
    from viewer.session.connection import join_url

    scene.orbit(10)  # warm up
    alone = scene.orbit(frames)
    presenter = _client(site, PRESENTER, variables, name="presenter")
    session = presenter.start()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    arguments = [site.url, join_url(site.url, session), str(site.tls.ca), FOLLOWER, variables[FOLLOWER],
                 str(ORBIT_FOLLOWERS)]  # fmt: skip
    followers = subprocess.Popen([sys.executable, "-c", FOLLOWERS_PROCESS, *arguments], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    received = 0
    try:
        if followers.stdout is None or followers.stdout.readline().strip() != "READY":
            raise RuntimeError("mothertwin bench session: the 5 followers did not join")
        shared = scene.orbit(frames, lambda: presenter.publish_camera(scene.view.camera_state()))
        alone += scene.orbit(frames)  # before and after: a drift of the machine weighs on both sides alike
        time.sleep(0.5)
        out, _ = followers.communicate("stop\n", timeout=WAIT_S)
        received = int(out.split()[-1]) if out.strip().startswith("RECEIVED") else 0
    finally:
        if followers.poll() is None:
            followers.kill()
            followers.wait()
        presenter.close()
    return statistics.median(alone), statistics.median(shared), received


def _arrival_recorder(arrivals: dict[tuple[float, ...], float]) -> Callable[[CameraState], None]:
    def record(camera: CameraState) -> None:  # paho's thread of that follower
        arrivals[camera.position] = time.perf_counter()

    return record


def _many_followers(site: LoopbackSite, variables: dict[str, str], followers: int, bursts: int) -> dict[str, float]:
    """`followers` SessionClients on one broker; the presenter sends `bursts` bursts of cameras at 30 Hz."""
    from viewer.session.connection import join_url

    presenter = _client(site, PRESENTER, variables, name="presenter")
    sent: dict[tuple[float, ...], float] = {}
    received: list[dict[tuple[float, ...], float]] = [{} for _ in range(followers)]
    clients = []
    start_connect = time.perf_counter()
    try:
        session = presenter.start()
        for index in range(followers):
            client = _client(site, FOLLOWER, variables, name=f"follower {index}")
            client.camera_received.connect(_arrival_recorder(received[index]))
            client.join(join_url(site.url, session))
            clients.append(client)
        _wait_until(lambda: all(client.leader == PRESENTER for client in clients), 120.0,
                    f"leader record at all {followers} followers")  # fmt: skip
        connected_s = time.perf_counter() - start_connect
        lasts = []
        index = 0
        for _ in range(bursts):
            start = time.perf_counter()
            for step in range(BURST_MOVES):
                pause = start + step / RATE_HZ - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                camera = _orbit_camera(index, (0.0, 0.0, 0.0), 100.0)
                index += 1
                sent[camera.position] = time.perf_counter()
                presenter.publish_camera(camera)
            lasts.append(camera.position)
            time.sleep(0.5)
        last = lasts[-1]
        with contextlib.suppress(TimeoutError):  # a follower without it is counted as lost below
            _wait_until(lambda: all(last in got for got in received), 10.0, "last camera at every follower")
    finally:
        for client in clients:
            client.close()
        presenter.close()
    latencies = [at - sent[key] for got in received for key, at in got.items() if key in sent]
    lost = sum(1 for got in received for key in lasts if key not in got)
    return {"p95": percentile(latencies, 95), "p50": percentile(latencies, 50), "max": percentile(latencies, 100),
            "lost": float(lost), "checked": float(len(lasts) * followers), "messages": float(len(latencies)),
            "connect_s": connected_s}  # fmt: skip


def run_session_benchmark(
    moves: int = 300, followers: int = 50, equipment: int = 2_000, frames: int = 60, bursts: int = 10
) -> dict[str, float]:
    """The figures of the module docstring; returns them by name (seconds, counts)."""
    figures: dict[str, float] = {}
    # The followers share one login of the shipped ACL, so their presence messages look like one sender's
    # out of order to the others: counted drops, not worth a warning each here.
    quiet = logging.getLogger("viewer.session.client")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return _run(figures, moves, followers, equipment, frames, bursts)
    finally:
        quiet.setLevel(level)


def _run(figures: dict[str, float], moves: int, followers: int, equipment: int, frames: int, bursts: int
         ) -> dict[str, float]:  # fmt: skip
    size = _camera_message_size()
    print(f"Remote sessions: Mosquitto on loopback from packaging/mosquitto (TLS, logins, ACL, a bridged pair); "
          f"{moves} camera moves at {RATE_HZ:g} Hz, camera message {size} bytes")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder_name, bridged_sites(Path(folder_name)) as (mother, child, variables):
        scene = _Scene(equipment)
        try:
            floor_one = _bare_round_trips(mother, mother, variables, moves, size)
            one = _moves(mother, mother, variables, moves, scene)
            _wait_until(lambda: "New bridge connected" in mother.log.read_text(), WAIT_S, "bridge up")
            floor_bridge = _bare_round_trips(child, mother, variables, moves, size, FOLLOWER, PRESENTER)
            bridged = _moves(child, mother, variables, moves, scene, FOLLOWER, PRESENTER)
            for name, values in (("one", one), ("bridge", bridged)):
                figures[f"{name}_received"] = values["received"][0]
                figures[f"{name}_last_received"] = values["last"][0]
            print(f"  presenter camera move -> follower ({equipment:,} equipment in the follower's view)")
            for name, floor, values, target in (("one broker", floor_one, one, ONE_BROKER_TARGET_S),
                                                ("bridge", floor_bridge, bridged, BRIDGE_TARGET_S)):  # fmt: skip
                key = name.split()[0]
                result = _latency_figures(f"{name}: applied to the follower's ViewState", values["applied"],
                                          None, floor)  # fmt: skip
                figures.update({f"{key}_applied_{k}": v for k, v in result.items()})
                result = _latency_figures(f"{name}: to the follower's frame", values["frame"], target, floor)
                figures.update({f"{key}_frame_{k}": v for k, v in result.items()})
                render = statistics.median(values["render"]) if values["render"] else 0.0
                figures[f"{key}_render_s"] = render
                figure_line("  of which the follower's render, full detail", f"{render * 1000:.1f} ms",
                            f"median; {len(values['frame'])} frames for {moves} moves, the newest drawn")  # fmt: skip
                floor_result = _latency_figures(f"  floor: bare paho publish -> receive, {size} B", floor, None, floor)
                figures.update({f"{key}_floor_{k}": v for k, v in floor_result.items()})
            alone, shared, received = _orbit_with_followers(mother, variables, scene, frames)
        finally:
            scene.close()
        ratio = shared / alone
        figures.update(orbit_alone_s=alone, orbit_session_s=shared, orbit_ratio=ratio)
        print(f"  orbit frame on the presenter, {equipment:,} equipment, level of detail, median of {frames} frames "
              f"(without a session: {frames} before and {frames} after)")  # fmt: skip
        figure_line("without a session", f"{alone * 1000:.1f} ms")
        figure_line(f"publishing each camera, {ORBIT_FOLLOWERS} followers", f"{shared * 1000:.1f} ms",
                    f"followers received {received} cameras")  # fmt: skip
        figure_line("  with a session / without", f"{ratio:.2f}x", verdict(ratio <= ORBIT_RATIO_TARGET, "<= 1.1x"))
        many = _many_followers(mother, variables, followers, bursts)
        figures.update({f"many_{k}": v for k, v in many.items()})
        print(f"  {followers} followers on one broker (threads of this process), {bursts} bursts of "
              f"{BURST_MOVES} cameras at {RATE_HZ:g} Hz; all joined in {many['connect_s']:.1f} s")  # fmt: skip
        figure_line("latency across all followers", f"p95 {many['p95'] * 1000:.1f} ms",
                    f"p50 {many['p50'] * 1000:.1f} ms, max {many['max'] * 1000:.1f} ms, "
                    f"{many['messages']:.0f} cameras received")  # fmt: skip
        lost = int(many["lost"])
        figure_line("last camera of a burst missed", f"{lost} of {many['checked']:.0f}",
                    verdict(lost == 0, "none lost"))  # fmt: skip
    return figures

"""Real peers for the live-data benchmark: a Mosquitto on a free loopback port, and the simulator publishing
a plant's tags to it from another process (so the publisher does not share the window's interpreter lock).

The broker is started the way the test fixture starts it (tests/sensor_fixtures.py).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"

PUBLISHER = """
import sys, time
from pathlib import Path
from viewer.io import builtin_library, load_document
from viewer.sensors import Bindings
from viewer.sensors.simulator import Simulator, publish_simulation

path, url, rate, duration, batch = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
document = load_document(Path(path), builtin_library())
bindings = Bindings.build(list(document.iter_equipment()))
print("READY", len(bindings.by_tag), flush=True)
sys.stdin.readline()  # go
# step() moves time on before it returns samples: start one period back so sample time = publish time.
simulator = Simulator(bindings, seed=1, start=time.time() - 1.0 / rate)
sent = publish_simulation(simulator, url, rate=rate, duration=duration, batch=batch, topic="mothertwin/bench")
print("SENT", sent, flush=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_mosquitto(folder: Path, timeout: float = 5.0) -> tuple[subprocess.Popen, str]:
    """A real broker on loopback; returns the process and its mqtt:// URL. The caller kills it."""
    if not Path(MOSQUITTO).exists():
        raise FileNotFoundError("mosquitto is not installed (Debian package `mosquitto`)")
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    log = (folder / "mosquitto.log").open("ab")
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"mqtt://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise TimeoutError(f"mosquitto did not listen on port {port} within {timeout} s")


def start_publisher(
    document_path: Path, url: str, rate: float, duration: float, batch: int = 100
) -> tuple[subprocess.Popen, int]:
    """The simulator of a plant document in another process, waiting for a line on stdin to start.
    Returns the process and the number of tags it publishes."""
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(document_path), url, str(rate), str(duration), str(batch)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().split()
    if not line or line[0] != "READY":
        process.kill()
        raise RuntimeError("the publisher did not start")
    return process, int(line[1])

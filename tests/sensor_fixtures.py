"""Fixtures for the sensor tests: real peers (a Mosquitto broker, an asyncua server) on loopback.

Import the fixtures you use into a test module (`from sensor_fixtures import mosquitto_broker`); the
processes are killed at teardown whatever the test did.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def wait_until(condition: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Broker:
    """A real Mosquitto on a free loopback port; `kill` and `start` again keep the port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.config = folder / "mosquitto.conf"
        self.log = folder / "mosquitto.log"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def mosquitto_broker(tmp_path: Path) -> Iterator[Broker]:
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (Debian package `mosquitto`)")
    broker = Broker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


OPCUA_SERVER = r'''
"""A real asyncua server on loopback with the DI and Machinery nodesets and one machine that changes."""
import asyncio, sys
from asyncua import Server, ua

async def main(port, nodesets):
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/mothertwin/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    for path in nodesets:
        await server.import_xml(path)
    idx = await server.register_namespace("urn:mothertwin:test-plant")
    machines = await server.nodes.objects.add_folder(idx, "Plant")
    press = await machines.add_object(idx, "OC-ELE1-PRS-01")
    state = await press.add_variable(idx, "state", "running")
    temperature = await press.add_variable(idx, "roll_temperature", 80.0)
    count = await press.add_variable(idx, "count", 0)
    async with server:
        print("READY", flush=True)
        tick = 0
        while True:
            tick += 1
            await temperature.write_value(80.0 + tick * 0.5)
            await count.write_value(tick)
            await state.write_value("fault" if tick % 20 >= 15 else "running")
            await asyncio.sleep(0.1)

asyncio.run(main(int(sys.argv[1]), sys.argv[2:]))
'''


class OpcUaServer:
    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.port = port
        self.process = process

    @property
    def url(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/mothertwin/"


@pytest.fixture
def opcua_server(shared_data: Path, tmp_path: Path) -> Iterator[OpcUaServer]:
    script = tmp_path / "opcua_server.py"
    script.write_text(OPCUA_SERVER)
    port = free_port()
    nodesets = [
        shared_data / "opcua-nodesets" / "DI" / "Opc.Ua.Di.NodeSet2.xml",
        shared_data / "opcua-nodesets" / "Machinery" / "Opc.Ua.Machinery.NodeSet2.xml",
    ]
    log = (tmp_path / "opcua.log").open("wb")
    process = subprocess.Popen([sys.executable, str(script), str(port), *map(str, nodesets)], stdout=log, stderr=log)
    try:
        wait_for_port(port, timeout=30.0)
        yield OpcUaServer(port, process)
    finally:
        process.kill()
        process.wait(timeout=5)
        log.close()

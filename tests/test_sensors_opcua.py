"""OPC UA source against a real asyncua server (DI and Machinery nodesets loaded) in another process."""

from __future__ import annotations

import pytest
import sensor_fixtures
from mothertwin_builtin_sources.opcua import OpcUaSource
from sensor_fixtures import wait_until

from viewer.sensors import Backoff, SampleBuffer, SourceStatus

opcua_server = sensor_fixtures.opcua_server  # the real server fixture, by name


def test_browse_subscribe_and_lose_the_server(opcua_server):
    store = SampleBuffer(stale_after=5.0)
    source = OpcUaSource(
        store,
        opcua_server.url,
        root="Objects/Plant",
        tag_prefix="OC/",
        backoff=Backoff(initial=0.2, maximum=0.5, seed=1),
    )
    source.start()
    try:
        wait_until(lambda: source.status is SourceStatus.CONNECTED, 8, "connected")
        assert source.tags == [
            "OC/OC-ELE1-PRS-01/count",
            "OC/OC-ELE1-PRS-01/roll_temperature",
            "OC/OC-ELE1-PRS-01/state",
        ]
        wait_until(
            lambda: (
                (store.latest("OC/OC-ELE1-PRS-01/count") or 0) and store.latest("OC/OC-ELE1-PRS-01/count").value >= 3
            ),
            5,
            "counts flowing",
        )
        temperature = store.latest("OC/OC-ELE1-PRS-01/roll_temperature")
        count = store.latest("OC/OC-ELE1-PRS-01/count").value
        assert temperature.value == pytest.approx(80.0 + 0.5 * count, abs=1.0)
        assert store.latest("OC/OC-ELE1-PRS-01/state").value in ("running", "fault")
        assert source.counters.malformed == 0
        assert store.stale_tags() == set()
        opcua_server.process.kill()
        wait_until(lambda: source.status is SourceStatus.RECONNECTING, 8, "loss noticed")
        assert store.stale_tags() == set(source.tags)
    finally:
        source.stop()
    assert source.status is SourceStatus.STOPPED

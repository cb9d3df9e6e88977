"""Believable sensor values for a plant document's equipment, deterministic for a seed.

Machine states follow failures and repairs drawn from exponential distributions (mean time between
failures / to repair); analog signals drift around the middle of their limits (an Ornstein-Uhlenbeck
process) with noise and occasional excursions beyond them (alarms); counters count while running.
All signals advance together in numpy arrays, so thousands of tags cost little per step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from viewer.model import SignalKind
from viewer.sensors.bindings import Bindings
from viewer.sensors.samples import Sample

STATES = ("running", "idle", "fault", "offline")
RUNNING, IDLE, FAULT, OFFLINE = range(4)


@dataclass(frozen=True, slots=True)
class SimulationProfile:
    """Mean durations in seconds, and how often analog signals leave their limits."""

    mean_run: float = 900.0  # running, until a fault or a stop for lack of material
    fault_share: float = 0.35  # share of stops that are faults (the rest: idle)
    mean_repair: float = 120.0
    mean_idle: float = 60.0
    offline_share: float = 0.03  # equipment switched off for the whole run
    reversion: float = 0.05  # 1/s: how fast an analog value returns to its set point
    excursion_rate: float = 1.0 / 1800.0  # per second and signal: start of an out-of-limit excursion
    mean_excursion: float = 40.0


class Simulator:
    """Values for every bound signal. `step(dt)` moves time forward and returns one sample per tag."""

    def __init__(
        self,
        bindings: Bindings,
        seed: int = 0,
        start: float = 1_735_689_600.0,
        profile: SimulationProfile | None = None,
    ) -> None:
        self.profile = profile or SimulationProfile()
        self.time = float(start)
        self._rng = np.random.default_rng(seed)
        rng = self._rng
        p = self.profile
        equipment = len(bindings.by_equipment)
        # Equipment states; an equipment without a state signal still runs, for its counters.
        self._state = np.full(equipment, RUNNING)
        self._state[rng.random(equipment) < p.offline_share] = OFFLINE
        self._until = self.time + rng.exponential(p.mean_run, equipment)
        self._state_tags: list[tuple[int, str]] = []
        analog: list[tuple[str, int, float, float, float | None]] = []
        counters: list[tuple[str, int]] = []
        for index, own in enumerate(bindings.by_equipment):
            for binding in own:
                signal = binding.signal
                if signal.kind is SignalKind.STATE:
                    self._state_tags.append((index, binding.tag))
                elif signal.kind is SignalKind.COUNTER:
                    counters.append((binding.tag, index))
                else:
                    lim = signal.limits
                    low = lim.lo if lim.lo is not None else (lim.lolo if lim.lolo is not None else 0.0)
                    high = lim.hi if lim.hi is not None else (lim.hihi if lim.hihi is not None else 100.0)
                    if high <= low:
                        high = low + 1.0
                    beyond = lim.hihi if lim.hihi is not None else None
                    analog.append((binding.tag, index, low, high, beyond))
        self._analog_tags = [a[0] for a in analog]
        self._analog_owner = np.array([a[1] for a in analog], dtype=np.int64)
        lows = np.array([a[2] for a in analog], float)
        highs = np.array([a[3] for a in analog], float)
        self._setpoint = (lows + highs) / 2
        self._spread = (highs - lows) / 2
        # An excursion aims a little beyond hihi (or 40 % beyond hi): a real alarm, not just a warning.
        self._excursion_target = np.array(
            [a[4] + 0.05 * (a[3] - a[2]) if a[4] is not None else a[3] + 0.4 * (a[3] - a[2]) for a in analog], float
        )
        self._value = self._setpoint + rng.normal(0, 0.15, len(analog)) * self._spread
        self._excursion_until = np.full(len(analog), -np.inf)
        self._counter_tags = [c[0] for c in counters]
        self._counter_owner = np.array([c[1] for c in counters], dtype=np.int64)
        self._counter_rate = rng.uniform(0.2, 2.0, len(counters))
        self._count = np.zeros(len(counters))
        self._tag_list: list[str] | None = None

    @property
    def tags(self) -> list[str]:
        return [t for _, t in self._state_tags] + self._analog_tags + self._counter_tags

    def states(self) -> np.ndarray:
        return self._state.copy()

    def step(self, dt: float = 1.0) -> list[Sample]:
        now, tags, values = self.step_values(dt)
        return [Sample(tag, now, value) for tag, value in zip(tags, values, strict=True)]

    def step_values(self, dt: float = 1.0) -> tuple[float, list[str], list[str | float]]:
        """`step` as (time, tags, values): what publishing 100,000 values a second needs, no objects."""
        rng, p = self._rng, self.profile
        self.time += dt
        now = self.time
        # State machine: at the end of a period, move on and draw the next period's length.
        due = np.flatnonzero((self._until <= now) & (self._state != OFFLINE))
        for i in due:
            if self._state[i] == RUNNING:
                self._state[i] = FAULT if rng.random() < p.fault_share else IDLE
                self._until[i] = now + rng.exponential(p.mean_repair if self._state[i] == FAULT else p.mean_idle)
            else:
                self._state[i] = RUNNING
                self._until[i] = now + rng.exponential(p.mean_run)
        # Analog: OU drift to the set point (or the excursion target) plus noise.
        count = len(self._value)
        start = rng.random(count) < p.excursion_rate * dt
        self._excursion_until[start] = now + rng.exponential(p.mean_excursion, int(start.sum()))
        excursion = self._excursion_until > now
        target = np.where(excursion, self._excursion_target, self._setpoint)
        theta = np.where(excursion, 0.2, p.reversion)
        noise = rng.normal(0, 1, count) * self._spread * 0.08 * np.sqrt(dt)
        self._value += theta * (target - self._value) * dt + noise
        running = self._state[self._counter_owner] == RUNNING if len(self._count) else np.zeros(0, bool)
        self._count += np.where(running, self._counter_rate * dt, 0.0)
        if self._tag_list is None:
            self._tag_list = self.tags
        values: list[str | float] = [STATES[self._state[i]] for i, _ in self._state_tags]
        values += np.round(self._value, 4).tolist()
        values += np.floor(self._count).tolist()
        return now, self._tag_list, values

    def run(self, steps: int, dt: float = 1.0) -> Iterator[list[Sample]]:
        for _ in range(steps):
            yield self.step(dt)


def publish_simulation(
    simulator: Simulator,
    url: str,
    rate: float = 1.0,
    duration: float | None = None,
    batch: int = 100,
    topic: str = "mothertwin/sim",
    username: str = "",
    password: str | None = None,
    tls_ca: str | None = None,
    realtime: bool = True,
    connect_timeout: float = 10.0,
) -> int:
    """Publish the simulation to an MQTT broker as batched JSON; returns the number of messages sent.

    Samples carry simulation time, which starts at the wall clock so that live views are not stale.
    `tls_ca` is the CA file that signed an mqtts:// broker's certificate (default: the system's CAs).
    """
    import time as _time

    import paho.mqtt.client as mqtt

    from viewer.sensors.config import check_tls_ca, parse_mqtt_url
    from viewer.sensors.payloads import encode_json_values

    address = parse_mqtt_url(url)
    check_tls_ca(address, tls_ca)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="", clean_session=True)
    if username or address.username:
        client.username_pw_set(username or address.username, password)
    if address.tls:
        client.tls_set(ca_certs=tls_ca)
    refusals: list[str] = []

    def on_connect(client: mqtt.Client, userdata: object, flags: object, reason: object, properties: object) -> None:
        if getattr(reason, "is_failure", False):
            refusals.append(str(reason))  # say "Not authorized" now, not "no connection" after the timeout

    client.on_connect = on_connect
    client.connect(address.host, address.port, keepalive=30)
    client.loop_start()
    sent = 0
    infos: list[mqtt.MQTTMessageInfo] = []
    try:
        deadline = _time.monotonic() + connect_timeout
        while not client.is_connected():
            if refusals:
                raise ConnectionError(f"the broker at {address.host}:{address.port} refused us: {refusals[0]}")
            if _time.monotonic() > deadline:
                raise ConnectionError(f"no connection to the broker at {address.host}:{address.port}")
            _time.sleep(0.01)
        period = 1.0 / rate
        steps = None if duration is None else max(1, round(duration * rate))
        step = 0
        next_tick = _time.monotonic()
        while steps is None or step < steps:
            payloads = encode_json_values(*simulator.step_values(period), batch=batch)
            infos = [client.publish(topic, payload, qos=0) for payload in payloads]
            sent += len(infos)
            step += 1
            if realtime:
                next_tick += period
                _time.sleep(max(0.0, next_tick - _time.monotonic()))
        for info in infos:
            info.wait_for_publish(timeout=5.0)
    finally:
        client.disconnect()
        client.loop_stop()
    return sent


RECORD_CHUNK_ROWS = 500_000  # rows gathered in numpy before each insert: bounded memory for long runs


def record_simulation(simulator: Simulator, path: Path, duration: float, rate: float = 1.0) -> int:
    """Run the simulation for `duration` seconds of its own time, as fast as it computes, into a long
    recording (time, tag, value, state) that replay reads: Parquet for .parquet/.pq, else CSV. Returns the
    row count.

    Times are UTC timestamps. Analog values and counters are numbers in the DOUBLE column `value` (so that
    DuckDB, pandas or a spreadsheet read them as numbers); states are words in the text column `state`, and
    each row has one of the two. The file is written next to `path` and moved over it at the end, so an
    interrupted run leaves no half-written recording."""
    import os

    import duckdb

    from viewer.sensors.recording import PARQUET_SUFFIXES

    if duration <= 0 or rate <= 0:
        raise ValueError(f"duration ({duration:g} s) and rate ({rate:g} Hz) must be positive")
    path = Path(path)
    steps = max(1, round(duration * rate))
    period = 1.0 / rate
    parquet = path.name.lower().endswith(PARQUET_SUFFIXES)
    partial = path.with_name(path.name + ".partial")
    con = duckdb.connect(":memory:")
    rows = 0
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE TABLE rec (time DOUBLE, tag VARCHAR, value DOUBLE, state VARCHAR)")
        tags: np.ndarray | None = None
        times: list[np.ndarray] = []
        numbers: list[np.ndarray] = []
        states: list[list[str | float]] = []
        state_count = 0  # step_values puts the states first, then the numbers

        def flush() -> None:
            if not times or tags is None:  # tags are known from the first step on
                return
            steps_held = len(times)
            width = len(tags)
            number = np.zeros((steps_held, width))
            number[:, state_count:] = np.array(numbers).reshape(steps_held, width - state_count)
            state = np.full((steps_held, width), None, dtype=object)
            state[:, :state_count] = np.array(states, dtype=object).reshape(steps_held, state_count)
            chunk = {
                "time": np.concatenate(times),
                "tag": np.tile(tags, steps_held),
                "value": number.ravel(),
                "state": state.ravel(),
            }
            con.register("chunk", chunk)
            con.execute(
                "INSERT INTO rec SELECT time, tag, CASE WHEN state IS NULL THEN value END, state FROM chunk"
            )
            con.unregister("chunk")
            times.clear()
            numbers.clear()
            states.clear()

        for _ in range(steps):
            now, step_tags, step_values = simulator.step_values(period)
            if tags is None:
                tags = np.array(step_tags, dtype=object)
                state_count = sum(isinstance(v, str) for v in step_values)
            times.append(np.full(len(step_tags), now))
            states.append(step_values[:state_count])
            numbers.append(np.asarray(step_values[state_count:], dtype=float))
            rows += len(step_tags)
            if len(times) * len(step_tags) >= RECORD_CHUNK_ROWS:
                flush()
        flush()
        target = str(partial).replace("'", "''")
        options = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000" if parquet else "FORMAT csv, HEADER"
        con.execute(
            "COPY (SELECT make_timestamp(CAST(round(time * 1e6) AS BIGINT)) AS time, tag, value, state FROM rec "
            f"ORDER BY time, tag) TO '{target}' ({options})"
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(partial, path)
    return rows

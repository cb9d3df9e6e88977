"""Replay query benchmark: write the big synthetic recording and time "state of every tag at t".

mothertwin bench recording OUT.parquet [--tags 1000] [--hours 24] [--queries 50] [--window 30] [--reuse]
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from viewer.sensors.recording import Recording, make_synthetic_recording


def run(
    output: Path, tags: int = 1000, hours: float = 24.0, queries: int = 50, window: float = 30.0, reuse: bool = False
) -> dict[str, float]:
    """Write `tags` x `hours` at 1 Hz to `output` (unless `reuse` and it exists), then time `queries` state
    queries at random times, each with a look-back of `window` seconds."""
    seconds = int(hours * 3600)
    if not (reuse and output.exists()):
        started = time.perf_counter()
        rows = make_synthetic_recording(output, tags=tags, seconds=seconds)
        print(
            f"wrote {rows:,} rows to {output} in {time.perf_counter() - started:.1f} s "
            f"({output.stat().st_size / 1e6:.0f} MB)"
        )
    with Recording(output) as recording:
        start, end = recording.time_range()
        times = np.random.default_rng(0).uniform(start + window, end, queries)
        durations = []
        for at in times:
            began = time.perf_counter()
            state = recording.state_at(float(at), window=window)
            durations.append(time.perf_counter() - began)
            assert len(state) == tags, len(state)
    durations.sort()
    figures = {"median": statistics.median(durations), "p95": durations[int(0.95 * len(durations))]}
    print(
        f"state_at over {tags} tags, {window:g} s window, {queries} random times: "
        f"median {figures['median'] * 1e3:.1f} ms, p95 {figures['p95'] * 1e3:.1f} ms"
    )
    return figures

"""Replay benchmark: write the big synthetic recording and time "state of every tag at t".

python -m viewer.sensors.bench_replay OUT.parquet [--tags 1000] [--hours 24] [--queries 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from viewer.sensors.recording import Recording, make_synthetic_recording


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--reuse", action="store_true", help="keep an existing file")
    args = parser.parse_args(argv)
    seconds = int(args.hours * 3600)
    if not (args.reuse and args.output.exists()):
        started = time.perf_counter()
        rows = make_synthetic_recording(args.output, tags=args.tags, seconds=seconds)
        print(
            f"wrote {rows:,} rows to {args.output} in {time.perf_counter() - started:.1f} s "
            f"({args.output.stat().st_size / 1e6:.0f} MB)"
        )
    with Recording(args.output) as recording:
        start, end = recording.time_range()
        times = np.random.default_rng(0).uniform(start + args.window, end, args.queries)
        durations = []
        for at in times:
            began = time.perf_counter()
            state = recording.state_at(float(at), window=args.window)
            durations.append(time.perf_counter() - began)
            assert len(state) == args.tags, len(state)
    durations.sort()
    print(
        f"state_at over {args.tags} tags, {args.window:g} s window, {args.queries} random times: "
        f"median {statistics.median(durations) * 1e3:.1f} ms, p95 {durations[int(0.95 * len(durations))] * 1e3:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

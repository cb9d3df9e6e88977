"""`mothertwin simulate`: simulated sensor values of a plant, published to MQTT or written as a recording."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from viewer.cli.common import EXIT_OK, EXIT_USAGE, PLANT_HELP, load_plant, plant_path


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "simulate", help="simulated sensor values of a plant: published to an MQTT broker, or written as a recording"
    )
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.add_argument("--mqtt", help="broker address, mqtt://HOST:PORT or mqtts://HOST:PORT")
    parser.add_argument(
        "--record", type=Path, help="write a recording instead (.parquet, else CSV): --duration s of plant time"
    )
    parser.add_argument("--start", help="with --record: the recording's first time (default: it ends now)")
    parser.add_argument("--rate", type=float, default=1.0, help="updates per second (default 1)")
    parser.add_argument("--duration", type=float, help="seconds to run (default: until interrupted)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--site", help="only this site (name or id)")
    parser.add_argument("--batch", type=int, default=100, help="values per message (default 100)")
    parser.add_argument("--topic", default="mothertwin/sim")
    parser.add_argument("--tag-template", default="{site}/{line}/{cell}/{equipment}/{signal}")
    parser.add_argument("--username")
    parser.add_argument("--password-env", help="environment variable that holds the broker password")
    parser.add_argument("--tls-ca", help="CA certificate (PEM) that signed an mqtts:// broker's certificate")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from viewer.sensors import Bindings
    from viewer.sensors.simulator import Simulator, publish_simulation

    if (args.mqtt is None) == (args.record is None):
        print(
            "mothertwin simulate: give either --mqtt URL (publish live) or --record FILE (write a recording)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.record is not None and args.duration is None:
        print("mothertwin simulate: --record needs --duration SECONDS (how much plant time to record)", file=sys.stderr)
        return EXIT_USAGE
    document = load_plant(args.file)
    paths = [p for p in document.iter_equipment() if args.site is None or args.site in (p.site.id, p.site.name)]
    bindings = Bindings.build(paths, default_template=args.tag_template)
    if args.record is not None:
        return _record_simulation(args, bindings, len(paths))
    simulator = Simulator(bindings, seed=args.seed, start=time.time())
    password = os.environ.get(args.password_env) if args.password_env else None
    if args.password_env and not password:
        print(
            f"mothertwin simulate: environment variable {args.password_env} (--password-env) is not set",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(f"simulating {len(bindings.tags())} tags of {len(paths)} equipment at {args.rate:g} Hz to {args.mqtt}")
    try:
        sent = publish_simulation(
            simulator,
            args.mqtt,
            rate=args.rate,
            duration=args.duration,
            batch=args.batch,
            topic=args.topic,
            username=args.username or "",
            password=password,
            tls_ca=args.tls_ca,
        )
    except (ConnectionError, OSError, ValueError) as exc:
        print(f"mothertwin simulate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    print(f"sent {sent} messages")
    return EXIT_OK


def _record_simulation(args: argparse.Namespace, bindings: object, equipment: int) -> int:
    import duckdb

    from viewer.sensors.recording import parse_time
    from viewer.sensors.simulator import Simulator, record_simulation

    try:
        # By default the recording ends now: "last night's shift", as a replay would look back at it.
        start = parse_time(args.start) if args.start else float(round(time.time() - args.duration))
    except ValueError as exc:
        print(f"mothertwin simulate: --start: {exc}", file=sys.stderr)
        return EXIT_USAGE
    simulator = Simulator(bindings, seed=args.seed, start=start)
    tags = len(bindings.tags())
    print(f"recording {tags} tags of {equipment} equipment, {args.duration:g} s at {args.rate:g} Hz, to {args.record}")
    began = time.perf_counter()
    try:
        rows = record_simulation(simulator, args.record, args.duration, args.rate)
    except (OSError, ValueError) as exc:
        print(f"mothertwin simulate: {args.record}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except duckdb.Error as exc:
        print(f"mothertwin simulate: {args.record}: cannot write the recording: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {rows:,} rows in {time.perf_counter() - began:.1f} s")
    return EXIT_OK

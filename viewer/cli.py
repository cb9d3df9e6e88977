"""The `mothertwin` command: render, validate, info, generate, bench, build-assets."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.io import PlantFileError, builtin_library, load_document, save_document
from viewer.model import PlantDocument

if TYPE_CHECKING:
    import numpy as np

    from viewer.scene.render import RenderRequest

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1600x900, got {text!r}") from None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise argparse.ArgumentTypeError(f"size {text!r} out of range: 16 to 16384 pixels each way")
    return width, height


def _load(path: Path) -> PlantDocument:
    return load_document(path, builtin_library())


def cmd_render(args: argparse.Namespace) -> int:
    from viewer.scene.render import RenderRequest, render_image, save_png

    document = _load(args.file)
    request = RenderRequest(
        size=args.size,
        view=args.view,
        site=args.site,
        line=args.line,
        labels=not args.no_labels,
        transparent=args.transparent,
    )
    if (args.recording is None) != (args.at is None):
        print("mothertwin render: --recording and --at go together", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.recording is not None:
            image, note = _render_recorded_state(document, request, args.recording, args.at)
            print(note)
        else:
            image = render_image(document, builtin_library(), request)
    except (KeyError, ValueError) as exc:
        print(f"mothertwin render: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    for warning in request.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    save_png(image, args.output)
    print(f"wrote {args.output} ({args.size[0]}x{args.size[1]}, {args.view} view)")
    return EXIT_OK


def _render_recorded_state(
    document: PlantDocument, request: RenderRequest, recording: Path, at_text: str
) -> tuple[np.ndarray, str]:
    """Like render_image, with equipment coloured by their recorded state at a time (one array write)."""
    from viewer.scene.plant_view import PlantView
    from viewer.scene.render import choose_site, find_line, offscreen_plotter
    from viewer.sensors import Bindings, Recording, equipment_colors, parse_time
    from viewer.sensors.recording import state_store_at

    at = parse_time(at_text)
    site = choose_site(document, request.site)
    line = find_line(site, request.line) if request.line else None
    plotter = offscreen_plotter(request.size)
    try:
        view = PlantView(plotter)
        view.show_site(document, builtin_library(), site, labels=request.labels)
        with Recording(recording) as rec:
            store = state_store_at(rec, at)
        bindings = Bindings.build(view.batch.paths)
        colors = equipment_colors(bindings, store, now=at)
        if len(colors.indices):
            view.batch.set_colors(colors.indices, colors.rgb)
        report = bindings.report(store.tags())
        note = (
            f"sensor state at {at_text}: {len(colors.indices)} equipment coloured, {len(colors.alarms)} alarms; "
            + report.lines()[0]
        )
        if line is not None:
            view.focus_line(line)
        view.set_view(request.view)
        if request.transparent:
            plotter.set_background("white")
        request.warnings.extend(view.warnings)
        return plotter.screenshot(transparent_background=request.transparent, return_img=True), note
    finally:
        plotter.close()


def cmd_simulate(args: argparse.Namespace) -> int:
    import os

    from viewer.sensors import Bindings
    from viewer.sensors.simulator import Simulator, publish_simulation

    document = _load(args.file)
    paths = [p for p in document.iter_equipment() if args.site is None or args.site in (p.site.id, p.site.name)]
    bindings = Bindings.build(paths, default_template=args.tag_template)
    simulator = Simulator(bindings, seed=args.seed, start=time.time())
    password = os.environ.get(args.password_env) if args.password_env else None
    print(f"simulating {len(bindings.tags())} tags of {len(paths)} equipment at {args.rate:g} Hz to {args.mqtt}")
    try:
        sent = publish_simulation(
            simulator, args.mqtt, rate=args.rate, duration=args.duration, batch=args.batch, topic=args.topic,
            username=args.username or "", password=password,
        )
    except (ConnectionError, OSError, ValueError) as exc:
        print(f"mothertwin simulate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    print(f"sent {sent} messages")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from viewer.scene.batch import TypeMeshes

    document = _load(args.file)
    library = builtin_library().merged(document.types)
    meshes = TypeMeshes(library)
    for type_name in sorted({p.equipment.type for p in document.iter_equipment()}):
        meshes.get(type_name)
    for warning in meshes.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.file}: valid ({document.equipment_count()} equipment, {len(document.sites)} sites)")
    return EXIT_OK


def document_info(document: PlantDocument) -> list[str]:
    from viewer.model.geometry import equipment_world_matrices

    out = [f"enterprise: {document.enterprise.name} ({document.enterprise.id})"]
    for site in document.sites:
        areas = site.areas
        lines = [li for a in areas for li in a.lines]
        cells = [c for li in lines for c in li.cells]
        equipment = [e for c in cells for e in c.equipment]
        out.append(
            f"site {site.name} ({site.id}, {site.country or '-'}, {site.timezone}): {len(areas)} areas, "
            f"{len(lines)} lines, {len(cells)} cells, {len(equipment)} equipment"
        )
        if equipment:
            positions = equipment_world_matrices(document, site)[:, :3, 3]
            lo, hi = positions.min(axis=0), positions.max(axis=0)
            out.append(
                f"  equipment origins span x {lo[0]:.1f}..{hi[0]:.1f} m, y {lo[1]:.1f}..{hi[1]:.1f} m, "
                f"z {lo[2]:.1f}..{hi[2]:.1f} m"
            )
        if site.footprint:
            xs = [p[0] for p in site.footprint]
            ys = [p[1] for p in site.footprint]
            out.append(
                f"  building {max(xs) - min(xs):.1f} x {max(ys) - min(ys):.1f} m, "
                f"{len(site.column_grid.positions())} columns"
            )
    counts = Counter(p.equipment.type for p in document.iter_equipment())
    out.append(f"equipment by type ({len(counts)} types, {sum(counts.values())} total):")
    out += [f"  {name:22s} {count:6d}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def cmd_info(args: argparse.Namespace) -> int:
    print("\n".join(document_info(_load(args.file))))
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from viewer.model.synthetic import generate_plant

    document = generate_plant(builtin_library(), args.equipment, args.seed)
    save_document(document, args.output)
    print(f"wrote {args.output}: {document.equipment_count()} equipment in {len(document.sites)} sites")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from viewer.bench import run_benchmark

    run_benchmark(equipment=args.equipment, size=args.size, naive=not args.no_naive, frames=args.frames)
    return EXIT_OK


def cmd_build_assets(args: argparse.Namespace) -> int:
    from viewer.assets_gen.build import build_assets

    for line in build_assets(args.out):
        print(line)
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    """The desktop window, on the demo plant or on FILE."""
    from viewer.ui.app import run_app

    return run_app(args.file)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mothertwin", description="3D digital twin of production plants: mother line and child sites."
    )
    sub = parser.add_subparsers(dest="command")

    render = sub.add_parser("render", help="draw a plant document to a PNG, no screen needed")
    render.add_argument("file", type=Path)
    render.add_argument("-o", "--output", type=Path, required=True)
    render.add_argument("--size", type=_size, default=(1600, 900), help="WIDTHxHEIGHT, default 1600x900")
    render.add_argument("--view", choices=("iso", "top", "front"), default="iso")
    render.add_argument("--site", help="site name or id (default: the first site with equipment)")
    render.add_argument("--line", help="show only this line (name or id)")
    render.add_argument("--no-labels", action="store_true", help="leave out line and cell labels")
    render.add_argument("--transparent", action="store_true", help="transparent background")
    render.add_argument("--recording", type=Path, help="colour equipment by their state in this recording")
    render.add_argument("--at", help="time in the recording: ISO 8601 (UTC unless an offset is given) or epoch s")
    render.set_defaults(func=cmd_render)

    simulate = sub.add_parser("simulate", help="publish simulated sensor values of a plant to an MQTT broker")
    simulate.add_argument("file", type=Path)
    simulate.add_argument("--mqtt", required=True, help="broker address, mqtt://HOST:PORT or mqtts://HOST:PORT")
    simulate.add_argument("--rate", type=float, default=1.0, help="updates per second (default 1)")
    simulate.add_argument("--duration", type=float, help="seconds to run (default: until interrupted)")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--site", help="only this site (name or id)")
    simulate.add_argument("--batch", type=int, default=100, help="values per message (default 100)")
    simulate.add_argument("--topic", default="mothertwin/sim")
    simulate.add_argument("--tag-template", default="{site}/{line}/{cell}/{equipment}/{signal}")
    simulate.add_argument("--username")
    simulate.add_argument("--password-env", help="environment variable that holds the broker password")
    simulate.set_defaults(func=cmd_simulate)

    validate = sub.add_parser("validate", help="check a plant document; exit 1 listing every problem")
    validate.add_argument("file", type=Path)
    validate.set_defaults(func=cmd_validate)

    info = sub.add_parser("info", help="counts per level and type, and the extent")
    info.add_argument("file", type=Path)
    info.set_defaults(func=cmd_info)

    generate = sub.add_parser("generate", help="write a synthetic plant for benchmarks")
    generate.add_argument("--equipment", type=int, required=True)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("-o", "--output", type=Path, required=True)
    generate.set_defaults(func=cmd_generate)

    bench = sub.add_parser("bench", help="measure load, scene build and frame times; prints figures")
    bench.add_argument("--equipment", type=int, default=10_000)
    bench.add_argument("--size", type=_size, default=(1280, 800))
    bench.add_argument("--frames", type=int, default=20, help="frames per orbit measurement")
    bench.add_argument("--no-naive", action="store_true", help="skip the slow one-actor-per-equipment baseline")
    bench.set_defaults(func=cmd_bench)

    assets = sub.add_parser("build-assets", help="regenerate the equipment library and the demo plant")
    assets.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets")
    assets.set_defaults(func=cmd_build_assets)

    open_ = sub.add_parser("open", help="open a plant document in the desktop window")
    open_.add_argument("file", type=Path, nargs="?")
    open_.set_defaults(func=cmd_open)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return cmd_open(argparse.Namespace(file=None))
    try:
        return args.func(args)
    except PlantFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())

"""The `mothertwin` command: render, validate, info, generate, bench, build-assets."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from viewer.io import PlantFileError, builtin_library, load_document, save_document
from viewer.model import PlantDocument

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
    try:
        image = render_image(document, builtin_library(), request)
    except KeyError as exc:
        print(f"mothertwin render: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    for warning in request.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    save_png(image, args.output)
    print(f"wrote {args.output} ({args.size[0]}x{args.size[1]}, {args.view} view)")
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
    render.set_defaults(func=cmd_render)

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

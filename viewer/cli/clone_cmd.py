"""`mothertwin clone`: clone a mother line to a child site, then run the layout checks there."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, PLANT_HELP, load_plant, plant_path
from viewer.io import builtin_library, save_document


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("clone", help="clone a mother line to a child site (new ids, mother links)")
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.add_argument("--line", required=True, help="mother line name or id")
    parser.add_argument("--to-site", required=True, help="child site name or id")
    parser.add_argument("--origin", type=_point, default=(0.0, 0.0), help="X,Y of the line at the child site (m)")
    parser.add_argument("--rotate", type=float, default=0.0, help="turn of the line at the child site (degrees)")
    parser.add_argument("--mirror", action="store_true", help="a mirror-image copy of the line")
    parser.add_argument("--fit", action="store_true",
                        help="place the line where it fits: the clash-free place nearest to --origin, keeping "
                             "--rotate when it fits (else another quarter turn); lists the places considered")
    parser.add_argument("--fit-mirror", action="store_true", help="with --fit, also try the mirror image")
    parser.add_argument("--allow-clashes", action="store_true",
                        help="exit 0 even when the layout checks find clashes of the cloned line (still listed)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.set_defaults(func=run)


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y in metres such as 20,60, got {text!r}") from None
    return x, y


def run(args: argparse.Namespace) -> int:
    """Clone, then run the layout checks at the child site: clashes are listed and (unless allowed) make the
    exit status 1, so a script that goes on to diff or report stops at a clone that stands on columns."""
    from viewer.compare import CloneError, clone_line
    from viewer.compare.placement import Placement, clash_report, find_placements, fit_report, split_problems
    from viewer.model.checks import LayoutChecker

    document = load_plant(args.file)
    library = builtin_library()
    placement = Placement(args.origin, args.rotate, args.mirror)
    try:
        if args.fit:
            mirrors = [args.mirror, not args.mirror] if args.fit_mirror else None
            result = find_placements(document, library, args.line, args.to_site, placement, mirrors=mirrors)
            print("\n".join(fit_report(result)))
            if result.best is None:
                print(f"mothertwin clone: the line fits nowhere in the building of {args.to_site} at the turns "
                      "tried; nothing written", file=sys.stderr)  # fmt: skip
                return EXIT_INVALID
            placement = result.best.placement
        line = clone_line(document, args.line, document, args.to_site, placement.origin, placement.rotate,
                          placement.mirror)  # fmt: skip
    except CloneError as exc:
        print(f"mothertwin clone: {exc}", file=sys.stderr)
        return EXIT_USAGE
    save_document(document, args.output)
    count = sum(len(c.equipment) for c in line.cells)
    print(f"wrote {args.output}: {line.name} cloned to {args.to_site} as {line.id} ({count} equipment), "
          f"{placement.text()}")  # fmt: skip
    site = document.site_by_name(args.to_site)
    clashes, others = split_problems(LayoutChecker(document, library, site).current(), line)
    print("\n".join(clash_report(clashes, site.name)))
    if others:
        print(f"({len(others)} other layout problems at {site.name} do not involve the cloned line)")
    if clashes and not args.allow_clashes:
        print(f"mothertwin clone: {len(clashes)} clashes at {site.name} (listed above); {args.output} is written. "
              "Move the equipment, clone again with --fit to find a place where the line fits, or pass "
              "--allow-clashes to accept them", file=sys.stderr)  # fmt: skip
        return EXIT_INVALID
    return EXIT_OK

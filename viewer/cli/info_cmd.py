"""`mothertwin info`: counts per level and type, and the extent of each site."""

from __future__ import annotations

import argparse
from collections import Counter

from viewer.cli.common import EXIT_OK, PLANT_HELP, load_plant, plant_path
from viewer.model import PlantDocument


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("info", help="counts per level and type, and the extent")
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.set_defaults(func=run)


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
        if site.building:
            kinds = Counter(str(e.kind) for e in site.building)
            parts = ", ".join(f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in sorted(kinds.items()))
            out.append(f"  building model: {parts}")
    counts = Counter(p.equipment.type for p in document.iter_equipment())
    out.append(f"equipment by type ({len(counts)} types, {sum(counts.values())} total):")
    out += [f"  {name:22s} {count:6d}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out


def run(args: argparse.Namespace) -> int:
    print("\n".join(document_info(load_plant(args.file))))
    return EXIT_OK

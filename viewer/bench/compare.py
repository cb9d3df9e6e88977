"""`mothertwin bench compare`: the diff of two big lines, by mother link and by position, against naive."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

import numpy as np

from viewer.bench.figures import figure_line, verdict
from viewer.io import builtin_library
from viewer.model import Pose, Site
from viewer.model.synthetic import generate_plant


def _one_line_plant(library, equipment: int):  # noqa: ANN001
    """A plant whose first site holds one line of `equipment` equipment (cells of the generated lines)."""
    document = generate_plant(library, equipment, seed=4)
    site = document.sites[0]
    lines = [li for a in site.areas for li in a.lines]
    big = lines[0]
    for area in site.areas:
        for line in area.lines:
            for cell in line.cells:
                cell.pose = replace(cell.pose, x=cell.pose.x + line.pose.x + area.pose.x,
                                    y=cell.pose.y + line.pose.y + area.pose.y)  # fmt: skip
            if line is not big:
                big.cells.extend(line.cells)
    site.areas = [site.areas[0]]
    site.areas[0].pose = Pose()
    site.areas[0].lines = [big]
    big.pose = Pose()
    document.sites.append(Site("CHILD", "Child site"))
    return document, big



def run_compare_benchmark(equipment: int = 10_000) -> dict[str, float]:
    """Diff of two lines of `equipment` each: by mother link, and by position (never cloned), against naive."""
    from viewer.compare import clone_line, diff_lines
    from viewer.compare.diff import naive_match_count

    library = builtin_library()
    document, mother_line = _one_line_plant(library, equipment)
    child_line = clone_line(document, mother_line.id, document, "Child site", origin=(50.0, 900.0), rotate=90.0)
    rng = np.random.default_rng(3)
    children = [e for c in child_line.cells for e in c.equipment]
    for e in rng.choice(children, size=len(children) // 100, replace=False):
        e.pose = replace(e.pose, x=e.pose.x + 0.5)  # 1 % moved
    figures = {}
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = diff_lines(mother_line, child_line, document)
        times.append(time.perf_counter() - start)
    figures["diff_linked"] = statistics.median(times)
    for e in children:
        e.mother_id = None
    start = time.perf_counter()
    unlinked = diff_lines(mother_line, child_line, document)
    figures["diff_by_position"] = time.perf_counter() - start
    sample = 400
    sampled_line = replace(child_line, cells=[])
    for cell in child_line.cells:
        if sum(len(c.equipment) for c in sampled_line.cells) >= sample:
            break
        sampled_line.cells.append(cell)
    sampled = sum(len(c.equipment) for c in sampled_line.cells)
    start = time.perf_counter()
    naive_match_count(mother_line, sampled_line)
    figures["naive_by_position"] = (time.perf_counter() - start) * len(children) / sampled
    print(f"MotherTwin compare benchmark: two lines of {len(children)} equipment")
    figure_line("diff, matched by mother link (median)", f"{figures['diff_linked'] * 1000:.0f} ms",
                verdict(figures["diff_linked"] <= 0.5, "target <= 0.5 s"))  # fmt: skip
    figure_line("  differences found (1 % moved)", f"{len(result.differences)}")
    figure_line("diff, never cloned: by cell, type, position", f"{figures['diff_by_position'] * 1000:.0f} ms")
    figure_line("  matched by position", f"{unlinked.matched_by_position}")
    figure_line(f"naive pairwise matching (from {sampled} children)", f"{figures['naive_by_position']:.1f} s")
    figure_line("speed-up vs naive", f"{figures['naive_by_position'] / figures['diff_by_position']:.0f}x")
    return figures

"""`mothertwin bench bcf`: review topics with snapshots on the generated plant (target: 1,000 topics on 10,000
equipment), exported as BCF 2.1 and 3.0 and imported back (read, then merged into the plant by GUID), each
against 5 s; and the floor measured in the same run: a bare zip of the same members written with zipfile (what
any BCF writer pays for the bytes alone)."""

from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from viewer.bench.figures import figure_line, verdict

TARGET_S = 5.0  # seconds for 1,000 topics with snapshots, each way


def _timed(action) -> tuple[float, object]:  # noqa: ANN001
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bare_zip_seconds(source: Path, target: Path) -> float:
    """Writing the same members again with zipfile (pictures stored, XML deflated), read into memory first."""
    with zipfile.ZipFile(source) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    start = time.perf_counter()
    with zipfile.ZipFile(target, "w") as archive:
        for info, data in members:
            archive.writestr(info, data)
    return time.perf_counter() - start


def run_bcf_benchmark(equipment: int = 10_000, topics: int = 1_000) -> dict[str, float]:
    from viewer.io import builtin_library
    from viewer.model.synthetic import generate_plant
    from viewer.review.bcf_merge import merge_bcf
    from viewer.review.bcf_read import read_bcf
    from viewer.review.bcf_write import export_bcf
    from viewer.review.synthetic import synthetic_topics

    document = generate_plant(builtin_library(), equipment, seed=7)
    made, snapshots = synthetic_topics(document, topics, snapshots=True, seed=0)
    document.review.topics[:] = made
    document.review.snapshots.update(snapshots)
    target = TARGET_S * topics / 1_000
    figures: dict[str, float] = {}
    print(f"BCF: {topics:,} review topics with snapshots and markup on the generated plant of {equipment:,} equipment")
    with tempfile.TemporaryDirectory() as folder:
        for version in ("2.1", "3.0"):
            path = Path(folder) / f"review-{version}.bcf"
            seconds, _ = _timed(lambda: export_bcf(document, path, version))  # noqa: B023
            floor = bare_zip_seconds(path, Path(folder) / "floor.zip")
            size = path.stat().st_size / 1e6
            key = version.replace(".", "")
            figures[f"export_{key}_s"], figures[f"floor_{key}_s"], figures[f"export_{key}_mb"] = seconds, floor, size
            figure_line(f"BCF {version} export", f"{seconds:.2f} s",
                        verdict(seconds <= target, f"<= {target:g} s") + f"; {size:.0f} MB written")  # fmt: skip
            figure_line("  floor: bare zip write of the same members", f"{floor:.2f} s",
                        f"export is {seconds / floor:.1f}x the floor")  # fmt: skip
        fresh = generate_plant(builtin_library(), equipment, seed=7)
        path = Path(folder) / "review-2.1.bcf"
        read_s, imported = _timed(lambda: read_bcf(path, fresh))
        merge_s, merged = _timed(lambda: merge_bcf(fresh, imported))
        apply_s, _ = _timed(lambda: merged.command.redo(fresh) if merged.command else None)
        total = read_s + merge_s + apply_s
        figures.update(import_s=total, import_read_s=read_s, import_merge_s=merge_s + apply_s)
        count = len(fresh.review.topics)
        figure_line("BCF 2.1 import (read + merge by GUID)", f"{total:.2f} s",
                    verdict(total <= target and count == topics, f"<= {target:g} s; {count:,} topics back")
                    + f"; read {read_s:.2f} s, merge {merge_s + apply_s:.2f} s")  # fmt: skip
        again_s, again = _timed(lambda: merge_bcf(fresh, read_bcf(path, fresh)))
        figures["reimport_s"] = again_s
        figure_line("  the same file again (nothing to change)", f"{again_s:.2f} s",
                    "no edit" if again.command is None else "FAIL (an edit for an unchanged file)")  # fmt: skip
    return figures

"""What differs between the follower's plant document and the presenter's, in words, by the diff engine.

Both are meant to be the same plant, so equipment are paired by id (each local equipment is linked to the
presenter's of the same id before `diff_lines` runs), lines by id within sites of the same id.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from viewer.compare.diff import Kind, diff_lines
from viewer.model import Line, PlantDocument

_PHRASES = {
    Kind.MOVED: ("equipment moved", "equipment moved"),
    Kind.TYPE_CHANGED: ("equipment of another type", "equipment of another type"),
    Kind.PARAMETER_CHANGED: ("parameter changed", "parameters changed"),
    Kind.SIGNAL_CHANGED: ("signal changed", "signals changed"),
    Kind.REMOVED: ("equipment only at the presenter", "equipment only at the presenter"),
    Kind.ADDED: ("equipment only here", "equipment only here"),
}


def _linked_by_id(line: Line) -> Line:
    """A copy of `line` whose equipment each name the same id as their mother: the diff pairs them by id."""
    cells = [replace(cell, equipment=[replace(e, mother_id=e.id) for e in cell.equipment]) for cell in line.cells]
    return replace(line, cells=cells, clone_record=None)


def _lines(document: PlantDocument) -> dict[tuple[str, str], tuple[str, Line]]:
    return {
        (site.id, line.id): (site.name, line)
        for site in document.sites
        for area in site.areas
        for line in area.lines
    }


def document_differences(local: PlantDocument, presenter: PlantDocument) -> list[str]:
    """One sentence per line that differs, e.g. "3 equipment moved, 1 parameter changed at Ochang mother plant,
    line Electrode"; lines and sites on one side only are named too. Empty when the layouts agree."""
    ours, theirs = _lines(local), _lines(presenter)
    out: list[str] = []
    for key, (site_name, their_line) in theirs.items():
        if key not in ours:
            out.append(f"line {their_line.name} at {site_name} is only at the presenter")
            continue
        result = diff_lines(their_line, _linked_by_id(ours[key][1]), local)
        counts = Counter(d.kind for d in result.differences)
        if not counts:
            continue
        parts = [f"{n} {_PHRASES[kind][n != 1]}" for kind in _PHRASES if (n := counts.get(kind, 0))]
        out.append(f"{', '.join(parts)} at {site_name}, line {their_line.name}")
    out += [f"line {line.name} at {site} is only here" for key, (site, line) in ours.items() if key not in theirs]
    other_topics = len(local.review.topics) != len(presenter.review.topics)
    if not out and (set(local.types) != set(presenter.types) or other_topics):
        out.append("the equipment types or review topics differ")
    return out

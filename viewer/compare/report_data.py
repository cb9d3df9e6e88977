"""What a conformance report of a child line against its mother says, built from the diff: one dictionary
(`report_dict`) that the HTML (`viewer.compare.report_html`), the PDF (`viewer.compare.report_pdf`) and the JSON
all draw from, so they agree; the texts and table rows they share; the colours and what the pictures mark
(`picture_marks`; the scene layer draws them); and the JSON and CSV files for tools.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from viewer.compare.clone import document_revision
from viewer.compare.diff import Difference, DiffResult, Kind, Tolerances
from viewer.compare.layout_problems import LAYOUT_RULE, site_of_line
from viewer.compare.outputs import OutputComparison
from viewer.io.atomic import atomic_write_text
from viewer.model import Deviation, DeviationStatus, Line, PlantDocument, Site
from viewer.model.site_time import TimeDisplay, parse_site_time

# Colours shared by the report pictures, the compare view and the legend.
ADDED = (40, 170, 80)
REMOVED = (205, 45, 40)
CHANGED_APPROVED = (50, 110, 220)
DRIFT = (235, 120, 0)
UNCHANGED = (140, 146, 154)  # darker than the floor, so the unchanged layout still reads
LAYOUT_PROBLEM = (196, 30, 160)  # magenta: unlike any state colour; the columns stood on are ringed in it

LEVEL_RULE = (
    "Copy Exactly levels (after Intel): 4 System synergy - no difference from the mother and no layout problem at "
    "the child site; 3 Copy exactly - every difference covered by an approved deviation of the child document, "
    "no blocking layout problem and every narrow walkway approved; 2 Process output matching - otherwise, when "
    "the recorded process outputs of mother and child were compared and match; 1 Make it work - otherwise. "
    "Conformance is the share of equipment (matched, added, removed) without drift: no difference and no layout "
    "problem that no deviation covers."
)
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}
NONE = "none"


class ReportError(ValueError):
    """A report that cannot be written as asked; the message says why."""


def report_format(path: Path) -> str:
    """'html' or 'pdf', by the file's suffix."""
    kind = REPORT_SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise ReportError(f"{path}: a report is written as .html or .pdf, chosen by the suffix")
    return kind


@dataclass
class ConformanceReport:
    """What a conformance report is made of: the diff, and everything needed to say what it was run on."""

    result: DiffResult
    child: PlantDocument
    mother: PlantDocument | None = None  # None: the mother's site and revision are unknown (not given)
    outputs: list[OutputComparison] = field(default_factory=list)
    tolerances: Tolerances = field(default_factory=Tolerances)
    generated_at: float | None = None  # epoch seconds; None: now
    mother_file: str = ""
    child_file: str = ""
    mother_recording: str = ""
    child_recording: str = ""
    period: tuple[float, float] | None = None  # epoch seconds, when recordings were compared
    mother_picture: bytes | None = None
    child_picture: bytes | None = None
    title: str = ""


# ---------------------------------------------------------------- colours and picture marks


def difference_colors(result: DiffResult) -> tuple[dict[str, tuple[int, int, int]], dict[str, tuple[int, int, int]]]:
    """Colour per mother equipment id and per child equipment id for the pictures and the compare view."""
    mother: dict[str, tuple[int, int, int]] = {m.id: UNCHANGED for m, _ in result.pairs}
    child: dict[str, tuple[int, int, int]] = {c.id: UNCHANGED for _, c in result.pairs}
    for d in result.differences:
        if d.kind == Kind.ADDED:
            if d.child_id is not None:
                child[d.child_id] = ADDED if d.is_drift else CHANGED_APPROVED
        elif d.kind == Kind.REMOVED:
            if d.mother_id is not None:
                mother[d.mother_id] = REMOVED if d.is_drift else CHANGED_APPROVED
        else:
            colour = DRIFT if d.is_drift else CHANGED_APPROVED
            # Drift wins over an approved change on the same equipment: it is what needs attention.
            for table, ident in ((mother, d.mother_id), (child, d.child_id)):
                if ident is not None and table.get(ident) != DRIFT:
                    table[ident] = colour
    for problem in result.layout_problems:
        for ident in problem.ids:
            if problem.is_open:
                child[ident] = LAYOUT_PROBLEM  # a machine on a column matters more than how it differs
            elif child.get(ident) not in (DRIFT, LAYOUT_PROBLEM):
                child[ident] = CHANGED_APPROVED
    return mother, child


@dataclass(frozen=True)
class Mark:
    equipment_id: str
    text: str
    color: tuple[int, int, int]


@dataclass
class PictureMarks:
    """What the two pictures call out: ids with what is wrong, the columns hit, partners of other lines."""

    mother: list[Mark]
    child: list[Mark]
    rings: list[tuple[float, float, tuple[int, int, int]]]  # site x, y of each column stood on, overlap, gap
    also_show: set[str]  # equipment of other child-site lines that a child equipment overlaps or crowds
    mother_colors: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # every equipment's fill
    child_colors: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def picture_marks(result: DiffResult) -> PictureMarks:
    mother_colors, child_colors = difference_colors(result)
    child_notes: dict[str, list[str]] = {}
    mother_notes: dict[str, list[str]] = {}
    own = {e.id for cell in result.child_line.cells for e in cell.equipment}
    also_show: set[str] = set()
    rings = []
    for problem in result.layout_problems:
        for ident in problem.ids:
            child_notes.setdefault(ident, []).append(problem.what)
            if ident not in own:
                also_show.add(ident)
        if problem.is_open and problem.kind != "outside":  # the wall shows what is outside; a column hides
            rings += [(x, y, LAYOUT_PROBLEM) for x, y in problem.places]
    for d in sorted(result.differences, key=lambda d: not d.is_drift):
        text = str(d.kind) if d.is_drift else f"{d.kind}, {d.deviation}"
        if d.child_id:
            child_notes.setdefault(d.child_id, []).append(text)
        if d.mother_id and d.kind != Kind.ADDED:
            mother_notes.setdefault(d.mother_id, []).append(text)

    def marks(notes: dict[str, list[str]], colors: dict[str, tuple[int, int, int]]) -> list[Mark]:
        rank = {LAYOUT_PROBLEM: 0, DRIFT: 1, REMOVED: 1, ADDED: 2, CHANGED_APPROVED: 3}
        out = []
        for ident, texts in notes.items():
            unique = list(dict.fromkeys(texts))
            shown = ", ".join(unique[:2]) + (f" +{len(unique) - 2}" if len(unique) > 2 else "")
            out.append(Mark(ident, f"{ident}: {shown}", colors.get(ident, LAYOUT_PROBLEM)))
        return sorted(out, key=lambda m: (rank.get(m.color, 4), m.equipment_id))

    return PictureMarks(marks(mother_notes, mother_colors), marks(child_notes, child_colors), rings, also_show,
                        mother_colors, child_colors)  # fmt: skip


# ---------------------------------------------------------------- the report's data


def _plain(value: object) -> Any:  # JSON-ready: a dict, list, text, number, bool or None
    """JSON-ready copy of a model value: enums as text, dataclasses as dicts (tolerant of fields added later)."""
    if isinstance(value, Enum):
        return str(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _difference_dict(d: Difference) -> dict[str, Any]:
    return {
        "kind": str(d.kind),
        "mother_id": d.mother_id,
        "child_id": d.child_id,
        "field": d.field,
        "mother_value": d.mother_value,
        "child_value": d.child_value,
        "amount": round(d.amount, 6),
        "status": "drift" if d.is_drift else "approved deviation",
        "deviation": d.deviation,
    }


def deviation_who_when(deviation: Deviation) -> tuple[str, str]:
    """Who approved a deviation and when, from whichever of the register's fields this document has."""
    who = next((str(v) for k in ("approved_by", "decided_by") if (v := getattr(deviation, k, ""))), "")
    when = next((str(v) for k in ("decided_at", "decided", "approved_at", "date") if (v := getattr(deviation, k, ""))),
                "")  # fmt: skip
    return who, when


def result_to_dict(result: DiffResult, outputs: list[OutputComparison], child: PlantDocument) -> dict[str, Any]:
    used = {d.deviation for d in result.differences if d.deviation}
    used |= {p.deviation for p in result.layout_problems if p.deviation}
    deviations = []
    for v in child.deviations:
        entry = _plain(v)
        who, when = deviation_who_when(v)
        entry.update(status=str(v.status), covers_a_difference=v.id in used, decided_by=who, decided_when=when)
        deviations.append(entry)
    return {
        "mother_line": result.mother_line.id,
        "child_line": result.child_line.id,
        "summary": {
            "matched": len(result.pairs),
            "matched_by_link": result.matched_by_link,
            "matched_by_position": result.matched_by_position,
            "added": len(result.added),
            "removed": len(result.removed),
            "differences": len(result.differences),
            "approved": len(result.approved),
            "drift": len(result.drift),
            "by_kind": result.counts(),
            "conformance_percent": round(result.conformance, 2),
            "level": str(result.level),
            "level_reasons": result.level_reasons(),
            "outputs_match": result.outputs_match,
            "layout_checked": result.layout_checked,
            "layout_problems": len(result.layout_problems),
            "layout_blocking": len(result.blocking),
            "layout_open_walkways": len(result.open_walkways),
        },
        "layout_problems": [
            {
                "kind": p.kind,
                "what": p.what,
                "equipment_ids": list(p.ids),
                "message": p.message,
                "value": p.value,
                "required": p.required,
                "places": [list(xy) for xy in p.places],
                "location": p.location,
                "blocking": p.blocking,
                "deviation": p.deviation,
                "status": p.status,
            }
            for p in result.layout_problems
        ],
        "differences": [_difference_dict(d) for d in result.differences],
        "deviations": deviations,
        "outputs": [asdict(o) for o in outputs],
    }


def _site_dict(site: Site | None, line: Line | None, path: str, document: PlantDocument | None) -> dict[str, Any]:
    if site is None or line is None or document is None:
        return {"site": None, "line": None, "file": path or None, "revision": None}
    return {
        "site": {"id": site.id, "name": site.name, "country": site.country, "timezone": site.timezone},
        "line": {"id": line.id, "name": line.name},
        "file": path or None,
        "revision": document_revision(document),
    }


def _site_of(document: PlantDocument | None, line: Line) -> Site | None:
    if document is None:
        return None
    try:
        return site_of_line(document, line)
    except ValueError:
        return None


def _moment(seconds: float, zone_name: str) -> dict[str, str]:
    display = TimeDisplay(zone_name)
    return {"text": display.text(seconds), "iso": display.iso(seconds), "zone": display.label}


def report_dict(report: ConformanceReport) -> dict[str, Any]:
    """Everything the report shows, as plain data: the JSON file, and what the HTML and PDF are drawn from."""
    result = report.result
    mother_doc = report.mother
    if mother_doc is None and _site_of(report.child, result.mother_line) is not None:
        mother_doc = report.child  # mother and child lines in one document
    mother_site, child_site = _site_of(mother_doc, result.mother_line), _site_of(report.child, result.child_line)
    now = report.generated_at if report.generated_at is not None else datetime.now(UTC).timestamp()
    child_zone = child_site.timezone if child_site else "UTC"
    generated = {
        "utc": TimeDisplay("UTC").iso(now),
        "utc_text": TimeDisplay("UTC", utc=True).text(now),
        "child_site_time": _moment(now, child_zone),
        "mother_site_time": _moment(now, mother_site.timezone if mother_site else "UTC"),
    }
    data = result_to_dict(result, report.outputs, report.child)
    mother = _site_dict(mother_site, result.mother_line, report.mother_file, mother_doc)
    child = _site_dict(child_site, result.child_line, report.child_file, report.child)
    record = result.child_line.clone_record
    clone = None
    if record is not None:
        try:
            cloned_at = _moment(parse_site_time(record.cloned_at), child_zone)
        except ValueError:
            cloned_at = {"text": record.cloned_at, "iso": record.cloned_at, "zone": ""}
        clone = {
            **_plain(record),
            "cloned_at_site_time": cloned_at,
            "same_document": mother_doc is report.child,
            "mother_revision_now": mother["revision"],
            "mother_unchanged": None if mother["revision"] is None else record.mother_revision == mother["revision"],
        }
    tolerances = report.tolerances
    recordings = None
    if report.mother_recording or report.child_recording:
        period = None
        if report.period is not None:
            period = {"start": _moment(report.period[0], child_zone), "end": _moment(report.period[1], child_zone)}
        recordings = {"mother": report.mother_recording, "child": report.child_recording, "period": period}
    title = report.title or f"Conformance of {result.child_line.name} ({result.child_line.id}) to its mother line"
    data.update(
        title=title,
        generated=generated,
        mother=mother,
        child=child,
        clone_record=clone,
        inputs={
            "tolerances": {
                "position_m": tolerances.position,
                "rotation_deg": tolerances.rotation,
                "parameter_default": tolerances.parameter_default,
                "parameters": dict(tolerances.parameters),
                "walkway_m": tolerances.walkway,
            },
            "recordings": recordings,
        },
        rules={"levels": LEVEL_RULE, "layout": LAYOUT_RULE},
        approved_deviations=[d for d in data["deviations"] if d["status"] == str(DeviationStatus.APPROVED)],
    )
    return data


# ---------------------------------------------------------------- texts shared by the HTML and the PDF


def site_text(entry: dict[str, Any]) -> str:
    site = entry["site"]
    if site is None:
        return "not given"
    return f"{site['name']} ({site['id']}), {site['country'] or 'country not given'}"


def line_text(entry: dict[str, Any]) -> str:
    line = entry["line"]
    return "not given" if line is None else f"{line['name']} ({line['id']})"


def generated_text(data: dict[str, Any]) -> str:
    child, mother = data["generated"]["child_site_time"], data["generated"]["mother_site_time"]
    return (
        f"{child['text']}, child site time ({child['zone']}); {mother['text']} at the mother site "
        f"({mother['zone']})"
    )


def tolerance_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    tol = data["inputs"]["tolerances"]
    per_parameter = ", ".join(f"{k} {v:g}" for k, v in sorted(tol["parameters"].items())) or NONE
    rows = [
        ("Position", f"{tol['position_m']:g} m"),
        ("Rotation", f"{tol['rotation_deg']:g} degrees"),
        ("Parameters (absolute)", f"default {tol['parameter_default']:g}; per parameter: {per_parameter}"),
        (
            "Minimum walkway",
            f"{tol['walkway_m']:g} m (types with their own clearance zone use it)"
            if data["summary"]["layout_checked"]
            else "layout not checked",
        ),
    ]
    recordings = data["inputs"]["recordings"]
    if recordings is None:
        rows.append(("Recordings", "no recordings given: process outputs not compared"))
    else:
        rows.append(("Mother recording", recordings["mother"] or NONE))
        rows.append(("Child recording", recordings["child"] or NONE))
        period = recordings["period"]
        rows.append(("Period", f"{period['start']['text']} to {period['end']['text']} ({period['start']['zone']})"
                     if period else "whole recordings"))  # fmt: skip
    return rows


def clone_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    record = data["clone_record"]
    if record is None:
        return [("Clone record", "none: the child line was not cloned (matched by cell, type and position)")]
    if record["mother_unchanged"] is None:
        state = "mother document not given"
    elif record["mother_unchanged"]:
        state = "the mother document is the revision the line was cloned from"
    elif record["same_document"]:
        state = "differs: mother and child are one document, which changed with the clone and any later edit"
    else:
        state = "differs: the mother document changed after the clone"
    origin = record["origin"]
    mirrored = ", mirrored" if record["mirror"] else ""
    return [
        ("Cloned from", f"line {record['mother_line']} at site {record['mother_site']}"),
        ("Cloned at", f"{record['cloned_at_site_time']['text']} ({record['cloned_at_site_time']['zone']})"),
        ("Mother revision at the clone", record["mother_revision"]),
        ("Mother revision now", state),
        ("Placed at", f"origin x {origin[0]:g} y {origin[1]:g} m, turned {record['rotate']:g} degrees{mirrored}"),
    ]


LEGEND = [
    (LAYOUT_PROBLEM, "layout problem (columns stood on are ringed)"),
    (DRIFT, "drift"),
    (CHANGED_APPROVED, "approved deviation"),
    (ADDED, "added"),
    (REMOVED, "removed"),
    (UNCHANGED, "as the mother"),
]


# Table rows and headers, the same in the HTML and the PDF.


def _cpk(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def output_cells(o: dict[str, Any]) -> list[str]:
    m, c = o["mother"], o["child"]
    return [
        o["child_id"],
        f"{o['signal']} [{o['unit']}]",
        f"{m['mean']:.4g} / {m['std']:.3g}",
        f"{c['mean']:.4g} / {c['std']:.3g}",
        f"{_cpk(m['cpk'])} / {_cpk(c['cpk'])}",
        f"{o['welch_p']:.3g}",
        f"{o['effect']:.2f}",
        "differs" if o["significant"] else "matches",
    ]


def layout_cells(p: dict[str, Any]) -> list[str]:
    return [p["what"], ", ".join(p["equipment_ids"]), p["message"], p["location"], p["status"]]


def difference_cells(d: dict[str, Any]) -> list[str]:
    status = d["status"] + (f" {d['deviation']}" if d["deviation"] else "")
    return [d["kind"], d["mother_id"] or "", d["child_id"] or "", d["field"], d["mother_value"], d["child_value"],
            f"{d['amount']:g}", status]  # fmt: skip


def deviation_cells(v: dict[str, Any]) -> list[str]:
    return [str(v.get(k, "") or "") for k in ("id", "equipment_id", "field", "mother_value", "child_value", "reason",
                                               "requested_by", "decided_by", "decided_when", "status")]  # fmt: skip


def approved_cells(v: dict[str, Any]) -> list[str]:
    return [str(v.get(k, "") or "") for k in ("id", "equipment_id", "field", "reason", "requested_by", "decided_by",
                                               "decided_when")]  # fmt: skip


LAYOUT_HEADERS = ["Problem", "Equipment", "What the check found", "Where (site m)", "Status"]
DIFFERENCE_HEADERS = ["Kind", "Mother", "Child", "Field", "Mother value", "Child value", "Amount", "Status"]
DEVIATION_HEADERS = ["Id", "Equipment", "Field", "Mother value", "Child value", "Reason", "Requested by",
                     "Decided by", "Date", "Status"]  # fmt: skip
OUTPUT_HEADERS = ["Child equipment", "Signal", "Mother mean / std", "Child mean / std", "Cpk mother / child",
                  "Welch p", "Effect", "Verdict"]  # fmt: skip
APPROVED_HEADERS = ["Id", "Equipment", "Field", "Reason", "Requested by", "Approved by", "Date"]
SIGNATURE_ROLES = ["Prepared by", "Reviewed by", "Approved by"]
DECISIONS = ["Accepted at the level stated", "Accepted with the conditions below", "Not accepted: rework needed"]


# ---------------------------------------------------------------- files


def write_json(
    path: Path,
    result: DiffResult,
    outputs: list[OutputComparison],
    child: PlantDocument,
    report: ConformanceReport | None = None,
) -> None:
    """The differences and summary; with `report`, also what it was run on (sites, revisions, inputs)."""
    data = report_dict(report) if report is not None else result_to_dict(result, outputs, child)
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_csv(path: Path, result: DiffResult) -> None:
    buffer = io.StringIO()
    columns = ["kind", "mother_id", "child_id", "field", "mother_value", "child_value", "amount", "status", "deviation"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for d in result.differences:
        writer.writerow(_difference_dict(d))
    atomic_write_text(path, buffer.getvalue())

"""Conformance reports of a child line against its mother: self-contained HTML, JSON and CSV for tools."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from viewer.compare.diff import Difference, DiffResult, Kind
from viewer.compare.outputs import OutputComparison
from viewer.io.atomic import atomic_write_text
from viewer.model import PlantDocument

# Colours shared by the report pictures, the compare view and the legend.
ADDED = (40, 170, 80)
REMOVED = (205, 45, 40)
CHANGED_APPROVED = (50, 110, 220)
DRIFT = (235, 120, 0)
UNCHANGED = (140, 146, 154)  # darker than the floor, so the unchanged layout still reads


def difference_colors(result: DiffResult) -> tuple[dict[str, tuple[int, int, int]], dict[str, tuple[int, int, int]]]:
    """Colour per mother equipment id and per child equipment id for the pictures and the compare view."""
    mother: dict[str, tuple[int, int, int]] = {m.id: UNCHANGED for m, _ in result.pairs}
    child: dict[str, tuple[int, int, int]] = {c.id: UNCHANGED for _, c in result.pairs}
    for d in result.differences:
        if d.kind == Kind.ADDED:
            child[d.child_id] = ADDED if d.is_drift else CHANGED_APPROVED
        elif d.kind == Kind.REMOVED:
            mother[d.mother_id] = REMOVED if d.is_drift else CHANGED_APPROVED
        else:
            colour = DRIFT if d.is_drift else CHANGED_APPROVED
            # Drift wins over an approved change on the same equipment: it is what needs attention.
            for table, ident in ((mother, d.mother_id), (child, d.child_id)):
                if table.get(ident) != DRIFT:
                    table[ident] = colour
    return mother, child


def result_to_dict(result: DiffResult, outputs: list[OutputComparison], child: PlantDocument) -> dict[str, Any]:
    used = {d.deviation for d in result.differences if d.deviation}
    keys = (
        "id",
        "equipment_id",
        "field",
        "mother_value",
        "child_value",
        "reason",
        "requested_by",
        "approved_by",
        "date",
    )
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
            "outputs_match": result.outputs_match,
        },
        "differences": [_difference_dict(d) for d in result.differences],
        "deviations": [
            {**{k: getattr(v, k) for k in keys}, "status": str(v.status), "covers_a_difference": v.id in used}
            for v in child.deviations
        ],
        "outputs": [asdict(o) for o in outputs],
    }


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


def write_json(path: Path, result: DiffResult, outputs: list[OutputComparison], child: PlantDocument) -> None:
    atomic_write_text(path, json.dumps(result_to_dict(result, outputs, child), indent=2, ensure_ascii=False) + "\n")


def write_csv(path: Path, result: DiffResult) -> None:
    buffer = io.StringIO()
    columns = ["kind", "mother_id", "child_id", "field", "mother_value", "child_value", "amount", "status", "deviation"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for d in result.differences:
        writer.writerow(_difference_dict(d))
    atomic_write_text(path, buffer.getvalue())


def _png(data: bytes | None, alt: str) -> str:
    if not data:
        return f"<div class='missing'>{html.escape(alt)}: no picture</div>"
    encoded = base64.b64encode(data).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{encoded}'>"


def _swatch(rgb: tuple[int, int, int], text: str) -> str:
    return f"<span class='sw' style='background:rgb{rgb}'></span>{html.escape(text)}"


def write_html(
    path: Path,
    result: DiffResult,
    outputs: list[OutputComparison],
    child: PlantDocument,
    mother_picture: bytes | None,
    child_picture: bytes | None,
    title: str,
) -> None:
    """One file, no external resources: pictures are embedded, styles inline."""
    data = result_to_dict(result, outputs, child)
    summary = data["summary"]
    esc = html.escape
    rows = "\n".join(
        f"<tr class='{'drift' if d['status'] == 'drift' else 'ok'}'><td>{esc(d['kind'])}</td>"
        f"<td>{esc(d['mother_id'] or '')}</td><td>{esc(d['child_id'] or '')}</td><td>{esc(d['field'])}</td>"
        f"<td>{esc(d['mother_value'])}</td><td>{esc(d['child_value'])}</td><td>{d['amount']:g}</td>"
        f"<td>{esc(d['status'])}{' ' + esc(d['deviation']) if d['deviation'] else ''}</td></tr>"
        for d in data["differences"]
    )
    deviation_rows = "\n".join(
        f"<tr><td>{esc(v['id'])}</td><td>{esc(v['equipment_id'])}</td><td>{esc(v['field'])}</td>"
        f"<td>{esc(v['mother_value'])}</td><td>{esc(v['child_value'])}</td><td>{esc(v['reason'])}</td>"
        f"<td>{esc(v['requested_by'])}</td><td>{esc(v['approved_by'])}</td><td>{esc(v['date'])}</td>"
        f"<td>{esc(v['status'])}</td></tr>"
        for v in data["deviations"]
    )
    output_rows = "\n".join(
        f"<tr class='{'drift' if o.significant else 'ok'}'><td>{esc(o.child_id)}</td><td>{esc(o.signal)} "
        f"[{esc(o.unit)}]</td><td>{o.mother.mean:.4g} / {o.mother.std:.3g}</td><td>{o.child.mean:.4g} / "
        f"{o.child.std:.3g}</td><td>{_cpk(o.mother.cpk)} / {_cpk(o.child.cpk)}</td><td>{o.welch_p:.3g}</td>"
        f"<td>{o.effect:.2f}</td><td>{'differs' if o.significant else 'matches'}</td></tr>"
        for o in outputs
    )
    kinds = ", ".join(f"{esc(k)}: {v}" for k, v in sorted(summary["by_kind"].items())) or "none"
    legend = " ".join(
        _swatch(c, t)
        for c, t in ((ADDED, "added"), (REMOVED, "removed"), (CHANGED_APPROVED, "approved deviation"),
                     (DRIFT, "drift"), (UNCHANGED, "as the mother"))
    )  # fmt: skip
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #1d2733; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 17px; margin-top: 28px; }}
.cards {{ display: flex; gap: 12px; flex-wrap: wrap; }}
.card {{ border: 1px solid #c9d1da; border-radius: 6px; padding: 10px 14px; min-width: 120px; }}
.card b {{ display: block; font-size: 22px; }}
.pictures {{ display: flex; gap: 12px; }} .pictures figure {{ margin: 0; flex: 1; }}
.pictures img {{ width: 100%; border: 1px solid #c9d1da; }}
table {{ border-collapse: collapse; font-size: 13px; }} td, th {{ border: 1px solid #d5dbe1; padding: 3px 6px; }}
th {{ background: #eef2f6; text-align: left; }} tr.drift td {{ background: #fff1e0; }}
.sw {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }}
</style></head><body>
<h1>{esc(title)}</h1>
<p>Mother line <b>{esc(result.mother_line.name)}</b> ({esc(result.mother_line.id)}) against child line
<b>{esc(result.child_line.name)}</b> ({esc(result.child_line.id)}).</p>
<div class="cards">
<div class="card">Copy Exactly level<b id="level">{esc(summary["level"])}</b></div>
<div class="card">Conformance<b id="conformance">{summary["conformance_percent"]:.1f} %</b></div>
<div class="card">Differences<b id="differences">{summary["differences"]}</b></div>
<div class="card">Drift<b id="drift">{summary["drift"]}</b></div>
<div class="card">Approved deviations<b id="approved">{summary["approved"]}</b></div>
<div class="card">Matched equipment<b id="matched">{summary["matched"]}</b></div>
<div class="card">Added / removed<b id="added-removed">{summary["added"]} / {summary["removed"]}</b></div>
</div>
<p>By kind: {kinds}. Matched {summary["matched_by_link"]} by mother link and {summary["matched_by_position"]}
by cell, type and position.</p>
<h2>Pictures</h2><p>{legend}</p>
<div class="pictures"><figure>{_png(mother_picture, "mother line")}<figcaption>Mother: {esc(result.mother_line.name)}
</figcaption></figure><figure>{_png(child_picture, "child line")}<figcaption>Child: {esc(result.child_line.name)}
</figcaption></figure></div>
<h2>Differences</h2>
<table id="differences-table"><tr><th>Kind</th><th>Mother</th><th>Child</th><th>Field</th><th>Mother value</th>
<th>Child value</th><th>Amount</th><th>Status</th></tr>
{rows}
</table>
<h2>Deviation register</h2>
<table id="deviations-table"><tr><th>Id</th><th>Equipment</th><th>Field</th><th>Mother value</th><th>Child value</th>
<th>Reason</th><th>Requested by</th><th>Approved by</th><th>Date</th><th>Status</th></tr>
{deviation_rows}
</table>
<h2>Process outputs</h2>
<table id="outputs-table"><tr><th>Child equipment</th><th>Signal</th><th>Mother mean / std</th>
<th>Child mean / std</th><th>Cpk mother / child</th><th>Welch p</th><th>Effect</th><th>Verdict</th></tr>
{output_rows}
</table>
</body></html>
"""
    atomic_write_text(path, page)


def _cpk(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"

"""The conformance report as one self-contained HTML page to sign: pictures embedded, styles inline, no
external resources. What it says comes from `viewer.compare.report_data.report_dict`, as the PDF's does.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from viewer.compare.diff import DiffResult
from viewer.compare.layout_problems import LAYOUT_RULE
from viewer.compare.outputs import OutputComparison
from viewer.compare.report_data import (
    APPROVED_HEADERS,
    DECISIONS,
    DEVIATION_HEADERS,
    DIFFERENCE_HEADERS,
    LAYOUT_HEADERS,
    LAYOUT_PROBLEM,
    LEGEND,
    LEVEL_RULE,
    NONE,
    OUTPUT_HEADERS,
    SIGNATURE_ROLES,
    ConformanceReport,
    approved_cells,
    clone_rows,
    deviation_cells,
    difference_cells,
    generated_text,
    layout_cells,
    line_text,
    output_cells,
    report_dict,
    site_text,
    tolerance_rows,
)
from viewer.io.atomic import atomic_write_text
from viewer.model import PlantDocument


def write_html(
    path: Path,
    result: DiffResult,
    outputs: list[OutputComparison],
    child: PlantDocument,
    mother_picture: bytes | None,
    child_picture: bytes | None,
    title: str,
    report: ConformanceReport | None = None,
) -> None:
    """One file, no external resources: pictures are embedded, styles inline."""
    if report is None:
        report = ConformanceReport(result, child, None, outputs, mother_picture=mother_picture,
                                   child_picture=child_picture, title=title)  # fmt: skip
    atomic_write_text(path, html_page(report))


def _png(data: bytes | None, alt: str) -> str:
    if not data:
        return f"<div class='missing'>{html.escape(alt)}: no picture</div>"
    encoded = base64.b64encode(data).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{encoded}'>"


def _swatch(rgb: tuple[int, int, int], text: str) -> str:
    return f"<span class='sw' style='background:rgb{rgb}'></span>{html.escape(text)}"


def _table(table_id: str, headers: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """rows: (css class, cells); an empty table says so in one row."""
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    if not rows:
        body = f"<tr class='none'><td colspan='{len(headers)}'>{NONE}</td></tr>"
    else:
        body = "\n".join(
            f"<tr class='{css}'>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>" for css, cells in rows
        )
    return f"<table id='{table_id}'><tr>{head}</tr>\n{body}\n</table>"


def _pairs_table(table_id: str, rows: list[tuple[str, str]]) -> str:
    esc = html.escape
    body = "\n".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f"<table id='{table_id}' class='pairs'>{body}</table>"


def html_page(report: ConformanceReport) -> str:
    data = report_dict(report)
    summary = data["summary"]
    esc = html.escape
    identity = _table(
        "identity",
        ["", "Mother", "Child"],
        [
            ("", ["Site", site_text(data["mother"]), site_text(data["child"])]),
            ("", ["Line", line_text(data["mother"]), line_text(data["child"])]),
            ("", ["Document", data["mother"]["file"] or "-", data["child"]["file"] or "-"]),
            ("", ["Revision (sha256)", data["mother"]["revision"] or "not given", data["child"]["revision"] or "-"]),
        ],
    )
    layout_rows = [("problem" if p["deviation"] is None else "ok", layout_cells(p)) for p in data["layout_problems"]]
    layout = (
        _table("layout-table", LAYOUT_HEADERS, layout_rows)
        if summary["layout_checked"]
        else "<p id='layout-table'>Layout not checked.</p>"
    )
    kinds = ", ".join(f"{esc(k)}: {v}" for k, v in sorted(summary["by_kind"].items())) or NONE
    reasons = "".join(f"<li>{esc(r)}</li>" for r in summary["level_reasons"])
    legend = " ".join(_swatch(c, t) for c, t in LEGEND)
    blocking = summary["layout_blocking"]
    decisions = " ".join(f"<span class='tick'></span>{esc(d)}" for d in DECISIONS)
    signatures = "\n".join(
        f"<tr><th>{esc(role)}</th><td></td><td></td><td></td></tr>" for role in SIGNATURE_ROLES
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(data["title"])}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #1d2733; max-width: 1200px; }}
h1 {{ font-size: 22px; margin-bottom: 4px; }} h2 {{ font-size: 17px; margin-top: 28px;
  border-bottom: 2px solid #1d2733; padding-bottom: 3px; }}
.sub {{ color: #46525e; margin-top: 0; }}
.cards {{ display: flex; gap: 12px; flex-wrap: wrap; }}
.card {{ border: 1px solid #c9d1da; border-radius: 6px; padding: 10px 14px; min-width: 120px; }}
.card b {{ display: block; font-size: 22px; }} .card.bad {{ border-color: rgb{LAYOUT_PROBLEM}; }}
.pictures figure {{ margin: 0 0 16px 0; }}
.pictures img {{ width: 100%; border: 1px solid #c9d1da; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 6px 0; }}
td, th {{ border: 1px solid #d5dbe1; padding: 3px 6px; vertical-align: top; }}
th {{ background: #eef2f6; text-align: left; }} tr.drift td {{ background: #fff1e0; }}
tr.problem td {{ background: #fbe3f4; }}
tr.none td {{ color: #68737e; font-style: italic; }}
table.pairs th {{ width: 220px; }} .rule {{ font-size: 13px; color: #2e3a46; }}
#signatures td {{ height: 44px; min-width: 200px; }} #signatures tr.remarks td {{ height: 80px; }}
.tick {{ display: inline-block; width: 12px; height: 12px; border: 1.5px solid #1d2733; margin: 0 6px 0 14px;
  vertical-align: middle; }}
.sw {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }}
@media print {{ h2 {{ break-after: avoid; }} #approval {{ break-inside: avoid; }} }}
</style></head><body>
<h1>{esc(data["title"])}</h1>
<p class="sub">Child line <b>{esc(line_text(data["child"]))}</b> at {esc(site_text(data["child"]))} against mother
line <b>{esc(line_text(data["mother"]))}</b> at {esc(site_text(data["mother"]))}.</p>
<p id="generated">Report made {esc(generated_text(data))}; {esc(data["generated"]["utc_text"])}.</p>
{identity}
<h2>Verdict</h2>
<div class="cards">
<div class="card">Copy Exactly level<b id="level">{esc(summary["level"])}</b></div>
<div class="card">Conformance<b id="conformance">{summary["conformance_percent"]:.1f} %</b></div>
<div class="card">Differences<b id="differences">{summary["differences"]}</b></div>
<div class="card">Drift<b id="drift">{summary["drift"]}</b></div>
<div class="card">Approved deviations<b id="approved">{summary["approved"]}</b></div>
<div class="card{" bad" if blocking else ""}">Layout problems<b id="layout">{summary["layout_problems"]}
({blocking} blocking)</b></div>
<div class="card">Matched equipment<b id="matched">{summary["matched"]}</b></div>
<div class="card">Added / removed<b id="added-removed">{summary["added"]} / {summary["removed"]}</b></div>
</div>
<ul id="reasons">{reasons}</ul>
<p>By kind: {kinds}. Matched {summary["matched_by_link"]} by mother link and {summary["matched_by_position"]}
by cell, type and position.</p>
<p class="rule" id="rule">{esc(LEVEL_RULE)}</p>
<p class="rule" id="layout-rule">{esc(LAYOUT_RULE)}</p>
<h2>Clone record</h2>
{_pairs_table("clone-table", clone_rows(data))}
<h2>Tolerances and inputs</h2>
{_pairs_table("inputs-table", tolerance_rows(data))}
<h2>Pictures</h2><p>{legend}</p>
<div class="pictures"><figure>{_png(report.mother_picture, "mother line")}<figcaption>Mother:
{esc(line_text(data["mother"]))} at {esc(site_text(data["mother"]))}, from above</figcaption></figure>
<figure>{_png(report.child_picture, "child line")}<figcaption>Child: {esc(line_text(data["child"]))} at
{esc(site_text(data["child"]))}, from above</figcaption></figure></div>
<h2>Layout problems at the child site</h2>
{layout}
<h2>Differences</h2>
{_table("differences-table", DIFFERENCE_HEADERS,
        [("drift" if d["status"] == "drift" else "ok", difference_cells(d)) for d in data["differences"]])}
<h2>Deviation register</h2>
{_table("deviations-table", DEVIATION_HEADERS, [("", deviation_cells(v)) for v in data["deviations"]])}
<h2>Process outputs</h2>
{_table("outputs-table", OUTPUT_HEADERS,
        [("drift" if o["significant"] else "ok", output_cells(o)) for o in data["outputs"]])}
<div id="approval">
<h2>Approval</h2>
<p>Signing confirms the verdict above for child revision {esc(data["child"]["revision"] or "-")} against mother
revision {esc(data["mother"]["revision"] or "not given")}.</p>
<table id="signatures"><tr><th>Role</th><th>Name</th><th>Signature</th><th>Date</th></tr>
{signatures}
<tr><th>Decision</th><td colspan="3">{decisions}</td></tr>
<tr class="remarks"><th>Conditions and remarks</th><td colspan="3"></td></tr>
</table>
<h3>Approved deviations</h3>
{_table("approved-table", APPROVED_HEADERS, [("", approved_cells(v)) for v in data["approved_deviations"]])}
</div>
</body></html>
"""
    return page  # fmt: skip

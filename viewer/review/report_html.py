"""The review report as one self-contained HTML page: pictures embedded as data URIs, styles inline, no external
resources; printed, each topic starts a new A4 page. What it says comes from
`viewer.review.report_data.report_dict`, as the PDF's does.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from viewer.model.review import TopicStatus
from viewer.review.report_data import (
    ACTION_HEADERS,
    LINE_SHOWN_UP_TO,
    NONE,
    NOT_GIVEN,
    STATUS_COLORS,
    ReviewReport,
    action_cells,
    equipment_text,
    facts_rows,
    filter_text,
    metres_text,
    picture_caption,
    point_text,
    report_dict,
    report_pictures,
)

esc = html.escape


def _text(value: str) -> str:
    """Escaped, with the writer's line breaks kept."""
    return esc(value).replace("\n", "<br>")


def _badge(status: str) -> str:
    rgb = STATUS_COLORS.get(TopicStatus(status), (90, 98, 106))
    return f"<span class='badge' style='background:rgb{rgb}'>{esc(status)}</span>"


def _picture(png: bytes | None, caption: str, number: int) -> str:
    if not png:
        return f"<div class='missing'>{esc(caption)}</div>"
    encoded = base64.b64encode(png).decode("ascii")
    return (f"<figure><img alt='Topic #{number}' src='data:image/png;base64,{encoded}'>"
            f"<figcaption>{esc(caption)}</figcaption></figure>")  # fmt: skip


def _title_page(data: dict[str, Any]) -> str:
    participants = "".join(f"<li>{esc(p)}</li>" for p in data["participants"])
    participants_block = f"<ul id='participants'>{participants}</ul>" if participants else (
        f"<p id='participants'>{NOT_GIVEN}</p>")
    places = "".join(
        f"<tr><th>{esc(p['site'])}</th><td>{esc(', '.join(p['lines']) or 'no line: pinned to points')}</td></tr>"
        for p in data["places"]
    ) or f"<tr><td colspan='2'>{NONE}</td></tr>"
    cards = "".join(
        f"<div class='card' style='border-top-color:rgb{STATUS_COLORS[TopicStatus(s)]}'><b>{n}</b>{esc(s)}</div>"
        for s, n in data["counts"].items()
    )
    people = ", ".join(data["people"]) or NONE
    contents = "".join(
        f"<tr><td><a href='#topic-{t['number']}'>#{t['number']}</a></td><td><a href='#topic-{t['number']}'>"
        f"{esc(t['title'])}</a></td><td>{esc(t['type'])}</td><td>{_badge(t['status'])}</td><td>{esc(t['priority'])}"
        f"</td><td>{esc(t['assignee'] or '-')}</td></tr>"
        for t in data["topics"]
    ) or "<tr class='none'><td colspan='6'>No topic matches the report's filter.</td></tr>"
    return f"""<section class="title-page" id="title-page">
<p class="kicker">Layout review meeting report</p>
<h1>{esc(data["title"])}</h1>
<table class="pairs" id="meeting">
<tr><th>Plant</th><td id="plant">{esc(data["plant"]["name"])}</td></tr>
<tr><th>Meeting date</th><td id="meeting-date">{esc(data["meeting_date_text"])} ({esc(data["meeting_date"])})</td></tr>
<tr><th>Plant file</th><td>{esc(data["plant"]["file"] or NOT_GIVEN)}</td></tr>
<tr><th>Topics</th><td>{data["total"]} in this report ({esc(filter_text(data))}); {data["total_in_plant"]} in the
plant</td></tr>
</table>
<h2>Sites and lines</h2>
<table class="pairs" id="places">{places}</table>
<h2>Participants</h2>
{participants_block}
<p class="small">People named on these topics: {esc(people)}.</p>
<h2>Topics by status</h2>
<div class="cards" id="counts">{cards}</div>
<h2>Topics</h2>
<table id="contents"><tr><th>#</th><th>Topic</th><th>Type</th><th>Status</th><th>Priority</th><th>Assignee</th></tr>
{contents}</table>
<p class="small">Report made {esc(data["generated"]["text"])} with MotherTwin.</p>
</section>"""


def _topic(entry: dict[str, Any], png: bytes | None) -> str:
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts_rows(entry))
    with_line = len(entry["equipment"]) <= LINE_SHOWN_UP_TO
    equipment = "".join(f"<li class='{'present' if e['present'] else 'gone'}'>{esc(equipment_text(e, with_line))}</li>"
                        for e in entry["equipment"])  # fmt: skip
    if not equipment:
        pin = entry["pin"]
        equipment = f"<li>none: pinned at {esc(point_text(pin))} m</li>" if pin else f"<li>{NONE}</li>"
    comments = "".join(
        f"<li class='comment'><div class='who'><b>{esc(c['author'] or NOT_GIVEN)}</b> "
        f"<span>{esc(c['date_text'])}{' (edited)' if c['edited'] else ''}</span></div>"
        f"<div class='said'>{_text(c['text'])}</div></li>"
        for c in entry["comments"]
    )
    measurement = ""
    if entry["measurement"] is not None:
        m = entry["measurement"]
        measurement = (f"<div class='measure' id='measure-{entry['number']}'><b>Measured distance "
                       f"{esc(metres_text(m['distance_m']))}</b> from {esc(point_text(m['start']))} to "
                       f"{esc(point_text(m['end']))} (site metres)</div>")  # fmt: skip
    decision = entry["decision"]
    related = ", ".join(f"#{n}" for n in entry["related"])
    return f"""<section class="topic" id="topic-{entry["number"]}">
<div class="topic-head"><span class="number">#{entry["number"]}</span><h2>{esc(entry["title"])}</h2>
{_badge(entry["status"])}</div>
{_picture(png, picture_caption(entry), entry["number"])}
<div class="columns">
<div><table class="pairs facts">{facts}</table></div>
<div><h3>Equipment</h3><ul class="equipment">{equipment}</ul>
{f"<p class='small'>Related topics: {esc(related)}</p>" if related else ""}</div>
</div>
{measurement}
<h3>Description</h3><p class="description">{_text(entry["description"]) or "<i>none</i>"}</p>
<div class="decision"><h3>Decision</h3><p>{_text(decision) if decision else "<i>none recorded</i>"}</p></div>
<h3>Comments ({len(entry["comments"])})</h3>
<ol class="comments">{comments or "<li class='none'>no comments</li>"}</ol>
</section>"""


def _decision_line(action: dict[str, Any]) -> str:
    return f"<div class='small'>Decision: {esc(action['decision'])}</div>" if action["decision"] else ""


def _actions(data: dict[str, Any]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in ACTION_HEADERS)
    rows = "\n".join(
        f"<tr class='{'done' if a['done'] else 'overdue' if a['overdue'] else ''}'>"
        + "".join(f"<td>{esc(c)}{_decision_line(a) if k == 1 else ''}</td>" for k, c in enumerate(action_cells(a)))
        + "</tr>"
        for a in data["actions"]
    ) or f"<tr class='none'><td colspan='{len(ACTION_HEADERS)}'>{NONE}</td></tr>"
    return f"""<section class="actions" id="actions">
<h2>Actions</h2>
<p class="small">Every topic of this report, by due date (topics with none last).</p>
<table id="actions-table"><tr>{head}</tr>
{rows}
</table></section>"""


def html_page(report: ReviewReport, data: dict[str, Any] | None = None) -> str:
    data = data if data is not None else report_dict(report)
    pictures = report_pictures(report, data)
    topics = "\n".join(_topic(e, pictures.get(e["guid"])) for e in data["topics"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(data["title"])}</title>
<style>
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: "Segoe UI", "Noto Sans", "Malgun Gothic", "Apple SD Gothic Neo", sans-serif; margin: 24px auto;
  color: #1d2733; max-width: 1000px; line-height: 1.4; }}
h1 {{ font-size: 28px; margin: 4px 0 18px; }} h2 {{ font-size: 19px; margin: 22px 0 8px; }}
h3 {{ font-size: 14px; margin: 14px 0 4px; color: #2d3a48; text-transform: uppercase; letter-spacing: .04em; }}
.kicker {{ color: #5c6772; text-transform: uppercase; letter-spacing: .08em; font-size: 13px; margin: 0; }}
.small {{ color: #5c6772; font-size: 12px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #d5dbe1; padding: 4px 8px; vertical-align: top; text-align: left; }}
th {{ background: #eef2f6; }} table.pairs th {{ width: 150px; }}
.cards {{ display: flex; gap: 12px; }}
.card {{ border: 1px solid #c9d1da; border-top: 5px solid; border-radius: 4px; padding: 8px 16px; min-width: 110px; }}
.card b {{ display: block; font-size: 26px; }}
.topic {{ border-top: 3px solid #1d2733; margin-top: 36px; padding-top: 8px; }}
.topic-head {{ display: flex; align-items: center; gap: 12px; }}
.topic-head h2 {{ margin: 0; flex: 1; }}
.number {{ font-size: 22px; font-weight: bold; color: #5c6772; }}
.badge {{ color: white; border-radius: 4px; padding: 3px 10px; font-size: 13px; font-weight: bold; }}
figure {{ margin: 12px 0; }} figure img {{ width: 100%; border: 1px solid #c9d1da; }}
figcaption, .missing {{ color: #5c6772; font-size: 12px; }}
.missing {{ border: 1px dashed #c9d1da; padding: 40px; text-align: center; }}
.columns {{ display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }}
.equipment {{ margin: 0; padding-left: 18px; font-size: 13px; }} .equipment .gone {{ color: #b3261e; }}
.measure {{ background: #e8f0fd; border-left: 4px solid #0a6cff; padding: 6px 10px; margin: 10px 0; }}
.decision {{ background: #f1f7ee; border-left: 4px solid #268c46; padding: 2px 12px 6px; margin: 10px 0; }}
.comments {{ list-style: none; padding: 0; margin: 0; }}
.comment {{ border-bottom: 1px solid #e3e8ed; padding: 5px 0; font-size: 13px; }}
.who span {{ color: #5c6772; margin-left: 8px; font-size: 12px; }}
#actions-table, #contents {{ width: 100%; }} #contents a {{ color: inherit; text-decoration: none; }}
tr.done td {{ color: #6e7680; }} tr.overdue td {{ background: #fdecea; }}
tr.none td {{ color: #68737e; font-style: italic; }}
@media print {{
  body {{ margin: 0; max-width: none; }}
  .topic, .actions {{ break-before: page; border-top: none; margin-top: 0; }}
  figure img {{ max-height: 120mm; object-fit: contain; }}
  .comment, tr {{ break-inside: avoid; }}
}}
</style></head><body>
{_title_page(data)}
{topics}
{_actions(data)}
</body></html>
"""

"""What a review report says: one dictionary (`report_dict`) that the HTML (`viewer.review.report_html`) and
the PDF (`viewer.review.report_pdf`) are both drawn from, so they agree; the topics a report holds (filtered by
status, site and line); the picture of each topic (its snapshot with the markup drawn, or a picture rendered
for it elsewhere); and the texts both outputs share.

Headless: the pictures of topics without a snapshot arrive as PNG bytes, rendered by the scene layer
(`viewer.scene.review_pictures`); this module never draws the 3D view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from viewer.model import Line, PlantDocument, Site
from viewer.model.review import Topic, TopicStatus
from viewer.model.site_choice import find_site, mother_site
from viewer.review.markup_draw import snapshot_with_markup

REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}
NOT_GIVEN = "not given"
NONE = "none"

# Status colours of the badges, pins and the summary table: open red, in progress amber, resolved green,
# closed grey, so what still needs someone stands out on paper.
STATUS_COLORS: dict[TopicStatus, tuple[int, int, int]] = {
    TopicStatus.OPEN: (200, 48, 40),
    TopicStatus.IN_PROGRESS: (214, 128, 0),
    TopicStatus.RESOLVED: (38, 140, 70),
    TopicStatus.CLOSED: (110, 118, 128),
}
PRIORITY_COLORS = {"critical": (176, 20, 20), "high": (200, 90, 0), "normal": (70, 80, 92), "low": (110, 118, 128)}
ACTION_HEADERS = ["#", "Topic", "Who", "Due", "Status", "Priority"]


class ReviewReportError(ValueError):
    """A review report that cannot be written as asked; the message says why."""


def report_format(path: Path) -> str:
    """'html' or 'pdf', by the file's suffix."""
    kind = REPORT_SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise ReviewReportError(f"{path}: a review report is written as .html or .pdf, chosen by the suffix "
                                f"(got {Path(path).suffix or 'no suffix'!r})")  # fmt: skip
    return kind


def parse_statuses(values: Iterable[str]) -> tuple[TopicStatus, ...]:
    """Statuses from the command line: each value one status or a comma list ("open,in progress");
    `in-progress` and `in_progress` name "in progress" too. Empty: every status."""
    wanted: list[TopicStatus] = []
    known = {s.value: s for s in TopicStatus}
    for value in values:
        for part in value.split(","):
            name = " ".join(part.strip().lower().replace("-", " ").replace("_", " ").split())
            if not name:
                continue
            if name not in known:
                raise ReviewReportError(f"unknown status {part.strip()!r}; expected one of "
                                        f"{', '.join(s.value for s in TopicStatus)}")  # fmt: skip
            if known[name] not in wanted:
                wanted.append(known[name])
    return tuple(wanted)


def parse_participants(text: str | Iterable[str]) -> tuple[str, ...]:
    """'A, B; C' (or a list of such) as names, in the order given, without repeats."""
    parts = [text] if isinstance(text, str) else list(text)
    names = [n.strip() for p in parts for n in p.replace(";", ",").split(",")]
    return tuple(dict.fromkeys(n for n in names if n))


def parse_meeting_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReviewReportError(f"meeting date {text!r}: expected YYYY-MM-DD, such as 2026-12-07") from None


@dataclass
class ReviewReport:
    """What a review report is made of: the plant, which topics, the meeting, and the pictures.

    `pictures`: topic guid -> PNG of its view, for topics whose viewpoints have no snapshot (rendered off
    screen from the viewpoint's camera, or taken by the window). A topic's own snapshot wins. The first
    viewpoint's markup is drawn on whichever picture is used."""

    document: PlantDocument
    statuses: tuple[TopicStatus, ...] = ()  # empty: every status
    site: str = ""  # site id or name; "" for every site
    line: str = ""  # line id or name; "" for every line
    participants: tuple[str, ...] = ()
    meeting_date: date | None = None  # None: today at the report's site
    title: str = ""
    pictures: Mapping[str, bytes] = field(default_factory=dict)
    plant_file: str = ""
    generated_at: datetime | None = None  # None: now


# ---------------------------------------------------------------- where topics are


@dataclass(frozen=True)
class _Places:
    """Each equipment id's site, line and name, looked up once for the whole report."""

    site_of: dict[str, Site]
    line_of: dict[str, Line]
    name_of: dict[str, str]

    @classmethod
    def of(cls, document: PlantDocument) -> _Places:
        site_of, line_of, name_of = {}, {}, {}
        for path in document.iter_equipment():
            ident = path.equipment.id
            site_of[ident], line_of[ident], name_of[ident] = path.site, path.line, path.equipment.name
        return cls(site_of, line_of, name_of)


def topic_site(document: PlantDocument, topic: Topic, places: _Places | None = None) -> Site | None:
    """The site a topic is at: its own, else its first viewpoint's, else its first equipment's."""
    for ident in (topic.site, *(v.site for v in topic.viewpoints)):
        if ident:
            site = next((s for s in document.sites if s.id == ident), None)
            if site is not None:
                return site
    places = places or _Places.of(document)
    return next((places.site_of[i] for i in topic.equipment if i in places.site_of), None)


def _find_line(document: PlantDocument, name_or_id: str) -> Line | None:
    lines = [li for s in document.sites for a in s.areas for li in a.lines]
    wanted = name_or_id.strip()
    return next((li for li in lines if li.id == wanted), None) or next(
        (li for li in lines if li.name.casefold() == wanted.casefold()), None
    )


def resolve_site(document: PlantDocument, asked: str) -> Site | None:
    if not asked:
        return None
    site = find_site(document, asked)
    if site is None:
        known = ", ".join(f"{s.name} ({s.id})" for s in document.sites) or NONE
        raise ReviewReportError(f"no site named {asked!r} in this plant; its sites: {known}")
    return site


def resolve_line(document: PlantDocument, asked: str) -> Line | None:
    if not asked:
        return None
    line = _find_line(document, asked)
    if line is None:
        known = ", ".join(f"{li.name} ({li.id})" for s in document.sites for a in s.areas for li in a.lines)
        raise ReviewReportError(f"no line named {asked!r} in this plant; its lines: {known or NONE}")
    return line


def select_topics(report: ReviewReport) -> list[Topic]:
    """The topics the report holds, in their number order: those of the statuses asked for, at the site and
    on the line asked for (a topic is on a line when one of its equipment is)."""
    document = report.document
    site, line = resolve_site(document, report.site), resolve_line(document, report.line)
    places = _Places.of(document)
    chosen = []
    for topic in document.review.topics:
        if report.statuses and topic.status not in report.statuses:
            continue
        if site is not None and topic_site(document, topic, places) is not site:
            continue
        if line is not None and not any(places.line_of.get(i) is line for i in topic.equipment):
            continue
        chosen.append(topic)
    return sorted(chosen, key=lambda t: (t.number, t.created))


# ---------------------------------------------------------------- pictures


def topic_picture(report: ReviewReport, topic: Topic) -> tuple[bytes | None, str]:
    """The picture a topic's page shows, with the first viewpoint's markup drawn, and where it came from:
    "snapshot" (its own), "rendered" (given in `report.pictures`) or "" (none)."""
    snapshots = report.document.review.snapshots
    for viewpoint in topic.viewpoints:
        png = snapshots.get(viewpoint.snapshot) if viewpoint.snapshot else None
        if png:
            return snapshot_with_markup(png, viewpoint.markup), "snapshot"
    given = report.pictures.get(topic.guid)
    if given:
        markup = topic.viewpoints[0].markup if topic.viewpoints else ()
        return snapshot_with_markup(given, markup), "rendered"
    return None, ""


def needs_picture(document: PlantDocument, topic: Topic) -> bool:
    """A topic none of whose viewpoints has a snapshot in the plant: its picture has to be rendered."""
    snapshots = document.review.snapshots
    return not any(v.snapshot and snapshots.get(v.snapshot) for v in topic.viewpoints)


# ---------------------------------------------------------------- texts


def when_text(iso: str) -> str:
    """'2026-12-02T09:02:00+09:00' as '2026-12-02 09:02 UTC+09:00'; text that is no time as it is."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    zone = "UTC" if offset in ("+0000", "-0000") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{moment.strftime('%Y-%m-%d %H:%M')} {zone}"


def date_text(value: date) -> str:
    """'Monday 7 December 2026'."""
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


def site_text(site: Site | None) -> str:
    return f"{site.name} ({site.id})" if site is not None else NOT_GIVEN


def line_text(line: Line | None) -> str:
    return f"{line.name} ({line.id})" if line is not None else NOT_GIVEN


def metres_text(value: float) -> str:
    return f"{value:.3f} m" if value < 10 else f"{value:.2f} m"


def point_text(point: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in point) + ")"


def status_counts_text(data: dict[str, Any]) -> str:
    return ", ".join(f"{n} {s}" for s, n in data["counts"].items() if n) or "no topics"


def filter_text(data: dict[str, Any]) -> str:
    parts = []
    f = data["filter"]
    if f["statuses"]:
        parts.append("status " + " or ".join(f["statuses"]))
    if f["site"]:
        parts.append(f"site {f['site']}")
    if f["line"]:
        parts.append(f"line {f['line']}")
    return "; ".join(parts) if parts else "every topic"


DECISION_IN_ACTIONS = 240  # characters of a decision the actions table shows; the topic's page has it all


def short_text(text: str, limit: int) -> str:
    """The text, or its first words up to `limit` characters and an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " \u2026"


LINE_SHOWN_UP_TO = 6  # a topic on more equipment names each without its line, so the list stays short


def equipment_text(entry: dict[str, Any], with_line: bool = True) -> str:
    """'Cathode mixer (OC-ELE1-MIX-01), Electrode line 1 (OC-ELE1)', or 'OC-X-01: gone, ...' for one deleted."""
    if not entry["present"]:
        return f"{entry['id']}: gone, no longer in the plant (deleted since the topic was raised)"
    return f"{entry['name']} ({entry['id']})" + (f", {entry['line']}" if entry["line"] and with_line else "")


def picture_caption(topic: dict[str, Any]) -> str:
    """What the picture of a topic's page is, said under it."""
    if topic["picture"] == "snapshot":
        return "Snapshot taken in the meeting, with its markup."
    if topic["picture"] != "rendered":
        return "No picture: the topic has no snapshot, and no camera or place to render one from."
    how = "from the topic's viewpoint camera" if topic["camera"] else "framed on what the topic is about (no camera)"
    what = []
    if any(e["present"] for e in topic["equipment"]):
        what.append("its equipment highlighted")
    if topic["pin"] is not None or topic["equipment"] or topic["measurement"] is not None:
        what.append(f"pin #{topic['number']} drawn")
    if topic["measurement"] is not None:
        what.append("the measurement drawn")
    return f"Rendered {how}, as the topic has no snapshot" + (f": {', '.join(what)}." if what else ".")


def action_cells(action: dict[str, Any]) -> list[str]:
    due = action["due_date"] or "-"
    if action["overdue"]:
        due += " (overdue)"
    return [f"#{action['number']}", action["title"], action["assignee"] or "not assigned", due, action["status"],
            action["priority"]]  # fmt: skip


def facts_rows(topic: dict[str, Any]) -> list[tuple[str, str]]:
    """The topic's facts beside its picture, the same in the HTML and the PDF."""
    due = topic["due_date"] or NOT_GIVEN
    if topic["overdue"]:
        due += " (overdue)"
    rows = [
        ("Type", topic["type"]),
        ("Status", topic["status"]),
        ("Priority", topic["priority"]),
        ("Assignee", topic["assignee"] or "not assigned"),
        ("Due", due),
        ("Labels", ", ".join(topic["labels"]) or NONE),
        ("Site", topic["site"]),
        ("Raised by", f"{topic['author'] or NOT_GIVEN}, {topic['created_text'] or 'date not given'}"),
    ]
    if topic["modified_text"] and topic["modified_text"] != topic["created_text"]:
        rows.append(("Last changed", f"{topic['modified_author'] or NOT_GIVEN}, {topic['modified_text']}"))
    return rows


# ---------------------------------------------------------------- the report's data


def _moment_key(iso: str) -> tuple[int, float, str]:
    """Sorts times written with different UTC offsets by the moment they name; text that is no time last."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return (1, 0.0, iso)
    return (0, (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp(), iso)


def _today_at(site: Site | None, now: datetime) -> date:
    try:
        zone = ZoneInfo(site.timezone) if site is not None and site.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return now.astimezone(zone).date()


def _topic_dict(report: ReviewReport, topic: Topic, places: _Places, meeting: date) -> dict[str, Any]:
    document = report.document
    site = topic_site(document, topic, places)
    equipment = [
        {
            "id": ident,
            "name": places.name_of.get(ident, ""),
            "line": line_text(places.line_of[ident]) if ident in places.line_of else "",
            "present": ident in places.name_of,
        }
        for ident in topic.equipment
    ]
    measurement = None
    if topic.measurement is not None:
        m = topic.measurement
        measurement = {"distance_m": m.distance, "start": list(m.start), "end": list(m.end)}
    source = "snapshot" if not needs_picture(document, topic) else "rendered" if report.pictures.get(topic.guid) else ""
    camera = next((v.camera for v in topic.viewpoints if v.camera is not None), None)
    return {
        "guid": topic.guid,
        "number": topic.number,
        "title": topic.title,
        "type": str(topic.type),
        "status": str(topic.status),
        "done": topic.status.is_done,
        "priority": str(topic.priority),
        "labels": list(topic.labels),
        "assignee": topic.assignee,
        "due_date": topic.due_date,
        "overdue": bool(topic.due_date and not topic.status.is_done and topic.due_date < meeting.isoformat()),
        "author": topic.author,
        "created": topic.created,
        "created_text": when_text(topic.created),
        "modified_author": topic.modified_author,
        "modified_text": when_text(topic.modified),
        "site": site_text(site),
        "equipment": equipment,
        "equipment_gone": [e["id"] for e in equipment if not e["present"]],
        "pin": list(topic.pin) if topic.pin is not None else None,
        "description": topic.description,
        "decision": topic.decision,
        "comments": [
            {"author": c.author, "date": c.date, "date_text": when_text(c.date), "text": c.text,
             "edited": bool(c.modified_date and c.modified_date != c.date)}
            for c in sorted(topic.comments, key=lambda c: _moment_key(c.date))
        ],
        "measurement": measurement,
        "picture": source,
        "camera": camera is not None,
        "viewpoints": len(topic.viewpoints),
        "related": [r.number for g in topic.related if (r := document.review.topic(g)) is not None],
    }


def report_dict(report: ReviewReport) -> dict[str, Any]:
    """Everything the report shows, as plain data: what the HTML and the PDF are drawn from."""
    document = report.document
    topics = select_topics(report)
    places = _Places.of(document)
    asked_site, asked_line = resolve_site(document, report.site), resolve_line(document, report.line)
    home = asked_site or (topic_site(document, topics[0], places) if topics else None) or mother_site(document)
    now = report.generated_at or datetime.now(UTC)
    meeting = report.meeting_date or _today_at(home, now)
    entries = [_topic_dict(report, t, places, meeting) for t in topics]
    counts = Counter(t.status for t in topics)
    lines: dict[str, list[str]] = {}  # site text -> line texts the topics are on, in plant order
    for topic in topics:
        site = topic_site(document, topic, places)
        on = lines.setdefault(site_text(site), [])
        for ident in topic.equipment:
            if ident in places.line_of and (text := line_text(places.line_of[ident])) not in on:
                on.append(text)
    people = sorted({p for t in topics for p in (t.author, t.assignee, *(c.author for c in t.comments)) if p},
                    key=str.casefold)  # fmt: skip
    actions = sorted(
        (
            {"number": e["number"], "title": e["title"], "assignee": e["assignee"], "due_date": e["due_date"],
             "status": e["status"], "priority": e["priority"], "done": e["done"], "overdue": e["overdue"],
             "decision": short_text(e["decision"], DECISION_IN_ACTIONS)}
            for e in entries
        ),
        key=lambda a: (not a["due_date"], a["due_date"], a["number"]),
    )  # fmt: skip
    plant = document.enterprise.name or document.enterprise.id
    title = report.title or (f"Layout review: {line_text(asked_line)}" if asked_line is not None
                             else f"Layout review: {site_text(home)}" if home is not None else "Layout review")
    return {
        "title": title,
        "plant": {"name": plant, "id": document.enterprise.id, "file": report.plant_file},
        "places": [{"site": s, "lines": li} for s, li in lines.items()],
        "meeting_date": meeting.isoformat(),
        "meeting_date_text": date_text(meeting),
        "participants": list(report.participants),
        "people": people,
        "filter": {
            "statuses": [str(s) for s in report.statuses],
            "site": site_text(asked_site) if asked_site is not None else "",
            "line": line_text(asked_line) if asked_line is not None else "",
        },
        "counts": {str(s): counts.get(s, 0) for s in TopicStatus},
        "total": len(topics),
        "total_in_plant": len(document.review.topics),
        "generated": {"utc": now.astimezone(UTC).replace(microsecond=0).isoformat(),
                      "text": now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")},
        "topics": entries,
        "actions": actions,
    }


def report_pictures(report: ReviewReport, data: dict[str, Any]) -> dict[str, bytes]:
    """The picture of each topic of the report that has one (markup drawn), by guid."""
    out = {}
    for entry in data["topics"]:
        topic = report.document.review.topic(entry["guid"])
        png = topic_picture(report, topic)[0] if topic is not None else None
        if png:
            out[entry["guid"]] = png
    return out

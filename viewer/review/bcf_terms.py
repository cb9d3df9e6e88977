"""BCF's words and ours: topic status, type and priority strings, GUIDs, IFC GlobalIds, dates, versions.

On the way out our enums become the strings BCF tools show ("Open", "In Progress", "Resolved", "Closed";
"Issue", "Question", "Decision", "Request"). On the way in, other tools' words are matched without regard to
case, spaces or underscores ("IN_PROGRESS", "Solved", "Clash"); a word we have no match for is read as the
default (open, issue, normal) and the import says so.
"""

from __future__ import annotations

import re
import uuid

from viewer.model.review import Priority, TopicStatus, TopicType

BCF_VERSIONS = ("2.1", "3.0")
READ_VERSIONS = {"2.0": "2.1", "2.1": "2.1", "3.0": "3.0"}  # 2.0 is read as 2.1: the same layout
ORIGINATING_SYSTEM = "MotherTwin"

STATUS_WORDS = {
    TopicStatus.OPEN: "Open",
    TopicStatus.IN_PROGRESS: "In Progress",
    TopicStatus.RESOLVED: "Resolved",
    TopicStatus.CLOSED: "Closed",
}
TYPE_WORDS = {
    TopicType.ISSUE: "Issue",
    TopicType.QUESTION: "Question",
    TopicType.DECISION: "Decision",
    TopicType.REQUEST: "Request",
}
PRIORITY_WORDS = {Priority.LOW: "Low", Priority.NORMAL: "Normal", Priority.HIGH: "High", Priority.CRITICAL: "Critical"}

_STATUS_IN = {
    "open": TopicStatus.OPEN, "new": TopicStatus.OPEN, "reopened": TopicStatus.OPEN, "active": TopicStatus.IN_PROGRESS,
    "inprogress": TopicStatus.IN_PROGRESS, "assigned": TopicStatus.IN_PROGRESS, "resolved": TopicStatus.RESOLVED,
    "solved": TopicStatus.RESOLVED, "done": TopicStatus.RESOLVED, "fixed": TopicStatus.RESOLVED,
    "closed": TopicStatus.CLOSED,
}  # fmt: skip
_TYPE_IN = {
    "issue": TopicType.ISSUE, "error": TopicType.ISSUE, "warning": TopicType.ISSUE, "clash": TopicType.ISSUE,
    "fault": TopicType.ISSUE, "problem": TopicType.ISSUE, "question": TopicType.QUESTION,
    "info": TopicType.QUESTION, "information": TopicType.QUESTION, "inquiry": TopicType.QUESTION,
    "decision": TopicType.DECISION, "request": TopicType.REQUEST, "remark": TopicType.REQUEST,
    "comment": TopicType.REQUEST,
}  # fmt: skip
_PRIORITY_IN = {
    "low": Priority.LOW, "minor": Priority.LOW, "normal": Priority.NORMAL, "medium": Priority.NORMAL,
    "moderate": Priority.NORMAL, "high": Priority.HIGH, "major": Priority.HIGH, "critical": Priority.CRITICAL,
    "urgent": Priority.CRITICAL, "blocker": Priority.CRITICAL,
}  # fmt: skip


def _key(word: str) -> str:
    return re.sub(r"[\s_\-]", "", word).lower()


def status_from_bcf(word: str) -> TopicStatus | None:
    return _STATUS_IN.get(_key(word))


def type_from_bcf(word: str) -> TopicType | None:
    return _TYPE_IN.get(_key(word))


def priority_from_bcf(word: str) -> Priority | None:
    return _PRIORITY_IN.get(_key(word))


# ---------------------------------------------------------------- identifiers

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_IFC_GUID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")
_GUID_NAMESPACE = uuid.UUID("6b0f4a8e-2d35-4c1e-9a51-7e3c9d2f0b11")


def is_bcf_guid(text: str) -> bool:
    return bool(_GUID.match(text))


def bcf_guid(text: str) -> str:
    """A GUID as BCF 3.0 writes it (lower case); a name that is no GUID becomes one derived from it."""
    lower = text.strip().lower()
    return lower if _GUID.match(lower) else str(uuid.uuid5(_GUID_NAMESPACE, text))


def is_ifc_guid(text: str) -> bool:
    """Whether an id is an IFC GlobalId (22 characters of IFC's base-64 alphabet), e.g. equipment from IFC."""
    return bool(_IFC_GUID.match(text))


# ---------------------------------------------------------------- dates

_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_xs_datetime(text: str) -> bool:
    return bool(_DATETIME.match(text))


def due_to_bcf(due_date: str) -> str:
    """A due date (a day) as xs:dateTime: noon UTC, the same day from UTC-11 to UTC+11."""
    if _DATE.match(due_date):
        return f"{due_date}T12:00:00Z"
    return due_date if is_xs_datetime(due_date) else ""


def due_from_bcf(text: str) -> str:
    """The day of a BCF DueDate as written ("" when it is no date)."""
    day = text.strip()[:10]
    return day if _DATE.match(day) else ""

"""A BCF import merged into the plant's review topics, by topic GUID, as one undoable edit (PutTopics).

A topic the plant does not have is added (numbered after the last one unless its number is free). A topic it has
takes the file's fields when the file's copy is not older (BCF ModifiedDate), keeps its own number, and, when
the file lacks our extension (a BCF tool re-saved it), keeps what BCF cannot carry (pin, equipment, decision,
measurement). Comments merge by GUID: a changed one (not older than ours) replaces ours, new ones are added,
ours are never dropped. Viewpoints are BCF's immutable records: new ones are added; one we have is replaced only
from a file that carries our extension and is not older. A second import of the same file changes nothing and
gives no edit at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

from viewer.model import PlantDocument
from viewer.model.review import Comment, ReviewViewpoint, Topic
from viewer.model.review_edit import PutTopics
from viewer.review.bcf_read import BcfImport
from viewer.review.bcf_terms import bcf_guid

Item = TypeVar("Item", Comment, ReviewViewpoint)


@dataclass
class BcfMerge:
    command: PutTopics | None
    added: list[Topic] = field(default_factory=list)
    updated: list[Topic] = field(default_factory=list)
    unchanged: int = 0
    comments_added: int = 0
    comments_updated: int = 0

    @property
    def changed(self) -> bool:
        return self.command is not None

    def report_lines(self) -> list[str]:
        lines = [f"added #{t.number} {t.title}" for t in self.added]
        lines += [f"updated #{t.number} {t.title}" for t in self.updated]
        return lines


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def not_older(theirs: str, ours: str) -> bool:
    """Whether a date from the file is at or after ours (either unknown: the file's counts as newer)."""
    a, b = _moment(theirs), _moment(ours)
    return a is None or b is None or a >= b


def _merge_items(ours: Sequence[Item], theirs: Sequence[Item], take: Callable[[Item, Item], bool]) -> tuple[
        tuple[Item, ...], int, int]:  # fmt: skip
    """Ours in our order, each replaced by the file's of the same guid where `take(ours, theirs)`, then the
    file's new ones; with the counts of replaced and added."""
    by_guid = {bcf_guid(item.guid): item for item in theirs}
    merged: list[Item] = []
    replaced = 0
    for item in ours:
        other = by_guid.pop(bcf_guid(item.guid), None)
        if other is not None:
            other = replace(other, guid=item.guid)  # ours as we spell it (BCF writes GUIDs in lower case)
        if other is not None and other != item and take(item, other):
            merged.append(other)
            replaced += 1
        else:
            merged.append(item)
    new_items: list[Item] = [item for item in theirs if bcf_guid(item.guid) in by_guid]
    return tuple(merged + new_items), replaced, len(new_items)


def _comment_newer(ours: Comment, theirs: Comment) -> bool:
    return not_older(theirs.modified_date or theirs.date, ours.modified_date or ours.date)


def _always(_ours: ReviewViewpoint, _theirs: ReviewViewpoint) -> bool:
    return True


def _never(_ours: ReviewViewpoint, _theirs: ReviewViewpoint) -> bool:
    return False


def merge_bcf(document: PlantDocument, imported: BcfImport) -> BcfMerge:
    """The edit that brings `imported` into the document (None when nothing would change)."""
    book = document.review
    used = {t.number for t in book.topics}
    next_number = max(used, default=0) + 1
    result = BcfMerge(command=None)
    changed: list[Topic] = []
    ours = {bcf_guid(t.guid): t for t in book.topics}
    for topic in imported.topics:
        extended = topic.guid in imported.extended
        local = ours.get(bcf_guid(topic.guid))
        related = tuple(ours[g].guid if g in ours else g for g in (bcf_guid(r) for r in topic.related))
        if local is not None and [bcf_guid(r) for r in local.related] == [bcf_guid(r) for r in related]:
            related = local.related  # the same topics, as we spell them
        topic = replace(topic, guid=local.guid if local else topic.guid, related=related)
        if local is None:
            number = topic.number
            if number <= 0 or number in used:
                number = next_number
            used.add(number)
            next_number = max(next_number, number + 1)
            added = replace(topic, number=number)
            changed.append(added)
            result.added.append(added)
            result.comments_added += len(added.comments)
            continue
        newer = not_older(topic.modified, local.modified)
        base = local
        if newer:
            base = replace(topic, number=local.number, comments=local.comments, viewpoints=local.viewpoints)
            if not extended:
                base = replace(base, site=local.site, equipment=local.equipment, pin=local.pin,
                               decision=local.decision, measurement=local.measurement)  # fmt: skip
        comments, replaced, new = _merge_items(local.comments, topic.comments, _comment_newer)
        take_viewpoints = _always if newer and extended else _never
        viewpoints, _, _ = _merge_items(local.viewpoints, topic.viewpoints, take_viewpoints)
        merged = replace(base, comments=comments, viewpoints=viewpoints)
        if merged == local:
            result.unchanged += 1
            continue
        changed.append(merged)
        result.updated.append(merged)
        result.comments_added += new
        result.comments_updated += replaced
    if changed:
        named = {v.snapshot for t in changed for v in t.viewpoints if v.snapshot}
        snapshots = {k: png for k, png in imported.snapshots.items() if k in named and k not in book.snapshots}
        result.command = PutTopics(changed, snapshots, text=f"Import BCF {imported.path.name}")
    return result

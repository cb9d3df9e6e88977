"""Undoable edits of a plant's review topics (`viewer.model.review`): one command for adding or changing
topics (an import merging by guid is one too), one for deleting them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from viewer.model.plant import PlantDocument
from viewer.model.review import ReviewBook, Topic
from viewer.model.undo import Command


class ReviewError(ValueError):
    """A review edit that cannot be applied; the message says why."""


def _review(document: PlantDocument) -> ReviewBook:
    return document.review


@dataclass
class PutTopics(Command):
    """Add topics, or replace those of the same guid, with the snapshots they name; one undo step.

    Used for a new topic, any change of one (status, a comment, markup) and an import that merges by guid."""

    topics: Sequence[Topic]
    snapshots: dict[str, bytes] = field(default_factory=dict)
    text: str = "Review topic"
    _before: list[Topic] | None = None
    _added_snapshots: list[str] = field(default_factory=list)

    def redo(self, document: PlantDocument) -> set[str]:
        book = _review(document)
        guids = [t.guid for t in self.topics]
        if len(set(guids)) != len(guids):
            raise ReviewError("the same topic guid twice in one change")
        self._before = list(book.topics)
        self._added_snapshots = [k for k in self.snapshots if k not in book.snapshots]
        book.snapshots.update(self.snapshots)
        where = {t.guid: i for i, t in enumerate(book.topics)}
        for topic in self.topics:
            if topic.guid in where:
                book.topics[where[topic.guid]] = topic
            else:
                where[topic.guid] = len(book.topics)
                book.topics.append(topic)
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        book = _review(document)
        if self._before is not None:
            book.topics[:] = self._before
        for key in self._added_snapshots:
            book.snapshots.pop(key, None)
        return set()


@dataclass
class RemoveTopics(Command):
    guids: Sequence[str]
    text: str = "Delete review topic"
    _before: list[Topic] | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        book = _review(document)
        unknown = [g for g in self.guids if book.topic(g) is None]
        if unknown:
            raise ReviewError(f"no review topic with guid {', '.join(repr(g) for g in unknown)}")
        self._before = list(book.topics)
        gone = set(self.guids)
        book.topics[:] = [t for t in book.topics if t.guid not in gone]
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        if self._before is not None:
            _review(document).topics[:] = self._before
        return set()

"""One undo stack for every edit of a plant document (napari issue #474: add it late and it never fits).

A command changes the document through `redo()` and restores it exactly through `undo()`. Commands that
share a merge key and arrive while a group is open (a drag) fold into one step. The stack has no Qt in it;
the window's Undo/Redo actions and history list only drive it and listen to its signals.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from psygnal import Signal

from viewer.model.plant import PlantDocument


class Command:
    """Base class: subclasses set `text` and implement `redo` and `undo` against the document."""

    text: str = "edit"

    def redo(self, document: PlantDocument) -> set[str]:
        """Apply; returns the ids of the equipment whose geometry or data changed."""
        raise NotImplementedError

    def undo(self, document: PlantDocument) -> set[str]:
        raise NotImplementedError

    def merge_key(self) -> object | None:
        """Commands with the same non-None key may merge into the previous one inside a group."""
        return None

    def merge(self, later: Command) -> bool:
        """Absorb a later command of the same key; return False to keep them apart."""
        return False

    @property
    def structural(self) -> bool:
        """True when equipment are added, removed or re-parented (the scene rebuilds, not just moves).

        A command class that always is one says so with `structural: ClassVar[bool] = True`."""
        return False


@dataclass
class _Group(Command):
    """Several commands as one undo step, undone in reverse order."""

    text: str = "edit"
    commands: list[Command] = field(default_factory=list)

    def redo(self, document: PlantDocument) -> set[str]:
        changed: set[str] = set()
        for command in self.commands:
            changed |= command.redo(document)
        return changed

    def undo(self, document: PlantDocument) -> set[str]:
        changed: set[str] = set()
        for command in reversed(self.commands):
            changed |= command.undo(document)
        return changed

    @property
    def structural(self) -> bool:
        return any(c.structural for c in self.commands)


class UndoStack:
    """Linear history with a clean mark (the saved state), groups, and change signals."""

    # (changed equipment ids, structural) after every do/undo/redo
    changed = Signal(set, bool)
    # after any change of the history: the window refreshes Undo/Redo texts, history list and title marker
    history_changed = Signal()

    def __init__(self, document: PlantDocument) -> None:
        self.document = document
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are applied
        self._clean_index: int | None = 0
        self._group: _Group | None = None
        self._group_depth = 0

    # ------------------------------------------------------------ state

    @property
    def index(self) -> int:
        return self._index

    @property
    def clean_index(self) -> int | None:
        """How many commands were applied when the document was saved (None: that state is gone)."""
        return self._clean_index

    def texts(self) -> list[str]:
        return [c.text for c in self._commands]

    def can_undo(self) -> bool:
        return self._index > 0 and self._group is None

    def can_redo(self) -> bool:
        return self._index < len(self._commands) and self._group is None

    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo() else ""

    def is_clean(self) -> bool:
        return self._clean_index == self._index and self._group is None

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self._clean_index = self._index
        self.history_changed.emit()

    def set_unsaved(self) -> None:
        """No state of this history is the saved one (a document recovered after a crash, or kept while its
        file changed on disk): the window shows it modified until it is saved."""
        self._clean_index = None
        self.history_changed.emit()

    # ------------------------------------------------------------ doing

    def push(self, command: Command) -> set[str]:
        """Apply a command and record it (inside a group it joins the group)."""
        changed = command.redo(self.document)
        if self._group is not None:
            previous = self._group.commands[-1] if self._group.commands else None
            key = command.merge_key()
            if previous is None or key is None or previous.merge_key() != key or not previous.merge(command):
                self._group.commands.append(command)
        else:
            self._record(command)
        self.changed.emit(changed, command.structural)
        return changed

    def _record(self, command: Command) -> None:
        del self._commands[self._index :]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None  # the saved state is no longer reachable
        self._commands.append(command)
        self._index += 1
        self.history_changed.emit()

    @contextmanager
    def group(self, text: str) -> Iterator[None]:
        """Everything pushed inside is one undo step, e.g. all the moves of one drag."""
        self._group_depth += 1
        if self._group is None:
            self._group = _Group(text=text)
        try:
            yield
        finally:
            self._group_depth -= 1
            if self._group_depth == 0:
                group, self._group = self._group, None
                if group.commands:
                    self._record(group.commands[0] if len(group.commands) == 1 else group)
                    if len(group.commands) == 1:
                        group.commands[0].text = group.commands[0].text or text
                else:
                    self.history_changed.emit()

    def undo(self) -> None:
        if not self.can_undo():
            return
        self._index -= 1
        command = self._commands[self._index]
        changed = command.undo(self.document)
        self.changed.emit(changed, command.structural)
        self.history_changed.emit()

    def redo(self) -> None:
        if not self.can_redo():
            return
        command = self._commands[self._index]
        changed = command.redo(self.document)
        self._index += 1
        self.changed.emit(changed, command.structural)
        self.history_changed.emit()

    def go_to(self, index: int) -> None:
        """Jump in the history list: undo or redo until `index` commands are applied."""
        index = max(0, min(index, len(self._commands)))
        while self._index > index:
            self.undo()
        while self._index < index:
            self.redo()

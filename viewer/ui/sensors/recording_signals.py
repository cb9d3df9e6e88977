"""Sensors > Signals from Recording in the window: the edit made by the application layer
(`viewer.app.recording_signals`), pushed on the undo stack, the site bound again, the recording replayed;
and binding again whenever an undo or redo changes a bound equipment's signals."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from viewer.app.document import Message, Severity
from viewer.app.recording_signals import make_signals_from_recording
from viewer.model.edit import EditError
from viewer.sensors import NoTimeColumnError, ReadOptions, SourceSettings
from viewer.sensors.config import resolve_site_zone

if TYPE_CHECKING:
    from viewer.model.undo import UndoStack
    from viewer.ui.sensors.controller import SensorController


class RecordingSignals:
    """The Signals from Recording edits of one sensor controller."""

    def __init__(self, controller: SensorController) -> None:
        self.controller = controller
        self._undo: UndoStack | None = None
        document_changed = getattr(controller.session, "document_changed", None)
        if document_changed is not None:
            document_changed.connect(self._on_document)
            self._on_document()

    def make(self, equipment_id: str, settings: SourceSettings) -> bool:
        """Make an equipment's signals from a recording's columns (units and limits guessed), bound to
        those columns, as one undoable edit; then replay the recording. NoTimeColumnError is left to the
        caller (the window asks which column holds the time); other errors are reported. True when done."""
        c = self.controller
        document = c.session.document
        if document is None:
            return False
        settings = resolve_site_zone(settings, c.site.timezone if c.site is not None else None)
        options = ReadOptions.from_options(settings.options)
        try:
            made = make_signals_from_recording(document, equipment_id, Path(settings.url), options)
        except NoTimeColumnError:
            raise
        except (EditError, ValueError, OSError) as exc:
            c.message.emit(Message(Severity.ERROR, f"signals from recording for {equipment_id}: {exc}"))
            return False
        undo = self._undo
        if undo is not None:
            undo.push(made.command)
        else:
            made.command.redo(document)
        self.rebind()
        for text in made.notes + made.skipped:
            c.message.emit(Message(Severity.WARNING, text))
        c.message.emit(Message(Severity.INFO, made.summary(settings.url)))
        c.connect_source(settings)
        return True

    def rebind(self) -> None:
        """Bind the site again now: its tag template is the same, but an equipment's signals changed (the
        controller binds again only for a new drawing or template by itself)."""
        c = self.controller
        c._bound_key = c._binding_key = None
        c._sync_bindings()

    def _on_document(self, *_: object) -> None:
        if self._undo is not None:
            self._undo.changed.disconnect(self._on_undo_changed)
        self._undo = getattr(self.controller.session, "undo", None)
        if self._undo is not None:
            self._undo.changed.connect(self._on_undo_changed)

    def _on_undo_changed(self, ids: set[str], structural: bool) -> None:
        """Signals of a bound equipment changed (Signals from Recording, or its undo): bind again. A
        structural change draws the site anew, and a new drawing is bound anyway."""
        c = self.controller
        bindings, batch = c.bindings, c.scene.view.batch
        if structural or bindings is None or batch is None:
            return
        for equipment_id in ids:
            if not batch.has_id(equipment_id):
                continue
            index = batch.index_of(equipment_id)
            if index >= len(bindings.by_equipment):
                continue
            bound = [b.signal for b in bindings.by_equipment[index]]
            now = bindings.paths[index].equipment.signals
            if len(bound) != len(now) or any(a is not b for a, b in zip(bound, now, strict=True)):
                self.rebind()
                return

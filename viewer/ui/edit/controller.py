"""Editing the layout from the window: intentions (drag, nudge, rotate, delete, type a value, drop a type)
become commands on the session's undo stack, and every change of the stack is carried to the 3D view.

No widgets here: the window's actions, docks and viewport filter call these methods and listen to the signals.
Moves rewrite only the moved equipment's points; structural changes rebuild the scene, keeping the camera.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from viewer.app.view_state import ViewState
from viewer.io.mesh_import import UnitsRequiredError, import_mesh_type
from viewer.io.meshes import MeshLoadError
from viewer.model import Deviation, PlantDocument, Site
from viewer.model.deviations import AddDeviation, deviation_values, fields_needing_deviation, next_deviation_id
from viewer.model.edit import (
    AddEquipmentType,
    DeleteEquipment,
    EditError,
    MoveToCell,
    RenameEquipment,
    SetParameter,
    SetPoses,
    align,
    array_copy,
    cell_world_matrix,
    distribute,
    duplicate,
    locate,
    move_by,
    rotate_by,
)
from viewer.model.geometry import pose_matrix
from viewer.model.placing import place_new
from viewer.model.snapping import rotation_step
from viewer.model.undo import Command, UndoStack
from viewer.model.values import ParameterValue
from viewer.ui.document import DocumentSession
from viewer.ui.edit.drag import EDGE_TOLERANCE, DragSession, Segment
from viewer.ui.scene_controller import SceneController

NUDGE_WHEN_OFF = 0.1  # metres an arrow key moves when grid snapping is off
BIG_NUDGE = 10  # Shift + arrow
POSE_FIELDS = ("x", "y", "z", "yaw")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def parse_value(text: str, old: ParameterValue) -> ParameterValue:
    """A typed value read as the old value's type; a unit typed after a number is ignored ("65 m/min")."""
    text = text.strip()
    if isinstance(old, bool):
        lowered = text.lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise EditError(f"{text!r} is not yes or no")
    if isinstance(old, int | float):
        match = _NUMBER.match(text)
        if match is None:
            raise EditError(f"{text!r} is not a number")
        number = float(match.group(1))
        if not np.isfinite(number):
            raise EditError(f"{text!r} is not a finite number")
        if isinstance(old, int) and number.is_integer():
            return int(number)
        return number
    return text


class EditController(QObject):
    edited = Signal(object, bool)  # changed equipment ids (set), structural: after the scene is updated
    status = Signal(str)  # short feedback for the status bar
    failed = Signal(str)  # an edit that was refused, and why

    def __init__(self, session: DocumentSession, state: ViewState, scene: SceneController) -> None:
        super().__init__(scene)
        # Asks the reason for edits of a child line (who asks is the logged-in user); None declines. The window
        # sets a dialog.
        self.ask_deviation: Callable[[list[tuple[str, str]]], str | None] = lambda needs: None
        self.session = session
        self.state = state
        self.scene = scene
        self.grid_step = 0.5  # metres; 0 = off
        self.angle_step = 90.0  # degrees; 0 = free (1 degree a key press)
        self.edge_snap = True  # pull dragged footprints onto a neighbour's edges
        self.drag: DragSession | None = None
        self._drag_group: ExitStack | None = None
        self._undo: UndoStack | None = None
        session.document_changed.connect(self._on_document)

    # ------------------------------------------------------------ the stack and the view

    @property
    def undo(self) -> UndoStack | None:
        return self.session.undo

    def _on_document(self, _document: PlantDocument) -> None:
        self.cancel_drag()
        if self._undo is not None:
            self._undo.changed.disconnect(self._on_changed)
        self._undo = self.session.undo
        if self._undo is not None:
            self._undo.changed.connect(self._on_changed)

    def site(self) -> Site | None:
        return self.scene.view.site

    def _on_changed(self, ids: set[str], structural: bool) -> None:
        document, view = self.session.document, self.scene.view
        if document is None:
            return
        if structural:
            self.session.refresh_library()
            existing = {p.equipment.id for p in document.iter_equipment()}
            self.state.select([i for i in self.state.selection if i in existing])
            if self.site() is not None and self.session.library is not None and self.session.meshes is not None:
                self.scene.show_site(document, self.session.library, self.site(), self.session.meshes)
        elif view.batch is not None:
            shown = [i for i in ids if view.batch.has_id(i)]
            if shown:
                indices = view.batch.indices(shown)
                paths = [view.batch.paths[i] for i in indices]
                matrices = np.stack(
                    [cell_world_matrix(document, p.cell) @ pose_matrix(p.equipment.pose) for p in paths]
                )
                view.move_equipment(indices, matrices)
                self.scene.request_render()
        self.edited.emit(set(ids), structural)

    def push(self, command: Command | Sequence[Command], text: str = "") -> bool:
        """Apply one command (or several as one undo step); a refused edit is reported, not raised.

        An edit that makes a cloned (child) line differ from its mother asks which deviation it belongs to
        (Copy Exactly change control); declining the question cancels the edit.
        """
        if self.undo is None:
            return False
        commands = [command] if isinstance(command, Command) else list(command)
        try:
            needs = [n for c in commands for n in fields_needing_deviation(self.session.document, c)]
        except EditError:
            needs = []
        answer = self.ask_deviation(needs) if needs else None
        if needs and answer is None:
            self.failed.emit("edit cancelled: a child line's equipment changes only with a deviation")
            return False
        try:
            if len(commands) == 1 and not needs:
                self.undo.push(commands[0])
            else:
                with self.undo.group(text or commands[0].text):
                    for item in commands:
                        self.undo.push(item)
                    if needs:
                        self._record_deviations(needs, answer)
        except (EditError, KeyError) as exc:
            self.failed.emit(str(exc).strip("'\""))
            return False
        return True

    def _record_deviations(self, needs: list[tuple[str, str]], reason: str) -> None:
        """Proposed deviations for the fields just changed, with the mother's and the child's values now; the
        logged-in user asks for them (AddDeviation stamps who and when)."""
        document = self.session.document
        for equipment_id, field_name in needs:
            mother_text, child_text = deviation_values(document, equipment_id, field_name)
            deviation = Deviation(next_deviation_id(document), equipment_id, field_name, mother_text, child_text,
                                  reason)  # fmt: skip
            self.undo.push(AddDeviation(deviation))

    def _selection(self, at_least: int = 1) -> list[str] | None:
        ids = list(self.state.selection)
        if self.session.document is None or len(ids) < at_least:
            what = "equipment" if at_least == 1 else f"at least {at_least} equipment"
            self.failed.emit(f"select {what} first")
            return None
        return ids

    # ------------------------------------------------------------ moving and turning

    def nudge(self, steps_x: int, steps_y: int, big: bool = False) -> None:
        """Arrow keys: one grid step (Shift: ten) along the world axes."""
        ids = self._selection()
        if ids is None:
            return
        step = (self.grid_step or NUDGE_WHEN_OFF) * (BIG_NUDGE if big else 1)
        command = move_by(self.session.document, ids, steps_x * step, steps_y * step)
        command.text = "Nudge"
        self.push(command)

    def rotate(self, direction: int) -> None:
        """R / Shift+R: turn by the angle step; one equipment lands on the step grid (a 10° one goes to 15°)."""
        ids = self._selection()
        if ids is None:
            return
        document = self.session.document
        if len(ids) == 1:
            yaw = locate(document, ids)[0].equipment.pose.yaw
            degrees = rotation_step(yaw, self.angle_step, direction) - yaw
        else:
            degrees = direction * (self.angle_step or 1.0)
        self.push(rotate_by(document, ids, degrees))

    def begin_drag(self, start: tuple[float, float]) -> bool:
        ids = self._selection()
        site, library = self.site(), self.session.library
        if ids is None or site is None or library is None or self.undo is None:
            return False
        tolerance = EDGE_TOLERANCE if self.edge_snap else 0.0
        self.drag = DragSession.begin(self.session.document, library, site, ids, start, self.grid_step, tolerance)
        # Every mouse move pushes the whole move so far; in one group they merge into one undo step.
        self._drag_group = ExitStack()
        self._drag_group.enter_context(self.undo.group("Move"))
        return True

    def drag_to(self, cursor: tuple[float, float]) -> list[Segment]:
        """Move the dragged equipment for the cursor at `cursor`; returns the snap guide lines to draw."""
        if self.drag is None or self.undo is None:
            return []
        command = self.drag.step(cursor)
        if [(p.x, p.y) for p in command.poses] != [
            (p.equipment.pose.x, p.equipment.pose.y) for p in locate(self.session.document, command.ids)
        ]:
            self.undo.push(command)
            dx, dy = self.drag.offset
            self.status.emit(f"Moving {len(command.ids)} equipment by x {dx:+.2f} m, y {dy:+.2f} m")
        return self.drag.guides

    def end_drag(self) -> None:
        ids = self.drag.ids if self.drag is not None else ()
        self.drag = None
        if self._drag_group is not None:
            group, self._drag_group = self._drag_group, None
            group.close()
            self._ask_after_drag(ids)

    def _ask_after_drag(self, ids: Sequence[str]) -> None:
        """A drag of child equipment is change control too: asked once, when the mouse is let go."""
        document = self.session.document
        if not ids or document is None or self.undo is None or self.undo.undo_text() != "Move":
            return
        needs = fields_needing_deviation(document, SetPoses(tuple(ids), []))
        if not needs:
            return
        answer = self.ask_deviation(needs)
        if answer is None:
            self.undo.undo()  # declined: the equipment go back where they were
            self.failed.emit("move cancelled: a child line's equipment moves only with a deviation")
            return
        try:
            with self.undo.group("Record deviation"):
                self._record_deviations(needs, answer)
        except EditError as exc:  # nobody to record as the requester: the move does not stay unrecorded
            self.undo.undo()
            self.failed.emit(str(exc))

    def cancel_drag(self) -> None:
        """Escape during a drag, or a new document: put the equipment back where the drag started."""
        if self.drag is not None and self.undo is not None and self._drag_group is not None:
            command = SetPoses(self.drag.ids, [replace(p) for p in self.drag.origin], group_key=self.drag.key)
            self.undo.push(command)
        self.end_drag()

    # ------------------------------------------------------------ arranging

    def delete(self) -> None:
        ids = self._selection()
        if ids is not None:
            self.push(DeleteEquipment(tuple(ids), text=f"Delete {len(ids)} equipment" if len(ids) > 1 else "Delete"))

    def duplicate(self) -> None:
        ids = self._selection()
        if ids is None:
            return
        offset = max(self.grid_step, 1.0)
        self._add_and_select(duplicate(self.session.document, ids, dx=offset, dy=offset), "Duplicate")

    def array_copy(self, count: int, dx: float, dy: float) -> None:
        ids = self._selection()
        if ids is None:
            return
        try:
            commands = array_copy(self.session.document, ids, count, dx, dy)
        except EditError as exc:
            self.failed.emit(str(exc))
            return
        self._add_and_select(commands, f"Array copy × {count}")

    def _add_and_select(self, commands: list, text: str) -> None:
        for command in commands:
            command.text = text  # one per cell; the history shows one step either way
        if self.push(commands, text):
            self.state.select([e.id for c in commands for e in c.items])

    def align(self, edge: str) -> None:
        ids = self._selection(2)
        if ids is not None:
            try:
                self.push(align(self.session.document, self.session.library, ids, edge))
            except EditError as exc:
                self.failed.emit(str(exc))

    def distribute(self, axis: str) -> None:
        ids = self._selection(3)
        if ids is not None:
            try:
                self.push(distribute(self.session.document, self.session.library, ids, axis))
            except EditError as exc:
                self.failed.emit(str(exc))

    def move_to_cell(self, cell_id: str) -> None:
        ids = self._selection()
        if ids is not None:
            self.push(MoveToCell(tuple(ids), cell_id))

    def cells_of_site(self) -> list[tuple[str, str]]:
        """(cell id, "Line › Cell") of the shown site, for the Move to Cell dialog."""
        site = self.site()
        if site is None:
            return []
        return [
            (cell.id, f"{area.name} › {line.name} › {cell.name}")
            for area in site.areas
            for line in area.lines
            for cell in line.cells
        ]

    # ------------------------------------------------------------ adding

    def add_at(self, type_name: str, x: float, y: float) -> str | None:
        """A new equipment of a library type standing at world (x, y), in the cell there; returns its id."""
        site, library = self.site(), self.session.library
        if site is None or library is None:
            self.failed.emit("open a plant first")
            return None
        try:
            command = place_new(self.session.document, library, site, type_name, x, y)
        except EditError as exc:
            self.failed.emit(str(exc))
            return None
        if not self.push(command):
            return None
        new_id = command.items[0].id
        self.state.select([new_id])
        self.status.emit(f"Added {command.items[0].name} ({new_id}) at x {x:.2f}, y {y:.2f} m")
        return new_id

    def import_mesh(self, source: Path, ask_units: Callable[[str], float | None]) -> str | None:
        """Import a mesh file as a new type of this document; `ask_units` is asked when the file has none."""
        document = self.session.document
        if document is None or self.undo is None:
            return None
        if self.session.path is None:
            self.failed.emit("save the plant document first: imported meshes are stored next to it")
            return None
        taken = set(self.session.library.types) if self.session.library else set()
        units: float | None = None
        while True:
            try:
                new_type = import_mesh_type(Path(source), self.session.path.parent, taken, units=units)
                break
            except UnitsRequiredError as exc:
                units = ask_units(str(exc))
                if units is None:
                    return None
            except (MeshLoadError, ValueError, OSError) as exc:
                self.failed.emit(f"{source}: not imported: {exc}")
                return None
        if not self.push(AddEquipmentType(new_type, text=f"Import type {new_type.name}")):
            return None
        fp = new_type.footprint
        self.status.emit(f"Imported type {new_type.name} ({fp.width:g} × {fp.depth:g} × {fp.height:g} m)")
        return new_type.name

    # ------------------------------------------------------------ typed values (inspector)

    def set_value(self, key: str, text: str) -> bool:
        """A value typed in the inspector for the one selected equipment ("x", "yaw", "name", "parameter:NAME")."""
        ids = self._selection()
        if ids is None or len(ids) != 1:
            return False
        document = self.session.document
        equipment = locate(document, ids)[0].equipment
        try:
            if key == "name":
                name = text.strip()
                if not name:
                    raise EditError("a name cannot be empty")
                if name == equipment.name:
                    return False
                return self.push(RenameEquipment(equipment.id, name, text=f"Rename to {name}"))
            if key in POSE_FIELDS:
                value = float(parse_value(text, 0.0))
                if value == getattr(equipment.pose, key):
                    return False
                pose = replace(equipment.pose, **{key: value})
                return self.push(SetPoses((equipment.id,), [pose], text=f"Set {key} = {value:g}"))
            if key.startswith("parameter:"):
                name = key.split(":", 1)[1]
                parameter = next(p for p in equipment.parameters if p.name == name)
                value = parse_value(text, parameter.value)
                if value == parameter.value:
                    return False
                return self.push(SetParameter((equipment.id,), name, value, text=f"Set {name} = {value}"))
        except (EditError, StopIteration) as exc:
            self.failed.emit(f"{equipment.name}: {exc or 'no such value'}")
            return False
        self.failed.emit(f"cannot edit {key!r}")
        return False

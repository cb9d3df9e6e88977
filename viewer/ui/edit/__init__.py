"""Editing the layout in the window: the edit controller and its undo stack, drags and gestures on the 3D view,
live layout checks, measuring, the History and Checks docks, the Edit and Arrange menus."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.edit.editing_ui import EditingUi
from viewer.ui.edit.gestures import gestures as edit_gestures

__all__ = ["EditingUi", "edit_gestures"]

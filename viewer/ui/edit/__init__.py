"""Editing the layout in the window: the edit controller and its undo stack, drags and gestures on the 3D view,
live layout checks, measuring, the History and Checks docks, the Edit and Arrange menus."""

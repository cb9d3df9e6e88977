"""The desktop window: PySide6 widgets and docks, one subpackage per feature. Logic lives in viewer.scene and
in the controller modules (no widgets) beside the docks that show it.

At the top: start-up (`app`), the main window (`main_window`: lays out and connects), its own File and View
menus and main toolbar (`menus`), the 3D view widget and its mouse gestures (`view_widget`, `viewport_input`)
and the controller that keeps the 3D view in step with the view state (`scene_controller`).

Features, each installed into the main window by one call: `document` (the open file: session, opening in the
background, autosave and recovery, New/Close, image export, messages), `explore` (plant tree, inspector,
viewpoints, library, site chooser), `edit` (editing the layout, live checks, measuring, history), `sensors`
(live and replayed sensor state, timeline), `compare` (the Mother line menu: clone wizard, compare window),
`plugins` (the Plugins dialog) and `help` (the Help menu). A new feature gets a package of its own here.
"""

"""The desktop window: PySide6 widgets and docks. Logic lives in viewer.scene and the small controller modules."""

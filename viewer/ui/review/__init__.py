"""The window's layout review: the Review dock, pins in the 3D view, markup, presentation mode."""

__all__: list[str] = []

"""The application without a window: what MotherTwin does, driven alike by the desktop window, the command line
and tests. No Qt, no VTK (import-linter and a test check it); the window and the command line are its peers."""

"""Other plant formats in and out of the window: File > Import (AutomationML, IFC, DXF through the importer
plugins, with the importer's choices, progress and Cancel) and File > Export Plant As (the exporter plugins)."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.formats.actions import FormatActions, install_format_actions
from viewer.ui.formats.import_dialog import ImportDialog

__all__ = ["FormatActions", "ImportDialog", "install_format_actions"]

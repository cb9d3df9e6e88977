"""The open plant file: the document session, opening in the background, autosave and recovery, File > New and
Close, image export, and the messages panel where loading reports its problems."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.document.export_dialog import ExportImageDialog, ExportRequest
from viewer.ui.document.file_actions import install_file_actions
from viewer.ui.document.loading import background_work
from viewer.ui.document.messages_dock import MessagesDock
from viewer.ui.document.opening import PlantOpening
from viewer.ui.document.recovery import RecoveryController
from viewer.ui.document.recovery_bar import DiskChangedBar
from viewer.ui.document.session import DocumentSession

__all__ = [
    "DiskChangedBar",
    "DocumentSession",
    "ExportImageDialog",
    "ExportRequest",
    "MessagesDock",
    "PlantOpening",
    "RecoveryController",
    "background_work",
    "install_file_actions",
]

"""The window's layout review: the Review menu and dock, pins in the 3D view, topics raised from the selection
or a measurement, and a topic's viewpoint restored when it is chosen."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.review.markup_editor import MarkupEditor, edit_markup
from viewer.ui.review.presentation import PresentationMode, presentation_keys
from viewer.ui.review.presentation_menu import PresentationUi, install_presentation
from viewer.ui.review.review_files import ReviewFiles, install_review_files
from viewer.ui.review.review_ui import AUTHOR_KEY, ReviewUi, install_review_ui
from viewer.ui.review.slides import Slide, slides_from_document
from viewer.ui.review.viewpoints import default_author, restore_extras, view_extras

__all__ = [
    "AUTHOR_KEY",
    "MarkupEditor",
    "PresentationMode",
    "PresentationUi",
    "ReviewFiles",
    "ReviewUi",
    "Slide",
    "default_author",
    "edit_markup",
    "install_presentation",
    "install_review_files",
    "install_review_ui",
    "presentation_keys",
    "restore_extras",
    "slides_from_document",
    "view_extras",
]

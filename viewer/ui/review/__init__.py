"""The window's layout review: the Review dock, pins in the 3D view, markup, presentation mode."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.review.markup_editor import MarkupEditor, edit_markup
from viewer.ui.review.presentation import PresentationMode, presentation_keys
from viewer.ui.review.presentation_menu import PresentationUi, install_presentation
from viewer.ui.review.slides import Slide, slides_from_document

__all__ = [
    "MarkupEditor",
    "PresentationMode",
    "PresentationUi",
    "Slide",
    "edit_markup",
    "install_presentation",
    "presentation_keys",
    "slides_from_document",
]

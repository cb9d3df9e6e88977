"""The window's layout review: the Review menu and dock, pins in the 3D view, topics raised from the selection
or a measurement, and a topic's viewpoint restored when it is chosen."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.review.review_ui import AUTHOR_KEY, ReviewUi, install_review_ui
from viewer.ui.review.viewpoints import default_author

__all__ = ["AUTHOR_KEY", "ReviewUi", "default_author", "install_review_ui"]

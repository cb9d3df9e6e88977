"""The Help menu: the user guide, the keyboard shortcuts and About."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.help.menu import install_help_menu

__all__ = ["install_help_menu"]

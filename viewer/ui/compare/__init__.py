"""The Mother line menu: cloning a line to a child site (the clone wizard) and comparing a child with its
mother (the compare window, its differences, deviations and process outputs)."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.compare.mother_line_menu import install_mother_line_menu

__all__ = ["install_mother_line_menu"]

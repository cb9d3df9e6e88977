"""Plugins as the window sees them: discovery, status and the user's on/off choice, and the Plugins dialog."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.plugins.controller import PluginError, PluginsController
from viewer.ui.plugins.dialog import PluginsDialog

__all__ = ["PluginError", "PluginsController", "PluginsDialog"]

"""Plugins as the window sees them: discovery, status and the user's on/off choice, and the Plugins dialog."""

"""Remote troubleshooting sessions in the window: the Session menu and dock, following the leader's view,
control, the pointers, review topics for all and the same plant on both sides."""

# What the other parts of the window may use of this one (tests/test_architecture.py checks it).
from viewer.ui.session.dialogs import TypedCredentials, default_login
from viewer.ui.session.session_ui import SessionUi, install_session_ui

__all__ = ["SessionUi", "TypedCredentials", "default_login", "install_session_ui"]

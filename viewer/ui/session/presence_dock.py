"""The Session dock: who is in the session (name, site, login, who leads, who follows, last seen), the
connection's state, and Grant Control for the leader on a selected participant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.session import RosterEntry

COLUMNS = ("Name", "Site", "Login", "Role", "Last seen")
# What the connection's state looks like, in the dock and the status bar.
STATE_TEXT = {
    "connecting": ("connecting…", "#555555"),
    "connected": ("connected", "#1b7f2a"),
    "reconnecting": ("reconnecting…", "#b07800"),
    "refused": ("refused", "#c00000"),
    "disconnected": ("not in a session", "#555555"),
}


def state_html(state: str) -> str:
    text, color = STATE_TEXT.get(state, (state, "#555555"))
    return f"<span style='color:{color}; font-weight:bold'>{text}</span>"


def seen_text(stamp: str) -> str:
    """The time of day of a UTC ISO stamp, in this computer's zone ("" when it is not a time)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return ""


class PresenceDock(QDockWidget):
    grant_requested = Signal(str)  # username

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Session", parent)
        self.setObjectName("session-dock")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.state_label = QLabel()
        self.session_label = QLabel()
        self.session_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.session_label.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 130)
        self.tree.setColumnWidth(1, 120)
        self.grant_button = QPushButton("Grant Control")
        self.grant_button.setToolTip("Make the selected participant the leader: everyone follows their view")
        self.grant_button.clicked.connect(self._grant)
        self.tree.itemSelectionChanged.connect(self._update_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.grant_button)
        layout.addWidget(self.state_label)
        layout.addWidget(self.session_label)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.me = ""
        self.leading = False
        self.set_state("disconnected")
        self.set_roster([], "", False)

    def set_state(self, state: str) -> None:
        self.state = state
        self.state_label.setText(f"Connection: {state_html(state)}")

    def set_session(self, url: str) -> None:
        self.session_label.setText(f"Join URL: <code>{url}</code>" if url else "")

    def set_roster(self, roster: Sequence[RosterEntry], me: str, leading: bool) -> None:
        """The rows, the leader first and in bold; `me` is this window's login, `leading` whether it leads."""
        selected = self.selected_username()
        self.me, self.leading = me, leading
        self.tree.clear()
        for entry in sorted(roster, key=lambda e: (not e.leader, e.name.lower())):
            role = "leads" if entry.leader else "following" if entry.following else "looking around"
            name = f"{entry.name} (you)" if entry.username == me else entry.name
            item = QTreeWidgetItem([name, entry.site, entry.username, role, seen_text(entry.last_seen)])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.username)
            if entry.leader:
                font = QFont(item.font(0))
                font.setBold(True)
                for column in range(len(COLUMNS)):
                    item.setFont(column, font)
                item.setToolTip(0, f"{entry.name} leads: everyone following sees their view")
            self.tree.addTopLevelItem(item)
            if entry.username == selected:
                item.setSelected(True)
        self._update_button()

    def rows(self) -> list[list[str]]:
        """The rows as shown (tests read them)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            out.append([item.text(c) for c in range(len(COLUMNS))])
        return out

    def bold_rows(self) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.text(2) for item in items if item.font(0).bold()]

    def select_username(self, username: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            item.setSelected(item.data(0, Qt.ItemDataRole.UserRole) == username)

    def selected_username(self) -> str:
        items = self.tree.selectedItems()
        return str(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else ""

    def _update_button(self) -> None:
        chosen = self.selected_username()
        self.grant_button.setEnabled(self.leading and bool(chosen) and chosen != self.me)

    def _grant(self) -> None:
        chosen = self.selected_username()
        if chosen:
            self.grant_requested.emit(chosen)

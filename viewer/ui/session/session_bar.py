"""The bar above the 3D view for what a session asks of you: a control request (Grant / Decline), a plant that
differs from the presenter's (Get the presenter's plant), the presenter's plant received (Open It / Keep Mine)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class SessionBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session-bar")
        self.setStyleSheet("#session-bar { background: #dfeefc; border-bottom: 1px solid #7aa7d6; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.buttons: list[QPushButton] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self._layout.addWidget(self.label, 1)
        self.kind = ""  # what the bar shows now: "control", "differs", "received" ("" when hidden)
        self.hide()

    def ask(self, kind: str, text: str, choices: list[tuple[str, Callable[[], object]]]) -> None:
        """Show `text` with a button per (label, what it does); any button also closes the bar."""
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for label, action in choices:
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, act=action: self._chosen(act))
            self._layout.addWidget(button)
            self.buttons.append(button)
        self.kind = kind
        self.label.setText(text)
        self.show()

    def button(self, label: str) -> QPushButton:
        return next(b for b in self.buttons if b.text() == label)

    def close_bar(self, kind: str | None = None) -> None:
        """Hide the bar (only when it shows `kind`, given one)."""
        if kind is None or kind == self.kind:
            self.kind = ""
            self.hide()

    def _chosen(self, action: Callable[[], object]) -> None:
        self.close_bar()
        action()

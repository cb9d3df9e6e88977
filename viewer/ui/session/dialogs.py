"""Start Session… and Join Session…: the broker, the login, who you are; and the join URL to hand out.

Remembered in the settings: everything but the password. A password typed here is kept in memory only, for
this window's session, and never written anywhere; one from an environment variable is read when connecting.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.session import SessionCredentials

KEYS = ("broker", "login", "password_env", "ca", "name", "site")


@dataclass(frozen=True)
class TypedCredentials(SessionCredentials):
    """A login whose password was typed in the window: kept on this object only (not in its repr)."""

    typed_password: str = field(default="", repr=False, compare=False)

    def password(self) -> str | None:
        return self.typed_password or SessionCredentials.password(self)


def default_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


@dataclass(frozen=True, slots=True)
class SessionChoice:
    """What the dialog was given: the broker (or join URL), the login and who you are."""

    url: str
    credentials: SessionCredentials
    name: str
    site: str


class SessionDialog(QDialog):
    """Start (`joining` False: a broker URL) or join (a join URL) a session."""

    def __init__(self, settings: QSettings, joining: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.joining = joining
        self.setWindowTitle("Join Session" if joining else "Start Session")
        self.url = QLineEdit()
        self.url.setPlaceholderText("mqtts://broker:8883/SESSION_ID" if joining else "mqtts://broker.example:8883")
        self.login = QLineEdit()
        self.password_env = QLineEdit()
        self.password_env.setPlaceholderText("e.g. MOTHERTWIN_SESSION_PASSWORD")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("or type it: kept in memory only, never saved")
        self.ca = QLineEdit()
        self.ca.setPlaceholderText("CA certificate (PEM) for mqtts://; empty: the system's")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca, 1)
        ca_row.addWidget(browse)
        self.name = QLineEdit()
        self.site = QLineEdit()
        form = QFormLayout()
        form.addRow("Join URL:" if joining else "Broker URL:", self.url)
        form.addRow("Login:", self.login)
        form.addRow("Password variable:", self.password_env)
        form.addRow("Password:", self.password)
        form.addRow("TLS CA file:", ca_row)
        form.addRow("Your name:", self.name)
        form.addRow("Your site:", self.site)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Join" if joining else "Start")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._restore()

    def _restore(self) -> None:
        values = {key: str(self.settings.value(f"session/{key}", "") or "") for key in KEYS}
        if not self.joining:
            self.url.setText(values["broker"])
        self.login.setText(values["login"] or default_login())
        self.password_env.setText(values["password_env"])
        self.ca.setText(values["ca"])
        self.name.setText(values["name"] or self.login.text())
        self.site.setText(values["site"])

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "TLS CA certificate", self.ca.text(), "PEM (*.pem *.crt);;All (*)")
        if path:
            self.ca.setText(path)

    def choice(self) -> SessionChoice:
        """What was entered; remembered in the settings, the password aside."""
        values = {
            "login": self.login.text().strip(),
            "password_env": self.password_env.text().strip(),
            "ca": self.ca.text().strip(),
            "name": self.name.text().strip(),
            "site": self.site.text().strip(),
        }
        if not self.joining:
            values["broker"] = self.url.text().strip()
        for key, value in values.items():
            self.settings.setValue(f"session/{key}", value)
        credentials = TypedCredentials(
            values["login"], values["password_env"], tls_ca=values["ca"] or None, typed_password=self.password.text()
        )
        return SessionChoice(self.url.text().strip(), credentials, values["name"], values["site"])


class JoinUrlDialog(QDialog):
    """The join URL of a session just started, to copy and hand to the others."""

    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session started")
        self.field = QLineEdit(url)
        self.field.setReadOnly(True)
        self.field.setMinimumWidth(460)
        copy = QPushButton("Copy")
        copy.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Hand this URL to the others (Session > Join Session…, or open --join URL):"))
        layout.addLayout(row)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.field.text())

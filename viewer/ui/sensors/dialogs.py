"""Dialogs of the Sensors menu: connect a source, choose the state colours. They only lay out and return
settings; the sensor controller does the work."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from viewer.sensors import ReadOptions, SettingsError, SourceSettings, parse_mqtt_url
from viewer.sensors.rules import PALETTE_PRESETS, RGB, palette_of, preset_of

RECORDING_FILTER = "Recordings (*.parquet *.pq *.csv);;All files (*)"
RECORDING_FIELDS = (
    ("time_column", "Time column:", "found by name (time, timestamp, datetime ...) or type"),
    ("rate", "Rows per second:", "no time column: the rows' rate in Hz, e.g. 10"),
    ("start", "First row at:", "with a rate: e.g. 2025-03-03T06:00:00"),
    ("timezone", "Time zone:", "of times without an offset: UTC; 'site' or e.g. Asia/Seoul"),
    ("decimal", "Decimal separator:", "found from the values; ',' or '.'"),
)
RECORDING_OPTION_KEYS = tuple(key for key, _, _ in RECORDING_FIELDS)
CERTIFICATE_FILTER = "Certificates (*.der *.pem *.crt);;All files (*)"
KEY_FILTER = "Private keys (*.pem *.der *.key);;All files (*)"
OPCUA_POLICIES = ("None", "Basic256Sha256", "Aes128Sha256RsaOaep", "Aes256Sha256RsaPss")
OPCUA_MODES = (("Sign & encrypt", "SignAndEncrypt"), ("Sign", "Sign"))
OPCUA_FILES = (
    ("certificate", "client certificate"),
    ("private_key", "private key"),
    ("server_certificate", "server certificate"),
)


def source_settings(kind: str, fields: dict[str, object]) -> SourceSettings:
    """Settings from what the dialog holds; SettingsError says what is wrong. Never holds a password."""
    text = {k: str(v).strip() for k, v in fields.items() if isinstance(v, str)}
    if kind == "mqtt":
        url = text.get("url", "")
        parse_mqtt_url(url)  # raises SettingsError with the expected form
        sparkplug = bool(fields.get("sparkplug"))
        topics = [t.strip() for t in text.get("topics", "").split(",") if t.strip()]
        options: dict[str, object] = {"topics": topics or (["spBv1.0/#"] if sparkplug else ["#"])}
        if sparkplug:
            options["sparkplug"] = True
        if text.get("tls_ca"):
            if not url.startswith("mqtts://"):
                raise SettingsError(f"a CA certificate is for TLS: use an mqtts:// URL, not {url!r}")
            if not Path(text["tls_ca"]).is_file():
                raise SettingsError(f"CA certificate {text['tls_ca']}: no such file")
            options["tls_ca"] = text["tls_ca"]
        return SourceSettings(
            "mqtt", "mqtt", url, text.get("username", ""), password_env=text.get("password_env", ""), options=options
        )
    if kind == "opcua":
        url = text.get("url", "")
        if not url.startswith("opc.tcp://"):
            raise SettingsError(f"OPC UA endpoint {url!r}: expected opc.tcp://HOST:PORT/PATH")
        options = {"root": text.get("root") or "Objects"}
        policy = text.get("security_policy") or "None"
        if policy != "None":
            # The plugin checks these again; here so the dialog can say what is missing before connecting.
            options |= {"security_policy": policy, "security_mode": text.get("security_mode") or "SignAndEncrypt"}
            for key, what in OPCUA_FILES:
                path = text.get(key, "")
                if not path and key != "server_certificate":
                    raise SettingsError(f"OPC UA security {policy} needs a {what}")
                if path and not Path(path).is_file():
                    raise SettingsError(f"{what} {path}: no such file")
                if path:
                    options[key] = path
        return SourceSettings(
            "opcua",
            "opcua",
            url,
            text.get("username", ""),
            password_env=text.get("password_env", ""),
            options=options,
        )
    if kind == "recording":
        path = Path(text.get("path", ""))
        if not path.is_file():
            raise SettingsError(f"recording {path}: no such file")
        # How its times are read (all optional): the same settings as `--time-column`, `--rate` ... take.
        read = ReadOptions.from_options({key: text.get(key) for key in RECORDING_OPTION_KEYS})
        return SourceSettings("recording", path.stem, str(path), options=read.to_options())
    if kind == "simulator":
        return SourceSettings("simulator", "simulator", options={"rate": float(fields.get("rate", 1.0))})  # type: ignore[arg-type]
    return SourceSettings(kind, kind, text.get("url", ""))


class ConnectSourceDialog(QDialog):
    """MQTT (optionally Sparkplug B), OPC UA, a recording file or the simulator."""

    def __init__(self, kinds: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect Source")
        self.kind = QComboBox()
        for name, title in kinds:
            self.kind.addItem(title, name)
        self.pages = QStackedWidget()
        self.fields: dict[str, dict[str, QWidget]] = {}
        for name, _ in kinds:
            self.pages.addWidget(self._page(name))
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Source:", self.kind)
        layout.addLayout(form)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 0)
        self.result_settings: SourceSettings | None = None

    def _page(self, kind: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        fields: dict[str, QWidget] = {}
        if kind in ("mqtt", "opcua"):
            url = QLineEdit("mqtt://127.0.0.1:1883" if kind == "mqtt" else "opc.tcp://127.0.0.1:4840/")
            fields["url"] = url
            form.addRow("Broker URL:" if kind == "mqtt" else "Endpoint:", url)
            if kind == "mqtt":
                fields["sparkplug"] = QCheckBox("Sparkplug B (spBv1.0/# topics)")
                form.addRow("", fields["sparkplug"])
                fields["topics"] = QLineEdit()
                fields["topics"].setPlaceholderText("# (all topics); comma-separated filters")
                form.addRow("Topics:", fields["topics"])
                fields["tls_ca"] = QLineEdit()
                fields["tls_ca"].setPlaceholderText("mqtts:// only; empty: the system's CA certificates")
                form.addRow(
                    "CA certificate:", self._file_row(fields["tls_ca"], "Open CA certificate", CERTIFICATE_FILTER)
                )
            else:
                fields["root"] = QLineEdit("Objects")
                form.addRow("Browse path:", fields["root"])
                self._security_rows(form, fields)
            fields["username"] = QLineEdit()
            form.addRow("User name:", fields["username"])
            fields["password_env"] = QLineEdit()
            fields["password_env"].setPlaceholderText("e.g. MQTT_PASSWORD" if kind == "mqtt" else "e.g. OPCUA_PASSWORD")
            fields["password_env"].setToolTip(
                "Name of the environment variable that holds the password. The password itself is never stored."
            )
            form.addRow("Password variable:", fields["password_env"])
        elif kind == "recording":
            path = QLineEdit()
            path.setPlaceholderText("a .csv or .parquet file: time, tag, value (or one column per tag)")
            fields["path"] = path
            form.addRow("File:", self._file_row(path, "Open recording", RECORDING_FILTER))
            for key, label, hint in RECORDING_FIELDS:
                edit = QLineEdit()
                edit.setPlaceholderText(hint)
                fields[key] = edit
                form.addRow(label, edit)
        elif kind == "simulator":
            rate = QDoubleSpinBox()
            rate.setRange(0.1, 20.0)
            rate.setValue(1.0)
            rate.setSuffix(" Hz")
            fields["rate"] = rate
            form.addRow("Update rate:", rate)
            form.addRow("", QLabel("Believable values for every signal of the site shown."))
        else:
            fields["url"] = QLineEdit()
            form.addRow("Address:", fields["url"])
        self.fields[kind] = fields
        return page

    def _security_rows(self, form: QFormLayout, fields: dict[str, QWidget]) -> None:
        """OPC UA security: policy, mode and the certificate files (paths only; the key stays where it is)."""
        policy = QComboBox()
        for name in OPCUA_POLICIES:
            policy.addItem(name, name)
        mode = QComboBox()
        for title, name in OPCUA_MODES:
            mode.addItem(title, name)
        fields["security_policy"] = policy
        fields["security_mode"] = mode
        form.addRow("Security policy:", policy)
        form.addRow("Security mode:", mode)
        for key, what in OPCUA_FILES:
            edit = QLineEdit()
            fields[key] = edit
            file_filter = KEY_FILTER if key == "private_key" else CERTIFICATE_FILTER
            form.addRow(f"{what[0].upper()}{what[1:]}:", self._file_row(edit, f"Open {what}", file_filter))
            if key == "server_certificate":
                edit.setPlaceholderText("trusted copy of the server's certificate (optional)")
                edit.setToolTip(
                    "Without it the certificate the server sends is accepted: the link is encrypted but the server "
                    "is not checked against a trusted copy."
                )

    def _file_row(self, target: QLineEdit, title: str, file_filter: str) -> QHBoxLayout:
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._browse(target, title, file_filter))
        row = QHBoxLayout()
        row.addWidget(target, 1)
        row.addWidget(browse)
        return row

    def _browse(self, target: QLineEdit, title: str, file_filter: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, title, target.text(), file_filter)
        if path:
            target.setText(path)

    def set_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, widget in self.fields[self.kind.currentData()].items():
            if isinstance(widget, QLineEdit):
                out[key] = widget.text()
            elif isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
            elif isinstance(widget, QDoubleSpinBox):
                out[key] = widget.value()
            elif isinstance(widget, QComboBox):
                out[key] = widget.currentData()
        return out

    def _accept(self) -> None:
        try:
            self.result_settings = source_settings(self.kind.currentData(), self.values())
        except (SettingsError, ValueError) as exc:
            self.error.setText(str(exc))
            return
        self.accept()


COLOR_LABELS = {
    "warning": "Warning (beyond LO / HI):",
    "alarm": "Alarm (beyond LOLO / HIHI):",
}
OWN_COLOURS = "Your own colours"


class StateColorsDialog(QDialog):
    """A preset (the default, or colour-blind safe) and one colour button per machine state, the warning
    and the alarm; the controller keeps the choice in QSettings."""

    def __init__(self, colors: dict[str, RGB], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("State Colours")
        self.colors = palette_of(colors)
        form = QFormLayout(self)
        self.preset = QComboBox()
        self.preset.addItems([*PALETTE_PRESETS, OWN_COLOURS])
        self.preset.setToolTip(
            "Colour-blind safe (Okabe-Ito): colours that stay apart for every kind of colour blindness"
        )
        self.preset.activated.connect(lambda index: self.choose_preset(self.preset.itemText(index)))
        form.addRow("Preset:", self.preset)
        self.buttons: dict[str, QPushButton] = {}
        for state in self.colors:
            button = QPushButton()
            button.setMinimumWidth(120)
            button.clicked.connect(lambda _=False, s=state: self._choose(s))
            self.buttons[state] = button
            form.addRow(COLOR_LABELS.get(state, f"{state.title()}:"), button)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
        self._paint()

    def choose_preset(self, name: str) -> None:
        """Every colour from a preset (OWN_COLOURS changes nothing)."""
        if name in PALETTE_PRESETS:
            self.colors = palette_of(PALETTE_PRESETS[name])
            self._paint()

    def _paint(self) -> None:
        for state, button in self.buttons.items():
            r, g, b = self.colors[state]
            button.setText(f"#{r:02x}{g:02x}{b:02x}")
            light = 0.299 * r + 0.587 * g + 0.114 * b > 140
            button.setStyleSheet(f"background-color: rgb({r},{g},{b}); color: {'black' if light else 'white'}")
        self.preset.setCurrentText(preset_of(self.colors) or OWN_COLOURS)

    def _choose(self, state: str) -> None:
        color = QColorDialog.getColor(QColor(*self.colors[state]), self, f"{state.title()} colour")
        if color.isValid():
            self.colors[state] = (color.red(), color.green(), color.blue())
            self._paint()


class RecordingTimeDialog(QDialog):
    """A recording with no time column found: which column holds the time, or the rows' rate and start
    (a machine export at a fixed rate), and the time zone of times written without an offset."""

    def __init__(
        self, path: str, columns: list[str], options: dict[str, object] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recording Times")
        options = options or {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{Path(path).name}: no column is named like a time or holds timestamps. Say which column holds "
            "the time, or give the rows a fixed rate from a start."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.by_column = QCheckBox("A column holds the time:")
        self.column = QComboBox()
        self.column.addItems(columns)
        form.addRow(self.by_column, self.column)
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.001, 100_000.0)
        self.rate.setDecimals(3)
        self.rate.setValue(float(options.get("rate") or 1.0))  # type: ignore[arg-type]
        self.rate.setSuffix(" Hz")
        form.addRow("Rows at a fixed rate:", self.rate)
        self.start = QLineEdit(str(options.get("start") or ""))
        self.start.setPlaceholderText("time of the first row, e.g. 2025-03-03T06:00:00")
        form.addRow("First row at:", self.start)
        self.timezone = QLineEdit(str(options.get("timezone") or "site"))
        self.timezone.setToolTip("Zone of times without a UTC offset: an IANA name, 'site' for the site's, or UTC")
        form.addRow("Time zone:", self.timezone)
        self.by_column.toggled.connect(self._enable)
        self.by_column.setChecked(bool(options.get("time_column")))
        if options.get("time_column") in columns:
            self.column.setCurrentText(str(options["time_column"]))
        self._enable(self.by_column.isChecked())
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Read")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 0)
        self.result_options: dict[str, object] | None = None

    def _enable(self, by_column: bool) -> None:
        self.column.setEnabled(by_column)
        self.rate.setEnabled(not by_column)
        self.start.setEnabled(not by_column)

    def _accept(self) -> None:
        zone = self.timezone.text().strip() or None
        try:
            if self.by_column.isChecked():
                options = ReadOptions(time_column=self.column.currentText(), timezone=zone)
            else:
                start = self.start.text().strip()
                if not start:
                    raise ValueError("give the time of the first row (e.g. 2025-03-03T06:00:00)")
                options = ReadOptions(rate=self.rate.value(), start=start, timezone=zone)
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.result_options = options.to_options()
        self.accept()

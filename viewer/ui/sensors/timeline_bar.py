"""The timeline toolbar at the bottom: live or replay, play/pause, speed, scrub bar with alarm marks, jump."""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolBar,
    QToolButton,
    QWidget,
)

from viewer.model.site_time import TimeDisplay, parse_site_time
from viewer.sensors.rules import ALARM_COLOR
from viewer.ui.sensors.timeline import SPEEDS

SLIDER_STEPS = 10_000
MARK_COLOR = QColor(*ALARM_COLOR)  # values beyond limits: the alarm's violet, not the fault's red


class MarkedSlider(QSlider):
    """A horizontal slider with red marks where values went beyond their limits: a strip under the groove
    where each mark is as tall as its share of the busiest slice, so clusters of alarms stand out."""

    MARKS_HEIGHT = 10  # pixels of the strip under the groove

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.marks: list[float] = []  # positions 0..1
        self.weights: list[float] = []  # 0..1 per mark: its count against the busiest slice's

    def set_marks(self, positions: list[float], counts: list[int] | None = None) -> None:
        self.marks = list(positions)
        counts = counts if counts is not None else [1] * len(self.marks)
        most = max(counts, default=1) or 1
        # Square root: one alarm in a quiet hour must still show beside thousands in a bad one.
        self.weights = [math.sqrt(max(0, c) / most) for c in counts]
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        return QSize(hint.width(), hint.height() + self.MARKS_HEIGHT)

    def initStyleOption(self, option: QStyleOptionSlider) -> None:  # noqa: N802
        # The groove and handle keep the top of the widget (painting and mouse hits alike); the strip of
        # marks has the bottom.
        super().initStyleOption(option)
        option.rect = QRect(0, 0, self.width(), max(1, self.height() - self.MARKS_HEIGHT))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self.marks:
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        left = groove.left() + handle.width() / 2
        span = max(1.0, groove.width() - handle.width())
        bottom = self.height() - 1
        room = self.MARKS_HEIGHT - 1
        painter = QPainter(self)
        painter.setPen(Qt.PenStyle.NoPen)
        for position, weight in zip(self.marks, self.weights, strict=True):
            x = round(left + position * span)
            height = max(2, round(room * weight))
            color = QColor(MARK_COLOR)
            color.setAlphaF(0.45 + 0.55 * weight)
            painter.setBrush(color)
            painter.drawRect(QRect(x - 1, bottom - height + 1, 3, height))
        painter.end()


class TimelineBar(QToolBar):
    mode_requested = Signal(str)
    play_requested = Signal(bool)
    speed_requested = Signal(float)
    seek_requested = Signal(float)
    color_by_requested = Signal(str)  # an analog signal's name, "" for the equipment states

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Timeline", parent)
        self.setObjectName("timeline-toolbar")
        self.setMovable(False)
        self.live = QToolButton()
        self.live.setText("● Live")
        self.live.setToolTip("Show the values the sources deliver now")
        self.replay = QToolButton()
        self.replay.setText("Replay")
        self.replay.setToolTip("Replay the connected recording")
        for button in (self.live, self.replay):
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.live)
        self.modes.addButton(self.replay)
        self.live.setChecked(True)
        self.live.clicked.connect(lambda: self.mode_requested.emit("live"))
        self.replay.clicked.connect(lambda: self.mode_requested.emit("replay"))
        self.play = QToolButton()
        self.play.setCheckable(True)
        self.play.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play.setToolTip("Play / pause the replay (Space)")
        self.play.toggled.connect(self.play_requested.emit)
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g}×", speed)
        self.speed.setToolTip("Replay speed: seconds of recording per second")
        self.speed.currentIndexChanged.connect(lambda i: self.speed_requested.emit(float(self.speed.itemData(i))))
        self.slider = MarkedSlider()
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setMinimumWidth(300)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setToolTip(
            "Scrub through the recording; red marks: values beyond their limits (taller: more of them)"
        )
        self.slider.valueChanged.connect(self._on_slider)
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(230)
        self.jump = QLineEdit()
        self.jump.setMaximumWidth(300)
        self.jump.returnPressed.connect(self._on_jump)
        self.color_by = QComboBox()
        self.color_by.setToolTip(
            "Colour the equipment by their state, or by one analog signal on a colour map over its LO..HI limits"
        )
        self.color_by.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.set_color_choices([])
        self.color_by.activated.connect(lambda i: self.color_by_requested.emit(self.color_by.itemData(i) or ""))
        for widget in (self.live, self.replay):
            self.addWidget(widget)
        self.addSeparator()
        self.addWidget(QLabel(" Colour by: "))
        self.addWidget(self.color_by)
        self.addSeparator()
        self.hint = QLabel("  Live: equipment colours follow the connected sources. Connect a recording to replay.")
        self.hint.setStyleSheet("color: #555")
        self.hint_action = self.addWidget(self.hint)
        self._replay_actions = [
            self.addWidget(w) for w in (self.play, self.speed, self.slider, self.time_label, self.jump)
        ]
        self.start = self.end = 0.0
        self.at: float | None = None  # the cursor shown, written again when the time zone changes
        self.display = TimeDisplay()
        self._setting = False
        self.set_time_display(self.display)
        self.set_mode("live", has_recording=False)

    # ------------------------------------------------------------ shown state

    def set_mode(self, mode: str, has_recording: bool) -> None:
        replay = mode == "replay"
        (self.replay if replay else self.live).setChecked(True)
        # Without a recording the replay controls mean nothing: hide them rather than show a dead scrub bar.
        for action in self._replay_actions:
            action.setVisible(has_recording)
        self.hint_action.setVisible(not has_recording)
        self.replay.setEnabled(has_recording)
        self.replay.setToolTip(
            "Replay the connected recording" if has_recording else "Connect a recording (Sensors > Connect Source…)"
        )
        for widget in (self.play, self.speed, self.slider, self.jump):
            widget.setEnabled(replay)
        if not replay:
            self.at = None
            self.time_label.setText("LIVE")
            self._setting = True
            self.play.setChecked(False)
            self._setting = False

    def set_color_choices(self, signals: list[str], current: str | None = None) -> None:
        """The signals to colour by (besides the states), `current` selected (None: the states)."""
        self.color_by.blockSignals(True)
        self.color_by.clear()
        self.color_by.addItem("State", "")
        for name in signals:
            self.color_by.addItem(name, name)
        index = self.color_by.findData(current or "")
        self.color_by.setCurrentIndex(max(0, index))
        self.color_by.blockSignals(False)

    def set_range(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.slider.setToolTip(
            f"Recording from {self.display.text(start)} to {self.display.text(end)}; red marks: values beyond "
            "their limits (taller: more of them)"
        )

    def set_marks(self, marks: list[tuple[float, int]]) -> None:
        span = max(self.end - self.start, 1e-9)
        self.slider.set_marks([min(1.0, max(0.0, (t - self.start) / span)) for t, _ in marks], [n for _, n in marks])

    def set_cursor(self, at: float) -> None:
        span = max(self.end - self.start, 1e-9)
        self._setting = True
        self.slider.setValue(round((at - self.start) / span * SLIDER_STEPS))
        self._setting = False
        self.at = at
        self.time_label.setText(self.display.text(at))

    def set_time_display(self, display: TimeDisplay) -> None:
        """Write times in this zone (the site's, or UTC) and read typed ones without an offset in it."""
        self.display = display
        self.jump.setPlaceholderText(f"Go to time ({display.label}): 2025-01-01T08:00")
        self.jump_tip = (
            f"A time in {display.label} such as 2025-01-01T08:00, one with its offset "
            "(2025-01-01T08:00:00Z, 2025-01-01T17:00+09:00) or epoch seconds; Enter jumps there"
        )
        if not self.jump.styleSheet():  # an error shown stays until the next jump
            self.jump.setToolTip(self.jump_tip)
        if self.end > self.start:
            self.set_range(self.start, self.end)
        if self.at is not None:
            self.time_label.setText(display.text(self.at))

    def set_playing(self, playing: bool) -> None:
        self.play.blockSignals(True)
        self.play.setChecked(playing)
        self.play.blockSignals(False)
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setIcon(self.style().standardIcon(icon))

    def show_error(self, text: str) -> None:
        self.jump.setStyleSheet("border: 1px solid #c00020" if text else "")
        self.jump.setToolTip(text or self.jump_tip)

    # ------------------------------------------------------------ user input

    def slider_time(self, value: int) -> float:
        return self.start + value / SLIDER_STEPS * (self.end - self.start)

    def _on_slider(self, value: int) -> None:
        if not self._setting:
            self.seek_requested.emit(self.slider_time(value))

    def _on_jump(self) -> None:
        try:
            at = parse_site_time(self.jump.text().strip(), self.display.input_zone)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self.seek_requested.emit(at)

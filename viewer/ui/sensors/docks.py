"""Sensor docks: sources and their status, bindings of tags to signals, and the trend of the selection.

Widgets only lay out and forward requests; the sensor controller holds the logic.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.DateAxisItem import DAY_SPACING, MINUTE_SPACING, TickSpec, ZoomLevel, makeSStepper
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.app.values import SignalValue, format_value, unit_text
from viewer.model.site_time import TimeDisplay
from viewer.sensors import BindingReport
from viewer.sensors.rules import ALARM_COLOR, WARNING_COLOR
from viewer.ui.sensors.sources import SourceRow
from viewer.ui.sensors.time_axis import SiteTimeAxis

STATUS_COLORS = {
    "connected": QColor(30, 140, 60),
    "connecting": QColor(160, 110, 0),
    "reconnecting": QColor(200, 90, 0),
    "down": QColor(200, 30, 30),
    "stopped": QColor(120, 120, 120),
}
MAX_LISTED = 2000  # tags per list: enough to scroll, cheap to fill


def _body(*widgets: QWidget, buttons: list[QWidget] | None = None) -> QWidget:
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(4, 4, 4, 4)
    for widget in widgets:
        layout.addWidget(widget)
    if buttons:
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        layout.addLayout(row)
    return body


class SourcesDock(QDockWidget):
    connect_requested = Signal()
    disconnect_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sources", parent)
        self.setObjectName("sources-dock")
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Source", "Address", "Status", "Messages", "Values", "Malformed", "Last error"])
        self.table.setRootIsDecorated(False)
        header = self.table.header()
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        add = QPushButton("Connect…")
        add.clicked.connect(self.connect_requested.emit)
        self.remove = QPushButton("Disconnect")
        self.remove.clicked.connect(self._disconnect)
        self.setWidget(_body(self.table, buttons=[add, self.remove]))
        self._rows: list[SourceRow] = []

    def set_rows(self, rows: list[SourceRow]) -> None:
        if rows == self._rows:
            return
        self._rows = rows
        current = self.table.currentItem().text(0) if self.table.currentItem() else None
        self.table.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    row.name,
                    row.address,
                    row.status + (f" ({row.reconnects} reconnects)" if row.reconnects else ""),
                    f"{row.messages:,}",
                    f"{row.values:,}",
                    f"{row.malformed:,}",
                    row.error,
                ]
            )
            item.setForeground(2, QBrush(STATUS_COLORS.get(row.status, QColor(0, 0, 0))))
            item.setToolTip(6, row.error)
            self.table.addTopLevelItem(item)
            if row.name == current:
                self.table.setCurrentItem(item)
        self.remove.setEnabled(bool(rows))

    def _disconnect(self) -> None:
        item = self.table.currentItem() or self.table.topLevelItem(0)
        if item is not None:
            self.disconnect_requested.emit(item.text(0))


class BindingsDock(QDockWidget):
    template_submitted = Signal(str)
    auto_bind_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Bindings", parent)
        self.setObjectName("bindings-dock")
        self.template = QLineEdit()
        self.template.setPlaceholderText("{site}/{line}/{cell}/{equipment}/{signal} (the default)")
        self.template.setToolTip(
            "Tag template of the active site: fields {site} {area} {line} {cell} {equipment} {signal}, "
            "{site_name} … {equipment_name}, {type}. Stored in the plant document (undoable)."
        )
        self.template.returnPressed.connect(lambda: self.template_submitted.emit(self.template.text()))
        apply = QPushButton("Apply")
        apply.clicked.connect(lambda: self.template_submitted.emit(self.template.text()))
        self.auto = QPushButton("Auto-bind by Template")
        self.auto.setToolTip("Choose the tag template that binds the most tags the sources deliver")
        self.auto.clicked.connect(self.auto_bind_requested.emit)
        row = QHBoxLayout()
        row.addWidget(QLabel("Tag template:"))
        row.addWidget(self.template, 1)
        row.addWidget(apply)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter tags: any part, e.g. CNV-01 or temperature")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda _: self._fill())
        self.lists = QTabWidget()
        self.bound, self.unbound, self.unknown = QListWidget(), QListWidget(), QListWidget()
        for widget, title in ((self.bound, "Bound"), (self.unbound, "Unbound"), (self.unknown, "Unknown")):
            widget.setUniformItemSizes(True)
            # Tags share long prefixes (site/line/cell/equipment): keep both ends, the signal is at the end.
            widget.setTextElideMode(Qt.TextElideMode.ElideMiddle)
            widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # elided, not scrolled
            self.lists.addTab(widget, title)
        body = _body(self.summary, self.filter, self.lists, buttons=[self.auto])
        body.layout().insertLayout(0, row)
        self.setWidget(body)
        self._report: BindingReport | None = None

    def set_template(self, template: str) -> None:
        if not self.template.hasFocus():
            self.template.setText(template)

    def set_report(self, report: BindingReport, site_name: str) -> None:
        if report == self._report:
            return
        self._report = report
        self.summary.setText(
            f"{site_name}: {len(report.bound)} signals with data, {len(report.unbound)} without, "
            f"{len(report.unknown)} tags no signal is bound to"
        )
        self._fill()

    def _fill(self) -> None:
        """The three lists, filtered (case-insensitive, any part of the tag) and cut at MAX_LISTED."""
        report = self._report
        if report is None:
            return
        needle = self.filter.text().strip().lower()
        for widget, tags, title in (
            (self.bound, report.bound, "Bound"),
            (self.unbound, report.unbound, "Unbound"),
            (self.unknown, report.unknown, "Unknown"),
        ):
            shown = [tag for tag in tags if needle in tag.lower()] if needle else tags
            widget.clear()
            widget.addItems(shown[:MAX_LISTED])
            if len(shown) > MAX_LISTED:
                more = QListWidgetItem(f"… {len(shown) - MAX_LISTED:,} more: filter to find them")
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                widget.addItem(more)
            count = f"{len(shown)} of {len(tags)}" if needle else f"{len(tags)}"
            self.lists.setTabText(self.lists.indexOf(widget), f"{title} ({count})")


# Minute ticks that may come every 2 or 10 minutes, sized for "09:20": pyqtgraph's own steps from 1 to 5
# minutes and sizes labels for "Mar 03", which left one tick on a 10-minute trend a few hundred pixels wide.
TREND_MINUTE_TICKS = ZoomLevel(
    [
        TickSpec(DAY_SPACING, makeSStepper(DAY_SPACING), "%a %d"),
        TickSpec(MINUTE_SPACING, makeSStepper(MINUTE_SPACING), "%H:%M", autoSkip=[1, 2, 5, 10, 15, 30]),
    ],
    "00:00",
)


TITLE_POINTS = 9
TITLE_MARGIN_PX = 16  # room the title leaves at the plot's sides
NO_DATA = "no data"
TREND_SPAN_S = 300.0  # the trend shows 5 minutes: the last ones live, either side of the cursor in replay


def value_at(times: np.ndarray, values: np.ndarray, at: float) -> tuple[float, float] | None:
    """(time, value) of the last sample at or before `at`: what the signal read then; None before the first."""
    index = int(np.searchsorted(times, at, side="right")) - 1
    return None if index < 0 else (float(times[index]), float(values[index]))


class _TrendPlot:
    """One plot of the trend dock: a curve, the signal's four limits dashed, the replay cursor, a readout of
    the value at the cursor (or under the mouse) and "no data" over an empty plot."""

    LIMIT_COLORS = (ALARM_COLOR, WARNING_COLOR, WARNING_COLOR, ALARM_COLOR)  # lolo, lo, hi, hihi: as in 3D

    def __init__(self) -> None:
        axis = SiteTimeAxis(orientation="bottom")  # the site's own time, as the rest of the window shows
        minutes = [spacing for spacing, level in axis.zoomLevels.items() if level.exampleText == "MMM 00"]
        if minutes:
            axis.zoomLevels[min(minutes)] = TREND_MINUTE_TICKS  # the finest of the two: hours and minutes
        self.axis = axis
        self.plot = pg.PlotItem(axisItems={"bottom": axis})
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(x=False, y=False)
        self.limits = [pg.InfiniteLine(angle=0, pen=pg.mkPen(c, style=Qt.PenStyle.DashLine)) for c in self.LIMIT_COLORS]
        for line in self.limits:
            self.plot.addItem(line)
        self.curve = self.plot.plot(pen=pg.mkPen((20, 90, 180), width=2))
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((90, 90, 90), width=1))
        self.plot.addItem(self.cursor)
        box = self.plot.getViewBox()
        # In the view box's own pixels (not its data coordinates): they stay in the corner and the middle.
        self.readout = pg.TextItem("", color=(20, 24, 30), anchor=(1, 0), fill=pg.mkBrush(255, 255, 255, 215))
        self.readout.setParentItem(box)
        self.empty = pg.TextItem(NO_DATA, color=(110, 110, 110), anchor=(0.5, 0.5))
        self.empty.setParentItem(box)
        box.sigResized.connect(lambda *_: self._place_texts())
        self.plot.geometryChanged.connect(self.fit_title)
        self.title = ""
        self.unit = ""
        self.times = np.zeros(0)
        self.values = np.zeros(0)

    def clock(self, seconds: float) -> str:
        """The time of a readout, in the zone of the time axis under it: 09:00:35 (UTC+09:00)."""
        return self.axis.display.text(seconds, with_date=False)

    def show_signal(self, signal: SignalValue) -> None:
        self.unit = signal.unit
        symbol = unit_text(signal.unit)
        self.title = f"{signal.signal} [{symbol}]" if symbol else signal.signal
        self.plot.titleLabel.setToolTip(f"{signal.equipment_name}: {self.title}\n{signal.tag}")
        self.fit_title()
        for line, limit in zip(self.limits, signal.limits, strict=True):
            line.setVisible(limit is not None)
            if limit is not None:
                line.setValue(limit)
        self.set_data(np.zeros(0), np.zeros(0))
        self.cursor.setVisible(False)
        self.readout.setText("")

    def fit_title(self) -> None:
        """The title elided in the middle when the plot is too narrow for it (whole in the tooltip)."""
        font = QFont(self.plot.titleLabel.item.font())
        font.setPointSize(TITLE_POINTS)
        room = max(40, int(self.plot.width()) - TITLE_MARGIN_PX)
        shown = QFontMetrics(font).elidedText(self.title, Qt.TextElideMode.ElideMiddle, room)
        if shown != self.plot.titleLabel.text:
            self.plot.setTitle(shown, size=f"{TITLE_POINTS}pt")
            # The label asks for its text's width: a long title would keep the plot from getting narrower.
            self.plot.titleLabel.setMinimumWidth(0)

    def set_data(self, times: np.ndarray, values: np.ndarray) -> None:
        self.times, self.values = np.asarray(times, float), np.asarray(values, float)
        self.curve.setData(self.times, self.values)
        self.empty.setVisible(not len(self.times))

    def show_readout(self, at: float | None) -> None:
        """The value at time `at` with its unit and the time; at None the latest value."""
        if at is None and not len(self.times):
            self.readout.setText("")
            return
        sample = value_at(self.times, self.values, math.inf if at is None else at)
        if sample is None:
            text = f"{NO_DATA} at {self.clock(at)}" if at is not None else ""
        else:
            text = f"{format_value(sample[1], self.unit)} at {self.clock(sample[0] if at is None else at)}"
        self.readout.setText(text)
        self._place_texts()

    def _place_texts(self) -> None:
        rect = self.plot.getViewBox().boundingRect()
        self.readout.setPos(QPointF(rect.right() - 2, rect.top() + 2))
        self.empty.setPos(rect.center())


class TrendDock(QDockWidget):
    """One small plot per analog signal of the selection, with its limits dashed; the plots fill the dock in
    as many columns as keep each one readable (a wide, low dock at the bottom gets them side by side)."""

    MAX_PLOTS = 6
    MIN_PLOT_HEIGHT = 110  # pixels: title, curve and time axis still legible
    MIN_PLOT_WIDTH = 200

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Trend", parent)
        self.setObjectName("trend-dock")
        pg.setConfigOptions(antialias=False, background="w", foreground="k")
        self.graphics = pg.GraphicsLayoutWidget()
        self.caption = QLabel("Select equipment to see its signals over time")
        self.caption.setWordWrap(True)
        self.setWidget(_body(self.caption, self.graphics))
        self._plots: dict[str, tuple[pg.PlotItem, pg.PlotDataItem, pg.InfiniteLine]] = {}
        self._trends: dict[str, _TrendPlot] = {}
        self._cursor: float | None = None
        self._hover: tuple[str, float] | None = None  # (tag, time) under the mouse
        self._layout_key: tuple[str, ...] = ()
        self._columns = 1
        # Plots made once and reused: making one (axes, date axis, grid) costs several milliseconds, and a
        # click on equipment relaid the trend every time.
        self._pool: list[_TrendPlot] = []
        self.display = TimeDisplay()
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)

    def columns_for(self, count: int) -> int:
        """The fewest columns that give `count` plots their minimum height, as many as the width allows."""
        widest = max(1, self.graphics.width() // self.MIN_PLOT_WIDTH)
        rows_fitting = max(1, self.graphics.height() // self.MIN_PLOT_HEIGHT)
        return max(1, min(widest, math.ceil(count / rows_fitting)))

    def set_signals(self, signals: list[SignalValue], caption: str) -> None:
        """Lay out one plot per signal (only when the set of signals changes)."""
        signals = signals[: self.MAX_PLOTS]
        key = tuple(s.tag for s in signals)
        self.caption.setText(caption)
        if key == self._layout_key:
            return
        self._layout_key = key
        self._plots = {}
        self._trends = {}
        self._hover = None
        for row, signal in enumerate(signals):
            if row == len(self._pool):
                self._pool.append(_TrendPlot())
                self._pool[-1].axis.set_display(self.display)
            trend = self._pool[row]
            trend.show_signal(signal)
            self._plots[signal.tag] = (trend.plot, trend.curve, trend.cursor)
            self._trends[signal.tag] = trend
        self._place(self.columns_for(len(signals)))

    def _place(self, columns: int) -> None:
        self._columns = columns
        self.graphics.clear()
        for index, trend in enumerate(self._pool):
            if index < len(self._plots):
                self.graphics.addItem(trend.plot, row=index // columns, col=index % columns)
                trend.plot.show()
            else:  # spare, but kept in the scene, which owns it: one held by Python alone crashed the exit
                self.graphics.scene().addItem(trend.plot)
                trend.plot.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        columns = self.columns_for(len(self._plots))
        if self._plots and columns != self._columns:
            self._place(columns)

    def plot_grid(self) -> list[tuple[str, int, int]]:
        """(tag, row, column) of each plot, in order."""
        return [(tag, i // self._columns, i % self._columns) for i, tag in enumerate(self._plots)]

    def set_series(self, series: dict[str, tuple[np.ndarray, np.ndarray]], cursor: float | None) -> None:
        """The curves (times, values per tag) and the replay cursor (None: live, the latest value read out)."""
        self._cursor = cursor
        for tag, trend in self._trends.items():
            times, values = series.get(tag, (np.zeros(0), np.zeros(0)))
            trend.set_data(times, values)
            trend.cursor.setVisible(cursor is not None)
            if cursor is not None:
                trend.cursor.setValue(cursor)
            if not len(times):  # "no data" over the time it would show: around the cursor, or the last minutes
                start, end = (cursor - TREND_SPAN_S, cursor + TREND_SPAN_S) if cursor is not None else (
                    time.time() - TREND_SPAN_S, time.time())
                trend.plot.setXRange(start, end, padding=0)
            trend.plot.enableAutoRange(x=bool(len(times)), y=True)
        self._show_readouts()

    def _show_readouts(self) -> None:
        for tag, trend in self._trends.items():
            at = self._hover[1] if self._hover is not None and self._hover[0] == tag else self._cursor
            trend.show_readout(at)

    def _mouse_moved(self, position: QPointF) -> None:
        hover = None
        for tag, trend in self._trends.items():
            box = trend.plot.getViewBox()
            if box.sceneBoundingRect().contains(position):
                hover = (tag, float(box.mapSceneToView(position).x()))
                break
        if hover != self._hover:
            self._hover = hover
            self._show_readouts()

    def hover_at(self, tag: str, at: float | None) -> None:
        """Read out `tag`'s value at time `at`, as the mouse over its plot does (None: the mouse left)."""
        self._hover = None if at is None else (tag, at)
        self._show_readouts()

    def readout(self, tag: str) -> str:
        """The readout text of a tag's plot ("" when none)."""
        trend = self._trends.get(tag)
        return trend.readout.toPlainText() if trend is not None else ""

    def shows_no_data(self, tag: str) -> bool:
        trend = self._trends.get(tag)
        return trend is not None and trend.empty.isVisible()

    def plotted_tags(self) -> list[str]:
        return list(self._plots)

    def set_time_display(self, display: TimeDisplay) -> None:
        """Write the time axes in this zone (the site's, or UTC); plots made later take it too."""
        self.display = display
        for trend in self._pool:
            trend.axis.set_display(display)
        self._show_readouts()

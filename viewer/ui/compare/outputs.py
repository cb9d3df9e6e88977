"""Process outputs tab of the compare window: the same signals of matched pairs over one period, from the
mother's and the child's recordings: statistics, a verdict per pair, side-by-side trend and histogram."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.compare.outputs import OutputComparison, SeriesLoader, compare_outputs, recording_loader
from viewer.sensors.bindings import Bindings
from viewer.sensors.recording import Recording, parse_time
from viewer.sensors.samples import SampleBuffer
from viewer.ui.compare.controller import CompareController

COLUMNS = ("Child equipment", "Signal", "Mother mean / std", "Child mean / std", "Cpk mother / child", "Welch p",
           "Effect", "Verdict")  # fmt: skip
MOTHER_PEN, CHILD_PEN = (90, 90, 90), (235, 120, 0)


def live_loader(store: SampleBuffer, bindings: Bindings, start: float, end: float) -> SeriesLoader:
    """Series from the live store's history (what connected sources sent), through a line's tag bindings."""
    by_signal = {(b.equipment_id, b.signal.name): b.tag for own in bindings.by_equipment for b in own}

    def load(equipment_id: str, signal_name: str) -> np.ndarray:
        tag = by_signal.get((equipment_id, signal_name))
        samples = store.history(tag, start, end) if tag is not None else []
        values = [s.value for s in samples if isinstance(s.value, int | float) and not isinstance(s.value, bool)]
        return np.asarray(values, dtype=float)

    return load


class OutputsPanel(QWidget):
    def __init__(
        self, controller: CompareController, live_store: SampleBuffer | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.live_store = live_store
        self.comparisons: list[OutputComparison] = []
        self.series: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.mother_file, self.child_file = QLineEdit(), QLineEdit()
        self.period = QLineEdit("1970-01-01T00:00:00Z/2100-01-01T00:00:00Z")
        for label, edit in (("Mother recording", self.mother_file), ("Child recording", self.child_file)):
            row.addWidget(QLabel(label))
            row.addWidget(edit)
            browse = QPushButton("...")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row.addWidget(browse)
        row.addWidget(QLabel("Period"))
        row.addWidget(self.period)
        run = QPushButton("Compare recordings")
        run.clicked.connect(self.run)
        row.addWidget(run)
        live = QPushButton("Compare live data (last 10 min)")
        live.setEnabled(live_store is not None)
        live.clicked.connect(lambda: self.run_live(600.0))
        row.addWidget(live)
        layout.addLayout(row)
        self.verdict = QLabel("Choose the two recordings and a period (START/END, ISO 8601).")
        layout.addWidget(self.verdict)
        split = QSplitter()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._plot_selected)
        split.addWidget(self.table)
        plots = pg.GraphicsLayoutWidget()
        self.trend = plots.addPlot(title="Trend")
        self.trend.addLegend()
        plots.nextRow()
        self.histogram = plots.addPlot(title="Histogram")
        split.addWidget(plots)
        layout.addWidget(split)

    def _browse(self, edit: QLineEdit) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Recording", "", "Recordings (*.parquet *.csv)")
        if name:
            edit.setText(name)

    def run_live(self, seconds: float, now: float | None = None) -> list[OutputComparison]:
        """The same comparison over what the connected sources sent in the last `seconds`."""
        if self.live_store is None:
            return []
        c = self.controller
        end = time.time() if now is None else now
        mother_paths = [p for p in c.mother.iter_equipment() if p.line is c.mother_line]
        child_paths = [p for p in c.child.iter_equipment() if p.line is c.child_line]
        self.series = {}
        self.comparisons = compare_outputs(
            c.result,
            self._keep(live_loader(self.live_store, Bindings.build(mother_paths), end - seconds, end), "m:"),
            self._keep(live_loader(self.live_store, Bindings.build(child_paths), end - seconds, end), "c:"),
        )
        self._fill()
        return self.comparisons

    def _keep(self, loader: SeriesLoader, side: str) -> SeriesLoader:
        """Remember what was compared, for the plots."""

        def load(equipment_id: str, signal: str) -> np.ndarray:
            values = loader(equipment_id, signal)
            self.series[(side + equipment_id, signal)] = values
            return values

        return load

    def run(self) -> list[OutputComparison]:
        c = self.controller
        start, end = (parse_time(t) for t in self.period.text().split("/"))
        mother_rec, child_rec = Recording(Path(self.mother_file.text())), Recording(Path(self.child_file.text()))
        try:
            mother_paths = [p for p in c.mother.iter_equipment() if p.line is c.mother_line]
            child_paths = [p for p in c.child.iter_equipment() if p.line is c.child_line]
            load_m = recording_loader(mother_rec, Bindings.build(mother_paths), start, end)
            load_c = recording_loader(child_rec, Bindings.build(child_paths), start, end)
            self.series = {}

            def keep(loader, side: str):  # noqa: ANN001 - remembers what was compared, for the plots
                def load(equipment_id: str, signal: str) -> np.ndarray:
                    values = loader(equipment_id, signal)
                    self.series[(side + equipment_id, signal)] = values
                    return values

                return load

            self.comparisons = compare_outputs(c.result, keep(load_m, "m:"), keep(load_c, "c:"))
        finally:
            mother_rec.close()
            child_rec.close()
        self._fill()
        return self.comparisons

    def _fill(self) -> None:
        differing = [o for o in self.comparisons if o.significant]
        self.verdict.setText(
            f"{len(self.comparisons)} signals compared: {len(differing)} differ significantly; "
            + ("process outputs match" if self.comparisons and not differing else "process outputs differ")
            if self.comparisons
            else "No signal of the matched pairs was found in both recordings."
        )
        self.table.setRowCount(len(self.comparisons))
        for r, o in enumerate(self.comparisons):
            cpk = "/".join("-" if v is None else f"{v:.2f}" for v in (o.mother.cpk, o.child.cpk))
            values = (o.child_id, f"{o.signal} [{o.unit}]", f"{o.mother.mean:.4g} / {o.mother.std:.3g}",
                      f"{o.child.mean:.4g} / {o.child.std:.3g}", cpk, f"{o.welch_p:.3g}", f"{o.effect:.2f}",
                      "differs" if o.significant else "matches")  # fmt: skip
            for col, value in enumerate(values):
                self.table.setItem(r, col, QTableWidgetItem(value))

    def _plot_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            return
        o = self.comparisons[min(rows)]
        a = self.series.get(("m:" + o.mother_id, o.signal), np.zeros(0))
        b = self.series.get(("c:" + o.child_id, o.signal), np.zeros(0))
        self.trend.clear()
        self.histogram.clear()
        self.trend.plot(np.arange(len(a)), a, pen=MOTHER_PEN, name=f"mother {o.mother_id}")
        self.trend.plot(np.arange(len(b)), b, pen=CHILD_PEN, name=f"child {o.child_id}")
        both = np.concatenate([a, b]) if len(a) + len(b) else np.zeros(1)
        edges = np.linspace(float(both.min()), float(both.max()) + 1e-9, 31)
        for values, pen in ((a, MOTHER_PEN), (b, CHILD_PEN)):
            counts, _ = np.histogram(values, bins=edges)
            self.histogram.plot(edges, counts, stepMode="center", pen=pen)
        self.plotted = (o, len(a), len(b))

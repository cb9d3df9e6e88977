"""The Checks dock: the layout-check violations of every site, under one heading per site with its count; a
click on a violation selects and frames it, switching to its site when that is not the one shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model import Site
from viewer.model.checks import Violation

IDS_ROLE = Qt.ItemDataRole.UserRole + 1
SITE_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_TEXT = {"overlap": "Overlap", "clearance": "Walkway", "outside": "Outside", "column": "Column", "wall": "Wall"}
OK_TEXT = "No layout problems in this site."
RED = QColor(190, 20, 20)


def plural(count: int, word: str = "problem") -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def heading_text(name: str, found: Sequence[Violation] | None, shown: bool) -> str:
    """"Holland child plant — 4 problems" (the shown site says so)."""
    state = "checking…" if found is None else plural(len(found)) if found else "no problems"
    return f"{name} — {state}" + ("  (shown)" if shown else "")


class ChecksDock(QDockWidget):
    focus_requested = Signal(list)  # equipment ids of the clicked violation
    clearance_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Checks", parent)
        self.setObjectName("checks-dock")
        self.summary = QLabel(OK_TEXT)
        self.summary.setWordWrap(True)
        self.clearance = QDoubleSpinBox()
        self.clearance.setRange(0.0, 10.0)
        self.clearance.setSingleStep(0.1)
        self.clearance.setDecimals(2)
        self.clearance.setSuffix(" m")
        self.clearance.setValue(1.0)
        self.clearance.setToolTip("Free floor every machine needs around it, unless its type sets its own zone")
        self.clearance.valueChanged.connect(self.clearance_changed.emit)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Check", "Problem"])
        self.list.setRootIsDecorated(True)
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.list.itemClicked.connect(self._clicked)
        self._expanded: dict[str, bool] = {}  # per site id, as the user left it
        self.list.itemExpanded.connect(lambda item: self._remember(item, True))
        self.list.itemCollapsed.connect(lambda item: self._remember(item, False))
        row = QHBoxLayout()
        row.addWidget(QLabel("Minimum walkway:"))
        row.addWidget(self.clearance)
        row.addStretch(1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)
        self.setWidget(body)

    def set_results(
        self, sites: Sequence[Site], results: Mapping[str, Sequence[Violation]], shown_site: str | None
    ) -> None:
        """Every site under its own heading; `results` has the checked sites' violations by site id."""
        self.list.clear()
        bold = QFont(self.list.font())
        bold.setBold(True)
        red = QBrush(RED)
        for site in sites:
            found = results.get(site.id)
            heading = QTreeWidgetItem([heading_text(site.name, found, site.id == shown_site), ""])
            heading.setData(0, SITE_ROLE, site.id)
            heading.setFont(0, bold)
            if found:
                heading.setForeground(0, red)
            heading.setToolTip(0, f"{site.name} ({site.id})")
            self.list.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            for violation in found or ():
                item = QTreeWidgetItem([KIND_TEXT.get(violation.kind, violation.kind), violation.message])
                item.setData(0, IDS_ROLE, list(violation.ids))
                item.setForeground(0, red)
                item.setToolTip(1, f"{violation.message}\nClick to select and show")
                heading.addChild(item)
            heading.setExpanded(self._expanded.get(site.id, True))
        shown = list(results.get(shown_site or "", ()))
        elsewhere = [(s, len(results[s.id])) for s in sites if s.id != shown_site and results.get(s.id)]
        text = OK_TEXT if not shown else f"{plural(len(shown), 'layout problem')} here: shown red in the 3D view."
        text = text if sites else "No plant open."
        if elsewhere:
            text += " Elsewhere: " + ", ".join(f"{s.name} {plural(n)}" for s, n in elsewhere) + "."
        self.summary.setText(text)
        total = sum(len(found) for found in results.values())
        self.setWindowTitle(f"Checks ({total})" if total else "Checks")

    def _remember(self, item: QTreeWidgetItem, expanded: bool) -> None:
        site_id = item.data(0, SITE_ROLE)
        if site_id:
            self._expanded[site_id] = expanded

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, SITE_ROLE) is None:  # a heading only opens and closes
            self.focus_requested.emit(list(item.data(0, IDS_ROLE) or []))

    def violation_items(self, site_id: str | None = None) -> list[QTreeWidgetItem]:
        """The rows of violations (of one site, or of all), in the order shown."""
        out: list[QTreeWidgetItem] = []
        for i in range(self.list.topLevelItemCount()):
            top = self.list.topLevelItem(i)
            if top.data(0, SITE_ROLE) is None:
                out.append(top)
            elif site_id is None or top.data(0, SITE_ROLE) == site_id:
                out.extend(top.child(k) for k in range(top.childCount()))
        return out

    def messages(self, site_id: str | None = None) -> list[str]:
        return [item.text(1) for item in self.violation_items(site_id)]

    def headings(self) -> list[str]:
        return [
            self.list.topLevelItem(i).text(0)
            for i in range(self.list.topLevelItemCount())
            if self.list.topLevelItem(i).data(0, SITE_ROLE)
        ]

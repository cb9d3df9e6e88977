"""The site chooser of the toolbar: each site with its equipment count and, once checked, its layout problems,
so a problem at a site that is not shown (a clone standing on the child building's columns) is seen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QComboBox, QStyle

from viewer.model import Site


def site_text(name: str, equipment: int, problems: int | None) -> str:
    """"Holland child plant (36 equipment) — 4 problems"; nothing about problems until the site is checked."""
    text = f"{name} ({equipment} equipment)"
    if problems:
        text += f" — {problems} problem{'s' if problems != 1 else ''}"
    return text


def problems_tip(problems: int | None) -> str:
    if problems is None:
        return "Layout checks: not done yet"
    if not problems:
        return "Layout checks: no problems"
    return f"Layout checks: {problems} problem{'s' if problems != 1 else ''} (see the Checks dock)"


class SiteBox:
    """Keeps the combo's texts: the window fills it per document, the checks give the problem counts."""

    def __init__(self, combo: QComboBox) -> None:
        self.combo = combo
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the counts are never cut off
        self._names: dict[str, str] = {}
        self._equipment: dict[str, int] = {}
        self._problems: dict[str, int] = {}
        self._warning = combo.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def clear(self) -> None:
        self.combo.clear()
        self._names, self._equipment, self._problems = {}, {}, {}

    def add(self, site: Site, equipment: int) -> None:
        self._names[site.id], self._equipment[site.id] = site.name, equipment
        self.combo.addItem(site_text(site.name, equipment, None), site.id)
        self._show(site.id)

    def site_ids(self) -> list[str]:
        return list(self._names)

    def set_sites(self, sites: list[tuple[Site, int]]) -> None:
        """The sites anew (an import added one, its undo took it away), keeping the problem counts known."""
        problems = self._problems
        self.clear()
        for site, equipment in sites:
            self.add(site, equipment)
        self.set_problems({k: v for k, v in problems.items() if k in self._names})

    def set_equipment(self, site_id: str, equipment: int) -> None:
        if site_id in self._names:
            self._equipment[site_id] = equipment
            self._show(site_id)

    def set_problems(self, problems: dict[str, int]) -> None:
        """Problem counts per site id; a site left out is not checked yet."""
        self._problems = {site_id: count for site_id, count in problems.items() if site_id in self._names}
        for site_id in self._names:
            self._show(site_id)

    def text_of(self, site_id: str) -> str:
        index = self.combo.findData(site_id)
        return self.combo.itemText(index) if index >= 0 else ""

    def _show(self, site_id: str) -> None:
        index = self.combo.findData(site_id)
        if index < 0:
            return
        problems = self._problems.get(site_id)
        self.combo.setItemText(index, site_text(self._names[site_id], self._equipment.get(site_id, 0), problems))
        self.combo.setItemIcon(index, self._warning if problems else QIcon())
        self.combo.setItemData(index, problems_tip(problems), Qt.ItemDataRole.ToolTipRole)

"""A site's sensor bindings made ready for the colour updates: tags bound to signals, limits, colour tables.

Plain Python, so a big site's bindings are made on a worker thread (`bind_in_background`) while the window
keeps answering.
"""

from __future__ import annotations

from viewer.model import EquipmentPath, Site
from viewer.sensors import Bindings, TemplateError
from viewer.sensors.alarms import AlarmKey
from viewer.sensors.rules import prepare_colors
from viewer.ui.document.loading import background_work


def bind_site(paths: list[EquipmentPath], site: Site | None) -> tuple[Bindings, dict[AlarmKey, object], str]:
    """Bindings of a site's equipment, their limits by (equipment, signal), and a problem to report."""
    problem = ""
    try:
        bindings = Bindings.build(paths)
    except TemplateError as exc:
        problem = f"site {site.id if site else ''}: {exc}"
        bindings = Bindings.build(paths, templates={site.id: ""} if site else None)
    limits = {(b.equipment_id, b.signal.name): b.signal.limits for own in bindings.by_equipment for b in own}
    prepare_colors(bindings)
    return bindings, limits, problem


def bind_in_background(paths: list[EquipmentPath], site: Site | None) -> tuple[Bindings, dict[AlarmKey, object], str]:
    with background_work():
        return bind_site(paths, site)

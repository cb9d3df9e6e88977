"""A big site's sensor bindings made on a worker thread (`bind_in_background`) while the window keeps
answering; what binding does is the application layer's `bind_site`."""

from __future__ import annotations

from viewer.app.sensor_view import bind_site
from viewer.model import EquipmentPath, Limits, Site
from viewer.sensors import Bindings
from viewer.sensors.alarms import AlarmKey
from viewer.ui.document import background_work


def bind_in_background(paths: list[EquipmentPath], site: Site | None) -> tuple[Bindings, dict[AlarmKey, Limits], str]:
    with background_work():
        return bind_site(paths, site)

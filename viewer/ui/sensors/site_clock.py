"""Which time zone the window shows times in: the zone of the site shown, or UTC on request (kept in the
settings). The timeline, the alarms, the trend and the messages all format through `display`."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QSettings, Signal

from viewer.app.document import DocumentSession
from viewer.app.view_state import ViewState
from viewer.model import PlantDocument, Site
from viewer.model.site_time import TimeDisplay, display_for

UTC_SETTING = "sensors/times_in_utc"


class ClockHost(Protocol):
    """What the clock reads of the window: the open document and the site shown."""

    session: DocumentSession
    state: ViewState


class SiteClock(QObject):
    changed = Signal(object)  # the new TimeDisplay

    def __init__(self, window: ClockHost, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window  # a MainWindow: its session (document) and view state (active site)
        self.settings = settings
        self.utc = bool(settings.value(UTC_SETTING, False, type=bool))
        self.display = TimeDisplay("UTC", self.utc)
        window.state.active_site_changed.connect(self.refresh)
        window.session.document_changed.connect(self.refresh)
        self.refresh()

    def site(self) -> Site | None:
        document: PlantDocument | None = self.window.session.document
        site_id = self.window.state.active_site
        if document is None or site_id is None:
            return None
        return next((s for s in document.sites if s.id == site_id), None)

    @property
    def site_zone(self) -> str:
        """The zone of the site shown, whatever the UTC setting: a command line's `--at` means the same moment
        to everyone who runs it."""
        site = self.site()
        return display_for(site.timezone if site is not None else None).zone_name

    def refresh(self, *_: object) -> None:
        display = TimeDisplay(self.site_zone, self.utc)
        if display != self.display:
            self.display = display
            self.changed.emit(display)

    def set_utc(self, utc: bool) -> None:
        self.utc = bool(utc)
        self.settings.setValue(UTC_SETTING, self.utc)
        self.refresh()

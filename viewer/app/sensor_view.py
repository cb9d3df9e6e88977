"""The join of a site's equipment, their sensor bindings and a store of values: which colour each equipment
shows (state colours, or one signal on a colour map with the rest grey; warnings and alarms; stale ones
two-tone; flashing alarms), what the legend says, and the values of a selection with their units.

No Qt: the window's sensor controller (live and replay) and `mothertwin render --recording` (a still
picture) both colour through it, so a picture and the window agree.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from viewer.app.values import SignalValue
from viewer.model import EquipmentPath, Limits, SignalKind, Site
from viewer.sensors import Bindings, EquipmentColors, SampleBuffer, TemplateError
from viewer.sensors.alarms import AlarmKey
from viewer.sensors.rules import (
    RGB,
    LegendEntry,
    colorable_signals,
    equipment_colors,
    legend_entries,
    palette_of,
    prepare_colors,
    with_the_rest_grey,
)

FLASH_OFF_COLOR: RGB = (255, 215, 205)  # the pale phase of a flashing alarm: still clearly not a state colour


class EquipmentIndex(Protocol):
    """Where an equipment is in the bound list (the scene's batch, in the window)."""

    def has_id(self, equipment_id: str) -> bool: ...

    def index_of(self, equipment_id: str) -> int: ...


@dataclass(frozen=True, slots=True)
class SensorColors:
    """One colour update: the equipment coloured from their data, and what the view shows."""

    data: EquipmentColors  # equipment with data to show; their alarms
    shown: EquipmentColors  # `data`, and when coloured by a signal every other equipment grey

    @property
    def colored(self) -> int:
        return len(self.data.indices)


def bind_site(paths: list[EquipmentPath], site: Site | None) -> tuple[Bindings, dict[AlarmKey, Limits], str]:
    """Bindings of a site's equipment, their limits by (equipment, signal), and a problem to report (a tag
    template that cannot be used: then the default template binds)."""
    problem = ""
    try:
        bindings = Bindings.build(paths)
    except TemplateError as exc:
        problem = f"site {site.id if site else ''}: {exc}"
        bindings = Bindings.build(paths, templates={site.id: ""} if site else None)
    limits = {(b.equipment_id, b.signal.name): b.signal.limits for own in bindings.by_equipment for b in own}
    prepare_colors(bindings)
    return bindings, limits, problem


def numeric_tags(bindings: Bindings) -> list[str]:
    """Bound tags whose values are numbers (analog signals and counters): text among them is no value."""
    return [tag for tag, own in bindings.by_tag.items() if own[0].signal.kind is not SignalKind.STATE]


def tag_limits(bindings: Bindings) -> dict[str, tuple[float | None, float | None]]:
    """(low, high) alarm thresholds per bound analog tag, for the scrub bar's marks."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for tag, bound in bindings.by_tag.items():
        limits = bound[0].signal.limits
        if bound[0].signal.kind is SignalKind.ANALOG and not limits.is_empty():
            low = limits.lo if limits.lo is not None else limits.lolo
            high = limits.hi if limits.hi is not None else limits.hihi
            out[tag] = (low, high)
    return out


class SensorView:
    """How one site's sensor values show: its bindings (None while it is being bound), the colour-by choice
    and the palette. `colors` runs every update over all tags (numpy, see `equipment_colors`); the rest
    runs per selection."""

    def __init__(self, bindings: Bindings | None = None, state_colors: dict[str, RGB] | None = None) -> None:
        self.bindings = bindings
        self.state_colors: dict[str, RGB] = state_colors if state_colors is not None else palette_of(None)
        self.color_by: str | None = None  # an analog signal shown on a colour map instead of the states

    def colorable_signals(self) -> list[str]:
        """The analog signals the equipment can be coloured by (those with a LO..HI range), sorted."""
        return colorable_signals(self.bindings) if self.bindings is not None else []

    def colors(self, store: SampleBuffer, now: float | None = None) -> SensorColors:
        """Every equipment's colour from the values in `store` at `now` (None: the store's clock)."""
        if self.bindings is None:
            raise ValueError("no equipment bound to sensor tags to colour")
        data = equipment_colors(
            self.bindings,
            store,
            now=store.clock() if now is None else now,
            signal=self.color_by,
            state_colors=self.state_colors,
        )
        shown = with_the_rest_grey(data, len(self.bindings.by_equipment)) if self.color_by else data
        return SensorColors(data, shown)

    def flashed(
        self, colors: EquipmentColors, flashing: Collection[str], flash_on: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The colours and second tones to write: those of `colors`, with the equipment of `flashing` (ids
        with an unacknowledged alarm) in their pale phase while the flash is off. Stale ones do not flash."""
        rgb = colors.rgb.copy()
        alt = colors.alt_rgb  # a copy: stale equipment two-tone
        if flashing and not flash_on and self.bindings is not None:
            paths = self.bindings.paths
            ids = np.array([paths[i].equipment.id for i in colors.indices], dtype=object)
            blink = np.isin(ids, list(flashing)) & ~colors.stale
            rgb[blink] = FLASH_OFF_COLOR
            alt[blink] = FLASH_OFF_COLOR
        return rgb, alt

    def legend(self, flashing: bool) -> list[LegendEntry]:
        """What each colour means (`flashing`: alarms flash, in the window, not in a still picture)."""
        return legend_entries(self.state_colors, flashing=flashing, signal=self.color_by)

    def unit_of(self, tag: str) -> str:
        """The unit of the signal a tag is bound to, as written in the plant ("degC"; "" when unbound)."""
        bound = self.bindings.by_tag.get(tag) if self.bindings is not None else None
        return bound[0].signal.unit if bound else ""

    def selection_values(
        self, selection: Sequence[str], index: EquipmentIndex, store: SampleBuffer, limit: int
    ) -> list[SignalValue]:
        """Every signal of the first `limit` selected equipment, with its value in `store` (None: no data)."""
        if self.bindings is None:
            return []
        now = store.clock()
        by_equipment, paths = self.bindings.by_equipment, self.bindings.paths
        out = []
        for equipment_id in selection[:limit]:
            if not index.has_id(equipment_id):
                continue
            position = index.index_of(equipment_id)
            if position >= len(by_equipment):
                continue
            for binding in by_equipment[position]:
                state = store.tag_state(binding.tag)
                signal = binding.signal
                limits = signal.limits
                out.append(
                    SignalValue(
                        equipment_id,
                        paths[position].equipment.name,
                        signal.name,
                        signal.unit,
                        signal.kind,
                        binding.tag,
                        state.sample.value if state else None,
                        store.is_stale(binding.tag, now),
                        (limits.lolo, limits.lo, limits.hi, limits.hihi),
                    )
                )
        return out

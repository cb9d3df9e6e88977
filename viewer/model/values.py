"""Small value types shared by the plant document and the equipment library."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(slots=True)
class Pose:
    """Position in metres and rotation in degrees (yaw about Z, pitch about Y, roll about X)."""

    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0

    def is_identity(self) -> bool:
        return not any((self.x, self.y, self.z, self.yaw, self.pitch, self.roll))


ParameterValue = float | int | str | bool


@dataclass(slots=True)
class Parameter:
    """A process parameter that Copy Exactly cares about, e.g. coating speed 60 m/min."""

    name: str
    value: ParameterValue
    unit: str = ""


class SignalKind(StrEnum):
    ANALOG = "analog"
    STATE = "state"
    COUNTER = "counter"


@dataclass(slots=True)
class Limits:
    """Alarm limits; any may be absent. lolo <= lo <= hi <= hihi when present."""

    lolo: float | None = None
    lo: float | None = None
    hi: float | None = None
    hihi: float | None = None

    def is_empty(self) -> bool:
        return self.lolo is None and self.lo is None and self.hi is None and self.hihi is None


@dataclass(slots=True)
class Signal:
    """A measured quantity of an equipment (temperature, speed, machine state)."""

    name: str
    unit: str = ""
    kind: SignalKind = SignalKind.ANALOG
    limits: Limits = field(default_factory=Limits)
    states: list[str] = field(default_factory=list)
    tag: str = ""  # an explicit tag (a recording's column, an OPC UA node id) instead of the site's template
    guessed: bool = False  # unit and limits guessed from a recording (Signals from Recording): to be checked

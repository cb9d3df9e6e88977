"""The built-in equipment library of a lithium-ion cell plant, built from primitives.

Each type: a shape (recognisable at a glance in a layout review), a footprint in metres (X along the material
flow, Y across, Z up, origin at the footprint centre on the floor), default process parameters and signal
templates. `mothertwin build-assets` writes the GLB meshes and manifests into assets/library/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from viewer.assets_gen.primitives import (
    BODY,
    CONCRETE,
    DARK,
    FRAME,
    GLASS,
    ROLL,
    SAFETY_YELLOW,
    STEEL,
    MeshBuilder,
)
from viewer.model import Footprint, Limits, Parameter, Signal, SignalKind

MACHINE_STATES = ["running", "idle", "fault", "offline"]

ELECTRODE_BLUE = (50, 110, 185)
ASSEMBLY_TEAL = (30, 150, 150)
FORMATION_VIOLET = (120, 90, 170)
TEST_GREEN = (70, 150, 80)
LOGISTICS_ORANGE = (235, 130, 30)
UTILITY_GREY = (120, 130, 140)
ROBOT_ORANGE = (240, 110, 20)


def state_signal() -> Signal:
    return Signal("state", "", SignalKind.STATE, Limits(), list(MACHINE_STATES))


def analog(name: str, unit: str, lolo: float, lo: float, hi: float, hihi: float) -> Signal:
    return Signal(name, unit, SignalKind.ANALOG, Limits(lolo, lo, hi, hihi))


def counter(name: str = "good_count", unit: str = "pcs") -> Signal:
    return Signal(name, unit, SignalKind.COUNTER)


@dataclass
class TypeSpec:
    name: str
    title: str
    category: str
    footprint: tuple[float, float, float]
    color: tuple[int, int, int]
    build: Callable[[MeshBuilder, float, float, float, tuple[int, int, int]], None]
    parameters: list[Parameter] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    clearance: float | None = None  # None: the site's default walkway

    @property
    def footprint_model(self) -> Footprint:
        return Footprint(*self.footprint)


# ------------------------------------------------------------------ shapes
# Every builder gets (builder, width, depth, height, accent colour) and must stay inside that box.


def enclosed_machine(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """A guarded machine: plinth, cabinet body with a window, accent band, HMI and stack light."""
    b.box((w, d, 0.15), (0, 0, 0), DARK)
    b.box((w - 0.1, d - 0.1, h - 0.55), (0, 0, 0.15), BODY)
    b.box((w - 0.1, d - 0.1, 0.12), (0, 0, h - 0.52), accent)
    b.box((w * 0.55, 0.02, (h - 0.55) * 0.45), (0, -d / 2 + 0.04, 0.15 + (h - 0.55) * 0.4), GLASS)
    b.control_panel((-w / 2 + 0.45, -d / 2 + 0.12, 0.0))
    b.tower_light((w / 2 - 0.25, d / 2 - 0.25, h - 0.4))


def slurry_mixer(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, 0.2), (0, 0, 0), DARK)
    b.box((w * 0.9, d * 0.9, 0.9), (0, 0, 0.2), FRAME)  # platform
    b.cylinder(min(w, d) * 0.33, h * 0.42, (0, 0, 1.1), STEEL, sections=24)  # vessel
    b.cone(min(w, d) * 0.33, -0.5, (0, 0, 1.1), STEEL, sections=24)
    b.box((w * 0.5, d * 0.5, 0.5), (0, 0, 1.1 + h * 0.42), accent)  # gearbox head
    b.cylinder(0.25, 0.6, (0, 0, h - 0.6), DARK, sections=16)  # motor
    for sx in (-1, 1):
        b.box((0.08, 0.08, 1.0), (sx * w * 0.42, -d * 0.45, 1.1), SAFETY_YELLOW)  # railing posts
    b.box((w * 0.9, 0.05, 0.05), (0, -d * 0.45, 2.05), SAFETY_YELLOW)
    b.tower_light((w * 0.4, d * 0.4, 1.1))


def coater(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """Unwinder, slot-die coating head, a long drying oven in zones with exhaust ducts, rewinder."""
    half = w / 2
    b.box((2.4, d * 0.8, 2.2), (-half + 1.2, 0, 0), BODY)  # unwinder
    b.cylinder(0.55, d * 0.6, (-half + 1.2, 0, 1.5), ROLL, axis="y")
    b.box((1.6, d * 0.85, 2.6), (-half + 3.3, 0, 0), accent)  # coating head
    b.control_panel((-half + 3.3, -d / 2 + 0.1, 0.0))
    oven_start, oven_end = -half + 4.3, half - 2.6
    zones = 6
    zone_len = (oven_end - oven_start) / zones
    for i in range(zones):
        x = oven_start + (i + 0.5) * zone_len
        b.box((zone_len - 0.08, d, 1.9), (x, 0, 0.4), BODY)
        b.box((zone_len - 0.08, d, 0.1), (x, 0, 2.3), accent)
        b.cylinder(0.25, h - 2.4, (x, d * 0.25, 2.4), STEEL, sections=12)  # exhaust duct
    b.box((oven_end - oven_start, d * 0.9, 0.4), ((oven_start + oven_end) / 2, 0, 0), DARK)  # oven legs
    b.box((2.4, d * 0.8, 2.2), (half - 1.2, 0, 0), BODY)  # rewinder
    b.cylinder(0.55, d * 0.6, (half - 1.2, 0, 1.5), ROLL, axis="y")
    b.tower_light((-half + 3.9, d / 2 - 0.3, 2.6))


def roll_press(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, 0.25), (0, 0, 0), DARK)
    b.box((1.2, d * 0.7, 1.8), (-w / 2 + 0.6, 0, 0.25), BODY)  # unwinder
    b.cylinder(0.4, d * 0.5, (-w / 2 + 0.6, 0, 1.4), ROLL, axis="y")
    for sy in (-1, 1):
        b.box((1.4, 0.35, h - 0.25), (0, sy * (d / 2 - 0.2), 0.25), accent)  # housings
    b.cylinder(0.5, d - 0.7, (0, 0, 1.0), STEEL, axis="y", sections=24)  # work rolls
    b.cylinder(0.5, d - 0.7, (0, 0, 2.05), STEEL, axis="y", sections=24)
    b.box((1.4, d, 0.3), (0, 0, h - 0.3), DARK)  # crosshead
    b.box((1.2, d * 0.7, 1.8), (w / 2 - 0.6, 0, 0.25), BODY)
    b.cylinder(0.4, d * 0.5, (w / 2 - 0.6, 0, 1.4), ROLL, axis="y")
    b.control_panel((-w / 2 + 1.6, -d / 2 + 0.1, 0.0))
    b.tower_light((0.5, d / 2 - 0.2, h - 0.3))


def slitter(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, 0.2), (0, 0, 0), DARK)
    b.box((1.3, d * 0.8, 1.6), (-w / 2 + 0.65, 0, 0.2), BODY)
    b.cylinder(0.45, d * 0.55, (-w / 2 + 0.65, 0, 1.3), ROLL, axis="y")
    b.box((1.0, d * 0.9, h - 0.7), (-0.4, 0, 0.2), accent)  # knife section
    b.box((2.0, d * 0.9, 1.1), (w / 2 - 1.0, 0, 0.2), BODY)
    for i in range(4):  # rewind spindles with narrow coils
        b.cylinder(0.22, d * 0.7, (w / 2 - 1.7 + i * 0.45, 0, 1.55), ROLL, axis="y", sections=12)
    b.control_panel((-w / 2 + 1.6, -d / 2 + 0.1, 0.0))
    b.tower_light((-0.4, d / 2 - 0.25, h - 0.5))


def press_machine(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """Notching or degassing press: a C-frame with a heavy head inside a guarded cabinet."""
    b.box((w, d, 0.15), (0, 0, 0), DARK)
    b.box((w - 0.1, d - 0.1, 0.9), (0, 0, 0.15), BODY)
    b.box((0.9, d * 0.5, h - 1.05), (0, d * 0.2, 1.05), accent)  # C-frame back
    b.box((0.9, d * 0.7, 0.45), (0, 0, h - 0.75), accent)  # head
    b.cylinder(0.15, 0.35, (0, -d * 0.1, h - 1.1), STEEL, sections=12)  # ram
    for sx in (-1, 1):
        b.box((0.04, d - 0.1, h - 1.35), (sx * (w / 2 - 0.07), 0, 1.05), GLASS)  # guard glass
    b.control_panel((-w / 2 + 0.4, -d / 2 + 0.1, 0.0))
    b.tower_light((w / 2 - 0.2, d / 2 - 0.2, h - 0.4))


def formation_rack(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """Charge/discharge racks: bays of trays with a power cabinet at the end."""
    bays = max(2, round((w - 1.0) / 1.25))
    bay_w = (w - 1.0) / bays
    for i in range(bays + 1):
        b.box((0.08, d, h), (-w / 2 + 1.0 + i * bay_w, 0, 0), FRAME)
    levels = 5
    for j in range(levels):
        z = 0.2 + j * (h - 0.4) / levels
        b.box((w - 1.0, d, 0.05), (0.5, 0, z), FRAME)
        for i in range(bays):
            b.box((bay_w - 0.2, d - 0.2, 0.28), (-w / 2 + 1.0 + (i + 0.5) * bay_w, 0, z + 0.05), DARK)
    b.box((0.95, d, h), (-w / 2 + 0.475, 0, 0), accent)  # power cabinet
    b.box((0.6, 0.02, 0.4), (-w / 2 + 0.475, -d / 2 - 0.01, h * 0.6), GLASS)


def storage_rack(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """Pallet racking: orange beams, blue uprights, loads on each level."""
    bays = max(1, round(w / 2.7))
    bay_w = w / bays
    for i in range(bays + 1):
        for sy in (-1, 1):
            b.box((0.1, 0.1, h), (-w / 2 + i * bay_w, sy * (d / 2 - 0.05), 0), ELECTRODE_BLUE)
    levels = max(2, round(h / 1.4))
    for j in range(1, levels):
        z = j * h / levels
        for sy in (-1, 1):
            b.box((w, 0.08, 0.12), (0, sy * (d / 2 - 0.05), z), LOGISTICS_ORANGE)
    for j in range(levels - 1):
        z = 0.12 + j * h / levels
        for i in range(bays):
            b.box((bay_w * 0.8, d * 0.8, h / levels * 0.6), (-w / 2 + (i + 0.5) * bay_w, 0, z), accent)


def conveyor(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, 0.12), (0, 0, h - 0.12), FRAME)  # side frames
    b.box((w, d - 0.12, 0.03), (0, 0, h - 0.02), DARK)  # belt
    for i in range(int(w / 1.0) + 1):
        x = -w / 2 + 0.1 + i * (w - 0.2) / max(1, int(w / 1.0))
        for sy in (-1, 1):
            b.box((0.06, 0.06, h - 0.12), (x, sy * (d / 2 - 0.05), 0), STEEL)
    b.box((w, 0.02, 0.05), (0, -d / 2, h), accent)
    b.box((w, 0.02, 0.05), (0, d / 2, h), accent)


def agv(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, h * 0.75), (0, 0, 0.05), DARK)
    b.box((w * 0.96, d * 0.96, h * 0.2), (0, 0, 0.05 + h * 0.75), accent)
    for sx in (-1, 1):
        b.cylinder(0.06, 0.04, (sx * w * 0.3, -d / 2 - 0.01, 0.06), FRAME, axis="y", sections=10)
        b.cylinder(0.06, 0.04, (sx * w * 0.3, d / 2 + 0.01, 0.06), FRAME, axis="y", sections=10)
    b.box((0.08, 0.12, 0.1), (w / 2 - 0.02, 0, h * 0.4), SAFETY_YELLOW)  # scanner


def robot_6axis(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """An articulated arm on a pedestal, in a pose that reads as a robot from any angle."""
    b.box((0.7, min(d, 0.7), 0.5), (0, 0, 0), FRAME)  # pedestal; the footprint covers the arm's reach
    b.cylinder(0.22, 0.18, (0, 0, 0.5), accent, sections=16)  # base
    b.cylinder(0.17, 0.3, (0, 0, 0.68), accent, sections=16)  # turret
    b.cylinder(0.12, 0.3, (0, 0, 0.93), DARK, axis="y", sections=12)  # shoulder joint
    b.box((0.16, 0.16, 0.6), (0.1, 0, 0.93), accent)  # upper arm (leaning)
    b.cylinder(0.1, 0.26, (0.1, 0, 1.5), DARK, axis="y", sections=12)  # elbow
    b.box((0.55, 0.13, 0.13), (0.35, 0, 1.44), accent)  # forearm
    b.cylinder(0.07, 0.16, (0.66, 0, 1.5), DARK, axis="x", sections=10)  # wrist
    b.box((0.06, 0.14, 0.18), (0.77, 0, 1.33), STEEL)  # gripper


def safety_fence(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    for sx in (-1, 1):
        b.box((0.06, 0.06, h), (sx * (w / 2 - 0.03), 0, 0), accent)
        b.box((0.12, d, 0.02), (sx * (w / 2 - 0.06), 0, 0), FRAME)  # feet
    b.box((w - 0.12, 0.02, h - 0.25), (0, 0, 0.15), (150, 150, 150))  # mesh panel
    b.box((w - 0.12, 0.04, 0.04), (0, 0, h - 0.1), accent)


def building_column(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, h), (0, 0, 0), CONCRETE)
    b.box((w + 0.04, d + 0.04, 1.2), (0, 0, 0), SAFETY_YELLOW)  # impact guard


def tank(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    r = min(w, d) / 2 * 0.9
    b.legs(w * 0.8, d * 0.8, 0.6, FRAME, 0.1)
    b.cylinder(r, h - 1.0, (0, 0, 0.6), STEEL, sections=24)
    b.cone(r, 0.4, (0, 0, h - 0.4), STEEL, sections=24)
    b.box((w * 0.3, d * 0.3, 0.1), (0, 0, 0.6 + h * 0.3), accent)


def tower(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    """Solvent (NMP) recovery or dust collector: a housing with a tall column and a duct."""
    b.box((w, d * 0.5, h * 0.45), (0, -d * 0.25, 0), BODY)
    b.cylinder(min(w, d) * 0.25, h, (0, d * 0.25, 0), STEEL, sections=20)
    b.cylinder(0.2, w * 0.8, (0, d * 0.25, h * 0.8), STEEL, axis="x", sections=10)
    b.box((w, d * 0.5, 0.12), (0, -d * 0.25, h * 0.45), accent)


def air_handler(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, 0.2), (0, 0, 0), DARK)
    sections = 4
    for i in range(sections):
        b.box((w / sections - 0.05, d, h - 0.9), (-w / 2 + (i + 0.5) * w / sections, 0, 0.2), BODY)
    b.box((w, d, 0.1), (0, 0, h - 0.7), accent)
    b.box((1.0, 1.0, 0.6), (w / 2 - 0.6, 0, h - 0.6), STEEL)  # supply duct


def cabinet(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    doors = max(1, round(w / 0.6))
    for i in range(doors):
        b.box((w / doors - 0.02, d, h - 0.1), (-w / 2 + (i + 0.5) * w / doors, 0, 0.1), (200, 202, 204))
        b.box((0.02, 0.03, 0.25), (-w / 2 + (i + 0.85) * w / doors, -d / 2 - 0.01, h * 0.5), DARK)
    b.box((w, d, 0.1), (0, 0, 0), DARK)
    b.box((w, d + 0.01, 0.08), (0, 0, h - 0.3), accent)


def workbench(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    top = 0.9
    b.legs(w, d, top - 0.05)
    b.box((w, d, 0.05), (0, 0, top - 0.05), (190, 160, 120))
    b.box((w * 0.9, 0.05, h - top), (0, d / 2 - 0.05, top), accent)  # tool wall


def pallet(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w, d, 0.14), (0, 0, 0), (176, 140, 90))
    b.box((w * 0.9, d * 0.9, h - 0.14), (0, 0, 0.14), accent)


def forklift(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w * 0.6, d, 1.0), (-w * 0.1, 0, 0.2), accent)  # body
    b.box((w * 0.35, d, 0.6), (-w * 0.3, 0, 1.2), DARK)  # counterweight
    for sx in (-1, 1):
        b.box((0.06, 0.06, h - 1.2), (-w * 0.05 + sx * 0.0, sx * d * 0.4, 1.2), DARK)  # overhead guard
    b.box((w * 0.35, d, 0.05), (-w * 0.05, 0, h - 0.05), DARK)
    b.box((0.1, d * 0.8, h), (w * 0.25, 0, 0), FRAME)  # mast
    for sy in (-1, 1):
        b.box((w * 0.25, 0.1, 0.05), (w * 0.375, sy * d * 0.25, 0.1), STEEL)  # forks
        for sx in (-1, 1):
            b.cylinder(0.2, 0.15, (sx * w * 0.25, sy * (d / 2 - 0.07), 0.2), DARK, axis="y", sections=12)


def lifter(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.box((0.12, 0.12, h), (sx * (w / 2 - 0.06), sy * (d / 2 - 0.06), 0), accent)
    b.box((w - 0.3, d - 0.3, 0.15), (0, 0, h * 0.55), FRAME)
    b.box((w, d, 0.2), (0, 0, h - 0.2), DARK)
    b.box((w - 0.3, 0.02, h - 0.4), (0, d / 2 - 0.02, 0.2), (150, 150, 150))


def transformer(b: MeshBuilder, w: float, d: float, h: float, accent: tuple[int, int, int]) -> None:
    b.box((w * 0.7, d * 0.7, h * 0.8), (0, 0, 0), (110, 120, 110))
    for i in range(6):
        b.box((0.05, d, h * 0.6), (-w * 0.45 + i * w * 0.18, 0, 0.1), (90, 100, 90))  # radiator fins
    for i in range(3):
        b.cylinder(0.07, h * 0.25, (-w * 0.2 + i * w * 0.2, 0, h * 0.75), (210, 200, 180), sections=10)
    b.box((w * 0.7, d * 0.7, 0.05), (0, 0, h * 0.8 - 0.05), accent)


# ------------------------------------------------------------------ the library

_MM = "mm"


def _p(name: str, value: float | int | str, unit: str = "") -> Parameter:
    return Parameter(name, value, unit)


# Types that stand close to others by design (racks back to back, fences round robots, conveyors feeding
# machines): their own free zone; everything else keeps the site's default walkway.
CLEARANCE_ZONES = {
    "conveyor": 0.0,
    "safety_fence": 0.0,
    "building_column": 0.0,
    "agv": 0.0,
    "pallet": 0.3,
    "robot_6axis": 0.0,
    "storage_rack": 0.0,
    "aging_rack": 0.0,
    "buffer_store": 0.0,
    "forklift": 0.0,
    "control_cabinet": 0.0,
    "workbench": 0.5,
    "solvent_tank": 0.5,
    "formation_rack": 0.0,
    "lifter": 0.5,
}

LIBRARY: list[TypeSpec] = [
    TypeSpec(
        "slurry_mixer",
        "Planetary slurry mixer",
        "electrode",
        (3.2, 2.8, 4.2),
        ELECTRODE_BLUE,
        slurry_mixer,
        [
            _p("mixing_speed", 40, "rpm"),
            _p("batch_volume", 1100, "L"),
            _p("vacuum", -95, "kPa"),
            _p("mixing_time", 180, "min"),
            _p("solid_content", 65.0, "%"),
        ],
        [
            state_signal(),
            analog("slurry_temperature", "degC", 15, 20, 35, 40),
            analog("viscosity", "mPa.s", 3000, 4000, 9000, 11000),
        ],
    ),
    TypeSpec(
        "coater",
        "Slot-die coater with drying oven",
        "electrode",
        (36.0, 3.2, 3.6),
        ELECTRODE_BLUE,
        coater,
        [
            _p("coating_speed", 60, "m/min"),
            _p("coating_width", 1300, _MM),
            _p("wet_thickness", 200, "um"),
            _p("oven_temperature", 130, "degC"),
            _p("areal_loading", 20.5, "mg/cm2"),
        ],
        [
            state_signal(),
            analog("oven_temperature", "degC", 110, 120, 140, 150),
            analog("web_speed", "m/min", 40, 50, 70, 75),
            analog("coating_weight", "mg/cm2", 19.5, 20.0, 21.0, 21.5),
            counter("coated_length", "m"),
        ],
    ),
    TypeSpec(
        "roll_press",
        "Calender roll press",
        "electrode",
        (6.5, 3.0, 3.4),
        ELECTRODE_BLUE,
        roll_press,
        [
            _p("roll_gap", 120, "um"),
            _p("line_pressure", 2.0, "t/cm"),
            _p("roll_temperature", 90, "degC"),
            _p("press_speed", 50, "m/min"),
        ],
        [
            state_signal(),
            analog("roll_temperature", "degC", 70, 80, 100, 110),
            analog("electrode_thickness", "um", 110, 115, 125, 130),
            counter("pressed_length", "m"),
        ],
    ),
    TypeSpec(
        "slitter",
        "Electrode slitter",
        "electrode",
        (5.0, 2.6, 2.4),
        ELECTRODE_BLUE,
        slitter,
        [_p("slitting_speed", 80, "m/min"), _p("strip_width", 98, _MM), _p("lanes", 12)],
        [state_signal(), analog("burr_height", "um", 0, 0, 8, 12), counter("slit_length", "m")],
    ),
    TypeSpec(
        "vacuum_dryer",
        "Electrode vacuum dryer",
        "electrode",
        (3.0, 2.6, 2.6),
        ELECTRODE_BLUE,
        enclosed_machine,
        [_p("drying_temperature", 120, "degC"), _p("drying_time", 10, "h"), _p("vacuum", -100, "kPa")],
        [
            state_signal(),
            analog("chamber_temperature", "degC", 100, 110, 130, 140),
            analog("moisture", "ppm", 0, 0, 200, 300),
        ],
    ),
    TypeSpec(
        "notching_press",
        "Laser/die notching press",
        "assembly",
        (3.0, 2.2, 2.4),
        ASSEMBLY_TEAL,
        press_machine,
        [_p("stroke_rate", 300, "spm"), _p("tab_width", 20, _MM), _p("tab_height", 15, _MM)],
        [state_signal(), analog("die_temperature", "degC", 15, 18, 35, 40), counter("notched_sheets")],
    ),
    TypeSpec(
        "stacker",
        "Z-fold stacking machine",
        "assembly",
        (4.2, 3.0, 2.6),
        ASSEMBLY_TEAL,
        enclosed_machine,
        [_p("sheet_cycle", 0.6, "s"), _p("alignment_tolerance", 0.3, _MM), _p("layers", 60)],
        [state_signal(), analog("alignment_offset", _MM, -0.5, -0.3, 0.3, 0.5), counter("stacks")],
    ),
    TypeSpec(
        "winder",
        "Jelly-roll winder",
        "assembly",
        (3.6, 2.6, 2.4),
        ASSEMBLY_TEAL,
        enclosed_machine,
        [_p("winding_tension", 8.0, "N"), _p("winding_speed", 2.0, "m/s"), _p("mandrel_diameter", 4.0, _MM)],
        [state_signal(), analog("web_tension", "N", 5, 6, 10, 11), counter("jelly_rolls")],
    ),
    TypeSpec(
        "tab_welder",
        "Ultrasonic tab welder",
        "assembly",
        (2.6, 2.2, 2.4),
        ASSEMBLY_TEAL,
        press_machine,
        [_p("weld_energy", 60, "J"), _p("amplitude", 30, "um"), _p("weld_pressure", 0.3, "MPa")],
        [state_signal(), analog("weld_energy", "J", 50, 55, 65, 70), counter("welds")],
    ),
    TypeSpec(
        "cell_assembly",
        "Pouch forming and sealing",
        "assembly",
        (5.0, 2.8, 2.6),
        ASSEMBLY_TEAL,
        enclosed_machine,
        [
            _p("seal_temperature", 190, "degC"),
            _p("seal_time", 3.0, "s"),
            _p("seal_pressure", 0.4, "MPa"),
            _p("cup_depth", 6.0, _MM),
        ],
        [state_signal(), analog("seal_temperature", "degC", 175, 182, 198, 205), counter("cells_sealed")],
    ),
    TypeSpec(
        "electrolyte_filler",
        "Electrolyte filling station",
        "assembly",
        (4.2, 2.8, 2.8),
        ASSEMBLY_TEAL,
        tank,
        [_p("fill_mass", 58.0, "g"), _p("fill_vacuum", -98, "kPa"), _p("dew_point", -45, "degC")],
        [
            state_signal(),
            analog("fill_mass", "g", 56.5, 57.0, 59.0, 59.5),
            analog("dew_point", "degC", -60, -55, -40, -35),
            counter("cells_filled"),
        ],
    ),
    TypeSpec(
        "degassing_press",
        "Degassing and final sealing",
        "formation",
        (3.2, 2.4, 2.4),
        FORMATION_VIOLET,
        press_machine,
        [_p("degas_vacuum", -95, "kPa"), _p("press_force", 5.0, "kN")],
        [state_signal(), analog("vacuum", "kPa", -100, -98, -90, -85), counter("cells_degassed")],
    ),
    TypeSpec(
        "formation_rack",
        "Formation charge/discharge rack",
        "formation",
        (6.0, 1.4, 2.8),
        FORMATION_VIOLET,
        formation_rack,
        [
            _p("charge_rate", 0.1, "C"),
            _p("cutoff_voltage", 4.2, "V"),
            _p("rack_temperature", 45, "degC"),
            _p("channels", 256),
        ],
        [
            state_signal(),
            analog("rack_temperature", "degC", 35, 40, 50, 55),
            analog("cell_voltage", "V", 2.5, 3.0, 4.2, 4.25),
            counter("cells_formed"),
        ],
    ),
    TypeSpec(
        "aging_rack",
        "High-temperature aging rack",
        "formation",
        (8.0, 1.6, 4.2),
        FORMATION_VIOLET,
        storage_rack,
        [_p("aging_temperature", 45, "degC"), _p("aging_time", 14, "d")],
        [state_signal(), analog("room_temperature", "degC", 38, 42, 48, 52)],
    ),
    TypeSpec(
        "grader",
        "Cell grading and sorting",
        "test",
        (3.0, 2.2, 2.2),
        TEST_GREEN,
        enclosed_machine,
        [_p("grade_bins", 6), _p("capacity_tolerance", 0.5, "%")],
        [state_signal(), counter("cells_graded")],
    ),
    TypeSpec(
        "eol_tester",
        "End-of-line tester (OCV/IR)",
        "test",
        (3.2, 2.4, 2.4),
        TEST_GREEN,
        enclosed_machine,
        [_p("ocv_min", 3.55, "V"), _p("ir_max", 1.2, "mOhm"), _p("test_time", 12, "s")],
        [
            state_signal(),
            analog("ocv", "V", 3.45, 3.55, 3.7, 3.75),
            analog("internal_resistance", "mOhm", 0.5, 0.6, 1.2, 1.4),
            counter("cells_passed"),
        ],
    ),
    TypeSpec(
        "xray_inspector",
        "X-ray / CT inspection",
        "test",
        (2.6, 2.2, 2.3),
        TEST_GREEN,
        enclosed_machine,
        [_p("tube_voltage", 130, "kV"), _p("overhang_min", 0.5, _MM)],
        [state_signal(), analog("anode_overhang", _MM, 0.3, 0.5, 1.5, 1.8), counter("cells_inspected")],
    ),
    TypeSpec(
        "vision_inspection",
        "Vision inspection station",
        "test",
        (1.6, 1.6, 2.2),
        TEST_GREEN,
        enclosed_machine,
        [_p("resolution", 20, "um/px")],
        [state_signal(), counter("images")],
    ),
    TypeSpec(
        "labeler",
        "Laser marker and labeler",
        "test",
        (1.6, 1.4, 2.0),
        TEST_GREEN,
        enclosed_machine,
        [_p("laser_power", 20, "W")],
        [state_signal(), counter("labels")],
    ),
    TypeSpec(
        "module_assembly",
        "Module assembly cell",
        "assembly",
        (6.0, 3.2, 2.6),
        ASSEMBLY_TEAL,
        enclosed_machine,
        [_p("cells_per_module", 24), _p("bus_bar_weld_energy", 800, "J")],
        [state_signal(), counter("modules")],
    ),
    TypeSpec(
        "conveyor",
        "Belt conveyor segment",
        "logistics",
        (3.0, 0.8, 0.9),
        LOGISTICS_ORANGE,
        conveyor,
        [_p("belt_speed", 0.5, "m/s")],
        [state_signal(), analog("motor_current", "A", 0, 0.2, 4.5, 5.5)],
    ),
    TypeSpec(
        "buffer_store",
        "Tray buffer store",
        "logistics",
        (4.0, 2.0, 2.6),
        LOGISTICS_ORANGE,
        storage_rack,
        [_p("capacity", 120, "trays")],
        [state_signal(), analog("fill_level", "%", 0, 5, 90, 98)],
    ),
    TypeSpec(
        "storage_rack",
        "Pallet racking",
        "logistics",
        (8.0, 1.2, 4.5),
        LOGISTICS_ORANGE,
        storage_rack,
        [_p("positions", 24)],
        [analog("occupancy", "%", 0, 0, 95, 100)],
    ),
    TypeSpec(
        "agv",
        "Autonomous mobile robot (AGV)",
        "logistics",
        (0.9, 0.6, 0.45),
        LOGISTICS_ORANGE,
        agv,
        [_p("max_speed", 1.5, "m/s"), _p("payload", 250, "kg")],
        [state_signal(), analog("battery", "%", 5, 15, 100, 100)],
    ),
    TypeSpec(
        "forklift",
        "Electric forklift",
        "logistics",
        (2.4, 1.2, 2.2),
        LOGISTICS_ORANGE,
        forklift,
        [_p("capacity", 1600, "kg")],
        [state_signal(), analog("battery", "%", 5, 15, 100, 100)],
    ),
    TypeSpec(
        "pallet",
        "Pallet with load",
        "logistics",
        (1.2, 1.0, 1.0),
        (200, 170, 120),
        pallet,
        [],
        [],
    ),
    TypeSpec(
        "lifter",
        "Vertical lifter",
        "logistics",
        (2.0, 2.0, 5.0),
        LOGISTICS_ORANGE,
        lifter,
        [_p("lift_speed", 0.5, "m/s")],
        [state_signal()],
    ),
    TypeSpec(
        "robot_6axis",
        "6-axis industrial robot",
        "robotics",
        (1.7, 1.0, 1.8),
        ROBOT_ORANGE,
        robot_6axis,
        [_p("payload", 10, "kg"), _p("reach", 1.1, "m"), _p("tcp_speed", 1.0, "m/s")],
        [state_signal(), analog("joint2_torque", "%", 0, 0, 85, 95), counter("cycles")],
    ),
    TypeSpec(
        "safety_fence",
        "Safety fence panel",
        "safety",
        (2.0, 0.1, 2.2),
        SAFETY_YELLOW,
        safety_fence,
        [],
        [],
    ),
    TypeSpec(
        "building_column",
        "Building column",
        "building",
        (0.6, 0.6, 8.0),
        CONCRETE,
        building_column,
        [],
        [],
    ),
    TypeSpec(
        "control_cabinet",
        "Control cabinet",
        "utility",
        (1.8, 0.6, 2.1),
        UTILITY_GREY,
        cabinet,
        [],
        [state_signal(), analog("cabinet_temperature", "degC", 5, 10, 40, 45)],
    ),
    TypeSpec(
        "workbench",
        "Operator workbench",
        "utility",
        (2.0, 0.9, 1.6),
        UTILITY_GREY,
        workbench,
        [],
        [],
    ),
    TypeSpec(
        "dry_room_ahu",
        "Dry-room air handling unit",
        "utility",
        (6.0, 2.6, 3.2),
        UTILITY_GREY,
        air_handler,
        [_p("supply_dew_point", -50, "degC"), _p("airflow", 30000, "m3/h")],
        [state_signal(), analog("dew_point", "degC", -60, -55, -40, -35)],
    ),
    TypeSpec(
        "nmp_recovery",
        "NMP solvent recovery",
        "utility",
        (4.0, 3.0, 6.0),
        UTILITY_GREY,
        tower,
        [_p("recovery_rate", 99.5, "%")],
        [state_signal(), analog("nmp_concentration", "ppm", 0, 0, 50, 100)],
    ),
    TypeSpec(
        "dust_collector",
        "Dust collector",
        "utility",
        (2.2, 2.2, 4.5),
        UTILITY_GREY,
        tower,
        [_p("airflow", 6000, "m3/h")],
        [state_signal(), analog("differential_pressure", "Pa", 0, 200, 1500, 2000)],
    ),
    TypeSpec(
        "chiller",
        "Process chiller",
        "utility",
        (3.0, 1.6, 2.2),
        UTILITY_GREY,
        air_handler,
        [_p("supply_temperature", 12, "degC")],
        [state_signal(), analog("supply_temperature", "degC", 6, 8, 16, 18)],
    ),
    TypeSpec(
        "solvent_tank",
        "Solvent / electrolyte tank",
        "utility",
        (2.2, 2.2, 3.5),
        UTILITY_GREY,
        tank,
        [_p("volume", 5000, "L")],
        [analog("level", "%", 5, 10, 90, 95)],
    ),
    TypeSpec(
        "transformer",
        "Power transformer",
        "utility",
        (2.4, 1.8, 2.4),
        UTILITY_GREY,
        transformer,
        [_p("rating", 2500, "kVA")],
        [analog("winding_temperature", "degC", -10, 0, 95, 110)],
    ),
]

for _spec in LIBRARY:
    _spec.clearance = CLEARANCE_ZONES.get(_spec.name)

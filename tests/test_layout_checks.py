"""Layout checks: overlap, clearance, outside the building, columns; incremental equals full."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from viewer.io import load_document
from viewer.model import edit
from viewer.model.checks import LayoutChecker
from viewer.model.synthetic import generate_plant
from viewer.model.undo import UndoStack


def two_machines(minimal_data, write_json, x2: float, y2: float = 5.0, clearance: float | None = None):
    """A slurry mixer (3.2 x 2.8 m) at (5, 5) and a second one at (x2, y2) in a 40 x 20 m building."""
    eq = minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"]
    eq[1]["type"] = "slurry_mixer"
    eq[1]["pose"] = {"x": x2, "y": y2}
    if clearance is not None:
        minimal_data["types"] = {
            "slurry_mixer": {"title": "Mixer", "category": "electrode", "clearance": clearance,
                             "footprint": {"width": 3.2, "depth": 2.8, "height": 4.2}}
        }  # fmt: skip
    return load_document(write_json(minimal_data))


def check(document, library):
    return LayoutChecker(document, library, document.sites[0]).current()


def test_demo_layout_is_clean(demo_path, library):
    assert check(load_document(demo_path), library) == []


def test_clearance_below_the_walkway(minimal_data, write_json, library):
    document = two_machines(minimal_data, write_json, x2=5.0 + 3.2 + 0.6)  # 0.6 m gap
    (violation,) = check(document, library)
    assert violation.kind == "clearance"
    assert violation.ids == ("E1", "E2")
    assert violation.value == pytest.approx(0.6)
    assert violation.message == "Mixer (E1) and Press (E2) are 0.60 m apart; at least 1.00 m is required"


def test_enough_clearance_is_fine_and_per_type_zone_counts(minimal_data, write_json, library):
    assert check(two_machines(copy.deepcopy(minimal_data), write_json, x2=5.0 + 3.2 + 1.0), library) == []
    document = two_machines(minimal_data, write_json, x2=5.0 + 3.2 + 1.2, clearance=1.5)
    (violation,) = check(document, library)
    assert (violation.kind, violation.required) == ("clearance", 1.5)


def test_overlap_with_area(minimal_data, write_json, library):
    document = two_machines(minimal_data, write_json, x2=6.0, y2=6.0)  # 2.2 x 1.8 m of common floor
    (violation,) = check(document, library)
    assert violation.kind == "overlap"
    assert violation.value == pytest.approx(2.2 * 1.8)
    assert violation.message == "Mixer (E1) and Press (E2) overlap by 3.96 m2"


def test_turned_footprints_are_checked_as_turned(minimal_data, write_json, library):
    # The roll press (6.5 x 3.0 m) 1.2 m north of the mixer is fine; turned 90 degrees it reaches into it.
    eq = minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"]
    eq[1]["pose"] = {"x": 5.0, "y": 5.0 + 1.4 + 1.2 + 1.5}
    assert check(load_document(write_json(minimal_data)), library) == []
    eq[1]["pose"]["yaw"] = 90.0
    (violation,) = check(load_document(write_json(minimal_data)), library)
    assert violation.kind == "overlap"
    assert violation.value == pytest.approx(3.0 * (6.4 - (9.1 - 3.25)))


def test_outside_the_building_and_on_a_column(minimal_data, write_json, library):
    minimal_data["sites"][0]["column_grid"] = {"origin": [20.0, 10.0], "spacing": [12, 12], "count": [1, 1]}
    document = two_machines(minimal_data, write_json, x2=39.0, y2=10.0)  # sticks 0.6 m out of the east wall
    violations = {v.kind: v for v in check(document, library)}
    assert set(violations) == {"outside"}
    assert violations["outside"].value == pytest.approx(0.6 * 2.8)
    assert violations["outside"].message == "Press (E2) is outside the building by 1.68 m2"
    stack = UndoStack(document)
    checker = LayoutChecker(document, library, document.sites[0])
    stack.push(edit.move_by(document, ["E2"], -19.0, 0.0))  # onto the column at (20, 10)
    (violation,) = checker.update(["E2"])
    assert (violation.kind, violation.value) == ("column", pytest.approx(0.36))


def test_incremental_update_equals_a_full_check(library):
    document = generate_plant(library, 600, seed=3)
    site = document.sites[0]
    checker = LayoutChecker(document, library, site)
    stack = UndoStack(document)
    rng = np.random.default_rng(5)
    ids = [p.equipment.id for p in document.iter_equipment()]
    for step in range(40):
        pick = list(rng.choice(ids, size=int(rng.integers(1, 4)), replace=False))
        if step % 3 == 0:
            stack.push(edit.rotate_by(document, pick, 90.0))
        else:
            stack.push(edit.move_by(document, pick, float(rng.normal(0, 3)), float(rng.normal(0, 3))))
        incremental = checker.update(pick)
        assert incremental == LayoutChecker(document, library, site).current(), f"step {step}"
    stack.go_to(0)
    checker.update(ids)
    assert checker.current() == LayoutChecker(document, library, site).current()

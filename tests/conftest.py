"""Shared fixtures: the real third-party test material, the built-in library, small documents."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

from viewer.io import builtin_library
from viewer.model import EquipmentLibrary
from viewer.paths import demo_plant_path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party test material not found at {SHARED_DATA} (present in CI, absent in a fresh clone)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def library() -> EquipmentLibrary:
    return builtin_library()


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return demo_plant_path()


MINIMAL_DOCUMENT = {
    "format": "mothertwin-plant",
    "version": 1,
    "enterprise": {"id": "ENT", "name": "Test enterprise"},
    "sites": [
        {
            "id": "S1",
            "name": "Test site",
            "footprint": [[0, 0], [40, 0], [40, 20], [0, 20]],
            "areas": [
                {
                    "id": "A1",
                    "name": "Area 1",
                    "lines": [
                        {
                            "id": "L1",
                            "name": "Line 1",
                            "cells": [
                                {
                                    "id": "C1",
                                    "name": "Cell 1",
                                    "equipment": [
                                        {"id": "E1", "name": "Mixer", "type": "slurry_mixer", "pose": {"x": 5, "y": 5}},
                                        {"id": "E2", "name": "Press", "type": "roll_press", "pose": {"x": 20, "y": 5}},
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}


@pytest.fixture
def minimal_data() -> dict:
    return copy.deepcopy(MINIMAL_DOCUMENT)


@pytest.fixture
def write_json(tmp_path: Path):
    """Write a dict (or raw text) as a document file and return its path."""

    def write(data: dict | str, name: str = "plant.mtplant.json") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def test_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def no_dialogs_left_open(monkeypatch, tmp_path_factory, test_cache):
    """Recovery files of a test go to its own folder, caches (converted meshes, an import's meshes) to the
    session's, and an unsaved-changes question at a test's end is answered "discard" instead of waiting for a
    click (a test that checks the question sets its own answer)."""
    monkeypatch.setenv("MOTHERTWIN_CACHE", str(test_cache))
    monkeypatch.setenv("MOTHERTWIN_RECOVERY", str(tmp_path_factory.mktemp("recovery")))
    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "discard")
    monkeypatch.setenv("MOTHERTWIN_RECOVERY_ANSWER", "discard")


@pytest.fixture(autouse=True)
def fail_on_vtk_errors(request):
    """VTK reports errors on its output window and carries on; a test that caused one fails (pyvista's way)."""
    if "pyvista" not in sys.modules:
        yield
        return
    import pyvista as pv

    with pv.VtkErrorCatcher(raise_errors=True):
        yield



"""Where the shipped assets live (override with MOTHERTWIN_ASSETS) and where caches go."""

from __future__ import annotations

import os
from pathlib import Path


def assets_dir() -> Path:
    override = os.environ.get("MOTHERTWIN_ASSETS")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "assets"


def library_dir() -> Path:
    return assets_dir() / "library"


def demo_plant_path() -> Path:
    return assets_dir() / "demo" / "battery-plant.mtplant.json"


def cache_dir() -> Path:
    base = os.environ.get("MOTHERTWIN_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mothertwin"

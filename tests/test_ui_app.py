"""`mothertwin open [FILE]` starts the real application (in its own process, as a user would start it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def run_open(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {
        "MOTHERTWIN_RECOVERY": str(tmp_path / "recovery"),  # nothing left by other tests is offered
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # fresh window settings
    }
    return subprocess.run([sys.executable, "-m", "viewer.cli", "open", *args], capture_output=True, text=True,
                          env=env, timeout=240)  # fmt: skip


def test_open_without_a_file_shows_the_demo(tmp_path):
    shot = tmp_path / "window.png"
    result = run_open(tmp_path, "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert "battery-plant.mtplant.json — MotherTwin" in result.stdout
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape[0] > 600 and image.shape[1] > 1000
    # The plant is drawn: the electrode line's blue machines are on screen, not just an empty frame.
    pixels = image.reshape(-1, 3).astype(int)
    assert ((pixels[:, 2] - pixels[:, 0] > 70) & (pixels[:, 2] > 110)).sum() > 100


def test_open_a_file(tmp_path, demo_path):
    copy = tmp_path / "Ochang review.mtplant.json"
    copy.write_bytes(Path(demo_path).read_bytes())
    result = run_open(tmp_path, str(copy), "--screenshot", str(tmp_path / "w.png"))
    assert result.returncode == 0, result.stderr
    assert "Ochang review.mtplant.json — MotherTwin" in result.stdout


def test_open_a_broken_file_says_so_and_does_not_hang(tmp_path):
    broken = tmp_path / "broken.mtplant.json"
    broken.write_text('{"format": "mothertwin-plant", "version": 1, "sites": [')
    result = run_open(tmp_path, str(broken), "--screenshot", str(tmp_path / "w.png"))
    assert result.returncode == 1
    assert "nothing was opened, so no screenshot" in result.stderr
    assert not (tmp_path / "w.png").exists()

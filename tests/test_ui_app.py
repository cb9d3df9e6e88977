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


def test_installed_qt_binding_keeps_references_to_none():
    """PySide6 6.12.0 dropped a reference to None on every call of a void C++ method, and on Python 3.11 the
    app aborted ("deallocating None") once the alarm table had been refilled a few times. The pin in
    pyproject.toml keeps that release out; this checks whatever binding is installed."""
    code = (
        "import sys\n"
        "from PySide6.QtGui import QFont\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label, font = QLabel('x'), QFont()\n"
        "before = sys.getrefcount(None)\n"
        "for _ in range(2000):\n"
        "    label.setFont(font)\n"
        "    label.setText('y')\n"
        "print(before - sys.getrefcount(None))\n"
    )
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert abs(int(result.stdout.strip())) < 50, f"{result.stdout.strip()} references to None lost in 4,000 calls"


def test_open_replays_a_recording_at_a_time_with_equipment_framed(tmp_path, demo_path):
    """A link a control room sends: this plant, last night at 06:05, look at the cathode coater."""
    from viewer.cli import main

    shift = tmp_path / "shift.parquet"
    start = ["--start", "2025-01-01T06:00:00Z", "--site", "OC", "--duration", "600"]
    assert main(["simulate", str(demo_path), "--record", str(shift), *start]) == 0
    shot = tmp_path / "replay.png"
    result = run_open(
        tmp_path, str(demo_path), "--recording", str(shift), "--at", "2025-01-01T15:05",  # Ochang's time: 06:05Z
        "--select", "OC-ELE1-COT-01,NO-SUCH-ID", "--color-by", "oven_temperature", "--screenshot", str(shot),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = next(text for text in result.stdout.splitlines() if text.startswith("replay of"))
    assert "at 2025-01-01 15:05:00 (UTC+09:00): 2 equipment coloured" in line  # the two coaters have an oven
    assert "--select NO-SUCH-ID: no equipment with that id" in result.stderr
    assert Image.open(shot).size[0] > 1000

    # What the command cannot do is said at once, with exit code 2.
    for args, expected in (
        (["--at", "2025-01-01T06:05:00Z"], "--at and --color-by need --recording"),
        (["--recording", str(tmp_path / "none.parquet")], "none.parquet: recording not found"),
        (["--recording", str(shift), "--at", "yesterday"], "--at: time 'yesterday'"),
    ):
        result = run_open(tmp_path, str(demo_path), *args, "--screenshot", str(tmp_path / "x.png"))
        assert result.returncode == 2 and expected in result.stderr, (args, result.stderr)


def test_open_at_a_local_time_the_site_skips_says_so(tmp_path, demo_path):
    """`--at` without an offset is read in the zone of the site shown: an hour its clocks skip is refused."""
    import json

    from viewer.cli import main

    data = json.loads(Path(demo_path).read_text(encoding="utf-8"))
    data["sites"][0]["timezone"] = "America/Detroit"  # Ochang's line, as if it stood in Holland
    plant = tmp_path / "moved.mtplant.json"
    plant.write_text(json.dumps(data), encoding="utf-8")
    shift = tmp_path / "shift.parquet"
    assert main(["simulate", str(plant), "--record", str(shift), "--start", "2025-03-09T06:00:00Z",
                 "--site", "OC", "--duration", "60"]) == 0  # fmt: skip
    result = run_open(tmp_path, str(plant), "--recording", str(shift), "--at", "2025-03-09T02:30",
                      "--screenshot", str(tmp_path / "w.png"))  # fmt: skip
    assert result.returncode == 1
    assert "--at: time '2025-03-09T02:30' does not exist in America/Detroit" in result.stderr, result.stderr
    assert not (tmp_path / "w.png").exists()


def test_open_with_an_unreadable_recording_says_why_and_does_not_hang(tmp_path, demo_path):
    bogus = tmp_path / "night.parquet"
    bogus.write_text("not parquet")
    result = run_open(tmp_path, str(demo_path), "--recording", str(bogus), "--screenshot", str(tmp_path / "w.png"))
    assert result.returncode == 1
    assert f"recording {bogus} could not be opened" in result.stderr and "cannot read recording" in result.stderr
    assert not (tmp_path / "w.png").exists()

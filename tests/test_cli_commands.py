"""The `mothertwin` command as scripts and CI jobs use it: the document's own types, `demo` as a plant,
exit statuses that can gate a release, layout checks, and a window that needs a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viewer.cli import build_parser, main
from viewer.compare import find_line
from viewer.io import load_document, save_document
from viewer.model import Deviation, DeviationStatus
from viewer.paths import demo_plant_path

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def vendor_document(minimal_data: dict, tmp_path: Path) -> dict:
    """The minimal plant with an imported vendor mesh: a type of the document's own, with a mesh file beside it."""
    import trimesh

    (tmp_path / "meshes").mkdir(exist_ok=True)
    trimesh.creation.box((3.0, 3.0, 2.0)).export(tmp_path / "meshes" / "vendor_cell.stl")
    minimal_data["types"] = {
        "vendor_cell": {
            "title": "Vendor cell",
            "category": "assembly",
            "mesh": "meshes/vendor_cell.stl",
            "footprint": {"width": 3, "depth": 3, "height": 2},
        }
    }
    vendor = {
        "id": "V1",
        "name": "Vendor cell",
        "type": "vendor_cell",
        "pose": {"x": 30, "y": 10},
        "signals": [{"name": "state", "kind": "state"}],
    }
    minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"].append(vendor)
    return minimal_data


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def green_pixels(image: np.ndarray) -> int:
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return int(((g > r + 40) & (g > b + 40)).sum())


def test_render_draws_equipment_of_the_documents_own_types(minimal_data, write_json, tmp_path, capsys):
    import copy

    data = vendor_document(minimal_data, tmp_path)
    without = copy.deepcopy(data)
    without["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"].pop()
    plant = write_json(data)
    args = ["render", str(plant), "--size", "480x300", "--view", "top", "--no-labels"]
    picture, reference = tmp_path / "plant.png", tmp_path / "without.png"
    assert main([*args, "-o", str(picture)]) == 0, capsys.readouterr().err
    # The same plant without the vendor cell: what differs is the vendor cell's mesh, dark on the light floor.
    assert main(["render", str(write_json(without, "without.json")), *args[2:], "-o", str(reference)]) == 0
    image = rgb(picture)
    changed = np.abs(image - rgb(reference)).max(axis=2) > 40
    assert changed.sum() > 200 and np.median(image[changed].max(axis=1)) < 110

    # With a recording too: its state colours the vendor cell (a 3 m box: hundreds of pixels; the legend's
    # "running" swatch alone is a few dozen).
    recording = tmp_path / "states.csv"
    recording.write_text(f"time,tag,value\n{T0},S1/L1/C1/V1/state,running\n", encoding="utf-8")
    coloured = tmp_path / "state.png"
    at = "2025-01-01T00:00:00Z"
    assert main([*args, "-o", str(coloured), "--recording", str(recording), "--at", at]) == 0
    assert "sensor state at 2025-01-01 00:00:00 (UTC): 1 equipment coloured" in capsys.readouterr().out
    assert green_pixels(rgb(coloured)) > 300 > green_pixels(image)  # running: green


def test_render_draws_a_real_vendor_mesh(minimal_data, write_json, tmp_path, capsys):
    # The shared material sits beside the checkout (conftest's SHARED_DATA), or one folder up for a worktree.
    root = Path(__file__).resolve().parents[1]
    bases = [up / "shared" / "data" / "ur5e_universal_robot" for up in (root.parent, root.parent.parent)]
    base = next((b for b in bases if (b / "visual" / "base.dae").is_file()), None)
    if base is None:
        pytest.skip(f"the UR5e meshes are not at {bases[0]} (third-party material, absent in a fresh clone)")
    mesh = base / "visual" / "base.dae"
    data = vendor_document(minimal_data, tmp_path)
    data["types"]["vendor_cell"]["mesh"] = str(mesh)
    picture = tmp_path / "ur5e.png"
    assert main(["render", str(write_json(data)), "--size", "320x200", "-o", str(picture)]) == 0
    assert "mesh" not in capsys.readouterr().err  # read, not replaced by its footprint box


def test_demo_stands_for_the_demo_plant_in_every_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()  # a folder of that name is no plant file
    assert main(["info", "demo"]) == 0
    assert "site Ochang mother plant (OC, KR, Asia/Seoul)" in capsys.readouterr().out
    assert main(["validate", "demo"]) == 0
    assert capsys.readouterr().out.strip() == f"{demo_plant_path()}: valid (155 equipment, 2 sites)"
    assert main(["render", "demo", "--size", "320x200", "--no-labels", "-o", "demo.png"]) == 0
    assert Image.open(tmp_path / "demo.png").size == (320, 200)
    clone = ["clone", "demo", "--line", "Assembly line 1", "--to-site", "Holland child plant", "--fit",
             "-o", "child.json"]  # fmt: skip
    assert main(clone) == 0
    assert main(["diff", "demo:Assembly line 1", "child.json"]) == 0
    assert "differences: 0" in capsys.readouterr().out
    assert main(["simulate", "demo", "--site", "OC", "--record", "shift.csv", "--duration", "2"]) == 0
    assert (tmp_path / "shift.csv").stat().st_size > 1000
    assert build_parser().parse_args(["open", "demo"]).file == demo_plant_path()  # the window: no display here

    # A file named demo here is what the user points at: it wins, and a note says so.
    (tmp_path / "demo").rmdir()
    (tmp_path / "demo").write_text("{}", encoding="utf-8")
    assert main(["validate", "demo"]) == 1
    err = capsys.readouterr().err
    assert f"'demo' is the file {tmp_path / 'demo'} here, not the built-in demo plant" in err
    assert "demo: $.format" in err or "demo: $: " in err


def cloned_child(tmp_path: Path) -> Path:
    child = tmp_path / "child.mtplant.json"
    assert main(["clone", "demo", "--line", "Assembly line 1", "--to-site", "Holland child plant",
                 "--origin", "20,60", "--fit", "-o", str(child)]) == 0  # fmt: skip
    return child


def test_diff_exit_status_gates_a_release(tmp_path, capsys):
    child = cloned_child(tmp_path)
    assert main(["diff", "demo", str(child)]) == 0  # a fresh clone conforms
    document = load_document(child)
    _, _, line = find_line(document, "HM-ASM1")
    sealer = next(e for c in line.cells for e in c.equipment if e.mother_id == "OC-ASM1-PKG-01")
    sealer.pose.x += 1.5
    save_document(document, child)
    capsys.readouterr()
    assert main(["diff", "demo", str(child)]) == 1
    captured = capsys.readouterr()
    assert "1 drift" in captured.out
    assert "mothertwin diff: 1 drift found (--fail-on drift)" in captured.err
    assert main(["diff", "demo", str(child), "--fail-on", "never"]) == 0

    # The move approved: no drift any more, but "any" still refuses every difference.
    document.deviations.append(Deviation("DEV-1", sealer.id, "pose", "x", "x + 1.5 m", "Floor drain", "J. Park",
                                         approved_by="K. Lee", approved_at="2026-11-20T09:00:00Z",
                                         status=DeviationStatus.APPROVED))  # fmt: skip
    save_document(document, child)
    assert main(["diff", "demo", str(child)]) == 0
    assert main(["diff", "demo", str(child), "--fail-on", "any"]) == 1
    assert "1 differences (approved or not) found (--fail-on any)" in capsys.readouterr().err

    # Input that cannot be used is 2, never 1 (which means "differs").
    broken = tmp_path / "broken.mtplant.json"
    broken.write_text('{"format": "mothertwin-plant", ', encoding="utf-8")
    assert main(["diff", "demo", str(broken)]) == 2
    assert "broken.mtplant.json: line 1" in capsys.readouterr().err
    assert main(["diff", "demo:No such line", str(child)]) == 2
    tolerances = tmp_path / "tolerances.json"
    tolerances.write_text('{"position": "far"}', encoding="utf-8")
    assert main(["diff", "demo", str(child), "--tolerances", str(tolerances)]) == 2
    assert "tolerances.json: " in capsys.readouterr().err


def test_diff_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["diff", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit status: 0 the child conforms" in text and "1 it does not, 2 the input cannot be used" in text
    assert "--fail-on {drift,any,never}" in text


def test_validate_checks_lists_each_clash_and_exits_1(minimal_data, write_json, capsys):
    assert main(["validate", "demo", "--checks"]) == 0
    assert "layout checks passed" in capsys.readouterr().out
    equipment = minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"]
    equipment[1]["pose"] = {"x": 6, "y": 5}  # the press on top of the mixer
    equipment.append({"id": "E3", "name": "Lost press", "type": "roll_press", "pose": {"x": 80, "y": 5}})
    path = write_json(minimal_data)
    assert main(["validate", str(path)]) == 0  # a valid document: clashes only with --checks
    capsys.readouterr()
    assert main(["validate", str(path), "--checks"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith(f"{path}: site Test site (S1): overlap: Mixer (E1) and Press (E2) overlap by ") for line in err
    ), err
    assert any(line.startswith(f"{path}: site Test site (S1): outside: Lost press (E3) is outside") for line in err)
    assert err[-1] == f"{len(err) - 1} layout clashes found (1 sites checked)"


def run_cli(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = env | {"MOTHERTWIN_RECOVERY": str(tmp_path / "recovery"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "viewer.cli", *args], capture_output=True, text=True, env=env,
                          timeout=240)  # fmt: skip


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({}, "no display: DISPLAY is not set"),
        ({"QT_QPA_PLATFORM": "xcb"}, "no display: DISPLAY is not set"),
        ({"DISPLAY": ":987"}, "no X server answers at DISPLAY=:987"),
    ],
)
def test_open_without_a_display_says_so_with_a_hint(tmp_path, settings, said):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    result = run_cli(tmp_path, env | settings, "open", "demo")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"mothertwin open: {said}"), result.stderr
    assert "the window needs a display" in result.stderr
    assert "mothertwin render FILE -o plant.png" in result.stderr and "xvfb-run -a mothertwin open" in result.stderr
    assert "qt.qpa" not in result.stderr and "Aborted" not in result.stderr


def test_display_problem_accepts_a_display_that_answers(tmp_path):
    import socket

    from viewer.cli import display_problem

    path = tmp_path / "X5"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        assert display_problem({"DISPLAY": f"{path}:5"}) is None
    assert display_problem({"DISPLAY": "nonsense"}) == (
        "DISPLAY='nonsense' is not a display name such as :0 or localhost:10.0"
    )
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None  # chosen on purpose: Qt's own message
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None


def test_open_screenshot_of_a_bad_plant_prints_why(tmp_path, minimal_data, write_json):
    minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"][1]["type"] = "no_such_type"
    path = write_json(minimal_data)
    result = run_cli(tmp_path, dict(os.environ), "open", str(path), "--screenshot", str(tmp_path / "w.png"))
    assert result.returncode == 1
    assert (
        f"{path}: $.sites[0].areas[0].lines[0].cells[0].equipment[1].type: unknown equipment type 'no_such_type'"
        in result.stderr
    )
    assert f"nothing was opened, so no screenshot: {tmp_path / 'w.png'} (1 problem above)" in result.stderr
    assert not (tmp_path / "w.png").exists()

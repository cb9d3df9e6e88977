"""`mothertwin bench [KIND]`: the kinds are listed, each parses its options and hands them to its benchmark
(replaced here by a recorder: no benchmark runs), and the defaults its help states are the benchmark's own."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from viewer.bench import command
from viewer.bench import session as session_bench
from viewer.cli import build_parser, main

KINDS = ("load", "ui", "live", "recording", "replay", "review", "compare", "all")


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, dict]]:
    """Every benchmark the command starts, with the keywords it gets; replay reports a stutter."""
    made: list[tuple[str, dict]] = []

    def recorder(kind: str) -> Callable[[dict], int]:
        def run(options: dict) -> int:
            made.append((kind, options))
            return 1 if kind == "replay" else 0

        return run

    for kind in list(command.RUNNERS):
        monkeypatch.setitem(command.RUNNERS, kind, recorder(kind))
    return made


def test_bench_help_lists_every_kind():
    result = subprocess.run(
        [sys.executable, "-m", "viewer.cli", "bench", "--help"], capture_output=True, text=True, check=True
    )
    listed = re.findall(r"^ {4}(\w+) ", result.stdout, re.MULTILINE)
    assert listed == [
        "load", "compare", "formats", "ui", "live", "recording", "replay", "bcf", "review", "session", "all"
    ]  # fmt: skip
    assert "With no kind: load, then compare" in result.stdout
    for option in ("--equipment", "--size", "--frames", "--no-naive", "--ui"):
        assert option in result.stdout


def test_building_the_parser_imports_no_benchmark_qt_or_vtk():
    code = (
        "import sys, viewer.cli; viewer.cli.build_parser();"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'vtk', 'vtkmodules', 'pyvista')"
        " or m.startswith(('viewer.bench.', 'viewer.ui'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "viewer.bench.command"


def test_no_layer_below_the_benchmarks_imports_them():
    """The benchmarks sit above everything they measure: no import of viewer.bench in those layers, not even
    inside a function (the headless layers and the scene; the window imports none either)."""
    root = Path(__file__).resolve().parents[1] / "viewer"
    found = []
    for layer in ("model", "io", "compare", "sensors", "scene", "ui"):
        for path in sorted((root / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                found += [f"{path.relative_to(root)}: {n}" for n in names if n.startswith("viewer.bench")]
    assert found == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bench"], [("load", {}), ("compare", {})]),
        (
            ["bench", "--equipment", "300", "--no-naive", "--size", "320x200", "--frames", "4"],
            [
                ("load", {"equipment": 300, "naive": False, "size": (320, 200), "frames": 4}),
                ("compare", {"equipment": 300}),
            ],
        ),
        (["bench", "--ui", "--equipment", "500"], [("ui", {"equipment": 500})]),
        (
            ["bench", "load", "--equipment", "300", "--no-naive", "--size", "320x200", "--frames", "4"],
            [("load", {"equipment": 300, "naive": False, "size": (320, 200), "frames": 4})],
        ),
        (["bench", "--equipment", "300", "load"], [("load", {"equipment": 300})]),
        (["bench", "compare", "--equipment", "200"], [("compare", {"equipment": 200})]),
        (["bench", "ui", "--equipment", "700"], [("ui", {"equipment": 700})]),
        (
            ["bench", "live", "--tags", "50", "--rate", "2.5", "--seconds", "3", "--frames", "5"],
            [("live", {"tags": 50, "rate": 2.5, "seconds": 3.0, "frames": 5})],
        ),
        (
            ["bench", "recording", "r.csv", "--tags", "20", "--hours", "0.5", "--queries", "5", "--window", "10"],
            [("recording", {"output": Path("r.csv"), "tags": 20, "hours": 0.5, "queries": 5, "window": 10.0})],
        ),
        (["bench", "recording", "r.csv", "--reuse"], [("recording", {"output": Path("r.csv"), "reuse": True})]),
        (
            ["bench", "replay", "r.parquet", "--speed", "60", "--seconds", "2", "--seeks", "3", "--msaa", "0"],
            [("replay", {"recording": Path("r.parquet"), "speed": 60.0, "seconds": 2.0, "seeks": 3, "msaa": 0})],
        ),
        (["bench", "bcf", "--equipment", "900", "--topics", "40"], [("bcf", {"equipment": 900, "topics": 40})]),
        (["bench", "review", "--equipment", "400", "--topics", "50"], [("review", {"equipment": 400, "topics": 50})]),
        (
            ["bench", "session", "--moves", "30", "--followers", "7", "--equipment", "100", "--frames", "5"],
            [("session", {"moves": 30, "followers": 7, "equipment": 100, "frames": 5})],
        ),
        (["bench", "session"], [("session", {})]),
        (["bench", "--equipment", "300", "session"], [("session", {"equipment": 300})]),
    ],
)
def test_each_kind_hands_its_options_to_its_benchmark(calls, argv, expected):
    args = build_parser().parse_args(argv)
    assert args.func(args) == (1 if expected[-1][0] == "replay" else 0)
    assert calls == expected


def test_all_runs_every_kind_in_turn_and_reports_the_worst_status(calls, tmp_path):
    recording = tmp_path / "long.parquet"
    argv = ["bench", "all", "--equipment", "300", "--frames", "4", "--recording", str(recording)]
    args = build_parser().parse_args(argv)
    assert args.func(args) == 1, "the replay's stutter verdict is the exit status"
    assert calls == [
        ("load", {"equipment": 300, "frames": 4}),
        ("compare", {"equipment": 300}),
        ("formats", {"equipment": 300}),
        ("ui", {"equipment": 300}),
        ("live", {"frames": 4}),
        ("bcf", {"equipment": 300}),
        ("review", {"equipment": 300}),
        ("session", {"equipment": 300, "frames": 4}),
        ("recording", {"output": recording, "reuse": True}),
        ("replay", {"recording": recording}),
    ]


def test_all_without_a_recording_writes_one_in_a_temporary_folder(calls):
    args = build_parser().parse_args(["bench", "all"])
    args.func(args)
    (_, written), (_, played) = calls[-2:]
    assert written["reuse"] is False and written["output"] == played["recording"]
    assert written["output"].name == "replay-bench.parquet" and not written["output"].parent.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--equipment", "5", "live"], "mothertwin bench live: --equipment: not an option of this kind"),
        (["bench", "--no-naive", "ui"], "mothertwin bench ui: --no-naive: not an option of this kind"),
        (["bench", "--ui", "load"], "--ui is the older spelling of `bench ui`; not with `bench load`"),
    ],
)
def test_an_option_the_kind_does_not_take_is_refused(calls, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert calls == []


def test_session_without_mosquitto_says_what_to_install(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(session_bench, "MOSQUITTO", str(tmp_path / "no-mosquitto"))
    ran: list[dict] = []
    monkeypatch.setattr(session_bench, "run_session_benchmark", lambda **options: ran.append(options) or {})
    assert main(["bench", "session", "--moves", "10"]) == 2
    assert "mothertwin bench session: needs Mosquitto: no-mosquitto not found (install the Debian package " \
           "`mosquitto`)" in capsys.readouterr().err  # fmt: skip
    assert ran == []


@pytest.mark.skipif(bool(session_bench.missing_tools()), reason="mosquitto is not installed (Debian `mosquitto`)")
def test_session_benchmark_runs_small_through_the_shipped_brokers(capsys):
    """A small run for real (about 10 s): two brokers from packaging/mosquitto, bridged; every figure there."""
    from viewer.bench.session import run_session_benchmark

    figures = run_session_benchmark(moves=20, followers=4, equipment=60, frames=4, bursts=2)
    out = capsys.readouterr().out
    for label in ("one broker: to the follower's frame", "bridge: to the follower's frame",
                  "floor: bare paho publish -> receive", "with a session / without", "last camera of a burst missed"):
        assert label in out  # fmt: skip
    # The moves reached the follower through one broker and through the bridge: the last one always (a move
    # offered a moment early in its 1/30 s slot may be replaced by the next one on a loaded machine).
    for name in ("one", "bridge"):
        assert figures[f"{name}_last_received"] == 1 and 15 <= figures[f"{name}_received"] <= 20
    assert figures["many_lost"] == 0 and figures["many_checked"] == 2 * 4 and figures["many_messages"] > 0
    for name in ("one", "bridge"):
        p50, p95, most = (figures[f"{name}_frame_{q}"] for q in ("p50", "p95", "max"))
        assert figures[f"{name}_floor_p50"] > 0 and 0 < p50 <= p95 <= most < 5.0
        assert figures[f"{name}_applied_p50"] <= p50  # the frame comes after the camera is applied
    assert figures["orbit_alone_s"] > 0 and figures["orbit_session_s"] > 0


def test_replay_of_a_missing_recording_says_how_to_make_one(capsys, tmp_path):
    missing = tmp_path / "none.parquet"
    assert main(["bench", "replay", str(missing)]) == 2
    assert f"{missing}: no such file (make one: mothertwin bench recording FILE)" in capsys.readouterr().err


def test_replay_exit_status_is_its_stutter_verdict(monkeypatch, tmp_path):
    from viewer.bench import replay

    recording = tmp_path / "r.csv"
    recording.write_text("time,tag,value\n")
    runs: list[dict] = []

    def fake_run(**options: object) -> dict[str, float]:
        runs.append(options)
        return {"no_stutter": float(options.get("speed") == 60.0)}

    monkeypatch.setattr(replay, "run", fake_run)
    assert main(["bench", "replay", str(recording), "--speed", "60"]) == 0
    assert main(["bench", "replay", str(recording)]) == 1
    assert runs == [{"recording": recording, "speed": 60.0}, {"recording": recording}]


def _help_defaults(capsys, kind: str) -> dict[str, str]:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", kind, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    return dict(re.findall(r"--([\w-]+) [A-Z]+ (?:(?! --).)*?\(default ([\w.]+)\)", text))


@pytest.mark.parametrize(
    ("kind", "module", "function"),
    [
        ("load", "viewer.bench.load", "run_benchmark"),
        ("compare", "viewer.bench.compare", "run_compare_benchmark"),
        ("ui", "viewer.bench.ui", "run_ui_benchmark"),
        ("live", "viewer.bench.live", "run"),
        ("recording", "viewer.bench.recording", "run"),
        ("replay", "viewer.bench.replay", "run"),
        ("bcf", "viewer.bench.bcf", "run_bcf_benchmark"),
        ("review", "viewer.bench.review", "run_review_benchmark"),
        ("session", "viewer.bench.session", "run_session_benchmark"),
    ],
)
def test_each_kinds_options_are_keywords_of_its_benchmark_with_the_defaults_its_help_states(
    capsys, monkeypatch, kind, module, function
):
    import importlib

    monkeypatch.setenv("COLUMNS", "400")  # one help line per option
    parameters = inspect.signature(getattr(importlib.import_module(module), function)).parameters
    assert set(command.KIND_OPTIONS[kind]) <= set(parameters)
    stated = _help_defaults(capsys, kind)
    assert stated, kind
    for option, default in stated.items():
        actual = parameters[option].default
        shown = "x".join(map(str, actual)) if isinstance(actual, tuple) else f"{actual:g}"
        assert shown == default, (kind, option)

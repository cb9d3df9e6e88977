"""Replay benchmark in a real window: play a recording at 600x and measure what reaches the screen.

mothertwin bench replay RECORDING.parquet [--speed 600] [--seconds 20]   (under a display, e.g. xvfb-run)

Make the recording once with `mothertwin bench recording /tmp/replay86m.parquet` (1,000 tags x 24 h
at 1 Hz). The bench gives every tag of the recording its own equipment (a generated plant, one analog signal
each, bound through the site's tag template), connects the recording in the main window, times a few seeks
from the cursor move to the frame on screen, then plays and prints: recording seconds per wall second, the
interval between screen updates of the replayed state, the seek/step time on the worker, frame time and the
GUI event latency. Figures, plus a stutter verdict (see STUTTER_RULE).
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from viewer.io import builtin_library, save_document
from viewer.model import Limits, Signal, SignalKind
from viewer.model.plant import PlantDocument
from viewer.model.synthetic import generate_plant
from viewer.sensors import SourceSettings
from viewer.sensors.recording import Recording

# Limits around the synthetic waves (50 +- 10, +- 2 noise): a fair share of equipment changes colour
# between normal, warning and alarm as the waves pass, so every update has something to draw.
BENCH_LIMITS = Limits(lolo=38.5, lo=41.0, hi=59.0, hihi=61.5)
PROBE_MS = 10  # the GUI latency probe: a timer this often, how late it fires is the latency
STUTTER_FACTOR = 2.0  # p95 update interval at most this many medians ...
STUTTER_MAX = 0.250  # ... and no gap between updates longer than this (seconds)
STUTTER_RULE = (
    f"no stutter: p95 update interval <= {STUTTER_FACTOR:g} x median and max <= {STUTTER_MAX * 1e3:.0f} ms, "
    "with the recording advancing >= 90 % of the speed asked"
)
SEEK_TARGET = 0.100


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, float), q)) if values else 0.0


def _wait(app: QApplication, seconds: float, done: Callable[[], bool] | None = None) -> bool:
    """Run the real event loop for up to `seconds` (until `done`), so the timers fire as they would."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(5)
    check.timeout.connect(lambda: loop.quit() if done is not None and done() else None)
    check.start()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    if done is None or not done():
        loop.exec()
    check.stop()
    return done() if done is not None else True


def tag_template(tags: list[str]) -> tuple[str, list[str]]:
    """(site tag template, signal names): the tags' common prefix up to a '/' stays in the template."""
    prefix = os.path.commonprefix(tags)  # noqa: RUF071 - characters wanted: cut at the last '/' below
    prefix = prefix[: prefix.rfind("/") + 1]
    escaped = prefix.replace("{", "{{").replace("}", "}}")
    return escaped + "{signal}", [t[len(prefix) :] for t in tags]


def plant_for_tags(tags: list[str], seed: int = 1) -> PlantDocument:
    """A generated one-site plant with one equipment per tag, each with one analog signal bound to it."""
    document = generate_plant(builtin_library(), len(tags), seed=seed)
    template, names = tag_template(tags)
    paths = list(document.iter_equipment())
    if len(document.sites) != 1 or len(paths) != len(tags):
        raise ValueError(f"{len(tags):,} tags: the generated plant has no single site of one equipment per tag")
    document.sites[0].tag_template = template
    for path, name in zip(paths, names, strict=True):
        path.equipment.signals = [Signal(name, "degC", SignalKind.ANALOG, replace(BENCH_LIMITS))]
    return document


@dataclass
class Probe:
    """Timestamps collected on the GUI thread while the window runs."""

    shown_time: float | None = None  # recording time of the colours last written to the batch
    rendered_time: float | None = None  # ... and of the last frame drawn with them
    updates: list[tuple[float, float]] = field(default_factory=list)  # (wall, recording time) per new frame
    frames: list[float] = field(default_factory=list)  # seconds per VTK frame
    render_started: float | None = None
    steps: list[float] = field(default_factory=list)  # seconds per seek on the worker
    lateness: list[float] = field(default_factory=list)
    applied_at: dict[float, float] = field(default_factory=dict)  # recording time -> wall time first applied
    gaps: int = 0  # colour updates while playing where some equipment had no state, or a stale one
    last_tick: float = 0.0
    recording: bool = False


def run(
    recording: Path,
    speed: float = 600.0,
    seconds: float = 20.0,
    seeks: int = 10,
    size: tuple[int, int] = (1280, 800),
    msaa: int | None = None,
    quiet: bool = False,
) -> dict[str, float]:
    from viewer.ui.main_window import MainWindow
    from viewer.ui.sensors.timeline import Mode

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    figures: dict[str, float] = {}
    with Recording(recording) as rec:
        tags = rec.tags()
        start_time, end_time = rec.time_range()
        rows = rec.row_count()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        plant_path = folder / "replay-bench.mtplant.json"
        save_document(plant_for_tags(tags), plant_path)
        window = MainWindow(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        try:
            window.resize(*size)
            window.show()
            if not window.open_file(plant_path):
                raise RuntimeError(f"the bench plant {plant_path} did not open")
            if msaa is not None:  # what the frame costs without (or with other) multisampling: a diagnosis
                window.plotter.ren_win.SetMultiSamples(msaa)
            ui = window.sensor_ui
            controller, timeline, scene = ui.controller, ui.controller.timeline, window.scene
            _wait(app, 1.0, lambda: controller.bindings is not None and len(controller.bindings.by_tag) == len(tags))
            bound = len(controller.bindings.by_tag) if controller.bindings else 0
            say(
                f"MotherTwin replay benchmark: {recording.name}, {rows:,} rows, {len(tags):,} tags, "
                f"{(end_time - start_time) / 3600:.1f} h"
            )
            say(
                f"  plant: {len(scene.view.batch)} equipment, {bound:,} tags bound by template "
                f"{controller.template()!r}; view {window.plotter.width()}x{window.plotter.height()}, "
                f"{window.plotter.ren_win.GetClassName()}, {window.plotter.ren_win.GetMultiSamples()}x multisampling"
            )

            probe = Probe()

            def on_applied(_: float) -> None:
                source = timeline.source
                probe.shown_time = source.cursor if source is not None else None
                if probe.shown_time is not None:
                    probe.applied_at.setdefault(probe.shown_time, time.perf_counter())
                colors = controller.colors
                if probe.recording and colors is not None and (len(colors.indices) < bound or colors.stale.any()):
                    probe.gaps += 1  # 1 Hz data: every equipment has a fresh state at any time of the recording

            def on_rendered() -> None:
                if probe.shown_time is not None and probe.shown_time != probe.rendered_time:
                    probe.rendered_time = probe.shown_time
                    if probe.recording:
                        probe.updates.append((time.perf_counter(), probe.shown_time))

            def on_latency_tick() -> None:
                now = time.perf_counter()
                probe.lateness.append(max(0.0, now - probe.last_tick - PROBE_MS / 1000))
                probe.last_tick = now

            def on_render_start(*_: object) -> None:
                probe.render_started = time.perf_counter()

            def on_render_end(*_: object) -> None:
                if probe.render_started is not None:
                    probe.frames.append(time.perf_counter() - probe.render_started)
                    probe.render_started = None

            # Every VTK frame, whoever asks for it (the scene's render, the widget's paint).
            window.plotter.ren_win.AddObserver("StartEvent", on_render_start)
            window.plotter.ren_win.AddObserver("EndEvent", on_render_end)
            controller.colors_applied.connect(on_applied)
            scene.rendered.connect(on_rendered)

            opened_at = time.perf_counter()
            controller.connect_source(SourceSettings("recording", recording.stem, str(recording)))
            if not _wait(app, 120.0, lambda: timeline.mode is Mode.REPLAY and timeline.source is not None):
                raise RuntimeError("the recording did not open in replay mode within 120 s")
            figures["open"] = time.perf_counter() - opened_at
            source = timeline.source
            seek = source.seek

            def timed_seek(at: float) -> int:
                began = time.perf_counter()
                try:
                    return seek(at)
                finally:
                    probe.steps.append(time.perf_counter() - began)

            source.seek = timed_seek  # the worker's job looks it up on each seek
            _wait(app, 10.0, lambda: probe.rendered_time is not None and timeline.idle())
            say(f"  recording opened in replay mode in {figures['open']:.1f} s (tags, time range, alarm marks)")

            # Seek anywhere: from the cursor move to the frame that shows the state there.
            rng = np.random.default_rng(0)
            seek_times, seek_applied, seek_steps = [], [], []
            lookback = min(3600.0, (end_time - start_time) / 2)
            for at in rng.uniform(start_time + lookback, end_time, seeks):
                at = float(round(at))
                probe.steps.clear()
                began = time.perf_counter()
                timeline.seek(at)
                if _wait(app, 5.0, lambda at=at: probe.rendered_time == at):
                    seek_times.append(time.perf_counter() - began)
                    seek_applied.append(probe.applied_at[at] - began)
                    seek_steps += probe.steps
            figures["seek_median"] = statistics.median(seek_times) if seek_times else float("nan")
            figures["seek_p95"] = _percentile(seek_times, 95)
            figures["seek_applied_median"] = statistics.median(seek_applied) if seek_applied else float("nan")
            figures["seek_step_median"] = statistics.median(seek_steps) if seek_steps else float("nan")
            figures["seeks_shown"] = len(seek_times)

            # A jump, then the cursor rests: when its alarms began is asked after a pause, on the worker.
            asked: list[float] = []
            answered: list[tuple[float, int]] = []
            request = timeline.request_alarm_starts

            def timed_request(limits: dict) -> None:
                asked.append(time.perf_counter())
                if not limits:  # no alarm there: nothing to ask the recording
                    answered.append((asked[-1], 0))
                request(limits)

            timeline.request_alarm_starts = timed_request
            timeline.alarm_starts_ready.connect(lambda _at, starts: answered.append((time.perf_counter(), len(starts))))
            rested_at = float(round(rng.uniform(start_time + lookback, end_time)))
            timeline.seek(rested_at)
            _wait(app, 10.0, lambda: bool(answered))
            timeline.request_alarm_starts = request
            figures["alarms_after_jump"] = float(answered[0][1]) if answered and asked else float("nan")
            figures["alarm_lookup"] = answered[0][0] - asked[0] if answered and asked else float("nan")

            # Play from one hour in (a full look-back behind the cursor), at `speed`, for `seconds`.
            timeline.seek(start_time + lookback)
            _wait(app, 5.0, lambda: probe.rendered_time == start_time + lookback)
            colours_before = scene.view.batch.override.copy()
            changed = np.zeros(len(scene.view.batch), bool)
            probe.steps.clear()
            probe.frames.clear()
            latency_timer = QTimer()
            latency_timer.setInterval(PROBE_MS)
            latency_timer.timeout.connect(on_latency_tick)
            timeline.set_speed(speed)
            probe.recording = True
            wall_start = time.perf_counter()
            shown_start = probe.rendered_time
            probe.last_tick = wall_start
            none_refs = sys.getrefcount(None)
            latency_timer.start()
            timeline.set_playing(True)
            end = wall_start + seconds
            while time.perf_counter() < end and timeline.playing:
                _wait(app, min(0.5, end - time.perf_counter()))
                changed |= np.any(scene.view.batch.override != colours_before, axis=1)
            latency_timer.stop()
            figures["none_refs_dropped"] = none_refs - sys.getrefcount(None)
            playing_to_end = timeline.playing
            timeline.set_playing(False)
            probe.recording = False
            wall = time.perf_counter() - wall_start
            figures["wall"] = wall
            updates = probe.updates
            shown_end = updates[-1][1] if updates else shown_start
            figures["advanced"] = (shown_end - shown_start) if shown_start is not None else 0.0
            figures["rate"] = figures["advanced"] / wall
            intervals = [b[0] - a[0] for a, b in itertools.pairwise(updates)]
            jumps = [b[1] - a[1] for a, b in itertools.pairwise(updates)]
            figures["updates"] = len(updates)
            figures["interval_median"] = statistics.median(intervals) if intervals else float("nan")
            figures["interval_p95"] = _percentile(intervals, 95)
            figures["interval_max"] = max(intervals) if intervals else float("nan")
            figures["first_update"] = (updates[0][0] - wall_start) if updates else float("nan")
            figures["jump_median"] = statistics.median(jumps) if jumps else float("nan")
            figures["backwards"] = sum(j < 0 for j in jumps)
            figures["step_median"] = statistics.median(probe.steps) if probe.steps else float("nan")
            figures["step_p95"] = _percentile(probe.steps, 95)
            figures["steps"] = len(probe.steps)
            figures["frame_median"] = statistics.median(probe.frames) if probe.frames else float("nan")
            figures["frame_p95"] = _percentile(probe.frames, 95)
            figures["frames"] = len(probe.frames)
            figures["latency_median"] = statistics.median(probe.lateness) if probe.lateness else float("nan")
            figures["latency_p95"] = _percentile(probe.lateness, 95)
            figures["latency_max"] = max(probe.lateness) if probe.lateness else float("nan")
            batch = scene.view.batch
            figures["equipment"] = len(batch)
            figures["coloured"] = int(batch.has_override.sum())
            figures["colour_changed"] = int(changed.sum())
            figures["gaps"] = probe.gaps
            stutter_free = (
                bool(intervals)
                and figures["interval_p95"] <= STUTTER_FACTOR * figures["interval_median"]
                and figures["interval_max"] <= STUTTER_MAX
                and figures["rate"] >= 0.9 * speed
            )
            figures["no_stutter"] = float(stutter_free)
            figures["reached_end"] = float(not playing_to_end)
            timeline.seek(start_time)  # leave the worker with a cheap last job
            _wait(app, 5.0, timeline.idle)
        finally:
            window.sensor_ui.shutdown()
            window.close()
    _report(figures, speed, say)
    return figures


def _report(f: dict[str, float], speed: float, say: Callable[[str], None]) -> None:
    def ms(*keys: str) -> str:
        return " / ".join(f"{f[k] * 1e3:.0f}" for k in keys) + " ms"

    def line(label: str, value: str, note: str = "") -> None:
        say(f"  {label:52s} {value:>18s}  {note}".rstrip())

    seek_ok = f["seek_p95"] <= SEEK_TARGET
    line(
        "seek anywhere: cursor -> frame, median / p95",
        ms("seek_median", "seek_p95"),
        f"{'PASS' if seek_ok else 'FAIL'} (target <= 100 ms; {int(f['seeks_shown'])} seeks)",
    )
    line("seek anywhere: on the worker / colours applied", ms("seek_step_median", "seek_applied_median"), "medians")
    line(
        "after a jump: when its alarms began, on the worker",
        ms("alarm_lookup"),
        f"{f['alarms_after_jump']:.0f} alarms; asked once the cursor rests (the next seek would wait for it)",
    )
    line(
        f"play at {speed:g}x: recording s per wall s",
        f"{f['rate']:.0f}",
        f"{f['rate'] / speed:.0%} of {speed:g}x, {f['advanced']:,.0f} s in {f['wall']:.1f} s"
        + (", reached the end" if f["reached_end"] else ""),
    )
    line(
        "screen updates: interval median / p95 / max",
        ms("interval_median", "interval_p95", "interval_max"),
        f"{int(f['updates'])} updates, {f['jump_median']:.0f} s of recording each"
        + (f", {int(f['backwards'])} went backwards" if f["backwards"] else ""),
    )
    line("play step on the worker, median / p95", ms("step_median", "step_p95"), f"{int(f['steps'])} steps")
    line(
        "VTK frame, median / p95",
        ms("frame_median", "frame_p95"),
        f"{f['frames'] / max(1, f['updates']):.1f} frames per screen update",
    )
    line(
        f"GUI event latency ({PROBE_MS} ms timer), median / p95 / max",
        ms("latency_median", "latency_p95", "latency_max"),
    )
    line(
        "equipment coloured by the recording",
        f"{int(f['coloured'])} of {int(f['equipment'])}",
        f"{int(f['colour_changed'])} changed colour; {int(f['gaps'])} updates with some uncoloured or stale",
    )
    if f["none_refs_dropped"] > 0:
        line(
            "references to None dropped (PySide6 bug)",
            f"{f['none_refs_dropped'] / f['wall']:,.0f}/s",
            "see guard_none_refcount",
        )
    say(f"  {'NO STUTTER' if f['no_stutter'] else 'STUTTER'} (rule: {STUTTER_RULE})")

"""Live-data benchmark in a real window: 10,000 tags at 10 Hz through a real Mosquitto into the 3D view.

mothertwin bench live [--tags 10000] [--rate 10] [--seconds 20] [--frames 30]   (under a display, e.g. xvfb-run)

Prints values/s received, backlog (lag early vs late in the run), p95 latency from publish to colour applied,
and the orbit frame time with updates flowing against without. Figures, not a pass/fail test.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication

from viewer.bench.live_peers import start_mosquitto, start_publisher
from viewer.io import builtin_library, save_document
from viewer.model.synthetic import generate_plant
from viewer.sensors import Bindings, SourceSettings


def _pump(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        # Bounded: with frames slower than the timers, an unbounded call would never return.
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.002)


def _orbit(app: QApplication, window: object, frames: int) -> float:
    """Median seconds per frame while the camera turns (level of detail on, as when dragging), events
    processed between frames so the sensor timers run as they would."""
    scene = window.scene
    scene._on_interaction_start()  # what the interactor does when a drag begins: boxes while moving
    times = []
    try:
        for _ in range(frames):
            start = time.perf_counter()
            window.plotter.camera.azimuth += 360.0 / frames
            scene.render_now()
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            times.append(time.perf_counter() - start)
    finally:
        scene._on_interaction_end()
    return statistics.median(times)


def _plant_with_tags(tags: int) -> object:
    library = builtin_library()
    equipment = max(10, tags // 2)
    for _ in range(6):  # about 1.9 signals per synthetic equipment: settle on the count in a few tries
        document = generate_plant(library, equipment, seed=1)
        count = len(Bindings.build(list(document.iter_equipment())).by_tag)
        if abs(count - tags) <= tags * 0.01:
            break
        equipment = max(10, round(equipment * tags / count))
    return document


def run(tags: int = 10_000, rate: float = 10.0, seconds: float = 20.0, frames: int = 30) -> dict[str, float]:
    from viewer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        document = _plant_with_tags(tags)
        path = folder / "bench.mtplant.json"
        save_document(document, path)
        broker, url = start_mosquitto(folder)
        publisher = None
        window = MainWindow(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        try:
            window.resize(1280, 800)
            window.show()
            window.open_file(path)
            _pump(app, 2.0)
            controller = window.sensor_ui.controller
            deadline = time.monotonic() + 30
            while controller.bindings is None and time.monotonic() < deadline:  # bound on a worker thread
                _pump(app, 0.1)
            batch = window.scene.view.batch
            tag_count = len(controller.bindings.by_tag) if controller.bindings else 0
            print(f"MotherTwin live-data benchmark: {len(batch)} equipment, {tag_count:,} tags, window 1280x800")
            print(f"  renderer: {type(window.plotter.ren_win).__name__}")
            figures["orbit_idle"] = _orbit(app, window, frames)

            publisher, published_tags = start_publisher(path, url, rate, seconds)
            name = controller.connect_source(SourceSettings("mqtt", "mqtt", url, options={"topics": ["mothertwin/#"]}))
            deadline = time.monotonic() + 10
            while controller.sources.source(name) is None or str(controller.sources.source(name).status) != "connected":
                _pump(app, 0.05)
                if time.monotonic() > deadline:
                    raise TimeoutError("the window's MQTT source did not connect")
            source = controller.sources.source(name)

            order = sorted(controller.bindings.by_tag)
            seen = np.zeros(len(order))
            latencies: list[np.ndarray] = []
            arrivals: list[np.ndarray] = []  # publish -> in the window's store (network, worker, decoding)
            lags: list[tuple[float, float]] = []  # (wall time, median lag of the store's newest samples)

            def on_applied(applied_at: float) -> None:
                # Every sample newer than the last one seen is on screen now: publish -> applied per value.
                columns = controller.store.columns(order)
                times = columns.time
                fresh = np.flatnonzero(times > seen)
                if len(fresh):
                    seen[fresh] = times[fresh]
                    latencies.append(applied_at - times[fresh])
                    arrivals.append(columns.received[fresh] - times[fresh])
                    lags.append((applied_at, float(np.median(applied_at - times[fresh]))))

            controller.colors_applied.connect(on_applied)
            publisher.stdin.write("go\n")
            publisher.stdin.flush()
            started = time.monotonic()
            values_at_start = source.counters.values
            _pump(app, min(5.0, seconds / 4))
            figures["orbit_updates"] = _orbit(app, window, frames)
            _pump(app, max(0.0, seconds - (time.monotonic() - started)))
            elapsed = time.monotonic() - started
            received = source.counters.values - values_at_start
            while publisher.poll() is None and time.monotonic() - started < seconds + 30:
                _pump(app, 0.1)
            _pump(app, 1.0)  # the last messages in flight
            controller.colors_applied.disconnect(on_applied)
            sent_messages = int(publisher.stdout.read().split()[-1])
            published_values = sent_messages // -(-published_tags // 100) * published_tags
            figures["delivered"] = (source.counters.values - values_at_start) / max(1, published_values)

            all_latencies = np.concatenate(latencies) if latencies else np.zeros(1)
            figures["values_per_s"] = received / elapsed
            figures["p95_latency"] = float(np.percentile(all_latencies, 95))
            figures["median_latency"] = float(np.median(all_latencies))
            all_arrivals = np.concatenate(arrivals) if arrivals else np.zeros(1)
            figures["p95_arrival"] = float(np.percentile(all_arrivals, 95))
            early = [lag for t, lag in lags if t - lags[0][0] < 5.0] if lags else [0.0]
            late = [lag for t, lag in lags if lags[-1][0] - t < 5.0] if lags else [0.0]
            figures["lag_early"], figures["lag_late"] = float(np.median(early)), float(np.median(late))
            figures["malformed"] = source.counters.malformed
            expected = published_tags * rate
            print(
                f"  published                              {published_tags:,} tags at {rate:g} Hz, 100 per message "
                f"= {expected:,.0f} values/s"
            )
            print(
                f"  received                               {figures['values_per_s']:,.0f} values/s "
                f"({figures['values_per_s'] / expected:.0%}), {int(figures['malformed'])} malformed"
            )
            print(
                f"  delivered in the end                   {figures['delivered']:.1%} of "
                f"{published_values:,} values published"
            )
            print(
                f"  lag, first 5 s / last 5 s (median)     {figures['lag_early'] * 1e3:.0f} ms / "
                f"{figures['lag_late'] * 1e3:.0f} ms  "
                f"{'no backlog growth' if figures['lag_late'] < figures['lag_early'] + 0.1 else 'BACKLOG GROWS'}"
            )
            verdict = "PASS" if figures["p95_latency"] <= 0.25 else "FAIL"
            print(f"  publish -> in the window's store: p95  {figures['p95_arrival'] * 1e3:.0f} ms")
            print(f"  publish -> colour applied: median      {figures['median_latency'] * 1e3:.0f} ms")
            print(
                f"  publish -> colour applied: p95         {figures['p95_latency'] * 1e3:.0f} ms  "
                f"{verdict} (target <= 250 ms)"
            )
            ratio = figures["orbit_updates"] / figures["orbit_idle"]
            figures["orbit_ratio"] = ratio
            print(f"  orbit frame, no updates (median)       {figures['orbit_idle'] * 1e3:.0f} ms")
            print(f"  orbit frame, with updates (median)     {figures['orbit_updates'] * 1e3:.0f} ms")
            print(
                f"  with / without                         {ratio:.2f}x  "
                f"{'PASS' if ratio <= 1.5 else 'FAIL'} (target <= 1.5x)"
            )
        finally:
            window.sensor_ui.shutdown()
            window.close()
            if publisher is not None and publisher.poll() is None:
                publisher.kill()
            broker.kill()
            broker.wait(timeout=5)
    return figures

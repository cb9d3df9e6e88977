"""The replay benchmark in the real window under Xvfb, on a small recording: its figures, not just a run."""

from __future__ import annotations

import pytest
from mothertwin_builtin_sources.replay import SEEK_LOOKBACK, RecordingSource

from viewer.bench.replay import plant_for_tags, run, tag_template
from viewer.sensors import SampleBuffer
from viewer.sensors.recording import Recording, make_synthetic_recording

T0 = 1_735_689_600.0


def test_play_steps_hold_the_same_state_as_fresh_seeks(tmp_path) -> None:
    """Forward steps read only what changed; the store must still equal a full seek at every step: a fast
    tag, a slow one (beyond the first, short look), one that falls silent beyond the look-back."""
    rows = [(T0 + t, "fast", float(t)) for t in range(0, 4000)]
    rows += [(T0 + t, "slow", float(t)) for t in range(0, 4000, 150)]
    rows += [(T0 + t, "gone", float(t)) for t in range(0, 11)]
    path = tmp_path / "mixed.csv"
    path.write_text("time,tag,value\n" + "".join(f"{t},{tag},{v}\n" for t, tag, v in sorted(rows)))
    recording = Recording(path)
    store = SampleBuffer(stale_after=10.0)
    source = RecordingSource(store, recording)
    at = T0 + 20
    source.seek(at)
    while at < T0 + 3900:
        at += 37.0
        source.seek(at)
        expected = recording.state_at(at, window=SEEK_LOOKBACK)
        assert set(store.tags()) >= set(expected)
        held = {tag: store.latest(tag) for tag in store.tags() if store.tag_state(tag) is not None}
        assert {tag: (s.time, s.value) for tag, s in held.items()} == {
            tag: (s.time, s.value) for tag, s in expected.items()
        }, at
    assert "gone" not in held, "silent for longer than the look-back: no state"
    source.seek(T0 + 100)  # backwards: read afresh
    assert store.latest("fast").time == T0 + 100 and store.latest("gone").time == T0 + 10
    recording.close()


@pytest.mark.gui
def test_tag_template_keeps_the_common_prefix_and_escapes_braces() -> None:
    assert tag_template(["SYN/T0000", "SYN/T0001"]) == ("SYN/{signal}", ["T0000", "T0001"])
    assert tag_template(["a{b}/x/1", "a{b}/y/2"]) == ("a{{b}}/{signal}", ["x/1", "y/2"])
    assert tag_template(["one", "two"]) == ("{signal}", ["one", "two"])
    document = plant_for_tags(["P/a", "P/b", "P/c"])
    assert [s.name for p in document.iter_equipment() for s in p.equipment.signals] == ["a", "b", "c"]


@pytest.mark.gui
def test_replay_bench_plays_a_small_recording_at_600x(qapp, tmp_path) -> None:
    path = tmp_path / "small.parquet"
    make_synthetic_recording(path, tags=20, seconds=2 * 3600, row_group_size=10_000)
    speed, seconds = 600.0, 3.0
    figures = run(path, speed=speed, seconds=seconds, seeks=3, quiet=True)
    assert figures["equipment"] == figures["coloured"] == 20, "every tag colours its equipment"
    assert figures["seeks_shown"] == 3, "each seek reached the screen"
    # After the jump the bench rests on, the recording was asked when its alarms began, and answered.
    assert figures["alarms_after_jump"] >= 0 and 0 <= figures["alarm_lookup"] < 5.0
    # The screen follows the cursor: the shown recording time moves at about the speed asked, forwards only.
    assert 0.5 * speed <= figures["rate"] <= 1.1 * speed
    assert figures["advanced"] >= 0.5 * speed * seconds
    assert figures["updates"] >= 4 and figures["backwards"] == 0
    assert figures["steps"] >= figures["updates"] - 1, "every update shows a state the worker read"
    assert figures["colour_changed"] >= 2, "the waves cross the limits: colours change while playing"
    assert figures["gaps"] == 0, "no update showed equipment uncoloured or stale mid-seek"
    assert 0 < figures["interval_median"] <= figures["interval_p95"] <= figures["interval_max"]
    assert figures["frame_median"] > 0 and figures["latency_max"] >= 0

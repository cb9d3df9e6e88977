"""Process output matching (Copy Exactly level 2): do matched mother and child equipment produce the same?

For each matched pair and each analog signal both have, the same period of data is compared: mean, standard
deviation, Cpk against the signal's limits, and a two-sample test. A pair is flagged when the difference is
both statistically significant (Welch's t-test or Kolmogorov-Smirnov below `alpha`) and large enough to
matter (standardised mean difference above `min_effect`): with days of 1 Hz data, anything is "significant".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from viewer.compare.diff import DiffResult
from viewer.model import Signal, SignalKind
from viewer.sensors.bindings import Bindings
from viewer.sensors.recording import Recording

SeriesLoader = Callable[[str, str], np.ndarray]  # (equipment id, signal name) -> values over the period


@dataclass(frozen=True)
class SeriesStats:
    count: int
    mean: float
    std: float
    cpk: float | None  # None without limits


@dataclass(frozen=True)
class OutputComparison:
    mother_id: str
    child_id: str
    signal: str
    unit: str
    mother: SeriesStats
    child: SeriesStats
    welch_p: float
    ks_p: float
    effect: float  # |mean difference| / pooled standard deviation
    significant: bool


def cpk(values: np.ndarray, signal: Signal) -> float | None:
    """Process capability against lo/hi (one-sided when only one exists)."""
    mean, std = float(np.mean(values)), float(np.std(values, ddof=1))
    lo, hi = signal.limits.lo, signal.limits.hi
    if std == 0 or (lo is None and hi is None):
        return None
    sides = [(hi - mean) / (3 * std)] if hi is not None else []
    sides += [(mean - lo) / (3 * std)] if lo is not None else []
    return float(min(sides))


def describe(values: np.ndarray, signal: Signal) -> SeriesStats:
    return SeriesStats(len(values), float(np.mean(values)), float(np.std(values, ddof=1)), cpk(values, signal))


def compare_outputs(
    result: DiffResult,
    mother_series: SeriesLoader,
    child_series: SeriesLoader,
    alpha: float = 0.01,
    min_effect: float = 0.2,
    min_samples: int = 10,
) -> list[OutputComparison]:
    """Compare every analog signal of every matched pair; sets `result.outputs_match`."""
    out = []
    for mother, child in result.pairs:
        child_signals = {s.name: s for s in child.signals}
        for signal in mother.signals:
            if signal.kind != SignalKind.ANALOG or signal.name not in child_signals:
                continue
            a = np.asarray(mother_series(mother.id, signal.name), dtype=float)
            b = np.asarray(child_series(child.id, signal.name), dtype=float)
            a, b = a[np.isfinite(a)], b[np.isfinite(b)]
            if len(a) < min_samples or len(b) < min_samples:
                continue
            welch = stats.ttest_ind(a, b, equal_var=False)
            ks = stats.ks_2samp(a, b)
            pooled = float(np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2))
            effect = abs(float(np.mean(a) - np.mean(b))) / pooled if pooled > 0 else float(np.mean(a) != np.mean(b))
            significant = bool(min(float(welch.pvalue), float(ks.pvalue)) < alpha and effect > min_effect)
            out.append(
                OutputComparison(
                    mother.id,
                    child.id,
                    signal.name,
                    signal.unit,
                    describe(a, signal),
                    describe(b, child_signals[signal.name]),
                    float(welch.pvalue),
                    float(ks.pvalue),
                    effect,
                    significant,
                )
            )
    result.outputs_match = bool(out) and not any(c.significant for c in out)
    return out


def recording_loader(recording: Recording, bindings: Bindings, start: float, end: float) -> SeriesLoader:
    """Series from a recording, found through a site's tag bindings (the same tags the 3D view uses)."""
    tags = set(recording.tags())
    by_signal = {(b.equipment_id, b.signal.name): b.tag for own in bindings.by_equipment for b in own}

    def load(equipment_id: str, signal_name: str) -> np.ndarray:
        tag = by_signal.get((equipment_id, signal_name))
        if tag is None or tag not in tags:
            return np.zeros(0)
        _, values = recording.series(tag, start, end)
        return np.asarray(values, dtype=float)

    return load

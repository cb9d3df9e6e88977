"""How every benchmark of `mothertwin bench` writes a figure: one aligned line, and PASS/FAIL against a target."""

from __future__ import annotations

import numpy as np


def figure_line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:44s} {value:>12s}  {note}")


def verdict(ok: bool, target: str) -> str:
    return f"{'PASS' if ok else 'FAIL'} ({target})"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0

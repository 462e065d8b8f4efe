"""Small statistics for benchmark samples."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """Median, p95 and mean of samples given in seconds, in milliseconds."""
    if not samples_s:
        return {"median_ms": float("nan"), "p95_ms": float("nan"), "mean_ms": float("nan"), "n": 0}
    ms = [s * 1000.0 for s in samples_s]
    return {"median_ms": statistics.median(ms), "p95_ms": percentile(ms, 0.95),
            "mean_ms": statistics.fmean(ms), "n": len(ms)}

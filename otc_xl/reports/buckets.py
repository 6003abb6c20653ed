"""The ageing bucket rule, in one place.

With boundaries ``(30, 60, 90, 120)`` an age in days falls in ``Current`` (age ≤ 0: not yet
due, or due today), ``1-30``, ``31-60``, ``61-90``, ``91-120`` or ``Over 120``; with ``(15, 45)``
in ``Current``, ``1-15``, ``16-45`` or ``Over 45``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

CURRENT = "Current"


def bucket_labels(buckets: tuple[int, ...] | list[int]) -> list[str]:
    """Labels in order: ``Current``, ``1-30``, …, ``Over 120``."""
    bounds = check_buckets(buckets)
    labels, low = [CURRENT], 1
    for high in bounds:
        labels.append(f"{low}-{high}")
        low = high + 1
    return labels + [f"Over {bounds[-1]}"]


def check_buckets(buckets) -> tuple[int, ...]:
    bounds = tuple(int(b) for b in buckets)
    if not bounds or bounds[0] < 1 or any(b >= c for b, c in zip(bounds, bounds[1:])):
        raise ValueError(f"buckets must be increasing positive day counts, got {buckets!r}")
    return bounds


def bucket_index(days: np.ndarray, buckets: tuple[int, ...]) -> np.ndarray:
    """Position of each age in :func:`bucket_labels` (0 = Current)."""
    bounds = np.asarray((0, *check_buckets(buckets)))
    return np.searchsorted(bounds, np.asarray(days), side="left")


def age_in_days(dates: pd.Series, as_of: dt.date) -> np.ndarray:
    """Whole days from each date to ``as_of`` (positive = in the past)."""
    stamp = np.datetime64(pd.Timestamp(as_of).normalize().to_datetime64(), "D")  # type: ignore[call-overload]
    return (stamp - dates.to_numpy(dtype="datetime64[D]")).astype("int64")


def bucket_of(days: np.ndarray, buckets: tuple[int, ...]) -> pd.Categorical:
    """Bucket labels as an ordered categorical."""
    labels = bucket_labels(buckets)
    return pd.Categorical.from_codes(bucket_index(days, buckets),  # type: ignore[call-overload]
                                     categories=labels, ordered=True)

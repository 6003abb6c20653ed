"""Exact money arithmetic on pandas columns.

Canonical frames carry amounts as ``float64`` values that are whole cents. Anything that must
tie (sums, differences, reconciliations) is done on ``int64`` cents from :func:`cents` and turned
back with :func:`from_cents`, so 0.1 + 0.2 is 0.30 and a million rows add up to the cent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cents(values: pd.Series | np.ndarray | float) -> np.ndarray:
    """Whole cents as int64 (half away from zero, so 0.005 → 1 and -0.005 → -1)."""
    arr = np.asarray(values, dtype="float64") * 100.0
    return (np.sign(arr) * np.floor(np.abs(arr) + 0.5 + 1e-9)).astype("int64")


def from_cents(values: np.ndarray | pd.Series | int) -> np.ndarray:
    """Cents back to float amounts with exactly two decimals."""
    return np.asarray(values, dtype="int64") / 100.0


def money_sum(values: pd.Series | np.ndarray) -> float:
    """Exact sum of an amount column, returned as a two-decimal float."""
    return int(cents(values).sum()) / 100.0

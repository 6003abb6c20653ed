"""Exact money arithmetic on pandas columns.

Canonical frames carry amounts as ``float64`` values that are whole cents. Anything that must
tie (sums, differences, reconciliations) is done on ``int64`` cents from :func:`cents` and turned
back with :func:`from_cents`, so 0.1 + 0.2 is 0.30 and a million rows add up to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

_NEAR_HALF = 1e-6
"""How close to half a cent a scaled binary value must be to be decided from its decimal form (cents)…"""
_NEAR_HALF_RELATIVE = 1e-13
"""…or, for large amounts, relative to the amount: the binary error grows with the magnitude
(4,398,046,511.105 × 100 lies 6e-5 cents below the half)."""


def to_cents(amount: Decimal | float | int) -> int:
    """Exact whole cents of one amount, half away from zero, rounding the amount *as written*: a float
    is taken at its shortest decimal form (``repr``), so 277820.915 → 27782092 and 1.005 → 101 even
    though their binary values lie a hair below the half cent. The one cent-rounding rule of otc_xl:
    :func:`cents` applies it to whole columns."""
    if not isinstance(amount, Decimal):
        amount = Decimal(repr(float(amount)))
    return int(amount.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents(values: pd.Series | np.ndarray | float) -> np.ndarray:
    """Whole cents as int64, half away from zero (0.005 → 1, -0.005 → -1), exactly as :func:`to_cents`
    rounds each value: the binary product ``value × 100`` decides, except near a half cent (within a
    millionth of a cent, or 1e-13 of the amount), where the value's decimal form does."""
    arr = np.asarray(values, dtype="float64")
    flat = arr.reshape(-1)
    scaled = np.abs(flat) * 100.0
    out = np.sign(flat) * np.floor(scaled + 0.5)
    near = np.maximum(_NEAR_HALF, scaled * _NEAR_HALF_RELATIVE)
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < near):
        out[i] = to_cents(float(flat[i]))
    return out.astype("int64").reshape(arr.shape)


def from_cents(values: np.ndarray | pd.Series | int) -> np.ndarray:
    """Cents back to float amounts with exactly two decimals."""
    return np.asarray(values, dtype="int64") / 100.0


def money_sum(values: pd.Series | np.ndarray) -> float:
    """Exact sum of an amount column, returned as a two-decimal float."""
    return int(cents(values).sum()) / 100.0

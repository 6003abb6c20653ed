"""A raw cell value as a spreadsheet reader returns it: whether it is blank, and how a message quotes it."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def is_blank(value: Any) -> bool:
    """True for None, NaN/NaT and strings of only white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NaT


def _describe(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")

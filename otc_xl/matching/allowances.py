"""What may be written off: the tolerance for bank charges and cents, and early-payment discounts
(the rate, and the window in which it is earned)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .book import _Book
from .settings import MatchConfig


def _outside_window(items: list[int], book: _Book, config: MatchConfig, paid: Any,
                    terms: tuple[tuple[float, ...], int] | None = None) -> str:
    """Why an early-payment discount on ``items`` paid on ``paid`` is not earned ("" when it is): paid
    more than the window (the customer's own ``early_discount_days``, else ``discount_days``) after an
    invoice's date, or a date unknown so the window cannot be checked."""
    window = terms[1] if terms else config.discount_days
    if not window:
        return ""
    for k in items:
        issued = book.issued[k]
        if paid is None or pd.isna(paid) or pd.isna(issued):
            return f"the dates needed to check the {window}-day discount window are missing"
        days = (pd.Timestamp(paid) - pd.Timestamp(issued)).days
        if days > window:
            return (f"it was paid {days} days after {book.ids[k]} was issued (window: {window} days"
                    + (", the customer's terms)" if terms else ")"))
    return ""


def _tolerance(total: int, config: MatchConfig) -> int:
    return int(min(config.tolerance_abs * 100, abs(total) * config.tolerance_pct / 100))


def _discount(amount: int, total: int, count: int, config: MatchConfig,
              terms: tuple[tuple[float, ...], int] | None = None) -> float | None:
    """The early-payment discount rate ``amount`` is ``total`` less (within ``count`` cents of rounding): the
    customer's own rate when its master has one, else one of ``discount_rates``."""
    for rate in (terms[0] if terms else config.discount_rates):
        if total > 0 and abs(amount - round(total * (1 - rate))) <= count:
            return rate
    return None

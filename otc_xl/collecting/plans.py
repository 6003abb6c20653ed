"""Payment plans: a balance split into instalments whose amounts add up exactly to it."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.money import cents


def payment_plan(balance: float, instalments: int, first_date: dt.date, every_months: int = 1,
                 every_days: int | None = None) -> pd.DataFrame:
    """Instalment schedule: ``instalment``, ``due_date``, ``amount``, ``remaining``.

    Every instalment is the balance divided evenly, rounded down to the cent; the last one takes
    the cents left over, so the amounts always sum to ``balance`` exactly (100.00 in 3 →
    33.33, 33.33, 33.34). Dates step by ``every_months`` calendar months from ``first_date``
    (31 January → 28/29 February → 31 March), or by ``every_days`` when given.
    """
    total = cents(balance).item()
    if total <= 0:
        raise ValueError(f"balance must be more than zero, got {balance}")
    if not 1 <= int(instalments) <= 360:
        raise ValueError(f"instalments must be between 1 and 360, got {instalments}")
    if every_days is not None and every_days < 1 or every_days is None and every_months < 1:
        raise ValueError("the interval between instalments must be at least one day or one month")
    n = int(instalments)
    base = total // n
    if base == 0:
        raise ValueError(f"a balance of {balance} cannot be split into {n} instalments of at least 0.01")
    amounts = [base] * (n - 1) + [total - base * (n - 1)]
    start = pd.Timestamp(first_date)
    dates = [start + (pd.Timedelta(days=every_days * k) if every_days else pd.DateOffset(months=every_months * k))
             for k in range(n)]
    remaining = [total - sum(amounts[: k + 1]) for k in range(n)]
    return pd.DataFrame({"instalment": range(1, n + 1), "due_date": pd.to_datetime(dates),
                         "amount": [a / 100 for a in amounts], "remaining": [r / 100 for r in remaining]})

"""Reconciliation controls: the totals of every report tie to the inputs, to the cent."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.money import cents
from .unapplied import APPLIED_STATUSES

COLUMNS = ["check", "currency", "expected", "actual", "difference", "ok"]


def reconciliation(invoices: pd.DataFrame, ageing_frame: pd.DataFrame, payments: pd.DataFrame,
                   applications: pd.DataFrame | None, unapplied_frame: pd.DataFrame,
                   as_of: dt.date) -> pd.DataFrame:
    """Per currency: Σ buckets = Σ open items; applied + unapplied = received (payments to as_of).

    ``ageing_frame`` is any grouped :func:`~otc_xl.reports.ageing` result (bucket columns and
    ``Total``); ``unapplied_frame`` the :func:`~otc_xl.reports.unapplied_cash` result.
    """
    rows = []
    open_items = invoices.loc[invoices["invoice_date"] <= pd.Timestamp(as_of)]
    bucket_columns = [c for c in ageing_frame.columns if c not in ("customer_id", "customer_name", "collector",
                                                                   "country", "currency", "Total")]
    for currency in sorted(set(open_items["currency"]) | set(ageing_frame.get("currency", []))):
        expected = _sum(open_items.loc[open_items["currency"] == currency, "open_amount"])
        mine = ageing_frame.loc[ageing_frame["currency"] == currency]
        buckets = sum(_sum(mine[c]) for c in bucket_columns)
        rows.append(_row("Σ ageing buckets = Σ open items", currency, expected, buckets))
        rows.append(_row("Σ ageing Total = Σ open items", currency, expected, _sum(mine["Total"])))
    received = payments.loc[payments["payment_date"] <= pd.Timestamp(as_of)]
    apps = applications if applications is not None else pd.DataFrame(columns=["payment_id", "applied_amount"])
    if "status" in apps:
        apps = apps.loc[apps["status"].isin(APPLIED_STATUSES)]
    apps = apps.loc[apps["payment_id"].isin(received["payment_id"])]
    currency_of = received.set_index("payment_id")["currency"]
    for currency in sorted(set(received["currency"])):
        expected = _sum(received.loc[received["currency"] == currency, "amount"])
        applied = _sum(apps.loc[apps["payment_id"].map(currency_of) == currency, "applied_amount"])
        unapplied = _sum(unapplied_frame.loc[unapplied_frame["currency"] == currency, "unapplied_amount"])
        rows.append(_row("applied + unapplied = received", currency, expected, applied + unapplied))
    return pd.DataFrame(rows, columns=COLUMNS)


def _sum(values) -> int:
    return int(cents(pd.Series(values, dtype="float64")).sum())


def _row(check: str, currency: str, expected: int, actual: int) -> dict:
    return {"check": check, "currency": currency, "expected": expected / 100, "actual": actual / 100,
            "difference": (actual - expected) / 100, "ok": expected == actual}

"""A long, pivot-ready table of open AR for team leaders' PivotTables."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from .ageing import ageing

COLUMNS = ["customer_id", "customer_name", "collector", "country", "currency", "bucket", "amount", "items"]


def pivot_data(invoices: pd.DataFrame, as_of: dt.date, buckets: tuple[int, ...] = Config.buckets,
               basis: str = "due_date", customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer × currency × bucket with the open amount and the number of items.

    Columns: customer_id, customer_name, collector, country, currency, bucket, amount, items —
    every dimension a PivotTable needs, one measure, no pre-computed totals.
    """
    detail = ageing(invoices, as_of, buckets, basis, by="invoice",
                    customers=customers if customers is not None and len(customers) else None)
    if "country" not in detail:
        detail["country"] = ""
    keys = COLUMNS[:6]
    grouped = (detail.assign(_c=cents(detail["open_amount"]), bucket=detail["bucket"].astype(str))
               .groupby(keys, sort=True).agg(_c=("_c", "sum"), items=("invoice_id", "size")).reset_index())
    grouped["amount"] = from_cents(grouped.pop("_c").to_numpy())
    labels = list(detail["bucket"].cat.categories)
    grouped["bucket"] = pd.Categorical(grouped["bucket"], categories=labels, ordered=True)
    return grouped.sort_values(keys, kind="stable").reset_index(drop=True)[COLUMNS]

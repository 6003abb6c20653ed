"""Ageing of open AR items into overdue buckets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from .buckets import age_in_days, bucket_index, bucket_labels

GROUPINGS = {
    "customer": ["customer_id", "customer_name"],
    "collector": ["collector"],
    "currency": [],
    "country": ["country"],
}


def ageing(invoices: pd.DataFrame, as_of: dt.date, buckets: tuple[int, ...] = Config.buckets,
           basis: str = "due_date", by: str = "customer", customers: pd.DataFrame | None = None,
           rates: Mapping[str, float] | None = None, home_currency: str = "EUR") -> pd.DataFrame:
    """Open items aged into buckets.

    ``invoices`` is a canonical invoices frame (``open_amount``, ``due_date``, ``invoice_date``,
    ``currency``, ``customer_id``, …). Age = ``as_of`` − ``basis`` date in days; age ≤ 0 is
    ``Current``, so an item due on ``as_of`` is current. Documents dated after ``as_of`` are left
    out; credit notes (negative) age like invoices and net within their group; amounts are never
    rounded away (0.01 shows).

    ``by``: ``customer`` (default; ``customer_id``, ``customer_name``), ``collector``,
    ``currency``, ``country`` (from ``customers``), or ``invoice`` (one row per open document
    with ``days_overdue`` and ``bucket``). Rows are always per currency — different currencies
    are never added in one cell — unless ``rates`` (currency → value of one unit in
    ``home_currency``) is given, in which case amounts are converted first and the currency column
    shows ``home_currency``.

    Returns the key columns, ``currency``, one column per bucket label, then ``Total``; groups whose
    buckets are all zero (fully netted) are left out. ``frame.attrs["excluded"]`` counts left-out
    documents by reason.
    """
    labels = bucket_labels(buckets)
    if basis not in ("due_date", "invoice_date"):
        raise ValueError(f"basis must be 'due_date' or 'invoice_date', got {basis!r}")
    if by not in (*GROUPINGS, "invoice"):
        raise ValueError(f"by must be one of {', '.join((*GROUPINGS, 'invoice'))}, got {by!r}")
    items = _open_items(invoices, as_of, customers, by)
    excluded = {"dated after as_of": int((invoices["invoice_date"] > pd.Timestamp(as_of)).sum()),
                "nothing open": int(((cents(invoices["open_amount"]) == 0)
                                     & (invoices["invoice_date"] <= pd.Timestamp(as_of))).sum())}
    amount = cents(items["open_amount"])
    if rates is not None:
        amount = _convert(amount, items["currency"], rates)
        items = items.assign(currency=home_currency)
    days = age_in_days(items[basis], as_of)
    index = bucket_index(days, buckets)
    if by == "invoice":
        result = _detail(items, amount, days, index, labels)
    else:
        result = _grouped(items, amount, index, labels, GROUPINGS[by] + ["currency"])
    result.attrs["excluded"] = excluded
    return result


def _open_items(invoices: pd.DataFrame, as_of: dt.date, customers: pd.DataFrame | None, by: str) -> pd.DataFrame:
    keep = (invoices["invoice_date"] <= pd.Timestamp(as_of)) & (cents(invoices["open_amount"]) != 0)
    items = invoices.loc[keep]
    if by == "country" or (by == "invoice" and customers is not None):
        if customers is None:
            raise ValueError("ageing by country needs the customers table")
        country = customers.drop_duplicates("customer_id").set_index("customer_id")["country"]
        items = items.assign(country=items["customer_id"].map(country).fillna(""))
    for column in ("customer_name", "collector"):
        if column not in items:
            items = items.assign(**{column: ""})
    return items


def _convert(amount: np.ndarray, currency: pd.Series, rates: Mapping[str, float]) -> np.ndarray:
    missing = sorted(set(currency.unique()) - set(rates))
    if missing:
        raise ValueError(f"no exchange rate for {', '.join(missing)}")
    factor = currency.map(rates).to_numpy(dtype="float64")
    return np.rint(amount * factor).astype("int64")


def _grouped(items: pd.DataFrame, amount: np.ndarray, index: np.ndarray, labels: list[str],
             keys: list[str]) -> pd.DataFrame:
    groups = items.groupby(keys, sort=True, dropna=False)
    codes = groups.ngroup().to_numpy()
    frame = groups.size().index.to_frame(index=False) if len(items) else pd.DataFrame(columns=keys)
    grid = np.zeros((len(frame), len(labels)), dtype="int64")
    np.add.at(grid, (codes, index), amount)
    for j, label in enumerate(labels):
        frame[label] = from_cents(grid[:, j])
    frame["Total"] = from_cents(grid.sum(axis=1))
    frame = frame.loc[(grid != 0).any(axis=1)].reset_index(drop=True)
    return frame


def _detail(items: pd.DataFrame, amount: np.ndarray, days: np.ndarray, index: np.ndarray,
            labels: list[str]) -> pd.DataFrame:
    columns = ["invoice_id", "customer_id", "customer_name", "collector", "doc_type", "invoice_date", "due_date",
               "currency", "dispute_code"]
    if "country" in items:  # not an Invoices column: _open_items adds it from Customers when asked
        columns.insert(4, "country")
    frame = items[[c for c in columns if c in items]].copy()
    frame["open_amount"] = from_cents(amount)
    frame["days_overdue"] = days
    frame["bucket"] = pd.Categorical.from_codes(index, categories=labels, ordered=True)  # type: ignore[call-overload]
    return frame.sort_values(["customer_id", "due_date", "invoice_id"], kind="stable").reset_index(drop=True)


def credit_balances(invoices: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Customers whose open items net negative, per currency: candidates for refund or reallocation.

    Columns: ``customer_id``, ``customer_name``, ``currency``, ``balance`` (negative), ``items``,
    ``credit_notes`` (their ids, ``;``-separated).
    """
    items = _open_items(invoices, as_of, None, "customer")
    keys = ["customer_id", "customer_name", "currency"]
    grouped = items.assign(_c=cents(items["open_amount"])).groupby(keys, sort=True)
    frame = grouped.agg(balance=("_c", "sum"), items=("invoice_id", "size")).reset_index()
    credits = items.loc[items["open_amount"] < 0].groupby(keys)["invoice_id"].agg(";".join)
    frame = frame.loc[frame["balance"] < 0].copy()
    frame["credit_notes"] = [credits.get(tuple(k), "") for k in frame[keys].itertuples(index=False)]
    frame["balance"] = from_cents(frame["balance"].to_numpy())
    return frame.reset_index(drop=True)

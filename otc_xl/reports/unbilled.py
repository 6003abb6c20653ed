"""Unbilled revenue: delivered or earned, not yet invoiced."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from .buckets import age_in_days, bucket_of

COLUMNS = ["order_id", "customer_id", "customer_name", "project", "delivery_date", "currency", "amount",
           "billed_amount", "pending_amount", "days_unbilled", "bucket"]


def unbilled_revenue(orders: pd.DataFrame, as_of: dt.date, invoices: pd.DataFrame | None = None,
                     buckets: tuple[int, ...] = Config.buckets,
                     customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per delivered order line still (partly) unbilled, aged from its delivery date, oldest first.

    ``pending_amount = amount − billed``. ``billed`` is the line's ``billed_amount`` when given;
    otherwise the ``amount`` of ``invoices`` carrying the same ``order_id`` (and currency),
    allocated to the order's lines oldest delivery first. Lines delivered after ``as_of``,
    fully billed lines and over-billed lines are left out and counted in
    ``frame.attrs["excluded"]``. ``customers`` (optional) supplies ``customer_name``.
    """
    lines = orders.loc[orders["delivery_date"] <= pd.Timestamp(as_of)]
    amount = cents(lines["amount"])
    stated = lines["billed_amount"]
    given = stated.notna().to_numpy()
    billed = np.where(given, cents(stated.fillna(0)), 0).astype("int64")
    if invoices is not None and (~given).any():
        billed[~given] = _allocated_from_invoices(lines.loc[~given], amount[~given], invoices)
    pending = amount - billed
    keep = np.flatnonzero(pending > 0)
    keep = keep[np.argsort(lines["delivery_date"].to_numpy()[keep], kind="stable")]  # oldest first
    days = age_in_days(lines["delivery_date"].iloc[keep], as_of)
    picked = lines.iloc[keep]
    names = (customers.drop_duplicates("customer_id").set_index("customer_id")["customer_name"]
             if customers is not None and len(customers) else None)
    frame = pd.DataFrame({
        "order_id": picked["order_id"].to_numpy(), "customer_id": picked["customer_id"].to_numpy(),
        "customer_name": (picked["customer_id"].map(names).astype("object").fillna("").to_numpy()
                          if names is not None else ""),
        "project": picked["project"].to_numpy(), "delivery_date": picked["delivery_date"].to_numpy(),
        "currency": picked["currency"].to_numpy(), "amount": from_cents(amount[keep]),
        "billed_amount": from_cents(billed[keep]), "pending_amount": from_cents(pending[keep]),
        "days_unbilled": days, "bucket": bucket_of(days, buckets),
    })
    frame.attrs["excluded"] = {"delivered after as_of": int(len(orders) - len(lines)),
                               "fully billed": int((pending == 0).sum()), "over-billed": int((pending < 0).sum())}
    return frame[COLUMNS]


def _allocated_from_invoices(lines: pd.DataFrame, amount: np.ndarray, invoices: pd.DataFrame) -> np.ndarray:
    """Invoice amounts per (order_id, currency), spread over the order's lines oldest first."""
    linked = invoices.loc[invoices["order_id"] != ""]
    pool = linked.assign(_c=cents(linked["amount"])).groupby(["order_id", "currency"])["_c"].sum().to_dict()
    billed = np.zeros(len(lines), dtype="int64")
    order = np.argsort(lines["delivery_date"].to_numpy(), kind="stable")
    keys = list(zip(lines["order_id"], lines["currency"]))
    for i in order:
        available = pool.get(keys[i], 0)
        take = min(max(available, 0), amount[i]) if amount[i] > 0 else 0
        billed[i] = take
        pool[keys[i]] = available - take
    return billed

"""Unapplied cash: money received and not (yet) applied to invoices."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from .buckets import age_in_days, bucket_of

APPLIED_STATUSES = ("auto", "applied", "confirmed")
"""Application statuses that count as applied; ``review`` suggestions do not move cash."""

COLUMNS = ["payment_id", "payment_date", "payer_name", "currency", "amount", "applied_amount", "unapplied_amount",
           "days_unapplied", "bucket", "reason", "suggested_customer_id", "remittance"]


def unapplied_cash(payments: pd.DataFrame, applications: pd.DataFrame | None, as_of: dt.date,
                   buckets: tuple[int, ...] = Config.buckets,
                   details: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per payment with money not applied, oldest first.

    ``applications`` has ``payment_id`` and ``applied_amount`` (the matcher's
    ``result.applications``; rows whose ``status`` is ``review`` are suggestions and do not count).
    ``details`` (the matcher's ``result.unapplied``) supplies ``reason`` and
    ``suggested_customer_id``; without it the reason is ``unapplied`` (nothing applied) or
    ``partial``. The remittance text is carried along for whoever works the item. Payments dated
    after ``as_of`` are left out. For every payment,
    ``applied_amount + unapplied_amount = amount`` exactly; applying more than was received is an
    error. Oracle's example: a 1,200 receipt applied 1,000 leaves 200 unapplied.
    """
    pays = payments.loc[payments["payment_date"] <= pd.Timestamp(as_of)]
    received = cents(pays["amount"])
    used = _applied_cents(pays["payment_id"], applications)
    over = used > received
    if over.any():
        ids = ", ".join(pays.loc[over, "payment_id"].head(5))
        raise ValueError(f"applications exceed the amount received for payment(s) {ids}")
    left = received - used
    keep = np.flatnonzero(left > 0)
    keep = keep[np.argsort(pays["payment_date"].to_numpy()[keep], kind="stable")]  # oldest first
    days = age_in_days(pays["payment_date"].iloc[keep], as_of)
    frame = pd.DataFrame({
        "payment_id": pays["payment_id"].to_numpy()[keep], "payment_date": pays["payment_date"].to_numpy()[keep],
        "payer_name": pays["payer_name"].to_numpy()[keep], "currency": pays["currency"].to_numpy()[keep],
        "amount": from_cents(received[keep]), "applied_amount": from_cents(used[keep]),
        "unapplied_amount": from_cents(left[keep]), "days_unapplied": days, "bucket": bucket_of(days, buckets),
        "reason": np.where(used[keep] == 0, "unapplied", "partial").astype(object), "suggested_customer_id": "",
        "remittance": pays["remittance"].to_numpy()[keep],
    })
    if details is not None and len(details):
        info = details.drop_duplicates("payment_id").set_index("payment_id")
        for column in ("reason", "suggested_customer_id"):
            if column in info:
                known = frame["payment_id"].map(info[column])
                frame[column] = known.where(known.notna() & (known != ""), frame[column])
    frame.attrs["excluded"] = {"dated after as_of": int(len(payments) - len(pays)),
                               "fully applied": int((left == 0).sum())}
    return frame[COLUMNS]


def _applied_cents(payment_ids: pd.Series, applications: pd.DataFrame | None) -> np.ndarray:
    """Cents applied to each payment (aligned with ``payment_ids``), by hash look-up, no sorting."""
    used = np.zeros(len(payment_ids), dtype="int64")
    if applications is None or applications.empty:
        return used
    apps = applications
    if "status" in apps:
        apps = apps.loc[apps["status"].isin(APPLIED_STATUSES)]
    index = pd.Index(payment_ids)
    if not index.is_unique:
        raise ValueError("payment_id must be unique in payments")
    position = index.get_indexer(apps["payment_id"])
    known = position >= 0
    np.add.at(used, position[known], cents(apps["applied_amount"])[known])
    return used

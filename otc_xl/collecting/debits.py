"""Direct debits for payment plans: each approved instalment collected once, under its mandate.

A plan (``PaymentPlans``: one row per instalment, written by ``otc-xl plan --into``) is collected by
SEPA Core direct debit when it carries a mandate: its id, the date the customer signed it, and the
IBAN to debit. An instalment is *due for collection* when it is approved, not in the ``DebitLog``,
and falls due within ``lead_days`` of the run (or is already due). Each one gets a ``status``:

* ``ready`` — collected in this run's file (sequence FRST for a mandate's first collection, RCUR after);
* ``no mandate``, ``mandate without date``, ``IBAN not valid: …``, ``IBAN outside SEPA: …``, ``mandate
  signed …, after the collection date``, ``not EUR: …`` — not collected, said so;
* ``later`` — not yet within the lead time.

The debit id (``DD-<plan>-<instalment>``) is the SEPA end-to-end id, so the bank's return of the
collection carries it back and cash application can find the instalment.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from ..model.money import cents
from ..model.values import iban_problem, sepa_problem
from .writeoffs import is_approved

COLUMNS = ["debit_id", "plan_id", "instalment", "customer_id", "currency", "amount", "due_date", "collection_date",
           "mandate_id", "mandate_date", "iban", "sequence", "status", "approved", "approved_by", "source_row"]
READY, LATER = "ready", "later"


def debit_id(plan_id: str, instalment: int) -> str:
    """``DD-<plan>-<n>``, at most 35 characters (the SEPA end-to-end id)."""
    candidate = f"DD-{plan_id}-{instalment}"
    if len(candidate) <= 35 and candidate.isascii():
        return candidate
    return "DD-" + hashlib.sha1(f"{plan_id}-{instalment}".encode()).hexdigest()[:24].upper() + f"-{instalment}"


def due_debits(plans: pd.DataFrame, log: pd.DataFrame, as_of: dt.date, lead_days: int = 5) -> pd.DataFrame:
    """The approved instalments not yet collected, with what stops each (``COLUMNS``)."""
    if plans.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = plans.assign(debit_id=[debit_id(p, int(n)) for p, n in zip(plans["plan_id"], plans["instalment"])])
    done = set(log["debit_id"]) if len(log) else set()
    out = out.loc[out["approved"].map(is_approved).astype(bool) & ~out["debit_id"].isin(done)].copy()
    first_business = business_day(as_of + dt.timedelta(days=1))
    out["collection_date"] = [max(pd.Timestamp(d).date(), first_business) if pd.notna(d) else pd.NaT
                              for d in out["due_date"]]
    horizon = pd.Timestamp(as_of + dt.timedelta(days=lead_days))
    out["status"] = [_status(row, horizon) for row in out.itertuples()]
    # a mandate's first collection ever is FRST, every later one RCUR (also later ones in this run)
    seen = set(log["mandate_id"]) if len(log) else set()
    out["sequence"] = ""
    for i in out.loc[out["status"] == READY].sort_values(["due_date", "debit_id"]).index:
        out.at[i, "sequence"] = "RCUR" if out.at[i, "mandate_id"] in seen else "FRST"
        seen.add(out.at[i, "mandate_id"])
    out["iban"] = out["iban"].map(lambda x: "".join(str(x).split()).upper())
    return out.reindex(columns=COLUMNS).sort_values(["collection_date", "debit_id"], kind="stable", ignore_index=True)


def _status(row, horizon: pd.Timestamp) -> str:
    if pd.isna(row.due_date) or pd.Timestamp(row.due_date) > horizon:
        return LATER
    if not str(row.mandate_id).strip():
        return "no mandate: type mandate_id, mandate_date and iban"
    if pd.isna(row.mandate_date):
        return "mandate without date: type the date the customer signed it"
    iban = "".join(str(row.iban).split()).upper()
    if not iban:
        return "no IBAN to debit"
    reason = iban_problem(iban)
    if reason:
        return f"IBAN not valid: {reason}"
    outside = sepa_problem(iban)
    if outside:
        return f"IBAN outside SEPA: {outside}"
    if pd.notna(row.collection_date) and pd.Timestamp(row.mandate_date) > pd.Timestamp(row.collection_date):
        return (f"mandate signed {pd.Timestamp(row.mandate_date):%d/%m/%Y}, after the collection date "
                f"{pd.Timestamp(row.collection_date):%d/%m/%Y}: a debit needs a mandate signed before it")
    if row.currency != "EUR":
        return f"not EUR: SEPA direct debits are EUR only ({row.currency})"
    if cents(row.amount) <= 0:
        return "amount must be more than zero"
    return READY


def business_day(day: dt.date) -> dt.date:
    """``day``, or the Monday after it when it falls on a weekend (SEPA execution and collection dates)."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day

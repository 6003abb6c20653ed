"""Approved credit allocations posted: an audit trail that moves the money once, until the ERP has it.

otc_xl does not own the ledger: the Invoices sheet is the ERP's export. Posting an approved
allocation therefore writes it to the ``CreditPostings`` record (who approved it, when, for how much,
and what the ERP showed open on both items at that moment) and, from then on, every run applies it
to the open items — credit and invoice move by the same amount — *until the ERP export reflects it*:

* both items still show the open amounts recorded at posting → ``awaiting ERP``: applied;
* both changed (or either left the open items) → ``in ERP``: not applied again;
* only one changed → ``check in ERP``: not applied, and said so (the ERP booked something else on
  one of the two items; a person must look).

An allocation is posted once: its ``allocation_id`` is in the record, and a later proposal between
the same two items gets a new id (``CRN-1>INV-7#2``), so an approval typed for the first can never
post the second.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..model.money import cents, from_cents
from .writeoffs import is_approved

COLUMNS = ["allocation_id", "credit_id", "invoice_id", "customer_id", "invoice_customer_id", "currency", "amount",
           "posted_on", "approved", "approved_by", "credit_open_erp", "invoice_open_erp", "status"]
AWAITING, IN_ERP, CHECK = "awaiting ERP", "in ERP", "check in ERP"


def posting_status(postings: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    """``postings`` with ``status`` set from the ERP's open amounts in ``invoices`` (the export as read).

    A posting with an empty ``invoice_id`` moves the credit alone (a refund paid out): its status
    follows the credit."""
    out = postings.copy()
    if out.empty:
        out["status"] = pd.Series(dtype=object)
        return out
    now = dict(zip(invoices["invoice_id"], cents(invoices["open_amount"])))
    credit_same = np.array([now.get(i) == c for i, c in zip(out["credit_id"], cents(out["credit_open_erp"]))])
    invoice_same = np.array([now.get(i) == c if i else same for i, c, same in
                             zip(out["invoice_id"], cents(out["invoice_open_erp"].fillna(0)), credit_same)])
    out["status"] = np.select([credit_same & invoice_same, ~credit_same & ~invoice_same], [AWAITING, IN_ERP], CHECK)
    return out


def apply_postings(invoices: pd.DataFrame, postings: pd.DataFrame) -> pd.DataFrame:
    """Open items with every posting ``awaiting ERP`` applied (credit up, invoice down, same amount)."""
    awaiting = postings.loc[postings["status"] == AWAITING] if len(postings) else postings
    if awaiting.empty:
        return invoices
    amount = cents(awaiting["amount"])
    moves = (pd.Series(np.concatenate([amount, -amount]),
                       index=pd.Index(np.concatenate([awaiting["credit_id"], awaiting["invoice_id"]])))
             .groupby(level=0).sum())
    delta = invoices["invoice_id"].map(moves).fillna(0).astype("int64").to_numpy()
    return invoices.assign(open_amount=from_cents(cents(invoices["open_amount"]) + delta))


def post_approved(allocations: pd.DataFrame, postings: pd.DataFrame, invoices: pd.DataFrame,
                  on: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the record with today's approved allocations added, the proposals still waiting).

    ``invoices`` is the ERP export as read (its open amounts are recorded with each posting)."""
    approved = allocations["approved"].map(is_approved).astype(bool) if len(allocations) else pd.Series(dtype=bool)
    new = allocations.loc[approved & ~allocations["allocation_id"].isin(set(postings["allocation_id"]))]
    if new.empty:
        return postings, allocations.loc[~approved]
    erp = dict(zip(invoices["invoice_id"], invoices["open_amount"]))
    rows = new.assign(posted_on=pd.Timestamp(on), credit_open_erp=new["credit_id"].map(erp),
                      invoice_open_erp=new["invoice_id"].map(erp), status=AWAITING)[COLUMNS]
    record = pd.concat([postings[COLUMNS], rows], ignore_index=True) if len(postings) else rows.reset_index(drop=True)
    return record, allocations.loc[~approved]

"""Credit balances put to work: credit notes and money on account allocated to open invoices.

A credit is an open item with a negative open amount (a credit note, an over-payment or a payment
on account posted to the customer). Each credit, oldest first, is proposed against

1. the open invoice it names (its ``reference`` holds that invoice's number), then
2. the customer's open invoices, oldest due date first (disputed ones excepted),
3. then the open invoices of the other accounts of its group (``parent_id``), marked so,

in the same currency only, never more than either side has open — after what this run's cash
application is already applying to an invoice (``pending``). An allocation moves the same amount
off both sides, so every customer's balance is unchanged. Proposals carry an ``approved`` column;
approvals typed earlier are kept when the proposals are rewritten (matched by ``allocation_id``).
What no invoice takes is left on the credit: a refund candidate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..matching.references import named_documents
from ..model.money import cents, from_cents
from .writeoffs import carry_approvals

COLUMNS = ["allocation_id", "credit_id", "invoice_id", "customer_id", "invoice_customer_id", "currency", "amount",
           "basis", "credit_open", "invoice_open", "approved", "approved_by"]
LEFT_COLUMNS = ["credit_id", "customer_id", "currency", "credit_open", "allocated", "left"]


def credit_allocations(invoices: pd.DataFrame, customers: pd.DataFrame | None = None,
                       pending: pd.Series | None = None,
                       approvals: pd.DataFrame | None = None,
                       posted: set[str] | frozenset[str] = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(proposed allocations ``COLUMNS``, what each credit keeps ``LEFT_COLUMNS``).

    ``invoices``: the canonical Invoices frame; ``customers``: for ``parent_id`` groups;
    ``pending``: amount per ``invoice_id`` this run's cash application applies; ``approvals``:
    earlier ``CreditAllocations`` rows (``allocation_id``, ``approved``, ``approved_by`` and, when
    present, the ``amount`` approved: an approval whose amount is no longer the proposal's is
    dropped, so nobody posts an amount they did not see); ``posted``: allocation ids already
    posted — a new proposal between the same items gets the next free id (``CRN-1>INV-7#2``)."""
    items = invoices.assign(open_c=cents(invoices["open_amount"]))
    if pending is not None and len(pending):  # a credit note cash application nets against an invoice is used too
        taken = items["invoice_id"].map(pd.Series(cents(pending.to_numpy()), index=pending.index)).fillna(0)
        after = items["open_c"] - taken.astype("int64")
        items["open_c"] = np.where(items["open_c"] > 0, np.maximum(after, 0), np.minimum(after, 0))
    group = groups_of(customers)
    items["grp"] = items["customer_id"].map(lambda c: group.get(c, c))
    left = dict(zip(items["invoice_id"].tolist(), items["open_c"].astype("int64").tolist()))
    debits = items.loc[items["open_c"] > 0].sort_values(["due_date", "invoice_id"], kind="stable")
    credits = items.loc[items["open_c"] < 0].sort_values(["invoice_date", "invoice_id"], kind="stable")
    rows, kept = [], []
    needed = set(zip(credits["grp"].tolist(), credits["currency"].tolist()))
    by_key: dict[tuple[str, str], _Candidates] = {}
    disputed = (debits["dispute_code"] != "").tolist()
    for key, invoice_id, owner, dispute in zip(zip(debits["grp"].tolist(), debits["currency"].tolist()),
                                               debits["invoice_id"].tolist(), debits["customer_id"].tolist(), disputed):
        if key in needed:  # only the groups and currencies some credit can go to
            by_key.setdefault(key, _Candidates()).add(invoice_id, owner, dispute)
    columns = ["invoice_id", "customer_id", "currency", "grp", "open_c", "reference"]
    credit: Any
    for credit in credits[columns].itertuples(index=False):
        candidates = by_key.get((credit.grp, credit.currency))
        remaining = -int(credit.open_c)
        if candidates is not None:
            for invoice_id, customer_id, basis in candidates.order(credit):
                if remaining == 0:
                    break
                amount = min(remaining, left[invoice_id])
                if amount <= 0:
                    continue
                rows.append({"allocation_id": _fresh(f"{credit.invoice_id}>{invoice_id}", posted),
                             "credit_id": credit.invoice_id,
                             "invoice_id": invoice_id, "customer_id": credit.customer_id,
                             "invoice_customer_id": customer_id, "currency": credit.currency, "amount": amount,
                             "basis": basis, "credit_open": int(credit.open_c), "invoice_open": int(left[invoice_id])})
                left[invoice_id] -= amount
                remaining -= amount
        kept.append({"credit_id": credit.invoice_id, "customer_id": credit.customer_id, "currency": credit.currency,
                     "credit_open": int(credit.open_c), "allocated": -int(credit.open_c) - remaining,
                     "left": -remaining})
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("approved", "approved_by")])
    for column in ("amount", "credit_open", "invoice_open"):
        out[column] = from_cents(out[column].to_numpy(dtype="int64"))
    out = carry_approvals(out, approvals, "allocation_id")
    rest = pd.DataFrame(kept, columns=LEFT_COLUMNS)
    for column in ("credit_open", "allocated", "left"):
        rest[column] = from_cents(rest[column].to_numpy(dtype="int64"))
    return out[COLUMNS], rest


class _Candidates:
    """The open invoices of one group and currency, oldest due date first (added in that order)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.owners: list[str] = []
        self.disputed: list[bool] = []
        self.position: dict[str, int] = {}

    def add(self, invoice_id: str, owner: str, disputed: bool) -> None:
        self.position[invoice_id.upper()] = len(self.ids)
        self.ids.append(invoice_id)
        self.owners.append(owner)
        self.disputed.append(disputed)

    def order(self, credit):
        """(invoice_id, customer_id, basis) in the order a credit is allocated: the invoice it names,
        the customer's own undisputed invoices oldest first, then the group's."""
        named = sorted({self.position[t] for t in named_documents(credit.reference)
                        if t in self.position and self.owners[self.position[t]] == credit.customer_id})
        for k in named:
            yield self.ids[k], self.owners[k], f"credit names invoice {self.ids[k]}"
        done = set(named)
        for own in (True, False):
            for k, (invoice_id, owner, dispute) in enumerate(zip(self.ids, self.owners, self.disputed)):
                if k in done or dispute or (owner == credit.customer_id) != own:
                    continue
                yield invoice_id, owner, "oldest open invoice" if own else f"group account {owner}, oldest open invoice"


def _fresh(allocation_id: str, posted) -> str:
    """``allocation_id``, or with ``#2``, ``#3``… when that id was posted already."""
    candidate, n = allocation_id, 1
    while candidate in posted:
        n += 1
        candidate = f"{allocation_id}#{n}"
    return candidate


def groups_of(customers: pd.DataFrame | None) -> dict[str, str]:
    """customer_id → the group it belongs to (its parent, or itself)."""
    if customers is None or not len(customers):
        return {}
    parent = dict(zip(customers["customer_id"], customers["parent_id"]))
    return {c: (p if p else c) for c, p in parent.items()}

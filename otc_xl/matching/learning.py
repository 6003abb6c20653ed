"""Learning payers from applied cash, so the next run knows them without a reference.

When a payment was applied because its remittance named our invoices, its payer name and IBAN
now have a known customer. :func:`alias_suggestions` lists those the customer master and the
alias table do not know yet; an associate copies the ones they agree with into the ``Aliases``
sheet (payer, customer_id, note), which :func:`~otc_xl.matching.match_payments` reads first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from .names import CustomerDirectory, normalise_iban, normalise_name

COLUMNS = ["payer", "customer_id", "customer_name", "kind", "payments", "evidence"]


def alias_suggestions(applications: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame | None = None,
                      aliases: pd.DataFrame | None = None, directory: CustomerDirectory | None = None) -> pd.DataFrame:
    """Payer names / IBANs of automatically applied payments that would not be recognised today.

    Only payments whose applications all went to one customer count; a payer seen paying two
    different customers is not suggested. ``directory``: the one cash application used (same
    name cutoff and margin, payers already scored); else one is built from ``customers`` and
    ``aliases`` with the default settings.
    """
    auto = applications.loc[applications["status"] == "auto"]
    if auto.empty:
        return pd.DataFrame(columns=COLUMNS)
    by_payment = auto.groupby("payment_id")["customer_id"]
    owner = by_payment.first().where(by_payment.nunique() == 1, "")
    pays = payments.loc[payments["payment_id"].isin(owner.index)].copy()
    pays["customer_id"] = pays["payment_id"].map(owner)
    pays = pays.loc[pays["customer_id"] != ""]
    candidates: list[tuple[str, str, str, int, str]] = []
    for kind, column, key in (("iban", "payer_account", normalise_iban), ("name", "payer_name", normalise_name)):
        values = pays.assign(_key=pays[column].fillna("").map(key)).loc[lambda f: f["_key"] != ""]
        groups = values.groupby("_key", sort=True)
        found = pd.DataFrame({"payer": groups[column].first(), "customer_id": groups["customer_id"].first(),
                              "payments": groups.size(), "owners": groups["customer_id"].nunique(),
                              "evidence": values.groupby("_key", sort=True).head(3).groupby("_key", sort=True)[
                                  "payment_id"].agg(", ".join)})
        found = found.loc[found["owners"] == 1]  # a payer seen paying two customers is not suggested
        found_rows: Iterable[Any] = found.itertuples()
        candidates += [(kind, r.payer, r.customer_id, int(r.payments), r.evidence) for r in found_rows]
    if not candidates:
        return pd.DataFrame(columns=COLUMNS)
    directory = directory or CustomerDirectory(customers, aliases)
    probe = pd.DataFrame({"payer_name": [p if k == "name" else "" for k, p, *_ in candidates],
                          "payer_account": [p if k == "iban" else "" for k, p, *_ in candidates],
                          "customer_id": "", "remittance": ""})
    today = directory.identify(probe)
    rows = [{"payer": payer, "customer_id": cid, "customer_name": directory.names.get(cid, ""), "kind": kind,
             "payments": n, "evidence": evidence}
            for (kind, payer, cid, n, evidence), now in zip(candidates, today)
            if now.customer_id != cid]  # else already recognised without help
    return pd.DataFrame(rows, columns=COLUMNS)

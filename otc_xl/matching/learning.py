"""Learning payers from applied cash, so the next run knows them without a reference.

When a payment was applied because its remittance named our invoices, its payer name and IBAN
now have a known customer. :func:`alias_suggestions` lists those the customer master and the
alias table do not know yet; an associate copies the ones they agree with into the ``Aliases``
sheet (payer, customer_id, note), which :func:`~otc_xl.matching.match_payments` reads first.
"""

from __future__ import annotations

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
    owner = auto.groupby("payment_id")["customer_id"].agg(lambda s: s.iat[0] if s.nunique() == 1 else "")
    pays = payments.loc[payments["payment_id"].isin(owner.index)].copy()
    pays["customer_id"] = pays["payment_id"].map(owner)
    pays = pays.loc[pays["customer_id"] != ""]
    candidates = []
    for kind, column, key in (("iban", "payer_account", normalise_iban), ("name", "payer_name", normalise_name)):
        if column not in pays:
            continue
        values = pays.assign(_key=pays[column].fillna("").map(key)).loc[lambda f: f["_key"] != ""]
        for _, group in values.groupby("_key"):
            if group["customer_id"].nunique() == 1:
                candidates.append((kind, group[column].iat[0], group))
    if not candidates:
        return pd.DataFrame(columns=COLUMNS)
    directory = directory or CustomerDirectory(customers, aliases)
    probe = pd.DataFrame({"payer_name": [p if k == "name" else "" for k, p, _ in candidates],
                          "payer_account": [p if k == "iban" else "" for k, p, _ in candidates],
                          "customer_id": ""})
    today = directory.identify(probe)
    rows = []
    for (kind, payer, group), now in zip(candidates, today):
        cid = group["customer_id"].iat[0]
        if now.customer_id == cid:
            continue  # already recognised without help
        rows.append({"payer": payer, "customer_id": cid, "customer_name": directory.names.get(cid, ""),
                     "kind": kind, "payments": len(group), "evidence": ", ".join(group["payment_id"].head(3))})
    return pd.DataFrame(rows, columns=COLUMNS)

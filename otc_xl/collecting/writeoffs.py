"""Write-off proposals: small residuals left on partly paid items.

An item is proposed when what is left open is at most ``threshold`` (either sign), less than the
document amount (something was paid: it is a residual, not an unpaid invoice), it is at least
``min_days`` overdue and not disputed. The user approves in the ``approved`` column; approvals
typed earlier are carried over when the proposals are rewritten.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import numpy as np
import pandas as pd

from ..config import Config
from ..model.money import cents
from ..model.values import strip_accents
from ..reports.buckets import age_in_days

COLUMNS = ["invoice_id", "customer_id", "customer_name", "currency", "amount", "open_amount", "days_overdue",
           "reason", "approved", "approved_by"]


def writeoff_proposals(invoices: pd.DataFrame, as_of: dt.date, threshold: float = Config.writeoff_threshold,
                       min_days: int = Config.writeoff_min_days,
                       approvals: pd.DataFrame | None = None, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Residuals proposed for write-off, with any earlier approval (``approved``, ``approved_by``).

    ``extra``: other items to propose whatever their amount (``invoice_id``, ``reason``), e.g. those
    a legal case closed as uncollectable."""
    open_c, amount_c = cents(invoices["open_amount"]), cents(invoices["amount"])
    days = pd.Series(age_in_days(invoices["due_date"], as_of), index=invoices.index)
    residual = (open_c != 0) & (np.abs(open_c) <= cents(threshold)) & (np.abs(open_c) < np.abs(amount_c))
    mask = residual & (days >= min_days) & (invoices["dispute_code"] == "")
    named = pd.Series(False, index=invoices.index)
    if extra is not None and len(extra):
        named = invoices["invoice_id"].isin(set(extra["invoice_id"])) & (open_c != 0)
    out = invoices.loc[mask | named].assign(days_overdue=days[mask | named].astype("int64"))
    out["reason"] = np.where(cents(out["open_amount"]) > 0, "residual after partial payment",
                             "residual credit after partial use")
    if named.any():
        reasons = cast(pd.DataFrame, extra).drop_duplicates("invoice_id").set_index("invoice_id")["reason"]
        why = out["invoice_id"].map(reasons)
        out["reason"] = why.fillna(pd.Series(out["reason"], index=out.index))
    out = carry_approvals(out, approvals, "invoice_id", amount=None)
    return out[COLUMNS].sort_values(["customer_id", "invoice_id"], kind="stable", ignore_index=True)


def carry_approvals(out: pd.DataFrame, approvals: pd.DataFrame | None, key: str,
                    amount: str | None = "amount") -> pd.DataFrame:
    """``out`` with the ``approved`` / ``approved_by`` typed on the earlier proposals (``approvals``,
    matched by ``key``). With ``amount``, an approval is kept only while the amount the approvals
    recorded (when they did) is still the proposal's: nobody approves an amount they did not see."""
    out["approved"], out["approved_by"] = "", ""
    if approvals is None or not len(approvals) or not len(out):
        return out
    earlier = approvals.drop_duplicates(key).set_index(key)
    same = pd.Series(True, index=out.index)
    if amount is not None and amount in earlier:
        seen = out[key].map(earlier[amount])
        same = seen.isna() | (cents(seen.fillna(0)) == cents(out[amount]))
    for column in ("approved", "approved_by"):
        if column in earlier:
            out[column] = out[key].map(earlier[column]).astype(object).fillna("").where(same, "")
    return out


def is_approved(value: str) -> bool:
    """``yes``, ``sí``, ``oui``, ``ja``, ``x``, ``ok``… count as approved."""
    return strip_accents(str(value)).strip().lower() in {"yes", "y", "x", "ok", "si", "s", "oui", "o", "ja", "j",
                                                          "approved", "aprobado", "approvato", "approuve", "da"}

"""Contact outcomes and promises to pay: filing what collectors typed on the Worklist, and
judging each promise kept, open or broken.

A promise (``promise_date`` and ``promise_amount``) is **kept** when the customer's receipts dated
from the worklist date to ``PROMISE_LAG_DAYS`` after the promised date reach the amount, or nothing
is overdue any more; **open** until then; **broken** after it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.money import cents

PROMISE_LAG_DAYS = 2
"""Days a promised payment may take to show on the bank statement."""
LOG_COLUMNS = ["customer_id", "worklist_date", "currency", "outcome", "promise_date", "promise_amount", "note"]


def file_outcomes(log: pd.DataFrame, worklist: pd.DataFrame) -> pd.DataFrame:
    """The contact log plus the Worklist rows a collector filled in (outcome, promise or note).

    Filing the same Worklist twice adds nothing: rows equal on every log column are kept once.
    """
    typed = worklist.loc[(worklist["outcome"] != "") | (worklist["note"] != "") | worklist["promise_date"].notna()
                         | worklist["promise_amount"].notna()]
    frames = [f[LOG_COLUMNS] for f in (log, typed) if len(f)]
    if not frames:
        return pd.DataFrame({c: log[c] for c in LOG_COLUMNS}).iloc[0:0]
    both = pd.concat(frames, ignore_index=True)
    key = both.astype(str)
    return both.loc[~key.duplicated()].reset_index(drop=True)  # earlier rows first, in their order


def judge_promises(log: pd.DataFrame, receipts: pd.DataFrame, overdue: pd.Series, as_of: dt.date) -> pd.DataFrame:
    """``log`` with ``received`` and ``promise_status`` (kept / open / broken; empty when no promise).

    ``receipts``: customer_id, payment_date, currency, amount (see ``customer_receipts``);
    ``overdue``: overdue amount per customer_id today.
    """
    out = log.copy()
    out["received"] = 0.0
    out["promise_status"] = ""
    today = pd.Timestamp(as_of)
    for i, row in out.iterrows():
        if pd.isna(row["promise_date"]) or pd.isna(row["promise_amount"]):
            continue
        since = row["worklist_date"] if pd.notna(row["worklist_date"]) else pd.Timestamp.min
        until = row["promise_date"] + pd.Timedelta(days=PROMISE_LAG_DAYS)
        mine = receipts.loc[(receipts["customer_id"] == row["customer_id"])
                            & (pd.to_datetime(receipts["payment_date"]) >= since)
                            & (pd.to_datetime(receipts["payment_date"]) <= until)]
        if row["currency"]:
            mine = mine.loc[mine["currency"] == row["currency"]]
        got = int(cents(mine["amount"]).sum())
        out.at[i, "received"] = got / 100
        if got >= cents(row["promise_amount"]).item() or overdue.get(row["customer_id"], 0) <= 0:
            out.at[i, "promise_status"] = "kept"
        elif today <= until:
            out.at[i, "promise_status"] = "open"
        else:
            out.at[i, "promise_status"] = "broken"
    return out

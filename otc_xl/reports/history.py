"""History: a dated snapshot of the ledger on every run, so team leaders see trends.

Each run adds one row per currency for the whole ledger (``collector`` = ``(all)``) and one per
collector and currency, to the ``History`` record; a second run on the same date *replaces* that
date's rows (never duplicates them). Bucket amounts go to ``HistoryBuckets`` (long: one row per
bucket), so changing Config ``buckets`` never breaks the history's columns.

KPIs that need credit sales (DSO, count-back DSO, best possible DSO, CEI) are ledger-wide: they are
filled on the ``(all)`` rows only. ``promises_kept_pct`` is kept ÷ (kept + broken) of the promises
judged so far.

:func:`movements` compares the latest snapshot with the one a week and a month earlier (the
latest on or before that date): change in open and overdue AR, plus what happened in between from
the ledger — *new overdue* (items fallen due in the period and still open), *collected* (receipts
dated in the period) and *written off* (short payments written off by cash application on those
receipts).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from .buckets import age_in_days, bucket_labels, bucket_of

ALL = "(all)"
COLUMNS = ["snapshot_date", "entity", "collector", "currency", "open_ar", "current", "overdue",
           "overdue_pct", "over_90",
           "disputed", "unapplied", "unbilled", "dso", "count_back_dso", "best_possible_dso",
           "average_days_delinquent", "cei", "promises_kept_pct", "items", "customers"]
BUCKET_COLUMNS = ["snapshot_date", "entity", "collector", "currency", "bucket", "amount"]
MOVEMENT_COLUMNS = ["period", "currency", "from_date", "to_date", "open_ar_from", "open_ar_to", "open_ar_change",
                    "overdue_from", "overdue_to", "overdue_change", "new_overdue", "collected", "written_off"]
_KPIS = {"dso": "dso", "count_back_dso": "count_back_dso", "best_possible_dso": "best_possible_dso",
         "average_days_delinquent": "average_days_delinquent", "cei": "cei"}


def snapshot(invoices: pd.DataFrame, as_of: dt.date, kpis: pd.DataFrame | None = None,
             unapplied: pd.DataFrame | None = None, unbilled: pd.DataFrame | None = None,
             promises: pd.DataFrame | None = None, buckets: tuple[int, ...] = Config.buckets,
             basis: str = "due_date", entity: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Today's rows of ``History`` and ``HistoryBuckets`` (``entity``: the company the ledger is of)."""
    day = pd.Timestamp(as_of)
    items = invoices.loc[(cents(invoices["open_amount"]) != 0) & (invoices["invoice_date"] <= day)]  # as ageing
    age = age_in_days(items[basis], as_of)
    frame = items.assign(_c=cents(items["open_amount"]), _days=age_in_days(items["due_date"], as_of),
                         _bucket=bucket_of(age, buckets).astype(str),
                         _collector=items["collector"].replace("", "(none)"))
    frame["_over"] = np.where(frame["_days"] > 0, frame["_c"], 0)
    frame["_over90"] = np.where(frame["_days"] > 90, frame["_c"], 0)
    frame["_disputed"] = np.where(frame["dispute_code"] != "", frame["_c"], 0)
    rows, bucket_rows = [], []
    for level in (ALL, "collector"):
        keys = ["currency"] if level == ALL else ["_collector", "currency"]
        for key, part in frame.groupby(keys, sort=True):
            collector, currency = (ALL, key[0] if isinstance(key, tuple) else key) if level == ALL else key
            open_c = int(part["_c"].sum())
            rows.append({"snapshot_date": day, "collector": collector, "currency": currency, "open_ar": open_c,
                         "current": open_c - int(part["_over"].sum()), "overdue": int(part["_over"].sum()),
                         "over_90": int(part["_over90"].sum()), "disputed": int(part["_disputed"].sum()),
                         "items": len(part), "customers": part["customer_id"].nunique()})
            for label, amount in part.groupby("_bucket")["_c"].sum().items():
                bucket_rows.append({"snapshot_date": day, "collector": collector, "currency": currency,
                                    "bucket": label, "amount": int(amount)})
    # a currency with money held but no open AR (GBP received on account, CHF unbilled) still has its row:
    # the cash is there whether or not an invoice is
    have = {r["currency"] for r in rows if r["collector"] == ALL}
    for held, column in ((unapplied, "unapplied_amount"), (unbilled, "pending_amount")):
        if held is None or not len(held) or column not in held or "currency" not in held:
            continue
        totals = held.assign(_c=cents(held[column])).groupby("currency")["_c"].sum()
        for currency in sorted(str(c) for c, amount in totals.items() if amount != 0 and c not in have):
            have.add(currency)
            rows.append({"snapshot_date": day, "collector": ALL, "currency": currency, "open_ar": 0, "current": 0,
                         "overdue": 0, "over_90": 0, "disputed": 0, "items": 0, "customers": 0})
    out = pd.DataFrame(rows, columns=["snapshot_date", "collector", "currency", "open_ar", "current", "overdue",
                                      "over_90", "disputed", "items", "customers"])
    for column in ("open_ar", "current", "overdue", "over_90", "disputed"):
        out[column] = from_cents(out[column].to_numpy(dtype="int64"))
    out["overdue_pct"] = np.where(out["open_ar"] > 0, (out["overdue"] / out["open_ar"] * 100).round(2), np.nan)
    everyone = out["collector"] == ALL
    out["unapplied"] = _per_currency(unapplied, "unapplied_amount", out, everyone)
    out["unbilled"] = _per_currency(unbilled, "pending_amount", out, everyone)
    long = kpis if kpis is not None else pd.DataFrame(columns=["currency", "kpi", "value"])
    for column, kpi in _KPIS.items():
        values = long.loc[long["kpi"] == kpi].set_index("currency")["value"]
        out[column] = np.where(everyone, out["currency"].map(values), np.nan).astype("float64").round(2)
    out["promises_kept_pct"] = _kept(promises, out, everyone)
    out["entity"] = entity
    ordered = bucket_labels(buckets)
    long_buckets = pd.DataFrame(bucket_rows, columns=BUCKET_COLUMNS)
    long_buckets["amount"] = from_cents(long_buckets["amount"].to_numpy(dtype="int64"))
    long_buckets["_o"] = long_buckets["bucket"].map({b: i for i, b in enumerate(ordered)})
    long_buckets = long_buckets.sort_values(["collector", "currency", "_o"], kind="stable").drop(columns="_o")
    return out[COLUMNS], long_buckets.reset_index(drop=True)


def merge(earlier: pd.DataFrame, today: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The record with ``today``'s date replaced by ``today`` (a re-run never adds a second day)."""
    if earlier is None or not len(earlier):
        return today.reset_index(drop=True)
    days = set(pd.to_datetime(today["snapshot_date"]))
    kept = earlier.loc[~pd.to_datetime(earlier["snapshot_date"]).isin(days)].reindex(columns=columns)
    out = pd.concat([kept, today.reindex(columns=columns)], ignore_index=True)
    out["snapshot_date"] = pd.to_datetime(out["snapshot_date"])
    return out.sort_values(["snapshot_date", "collector", "currency"], kind="stable", ignore_index=True)


def trend(history: pd.DataFrame, measure: str) -> pd.DataFrame:
    """``measure`` of the ``(all)`` rows over time, one column per currency (for a line chart)."""
    everyone = history.loc[history["collector"] == ALL]
    wide = everyone.pivot_table(index="snapshot_date", columns="currency", values=measure, aggfunc="first")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index().rename(columns={"snapshot_date": "date"})


def movements(history: pd.DataFrame, invoices: pd.DataFrame, receipts: pd.DataFrame,
              applications: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """Week-over-week and month-over-month movement per currency (``MOVEMENT_COLUMNS``)."""
    everyone = history.loc[history["collector"] == ALL].assign(
        snapshot_date=lambda f: pd.to_datetime(f["snapshot_date"]))
    today = pd.Timestamp(as_of)
    now = everyone.loc[everyone["snapshot_date"] == today].set_index("currency")
    rows = []
    for period, days in (("week", 7), ("month", 30)):
        start = today - pd.Timedelta(days=days)
        before = everyone.loc[everyone["snapshot_date"] <= start]
        if before.empty:
            continue
        then_date = before["snapshot_date"].max()
        then = before.loc[before["snapshot_date"] == then_date].set_index("currency")
        for currency in sorted(set(now.index) | set(then.index)):
            a = then["open_ar"].get(currency, 0.0), then["overdue"].get(currency, 0.0)
            b = now["open_ar"].get(currency, 0.0), now["overdue"].get(currency, 0.0)
            mine = invoices.loc[invoices["currency"] == currency]
            fell_due = mine.loc[(mine["due_date"] > then_date) & (mine["due_date"] < today)
                                & (cents(mine["open_amount"]) > 0)]
            paid = receipts.loc[(receipts["currency"] == currency)
                                & (pd.to_datetime(receipts["payment_date"]) > then_date)
                                & (pd.to_datetime(receipts["payment_date"]) <= today)] if len(receipts) else receipts
            written = 0
            if applications is not None and len(applications) and "writeoff_amount" in applications:
                ids = set(paid["payment_id"]) if len(paid) else set()
                apps = applications.loc[applications["payment_id"].isin(ids)]
                written = int(cents(apps["writeoff_amount"]).sum())
            rows.append({"period": period, "currency": currency, "from_date": then_date, "to_date": today,
                         "open_ar_from": a[0], "open_ar_to": b[0], "open_ar_change": round(b[0] - a[0], 2),
                         "overdue_from": a[1], "overdue_to": b[1], "overdue_change": round(b[1] - a[1], 2),
                         "new_overdue": int(cents(fell_due["open_amount"]).sum()) / 100,
                         "collected": int(cents(paid["amount"]).sum()) / 100 if len(paid) else 0.0,
                         "written_off": written / 100})
    return pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)


def _per_currency(frame: pd.DataFrame | None, column: str, out: pd.DataFrame, everyone: pd.Series) -> np.ndarray:
    if frame is None or not len(frame) or column not in frame:
        return np.where(everyone, 0.0, np.nan)
    totals = frame.assign(_c=cents(frame[column])).groupby("currency")["_c"].sum() / 100
    return np.where(everyone, out["currency"].map(totals).fillna(0.0), np.nan)


def _kept(promises: pd.DataFrame | None, out: pd.DataFrame, everyone: pd.Series) -> np.ndarray:
    if promises is None or not len(promises) or "promise_status" not in promises:
        return np.full(len(out), np.nan)
    judged = promises.loc[promises["promise_status"].isin(["kept", "broken"])]
    kept = judged.groupby("currency")["promise_status"].apply(lambda s: round((s == "kept").mean() * 100, 2))
    return np.where(everyone, out["currency"].map(kept), np.nan).astype("float64")

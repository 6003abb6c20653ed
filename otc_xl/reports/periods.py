"""Period reports for team leaders: the day, the week, and the month's AR roll-forward.

* **Daily** (per currency): receipts since the previous snapshot (or the day before), cash this
  run's cash application applied automatically and sent to review, and what is still unapplied.
* **Weekly** (per currency and bucket): the ageing a week ago (latest snapshot on or before) against
  today, and the promises to pay made, kept and broken in the week.
* **Roll-forward** (per currency, month to date): opening AR (the latest snapshot on or before the
  last day of the previous month) + invoiced (Sales of the month; else the invoices dated in it) −
  collected (receipts dated in it) − credit notes (dated in it) − written off (by cash application
  on those receipts) = expected closing, against the actual open AR today. ``difference`` is shown,
  to the cent, and ``ties`` says whether it is zero: when the ERP export lists only open items, paid
  invoices of the month are missing from "invoiced" unless Sales gives them — the difference shows it.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd

from ..model.money import cents
from .history import ALL

DAILY_COLUMNS = ["currency", "since", "receipts", "receipts_amount", "applied_auto", "to_review", "unapplied"]
WEEKLY_COLUMNS = ["currency", "bucket", "week_ago", "today", "change"]
PROMISE_COLUMNS = ["currency", "promises_made", "promised_amount", "kept", "broken", "open"]
ROLL_COLUMNS = ["currency", "month", "opening_date", "opening_ar", "invoiced", "collected", "credit_notes",
                "written_off", "expected_closing", "closing_ar", "difference", "ties", "invoiced_from"]


def daily(history: pd.DataFrame, receipts: pd.DataFrame, applications: pd.DataFrame | None,
          unapplied: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    today = pd.Timestamp(as_of)
    earlier = pd.to_datetime(history["snapshot_date"]) if len(history) else pd.Series(dtype="datetime64[ns]")
    before = earlier.loc[earlier < today]
    since = before.max() if len(before) else today - pd.Timedelta(days=1)
    dates = pd.to_datetime(receipts["payment_date"]) if len(receipts) else pd.Series(dtype="datetime64[ns]")
    new = receipts.loc[(dates > since) & (dates <= today)] if len(receipts) else receipts
    apps = applications if applications is not None else pd.DataFrame(columns=["status", "currency", "applied_amount"])
    rows = []
    currencies = sorted(set(new["currency"]) | set(apps.get("currency", []))
                        | set(unapplied["currency"] if unapplied is not None and len(unapplied) else []))
    for currency in currencies:
        mine = apps.loc[apps["currency"] == currency] if "currency" in apps else apps.iloc[0:0]
        rows.append({"currency": currency, "since": since,
                     "receipts": int((new["currency"] == currency).sum()) if len(new) else 0,
                     "receipts_amount": _sum(new.loc[new["currency"] == currency, "amount"]) if len(new) else 0.0,
                     "applied_auto": _sum(mine.loc[mine["status"] == "auto", "applied_amount"]),
                     "to_review": _sum(mine.loc[mine["status"] == "review", "applied_amount"]),
                     "unapplied": _sum(unapplied.loc[unapplied["currency"] == currency, "unapplied_amount"])
                     if unapplied is not None and len(unapplied) else 0.0})
    return pd.DataFrame(rows, columns=DAILY_COLUMNS)


def weekly(buckets: pd.DataFrame, promises: pd.DataFrame | None, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ageing a week ago against today per bucket, promises made in the week and how they stand)."""
    today = pd.Timestamp(as_of)
    everyone = buckets.loc[buckets["collector"] == ALL].assign(
        snapshot_date=lambda f: pd.to_datetime(f["snapshot_date"]))
    ago = everyone.loc[everyone["snapshot_date"] <= today - pd.Timedelta(days=7)]
    then = ago.loc[ago["snapshot_date"] == ago["snapshot_date"].max()] if len(ago) else ago
    now = everyone.loc[everyone["snapshot_date"] == today]
    keys = ["currency", "bucket"]
    merged = now[keys + ["amount"]].merge(then[keys + ["amount"]], on=keys, how="outer", suffixes=("_today", "_ago"))
    order = list(dict.fromkeys(list(now["bucket"]) + list(then["bucket"])))
    merged["_o"] = merged["bucket"].map({b: i for i, b in enumerate(order)})
    merged = merged.sort_values(["currency", "_o"], kind="stable")
    out = pd.DataFrame({"currency": merged["currency"], "bucket": merged["bucket"],
                        "week_ago": merged["amount_ago"].fillna(0.0) if len(then) else float("nan"),
                        "today": merged["amount_today"].fillna(0.0)})
    out["change"] = (cents(out["today"].fillna(0)) - cents(out["week_ago"].fillna(0))) / 100
    if not len(then):
        out["change"] = float("nan")
    made = pd.DataFrame(columns=PROMISE_COLUMNS)
    if promises is not None and len(promises) and "promise_amount" in promises:
        week = promises.loc[(pd.to_datetime(promises["worklist_date"]) > today - pd.Timedelta(days=7))
                            & (pd.to_datetime(promises["worklist_date"]) <= today) & promises["promise_amount"].notna()
                            & (promises["promise_amount"] > 0)]
        if len(week):
            made = (week.assign(_c=cents(week["promise_amount"]))
                    .groupby("currency").agg(promises_made=("_c", "size"), promised_amount=("_c", "sum"),
                                             kept=("promise_status", lambda s: int((s == "kept").sum())),
                                             broken=("promise_status", lambda s: int((s == "broken").sum())),
                                             open=("promise_status", lambda s: int((s == "open").sum())))
                    .reset_index())
            made["promised_amount"] = made["promised_amount"] / 100
    return out.reset_index(drop=True)[WEEKLY_COLUMNS], made[PROMISE_COLUMNS]


def roll_forward(history: pd.DataFrame, invoices: pd.DataFrame, sales: pd.DataFrame | None,
                 receipts: pd.DataFrame, applications: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """The month-to-date AR roll-forward per currency (see the module doc)."""
    today = pd.Timestamp(as_of)
    start = today.replace(day=1)
    everyone = history.loc[history["collector"] == ALL].assign(
        snapshot_date=lambda f: pd.to_datetime(f["snapshot_date"]))
    before = everyone.loc[everyone["snapshot_date"] < start]
    opening_date = before["snapshot_date"].max() if len(before) else pd.NaT
    opening = before.loc[before["snapshot_date"] == opening_date].set_index("currency")["open_ar"] if len(before) \
        else pd.Series(dtype="float64")
    closing = everyone.loc[everyone["snapshot_date"] == today].set_index("currency")["open_ar"]
    in_month = lambda dates: (pd.to_datetime(dates) >= start) & (pd.to_datetime(dates) <= today)  # noqa: E731
    rows = []
    for currency in sorted(set(closing.index) | set(opening.index)):
        mine = invoices.loc[invoices["currency"] == currency]
        month_docs = mine.loc[in_month(mine["invoice_date"])]
        use_sales = sales is not None and len(sales) and (sales["currency"] == currency).any()
        if use_sales:
            s = cast(pd.DataFrame, sales)  # use_sales: there are sales
            s = s.loc[s["currency"] == currency]
            invoiced_c, source = int(cents(cast(pd.Series, s.loc[in_month(s["date"]), "amount"])).sum()), "Sales"
        else:
            invoiced_c = int(cents(month_docs.loc[cents(month_docs["amount"]) > 0, "amount"]).sum())
            source = "invoices listed (open ones only)"
        paid = receipts.loc[(receipts["currency"] == currency) & in_month(receipts["payment_date"])] \
            if len(receipts) else receipts
        collected_c = int(cents(paid["amount"]).sum()) if len(paid) else 0
        credit_c = int(-cents(month_docs.loc[cents(month_docs["amount"]) < 0, "amount"]).sum())
        written_c = 0
        if applications is not None and len(applications) and len(paid):
            apps = applications.loc[applications["payment_id"].isin(set(paid["payment_id"]))]
            written_c = int(cents(apps["writeoff_amount"]).sum())
        open_c = int(cents(opening.get(currency, float("nan")))) if currency in opening.index else None
        close_c = int(cents(closing.get(currency, 0.0)))
        expected = None if open_c is None else open_c + invoiced_c - collected_c - credit_c - written_c
        rows.append({"currency": currency, "month": f"{start:%Y-%m}", "opening_date": opening_date,
                     "opening_ar": None if open_c is None else open_c / 100, "invoiced": invoiced_c / 100,
                     "collected": collected_c / 100, "credit_notes": credit_c / 100, "written_off": written_c / 100,
                     "expected_closing": None if expected is None else expected / 100, "closing_ar": close_c / 100,
                     "difference": None if expected is None else (close_c - expected) / 100,
                     "ties": "" if expected is None else ("yes" if close_c == expected else "NO"),
                     "invoiced_from": source})
    return pd.DataFrame(rows, columns=ROLL_COLUMNS)


def _sum(values) -> float:
    return int(cents(values).sum()) / 100 if len(values) else 0.0

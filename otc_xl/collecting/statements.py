"""Customer statements of account: opening balance, open items with ageing, payments received
and not yet allocated, closing balance — per customer and currency, tying to the ledger.

Opening balance = open items dated before the period start (default: the first day of the
``as_of`` month); closing balance = opening + items dated in the period − payments received not
yet allocated in the ERP. The closing balance therefore equals the customer's open items minus its
receipts in Payments, to the cent.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.money import cents, from_cents
from ..reports.buckets import age_in_days, bucket_of
from ..reports.unapplied import APPLIED_STATUSES

LINE_COLUMNS = ["customer_id", "customer_name", "currency", "section", "document", "date", "due_date",
                "days_overdue", "bucket", "amount", "open_amount"]
SECTIONS = ("opening balance", "open item", "payment received", "closing balance")
RECEIPT_COLUMNS = ["customer_id", "payment_id", "payment_date", "currency", "amount"]


def customer_receipts(payments: pd.DataFrame, applications: pd.DataFrame | None) -> pd.DataFrame:
    """Money received per customer: what cash application gave to its invoices, plus the rest of
    each payment when the payment's customer is known (its ``customer_id``, or the one customer its
    invoices belong to). Unidentified cash is on no statement."""
    if payments.empty:
        return pd.DataFrame(columns=RECEIPT_COLUMNS)
    pays = payments.assign(_c=cents(payments["amount"]))
    apps = pd.DataFrame(columns=["payment_id", "customer_id", "_c"])
    if applications is not None and len(applications):
        done = applications.loc[applications["status"].isin(APPLIED_STATUSES)]
        apps = (done.assign(_c=cents(done["applied_amount"]))
                .groupby(["payment_id", "customer_id"], as_index=False)["_c"].sum())
    owner = apps.groupby("payment_id")["customer_id"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "")
    who = pays["customer_id"].where(pays["customer_id"] != "", pays["payment_id"].map(owner).astype(object).fillna(""))
    rest = pays["_c"] - pays["payment_id"].map(apps.groupby("payment_id")["_c"].sum()).fillna(0).astype("int64")
    rows = pd.concat([apps, pd.DataFrame({"payment_id": pays["payment_id"], "customer_id": who, "_c": rest})])
    rows = rows.loc[(rows["customer_id"] != "") & (rows["_c"] != 0)]
    rows = rows.groupby(["customer_id", "payment_id"], as_index=False)["_c"].sum()
    info = pays.set_index("payment_id")
    rows["payment_date"] = rows["payment_id"].map(info["payment_date"])
    rows["currency"] = rows["payment_id"].map(info["currency"])
    rows["amount"] = from_cents(rows.pop("_c"))
    return rows[RECEIPT_COLUMNS].sort_values(["customer_id", "payment_date", "payment_id"], ignore_index=True)


def statement_lines(invoices: pd.DataFrame, as_of: dt.date, receipts: pd.DataFrame | None = None,
                    customer_ids: list[str] | None = None, period_start: dt.date | None = None,
                    buckets: tuple[int, ...] = (30, 60, 90, 120), basis: str = "due_date") -> pd.DataFrame:
    """Statement lines (``LINE_COLUMNS``) for the given customers (default: every customer with
    open items or receipts), in ``SECTIONS`` order per customer and currency."""
    start = pd.Timestamp(period_start or as_of.replace(day=1))
    today = pd.Timestamp(as_of)
    items = invoices.loc[(cents(invoices["open_amount"]) != 0) & (invoices["invoice_date"] <= today)].copy()
    receipts = receipts if receipts is not None else pd.DataFrame(columns=RECEIPT_COLUMNS)
    receipts = receipts.loc[pd.to_datetime(receipts["payment_date"]) <= today]
    if customer_ids is not None:
        items = items.loc[items["customer_id"].isin(customer_ids)]
        receipts = receipts.loc[receipts["customer_id"].isin(customer_ids)]
    items["days_overdue"] = age_in_days(items[basis], as_of)
    items["bucket"] = bucket_of(items["days_overdue"], buckets)
    names = items.groupby("customer_id")["customer_name"].first()
    keys = sorted(set(zip(items["customer_id"], items["currency"])) | set(zip(receipts["customer_id"], receipts["currency"])))
    out = []
    for customer, currency in keys:
        mine = items.loc[(items["customer_id"] == customer) & (items["currency"] == currency)]
        mine = mine.sort_values(["invoice_date", "invoice_id"], kind="stable")
        paid = receipts.loc[(receipts["customer_id"] == customer) & (receipts["currency"] == currency)]
        opening = int(cents(mine.loc[mine["invoice_date"] < start, "open_amount"]).sum())
        received = int(cents(paid["amount"]).sum())
        closing = int(cents(mine["open_amount"]).sum()) - received
        base = {"customer_id": customer, "customer_name": names.get(customer, ""), "currency": currency}
        out.append({**base, "section": SECTIONS[0], "date": start, "open_amount": opening / 100})
        out += [{**base, "section": SECTIONS[1], "document": r.invoice_id, "date": r.invoice_date,
                 "due_date": r.due_date, "days_overdue": r.days_overdue, "bucket": r.bucket, "amount": r.amount,
                 "open_amount": r.open_amount} for r in mine.itertuples()]
        out += [{**base, "section": SECTIONS[2], "document": r.payment_id, "date": r.payment_date,
                 "amount": r.amount, "open_amount": -r.amount} for r in paid.itertuples()]
        out.append({**base, "section": SECTIONS[3], "date": today, "open_amount": closing / 100})
    frame = pd.DataFrame(out, columns=LINE_COLUMNS)
    frame["document"] = frame["document"].fillna("")
    frame["bucket"] = frame["bucket"].fillna("")
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame


def statement_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Per customer and currency: opening, period items, payments, closing (they tie exactly)."""
    c = lines.assign(_c=cents(lines["open_amount"].fillna(0)))
    start = pd.to_datetime(c.loc[c["section"] == SECTIONS[0]].set_index(["customer_id", "currency"])["date"])
    rows = []
    for (customer, currency), g in c.groupby(["customer_id", "currency"], sort=False):
        opening = int(g.loc[g["section"] == SECTIONS[0], "_c"].sum())
        items = g.loc[g["section"] == SECTIONS[1]]
        period = int(items.loc[items["date"] >= start[(customer, currency)], "_c"].sum())
        received = -int(g.loc[g["section"] == SECTIONS[2], "_c"].sum())
        closing = int(g.loc[g["section"] == SECTIONS[3], "_c"].sum())
        rows.append({"customer_id": customer, "currency": currency, "opening_balance": opening / 100,
                     "period_items": period / 100, "unapplied": received / 100, "closing_balance": closing / 100,
                     "ties": opening + period - received == closing})
    return pd.DataFrame(rows)

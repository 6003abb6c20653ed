"""Customer statements of account: opening balance, open items with ageing, payments received
and not yet allocated, closing balance — per customer and currency, tying to the ledger.

The items are the booked open items after today's automatic cash application (an invoice paid
today is no longer listed; one paid in part shows what is left); the payments are the money
received from the customer that no item took (on account: see :func:`customer_receipts` with
``applied=False``). Opening balance = open items dated before the period start (default: the first
day of the ``as_of`` month); closing balance = opening + items dated in the period − those payments.
The closing balance therefore equals the customer's open items before today's cash minus all its
receipts in Payments, to the cent — the balance a reconciliation with the customer starts from.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from ..reports.buckets import age_in_days, bucket_of
from ..reports.unapplied import APPLIED_STATUSES

LINE_COLUMNS = ["customer_id", "customer_name", "currency", "section", "document", "date", "due_date",
                "days_overdue", "bucket", "amount", "open_amount"]
SECTIONS = ("opening balance", "open item", "payment received", "closing balance")
RECEIPT_COLUMNS = ["customer_id", "payment_id", "payment_date", "currency", "amount"]


def customer_receipts(payments: pd.DataFrame, applications: pd.DataFrame | None, applied: bool = True) -> pd.DataFrame:
    """Money received per customer: what cash application gave to its invoices (unless ``applied`` is
    False), plus the rest of each payment when the payment's customer is known (its ``customer_id``, or
    the one customer its invoices belong to). Unidentified cash is on no statement.

    Money applied across currencies is received in the currency of the items it cleared (``item_amount``
    in ``item_currency``: a GBP payment clearing a EUR invoice is EUR received, as the AR it reduced and the
    customer's own ledger have it); the rest of a payment stays in the payment's currency."""
    if payments.empty:
        return pd.DataFrame(columns=RECEIPT_COLUMNS)
    pays = payments.assign(_c=cents(payments["amount"]))
    paid_currency = pays.set_index("payment_id")["currency"]
    apps: pd.DataFrame = pd.DataFrame(columns=["payment_id", "customer_id", "currency", "_c", "_paid"])
    if applications is not None and len(applications):
        done = applications.loc[applications["status"].isin(APPLIED_STATUSES)]
        item_ccy = (done["item_currency"].astype(object).fillna("").astype(str) if "item_currency" in done
                    else pd.Series("", index=done.index))
        own = done["payment_id"].map(paid_currency).astype(object).fillna("")
        across = (item_ccy != "") & (item_ccy != own)
        item_c = cents(done["item_amount"].fillna(0)) if "item_amount" in done else cents(done["applied_amount"])
        done = done.assign(currency=own.where(~across, item_ccy), _paid=cents(done["applied_amount"]),
                           _c=pd.Series(cents(done["applied_amount"]), index=done.index).where(~across, item_c))
        apps = done.groupby(["payment_id", "customer_id", "currency"], as_index=False)[["_c", "_paid"]].sum()
    by_payment = apps.groupby("payment_id")["customer_id"]
    owner = by_payment.first().where(by_payment.nunique() == 1, "")  # the one customer, else none
    who = pays["customer_id"].where(pays["customer_id"] != "", pays["payment_id"].map(owner).astype(object).fillna(""))
    rest_c = pays["_c"] - pays["payment_id"].map(apps.groupby("payment_id")["_paid"].sum()).fillna(0).astype("int64")
    rest = pd.DataFrame({"payment_id": pays["payment_id"], "customer_id": who, "currency": pays["currency"],
                         "_c": rest_c})
    rows = pd.concat([apps.drop(columns="_paid"), rest]) if applied else rest
    rows = rows.loc[(rows["customer_id"] != "") & (rows["_c"] != 0)]
    rows = cast(pd.DataFrame, rows.groupby(["customer_id", "payment_id", "currency"], as_index=False)["_c"].sum())
    info = pays.set_index("payment_id")
    rows["payment_date"] = rows["payment_id"].map(info["payment_date"])
    rows["amount"] = from_cents(rows.pop("_c"))
    return rows[RECEIPT_COLUMNS].sort_values(["customer_id", "payment_date", "payment_id"], ignore_index=True)


def statement_lines(invoices: pd.DataFrame, as_of: dt.date, receipts: pd.DataFrame | None = None,
                    customer_ids: list[str] | None = None, period_start: dt.date | None = None,
                    buckets: tuple[int, ...] = Config.buckets, basis: str = "due_date") -> pd.DataFrame:
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
    items["bucket"] = bucket_of(items["days_overdue"], buckets).astype(str)
    keys = ["customer_id", "currency"]
    names = items.groupby("customer_id")["customer_name"].first()
    item_c = items.assign(_c=cents(items["open_amount"]), _old=lambda f: f["invoice_date"] < start)
    received = receipts.assign(_c=cents(receipts["amount"])).groupby(keys)["_c"].sum()
    owed = item_c.groupby(keys)["_c"].sum()
    opening = item_c.loc[item_c["_old"]].groupby(keys)["_c"].sum()
    accounts = owed.index.union(received.index)
    owed, received, opening = (x.reindex(accounts, fill_value=0) for x in (owed, received, opening))
    summary = pd.DataFrame(index=accounts).reset_index()
    frames = [
        summary.assign(section=SECTIONS[0], date=start, open_amount=from_cents(opening.to_numpy())),
        items.assign(section=SECTIONS[1], document=items["invoice_id"], date=items["invoice_date"]),
        receipts.assign(section=SECTIONS[2], document=receipts["payment_id"], date=receipts["payment_date"],
                        open_amount=-receipts["amount"]),
        summary.assign(section=SECTIONS[3], date=today, open_amount=from_cents((owed - received).to_numpy())),
    ]
    frame = pd.concat([f.reindex(columns=LINE_COLUMNS) for f in frames], ignore_index=True)
    frame["customer_name"] = frame["customer_id"].map(names).astype(object).fillna("")
    frame["_order"] = frame["section"].map({name: i for i, name in enumerate(SECTIONS)})
    frame = frame.sort_values(["customer_id", "currency", "_order", "date", "document"], kind="stable",
                              ignore_index=True).drop(columns="_order")
    frame["document"] = frame["document"].fillna("")
    frame["bucket"] = frame["bucket"].fillna("")
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    for column in ("amount", "open_amount"):
        frame[column] = frame[column].astype("float64")
    return frame


def statement_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Per customer and currency: opening, period items, payments, closing, and whether they tie exactly."""
    keys = ["customer_id", "currency"]
    c = lines.assign(_c=cents(lines["open_amount"].fillna(0)))
    start = c.loc[c["section"] == SECTIONS[0]].set_index(keys)["date"]
    part = {name: c.loc[c["section"] == name].groupby(keys)["_c"].sum() for name in SECTIONS}
    items = c.loc[c["section"] == SECTIONS[1]]
    in_period = items["date"].to_numpy() >= start.reindex(pd.MultiIndex.from_frame(items[keys])).to_numpy()
    period = items.loc[in_period].groupby(keys)["_c"].sum()
    out = pd.DataFrame(index=start.index)
    out["opening_balance"] = part[SECTIONS[0]].reindex(out.index, fill_value=0)
    out["period_items"] = period.reindex(out.index, fill_value=0)
    out["unapplied"] = -part[SECTIONS[2]].reindex(out.index, fill_value=0)
    out["closing_balance"] = part[SECTIONS[3]].reindex(out.index, fill_value=0)
    out["ties"] = out["opening_balance"] + out["period_items"] - out["unapplied"] == out["closing_balance"]
    for column in ("opening_balance", "period_items", "unapplied", "closing_balance"):
        out[column] = from_cents(out[column].to_numpy())
    return out.reset_index()

"""The collections worklist: who to call today, in which order, and what to say.

One row per customer and currency with undisputed overdue money after today's cash, unless a promise
to pay is still open. What is overdue is the dunning run's classification of the same items
(``dunning.overdue_items``: past the grace days, not disputed, not in a legal case), so the amount a
call script quotes is the amount that day's letter states. Priority score (0-100, higher first; ties:
larger overdue amount, then customer id):

=======================  ======  ====================================================================
part                     points  measure
=======================  ======  ====================================================================
amount                   35      undisputed overdue / largest such amount in the list (same currency)
age                      25      oldest overdue item, days / 90 (capped at 1)
broken promises          20      broken promises on record / 2 (capped at 1)
credit-limit use         10      open balance / credit limit / 1.5 (capped at 1; 0 without a limit)
dispute share            10      disputed / (disputed + undisputed overdue): disputes need chasing too
=======================  ======  ====================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..model.money import cents, from_cents
from .dunning import item_frame, overdue_items
from .policy import DunningPolicy

WEIGHTS = {"amount": 35.0, "age": 25.0, "promises": 20.0, "credit": 10.0, "disputes": 10.0}
COLUMNS = ["rank", "score", "customer_id", "customer_name", "currency", "collector", "contact", "phone", "email",
           "language", "overdue_amount", "disputed_amount", "oldest_days", "open_balance", "credit_use",
           "broken_promises", "dunning_level", "action", "script", "worklist_date", "outcome", "promise_date",
           "promise_amount", "note"]
INPUT_COLUMNS = ("outcome", "promise_date", "promise_amount", "note")
"""Left empty for the collector; the next run files them in the contact log."""


def _master(customers: pd.DataFrame | None) -> pd.DataFrame:
    wanted = ["customer_name", "collector", "contact", "phone", "email", "language", "credit_limit", "dunning_block"]
    if customers is None or customers.empty:
        return pd.DataFrame(columns=wanted)
    return customers.set_index("customer_id").reindex(columns=wanted)


def worklist(invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date,
             promises: pd.DataFrame | None = None, levels: pd.Series | None = None,
             script: Callable[[dict], str] | None = None, overdue: pd.DataFrame | None = None,
             policy: DunningPolicy | None = None, hand_over: dict[str, str] | None = None) -> pd.DataFrame:
    """Today's calls, ranked (see the module doc for the score).

    ``invoices``: the open items after today's cash; ``overdue``: their classification by the dunning
    run (``DunningResult.items``: ``hold``, ``open_amount``, ``days_overdue``), else worked out here with
    ``policy``; ``promises``: the judged contact log (``promise_status``); ``levels``: dunning level per
    (customer_id, currency); ``script(context)`` writes the call's opening line; ``hand_over``: customers
    due for legal hand-over today → why (their row says to hand over instead of chasing).
    """
    today = pd.Timestamp(as_of)
    inv = invoices.loc[cents(invoices["open_amount"]) != 0].assign(_c=lambda f: cents(f["open_amount"]))
    if overdue is None:
        overdue = overdue_items(item_frame(invoices, customers, today, None), policy or DunningPolicy.from_config())
    overdue = overdue.loc[overdue["customer_id"].isin(set(inv["customer_id"]))]
    overdue = overdue.assign(_c=cents(overdue["open_amount"]), _days=overdue["days_overdue"])
    undisputed = overdue.loc[overdue["hold"].isin(("", "dunning block")) & (overdue["_c"] > 0)]
    disputed = overdue.loc[(overdue["hold"] == "disputed") & (overdue["_c"] > 0)]
    names = inv.drop_duplicates("customer_id").set_index("customer_id")
    undisputed = undisputed.assign(customer_name=undisputed["customer_id"].map(names["customer_name"]).fillna(""),
                                   collector=undisputed["customer_id"].map(names["collector"]).fillna(""))
    keys = ["customer_id", "currency"]
    rows = undisputed.groupby(keys).agg(_over=("_c", "sum"), oldest_days=("_days", "max"),
                                        _name=("customer_name", "first"), _coll=("collector", "first"))
    rows["_disp"] = disputed.groupby(keys)["_c"].sum().reindex(rows.index).fillna(0).astype("int64")
    rows["_bal"] = inv.groupby(keys)["_c"].sum().reindex(rows.index).fillna(0).astype("int64")
    rows = rows.reset_index()
    if promises is None:
        promises = pd.DataFrame({"customer_id": pd.Series(dtype=str), "promise_status": pd.Series(dtype=str),
                                 "promise_date": pd.Series(dtype="datetime64[ns]")})
    broken_log = promises.loc[promises["promise_status"] == "broken"]
    broken = broken_log.groupby("customer_id").size()
    # an open promise holds the calls of its currency (of every currency when the row names none); a
    # broken one counts against the customer whatever the currency: it is how the customer keeps its word
    open_log = promises.loc[promises["promise_status"] == "open"]
    currencies = open_log["currency"] if "currency" in open_log else pd.Series("", index=open_log.index)
    waiting = set(zip(open_log["customer_id"], currencies.fillna("").astype(str)))
    held = [(c, cur) in waiting or (c, "") in waiting for c, cur in zip(rows["customer_id"], rows["currency"])]
    rows = rows.loc[~np.asarray(held, dtype=bool)].copy()
    master = _master(customers)
    info = master.reindex(rows["customer_id"])
    rows["broken_promises"] = rows["customer_id"].map(broken).fillna(0).astype("int64").to_numpy()
    limit = cents(info["credit_limit"].fillna(0).to_numpy())
    rows["credit_use"] = np.where(limit > 0, rows["_bal"] / np.where(limit > 0, limit, 1), 0.0).round(4)
    largest = rows.groupby("currency")["_over"].transform("max")
    share = rows["_disp"] / (rows["_disp"] + rows["_over"])
    rows["score"] = (WEIGHTS["amount"] * rows["_over"] / largest
                     + WEIGHTS["age"] * np.minimum(rows["oldest_days"] / 90, 1)
                     + WEIGHTS["promises"] * np.minimum(rows["broken_promises"] / 2, 1)
                     + WEIGHTS["credit"] * np.minimum(rows["credit_use"] / 1.5, 1)
                     + WEIGHTS["disputes"] * share).round(2)
    rows = rows.sort_values(["score", "_over", "customer_id"], ascending=[False, False, True], kind="stable",
                            ignore_index=True)
    info = master.reindex(rows["customer_id"])
    rows["customer_name"] = info["customer_name"].fillna(rows["_name"].set_axis(info.index)).to_numpy()
    rows["collector"] = np.where(info["collector"].fillna("").to_numpy() != "", info["collector"].fillna(""),
                                 rows["_coll"])
    for column in ("contact", "phone", "email", "language"):
        rows[column] = info[column].fillna("").to_numpy()
    rows["overdue_amount"], rows["disputed_amount"] = from_cents(rows["_over"]), from_cents(rows["_disp"])
    rows["open_balance"] = from_cents(rows["_bal"])
    rows["dunning_level"] = [int(levels.get((c, k), 0)) if levels is not None else 0
                             for c, k in zip(rows["customer_id"], rows["currency"])]
    last_broken = broken_log.groupby("customer_id")["promise_date"].max()
    blocked = info["dunning_block"].fillna("").to_numpy()
    due: dict[Any, str] = hand_over or {}
    rows["action"] = [f"hand over to legal today ({due[r.customer_id]}): run Legal, no chasing call"
                      if r.customer_id in due else _action(r, b) for r, b in zip(rows.itertuples(), blocked)]
    rows["script"] = [script({"customer": {"id": r.customer_id, "name": r.customer_name}, "collector": r.collector,
                              "currency": r.currency, "overdue": r.overdue_amount, "days": int(r.oldest_days),  # type: ignore[arg-type]
                              "disputed": r.disputed_amount, "language": r.language,
                              "promise_date": last_broken.get(r.customer_id)})
                      if script else "" for r in rows.itertuples()]
    rows["rank"] = np.arange(1, len(rows) + 1)
    rows["worklist_date"] = today
    for column in INPUT_COLUMNS:
        rows[column] = pd.NaT if column == "promise_date" else (np.nan if column == "promise_amount" else "")
    return rows[COLUMNS]


def _action(row, blocked: str) -> str:
    if blocked:
        return f"check first: dunning block ({blocked})"
    if row.broken_promises:
        return "call: promise broken — ask for immediate payment"
    if row.dunning_level >= 3 or row.oldest_days > 60:
        return "call: escalate (final notice / credit hold)"
    if row.disputed_amount > row.overdue_amount:
        return "call: resolve the dispute first"
    if row.credit_use > 1:
        return "call: over credit limit — agree payment before new orders"
    return "call: payment reminder"

"""The dunning run: which customers get a notice today, at which level, with which fee and interest.

Rules (see docs/collections.md and docs/lifecycle.md):

- Only invoices with money still open are dunned; credit notes are not dunned but count in the
  account balance. Cash this run is applying to an item (``pending``) is deducted first, so a
  customer who paid yesterday is not reminded.
- An item is *dunnable* when it is more than ``grace_days`` overdue, not disputed
  (``dispute_code``), not in a legal case and its customer has no ``dunning_block``; the others are
  listed with the reason and a ``hold`` code (see ``HOLDS``).
- An item's level comes from its days overdue, but never more than one step above the level it
  was last reminded at (the history; 0 when never reminded): levels are never skipped, so every
  item's first notice is a level-1 reminder, whatever its age.
- Per customer and currency, the worst item drives the notice level; the level is lowered until
  the overdue amount meets that level's minimum amount and minimum share of the open balance.
- A notice is issued when some item is at a higher level than last time, at least ``interval_days``
  have passed since the account's last notice, and that notice's payment deadline (the pay-by date
  its letter gave: ``DunningPolicy.deadline``) has passed; otherwise the row says why not and when
  the next step falls due.
- History is evidence: only the command that produces the letters records today's notices (with
  the letter's file name); history rows of the run date itself are ignored when reading and
  replaced when writing, so the same day twice gives the same result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from ..model.money import cents, from_cents
from ..reports.buckets import age_in_days
from .policy import DunningPolicy, interest_cents

HISTORY_COLUMNS = ["dunned_on", "customer_id", "invoice_id", "level", "currency", "open_amount", "fee", "interest",
                   "letter"]
NOTICE_COLUMNS = ["customer_id", "customer_name", "currency", "language", "email", "collector", "status", "level",
                  "tone", "previous_level", "notices_before", "items", "overdue_amount", "fee", "interest", "total_due",
                  "oldest_days", "account_balance", "last_notice", "pay_by", "next_action", "reason"]
ITEM_COLUMNS = ["customer_id", "invoice_id", "invoice_date", "due_date", "days_overdue", "currency", "open_amount",
                "level", "previous_level", "interest", "status", "hold", "reason"]
HOLDS = ("dunning block", "legal", "disputed", "paid today", "in review", "grace")
"""Why an overdue item is not dunned (``hold``; empty: it is dunnable). Calls follow the same holds, except
that a dunning block is a reason to check before calling, not to skip the customer."""


@dataclass
class DunningResult:
    """Outcome of :func:`dunning_run`.

    ``notices``: one row per customer and currency with overdue items (``status`` is ``notice``,
    ``waiting``, ``up to date``, ``below minimum``, ``not yet due`` or ``excluded``).
    ``items``: every overdue open item with its level, interest, status, hold and reason.
    ``history``: the dunning history to keep when today's letters are produced (older runs plus this
    run's notices; ``letter`` is empty until the letters job names the file).
    """

    notices: pd.DataFrame
    items: pd.DataFrame
    history: pd.DataFrame

    @property
    def to_send(self) -> pd.DataFrame:
        return self.notices.loc[self.notices["status"] == "notice"]

    def items_of(self, customer_id: str, currency: str) -> pd.DataFrame:
        """The items a notice lists (those at a level, dunned now)."""
        it = self.items
        return it.loc[(it["customer_id"] == customer_id) & (it["currency"] == currency) & (it["status"] == "dunned")]


def _past_history(history: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    if history is None or history.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS).astype({"level": "int64", "dunned_on": "datetime64[ns]"})
    past = history.loc[pd.to_datetime(history["dunned_on"]) < as_of].reindex(columns=HISTORY_COLUMNS)
    past["level"] = past["level"].astype("int64")
    past["letter"] = past["letter"].astype(object).fillna("")
    return past


def item_frame(invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: pd.Timestamp,
               pending: pd.Series | None) -> pd.DataFrame:
    """The items with what dunning and calls judge them by: ``_open`` (cents, less ``pending``: today's
    cash), ``days_overdue`` and ``_block`` (the customer's dunning block, or empty)."""
    inv = invoices.copy()
    inv["_open"] = cents(inv["open_amount"])
    if pending is not None and len(pending):
        inv["_open"] -= inv["invoice_id"].map(pd.Series(cents(pending), index=pending.index)).fillna(0).astype("int64")
    inv["days_overdue"] = age_in_days(pd.to_datetime(inv["due_date"]), as_of)
    block = pd.Series(dtype=str)
    if customers is not None:
        block = customers.set_index("customer_id")["dunning_block"]
    inv["_block"] = inv["customer_id"].map(block).astype(object).fillna("")
    return inv


def dunning_run(invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date,
                policy: DunningPolicy | None = None, history: pd.DataFrame | None = None,
                pending: pd.Series | None = None, blocked: pd.Series | None = None,
                in_review: pd.Series | None = None) -> DunningResult:
    """Decide today's dunning notices.

    ``invoices`` and ``customers`` are canonical frames (``customers`` may be None);
    ``history`` the ``DunningHistory`` records of earlier runs; ``pending`` the amounts being
    applied to items by this run's cash application (index ``invoice_id``); ``blocked`` items
    never dunned, with the reason (index ``invoice_id``: e.g. handed over to legal); ``in_review`` items
    a payment waiting in cash application's review names, with that payment (index ``invoice_id``): not
    dunned (nor called) while the payment waits — the customer paid, the associate has not yet applied it.
    """
    policy = policy or DunningPolicy.from_config()
    today = pd.Timestamp(as_of)
    past = _past_history(history, today)
    inv = item_frame(invoices, customers, today, pending)
    balance = inv.groupby(["customer_id", "currency"])["_open"].sum()
    last_item = past.sort_values(["dunned_on", "level"]).groupby("invoice_id").last()
    accounts = ["customer_id", "currency"]
    last_notice = past.groupby(accounts)["dunned_on"].max()
    on_last = past.loc[past["dunned_on"] == past.groupby(accounts)["dunned_on"].transform("max")] if len(past) else past
    last_level = on_last.groupby(accounts)["level"].max()
    notices_before = past.groupby(accounts)["dunned_on"].nunique()

    items = overdue_items(inv, policy, blocked, in_review)
    items["previous_level"] = items["invoice_id"].map(last_item["level"]).fillna(0).astype("int64")
    by_days = np.array([policy.level_for(d) for d in items["days_overdue"]], dtype="int64")
    items["level"] = np.minimum(by_days, items["previous_level"] + 1)  # never a level skipped, from 0 on
    items["status"] = np.where(items["hold"] == "", "", np.where(items["hold"] == "grace", "grace", "excluded"))
    _exclude(items, items["level"] == 0, "grace", pd.Series("not yet at level 1", items.index))
    items.loc[(items["status"] == "grace") & (items["hold"] == ""), "hold"] = "grace"

    notices, history_rows = [], []
    master = ({r["customer_id"]: r for r in customers[["customer_id", "customer_name", "language", "email",
                                                          "collector"]].to_dict("records")}
              if customers is not None and len(customers) else {})
    balance_of, last_notice_of = balance.to_dict(), last_notice.to_dict()
    last_level_of, before_of = last_level.to_dict(), notices_before.to_dict()
    items = items.sort_values(["customer_id", "currency", "due_date", "invoice_id"], kind="stable")
    cols = {c: items[c].to_numpy() for c in ("invoice_id", "_open", "days_overdue", "level", "previous_level",
                                              "status", "reason", "due_date", "customer_name", "collector")}
    cols["status"], cols["reason"] = cols["status"].copy(), cols["reason"].copy()
    cols["level"], cols["_interest"] = cols["level"].copy(), np.zeros(len(items), dtype="int64")
    keys = list(zip(items["customer_id"], items["currency"]))
    bounds = [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
    for lo, hi in zip([0, *bounds], [*bounds, len(keys)]) if keys else ():
        customer, currency = keys[lo]
        key = (customer, currency)
        row, new_history = _decide(customer, currency, slice(lo, hi), cols, policy, today, int(balance_of[key]),
                                   last_notice_of.get(key), int(last_level_of.get(key, 0)))
        row["notices_before"] = int(before_of.get(key, 0))
        row.update(_contact(master, customer, cols["customer_name"][lo], cols["collector"][lo]))
        notices.append(row)
        history_rows += new_history
    for column in ("status", "reason", "level"):
        items[column] = cols[column]
    items["interest"] = from_cents(cols["_interest"])
    items["open_amount"] = from_cents(items["_open"].clip(lower=0))
    new = pd.DataFrame(history_rows, columns=HISTORY_COLUMNS)
    kept = pd.concat([past, new], ignore_index=True) if len(new) else past
    kept = kept.sort_values(["dunned_on", "customer_id", "invoice_id"], kind="stable", ignore_index=True)
    kept["level"] = kept["level"].astype("int64")
    return DunningResult(pd.DataFrame(notices, columns=NOTICE_COLUMNS),
                         items[ITEM_COLUMNS].reset_index(drop=True), kept)


def overdue_items(inv: pd.DataFrame, policy: DunningPolicy, blocked: pd.Series | None = None,
                  in_review: pd.Series | None = None) -> pd.DataFrame:
    """The overdue invoices of ``inv`` (from ``item_frame``: ``_open`` cents after today's cash,
    ``days_overdue``, ``_block``) with why each is held (``hold``, one of ``HOLDS`` or empty, the
    first that applies) and the reason in words. Dunning and the call worklist both read this one
    classification, so a letter and a call never disagree about what is overdue."""
    items = inv.loc[(inv["doc_type"] != "CRN") & (cents(inv["open_amount"]) > 0) & (inv["days_overdue"] > 0)].copy()
    items["hold"], items["reason"] = "", ""
    why_blocked = items["invoice_id"].map(blocked) if blocked is not None and len(blocked) else None
    rules = [("dunning block", items["_block"] != "", "customer on dunning block: " + items["_block"])]
    if why_blocked is not None:
        rules.append(("legal", why_blocked.notna(), why_blocked.astype(object).fillna("")))
    rules += [("disputed", items["dispute_code"] != "", "disputed: " + items["dispute_code"]),
              ("paid today", items["_open"] <= 0, pd.Series("payment received, being applied", items.index))]
    if in_review is not None and len(in_review):
        waiting = items["invoice_id"].map(in_review)
        rules.append(("in review", waiting.notna(), waiting.astype(object).fillna("")))
    rules.append(("grace", items["days_overdue"] <= policy.grace_days,
                  pd.Series(f"within {policy.grace_days} grace days", items.index)))
    for hold, mask, reason in rules:
        mask = mask & (items["hold"] == "")
        items.loc[mask, "hold"] = hold
        items.loc[mask, "reason"] = reason[mask]
    return items


def _exclude(items: pd.DataFrame, mask: pd.Series, status: str, reason: pd.Series | str) -> None:
    """Mark rows not yet marked (the first reason found is the one shown)."""
    mask = mask & (items["status"] == "")
    items.loc[mask, "status"] = status
    items.loc[mask, "reason"] = reason[mask] if isinstance(reason, pd.Series) else reason


def _decide(customer: str, currency: str, rows: slice, cols: dict, policy: DunningPolicy, today: pd.Timestamp,
            balance: int, last: pd.Timestamp | None, last_level: int = 0) -> tuple[dict, list[dict]]:
    """The notice of one account (its items are ``cols[...][rows]``); marks the items' status."""
    status, reason, level_of = cols["status"][rows], cols["reason"][rows], cols["level"][rows]
    open_, days, previous = cols["_open"][rows], cols["days_overdue"][rows], cols["previous_level"][rows]
    due = np.flatnonzero(status == "")
    overdue = int(open_[due].sum())
    row = {"customer_id": customer, "currency": currency, "items": len(due), "overdue_amount": overdue / 100,
           "fee": 0.0, "interest": 0.0, "total_due": overdue / 100, "level": 0, "tone": "",
           "previous_level": int(previous.max()), "oldest_days": int(days.max()),
           "account_balance": balance / 100, "last_notice": last, "pay_by": pd.NaT,
           "next_action": _next_step(cols["due_date"][rows][due], level_of[due], policy, today, last, last_level)}
    if not len(due):
        counts = Counter(reason.tolist()).most_common()  # by count, then first seen (as value_counts)
        row.update(status="excluded" if (status == "excluded").any() else "not yet due",
                   reason="; ".join(f"{n} item(s) {r}" for r, n in counts), next_action=None)
        return row, []
    level = _notice_level(int(level_of[due].max()), overdue, balance, policy)
    if level == 0:
        first = policy[1]
        status[due], reason[due] = "below minimum", "the account is below the level's minimum"
        row.update(status="below minimum", reason=f"overdue {overdue / 100:,.2f} is below the minimum of level 1 "
                   f"({first.min_amount:,.2f}, {first.min_percent:g}% of the balance {balance / 100:,.2f})")
        return row, []
    sent = np.minimum(level_of[due], level)
    row.update(level=level, tone=policy[level].tone)
    if not (sent > previous[due]).any():
        status[due], reason[due] = "reminded", f"already reminded at level {int(previous[due].max())}"
        row.update(status="up to date", reason=f"no item has reached a new level since {last:%d/%m/%Y}"
                   if last is not None else "nothing new")
        return row, []
    allowed = policy.next_notice_allowed(last, last_level)
    if allowed is not None and today < allowed:
        status[due], reason[due] = "waiting", f"last notice {last:%d/%m/%Y}"
        deadline = cast(pd.Timestamp, last) + pd.Timedelta(days=policy.deadline(last_level))
        row.update(status="waiting", reason=f"last notice on {last:%d/%m/%Y} (level {last_level}, pay by "
                   f"{deadline:%d/%m/%Y}); the next may go out on {allowed:%d/%m/%Y}, once its deadline has "
                   f"passed and {policy.interval_days} days apart", next_action=allowed)
        return row, []
    rule = policy[level]
    fee = cents(rule.fee).item()
    interest = [interest_cents(int(o), rule.interest_rate, int(d)) for o, d in zip(open_[due], days[due])]
    level_of[due], status[due] = sent, "dunned"
    cols["_interest"][rows][due] = interest
    row.update(status="notice", fee=fee / 100, interest=sum(interest) / 100,
               total_due=(overdue + fee + sum(interest)) / 100,
               pay_by=today + pd.Timedelta(days=policy.deadline(level)),
               reason=f"level {level} ({rule.tone.replace('_', ' ')}): worst item {int(days[due].max())} days overdue")
    history = [{"dunned_on": today, "customer_id": customer, "invoice_id": invoice, "level": int(lv),
                "currency": currency, "open_amount": int(o) / 100, "fee": fee / 100 if i == 0 else 0.0,
                "interest": interest[i] / 100, "letter": ""}
               for i, (invoice, o, lv) in enumerate(zip(cols["invoice_id"][rows][due], open_[due], sent))]
    return row, history


def _notice_level(worst: int, overdue: int, balance: int, policy: DunningPolicy) -> int:
    """Highest level ≤ ``worst`` whose minimum amount and share of the balance the overdue amount meets."""
    for level in range(worst, 0, -1):
        rule = policy[level]
        share = 100.0 * overdue / balance if balance > 0 else 0.0
        if overdue >= cents(rule.min_amount).item() and (rule.min_percent <= 0 or share >= rule.min_percent):
            return level
    return 0


def _next_step(due_dates: np.ndarray, levels: np.ndarray, policy: DunningPolicy, today: pd.Timestamp,
               last: pd.Timestamp | None = None, last_level: int = 0) -> pd.Timestamp:
    """First date a notice can escalate: an item reaches its next level, after the interval and after
    the deadline of the notice sent today (or of the last one)."""
    levels = np.asarray(levels, dtype="int64")
    can = levels < len(policy.levels)
    after_today = policy.next_notice_allowed(today, int(levels.max()) if len(levels) else 1)
    earliest = max(after_today, policy.next_notice_allowed(last, last_level) or after_today)
    if not can.any():
        return earliest
    starts = np.array([lv.days for lv in policy.levels], dtype="int64")  # policy[k + 1].days is starts[k]
    dates = np.asarray(due_dates, dtype="datetime64[ns]")[can] + starts[levels[can]].astype("timedelta64[D]")
    return max(pd.Timestamp(dates.min()), earliest)


def _contact(master: dict[str, dict], customer: str, name: str, collector: str) -> dict:
    """The notice's contact columns from the customer master (customer_id → record)."""
    c = master.get(customer)
    if c is None:
        return {"customer_name": name, "language": "", "email": "", "collector": collector}
    return {"customer_name": c["customer_name"] or name, "language": c["language"], "email": c["email"],
            "collector": c["collector"] or collector}

"""The dunning run: which customers get a notice today, at which level, with which fee and interest.

Rules (see docs/collections.md):

- Only invoices with money still open are dunned; credit notes are not dunned but count in the
  account balance. Cash this run is applying to an item (``pending``) is deducted first, so a
  customer who paid yesterday is not reminded.
- An item is *dunnable* when it is more than ``grace_days`` overdue, not disputed
  (``dispute_code``) and its customer has no ``dunning_block``; the others are listed with the reason.
- An item's level comes from its days overdue, but never more than one step above the level it
  was last reminded at (the history): levels are not skipped once dunning has started.
- Per customer and currency, the worst item drives the notice level; the level is lowered until
  the overdue amount meets that level's minimum amount and minimum share of the open balance.
- A notice is issued when some item is at a higher level than last time and at least
  ``interval_days`` have passed since the customer's last notice; otherwise the row says why not
  and when the next step falls due. Running twice on the same date gives the same result: history
  rows of the run date itself are replaced, never added twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.money import cents, from_cents
from ..reports.buckets import age_in_days
from .policy import DunningPolicy, interest_cents

HISTORY_COLUMNS = ["dunned_on", "customer_id", "invoice_id", "level", "currency", "open_amount", "fee", "interest"]
NOTICE_COLUMNS = ["customer_id", "customer_name", "currency", "language", "email", "collector", "status", "level",
                  "tone", "previous_level", "items", "overdue_amount", "fee", "interest", "total_due",
                  "oldest_days", "account_balance", "last_notice", "next_action", "reason"]
ITEM_COLUMNS = ["customer_id", "invoice_id", "invoice_date", "due_date", "days_overdue", "currency", "open_amount",
                "level", "previous_level", "interest", "status", "reason"]


@dataclass
class DunningResult:
    """Outcome of :func:`dunning_run`.

    ``notices``: one row per customer and currency with overdue items (``status`` is ``notice``,
    ``waiting``, ``up to date``, ``below minimum``, ``not yet due`` or ``excluded``).
    ``items``: every overdue open item with its level, interest, and status/reason.
    ``history``: the dunning history to keep (older runs plus this run's notices).
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
    past = history.loc[pd.to_datetime(history["dunned_on"]) < as_of, HISTORY_COLUMNS].copy()
    past["level"] = past["level"].astype("int64")
    return past


def _item_frame(invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: pd.Timestamp,
                pending: pd.Series | None) -> pd.DataFrame:
    inv = invoices.copy()
    inv["_open"] = cents(inv["open_amount"])
    if pending is not None and len(pending):
        inv["_open"] -= inv["invoice_id"].map(pd.Series(cents(pending), index=pending.index)).fillna(0).astype("int64")
    inv["days_overdue"] = age_in_days(pd.to_datetime(inv["due_date"]), as_of)
    block = pd.Series(dtype=str)
    if customers is not None and "dunning_block" in customers:
        block = customers.set_index("customer_id")["dunning_block"]
    inv["_block"] = inv["customer_id"].map(block).astype(object).fillna("")
    return inv


def dunning_run(invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date,
                policy: DunningPolicy | None = None, history: pd.DataFrame | None = None,
                pending: pd.Series | None = None, blocked: pd.Series | None = None) -> DunningResult:
    """Decide today's dunning notices.

    ``invoices`` and ``customers`` are canonical frames (``customers`` may be None);
    ``history`` the ``DunningHistory`` records of earlier runs; ``pending`` the amounts being
    applied to items by this run's cash application (index ``invoice_id``); ``blocked`` items
    never dunned, with the reason (index ``invoice_id``: e.g. handed over to legal).
    """
    policy = policy or DunningPolicy.from_config()
    today = pd.Timestamp(as_of)
    past = _past_history(history, today)
    inv = _item_frame(invoices, customers, today, pending)
    balance = inv.groupby(["customer_id", "currency"])["_open"].sum()
    last_item = past.sort_values(["dunned_on", "level"]).groupby("invoice_id").last()
    last_notice = past.groupby(["customer_id", "currency"])["dunned_on"].max()

    items = inv.loc[(inv["doc_type"] != "CRN") & (cents(inv["open_amount"]) > 0) & (inv["days_overdue"] > 0)].copy()
    items["previous_level"] = items["invoice_id"].map(last_item["level"]).fillna(0).astype("int64")
    by_days = np.array([policy.level_for(d) for d in items["days_overdue"]], dtype="int64")
    capped = np.where(items["previous_level"] > 0, np.minimum(by_days, items["previous_level"] + 1), by_days)
    items["level"] = capped
    items["status"], items["reason"] = "", ""
    _exclude(items, items["_block"] != "", "excluded", "customer on dunning block: " + items["_block"])
    if blocked is not None and len(blocked):
        why = items["invoice_id"].map(blocked)
        _exclude(items, why.notna(), "excluded", why.fillna(""))
    _exclude(items, items["dispute_code"] != "", "excluded", "disputed: " + items["dispute_code"])
    _exclude(items, items["_open"] <= 0, "excluded", pd.Series("payment received, being applied", items.index))
    _exclude(items, items["days_overdue"] <= policy.grace_days, "grace",
             "within " + str(policy.grace_days) + " grace days")
    _exclude(items, items["level"] == 0, "grace", pd.Series("not yet at level 1", items.index))

    notices, history_rows = [], []
    master = ({r["customer_id"]: r for r in customers[["customer_id", "customer_name", "language", "email",
                                                          "collector"]].to_dict("records")}
              if customers is not None and len(customers) else {})
    balance_of, last_notice_of = balance.to_dict(), last_notice.to_dict()
    items = items.sort_values(["customer_id", "currency", "due_date", "invoice_id"], kind="stable")
    cols = {c: items[c].to_numpy() for c in ("invoice_id", "_open", "days_overdue", "level", "previous_level",
                                              "status", "reason", "due_date", "customer_name", "collector")}
    cols["status"], cols["reason"] = cols["status"].copy(), cols["reason"].copy()
    cols["level"], cols["_interest"] = cols["level"].copy(), np.zeros(len(items), dtype="int64")
    keys = list(zip(items["customer_id"], items["currency"]))
    bounds = [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
    for lo, hi in zip([0, *bounds], [*bounds, len(keys)]) if keys else ():
        customer, currency = keys[lo]
        row, new_history = _decide(customer, currency, slice(lo, hi), cols, policy, today,
                                   int(balance_of[(customer, currency)]), last_notice_of.get((customer, currency)))
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
    return DunningResult(pd.DataFrame(notices, columns=NOTICE_COLUMNS), items[ITEM_COLUMNS].reset_index(drop=True), kept)


def _exclude(items: pd.DataFrame, mask: pd.Series, status: str, reason: pd.Series | str) -> None:
    """Mark rows not yet marked (the first reason found is the one shown)."""
    mask = mask & (items["status"] == "")
    items.loc[mask, "status"] = status
    items.loc[mask, "reason"] = reason[mask] if isinstance(reason, pd.Series) else reason


def _decide(customer: str, currency: str, rows: slice, cols: dict, policy: DunningPolicy, today: pd.Timestamp,
            balance: int, last: pd.Timestamp | None) -> tuple[dict, list[dict]]:
    """The notice of one account (its items are ``cols[...][rows]``); marks the items' status."""
    status, reason, level_of = cols["status"][rows], cols["reason"][rows], cols["level"][rows]
    open_, days, previous = cols["_open"][rows], cols["days_overdue"][rows], cols["previous_level"][rows]
    due = np.flatnonzero(status == "")
    overdue = int(open_[due].sum())
    row = {"customer_id": customer, "currency": currency, "items": len(due), "overdue_amount": overdue / 100,
           "fee": 0.0, "interest": 0.0, "total_due": overdue / 100, "level": 0, "tone": "",
           "previous_level": int(previous.max()), "oldest_days": int(days.max()),
           "account_balance": balance / 100, "last_notice": last,
           "next_action": _next_step(cols["due_date"][rows][due], level_of[due], policy, today)}
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
    if last is not None and (today - last).days < policy.interval_days:
        status[due], reason[due] = "waiting", f"last notice {last:%d/%m/%Y}"
        row.update(status="waiting", reason=f"last notice on {last:%d/%m/%Y}; next allowed after "
                   f"{policy.interval_days} days", next_action=last + pd.Timedelta(days=policy.interval_days))
        return row, []
    rule = policy[level]
    fee = cents(rule.fee).item()
    interest = [interest_cents(int(o), rule.interest_rate, int(d)) for o, d in zip(open_[due], days[due])]
    level_of[due], status[due] = sent, "dunned"
    cols["_interest"][rows][due] = interest
    row.update(status="notice", fee=fee / 100, interest=sum(interest) / 100,
               total_due=(overdue + fee + sum(interest)) / 100,
               reason=f"level {level} ({rule.tone.replace('_', ' ')}): worst item {int(days[due].max())} days overdue")
    history = [{"dunned_on": today, "customer_id": customer, "invoice_id": invoice, "level": int(lv),
                "currency": currency, "open_amount": int(o) / 100, "fee": fee / 100 if i == 0 else 0.0,
                "interest": interest[i] / 100}
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


def _next_step(due_dates: np.ndarray, levels: np.ndarray, policy: DunningPolicy, today: pd.Timestamp) -> pd.Timestamp:
    """First date a notice can escalate: an item reaches its next level, after the interval."""
    levels = np.asarray(levels, dtype="int64")
    can = levels < len(policy.levels)
    earliest = today + pd.Timedelta(days=max(1, policy.interval_days))
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

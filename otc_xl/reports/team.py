"""One view of a whole team: every associate's ledger consolidated, with an associate dimension.

Reading the associates' workbooks is the adapter's job (``otc-xl team``) and booking each one the
workflow's (``otc_xl.workflows.team``): this module takes each associate's booked open items
(:class:`Member`) and returns frames. Each report keeps amounts per currency
(never added across currencies), and ``controls`` proves that every team figure equals the sum of
the associates' own figures, to the cent.

Conventions are checked first (:func:`conventions`): a workbook whose entity (Config
``company_name``) or home currency differs from the team's (the most common one) is left out of the
totals and listed with the reason, as is an invoice number that appears in two workbooks (counted
once would be a guess: the team would double-count it, so the later workbook's copy is refused).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from ..model.money import cents, from_cents
from .ageing import ageing
from .buckets import bucket_labels

WORKBOOK_COLUMNS = ["associate", "workbook", "status", "reason", "entity", "home_currency", "open_items",
                    "customers"]


@dataclass
class Member:
    """One associate's workbook, booked as the associate's own commands book it."""

    associate: str
    workbook: str
    invoices: pd.DataFrame | None = None
    """The open items after the day's cash (``otc_xl.booking.Booked.open_items``)."""
    customers: pd.DataFrame | None = None
    entity: str = ""
    home_currency: str = ""
    buckets: tuple[int, ...] = ()
    """The workbook's Config buckets (the team uses the most common)."""
    problem: str = ""
    """Why the workbook could not be used (empty when it could)."""
    notes: list[str] = field(default_factory=list)
    snapshot: dict[str, float] = field(default_factory=dict)
    """Open AR per currency in the associate's own History snapshot of the team's as-of date (none: empty)."""


def conventions(members: list[Member]) -> tuple[list[Member], pd.DataFrame]:
    """(the members consolidated, the ``Workbooks`` listing with each one's status and reason)."""
    readable = [m for m in members if not m.problem]
    entity = Counter(m.entity for m in readable).most_common(1)[0][0] if readable else ""
    currency = Counter(m.home_currency for m in readable).most_common(1)[0][0] if readable else ""
    seen: dict[str, str]
    rows, used, seen = [], [], {}
    for m in members:
        reason = m.problem
        if not reason and m.entity != entity:
            reason = f"another entity ({m.entity or 'no company_name'}; the team's is {entity or 'no company_name'})"
        if not reason and m.home_currency != currency:
            reason = f"home currency {m.home_currency}, the team's is {currency}"
        if not reason:
            twice = sorted(set(cast(pd.DataFrame, m.invoices)["invoice_id"]) & set(seen))
            if twice:
                reason = (f"{len(twice)} invoice number(s) also in {seen[twice[0]]} (first {twice[0]}): "
                          "left out so nothing is counted twice")
        if not reason:
            used.append(m)
            seen.update(dict.fromkeys(cast(pd.DataFrame, m.invoices)["invoice_id"], m.workbook))
        rows.append({"associate": m.associate, "workbook": m.workbook, "status": "consolidated" if not reason
                     else ("unreadable" if m.problem else "left out"), "reason": reason, "entity": m.entity,
                     "home_currency": m.home_currency,
                     "open_items": int((cents(m.invoices["open_amount"]) != 0).sum()) if m.invoices is not None else 0,
                     "customers": m.invoices["customer_id"].nunique() if m.invoices is not None else 0})
    return used, pd.DataFrame(rows, columns=WORKBOOK_COLUMNS)


def team_invoices(members: list[Member]) -> pd.DataFrame:
    """Every consolidated open item with ``associate``; the invoice's collector, else the associate."""
    frames = []
    for m in members:
        frame = cast(pd.DataFrame, m.invoices).assign(associate=m.associate)
        frame["collector"] = frame["collector"].where(frame["collector"] != "", m.associate)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def team_ageing(invoices: pd.DataFrame, as_of: dt.date, buckets: tuple[int, ...]) -> pd.DataFrame:
    """Associate × customer × currency × bucket."""
    parts = []
    for associate, mine in invoices.groupby("associate", sort=True):
        aged = ageing(mine, as_of, buckets)
        aged.insert(0, "associate", associate)
        parts.append(aged)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def top_customers(invoices: pd.DataFrame, as_of: dt.date, n: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(top ``n`` by overdue amount, top ``n`` by risk) per currency. Risk = overdue × (1 + oldest
    overdue days / 90) × (1 + 0.5 × disputed share), a ranking that weighs size, age and disputes."""
    open_items = invoices.loc[cents(invoices["open_amount"]) > 0]
    days = (pd.Timestamp(as_of) - open_items["due_date"]).dt.days
    frame = open_items.assign(_c=cents(open_items["open_amount"]), _days=days)
    frame["_over"] = np.where(frame["_days"] > 0, frame["_c"], 0)
    frame["_disputed"] = np.where(frame["dispute_code"] != "", frame["_over"], 0)
    frame["_oldest"] = np.where(frame["_days"] > 0, frame["_days"], 0)
    grouped = frame.groupby(["currency", "customer_id"], sort=True).agg(
        customer_name=("customer_name", "first"), associate=("associate", "first"), overdue=("_over", "sum"),
        disputed=("_disputed", "sum"), oldest_days=("_oldest", "max"), open_amount=("_c", "sum")).reset_index()
    grouped = grouped.loc[grouped["overdue"] > 0]
    share = np.where(grouped["overdue"] > 0, grouped["disputed"] / grouped["overdue"].clip(lower=1), 0)
    grouped["risk"] = (grouped["overdue"] / 100 * (1 + grouped["oldest_days"] / 90) * (1 + 0.5 * share)).round(2)
    for column in ("overdue", "disputed", "open_amount"):
        grouped[column] = from_cents(grouped[column].to_numpy(dtype="int64"))
    columns = ["currency", "customer_id", "customer_name", "associate", "overdue", "disputed", "oldest_days",
               "open_amount", "risk"]
    by = {key: (grouped.sort_values(["currency", key, "customer_id"], ascending=[True, False, True], kind="stable")
                .groupby("currency", sort=True).head(n).reset_index(drop=True)[columns])
          for key in ("overdue", "risk")}
    return by["overdue"], by["risk"]


def controls(members: list[Member], aged: pd.DataFrame, buckets: tuple[int, ...], as_of: dt.date) -> pd.DataFrame:
    """Team totals against the sum of the associates' own totals, per currency, to the cent;
    Σ buckets = Σ open items of the team ageing; and each associate's open AR in the team report against
    the associate's own History snapshot of that date, where the associate has run that day (a
    difference means the workbook changed since, or the two disagree: look before trusting either)."""
    rows = []
    labels = bucket_labels(buckets)
    own: dict[str, int] = {}
    for m in members:
        invoices = cast(pd.DataFrame, m.invoices)
        dated = invoices.loc[invoices["invoice_date"] <= pd.Timestamp(as_of)]  # as the ageing counts them
        for currency, total in dated.assign(_c=cents(dated["open_amount"])).groupby("currency")["_c"].sum().items():
            own[cast(str, currency)] = own.get(cast(str, currency), 0) + int(total)
    team_total = (aged.assign(_c=cents(aged["Total"])).groupby("currency")["_c"].sum() if len(aged)
                  else pd.Series(dtype="int64"))
    team_buckets = (sum(cents(aged[label]) for label in labels if label in aged) if len(aged) else np.array([]))
    bucket_sum = (pd.Series(team_buckets, index=aged.index).groupby(aged["currency"]).sum() if len(aged)
                  else pd.Series(dtype="int64"))
    for currency in sorted(set(own) | set(team_total.index)):
        for check, expected, actual in (
                ("team open AR = Σ associates' open items", own.get(currency, 0), int(team_total.get(currency, 0))),
                ("Σ buckets = team open AR", int(team_total.get(currency, 0)), int(bucket_sum.get(currency, 0)))):
            rows.append({"check": check, "currency": currency, "expected": expected / 100, "actual": actual / 100,
                         "difference": (actual - expected) / 100, "ok": actual == expected})
    mine: pd.Series | dict = (aged.assign(_c=cents(aged["Total"])).groupby(["associate", "currency"])["_c"].sum()
                              if len(aged) else {})
    for m in members:
        for currency, own_ar in sorted(m.snapshot.items()):
            expected, actual = int(cents(own_ar)), int(mine.get((m.associate, currency), 0))
            rows.append({"check": f"{m.associate}: team open AR = own History snapshot of {as_of:%d/%m/%Y}",
                         "currency": currency, "expected": expected / 100, "actual": actual / 100,
                         "difference": (actual - expected) / 100, "ok": actual == expected})
    return pd.DataFrame(rows, columns=["check", "currency", "expected", "actual", "difference", "ok"])

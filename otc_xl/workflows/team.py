"""The team consolidation: many associates' workbooks, one team report (``otc-xl team``, the Team
button). Each workbook is booked exactly as the associate's own commands book it
(:func:`otc_xl.booking.book`: posted invoices, credit postings, the day's cash), so the team's figures
are the associates' figures; the workload counts the calls each associate's worklist has today."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import cast

import pandas as pd

from ..booking import book
from ..collecting.disputes import dispute_items
from ..config import Config
from ..ledger import Ledger
from ..model.money import cents
from ..model.problems import ValidationError
from ..model.report import ReportSheet
from ..reports.history import ALL
from ..reports.pivot import pivot_data
from ..reports.team import Member, controls, conventions, team_ageing, team_invoices, top_customers
from .collections import todays_calls
from .common import JobResult, _amounts, _formats
from .team_books import TeamBook

WORKLOAD_COLUMNS = ["associate", "calls_due", "customers_overdue", "disputes_open", "disputes_average_days",
                    "disputes_oldest_days", "disputes_to_escalate", "open_items"]


def _booked_member(team_book: TeamBook, as_of: dt.date) -> tuple[Member, dict | None]:
    """(the associate as the team report sees it, its workload row) — booked as its own commands do."""
    member = Member(team_book.associate, team_book.workbook, problem=team_book.problem)
    if team_book.problem:
        return member, None
    try:
        booked = book(cast(Ledger, team_book.ledger), team_book.evidence)  # read: no problem
        items = booked.open_items
        calls = todays_calls(booked)
    except ValidationError as exc:
        member.problem = f"cannot be booked: {exc.problems[0].message}"
        return member, None
    ledger, cfg = booked.ledger, booked.config
    member.invoices, member.customers = items, ledger.customers
    member.entity, member.home_currency, member.buckets = cfg.company_name, cfg.home_currency, cfg.buckets
    member.notes = [str(p) for p in ledger.problems]
    history = ledger.records["history"]
    if len(history):
        today = history.loc[(pd.to_datetime(history["snapshot_date"]) == pd.Timestamp(as_of))
                            & (history["collector"] == ALL)]
        member.snapshot = dict(zip(today["currency"], today["open_ar"]))
    disputes = dispute_items(items, as_of, cfg.dispute_escalation_days)
    load = {"associate": member.associate, "calls_due": len(calls),
            "customers_overdue": calls["customer_id"].nunique() if len(calls) else 0,
            "disputes_open": len(disputes),
            "disputes_average_days": round(float(disputes["dispute_days"].mean()), 1) if len(disputes) else 0.0,
            "disputes_oldest_days": int(disputes["dispute_days"].max()) if len(disputes) else 0,
            "disputes_to_escalate": int(disputes["escalate"].sum()) if len(disputes) else 0,
            "open_items": int((cents(items["open_amount"]) != 0).sum())}
    return member, load


def team_report(books: list[TeamBook], as_of: dt.date, buckets: tuple[int, ...] | None = None,
                top: int = 20) -> JobResult:
    """``Workbooks`` (each workbook: consolidated, left out or unreadable, and why), ``TeamAgeing``
    (associate × customer × currency × bucket), ``TeamPivotData`` (long, with associate and
    collector), ``TopOverdue`` and ``TopRisk`` (per currency), ``Workload`` (per associate: today's
    calls as its worklist has them, disputes) and ``TeamControls`` (team totals = Σ associates,
    Σ buckets = open AR, each associate = its own snapshot of the day, to the cent)."""
    booked = [_booked_member(b, as_of) for b in books]
    members = [m for m, _ in booked]
    used, listing = conventions(members)
    if buckets is None:
        common = Counter(tuple(m.buckets) for m in used if m.buckets).most_common(1)
        buckets = common[0][0] if common else Config.buckets
    invoices = team_invoices(used)
    sheets = [ReportSheet("Workbooks", "tblWorkbooks", listing, {"open_items": "integer", "customers": "integer"},
                          notes=(f"As of {as_of:%d/%m/%Y}, after each workbook's cash of the day. Workbooks are read, "
                                 "never changed.",))]
    summary = [("workbooks", f"{len(used)} consolidated, {len(members) - len(used)} left out or unreadable")]
    if not used:
        return JobResult(sheets, summary)
    aged = team_ageing(invoices, as_of, buckets)
    labels = [c for c in aged.columns if c not in ("associate", "customer_id", "customer_name", "currency")]
    pivot = pd.concat([pivot_data(mine, as_of, buckets).assign(associate=associate)  # a customer two associates
                       for associate, mine in invoices.groupby("associate", sort=True)],  # serve is split between them
                      ignore_index=True)
    over, risk = top_customers(invoices, as_of, top)
    names = {m.associate for m in used}
    load = pd.DataFrame([row for m, row in booked if row is not None and m.associate in names],
                        columns=WORKLOAD_COLUMNS)
    checks = controls(used, aged, buckets, as_of)
    sheets += [ReportSheet("TeamAgeing", "tblTeamAgeing", aged, _formats(aged, labels), highlight=tuple(labels[1:-1])),
               ReportSheet("TeamPivotData", "tblTeamPivotData", pivot, _formats(pivot, ["amount"], ("items",))),
               ReportSheet("TopOverdue", "tblTopOverdue", over, _formats(over, ["overdue", "disputed", "open_amount"],
                                                                          ("oldest_days",)) | {"risk": "number"},
                           notes=(f"Top {top} customers by overdue amount, per currency.",)),
               ReportSheet("TopRisk", "tblTopRisk", risk, _formats(risk, ["overdue", "disputed", "open_amount"],
                                                                   ("oldest_days",)) | {"risk": "number"},
                           notes=(f"Top {top} by risk = overdue × (1 + oldest overdue days / 90) × "
                                  "(1 + 0.5 × disputed share of overdue).",)),
               ReportSheet("Workload", "tblWorkload", load, _formats(load, [], tuple(c for c in load.columns
                                                                                    if c not in ("associate",
                                                                                                 "disputes_average_days")))),
               ReportSheet("TeamControls", "tblTeamControls", checks, _formats(checks, ["expected", "actual",
                                                                                      "difference"]))]
    failed = int((~checks["ok"]).sum())
    summary += _amounts("team open AR", aged.rename(columns={"Total": "_t"}), "_t")
    summary.append(("team controls", "all tie to the cent" if not failed else f"{failed} FAILED — see TeamControls"))
    return JobResult(sheets, summary)

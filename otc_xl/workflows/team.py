"""The team consolidation: many associates' ledgers, one team report (``otc-xl team``, the Team
button). Unlike the other jobs it takes several ledgers, already read by the door."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from ..model.report import ReportSheet
from ..reports.pivot import pivot_data
from ..reports.team import (Member, controls, conventions, team_ageing, team_invoices, top_customers, workload)
from ..config import Config
from .common import JobResult, _amounts, _formats


def team_report(members: list[Member], as_of: dt.date, buckets: tuple[int, ...] | None = None,
                top: int = 20) -> JobResult:
    """``Workbooks`` (each workbook: consolidated, left out or unreadable, and why), ``TeamAgeing``
    (associate × customer × currency × bucket), ``TeamPivotData`` (long, with associate and
    collector), ``TopOverdue`` and ``TopRisk`` (per currency), ``Workload`` (per associate) and
    ``TeamControls`` (team totals = Σ associates, Σ buckets = open AR, to the cent)."""
    used, listing = conventions(members)
    if buckets is None:
        common = Counter(tuple(m.buckets) for m in used if m.buckets).most_common(1)
        buckets = common[0][0] if common else Config.buckets
    invoices = team_invoices(used)
    sheets = [ReportSheet("Workbooks", "tblWorkbooks", listing, {"open_items": "integer", "customers": "integer"},
                          notes=(f"As of {as_of:%d/%m/%Y}. Workbooks are read, never changed.",))]
    summary = [("workbooks", f"{len(used)} consolidated, {len(members) - len(used)} left out or unreadable")]
    if not used:
        return JobResult(sheets, summary)
    aged = team_ageing(invoices, as_of, buckets)
    labels = [c for c in aged.columns if c not in ("associate", "customer_id", "customer_name", "currency")]
    pivot = pivot_data(invoices, as_of, buckets).merge(
        invoices.drop_duplicates("customer_id")[["customer_id", "associate"]], on="customer_id", how="left")
    over, risk = top_customers(invoices, as_of, top)
    load = workload(used, as_of)
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

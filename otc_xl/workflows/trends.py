"""The history job: today's snapshot added to History (a re-run the same day replaces it), trends
with native line charts, and the week / month movement."""

from __future__ import annotations

import pandas as pd

from ..model.records import HISTORY, HISTORY_BUCKETS
from ..model.report import BarChart, ReportSheet
from ..reports.history import BUCKET_COLUMNS, COLUMNS, merge, movements, snapshot, trend
from ..reports.periods import daily, roll_forward, weekly
from .common import JobResult, Run, _formats

TRENDS = (("TrendDSO", "dso", "DSO (days)"), ("TrendOverdue", "overdue_pct", "Overdue % of open AR"),
          ("TrendCEI", "cei", "CEI (%)"))


def history_job(run: Run) -> JobResult:
    """``History`` and ``HistoryBuckets`` (the records, with today's snapshot), ``TrendDSO``,
    ``TrendOverdue``, ``TrendCEI`` (one column per currency, a line chart each) and ``Movements``."""
    ledger, cfg = run.ledger, run.config
    unapplied = run.unapplied
    today, today_buckets = snapshot(run.open_items, run.as_of, run.kpis, unapplied, run.unbilled, run.contact_log,
                                    cfg.buckets, cfg.ageing_basis, cfg.company_name)
    history = merge(ledger.records["history"], today, COLUMNS)
    buckets = merge(ledger.records["history_buckets"], today_buckets, BUCKET_COLUMNS)
    moves = movements(history, run.open_items, run.receipts, run.applications, run.as_of)
    money = ["open_ar", "current", "overdue", "over_90", "disputed", "unapplied", "unbilled"]
    sheets = [ReportSheet("History", HISTORY.excel_table, history,
                          _formats(history, money, ("items", "customers"))
                          | {c: "number" for c in ("overdue_pct", "dso", "count_back_dso", "best_possible_dso",
                                                   "average_days_delinquent", "cei", "promises_kept_pct")},
                          notes=("One snapshot per run date; a re-run the same day replaces that day's rows.",
                                 "DSO, CEI and the other sales-based KPIs are on the (all) rows.")),
              ReportSheet("HistoryBuckets", HISTORY_BUCKETS.excel_table, buckets, {"amount": "money"})]
    for sheet, measure, title in TRENDS:
        frame = trend(history, measure)
        currencies = tuple(c for c in frame.columns if c != "date")
        sheets.append(ReportSheet(sheet, f"tbl{sheet}", frame, {c: "number" for c in currencies},
                                  chart=BarChart(title, "date", currencies, kind="line", y_title=title)
                                  if currencies and len(frame) else None))
    sheets.append(ReportSheet("Movements", "tblMovements", moves,
                              _formats(moves, [c for c in moves.columns if c not in ("period", "currency", "from_date",
                                                                                       "to_date")]),
                              notes=("Against the latest snapshot a week / 30 days earlier. new_overdue: items fallen "
                                     "due since then and still open; collected: receipts dated since then;",
                                     "written_off: short payments written off by cash application on them.")))
    payments = ledger.payments
    apps = run.applications
    apps = apps.assign(currency=apps["payment_id"].map(dict(zip(payments["payment_id"], payments["currency"]))))
    day = daily(ledger.records["history"], payments, apps, unapplied, run.as_of)
    week, promised = weekly(buckets, run.contact_log, run.as_of)
    roll = roll_forward(history, run.open_items, ledger.sales if len(ledger.sales) else None, payments, apps,
                        run.as_of)
    sheets += [ReportSheet("DailyCash", "tblDailyCash", day,
                           _formats(day, ["receipts_amount", "applied_auto", "to_review",
                                          "unapplied"], ("receipts",)),
                           notes=("Receipts dated since the previous snapshot; cash applied by this run.",)),
               ReportSheet("WeeklyAgeing", "tblWeeklyAgeing", week, _formats(week, ["week_ago", "today", "change"]),
                           notes=("Ageing against the latest snapshot a week or more ago.",)),
               ReportSheet("WeeklyPromises", "tblWeeklyPromises", promised,
                           _formats(promised, ["promised_amount"], ("promises_made", "kept", "broken", "open"))),
               ReportSheet("RollForward", "tblRollForward", roll,
                           _formats(roll, ["opening_ar", "invoiced", "collected", "credit_notes", "written_off",
                                           "expected_closing", "closing_ar", "difference"]),
                           notes=("Month to date: opening (last snapshot of the previous month) + invoiced − "
                                  "collected − credit notes − written off = expected closing, against today's "
                                  "open AR;", "the difference is shown to the cent (ties = yes when it is 0.00)."))]
    days = history["snapshot_date"].nunique()
    earlier = ledger.records["history"]
    replaced = len(earlier) and (pd.to_datetime(earlier["snapshot_date"]) == pd.Timestamp(run.as_of)).any()
    line = (f"{days:,} date(s); today's snapshot {'replaced' if replaced else 'added'}" if len(today)
            else "no open items: nothing to snapshot")
    lines = [("history", line)]
    lines += [(f"roll-forward {r.currency}", "ties" if r.ties == "yes" else
               ("no opening snapshot" if r.ties == "" else f"differs by {r.difference:,.2f}"))
              for r in roll.itertuples()]
    return JobResult(sheets, lines)

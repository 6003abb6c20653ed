"""Jobs of cash application and AR reporting: inputs overview, applications, ageing, unapplied cash,
unbilled revenue and KPIs with their reconciliation controls."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..booking import POSTED_ROW
from ..matching import alias_suggestions
from ..model.contracts import CONTRACTS
from ..model.money import cents
from ..model.report import BarChart, Pivot, ReportSheet
from ..reports import ageing, credit_balances, pivot_data
from ..reports.buckets import bucket_labels
from ..reports.controls import reconciliation
from .common import JobResult, Run, _amounts, _formats, _single_currency


def inputs_overview(run: Run) -> JobResult:
    """The ``Inputs`` sheet: which tables were found, where, how many rows, totals per currency."""
    ledger = run.ledger
    posted = ledger.invoices["source_row"] == POSTED_ROW  # posted by otc_xl; not in the ERP export yet
    tables = {name: getattr(ledger, name) for name in CONTRACTS}
    tables["invoices"] = ledger.invoices.loc[~posted]
    rows = []
    for name, frame in [*tables.items(), *([("invoices posted, awaiting ERP", ledger.invoices.loc[posted])]
                                             if posted.any() else [])]:
        amount = {"invoices": "open_amount", "payments": "amount", "orders": "amount", "sales": "amount"}.get(
            name, "open_amount" if name.startswith("invoices ") else None)
        totals = (frame.assign(_c=cents(frame[amount])).groupby("currency")["_c"].sum()
                  if amount and len(frame) else pd.Series({"": 0}))
        for currency, total in totals.items():
            rows.append({"table": name, "sheet": ledger.found.get(name, "BillingLog" if name.startswith("invoices ")
                                                                  else "(absent)"),
                         "rows": len(frame), "currency": currency, "total": int(total) / 100})
    frame = pd.DataFrame(rows)
    warnings = sum(p.severity == "warning" for p in ledger.problems)
    summary = [(name, f"{len(tables[name]):,} rows" + ("" if name in ledger.found else " (absent)"))
               for name in CONTRACTS]
    if posted.any():
        summary.append(("invoices posted, awaiting ERP", f"{int(posted.sum()):,}"))
    summary.append(("input warnings", f"{warnings:,}"))
    return JobResult([ReportSheet("Inputs", "tblInputs", frame, formats={"total": "money", "rows": "integer"})],
                     summary)


PIVOT_DATA_PIVOTS = (
    Pivot("ptAgeingByCollector", "Open AR by collector × bucket (refresh after each run)", ("currency", "collector"),
          "amount", ("bucket",), "Open AR"),
    Pivot("ptAgeingByCountry", "Open AR by country and customer × bucket", ("currency", "country", "customer_name"),
          "amount", ("bucket",), "Open AR"),
)
"""The PivotTables on PivotData (native, over tblPivotData; see otc_xl/io/xlsx/pivots.py)."""
UNAPPLIED_PIVOTS = (Pivot("ptUnappliedByReason", "Unapplied cash by reason × age (refresh after each run)",
                          ("currency", "reason"), "unapplied_amount", ("bucket",), "Unapplied"),)


def cash_application(run: Run) -> JobResult:
    """``Applications`` (every proposed application, auto and review, with confidence and why) and
    ``AliasSuggestions`` (payers learned from this run, to confirm into the Aliases sheet).

    The input sheets are not changed: applications are proposals for the ERP; re-running on the same
    workbook gives the same result, and an invoice is never given more than its open amount.
    """
    ledger = run.ledger
    customers = run.customers
    result = run.match
    apps = result.applications
    learned = alias_suggestions(apps, ledger.payments, customers, ledger.aliases, result.directory)
    sheets = [ReportSheet("Applications", "tblApplications", apps,
                          _formats(apps, ["applied_amount", "writeoff_amount"]) | {"confidence": "number"}),
              ReportSheet("AliasSuggestions", "tblAliasSuggestions", learned, {"payments": "integer"},
                          notes=("Payers recognised in this run only thanks to their references.",
                                 "Copy the rows you agree with to the Aliases sheet (payer, customer_id, note):",
                                 "the next run will recognise these payers without a reference."))]
    auto = apps.loc[apps["status"] == "auto"]
    paid = ledger.payments
    fully = paid["payment_id"].isin(auto["payment_id"]) & ~paid["payment_id"].isin(result.unapplied["payment_id"])
    summary = [("payments applied in full (auto)", f"{int(fully.sum()):,} of {len(paid):,}"),
               ("applications auto / to review", f"{len(auto):,} / {int((apps['status'] == 'review').sum()):,}")]
    summary += _amounts("cash applied", auto.assign(currency=auto["payment_id"].map(
        paid.set_index("payment_id")["currency"])), "applied_amount")
    return JobResult(sheets, summary)


def ageing_reports(run: Run) -> JobResult:
    """``Ageing`` (per customer), ``AgeingSummary`` (per currency, with chart), ``AgeingDetail``,
    ``PivotData`` and ``CreditBalances``: the open items after today's cash."""
    cfg = run.config
    customers = run.customers
    items = run.open_items
    labels = bucket_labels(cfg.buckets)
    older = tuple(labels[2:])  # shaded from the second overdue bucket on, darker with age
    args: dict[str, Any] = dict(as_of=run.as_of, buckets=cfg.buckets, basis=cfg.ageing_basis)
    by_customer = run.ageing
    by_currency = ageing(items, by="currency", **args)
    detail = ageing(items, by="invoice", customers=customers, **args)
    pivot = pivot_data(items, customers=customers, **args)
    credits = credit_balances(items, run.as_of)
    money = [*labels, "Total"]
    currencies = list(by_currency["currency"]) if len(by_currency) else []
    charted = cfg.home_currency if cfg.home_currency in currencies or not currencies else currencies[0]
    others = [c for c in currencies if c != charted]
    sheets = [
        ReportSheet("Ageing", "tblAgeing", by_customer, _formats(by_customer, money),
                    totals=tuple(money) if _single_currency(by_customer) else (), highlight=older),
        ReportSheet("AgeingSummary", "tblAgeingSummary", by_currency, _formats(by_currency, money),
                    highlight=older, chart=BarChart(f"Ageing profile, {charted} only", "currency", tuple(labels),
                                                    only=charted, x_title="Days past due", y_title=charted),
                    notes=(f"As of {run.as_of:%d/%m/%Y}, by {cfg.ageing_basis}, after today's automatic cash "
                           "application; one row per currency (amounts in different currencies are never added).",
                           f"The chart shows {charted} only" + (f"; {', '.join(others)}: see the table."
                                                               if others else "."))),
        ReportSheet("AgeingDetail", "tblAgeingDetail", detail, _formats(detail, ["open_amount"], ("days_overdue",))),
        ReportSheet("PivotData", "tblPivotData", pivot, _formats(pivot, ["amount"], ("items",)),
                    pivots=PIVOT_DATA_PIVOTS),
        ReportSheet("CreditBalances", "tblCreditBalances", credits, _formats(credits, ["balance"], ("items",))),
    ]
    summary = _amounts("open AR", by_currency, "Total")
    over = by_currency.assign(_over=by_currency[list(labels[-1:])].sum(axis=1))
    summary += _amounts(f"{labels[-1].lower()}", over, "_over")
    summary.append(("credit balances", f"{len(credits):,} customer(s)"))
    return JobResult(sheets, summary)


def unapplied_report(run: Run) -> JobResult:
    """``Unapplied``: receipts not (fully) applied, aged since the payment date."""
    frame = run.unapplied
    money = ["amount", "applied_amount", "unapplied_amount"]
    sheet = ReportSheet("Unapplied", "tblUnapplied", frame, _formats(frame, money, ("days_unapplied",)),
                        pivots=UNAPPLIED_PIVOTS,
                        totals=tuple(money) if _single_currency(frame) else ())
    return JobResult([sheet], _amounts("unapplied cash", frame, "unapplied_amount"))


def unbilled_report(run: Run) -> JobResult:
    """``Unbilled``: delivered order lines not (fully) invoiced, aged since delivery."""
    frame = run.unbilled
    money = ["amount", "billed_amount", "pending_amount"]
    sheet = ReportSheet("Unbilled", "tblUnbilled", frame, _formats(frame, money, ("days_unbilled",)),
                        totals=tuple(money) if _single_currency(frame) else ())
    return JobResult([sheet], _amounts("unbilled revenue", frame, "pending_amount"))


def kpi_report(run: Run) -> JobResult:
    """``KPIs``: DSO, count-back DSO, best possible DSO, ADD, CEI, % current, % over 90, and the
    reconciliation controls (also in the summary)."""
    ledger = run.ledger
    kpis = run.kpis
    by_customer = run.ageing
    unapplied = run.unapplied
    controls = reconciliation(run.open_items, by_customer, ledger.payments, run.applications, unapplied, run.as_of)
    controls = pd.concat([run.ties(), controls], ignore_index=True)
    notes = ["Controls (to the cent):"]
    notes += [f"{'OK ' if c.ok else 'FAIL'}  {c.check} [{c.currency}]: {c.expected:,.2f} vs {c.actual:,.2f}"
              for c in controls.itertuples()]
    notes.append("Left out of the reports:")
    for name, frame in (("ageing", by_customer), ("unapplied", unapplied), ("unbilled", run.unbilled)):
        for reason, count in (getattr(frame, "attrs", {}) or {}).get("excluded", {}).items():
            notes.append(f"  {name}: {count:,} row(s) {reason}")
    failed = int((~controls["ok"]).sum())
    sheet = ReportSheet("KPIs", "tblKPIs", kpis, {"value": "number"}, notes=tuple(notes))
    summary = [(f"DSO {r.currency}", f"{r.value:,.1f} days") for r in kpis.itertuples() if r.kpi == "dso"]
    summary.append(("controls", "all tie to the cent" if not failed else f"{failed} FAILED — see KPIs sheet"))
    return JobResult([sheet], summary)

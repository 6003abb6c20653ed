"""One function per button/command, shared by the CLI and the Excel buttons.

A *job* takes a :class:`Run` (the validated ledger plus what earlier jobs produced) and returns
the report sheets it writes and a few summary lines. Jobs never do I/O; the caller reads the
ledger through an adapter and writes the sheets through one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from .ledger import Ledger
from .model.contracts import CONTRACTS
from .model.money import cents, money_sum
from .model.report import BarChart, Format, ReportSheet
from .matching import MatchConfig, alias_suggestions, match_payments
from .reports import ageing, ar_kpis, credit_balances, pivot_data, unapplied_cash, unbilled_revenue
from .reports.buckets import bucket_labels
from .reports.controls import reconciliation


@dataclass
class JobResult:
    sheets: list[ReportSheet] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) lines for the console table / Excel status bar."""


@dataclass
class Run:
    """The ledger being processed and the frames jobs hand to each other (by name)."""

    ledger: Ledger
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def as_of(self):
        return self.ledger.config.resolved_as_of()

    def get(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.results:
            self.results[name] = make()
        return self.results[name]


def _formats(frame: pd.DataFrame, money: list[str], integer: tuple[str, ...] = ()) -> dict[str, Format]:
    out: dict[str, Format] = {c: "money" for c in money if c in frame}
    out.update({c: "integer" for c in integer if c in frame})
    return out


def _amounts(label: str, frame: pd.DataFrame, column: str) -> list[tuple[str, str]]:
    """Summary lines: one per currency, e.g. ("open AR EUR", "3,867,214.67")."""
    if frame.empty:
        return [(label, "0.00")]
    totals = frame.groupby("currency")[column].agg(money_sum)
    return [(f"{label} {currency}", f"{total:,.2f}") for currency, total in totals.items()]


def _single_currency(frame: pd.DataFrame) -> bool:
    return frame["currency"].nunique() <= 1


# ---------------------------------------------------------------------------- jobs

def inputs_overview(run: Run) -> JobResult:
    """The ``Inputs`` sheet: which tables were found, where, how many rows, totals per currency."""
    ledger = run.ledger
    rows = []
    for name in CONTRACTS:
        frame: pd.DataFrame = getattr(ledger, name)
        amount = {"invoices": "open_amount", "payments": "amount", "orders": "amount", "sales": "amount"}.get(name)
        totals = (frame.assign(_c=cents(frame[amount])).groupby("currency")["_c"].sum()
                  if amount and len(frame) else pd.Series({"": 0}))
        for currency, total in totals.items():
            rows.append({"table": name, "sheet": ledger.found.get(name, "(absent)"), "rows": len(frame),
                         "currency": currency, "total": int(total) / 100})
    frame = pd.DataFrame(rows)
    warnings = sum(p.severity == "warning" for p in ledger.problems)
    summary = [(name, f"{len(getattr(ledger, name)):,} rows" + ("" if name in ledger.found else " (absent)"))
               for name in CONTRACTS]
    summary.append(("input warnings", f"{warnings:,}"))
    return JobResult([ReportSheet("Inputs", "tblInputs", frame, formats={"total": "money", "rows": "integer"})],
                     summary)


def cash_application(run: Run) -> JobResult:
    """``Applications`` (every proposed application, auto and review, with confidence and why) and
    ``AliasSuggestions`` (payers learned from this run, to confirm into the Aliases sheet).

    The input sheets are not changed: applications are proposals for the ERP; re-running on the same
    workbook gives the same result, and an invoice is never given more than its open amount.
    """
    ledger = run.ledger
    customers = ledger.customers if len(ledger.customers) else None
    result = match_payments(ledger.invoices, ledger.payments, customers, MatchConfig.from_config(ledger.config),
                            aliases=ledger.aliases if len(ledger.aliases) else None)
    run.results["applications"] = result.applications
    run.results["unapplied_details"] = result.unapplied
    apps = result.applications
    learned = alias_suggestions(apps, ledger.payments, customers, ledger.aliases)
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
    ``PivotData`` and ``CreditBalances``."""
    ledger, cfg = run.ledger, run.ledger.config
    customers = ledger.customers if len(ledger.customers) else None
    labels = bucket_labels(cfg.buckets)
    older = tuple(labels[2:])  # shaded from the second overdue bucket on, darker with age
    args = dict(as_of=run.as_of, buckets=cfg.buckets, basis=cfg.ageing_basis)
    by_customer = run.get("ageing", lambda: ageing(ledger.invoices, **args))
    by_currency = ageing(ledger.invoices, by="currency", **args)
    detail = ageing(ledger.invoices, by="invoice", customers=customers, **args)
    pivot = pivot_data(ledger.invoices, customers=customers, **args)
    credits = credit_balances(ledger.invoices, run.as_of)
    money = [*labels, "Total"]
    sheets = [
        ReportSheet("Ageing", "tblAgeing", by_customer, _formats(by_customer, money),
                    totals=tuple(money) if _single_currency(by_customer) else (), highlight=older),
        ReportSheet("AgeingSummary", "tblAgeingSummary", by_currency, _formats(by_currency, money),
                    highlight=older, chart=BarChart("Ageing profile", "currency", tuple(labels)),
                    notes=(f"As of {run.as_of:%d/%m/%Y}, by {cfg.ageing_basis}; one row per currency "
                           "(amounts in different currencies are never added).",)),
        ReportSheet("AgeingDetail", "tblAgeingDetail", detail, _formats(detail, ["open_amount"], ("days_overdue",))),
        ReportSheet("PivotData", "tblPivotData", pivot, _formats(pivot, ["amount"], ("items",))),
        ReportSheet("CreditBalances", "tblCreditBalances", credits, _formats(credits, ["balance"], ("items",))),
    ]
    summary = _amounts("open AR", by_currency, "Total")
    over = by_currency.assign(_over=by_currency[list(labels[-1:])].sum(axis=1))
    summary += _amounts(f"{labels[-1].lower()}", over, "_over")
    summary.append(("credit balances", f"{len(credits):,} customer(s)"))
    return JobResult(sheets, summary)


def unapplied_report(run: Run) -> JobResult:
    """``Unapplied``: receipts not (fully) applied, aged since the payment date."""
    ledger = run.ledger
    frame = run.get("unapplied", lambda: unapplied_cash(
        ledger.payments, run.results.get("applications"), run.as_of, ledger.config.buckets,
        details=run.results.get("unapplied_details")))
    money = ["amount", "applied_amount", "unapplied_amount"]
    sheet = ReportSheet("Unapplied", "tblUnapplied", frame, _formats(frame, money, ("days_unapplied",)),
                        totals=tuple(money) if _single_currency(frame) else ())
    return JobResult([sheet], _amounts("unapplied cash", frame, "unapplied_amount"))


def unbilled_report(run: Run) -> JobResult:
    """``Unbilled``: delivered order lines not (fully) invoiced, aged since delivery."""
    ledger = run.ledger
    frame = unbilled_revenue(ledger.orders, run.as_of, ledger.invoices, ledger.config.buckets,
                             customers=ledger.customers)
    money = ["amount", "billed_amount", "pending_amount"]
    sheet = ReportSheet("Unbilled", "tblUnbilled", frame, _formats(frame, money, ("days_unbilled",)),
                        totals=tuple(money) if _single_currency(frame) else ())
    run.results["unbilled"] = frame
    return JobResult([sheet], _amounts("unbilled revenue", frame, "pending_amount"))


def kpi_report(run: Run) -> JobResult:
    """``KPIs``: DSO, count-back DSO, best possible DSO, ADD, CEI, % current, % over 90, and the
    reconciliation controls (also in the summary)."""
    ledger, cfg = run.ledger, run.ledger.config
    sales = ledger.sales if len(ledger.sales) else None
    opening = {cfg.home_currency: cfg.opening_ar} if cfg.opening_ar is not None else None
    kpis = ar_kpis(ledger.invoices, ledger.payments, sales, run.as_of, cfg.kpi_period_days, opening)
    by_customer = run.get("ageing", lambda: ageing(ledger.invoices, run.as_of, cfg.buckets, cfg.ageing_basis))
    unapplied = run.get("unapplied", lambda: unapplied_cash(
        ledger.payments, run.results.get("applications"), run.as_of, cfg.buckets,
        details=run.results.get("unapplied_details")))
    controls = reconciliation(ledger.invoices, by_customer, ledger.payments, run.results.get("applications"),
                              unapplied, run.as_of)
    run.results["controls"] = controls
    notes = ["Controls (to the cent):"]
    notes += [f"{'OK ' if c.ok else 'FAIL'}  {c.check} [{c.currency}]: {c.expected:,.2f} vs {c.actual:,.2f}"
              for c in controls.itertuples()]
    notes.append("Left out of the reports:")
    for name, frame in (("ageing", by_customer), ("unapplied", unapplied),
                        ("unbilled", run.results.get("unbilled"))):
        for reason, count in (getattr(frame, "attrs", {}) or {}).get("excluded", {}).items():
            notes.append(f"  {name}: {count:,} row(s) {reason}")
    failed = int((~controls["ok"]).sum())
    sheet = ReportSheet("KPIs", "tblKPIs", kpis, {"value": "number"}, notes=tuple(notes))
    summary = [(f"DSO {r.currency}", f"{r.value:,.1f} days") for r in kpis.itertuples() if r.kpi == "dso"]
    summary.append(("controls", "all tie to the cent" if not failed else f"{failed} FAILED — see KPIs sheet"))
    return JobResult([sheet], summary)


Job = Callable[[Run], JobResult]
JOBS: dict[str, Job] = {
    "inputs": inputs_overview,
    "match": cash_application,
    "ageing": ageing_reports,
    "unapplied": unapplied_report,
    "unbilled": unbilled_report,
    "kpis": kpi_report,
}
"""Jobs by name, in the order ``otc-xl run`` performs them."""


def run_jobs(ledger: Ledger, names: list[str] | None = None,
             progress: Callable[[str], None] | None = None) -> tuple[JobResult, Run]:
    """Run the named jobs (all by default) in order; return their sheets and summaries, and the run."""
    run = Run(ledger)
    result = JobResult()
    for name in names or list(JOBS):
        if progress:
            progress(name)
        part = JOBS[name](run)
        result.sheets += part.sheets
        result.summary += part.summary
    return result, run

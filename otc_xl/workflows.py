"""One function per button/command, shared by the CLI and the Excel buttons.

A *job* takes a :class:`Run` (the validated ledger plus what earlier jobs produced) and returns
the report sheets it writes and a few summary lines. Jobs never do I/O; the caller reads the
ledger through an adapter and writes the sheets through one.
"""

from __future__ import annotations

import datetime as dt
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
from .collecting import DunningPolicy, DunningResult, dunning_run
from .collecting.credits import credit_allocations
from .collecting.disputes import dispute_items, disputes_summary
from .collecting.promises import file_outcomes, judge_promises
from .collecting.statements import customer_receipts, statement_lines, statement_totals
from .collecting.worklist import worklist
from .collecting.writeoffs import is_approved, writeoff_proposals
from .letters import dunning_letters, email_draft, environment, script_line, statements
from .letters.documents import recipients
from .model.problems import Problem, ValidationError


@dataclass
class JobResult:
    sheets: list[ReportSheet] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) lines for the console table / Excel status bar."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Documents to write (letters, statements, e-mail drafts) by file name."""


@dataclass
class Run:
    """The ledger being processed and the frames jobs hand to each other (by name)."""

    ledger: Ledger
    results: dict[str, Any] = field(default_factory=dict)
    customer_ids: list[str] | None = None
    """Customers statements are asked for (None: all)."""

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


def _customers(run: Run) -> pd.DataFrame | None:
    return run.ledger.customers if len(run.ledger.customers) else None


def _match(run: Run):
    """Cash application of this run (computed once, shared by every job that needs it)."""
    ledger = run.ledger

    def make():
        aliases = ledger.aliases if len(ledger.aliases) else None
        return match_payments(ledger.invoices, ledger.payments, _customers(run),
                              MatchConfig.from_config(ledger.config), aliases=aliases)
    result = run.get("match_result", make)
    run.results.setdefault("applications", result.applications)
    run.results.setdefault("unapplied_details", result.unapplied)
    return result


def cash_application(run: Run) -> JobResult:
    """``Applications`` (every proposed application, auto and review, with confidence and why) and
    ``AliasSuggestions`` (payers learned from this run, to confirm into the Aliases sheet).

    The input sheets are not changed: applications are proposals for the ERP; re-running on the same
    workbook gives the same result, and an invoice is never given more than its open amount.
    """
    ledger = run.ledger
    customers = _customers(run)
    result = _match(run)
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
    ``PivotData`` and ``CreditBalances``."""
    ledger, cfg = run.ledger, run.ledger.config
    customers = _customers(run)
    labels = bucket_labels(cfg.buckets)
    older = tuple(labels[2:])  # shaded from the second overdue bucket on, darker with age
    args = dict(as_of=run.as_of, buckets=cfg.buckets, basis=cfg.ageing_basis)
    by_customer = run.get("ageing", lambda: ageing(ledger.invoices, **args))
    by_currency = ageing(ledger.invoices, by="currency", **args)
    detail = ageing(ledger.invoices, by="invoice", customers=customers, **args)
    pivot = pivot_data(ledger.invoices, customers=customers, **args)
    credits = credit_balances(ledger.invoices, run.as_of)
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
                    notes=(f"As of {run.as_of:%d/%m/%Y}, by {cfg.ageing_basis}; one row per currency "
                           "(amounts in different currencies are never added).",
                           f"The chart shows {charted} only" + (f"; {', '.join(others)}: see the table."
                                                               if others else "."))),
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


# ---------------------------------------------------------------------------- collections

def _receipts(run: Run) -> pd.DataFrame:
    """Money received per customer (Payments, after this run's cash application)."""
    return run.get("receipts", lambda: customer_receipts(run.ledger.payments, _match(run).applications))


def _pending(run: Run) -> pd.Series:
    """Amount per invoice_id that this run's cash application applies automatically."""
    apps = _match(run).applications
    auto = apps.loc[apps["status"] == "auto"]
    return auto.assign(_c=cents(auto["applied_amount"] + auto["writeoff_amount"])).groupby("invoice_id")["_c"].sum() / 100


def _dunning(run: Run) -> DunningResult:
    ledger = run.ledger

    def make() -> DunningResult:
        return dunning_run(ledger.invoices, _customers(run), run.as_of, DunningPolicy.from_config(ledger.config),
                           ledger.records["dunning_history"], _pending(run))
    return run.get("dunning", make)


def dunning_report(run: Run) -> JobResult:
    """``Dunning`` (one row per customer and currency: status, level, fee, interest, next action),
    ``DunningItems`` (every overdue item: level or why it is left out) and ``DunningHistory``
    (earlier notices plus today's, read back by the next run so it escalates instead of repeating)."""
    result = _dunning(run)
    notices = result.notices
    money = ["overdue_amount", "fee", "interest", "total_due", "account_balance"]
    cfg = run.ledger.config
    sheets = [
        ReportSheet("Dunning", "tblDunning", notices, _formats(notices, money, ("items", "level", "previous_level",
                                                                                "oldest_days")),
                    notes=(f"As of {run.as_of:%d/%m/%Y}. Levels start at {', '.join(map(str, cfg.dunning_days))} "
                           f"days overdue; grace {cfg.dunning_grace_days} days; at least "
                           f"{cfg.dunning_interval_days} days between notices.",
                           "status notice: a letter goes out today (Letters button, or otc-xl dunning, writes it).")),
        ReportSheet("DunningItems", "tblDunningItems", result.items,
                    _formats(result.items, ["open_amount", "interest"], ("days_overdue", "level", "previous_level"))),
        ReportSheet("DunningHistory", "tblDunningHistory", result.history,
                    _formats(result.history, ["open_amount", "fee", "interest"], ("level",))),
    ]
    send = result.to_send
    summary = [("dunning notices", f"{len(send):,} to send, {int((notices['status'] == 'waiting').sum()):,} waiting, "
                                   f"{int((notices['status'] == 'excluded').sum()):,} excluded")]
    summary += [(f"notices at level {lv}", f"{n:,}") for lv, n in send["level"].value_counts().sort_index().items()]
    summary += _amounts("fees and interest", send.assign(_x=send["fee"] + send["interest"]), "_x") if len(send) else []
    return JobResult(sheets, summary)


def _sent_on(run: Run) -> dt.datetime:
    return dt.datetime.combine(run.as_of, dt.time(9, 0), tzinfo=dt.timezone.utc)


def _documents(docs: list, run: Run) -> tuple[dict[str, bytes], pd.DataFrame]:
    """Files to write and the listing sheet; ``to`` is empty and ``note`` says why when the
    customer's address was refused (the .eml then has no To:)."""
    files, rows = {}, []
    for doc in docs:
        files[f"{doc.stem}.html"] = doc.html.encode("utf-8")
        files[f"{doc.stem}.eml"] = email_draft(doc, sent_on=_sent_on(run))
        to, refused = recipients(doc.to)
        note = f"address refused: {refused}" if refused else ("" if to else "no e-mail address in Customers")
        rows.append({"customer_id": doc.customer_id, "currency": doc.currency, "language": doc.language,
                     "to": "; ".join(to), "subject": doc.subject, "letter": f"{doc.stem}.html",
                     "email": f"{doc.stem}.eml", "note": note})
    return files, pd.DataFrame(rows, columns=["customer_id", "currency", "language", "to", "subject", "letter",
                                              "email", "note"])


def _refused_addresses(listing: pd.DataFrame) -> list[tuple[str, str]]:
    refused = listing.loc[listing["note"].str.startswith("address refused"), "customer_id"].drop_duplicates()
    return [("e-mail addresses refused", f"{len(refused):,} ({', '.join(refused[:10])}"
                                         f"{' …' if len(refused) > 10 else ''}): drafts without To:")] if len(refused) else []


def letters_job(run: Run) -> JobResult:
    """Dunning letters (HTML, printable) and e-mail drafts (.eml) for today's notices, in each
    customer's language; ``Letters`` lists them."""
    cfg = run.ledger.config
    docs = dunning_letters(_dunning(run), _customers(run), run.as_of, cfg.company_name, cfg.language,
                           cfg.templates_folder)
    files, listing = _documents(docs, run)
    languages = ", ".join(f"{lang} {n}" for lang, n in listing["language"].value_counts().sort_index().items())
    return JobResult([ReportSheet("Letters", "tblLetters", listing)],
                     [("letters", f"{len(docs):,} ({languages or 'none'})"), *_refused_addresses(listing)], files)


def statement_job(run: Run) -> JobResult:
    """``Statement`` (opening balance, open items with ageing, payments received, closing balance)
    and one HTML statement plus e-mail draft per customer and currency."""
    ledger, cfg = run.ledger, run.ledger.config
    unknown = sorted(set(run.customer_ids or []) - set(ledger.invoices["customer_id"]) - set(ledger.customers["customer_id"]))
    if unknown:
        raise ValidationError([Problem(ledger.found.get("customers", "Customers"), f"customer {c!r} is not in "
                                       "Customers or Invoices") for c in unknown])
    lines = statement_lines(ledger.invoices, run.as_of, _receipts(run), run.customer_ids, buckets=cfg.buckets,
                            basis=cfg.ageing_basis)
    docs = statements(lines, _customers(run), run.as_of, bucket_labels(cfg.buckets), cfg.company_name, cfg.language,
                      cfg.templates_folder)
    files, listing = _documents(docs, run)
    totals = statement_totals(lines)
    sheet = ReportSheet("Statement", "tblStatement", lines, _formats(lines, ["amount", "open_amount"], ("days_overdue",)))
    summary = [("statements", f"{len(docs):,}")]
    summary += [("statement balances tie", "yes" if totals.empty or totals["ties"].all() else "NO — please report")]
    summary += _refused_addresses(listing)
    return JobResult([sheet], summary, files)


def worklist_job(run: Run) -> JobResult:
    """``Worklist`` (today's calls ranked by priority, with script lines and columns for the
    outcome) and ``ContactLog`` (every outcome typed on earlier worklists, promises judged)."""
    ledger, cfg = run.ledger, run.ledger.config
    log = file_outcomes(ledger.records["contact_log"], ledger.records["worklist"])
    inv = ledger.invoices
    overdue = inv.loc[(inv["due_date"] < pd.Timestamp(run.as_of)) & (inv["dispute_code"] == "")]
    overdue = overdue.assign(_c=cents(overdue["open_amount"])).groupby("customer_id")["_c"].sum()
    judged = judge_promises(log, _receipts(run), overdue, run.as_of)
    notices = _dunning(run).notices
    levels = notices.set_index(["customer_id", "currency"])["level"]
    env = environment(cfg.templates_folder)
    script = lambda ctx: script_line(env, ctx["language"] or cfg.language,  # noqa: E731
                                     {**ctx, "company": cfg.company_name})
    calls = worklist(inv, _customers(run), run.as_of, judged, levels, script)
    sheets = [ReportSheet("Worklist", "tblWorklist", calls,
                          _formats(calls, ["overdue_amount", "disputed_amount", "open_balance", "promise_amount"],
                                   ("rank", "oldest_days", "broken_promises", "dunning_level"))
                          | {"credit_use": "percent", "score": "number", "promise_date": "date"},
                          notes=("Type outcome, promise_date, promise_amount and note; the next run files them",
                                 "in ContactLog and checks the promises against the bank.",
                                 "Score: amount 35, age 25, broken promises 20, credit use 10, disputes 10.")),
              ReportSheet("ContactLog", "tblContactLog", judged, _formats(judged, ["promise_amount", "received"]))]
    status = judged["promise_status"].value_counts()
    summary = [("calls today", f"{len(calls):,}"),
               ("promises kept / open / broken", " / ".join(str(int(status.get(k, 0))) for k in ("kept", "open", "broken")))]
    return JobResult(sheets, summary)


def disputes_job(run: Run) -> JobResult:
    """``Disputes`` (count, amount, age and escalations by root cause) and ``DisputeItems``."""
    cfg = run.ledger.config
    items = dispute_items(run.ledger.invoices, run.as_of, cfg.dispute_escalation_days)
    summary_frame = disputes_summary(items)
    sheets = [ReportSheet("Disputes", "tblDisputes", summary_frame,
                          _formats(summary_frame, ["amount"], ("items", "oldest_days", "to_escalate"))
                          | {"share": "percent", "average_days": "number"},
                          notes=(f"Escalate: disputes open more than {cfg.dispute_escalation_days} days.",)),
              ReportSheet("DisputeItems", "tblDisputeItems", items, _formats(items, ["open_amount"], ("dispute_days",)))]
    lines = [("disputes", f"{len(items):,} item(s), {int(items['escalate'].sum()):,} to escalate")]
    return JobResult(sheets, lines + _amounts("disputed", items, "open_amount") if len(items) else lines)


def writeoffs_job(run: Run) -> JobResult:
    """``WriteOffs``: small residuals proposed for write-off, with the approval columns."""
    cfg = run.ledger.config
    frame = writeoff_proposals(run.ledger.invoices, run.as_of, cfg.writeoff_threshold, cfg.writeoff_min_days,
                               run.ledger.records["writeoff_approvals"])
    approved = sum(map(is_approved, frame["approved"]))
    sheet = ReportSheet("WriteOffs", "tblWriteOffs", frame, _formats(frame, ["amount", "open_amount"], ("days_overdue",)),
                        notes=(f"Residuals of at most {cfg.writeoff_threshold:,.2f}, {cfg.writeoff_min_days}+ days "
                               "overdue. Type yes in approved and your name in approved_by;",
                               "approvals are kept when this sheet is refreshed."))
    return JobResult([sheet], [("write-off proposals", f"{len(frame):,} ({approved:,} approved)")])


def credits_job(run: Run) -> JobResult:
    """``CreditAllocations`` (credit notes and money on account proposed against open invoices, with
    the approval columns) and ``CreditsLeft`` (what each credit keeps: refund candidates)."""
    ledger = run.ledger
    allocations, left = credit_allocations(ledger.invoices, _customers(run), _pending(run),
                                           ledger.records["credit_approvals"])
    sheets = [ReportSheet("CreditAllocations", "tblCreditAllocations", allocations,
                          _formats(allocations, ["amount", "credit_open", "invoice_open"]),
                          notes=("Each credit, oldest first: the invoice it names, then the customer's oldest "
                                 "open invoices, then its group's; same currency; never more than either side has.",
                                 "Type yes in approved and your name in approved_by; approvals are kept when this "
                                 "sheet is refreshed.")),
              ReportSheet("CreditsLeft", "tblCreditsLeft", left, _formats(left, ["credit_open", "allocated", "left"]),
                          notes=("What each credit keeps after the proposals: a refund candidate when nothing "
                                 "else is open.",))]
    approved = sum(map(is_approved, allocations["approved"]))
    lines = [("credit allocations proposed", f"{len(allocations):,} ({approved:,} approved)")]
    return JobResult(sheets, lines + (_amounts("credit allocated", allocations, "amount") if len(allocations) else []))


Job = Callable[[Run], JobResult]
JOBS: dict[str, Job] = {
    "inputs": inputs_overview,
    "match": cash_application,
    "ageing": ageing_reports,
    "unapplied": unapplied_report,
    "unbilled": unbilled_report,
    "kpis": kpi_report,
    "dunning": dunning_report,
    "worklist": worklist_job,
    "disputes": disputes_job,
    "writeoffs": writeoffs_job,
    "credits": credits_job,
    "letters": letters_job,
    "statements": statement_job,
}
"""Every job by name, in the order they run."""
RUN_ALL = [name for name in JOBS if name not in ("letters", "statements")]
"""What ``otc-xl run`` and the Refresh all button do: every sheet, no documents."""


def run_jobs(ledger: Ledger, names: list[str] | None = None, progress: Callable[[str], None] | None = None,
             customer_ids: list[str] | None = None) -> tuple[JobResult, Run]:
    """Run the named jobs (``RUN_ALL`` by default) in order; return their sheets, summaries and
    files, and the run. ``customer_ids`` limits statements to those customers."""
    run = Run(ledger, customer_ids=customer_ids)
    result = JobResult()
    for name in names or RUN_ALL:
        if progress:
            progress(name)
        part = JOBS[name](run)
        result.sheets += part.sheets
        result.summary += part.summary
        result.files.update(part.files)
    return result, run

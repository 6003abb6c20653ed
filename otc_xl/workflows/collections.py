"""Jobs of collections: dunning, letters, statements, the call worklist, disputes and write-offs."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.report import ReportSheet
from ..reports.buckets import bucket_labels
from ..collecting import DunningPolicy, DunningResult, dunning_run
from ..collecting.disputes import dispute_items, disputes_summary
from ..collecting.legal import blocked_customers, blocked_items, uncollectable_items
from ..collecting.statements import statement_lines, statement_totals
from ..collecting.worklist import worklist
from ..collecting.writeoffs import is_approved, writeoff_proposals
from ..letters import dunning_letters, email_draft, environment, script_line, statements
from ..letters.documents import recipients
from ..model.problems import Problem, ValidationError
from .common import JobResult, Run, _contact_log, _legal, _amounts, _customers, _formats, _pending, _receipts


def _dunning(run: Run) -> DunningResult:
    ledger = run.ledger

    def make() -> DunningResult:
        return dunning_run(ledger.invoices, _customers(run), run.as_of, DunningPolicy.from_config(ledger.config),
                           ledger.records["dunning_history"], _pending(run), blocked_items(_legal(run)))
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
    judged = _contact_log(run)
    legal = blocked_customers(_legal(run))
    inv = ledger.invoices.loc[~ledger.invoices["customer_id"].isin(set(legal))]  # a lawyer has them: no calls
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
                               run.ledger.records["writeoff_approvals"], uncollectable_items(_legal(run)))
    approved = sum(map(is_approved, frame["approved"]))
    sheet = ReportSheet("WriteOffs", "tblWriteOffs", frame, _formats(frame, ["amount", "open_amount"], ("days_overdue",)),
                        notes=(f"Residuals of at most {cfg.writeoff_threshold:,.2f}, {cfg.writeoff_min_days}+ days "
                               "overdue. Type yes in approved and your name in approved_by;",
                               "approvals are kept when this sheet is refreshed."))
    return JobResult([sheet], [("write-off proposals", f"{len(frame):,} ({approved:,} approved)")])

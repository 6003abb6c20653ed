"""Jobs of collections: dunning, letters, statements, the call worklist, disputes and write-offs."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..collecting.disputes import dispute_items, disputes_summary
from ..collecting.legal import uncollectable_items
from ..collecting.statements import customer_receipts, statement_lines, statement_totals
from ..collecting.worklist import worklist
from ..collecting.writeoffs import is_approved, writeoff_proposals
from ..letters import dunning_letters, email_draft, environment, script_line, statements
from ..letters.documents import recipients
from ..model.problems import Problem, ValidationError
from ..model.report import ReportSheet
from ..reports.buckets import bucket_labels
from .common import JobResult, Run, _amounts, _formats


def dunning_report(run: Run) -> JobResult:
    """``Dunning`` (one row per customer and currency: status, level, fee, interest, pay-by date, next
    action) and ``DunningItems`` (every overdue item: level, or why it is held). The notices are
    recorded in ``DunningHistory`` only by :func:`letters_job`, which produces their letters."""
    result = run.dunning
    notices = result.notices
    money = ["overdue_amount", "fee", "interest", "total_due", "account_balance"]
    cfg = run.config
    sheets = [
        ReportSheet("Dunning", "tblDunning", notices, _formats(notices, money, ("items", "level", "previous_level",
                                                                                "notices_before", "oldest_days")),
                    notes=(f"As of {run.as_of:%d/%m/%Y}, after today's cash. Levels start at "
                           f"{', '.join(map(str, cfg.dunning_days))} days overdue, one level at a time; grace "
                           f"{cfg.dunning_grace_days} days; a next notice waits for the last one's pay-by date and "
                           f"{cfg.dunning_interval_days} days.",
                           "status notice: a letter is due today; it is sent, and recorded in DunningHistory, only "
                           "by otc-xl dunning or the Dunning / Letters button, which write it.")),
        ReportSheet("DunningItems", "tblDunningItems", result.items,
                    _formats(result.items, ["open_amount", "interest"], ("days_overdue", "level", "previous_level"))),
    ]
    send = result.to_send
    summary = [("dunning notices", f"{len(send):,} to send, {int((notices['status'] == 'waiting').sum()):,} waiting, "
                                   f"{int((notices['status'] == 'excluded').sum()):,} excluded")]
    summary += [(f"notices at level {lv}", f"{n:,}") for lv, n in send["level"].value_counts().sort_index().items()]
    summary += _amounts("fees and interest", send.assign(_x=send["fee"] + send["interest"]), "_x") if len(send) else []
    return JobResult(sheets, summary)


def _sent_on(run: Run) -> dt.datetime:
    return dt.datetime.combine(run.as_of, dt.time(9, 0), tzinfo=dt.UTC)


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
    if not len(refused):
        return []
    return [("e-mail addresses refused", f"{len(refused):,} ({', '.join(refused[:10])}"
                                         f"{' …' if len(refused) > 10 else ''}): drafts without To:")]


def letters_job(run: Run) -> JobResult:
    """Dunning letters (HTML, printable) and e-mail drafts (.eml) for today's notices, in each
    customer's language; ``Letters`` lists them, and ``DunningHistory`` records each notice with its
    letter (earlier days kept; today's replaced, so the same day twice records the same)."""
    cfg = run.config
    result = run.dunning
    docs = dunning_letters(result, run.customers, run.as_of, cfg.company_name, cfg.language, cfg.templates_folder,
                           contact=cfg.company_contact_name or cfg.company_name)
    files, listing = _documents(docs, run)
    languages = ", ".join(f"{lang} {n}" for lang, n in listing["language"].value_counts().sort_index().items())
    history = result.history.copy()
    letter = dict(zip(zip(listing["customer_id"], listing["currency"]), listing["letter"]))
    today = pd.to_datetime(history["dunned_on"]) == pd.Timestamp(run.as_of)
    history.loc[today, "letter"] = [letter[k] for k in zip(history.loc[today, "customer_id"],
                                                           history.loc[today, "currency"])]
    sheets = [ReportSheet("Letters", "tblLetters", listing),
              ReportSheet("DunningHistory", "tblDunningHistory", history,
                          _formats(history, ["open_amount", "fee", "interest"], ("level",)),
                          notes=("Every notice sent, with its letter: the next run escalates from here. Rows are "
                                 "added only with the letters (otc-xl dunning, Dunning / Letters buttons).",))]
    return JobResult(sheets, [("letters", f"{len(docs):,} ({languages or 'none'})"),
                              ("notices recorded today", f"{int(today.sum()):,} item(s) in DunningHistory"),
                              *_no_longer_due(run, listing), *_refused_addresses(listing)], files)


def _no_longer_due(run: Run, listing: pd.DataFrame) -> list[tuple[str, str]]:
    """A line naming the letters an earlier run of the same day produced that are no longer due (the
    customer paid, or an item was disputed, since): their record is replaced by today's, their files
    stay in the folder — they must not be sent if they have not been."""
    earlier = run.history
    if earlier.empty:
        return []
    same_day = earlier.loc[pd.to_datetime(earlier["dunned_on"]) == pd.Timestamp(run.as_of)]
    letters = same_day.get("letter", pd.Series(dtype=object)).astype(object).fillna("")
    gone = sorted(set(letters[letters != ""]) - set(listing["letter"]))
    return [("letters no longer due", f"{len(gone):,} produced earlier today ({', '.join(gone[:5])}"
                                      f"{' …' if len(gone) > 5 else ''}): not recorded any more; do not send them")] \
        if gone else []


def statement_job(run: Run) -> JobResult:
    """``Statement`` (opening balance, open items with ageing, payments received, closing balance)
    and one HTML statement plus e-mail draft per customer and currency."""
    ledger, cfg = run.ledger, run.config
    wanted = run.request.customer_ids
    unknown = sorted(set(wanted or []) - set(ledger.invoices["customer_id"]) - set(ledger.customers["customer_id"]))
    if unknown:
        raise ValidationError([Problem(ledger.found.get("customers", "Customers"), f"customer {c!r} is not in "
                                       "Customers or Invoices") for c in unknown])
    on_account = customer_receipts(ledger.payments, run.applications, applied=False)
    lines = statement_lines(run.open_items, run.as_of, on_account, wanted, buckets=cfg.buckets,
                            basis=cfg.ageing_basis)
    docs = statements(lines, run.customers, run.as_of, bucket_labels(cfg.buckets), cfg.company_name, cfg.language,
                      cfg.templates_folder, contact=cfg.company_contact_name or cfg.company_name)
    files, listing = _documents(docs, run)
    totals = statement_totals(lines)
    sheet = ReportSheet("Statement", "tblStatement", lines,
                        _formats(lines, ["amount", "open_amount"], ("days_overdue",)))
    summary = [("statements", f"{len(docs):,}")]
    summary += [("statement balances tie", "yes" if totals.empty or totals["ties"].all() else "NO — please report")]
    summary += _refused_addresses(listing)
    return JobResult([sheet], summary, files)


def todays_calls(run: Run, script=None) -> pd.DataFrame:
    """The day's calls (``collecting.worklist``) on the booked state: after today's cash, the dunning
    run's classification of what is overdue and its levels, customers with a legal case left out and
    those due for hand-over marked. The Worklist sheet and the team's Workload count the same calls."""
    legal = run.legal.blocked_customers()
    items = run.open_items
    inv = items.loc[~items["customer_id"].isin(set(legal))]  # a lawyer has them: no calls
    result = run.dunning
    levels = result.notices.set_index(["customer_id", "currency"])["level"]
    return worklist(inv, run.customers, run.as_of, run.contact_log, levels, script, overdue=result.items,
                    hand_over=run.legal.due_customers())


def worklist_job(run: Run) -> JobResult:
    """``Worklist`` (today's calls ranked by priority, with script lines and columns for the
    outcome) and ``ContactLog`` (every outcome typed on earlier worklists, promises judged)."""
    cfg = run.config
    judged = run.contact_log
    env = environment(cfg.templates_folder)
    script = lambda ctx: script_line(env, ctx["language"] or cfg.language,  # noqa: E731
                                     {**ctx, "company": cfg.company_name})
    calls = todays_calls(run, script)
    sheets = [ReportSheet("Worklist", "tblWorklist", calls,
                          _formats(calls, ["overdue_amount", "disputed_amount", "open_balance", "promise_amount"],
                                   ("rank", "oldest_days", "broken_promises", "dunning_level"))
                          | {"credit_use": "percent", "score": "number", "promise_date": "date"},
                          notes=("After today's cash. Type outcome, promise_date, promise_amount and note; the next "
                                 "run files them in ContactLog and checks the promises against the bank.",
                                 "Score: amount 35, age 25, broken promises 20, credit use 10, disputes 10.")),
              ReportSheet("ContactLog", "tblContactLog", judged, _formats(judged, ["promise_amount", "received"]))]
    status = judged["promise_status"].value_counts()
    summary = [("calls today", f"{len(calls):,}"),
               ("promises kept / open / broken",
                " / ".join(str(int(status.get(k, 0))) for k in ("kept", "open", "broken")))]
    return JobResult(sheets, summary)


def disputes_job(run: Run) -> JobResult:
    """``Disputes`` (count, amount, age and escalations by root cause) and ``DisputeItems``."""
    cfg = run.config
    items = dispute_items(run.open_items, run.as_of, cfg.dispute_escalation_days)
    summary_frame = disputes_summary(items)
    sheets = [ReportSheet("Disputes", "tblDisputes", summary_frame,
                          _formats(summary_frame, ["amount"], ("items", "oldest_days", "to_escalate"))
                          | {"share": "percent", "average_days": "number"},
                          notes=(f"Escalate: disputes open more than {cfg.dispute_escalation_days} days.",)),
              ReportSheet("DisputeItems", "tblDisputeItems", items,
                          _formats(items, ["open_amount"], ("dispute_days",)))]
    lines = [("disputes", f"{len(items):,} item(s), {int(items['escalate'].sum()):,} to escalate")]
    return JobResult(sheets, lines + _amounts("disputed", items, "open_amount") if len(items) else lines)


def deductions_job(run: Run) -> JobResult:
    """``Deductions``: what customers deducted from invoices (found by cash application today, and those on
    record), with the status and note the user types; the invoices stay disputed while a deduction is open."""
    frame = run.deductions
    today = run.match.deductions
    found = int(((today["status"] == "auto") & today["deduction_id"].isin(set(frame["deduction_id"]))).sum())
    sheet = ReportSheet("Deductions", "tblDeductions", frame, _formats(frame, ["amount"]),
                        notes=("Deductions customers took (cash application applied what they paid; "
                               "the deducted amount "
                               "stays open on the invoice, disputed).",
                               "Type status (open, accepted, rejected, resolved) and a note; they are kept when this "
                               "sheet is refreshed. Only open deductions keep the invoice disputed."))
    lines = [("deductions", f"{len(frame):,} on record ({found:,} found today)")]
    return JobResult([sheet], lines + (_amounts("deducted", frame, "amount") if len(frame) else []))


def writeoffs_job(run: Run) -> JobResult:
    """``WriteOffs``: small residuals proposed for write-off, with the approval columns."""
    cfg = run.config
    frame = writeoff_proposals(run.open_items, run.as_of, cfg.writeoff_threshold, cfg.writeoff_min_days,
                               run.records["writeoff_approvals"], uncollectable_items(run.legal.recorded))
    approved = sum(map(is_approved, frame["approved"]))
    sheet = ReportSheet("WriteOffs", "tblWriteOffs", frame,
                        _formats(frame, ["amount", "open_amount"], ("days_overdue",)),
                        notes=(f"Residuals of at most {cfg.writeoff_threshold:,.2f}, {cfg.writeoff_min_days}+ days "
                               "overdue. Type yes in approved and your name in approved_by;",
                               "approvals are kept when this sheet is refreshed."))
    return JobResult([sheet], [("write-off proposals", f"{len(frame):,} ({approved:,} approved)")])

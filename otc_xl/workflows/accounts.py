"""Jobs on customer accounts: credit balances allocated and posted, refunds, legal hand-over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..collecting.debits import LATER, business_day, due_debits
from ..collecting.debits import READY as DEBIT_READY
from ..collecting.legal import blocked_items, case_file
from ..collecting.postings import AWAITING, CHECK, IN_ERP, post_approved
from ..collecting.postings import COLUMNS as POSTING_COLUMNS
from ..collecting.refunds import COLUMNS as REFUND_COLUMNS
from ..collecting.refunds import NO_BANK, READY, approved_ready, refund_proposals
from ..collecting.writeoffs import is_approved
from ..io.files import safe_stem
from ..io.formats.sepa import Transfer, credit_transfer, direct_debit, message_id
from ..io.formats.sepa import totals as sepa_totals
from ..letters import bank_details_requests
from ..model.company import Company
from ..model.money import cents
from ..model.problems import Problem, ValidationError
from ..model.records import DEBIT_LOG, PAYMENT_PLANS, REFUND_LOG
from ..model.report import ReportSheet
from .collections import _documents
from .common import JobResult, Run, _amounts, _formats


def credits_job(run: Run, post: bool = False) -> JobResult:
    """``CreditAllocations`` (credit notes and money on account proposed against open invoices, with
    the approval columns), ``CreditsLeft`` (what each credit keeps: refund candidates) and
    ``CreditPostings`` (the audit trail of posted allocations, with their ERP status). With ``post``,
    approved proposals are posted first: added to CreditPostings and removed from the proposals."""
    ledger = run.ledger
    postings = ledger.records["credit_postings"]
    allocations, left = run.credits
    before = len(postings)
    if post:
        postings, allocations = post_approved(allocations, postings, run.erp, run.as_of)
    postings = postings.reindex(columns=POSTING_COLUMNS)
    posted = postings.iloc[before:]
    sheets = [ReportSheet("CreditAllocations", "tblCreditAllocations", allocations,
                          _formats(allocations, ["amount", "credit_open", "invoice_open"]),
                          notes=("Each credit, oldest first: the invoice it names, then the customer's oldest "
                                 "open invoices, then its group's; same currency; never more than either side has.",
                                 "Type yes in approved and your name in approved_by; the credits command (button "
                                 "Post credits) posts approved rows to CreditPostings.")),
              ReportSheet("CreditsLeft", "tblCreditsLeft", left, _formats(left, ["credit_open", "allocated", "left"]),
                          notes=("What each credit keeps after the proposals: a refund candidate when nothing "
                                 "else is open.",)),
              ReportSheet("CreditPostings", "tblCreditPostings", postings,
                          _formats(postings, ["amount", "credit_open_erp", "invoice_open_erp"]),
                          notes=("Posted allocations. awaiting ERP: applied to the open items by every run until "
                                 "the ERP export shows it; in ERP: the export has it;",
                                 "check in ERP: the export changed only one of the two items: not applied — "
                                 "look in the ERP. Do not delete rows: a deleted posting can be posted again."))]
    approved = sum(map(is_approved, allocations["approved"]))
    lines = [("credit allocations proposed", f"{len(allocations):,} ({approved:,} approved)")]
    lines += _amounts("credit allocated", allocations, "amount") if len(allocations) else []
    if post:
        lines += [("credit allocations posted now", f"{len(posted):,}")]
        lines += _amounts("credit posted now", posted, "amount") if len(posted) else []
    status = postings["status"].value_counts()
    if len(postings):
        lines += [("postings awaiting ERP / in ERP",
                   f"{int(status.get(AWAITING, 0)):,} / {int(status.get(IN_ERP, 0)):,}")]
    if status.get(CHECK, 0):
        lines += [("postings to check in ERP", f"{int(status[CHECK]):,}: the ERP changed one side only; not applied")]
    return JobResult(sheets, lines)


def post_credits_job(run: Run) -> JobResult:
    """:func:`credits_job` posting the approved allocations (the credits command and button)."""
    return credits_job(run, post=True)


def refunds_job(run: Run, issue: bool = False) -> JobResult:
    """``Refunds`` (credits nothing can be allocated to, old enough, with the IBAN, status and approval
    columns) and ``RefundLog`` (every refund already put in a SEPA file, with its ERP status).

    With ``issue`` (the refunds command and button): the approved, ready refunds go into one
    XSD-validated pain.001 file and the RefundLog, customers without bank details get a letter and
    e-mail draft asking for them, and ``RefundLetters`` lists those."""
    ledger, cfg = run.ledger, run.config
    log = ledger.records["refund_log"]
    _, left = run.credits
    approvals = ledger.records["refund_approvals"]
    held = {**run.legal.due_customers(), **run.legal.blocked_customers()}
    proposals = refund_proposals(left, run.open_items, run.customers, run.as_of, cfg.refund_min_days, approvals,
                                 refunded=set(log["credit_id"]), held=held)
    lines: list[tuple[str, str]] = []
    files: dict[str, bytes] = {}
    sheets: list[ReportSheet] = []
    if issue:
        proposals, log, batch, files = _issue_refunds(run, proposals, log)
        lines += batch
        asking = proposals.loc[proposals["status"] == NO_BANK]
        docs = bank_details_requests(asking, run.customers, run.as_of, cfg.company_name, cfg.language,
                                     cfg.templates_folder, contact=cfg.company_contact_name or cfg.company_name)
        letters, listing = _documents(docs, run)
        files.update(letters)
        sheets.append(ReportSheet("RefundLetters", "tblRefundLetters", listing))
        lines += [("bank details requested", f"{len(docs):,} letter(s)")]
        _approved_not_paid(run, proposals, approvals)
    log = log.reindex(columns=[c.name for c in REFUND_LOG.columns])
    sheets[:0] = [ReportSheet("Refunds", "tblRefunds", proposals, _formats(proposals, ["amount"], ("days",)),
                              notes=(f"Credits nothing can be allocated to, {cfg.refund_min_days}+ days old. Type "
                                     "yes in approved and your name in approved_by;",
                                     "type an IBAN in iban when none or several are on file. The refunds command "
                                     "(button Refunds) pays the approved ready ones in a SEPA file.")),
                  ReportSheet("RefundLog", "tblRefundLog", log, _formats(log, ["amount", "credit_open_erp"]),
                              notes=("Refunds already in a SEPA file: never proposed again. awaiting ERP: taken off "
                                     "the open items until the ERP export shows the refund.",))]
    ready = proposals.loc[proposals["status"] == READY]
    lines[:0] = [("refunds proposed", f"{len(proposals):,} ({len(ready):,} ready to pay)")]
    lines += _amounts("refunds proposed", proposals, "amount") if len(proposals) else []
    return JobResult(sheets, lines, files)


def issue_refunds_job(run: Run) -> JobResult:
    """:func:`refunds_job` paying the approved refunds (the refunds command and button)."""
    return refunds_job(run, issue=True)


def _issue_refunds(run: Run, proposals: pd.DataFrame, log: pd.DataFrame):
    """(proposals left, RefundLog with today's batch, summary lines, {file name: pain.001 bytes})."""
    cfg = run.ledger.config
    ready = approved_ready(proposals)
    seen = ready["refund_id"].map(lambda r: run.evidence.issued.get(r, ""))
    proposals.loc[seen[seen != ""].index, "status"] = ("already in " + seen[seen != ""] +
                                                       ": not paid again; check with the bank")
    ready = ready.loc[seen == ""]
    if ready.empty:
        return proposals, log, [("refunds paid now", "0")], {}
    missing = [name for name in ("company_name", "company_iban") if not getattr(cfg, name)]
    if missing:
        raise ValidationError([Problem("Config", f"{' and '.join(missing)} must be set to pay refunds: they are "
                                                 f"the payer in the SEPA file ({len(ready)} refund(s) approved)")])
    on = run.as_of
    msg = message_id("RFD", on, list(ready["refund_id"]))
    refunds: Iterable[Any] = ready.itertuples()
    transfers = [Transfer(r.refund_id, r.customer_name or r.customer_id, r.iban, int(c),
                          f"Refund credit {r.credit_id} customer {r.customer_id}", bic=r.bic)
                 for r, c in zip(refunds, cents(ready["amount"]))]
    xml = credit_transfer(Company.from_config(cfg), transfers,
                          business_day(on + dt.timedelta(days=1)), cfg.sepa_version, msg)
    total = _as_approved(xml, ready, "payments")
    open_erp = dict(zip(run.erp["invoice_id"], run.erp["open_amount"]))
    rows = ready.assign(refunded_on=pd.Timestamp(on), batch=msg, credit_open_erp=ready["credit_id"].map(open_erp),
                        status=AWAITING)
    columns = [c.name for c in REFUND_LOG.columns]
    log = pd.concat([log.reindex(columns=columns), rows.reindex(columns=columns)], ignore_index=True)
    lines = [("refunds paid now", f"{len(ready):,} in {msg}.xml ({cfg.sepa_version})"),
             ("refund file total EUR", f"{total / 100:,.2f}")]
    return proposals.drop(index=ready.index).reset_index(drop=True), log, lines, {f"{msg}.xml": xml}


def _as_approved(xml: bytes, approved: pd.DataFrame, what: str) -> int:
    """The file's control sum in cents, after checking its count and sum are those of ``approved``:
    a SEPA file must say exactly what was approved, or nothing is written."""
    count, total = sepa_totals(xml)
    expected = int(cents(approved["amount"]).sum())
    if (count, total) != (len(approved), expected):
        raise ValidationError([Problem("SEPA file", f"the file holds {count} {what} for {total / 100:.2f}, but "
                                                    f"{len(approved)} for {expected / 100:.2f} were approved; "
                                                    "nothing was written")])
    return total


def _approved_not_paid(run: Run, proposals: pd.DataFrame, approvals: pd.DataFrame) -> None:
    """A warning, with the Refunds sheet's row and column, for each approved refund that cannot be paid."""
    rows = dict(zip(approvals["refund_id"], approvals["source_row"])) if "source_row" in approvals else {}
    stuck = proposals.loc[proposals["approved"].map(is_approved).astype(bool) & (proposals["status"] != READY)]
    r: Any
    for r in stuck.itertuples():
        column = "iban" if "IBAN" in r.status or r.status == NO_BANK else "status"
        row = rows.get(r.refund_id)
        run.ledger.problems.append(Problem("Refunds", f"refund {r.refund_id} is approved but was not paid: {r.status} "
                                                      f"(column {column})", int(row) if row else None,
                                           REFUND_COLUMNS.index(column) + 1, severity="warning"))


def legal_job(run: Run, files: bool = False) -> JobResult:
    """``LegalCases``: items handed over to legal action or an insolvency claim, with the status typed.

    Without ``files`` (``otc-xl run``, Refresh all) the sheet is the record as it stands, refreshed with
    today's open amounts, and the summary says which items are due for hand-over today: nothing is
    handed over without its case file. With ``files`` (the legal command and button) the items due
    today are recorded, each naming its case file, and one case file workbook is written per case still
    holding items (:func:`otc_xl.collecting.legal.case_file`)."""
    state = run.legal
    cases = state.cases if files else state.recorded
    due = state.due
    if files and len(due):
        cases = cases.copy()
        today = cases["invoice_id"].isin(set(due["invoice_id"]))
        cases.loc[today, "case_file"] = cases.loc[today, "case_id"] + CASE_FILE
    sheet = ReportSheet("LegalCases", "tblLegalCases", cases,
                        _formats(cases, ["handed_over_amount", "open_amount"], ("days_overdue",)),
                        notes=(f"Handed over (by otc-xl legal or the Legal button, with a case file): every open item "
                               f"of a customer flagged in Customers insolvency, and items dunned at the last level "
                               f"whose deadline has passed and {run.config.legal_min_days}+ days overdue, after "
                               "today's cash.",
                               "Items here get no dunning notice and no call. Type the status: returned sends "
                               "an item back to collections; uncollectable proposes it on WriteOffs."))
    active = blocked_items(cases)
    lines = [("legal cases", f"{cases.loc[cases['invoice_id'].isin(active.index), 'case_id'].nunique():,} open, "
                             f"{len(active):,} item(s); {len(due) if files else 0:,} handed over today")]
    if len(due) and not files:
        lines.append(("due for legal hand-over", f"{len(due):,} item(s) of {due['customer_id'].nunique():,} "
                                                  "customer(s): otc-xl legal (Legal button) hands them over"))
    lines += _amounts("in legal, open", cases.loc[cases["invoice_id"].isin(active.index)], "open_amount") \
        if len(active) else []
    result = JobResult([sheet], lines)
    if files:
        contacts = run.contact_log
        for case_id in sorted(set(cases.loc[cases["invoice_id"].isin(active.index), "case_id"])):
            frames = case_file(case_id, cases, run.open_items, run.customers, run.history, contacts, run.as_of)
            result.books[f"{safe_stem(case_id)}{CASE_FILE}"] = [
                ReportSheet(name, f"tbl{name}", frame, _formats(frame, ["amount", "open_amount", "fee", "interest",
                                                                        "promise_amount"]))
                for name, frame in frames.items()]
        result.summary.append(("case files", f"{len(result.books):,}"))
    return result


CASE_FILE = "_case_file.xlsx"
"""A case file's name after its case id."""


def case_files_job(run: Run) -> JobResult:
    """:func:`legal_job` with a case file per open case (the legal command and button)."""
    return legal_job(run, files=True)


def debits_job(run: Run, issue: bool = False) -> JobResult:
    """``DirectDebits`` (approved plan instalments not yet collected, with what stops each) and
    ``DebitLog`` (every instalment already in a direct-debit file). With ``issue`` (the debits
    command): the ready ones go into XSD-validated pain.008 files, one per collection date."""
    ledger, cfg = run.ledger, run.ledger.config
    log = ledger.records["debit_log"]
    due = due_debits(ledger.records["payment_plans"], log, run.as_of, cfg.debit_lead_days)
    files: dict[str, bytes] = {}
    lines: list[tuple[str, str]] = []
    if issue:
        due, log, lines, files = _issue_debits(run, due, log)
        _not_collected(run, due)
    columns = [c.name for c in DEBIT_LOG.columns]
    log = log.reindex(columns=columns)
    shown = due.drop(columns="source_row")
    sheets = [ReportSheet("DirectDebits", "tblDirectDebits", shown, _formats(shown, ["amount"], ("instalment",)),
                          notes=(f"Approved PaymentPlans instalments due within {cfg.debit_lead_days} days are "
                                 "collected by otc-xl debits, one pain.008 file per collection date.",)),
              ReportSheet("DebitLog", "tblDebitLog", log, _formats(log, ["amount"], ("instalment",)),
                          notes=("Instalments already in a direct-debit file: never collected again.",))]
    ready = due.loc[due["status"] == DEBIT_READY]
    lines[:0] = [("direct debits due", f"{len(due.loc[due['status'] != LATER]):,} ({len(ready):,} ready)")]
    return JobResult(sheets, lines, files)


def issue_debits_job(run: Run) -> JobResult:
    """:func:`debits_job` writing the direct-debit files (the debits command)."""
    return debits_job(run, issue=True)


def _issue_debits(run: Run, due: pd.DataFrame, log: pd.DataFrame):
    cfg = run.ledger.config
    ready = due.loc[due["status"] == DEBIT_READY]
    seen = ready["debit_id"].map(lambda d: run.evidence.issued.get(d, ""))
    due.loc[seen[seen != ""].index, "status"] = "already in " + seen[seen != ""] + ": not collected again"
    ready = ready.loc[seen == ""]
    if ready.empty:
        return due, log, [("direct debits collected now", "0")], {}
    missing = [n for n in ("company_name", "company_iban", "sepa_creditor_id") if not getattr(cfg, n)]
    if missing:
        raise ValidationError([Problem("Config", f"{' and '.join(missing)} must be set to collect direct debits "
                                                 f"({len(ready)} instalment(s) ready)")])
    names = dict(zip(run.ledger.customers["customer_id"], run.ledger.customers["customer_name"]))
    creditor = Company.from_config(cfg)
    files, rows, lines = {}, [], []
    when: Any  # a collection date (pandas types a group key as any scalar)
    for when, group in ready.groupby("collection_date", sort=True):
        msg = message_id("DD", run.as_of, list(group["debit_id"]))
        instalments: Iterable[Any] = group.itertuples()
        debits = [Transfer(r.debit_id, names.get(r.customer_id) or r.customer_id, r.iban, int(c),
                           f"Plan {r.plan_id} instalment {r.instalment}", mandate_id=str(r.mandate_id),
                           mandate_date=pd.Timestamp(r.mandate_date).date(), sequence=r.sequence)
                  for r, c in zip(instalments, cents(group["amount"]))]
        xml = direct_debit(creditor, debits, pd.Timestamp(when).date(), cfg.debit_version, msg)
        total = _as_approved(xml, group, "debits")
        files[f"{msg}.xml"] = xml
        rows.append(group.assign(batch=msg, collected_on=pd.Timestamp(run.as_of)))
        lines.append((f"direct debits for {pd.Timestamp(when):%d/%m/%Y}",
                      f"{len(group):,}, EUR {total / 100:,.2f} in {msg}.xml"))
    columns = [c.name for c in DEBIT_LOG.columns]
    log = pd.concat([log.reindex(columns=columns), *(r.reindex(columns=columns) for r in rows)], ignore_index=True)
    return due.drop(index=ready.index).reset_index(drop=True), log, lines, files


def _not_collected(run: Run, due: pd.DataFrame) -> None:
    """A warning naming the PaymentPlans cell for each approved instalment due that cannot be collected."""
    where = {"mandate": "mandate_id", "no mandate": "mandate_id", "IBAN": "iban", "no IBAN": "iban",
             "not EUR": "currency", "amount": "amount"}
    order = [c.name for c in PAYMENT_PLANS.columns]
    r: Any
    for r in due.loc[~due["status"].isin([DEBIT_READY, LATER])].itertuples():
        if r.status.startswith("already"):
            continue
        column = "mandate_date" if r.status.startswith("mandate without date") else next(
            (c for key, c in where.items() if r.status.startswith(key)), "approved")
        row = int(r.source_row) if pd.notna(r.source_row) else None
        run.ledger.problems.append(Problem("PaymentPlans", f"instalment {r.debit_id} is approved and due but was not "
                                                           f"collected: {r.status}", row, order.index(column) + 1,
                                           severity="warning"))

"""Jobs on customer accounts: credit balances allocated and posted, refunds, legal hand-over."""

from __future__ import annotations

from dataclasses import replace

from ..ledger import Ledger
from ..model.report import ReportSheet
from ..collecting.credits import credit_allocations
from ..collecting.postings import COLUMNS as POSTING_COLUMNS, AWAITING, CHECK, IN_ERP, apply_postings, post_approved, posting_status
from ..collecting.writeoffs import is_approved
from .common import JobResult, Run, _amounts, _customers, _formats, _pending


def with_credit_postings(ledger: Ledger) -> Ledger:
    """``ledger`` whose open items have the credit postings still awaiting the ERP applied, and whose
    ``credit_postings`` record carries each posting's status (see :mod:`otc_xl.collecting.postings`)."""
    postings = posting_status(ledger.records["credit_postings"], ledger.invoices)
    return replace(ledger, invoices=apply_postings(ledger.invoices, postings),
                   records={**ledger.records, "credit_postings": postings})


def credits_job(run: Run, post: bool = False) -> JobResult:
    """``CreditAllocations`` (credit notes and money on account proposed against open invoices, with
    the approval columns), ``CreditsLeft`` (what each credit keeps: refund candidates) and
    ``CreditPostings`` (the audit trail of posted allocations, with their ERP status). With ``post``,
    approved proposals are posted first: added to CreditPostings and removed from the proposals."""
    ledger = run.ledger
    postings = ledger.records["credit_postings"]
    allocations, left = credit_allocations(ledger.invoices, _customers(run), _pending(run),
                                           ledger.records["credit_approvals"], set(postings["allocation_id"]))
    before = len(postings)
    if post:
        erp = run.erp_invoices if run.erp_invoices is not None else ledger.invoices
        postings, allocations = post_approved(allocations, postings, erp, run.as_of)
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
        lines += [("postings awaiting ERP / in ERP", f"{int(status.get(AWAITING, 0)):,} / {int(status.get(IN_ERP, 0)):,}")]
    if status.get(CHECK, 0):
        lines += [("postings to check in ERP", f"{int(status[CHECK]):,}: the ERP changed one side only; not applied")]
    return JobResult(sheets, lines)


def post_credits_job(run: Run) -> JobResult:
    """:func:`credits_job` posting the approved allocations (the credits command and button)."""
    return credits_job(run, post=True)

"""Jobs on customer accounts: credit balances allocated and posted, refunds, legal hand-over."""

from __future__ import annotations

from ..model.report import ReportSheet
from ..collecting.credits import credit_allocations
from ..collecting.writeoffs import is_approved
from .common import JobResult, Run, _amounts, _customers, _formats, _pending


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

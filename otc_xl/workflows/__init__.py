"""One function per job; commands (``commands.COMMANDS``) say which jobs each command and button runs.

A *job* takes the day's booked state (:class:`otc_xl.booking.Booked`: the validated ledger booked once,
with every shared result a cached property) and returns the report sheets it writes, a few summary
lines and the documents it produces. Jobs never do I/O; the door reads the ledger through an adapter
and writes through one (``commands.perform``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..booking import Booked, Evidence, Request, book
from ..ledger import Ledger
from .accounts import (
    case_files_job,
    credits_job,
    debits_job,
    issue_debits_job,
    issue_refunds_job,
    legal_job,
    post_credits_job,
    refunds_job,
)
from .billing import check_invoices_job, invoice_job, post_invoices_job, vat_check_job
from .collections import (
    deductions_job,
    disputes_job,
    dunning_report,
    letters_job,
    statement_job,
    worklist_job,
    writeoffs_job,
)
from .commands import COMMANDS, REPORTS, Command
from .common import JobResult, Run
from .reconciling import TheirAccount, reconcile_job
from .reports import ageing_reports, cash_application, inputs_overview, kpi_report, unapplied_report, unbilled_report
from .trends import history_job

__all__ = ["COMMANDS", "JOBS", "RUN_ALL", "Command", "JobResult", "Run", "TheirAccount", "run_booked", "run_jobs"]


Job = Callable[[Booked], JobResult]
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
    "deductions": deductions_job,
    "writeoffs": writeoffs_job,
    "credits": credits_job,
    "post_credits": post_credits_job,
    "legal": legal_job,
    "case_files": case_files_job,
    "reconcile": reconcile_job,
    "debits": debits_job,
    "issue_debits": issue_debits_job,
    "refunds": refunds_job,
    "issue_refunds": issue_refunds_job,
    "invoice": invoice_job,
    "post_invoices": post_invoices_job,
    "check_invoices": check_invoices_job,
    "vat_check": vat_check_job,
    "history": history_job,
    "letters": letters_job,
    "statements": statement_job,
}
"""Every job by name."""
RUN_ALL = list(REPORTS)
"""What ``otc-xl run`` and the Refresh all button do: every sheet, no documents, nothing posted or recorded
as sent."""


def run_booked(booked: Booked, names: list[str] | None = None,
               progress: Callable[[str], None] | None = None) -> JobResult:
    """Run the named jobs (``RUN_ALL`` by default) in order on the booked state; their sheets,
    summaries and documents. The jobs only read the booked state, so their order changes nothing."""
    result = JobResult()
    for name in names or RUN_ALL:
        if progress:
            progress(name)
        part = JOBS[name](booked)
        result.sheets += part.sheets
        result.summary += part.summary
        result.files.update(part.files)
        result.books.update(part.books)
    return result


def run_jobs(ledger: Ledger, names: list[str] | None = None, progress: Callable[[str], None] | None = None,
             customer_ids: list[str] | None = None, issued: dict[str, str] | None = None,
             their_account: TheirAccount | None = None, billed_files=None) -> tuple[JobResult, Booked]:
    """Book ``ledger`` and run the named jobs (``RUN_ALL`` by default): for scripts and notebooks.
    ``customer_ids`` limits statements to those customers; ``billed_files`` and ``issued`` are the
    invoice records and SEPA ids found written next to the workbook (read by the door)."""
    booked = book(ledger, Evidence(billed_files, issued or {}), Request(customer_ids, their_account))
    return run_booked(booked, names, progress), booked

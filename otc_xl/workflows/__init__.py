"""One function per button/command, shared by the CLI and the Excel buttons.

A *job* takes a :class:`Run` (the validated ledger plus what earlier jobs produced) and returns
the report sheets it writes and a few summary lines. Jobs never do I/O; the caller reads the
ledger through an adapter and writes the sheets through one.
"""

from __future__ import annotations

from typing import Callable

from ..ledger import Ledger
from .accounts import (case_files_job, credits_job, debits_job, issue_debits_job, issue_refunds_job, legal_job,
                       post_credits_job, refunds_job, with_credit_postings)
from .collections import (disputes_job, dunning_report, letters_job, statement_job, worklist_job,
                          writeoffs_job)
from .billing import invoice_job, post_invoices_job, with_billed_invoices
from .common import JobResult, Run
from .reconciling import TheirAccount, reconcile_job
from .trends import history_job
from .reports import (ageing_reports, cash_application, inputs_overview, kpi_report, unapplied_report,
                      unbilled_report)

__all__ = ["JOBS", "RUN_ALL", "JobResult", "Run", "TheirAccount", "run_jobs"]


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
    "history": history_job,
    "letters": letters_job,
    "statements": statement_job,
}
"""Every job by name, in the order they run."""
ON_DEMAND = ("letters", "statements", "post_credits", "issue_refunds", "case_files", "reconcile", "issue_debits",
             "invoice", "post_invoices")
"""Jobs that write documents or post: only the commands and buttons that ask for them run these."""
RUN_ALL = [name for name in JOBS if name not in ON_DEMAND]
"""What ``otc-xl run`` and the Refresh all button do: every sheet, no documents, nothing posted."""


def run_jobs(ledger: Ledger, names: list[str] | None = None, progress: Callable[[str], None] | None = None,
             customer_ids: list[str] | None = None, issued: dict[str, str] | None = None,
             their_account: TheirAccount | None = None, billed_files=None) -> tuple[JobResult, Run]:
    """Run the named jobs (``RUN_ALL`` by default) in order; return their sheets, summaries and
    files, and the run. ``customer_ids`` limits statements to those customers; ``billed_files`` are the
    BillingLog rows of the invoices found written next to the workbook (read by the door)."""
    run = Run(with_billed_invoices(with_credit_postings(ledger), billed_files), customer_ids=customer_ids, erp_invoices=ledger.invoices,
              issued=issued or {}, their_account=their_account)
    result = JobResult()
    for name in names or RUN_ALL:
        if progress:
            progress(name)
        part = JOBS[name](run)
        result.sheets += part.sheets
        result.summary += part.summary
        result.files.update(part.files)
        result.books.update(part.books)
    return result, run

"""Every command, defined once: the jobs it runs, the tables it needs, what it writes and records,
and in which order. The ``otc-xl`` command and the Excel buttons both execute these definitions
through :func:`perform`, so the two doors cannot drift apart.

The order of a command is always the same: read the workbook (the door) → book the day
(:func:`otc_xl.booking.book`) → run the jobs → write the documents → write the sheets. Documents
come before the sheets that record them, so a record (DunningHistory, LegalCases, RefundLog,
DebitLog, BillingLog) never exists without its document; if the book cannot be written after the
documents were, :class:`BookNotUpdated` says which documents exist (their records are then found
beside the book by the next command, or recomputed the same way on the same day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..booking import Booked, Evidence, Request, book
from ..ledger import Ledger
from ..model.report import ReportSheet
from .common import JobResult


@dataclass(frozen=True)
class Command:
    """One command (CLI) / button (Excel)."""

    name: str
    jobs: tuple[str, ...]
    """Jobs in the order they run (``otc_xl.workflows.JOBS``)."""
    require: tuple[str, ...] = ("invoices",)
    """Tables the workbook must have."""
    in_book: bool = True
    """Writes its sheets into the workbook itself by default (its sheets are records read back); else a
    new report workbook unless asked to write in place."""
    records: tuple[str, ...] = ()
    """Records it adds to: actions taken on the day, each with its document."""
    documents: str = ""
    """What it writes beside the workbook ("" none)."""
    needs_folder: bool = False
    """Its records rest on documents written beside the workbook: refused where there is no folder."""
    pays: bool = False
    """Writes payment files or posts invoices: reads the SEPA files already written first."""
    asks_register: bool = False
    """Asks VIES (the EU's VAT register) about VAT numbers: the door passes it a client (``Request.vat_register``)."""

    @property
    def writes_documents(self) -> bool:
        return bool(self.documents)


REPORTS = ("inputs", "match", "ageing", "unapplied", "unbilled", "kpis", "dunning", "worklist", "disputes",
           "deductions", "writeoffs", "credits", "legal", "debits", "refunds", "history")
"""What ``run`` and Refresh all do: every sheet, no documents, nothing recorded as done."""

COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("run", REPORTS, in_book=False),
    Command("match", ("match", "unapplied", "deductions"), ("invoices", "payments"), in_book=False),
    Command("ageing", ("ageing", "kpis"), in_book=False),
    Command("unapplied", ("match", "unapplied"), ("invoices", "payments"), in_book=False),
    Command("unbilled", ("unbilled",), ("orders",), in_book=False),
    Command("kpis", ("kpis",), in_book=False),
    Command("dunning", ("dunning", "letters"), records=("DunningHistory",), documents="letters and e-mail drafts",
            needs_folder=True),
    Command("worklist", ("worklist",)),
    Command("disputes", ("disputes", "deductions", "writeoffs"), records=("Deductions",)),
    Command("statement", ("statements",), documents="statements and e-mail drafts"),
    Command("credits", ("post_credits",), records=("CreditPostings",)),
    Command("refunds", ("issue_refunds",), records=("RefundLog",), documents="the SEPA file and letters",
            needs_folder=True, pays=True),
    Command("legal", ("case_files",), records=("LegalCases",), documents="case files", needs_folder=True),
    Command("debits", ("issue_debits",), records=("DebitLog",), documents="the SEPA files", needs_folder=True,
            pays=True),
    Command("reconcile", ("reconcile",), documents="the reply letter"),
    Command("invoice", ("invoice",), ()),
    Command("check_invoices", ("check_invoices",), ()),
    Command("vat_check", ("vat_check",), ("customers",), in_book=False, asks_register=True),
    Command("post_invoices", ("post_invoices",), (), records=("BillingLog",),
            documents="each invoice's PDF, e-invoice and e-mail", needs_folder=True, pays=True),
)}
"""Every command by name (``post_invoices`` is ``otc-xl invoice --post``)."""


class Sink(Protocol):
    """Where a door writes: the documents folder and the workbook."""

    #: Documents written earlier today with other content, moved aside by :meth:`write_documents`
    #: (to ``superseded/`` in the day's folder) rather than overwritten.
    superseded: list[str]

    def write_documents(self, files: dict[str, bytes], books: dict[str, list[ReportSheet]],
                        created: dt.datetime) -> Path | None:
        """Write the documents (workbooks dated ``created``, so the same day's have the same bytes);
        return the folder (None: there is none, nothing was written)."""

    def write_sheets(self, sheets: list[ReportSheet]) -> object:
        """Write the sheets into the workbook (or the report workbook)."""


def document_time(on: dt.date) -> dt.datetime:
    """The time a day's documents carry (e-mail drafts, workbook properties): 09:00 of the run date, so
    running a command again the same day writes the same bytes."""
    return dt.datetime.combine(on, dt.time(9, 0))


class BookNotUpdated(Exception):
    """The documents were written but the workbook could not be: what exists, and why."""

    def __init__(self, folder: Path, names: list[str], cause: BaseException):
        self.folder, self.names, self.cause = folder, names, cause
        super().__init__(f"{len(names)} document(s) were written to {folder} ({', '.join(names[:5])}"
                         f"{' …' if len(names) > 5 else ''}) but the workbook was not updated: {cause}")


@dataclass
class Performed:
    result: JobResult
    booked: Booked
    folder: Path | None
    written: object


def run_command(command: Command, ledger: Ledger, evidence: Evidence | None = None, request: Request | None = None,
                progress: Callable[[str], None] | None = None) -> tuple[JobResult, Booked]:
    """Book ``ledger`` and run the command's jobs in order (no I/O)."""
    from . import run_booked

    booked = book(ledger, evidence, request)
    return run_booked(booked, list(command.jobs), progress), booked


def perform(command: Command, ledger: Ledger, sink: Sink, evidence: Evidence | None = None,
            request: Request | None = None, progress: Callable[[str], None] | None = None,
            extra_sheets: Callable[[JobResult], list[ReportSheet]] | None = None) -> Performed:
    """Book, run, then write: documents first, then the sheets (``extra_sheets`` adds the door's own,
    e.g. the messages sheet). Raises :class:`BookNotUpdated` when the sheets fail after documents were
    written."""
    result, booked = run_command(command, ledger, evidence, request, progress)
    folder = None
    names = sorted([*result.files, *result.books])
    if names:
        folder = sink.write_documents(result.files, result.books, document_time(booked.as_of))
        kept = sink.superseded
        if kept:
            result.summary.append(("earlier documents kept", f"{len(kept):,} written earlier today with other "
                                   f"content, moved to {folder}/superseded/ ({', '.join(kept[:3])}"
                                   f"{' …' if len(kept) > 3 else ''}): check whether they were sent"))
    sheets = result.sheets + (extra_sheets(result) if extra_sheets else [])
    try:
        written = sink.write_sheets(sheets)
    except Exception as exc:
        if folder is not None and names:
            raise BookNotUpdated(folder, names, exc) from exc
        raise
    return Performed(result, booked, folder, written)

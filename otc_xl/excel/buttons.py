"""One function per Excel button; the same functions serve every runtime.

Desktop Excel (xlwings add-in): ``RunPython "import otc_xl.excel.buttons as b; b.apply_cash()"``
(the book is ``xw.Book.caller()``). xlwings Lite / Server: ``workbooks/lite/main.py`` wraps them
with ``@script``. Each reads the workbook's input tables through the same contracts and
validation as ``otc-xl``, writes its report sheets in place, refreshes PivotTables, and reports
the outcome in the status bar (desktop) and, for problems, on the ``otc_messages`` sheet — never
as a traceback.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import cast

from ..booking import Request
from ..io.evidence import evidence_beside
from ..io.files import inside, write_files
from ..io.formats.customer_statement import customer_above_header, their_account_from_grid
from ..io.xlsx.report_writer import write_new_workbook
from ..ledger import load_ledger
from ..model.contracts import THEIR_ACCOUNT
from ..model.problems import Problem, ValidationError
from ..workflows import COMMANDS, Command, TheirAccount
from ..workflows.commands import BookNotUpdated, perform
from .source import XlwingsSource
from .writer import ForeignSheet, clear_messages, refresh_pivots, status, write_messages, write_report

ACTIONS = {
    "apply_cash": "match",
    "ageing": "ageing",
    "unapplied_cash": "unapplied",
    "unbilled_revenue": "unbilled",
    "kpis": "kpis",
    "refresh_all": "run",
    "dunning": "dunning",
    "letters": "dunning",
    "statements": "statement",
    "worklist": "worklist",
    "disputes": "disputes",
    "credits": "credits",
    "refunds": "refunds",
    "legal": "legal",
    "reconcile": "reconcile",
    "team": "",
    "prepare_invoices": "invoice",
    "post_invoices": "post_invoices",
}
"""Button → the command it performs (``otc_xl.workflows.COMMANDS``, as ``otc-xl`` does). The Dunning and
Letters buttons are one command: notices are recorded only with their letters."""


def _book(book):
    if book is None:
        import xlwings as xw
        return xw.Book.caller()
    return book


def _path(book) -> Path | None:
    try:
        path = Path(book.fullname)
    except Exception:  # noqa: BLE001 - engines without a file system
        return None
    return path if path.is_absolute() and path.parent.is_dir() else None


def files_folder(book, as_of) -> Path | None:
    """Where a button puts letters: ``<workbook name>_letters/<date>/`` next to a saved workbook."""
    path = _path(book)
    return path.parent / f"{path.stem}_letters" / f"{as_of:%Y-%m-%d}" if path is not None else None


class _BookSink:
    """The Excel door's writes: documents beside the workbook, sheets into it (each refreshed in place)."""

    def __init__(self, book, folder: Path | None, step):
        self.book, self.folder, self.step = book, folder, step
        self.written: list[str] = []
        self.superseded: list[str] = []

    def write_documents(self, files: dict[str, bytes], books: dict, created) -> Path | None:
        if self.folder is None:
            return None
        write_files(self.folder, files, self.superseded)
        for name, sheets in books.items():
            write_new_workbook(inside(self.folder, name), sheets, created=created)
        return self.folder

    def write_sheets(self, sheets: list) -> list[str]:
        for k, sheet in enumerate(sheets, start=1):
            self.step(f"writing {sheet.sheet}", k, len(sheets))
            write_report(self.book, sheet)
            self.written.append(sheet.sheet)
        return self.written


def run_action(book, action: str, files_dir: Path | None = None) -> dict:
    """Run one button on ``book``; returns what was done (also shown to the user).

    Documents are written to ``files_dir`` (default: :func:`files_folder`). Where the workbook has no
    folder (Excel on the web), commands whose records rest on their documents (dunning letters, case
    files, payment files, posted invoices) are refused with a message; the others write their sheets
    and say that their documents were not written.
    """
    command = COMMANDS.get(ACTIONS[action])
    label = action.replace("_", " ")
    started = time.monotonic()
    sink = _BookSink(book, None, lambda *_: None)

    def step(what: str, done: int, total: int) -> None:
        status(book, f"otc_xl: {label} — {what} ({done}/{total}, {time.monotonic() - started:.0f} s)")

    status(book, f"otc_xl: {label} — reading the workbook …")
    try:
        ledger = load_ledger(XlwingsSource(book), require=command.require if command else ())
        if not ledger.ok:
            write_messages(book, ledger.problems)
            message = f"otc_xl: {len(ledger.errors)} problem(s) in the input — see the otc_messages sheet"
            status(book, message)
            return {"ok": False, "message": message, "sheets": []}
        as_of = ledger.config.resolved_as_of()
        folder = files_dir or files_folder(book, as_of)
        if action == "team":
            result = _team(book, ledger)
            sink = _BookSink(book, folder, step)
            sink.write_sheets(result.sheets)
            written = None
        else:
            command = cast(Command, command)  # every button but Team runs a command
            if command.needs_folder and folder is None:
                raise ValidationError([Problem("otc_xl", f"save the workbook to a folder first: {command.documents} "
                                                         "are written beside it, and nothing is recorded as done "
                                                         "without its document")])
            theirs = _their_account(book, ledger) if action == "reconcile" else None
            names = iter(range(1, len(command.jobs) + 1))
            sink = _BookSink(book, folder, step)
            done = perform(command, ledger, sink, evidence_beside(_path(book), files_dir, command.pays),
                           Request(their_account=theirs),
                           progress=lambda name: step(f"running {name}", next(names), len(command.jobs)))
            result, written = done.result, done.folder
            if result.files or result.books:
                result.summary.insert(0, ("files", f"{len(result.files) + len(result.books)} in {written}"
                                          if written is not None else "not written: save the workbook to a folder "
                                                                      "first, or use otc-xl on the desktop"))
        if ledger.problems:
            write_messages(book, ledger.problems)
        else:
            clear_messages(book)
        pivots = refresh_pivots(book)
        summary = "; ".join(f"{k}: {v}" for k, v in result.summary if not k.endswith("rows"))[:250]
        status(book, f"otc_xl: done. {summary}")
        return {"ok": True, "message": summary, "sheets": [s.sheet for s in result.sheets], "pivots": pivots,
                "files": sorted([*result.files, *result.books]) if written else [], "folder": written}
    except ValidationError as exc:  # the input cannot be used: nothing was written (jobs run before any write)
        write_messages(book, exc.problems)
        message = (f"otc_xl: {exc.problems[0].message} — nothing was written" if len(exc.problems) == 1 else
                   f"otc_xl: {len(exc.problems)} problem(s) — see the otc_messages sheet; nothing was written")
        status(book, message)
        return {"ok": False, "message": message, "sheets": []}
    except BookNotUpdated as exc:
        rewritten = (f"These sheets were already rewritten: {', '.join(sink.written)}." if sink.written
                     else "No sheet was changed.")
        write_messages(book, [Problem("otc_xl", f"{exc} {rewritten} Run the button again: the same documents are "
                                                "written and recorded; payments and invoices already written are "
                                                "never issued twice (they are read back from that folder).")])
        status(book, "otc_xl: documents written but the workbook was not updated — see the otc_messages sheet")
        return {"ok": False, "message": str(exc), "sheets": sink.written}
    except ForeignSheet as exc:
        write_messages(book, [Problem("otc_xl", str(exc))])
        status(book, f"otc_xl: {exc}")
        return {"ok": False, "message": str(exc), "sheets": []}
    except Exception as exc:  # noqa: BLE001 - a button must never show a traceback to the user
        detail = traceback.format_exc(limit=3).splitlines()[-1]
        rewritten = (f"These sheets were already rewritten: {', '.join(sink.written)}; no other sheet was changed."
                     if sink.written else "No sheet was changed.")
        write_messages(book, [Problem("otc_xl", f"internal error: {type(exc).__name__}: {exc}. {rewritten} "
                                                "Please report "
                                                f"this ({detail}).")])
        status(book, "otc_xl: internal error — see the otc_messages sheet")
        return {"ok": False, "message": str(exc), "sheets": []}


def _their_account(book, ledger) -> TheirAccount:
    """The customer's statement pasted into the CustomerAccount sheet, and the customer named above
    its header (``Customer: C10041``)."""
    found = XlwingsSource(book).sheet_grid(THEIR_ACCOUNT.sheet_names)
    if found is None:
        raise ValidationError([Problem("CustomerAccount", "paste the customer's statement into a sheet named "
                                                          "CustomerAccount, with 'Customer:' and its number above "
                                                          "the header row")])
    name, grid = found
    customer = customer_above_header(grid)
    if not customer:
        raise ValidationError([Problem(name, "write 'Customer:' and the customer number in a cell above the "
                                             "header row (e.g. A1 Customer:, B1 C10041)", 1)])
    lines, notes, columns = their_account_from_grid(name, grid, ledger.config.parse_options())
    return TheirAccount(customer, lines, name, notes, "", "currency" in columns)


def _team(book, ledger):
    """The team report from the associates' workbooks in Config ``team_folder`` (absolute, or
    relative to this workbook's folder); they are only read."""
    from ..workflows.team import team_report
    from ..workflows.team_books import read_member, team_workbooks

    folder = Path(ledger.config.team_folder) if ledger.config.team_folder else None
    if folder is not None and not folder.is_absolute():
        here = files_folder(book, ledger.config.resolved_as_of())
        folder = here.parent.parent / folder if here is not None else None
    if folder is None or not folder.is_dir():
        raise ValidationError([Problem("Config", "team_folder must name the folder with the associates' workbooks "
                                                 f"(found: {ledger.config.team_folder or 'nothing'})")])
    as_of = ledger.config.resolved_as_of()
    own = _path(book)
    members = [read_member(path, as_of) for path in team_workbooks(folder, skip=(own,) if own else ())]
    return team_report(members, as_of)


def apply_cash(book=None) -> dict:
    """Apply the bank's cash: Applications, AliasSuggestions, Unapplied."""
    return run_action(_book(book), "apply_cash")


def ageing(book=None) -> dict:
    """Ageing, AgeingSummary, AgeingDetail, PivotData, CreditBalances, KPIs."""
    return run_action(_book(book), "ageing")


def unapplied_cash(book=None) -> dict:
    """Unapplied cash (after applying what can be applied)."""
    return run_action(_book(book), "unapplied_cash")


def unbilled_revenue(book=None) -> dict:
    """Unbilled revenue."""
    return run_action(_book(book), "unbilled_revenue")


def kpis(book=None) -> dict:
    """DSO, CEI and the other KPIs with the reconciliation controls."""
    return run_action(_book(book), "kpis")


def refresh_all(book=None) -> dict:
    """Every report, then every PivotTable of the workbook."""
    return run_action(_book(book), "refresh_all")


def dunning(book=None) -> dict:
    """Dunning run: Dunning, DunningItems, the letters (HTML) and e-mail drafts in each customer's language
    beside the workbook, and DunningHistory recording each notice with its letter (the next run escalates
    from it)."""
    return run_action(_book(book), "dunning")


def letters(book=None) -> dict:
    """The same as :func:`dunning`: the notices with their letters and e-mail drafts."""
    return run_action(_book(book), "letters")


def statements(book=None) -> dict:
    """Statements of account for every customer: Statement sheet, HTML and e-mail drafts."""
    return run_action(_book(book), "statements")


def worklist(book=None) -> dict:
    """Today's calls (Worklist); files the outcomes typed on the last one in ContactLog."""
    return run_action(_book(book), "worklist")


def disputes(book=None) -> dict:
    """Disputes by root cause, DisputeItems and WriteOffs proposals."""
    return run_action(_book(book), "disputes")


def credits(book=None) -> dict:
    """Post the approved credit allocations, then propose again (CreditAllocations, CreditsLeft,
    CreditPostings)."""
    return run_action(_book(book), "credits")


def refunds(book=None) -> dict:
    """Pay the approved refunds in a SEPA pain.001 file beside the workbook (Refunds, RefundLog) and
    draft the letters asking for bank details."""
    return run_action(_book(book), "refunds")


def legal(book=None) -> dict:
    """Hand over to LegalCases and write a case file per open case beside the workbook."""
    return run_action(_book(book), "legal")


def reconcile(book=None) -> dict:
    """Reconcile the customer's statement pasted in CustomerAccount (Reconciliation,
    ReconciliationBalance, reply letter)."""
    return run_action(_book(book), "reconcile")


def prepare_invoices(book=None) -> dict:
    """Invoice drafts from delivered, not yet billed OrderLines (InvoiceDrafts, InvoiceLines,
    InvoiceVAT, BillingLog); nothing is numbered or posted."""
    return run_action(_book(book), "prepare_invoices")


def post_invoices(book=None) -> dict:
    """Post the approved InvoiceDrafts: numbers, PDF, e-invoice and e-mail draft beside the workbook,
    BillingLog (and so the open items)."""
    return run_action(_book(book), "post_invoices")


def team(book=None) -> dict:
    """Consolidate the associates' workbooks in Config team_folder into this workbook (Workbooks,
    TeamAgeing, TeamPivotData, TopOverdue, TopRisk, Workload, TeamControls)."""
    return run_action(_book(book), "team")

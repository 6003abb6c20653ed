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

from ..io.files import inside, write_files
from ..io.report_writer import write_new_workbook
from ..ledger import load_ledger
from ..model.problems import Problem, ValidationError
from ..io.customer_file import customer_above_header, their_account_from_grid
from ..io.invoices import billed_in_folder
from ..io.sepa import issued_end_to_end_ids
from ..model.contracts import THEIR_ACCOUNT
from ..workflows import RUN_ALL, TheirAccount, run_jobs
from .source import XlwingsSource
from .writer import ForeignSheet, clear_messages, refresh_pivots, status, write_messages, write_report

ACTIONS = {
    "apply_cash": (["match", "unapplied"], ("invoices", "payments")),
    "ageing": (["ageing", "kpis"], ("invoices",)),
    "unapplied_cash": (["match", "unapplied"], ("invoices", "payments")),
    "unbilled_revenue": (["unbilled"], ("orders",)),
    "kpis": (["kpis"], ("invoices",)),
    "refresh_all": (None, ("invoices",)),
    "dunning": (["dunning"], ("invoices",)),
    "letters": (["dunning", "letters"], ("invoices",)),
    "statements": (["statements"], ("invoices",)),
    "worklist": (["worklist"], ("invoices",)),
    "disputes": (["disputes", "writeoffs"], ("invoices",)),
    "credits": (["post_credits"], ("invoices",)),
    "refunds": (["issue_refunds"], ("invoices",)),
    "legal": (["case_files"], ("invoices",)),
    "reconcile": (["reconcile"], ("invoices",)),
    "team": ([], ()),
    "prepare_invoices": (["invoice"], ()),
    "post_invoices": (["post_invoices"], ()),
}
"""Button → (jobs it runs, tables it needs). ``None``: every job, as ``otc-xl run``."""
WRITES_FIRST = {"refunds": "the SEPA file is", "post_invoices": "each invoice's PDF, e-invoice and e-mail are"}
"""Buttons whose files are written before the sheets that log them, and so need a folder."""


def _book(book):
    if book is None:
        import xlwings as xw
        return xw.Book.caller()
    return book


def files_folder(book, as_of) -> Path | None:
    """Where a button puts letters: ``<workbook name>_letters/<date>/`` next to a saved workbook."""
    try:
        path = Path(book.fullname)
    except Exception:  # noqa: BLE001 - engines without a file system
        return None
    if not path.is_absolute() or not path.parent.is_dir():
        return None
    return path.parent / f"{path.stem}_letters" / f"{as_of:%Y-%m-%d}"


def run_action(book, action: str, files_dir: Path | None = None) -> dict:
    """Run one button on ``book``; returns what was done (also shown to the user).

    Letters and statements are written to ``files_dir`` (default: :func:`files_folder`); where the
    workbook has no folder (Excel on the web), the button says so and writes only the sheets.
    """
    jobs, require = ACTIONS[action]
    label = action.replace("_", " ")
    started = time.monotonic()
    written_sheets: list[str] = []

    def step(what: str, done: int, total: int) -> None:
        status(book, f"otc_xl: {label} — {what} ({done}/{total}, {time.monotonic() - started:.0f} s)")

    status(book, f"otc_xl: {label} — reading the workbook …")
    try:
        ledger = load_ledger(XlwingsSource(book), require=require)
        if not ledger.ok:
            write_messages(book, ledger.problems)
            message = f"otc_xl: {len(ledger.errors)} problem(s) in the input — see the otc_messages sheet"
            status(book, message)
            return {"ok": False, "message": message, "sheets": []}
        total = len(jobs or RUN_ALL)
        names = iter(range(1, total + 1))
        theirs = _their_account(book, ledger) if action == "reconcile" else None
        folder = files_dir or files_folder(book, ledger.config.resolved_as_of())
        if action in WRITES_FIRST and folder is None:
            raise ValidationError([Problem("otc_xl", f"save the workbook to a folder first: {WRITES_FIRST[action]} "
                                                     "written beside it, and nothing is logged without its file")])
        guarded = (folder.parent if files_dir is None else folder) if folder is not None else None
        issued = issued_end_to_end_ids(guarded) if folder is not None and action == "refunds" else {}
        # every button, as every command: a book closed unsaved after posting still knows what it billed
        billed = billed_in_folder(guarded) if folder is not None else None
        if action == "team":
            result, run = _team(book, ledger), None
        else:
            result, run = run_jobs(ledger, jobs, progress=lambda name: step(f"running {name}", next(names), total),
                                   issued=issued, their_account=theirs, billed_files=billed)
        written = None

        def documents():
            target = folder
            if target is not None:
                write_files(target, result.files)
                for name, sheets in result.books.items():
                    write_new_workbook(inside(target, name), sheets)
                result.summary.insert(0, ("files", f"{len(result.files) + len(result.books)} in {target}"))
            else:
                result.summary.insert(0, ("files", "not written: save the workbook to a folder first, "
                                                   "or use otc-xl on the desktop"))
            return target
        pays = action in WRITES_FIRST and bool(result.files)
        if pays:  # the files before the log (RefundLog, BillingLog): what is logged always has its file
            written = documents()
        for k, sheet in enumerate(result.sheets, start=1):
            step(f"writing {sheet.sheet}", k, len(result.sheets))
            write_report(book, sheet)
            written_sheets.append(sheet.sheet)
        if (result.files or result.books) and not pays:
            written = documents()
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
        message = f"otc_xl: {len(exc.problems)} problem(s) — see the otc_messages sheet; nothing was written"
        status(book, message)
        return {"ok": False, "message": message, "sheets": []}
    except ForeignSheet as exc:
        write_messages(book, [Problem("otc_xl", str(exc))])
        status(book, f"otc_xl: {exc}")
        return {"ok": False, "message": str(exc), "sheets": []}
    except Exception as exc:  # noqa: BLE001 - a button must never show a traceback to the user
        detail = traceback.format_exc(limit=3).splitlines()[-1]
        done = (f"These sheets were already rewritten: {', '.join(written_sheets)}; no other sheet was changed."
                if written_sheets else "No sheet was changed.")
        write_messages(book, [Problem("otc_xl", f"internal error: {type(exc).__name__}: {exc}. {done} Please report "
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
    from ..io.team_books import read_member, team_workbooks
    from ..workflows.team import team_report

    folder = Path(ledger.config.team_folder) if ledger.config.team_folder else None
    if folder is not None and not folder.is_absolute():
        here = files_folder(book, ledger.config.resolved_as_of())
        folder = here.parent.parent / folder if here is not None else None
    if folder is None or not folder.is_dir():
        raise ValidationError([Problem("Config", "team_folder must name the folder with the associates' workbooks "
                                                 f"(found: {ledger.config.team_folder or 'nothing'})")])
    as_of = ledger.config.resolved_as_of()
    own = Path(book.fullname) if Path(str(book.fullname)).is_absolute() else None
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
    """Dunning run: Dunning, DunningItems and DunningHistory (the next run escalates from it)."""
    return run_action(_book(book), "dunning")


def letters(book=None) -> dict:
    """Dunning run plus the letters (HTML) and e-mail drafts (.eml), in each customer's language."""
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

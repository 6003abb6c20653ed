"""Bank import, validation, the demo, the Excel add-in and the template."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Any, cast

import click
from rich.progress import TaskID
from rich.table import Table

from ..io.formats.bank.registry import FORMAT_NAMES as BANK_FORMATS
from ..io.formats.bank.registry import READERS as BANK_READERS
from ..io.locking import refuse_output_over_input, same_file, writing
from ..io.xlsx.reader import XlsxSource
from ..ledger import load_ledger
from ..model.contracts import CONTRACTS
from ..model.problems import Problem, ValidationError, errors_in
from ..workflows import COMMANDS, REPORTS, Command
from .core import (
    AS_OF,
    CONFIG,
    DEBUG,
    DEMO_BOOK,
    _execute,
    _guard,
    _load,
    _print_problems,
    _progress,
    _Steps,
    _wait,
    console,
    err_console,
    escape,
    main,
)

DEMO_REPORT = Command("demo", (*REPORTS, "letters"), in_book=False, records=("DunningHistory",),
                      documents="letters and e-mail drafts")
"""The demo's last step: every report, and the day's dunning letters (recorded in the report workbook)."""


def _import(files: tuple[Path, ...], book: Path, fmt: str | None, advice: tuple[Path, ...],
            toml: Path | None, accept_unbalanced: bool = False, accept_short_rows: bool = False) -> None:
    """Read every file first (any error: nothing is appended), then append the new receipts."""
    for path in (*files, *advice):
        if same_file(path, book):
            raise ValidationError([Problem(path.name, f"{path} is the workbook given with --into; give the bank "
                                                      "statement or advice file instead (nothing was written)")])
    from ..config import config_from_sheet, config_from_toml
    from ..io.advice_import import append_advices, ensure_advices
    from ..io.formats.bank import ReadPolicy, parse_bank_file, parse_profile
    from ..io.import_log import append_logged

    config, problems = config_from_sheet(XlsxSource(book).raw_config())
    if toml:
        config, more = config_from_toml(toml, config)
        problems += more
    if errors_in(problems):
        raise ValidationError(problems)
    try:
        options, profile = config.parse_options(), parse_profile(config.bank_columns)
    except ValueError as exc:
        raise ValidationError([Problem("Config", str(exc))]) from None
    table = Table("file", "format", "receipts", "debits skipped", show_header=True)
    frames, notes = [], []
    unread: list[Problem] = []
    with _progress() as bar:
        steps = _Steps(bar, len(files), "Reading")
        for path in files:
            steps(path.name)
            rows = bar.add_task(f"  rows of {path.name}", total=None)
            def progress(done: int, total: int, rows: TaskID = rows) -> None:
                bar.update(rows, completed=done, total=total)
            try:  # every file is read: the problems of all of them are listed at once
                frames.append(parse_bank_file(path, fmt, options, profile, progress=progress,
                                              policy=ReadPolicy(accept_unbalanced, accept_short_rows)))
            except ValidationError as exc:
                unread += exc.problems
            bar.remove_task(rows)
        steps.finish()
    if unread:
        raise ValidationError(unread)
    for path, lines in zip(files, frames):
        notes += lines.notes
        table.add_row(path.name, lines.source, f"{len(lines.payments):,}", f"{lines.debits:,}")
    import pandas as pd

    from ..io import intraday
    finals = [f.payments for f in frames if f.final]  # intraday reports wait on the Intraday sheet
    payments = pd.concat(finals, ignore_index=True) if finals else frames[0].payments.iloc[0:0]
    advices = _advices(advice, payments, book, options) if advice else None
    carried = [f.advices for f in frames if f.final and f.advices is not None and len(f.advices)]  # lockbox stubs
    if carried:
        advices = pd.concat([*carried, *([advices] if advices is not None else [])], ignore_index=True)
    with writing(book, _wait, must_exist=True), _progress() as bar:  # read again inside the lock, then appended
        bar.add_task(f"Appending {len(payments):,} receipt(s) to {book.name}", total=None)
        change = intraday.plan(book, list(zip(files, frames)), intraday.today_stamp())
        notes += change.notes
        if advices is not None and len(advices):
            ensure_advices(book)  # before the receipts: creating the table rewrites the book
        result, logged = append_logged(book, payments, lambda result: _log_rows(files, frames, result, notes))
        added_advices = append_advices(book, advices) if advices is not None and len(advices) else 0
        unwritten = ""
        if change.changed:
            try:
                intraday.write(book, change)
            except ValidationError as exc:  # the receipts are in: say what could not follow them
                unwritten = "; ".join(p.message for p in exc.problems)
    console.print(table)
    for note in notes:
        console.print(f"note: {note}", soft_wrap=True)
    console.print(f"{result.added:,} new bank line(s) appended to {book.name}!{result.sheet}; "
                  f"{result.already_there:,} already there (not added again).", soft_wrap=True)
    console.print(f"Import log: {logged}.", soft_wrap=True)
    if result.not_kept:
        from ..io.bank_import import LABELS as PAYMENT_LABELS
        wanted = ", ".join(f"'{PAYMENT_LABELS[c]}'" for c in result.not_kept)
        err_console.print(f"[yellow]warning[/]: some receipts carry {escape(wanted)}, but "
                          f"{escape(book.name)}!{result.sheet} has no such column, so that was not written (the "
                          "receipts were). Add the column(s) to the table to keep them from later imports; for "
                          "these receipts, type them in if cash application needs them (an import again adds "
                          "nothing: the lines are there)",
                          markup=True, soft_wrap=True)
    if unwritten:
        err_console.print(f"[yellow]warning[/]: the Intraday sheet was not written ({escape(unwritten)}); the intraday "
                          "receipts above are not kept, the final statements' receipts were appended", markup=True,
                          soft_wrap=True)
    elif change.changed:
        console.print(f"Intraday: {change.added:,} receipt(s) kept as not final, {change.replaced:,} replaced by the "
                      f"day's statement; {len(change.rows):,} on the Intraday sheet.", soft_wrap=True)
    if advices is not None:
        there = len(advices.drop_duplicates(["payment_id", "invoice_id"])) - added_advices
        also = f"; {there:,} already there (not added again)" if there else ""
        console.print(f"{added_advices:,} advice line(s) appended to {book.name}!Advices (for "
                      f"{advices['payment_id'].nunique():,} bank line(s)){also}.", soft_wrap=True)


def _advices(files: tuple[Path, ...], payments, book: Path, options):
    """The Advices rows of the advice ``files``, joined to the bank lines of this import or already in BOOK's
    Payments; an advice no bank line matches stops the import (nothing written)."""
    import pandas as pd

    from ..io.formats.bank import advice_rows, read_advice
    from ..model.contracts import PAYMENTS
    from ..model.tables import parse_table

    raw = XlsxSource(book).raw_table(PAYMENTS)
    known = parse_table(PAYMENTS, raw, options)[0] if raw is not None else pd.DataFrame()
    lines = pd.concat([f for f in (payments, known) if len(f)], ignore_index=True) if len(payments) or len(known) \
        else pd.DataFrame(columns=["payment_id", "amount", "remittance"])
    lines = lines.drop_duplicates("payment_id")
    frames, problems = [], []
    for path in files:
        rows, found = advice_rows(lines, read_advice(path, options), path.name)
        frames.append(rows)
        problems += found
    if problems:
        raise ValidationError(problems)
    return pd.concat(frames, ignore_index=True)


def _log_rows(files, frames, result, notes: list[str]):
    """One ImportLog row per file: receipts, new ones, duplicates, debits, totals per currency, notes."""
    import pandas as pd

    from ..model.money import money_sum

    stamp = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    rows = []
    for path, lines in zip(files, frames):
        payments = lines.payments
        added = int(payments["payment_id"].isin(result.added_ids).sum()) if lines.final else 0
        totals = "; ".join(f"{c} {money_sum(g['amount']):,.2f}" for c, g in payments.groupby("currency"))
        mine = "; ".join(n for n in notes if n.startswith(f"{path.name}:"))
        rows.append({"imported_at": stamp, "file": path.name,
                     "format": lines.source if lines.final else f"{lines.source} (not final)",
                     "receipts": len(payments),
                     "added": added, "already_there": len(payments) - added if lines.final else 0,
                     "debits_skipped": lines.debits,
                     "totals": totals, "notes": mine})
    return pd.DataFrame(rows, columns=["imported_at", "file", "format", "receipts", "added", "already_there",
                                       "debits_skipped", "totals", "notes"])


@main.command("import-bank")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "book", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook whose Payments table receives the new receipts.")
@click.option("--format", "fmt", type=click.Choice(list(BANK_FORMATS)),
              help="Force the format (default: detected from the content): " + "; ".join(
                  f"{r.name} = {r.title}" for r in BANK_READERS) + ".")
@click.option("--advice", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Remittance advice, appended to BOOK's Advices table: CSV/XLSX (payment reference, invoice, "
                   "amount, deduction, reason; lockbox exports alike), EDI 820, a NACHA ACH file with CTX addenda, "
                   "or an .eml whose PDF attachment (or body) is the advice.")
@click.option("--accept-unbalanced", is_flag=True,
              help="Import statements whose balances do not tie (a bank that sends partial statements): each "
                   "one's difference is printed and recorded in ImportLog. Never the default.")
@click.option("--accept-short-rows", is_flag=True,
              help="Import a CSV export whose rows miss trailing fields: those rows are left out, each named in "
                   "the summary and ImportLog. Without it such a file is refused.")
@CONFIG
@DEBUG
def import_bank(files, book: Path, fmt, advice, accept_unbalanced: bool, accept_short_rows: bool, toml,
                debug: bool) -> None:
    """Append the receipts of bank FILES to BOOK's Payments: camt.052/053/054, MT940/MT942, AEB Norma 43,
    CFONB 120, CBI RH, CODA, BAI2, BAI lockbox, OFX, CSV/XLSX exports (the format is detected from the content).

    Only credits are imported; debits are counted and skipped. A line already in Payments (same
    payment_id: the bank's reference, or a stable hash of the line) is not added again, so
    importing the same file twice adds nothing. Every file is read and checked before anything is
    written (statements' balances must tie, amounts and dates must be valid, every receipt must fit
    the Payments contract); a bad file stops the import with a message and BOOK is left as it was,
    unless --accept-unbalanced / --accept-short-rows say otherwise.
    The encoding of text files is detected and named. BOOK is locked while it is written: a second
    command waits for it (OTC_XL_LOCK_TIMEOUT seconds, default 120).

    With --advice, each advice's lines are joined to their bank line (by payment id, a reference in
    the remittance, or the advice's total) and appended to BOOK's Advices table, which cash
    application reads invoice by invoice; an advice no bank line matches stops the import. A BAI
    lockbox transmission carries its own advice: each check's stub lines are appended the same way.
    """
    _guard(debug, lambda: _import(tuple(files), book, fmt, tuple(advice), toml, accept_unbalanced,
                                  accept_short_rows))


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@AS_OF
@CONFIG
@DEBUG
def validate(book: Path, as_of, toml, debug: bool) -> None:
    """Check BOOK's input tables and list every problem; writes nothing.

    Exit code 0 when the workbook can be used, 1 when it has errors.
    """
    def action() -> None:
        source = XlsxSource(book)
        ledger = _load(book, ("invoices",), toml, as_of)
        _print_problems(ledger.problems)
        for name in CONTRACTS:  # every input table otc_xl reads, the optional ones too
            where = source.locate(CONTRACTS[name])
            if where or name in ("invoices", "payments", "customers", "orders"):
                console.print(f"{name:<14} {len(getattr(ledger, name)):>8,} rows   {where or '(absent)'}")
        from ..model.billing import ORDER_LINES

        lines = source.raw_table(ORDER_LINES)
        if lines is not None:  # billing's table: its lines are checked, each with its cell, by otc-xl invoice
            console.print(f"{'order_lines':<14} {len(lines.rows):>8,} rows   {source.locate(ORDER_LINES)} "
                          "(checked line by line by otc-xl invoice)")
        console.print("[green]OK[/]: the workbook can be used.", markup=True)
    _guard(debug, action)


DEMO_NEEDS = {"issue_refunds": ("company_name", "company_iban"),
              "issue_debits": ("company_name", "company_iban", "sepa_creditor_id"),
              "post_invoices": ("company_name", "company_vat_id", "company_country")}
"""The Config settings each demo step needs; a book given with --book that lacks them skips the step."""


@main.command()
@click.option("--book", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Demo workbook to use (default: {DEMO_BOOK} if present, else generated).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("otc_demo_report.xlsx"),
              show_default=True, help="Report workbook to write.")
@AS_OF
@DEBUG
def demo(book: Path | None, out: Path, as_of, debug: bool) -> None:
    """Run the whole cycle on the demo: import the bank statement, account work, report.

    Works on a copy of the demo workbook (the shipped file is not changed): imports
    otc_demo_camt053.xml into its Payments; posts the approved credit allocations, pays the
    approved refund (a SEPA pain.001 file), collects the due plan instalments (pain.008), hands
    items over to legal (case files), reconciles a Spanish customer's ledger extract
    (otc_demo_customer_statement.xlsx, with a reply letter) and bills the delivered orders (the
    approved invoice drafts posted: PDF, e-invoice and e-mail per customer); then runs every job and writes
    otc_demo_report.xlsx, and every letter, e-mail draft and file to otc_demo_report_letters/.
    The working copy (with the sheets each step wrote: Reconciliation, InvoiceDrafts, ImportLog …)
    stays in otc_demo_report_work/, replaced by the next demo. With --book, a workbook of yours is
    used instead (still on a copy): a step it has no data or Config for is skipped, and said so.
    --out may not be the book, nor the statement files read.
    """
    from ..demo.accounts import reconciled_customer
    from ..demo.workbooks import write_demo_bank_file, write_demo_customer_statement, write_demo_workbook

    def action() -> None:
        files = out.with_name(f"{out.stem}_letters")
        source = book or (DEMO_BOOK if DEMO_BOOK.exists() else None)
        work_dir = out.with_name(f"{out.stem}_work")
        if source is not None and work_dir.resolve() in source.resolve().parents:
            raise ValidationError([Problem(str(source), f"is inside {work_dir.name}/, the folder the demo empties "
                                                        "for its working copy: copy it elsewhere first (nothing "
                                                        "was written)")])
        work = _take_demo_work(work_dir)
        copy = work / "otc_demo.xlsx"
        if source is None:
            with console.status("Generating the demo workbook …"):
                write_demo_workbook(copy)
        else:
            shutil.copy(source, copy)
        shipped = (lambda name: source.parent / name) if source else (lambda name: work / "absent" / name)
        statement = shipped("otc_demo_camt053.xml")
        if not statement.exists():
            statement = write_demo_bank_file(work / "otc_demo_camt053.xml")
        theirs = shipped("otc_demo_customer_statement.xlsx")
        if not theirs.exists():
            theirs = write_demo_customer_statement(work / "otc_demo_customer_statement.xlsx")
        refuse_output_over_input(out, [p for p in (source, statement, theirs) if p is not None])
        previous = _take_demo_folder(files, work)
        if previous:
            console.print(f"The previous demo's {files.name}/ was moved to {previous}: every demo starts from the "
                          "same state.", soft_wrap=True)
        console.print(f"[bold]1. Import the bank statement[/] {escape(statement.name)} into a working copy of the demo "
                      f"workbook ({escape(str(copy))}; the shipped file is not changed)", markup=True, soft_wrap=True)
        _import((statement,), copy, None, (), None)
        ledger = load_ledger(XlsxSource(copy))
        customer = reconciled_customer(ledger.customers, ledger.invoices)
        for title, command, extra in (
                ("2. Post the approved credit allocations", COMMANDS["credits"], {}),
                ("3. Pay the approved refund (SEPA credit transfer)", COMMANDS["refunds"], {}),
                ("4. Collect the due plan instalments (SEPA direct debit)", COMMANDS["debits"], {}),
                ("5. Hand over to legal, with case files", COMMANDS["legal"], {}),
                (f"6. Reconcile customer {customer} with {theirs.name}", COMMANDS["reconcile"],
                 {"their_file": (customer, theirs, "EUR")}),
                ("7. Bill delivered orders: post the approved invoice drafts (PDF, e-invoice, e-mail)",
                 COMMANDS["post_invoices"], {})):
            if command.name == "reconcile" and not customer:  # a book of yours (--book) without the demo's customers
                console.print(f"[bold]6. Reconcile a customer's statement[/]: skipped, {escape(copy.name)} has no "
                              "Spanish customer with five open EUR invoices to reconcile", markup=True, soft_wrap=True)
                continue
            lacking = [n for n in DEMO_NEEDS.get(command.jobs[0], ()) if not getattr(ledger.config, n)]
            if lacking:
                console.print(f"[bold]{escape(title)}[/]: skipped, {escape(copy.name)} has no Config "
                              f"{', '.join(lacking)}", markup=True, soft_wrap=True)
                continue
            console.print(f"[bold]{escape(title)}[/]", markup=True, soft_wrap=True)
            _execute(copy, command, None, True, None, as_of, files_dir=files, backup=False,
                     **cast(dict[str, Any], extra))
        console.print("[bold]8. Apply cash, run collections, produce the day's letters and write the reports[/]",
                      markup=True)
        _execute(copy, DEMO_REPORT, out, False, None, as_of, files_dir=files)
    _guard(debug, action)


DEMO_MARK = ".otc-xl-demo"
"""The file that marks a folder as written by ``otc-xl demo`` (a later demo may replace it)."""
_DEMO_DOCUMENTS = {".html", ".eml", ".xml", ".pdf", ".json", ".xlsx"}


def _earlier_demo(folder: Path, what: str, into: str, documents_only: bool = False) -> bool:
    """Whether ``folder`` holds what an earlier demo wrote there (marked; with ``documents_only``, also a
    folder of nothing but the kinds of files a demo writes). A file of that name, or a folder holding
    anything else, is refused: the demo ``what`` (``into``) that folder and never touches a user's."""
    if folder.exists() and not folder.is_dir():
        raise ValidationError([Problem(str(folder), f"is a file, but the demo {what} {into} a folder of that name: "
                                                    "move it, or choose another --out")])
    if not folder.is_dir() or not any(folder.iterdir()):
        return False
    ours = (folder / DEMO_MARK).exists() or documents_only and all(
        e.is_file() and e.suffix.lower() in _DEMO_DOCUMENTS for e in folder.iterdir())
    if not ours:
        raise ValidationError([Problem(str(folder), f"this folder was not written by otc-xl demo and the demo {what} "
                                                    "there: move it, or choose another --out (nothing was written)")])
    return True


def _mark_demo_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARK).write_text("Written by otc-xl demo; the next demo replaces this folder.\n", encoding="utf-8")


def _take_demo_work(work: Path) -> Path:
    """The demo's working folder beside its report (``<out>_work``: the working copy of the workbook,
    with every sheet the steps wrote, and the previous demo's letters), emptied first when an earlier
    demo wrote it; any other folder of that name is refused. One such folder per report, not one more
    temporary folder per run."""
    if _earlier_demo(work, "keeps its working copy", "in"):
        shutil.rmtree(work)
    _mark_demo_folder(work)
    return work


def _take_demo_folder(files: Path, work: Path) -> Path | None:
    """Start the demo's documents folder afresh: an earlier demo's folder (marked, or holding only the
    kinds of files a demo writes) is moved into ``work``; any other folder there is refused. Without
    this a second demo would read the first one's invoices and payment files as its own and report
    other totals. Returns where the earlier folder went."""
    moved = None
    if _earlier_demo(files, "writes its documents", "to", documents_only=True):
        moved = work / f"previous_{files.name}"
        shutil.move(str(files), str(moved))
    _mark_demo_folder(files)
    return moved


@main.group()
def addin() -> None:
    """Build or install the OTC Excel add-in (ribbon tab, buttons, formulas)."""


@addin.command("build")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("workbooks"),
              show_default=True, help="Where to write OTC.xlam and otc_workbook.xlsm.")
@click.option("--macros", "macros_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder with customUI14.xml and the .bas modules (default: the repository's macros/).")
@DEBUG
def addin_build(out_dir: Path, macros_dir: Path | None, debug: bool) -> None:
    """Assemble OTC.xlam and a button-ready otc_workbook.xlsm from macros/ (works on any OS).

    The VBA project is written from the .bas sources (no compiled p-code: Excel compiles it on
    open); the ribbon is macros/customUI14.xml. Each embeds xlwings' own VBA module from the
    installed xlwings, the variant for its kind of file: OTC.xlam xlwings' add-in variant (the
    buttons act on the active workbook), otc_workbook.xlsm the standalone one (its buttons act on
    itself); both read their settings from otc_xl.conf. The add-in also carries the worksheet
    functions' wrappers, generated by xlwings' own generator. No xlwings add-in is needed.
    """
    from ..excel.addin import build_all

    def action() -> None:
        for path in build_all(out_dir, macros_dir):
            console.print(f"built {path} ({path.stat().st_size:,} bytes)", soft_wrap=True)
    _guard(debug, action)


@addin.command("install")
@click.option("--addin", "addin_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="An add-in file to install as it is; it must embed the VBA of the installed xlwings (default: "
                   "OTC.xlam built here from the installed otc_xl and xlwings).")
@click.option("--target", type=click.Path(file_okay=False, path_type=Path),
              help="Install into this folder instead of Excel's start-up folder (XLSTART), with otc_xl.conf and "
                   "xlwings' AppleScript beside it (for another machine).")
@DEBUG
def addin_install(addin_path: Path, target: Path | None, debug: bool) -> None:
    """Install OTC.xlam into Excel's start-up folder and point it at this Python.

    Works from any directory after `pip install otc_xl`. The add-in is built on the spot from the
    macros installed with otc_xl, with the VBA of the installed xlwings embedded (the xlwings
    add-in is not needed) and the worksheet functions' wrappers (no Import Functions). Windows:
    %APPDATA%\\Microsoft\\Excel\\XLSTART; macOS: Excel's Startup folder. The interpreter goes into the
    add-in's own settings file, otc_xl.conf (Windows: %USERPROFILE%\\.otc_xl\\otc_xl.conf, in the ANSI
    code page VBA reads; macOS: ~/Library/Containers/com.microsoft.Excel/Data/otc_xl.conf), as
    INTERPRETER_WIN / INTERPRETER_MAC; its other lines are kept, and xlwings' own xlwings.conf (read
    by every other xlwings workbook) is not touched. On macOS, xlwings' AppleScript is copied to
    ~/Library/Application Scripts/com.microsoft.Excel, as `xlwings runpython install` does, which
    RunPython needs there. If Excel has OTC.xlam open, Windows locks it: the command says so and
    changes nothing; quit Excel and run it again.
    """
    from ..excel.addin_install import install

    if target is None and not (sys.platform.startswith("win") or sys.platform == "darwin"):
        raise click.UsageError(f"Excel has no start-up folder on this system ({sys.platform}): add-ins are installed "
                               "on Windows or macOS. Give --target DIR to copy the add-in and its settings there.")

    def action() -> None:
        for line in install(addin_path, target):
            console.print(line, soft_wrap=True)
        console.print("Restart Excel: the OTC tab appears in the ribbon." + (
            " (macOS: quit Excel with Cmd-Q, then start it again.)" if sys.platform == "darwin" else ""))
    _guard(debug, action)


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default="otc_template.xlsx")
def template(out: Path) -> None:
    """Write an empty input workbook (tables, Config, data dictionary) to OUT (a new file)."""
    from ..demo.workbooks import write_template_workbook
    if out.suffix.lower() != ".xlsx":
        err_console.print(f"[bold red]Stopped:[/] {escape(str(out))} does not end in .xlsx: the template is an Excel "
                          f"workbook; choose a name like {escape(out.with_suffix('.xlsx').name)} (nothing was "
                          "written).", markup=True,
                          soft_wrap=True)
        sys.exit(1)
    if out.exists():
        err_console.print(f"[bold red]Stopped:[/] {escape(str(out))} already exists; choose a new file name "
                          "(nothing was written).", markup=True, soft_wrap=True)
        sys.exit(1)
    write_template_workbook(out)
    console.print(f"Template written to [bold]{escape(str(out))}[/]", markup=True, soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``otc-xl`` command line: the same jobs as the Excel buttons, on .xlsx files.

Exit codes: 0 done; 1 the input has errors (all of them are listed); 2 wrong usage;
3 an internal error (please report it; ``--debug`` shows the traceback).

This module holds the command group, the shared options and the one path every book command
takes (read, run the jobs, write); the commands live by capability in ``reports``,
``collections``, ``accounts`` and ``tools``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import cast

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from .. import __version__
from ..booking import Request
from ..io.evidence import evidence_beside, letters_root
from ..io.files import inside, write_files
from ..io.formats.customer_statement import read_their_account
from ..io.locking import refuse_output_over_input, writing
from ..io.xlsx.reader import XlsxSource
from ..io.xlsx.report_splice import replace_report_sheets
from ..io.xlsx.report_writer import write_new_workbook
from ..io.xlsx.writer import messages_report
from ..ledger import Ledger, load_ledger
from ..model.problems import Problem, ValidationError
from ..model.values import parse_date
from ..workflows import COMMANDS, Command, JobResult, TheirAccount
from ..workflows.commands import BookNotUpdated, perform

# markup=False: what is printed is the user's text (cell values, file names, messages) as it is, never the
# console's style markup (``[check]`` was eaten, ``[/]`` crashed); a styled line passes markup=True and
# escapes what it quotes.
console = Console(stderr=False, highlight=False, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)
DEMO_BOOK = Path("workbooks") / "otc_demo.xlsx"


def _as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


AS_OF = click.option("--as-of", callback=_as_of, metavar="DATE",
                     help="Reporting date (31/12/2026 or 2026-12-31); default: Config sheet, else today.")
CONFIG = click.option("--config", "toml", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                      help="TOML file with settings (overrides the Config sheet).")
DEBUG = click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of internal errors.")
NO_BACKUP = click.option("--no-backup", "no_backup", is_flag=True,
                         help="When writing into BOOK itself, do not keep the previous file as BOOK.bak.xlsx.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="otc-xl")
def main() -> None:
    """Order-to-Cash toolkit for Excel workbooks: cash application, AR reports, collections,
    accounts and billing.

    Input workbooks hold tables (sheets or Excel Tables) named Invoices, Payments, Customers,
    Orders, OrderLines and Config; headers may be in English, Spanish, Italian, French or German.

    What is written where: the report commands (run, match, ageing, unapplied, unbilled, kpis)
    write a new workbook and leave BOOK as it is unless --in-place is given; the collections,
    accounts and billing commands write their sheets into BOOK itself (--out writes a copy
    instead); import-bank and plan --into append rows to BOOK's Payments and PaymentPlans. Only
    otc_xl's own sheets are replaced: your sheets and cells are never changed. An output that is
    one of the inputs is refused, and a workbook being written is locked (a second command waits
    up to OTC_XL_LOCK_TIMEOUT seconds, default 120).

    Exit codes: 0 done, 1 input errors (all listed), 2 wrong usage, 3 internal error; add --debug
    to any command to see the traceback of an internal error.
    """


def _print_problems(problems: list[Problem], limit: int = 50) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in errors[:limit]:
        err_console.print(f"[bold red]error[/]   {escape(str(p))}", markup=True, soft_wrap=True)
    if len(errors) > limit:
        err_console.print(f"… and {len(errors) - limit} more errors")
    for p in warnings[:10]:
        err_console.print(f"[yellow]warning[/] {escape(str(p))}", markup=True, soft_wrap=True)
    if len(warnings) > 10:
        err_console.print(f"… and {len(warnings) - 10} more warnings (all are listed on the otc_messages sheet)")


def _wait(message: str) -> None:
    err_console.print(f"[yellow]waiting[/] {escape(message)}", markup=True, soft_wrap=True)


def _progress() -> Progress:
    """Steps done of all, elapsed time and time left (shown on a terminal; silent when piped)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=console, transient=True)


def _load(book: Path, require: tuple[str, ...], toml: Path | None, as_of: dt.date | None,
          progress: Progress | None = None) -> Ledger:
    with (contextlib.nullcontext(progress) if progress else _progress()) as bar:
        task = bar.add_task(f"Reading {book.name}", total=None)
        ledger = load_ledger(XlsxSource(book), require=require, toml=toml, as_of=as_of)
        bar.remove_task(task)
    if not ledger.ok:
        raise ValidationError(ledger.problems)
    return ledger


class _Steps:
    """Advances one progress task through a known number of named steps."""

    def __init__(self, bar: Progress, total: int, verb: str):
        self.bar, self.verb, self.done = bar, verb, 0
        self.task = bar.add_task(verb, total=total)

    def __call__(self, name: str, *_) -> None:
        self.bar.update(self.task, completed=self.done, description=f"{self.verb} {name}")
        self.done += 1

    def finish(self) -> None:
        self.bar.update(self.task, completed=self.done)
        self.bar.remove_task(self.task)


def _summary_table(title: str, result: JobResult, written: Path | None) -> None:
    console.print(f"[bold]{escape(title)}[/]", markup=True, soft_wrap=True)
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in result.summary:
        table.add_row(label, value)
    console.print(table)
    if written:
        console.print(f"Report written to [bold]{escape(str(written))}[/]", markup=True, soft_wrap=True)


def _execute(book: Path, command: Command, out: Path | None, in_place: bool, toml: Path | None,
             as_of: dt.date | None, files_dir: Path | None = None, customer_ids: list[str] | None = None,
             backup: bool = True, their_file: tuple[str, Path, str] | None = None) -> Path:
    """The one path of every book command: lock, read, book, run the command's jobs, write the
    documents, then the sheets (see ``otc_xl.workflows.commands``)."""
    target = (out or book) if in_place else (out or book.with_name(f"{book.stem}_report.xlsx"))
    if not in_place:
        refuse_output_over_input(target, [book])
    # The lock is held from the read to the rename: a second command writing the same file waits, and
    # then reads what the first one wrote (DunningHistory, ContactLog, Payments …).
    missing = next((p for p in reversed(target.parents) if not p.exists()), None)
    with writing(target, _wait):
        written = _execute_locked(book, target, command, in_place, toml, as_of, files_dir, customer_ids, backup,
                                  their_file)
    if missing is not None:
        console.print(f"The folder [bold]{escape(str(missing))}[/] did not exist: it was created for "
                      f"{escape(target.name)}.", markup=True, soft_wrap=True)
    return written


class _FileSink:
    """The file door's writes: documents into the folder, sheets into BOOK (spliced) or a new workbook."""

    def __init__(self, book: Path, target: Path, in_place: bool, backup: bool, folder: Path, bar: Progress):
        self.book, self.target, self.in_place, self.backup, self.folder, self.bar = \
            book, target, in_place, backup, folder, bar
        self.superseded: list[str] = []

    def write_documents(self, files: dict[str, bytes], books: dict, created: dt.datetime) -> Path:
        self.bar.add_task(f"Writing {len(files) + len(books):,} document(s)", total=None)
        write_files(self.folder, files, self.superseded)
        for name, book_sheets in books.items():
            write_new_workbook(inside(self.folder, name), book_sheets, created=created)
        return self.folder

    def write_sheets(self, sheets: list) -> Path:
        steps = _Steps(self.bar, len(sheets), "Writing sheet")
        if self.in_place:
            written = replace_report_sheets(self.book, sheets, self.target, on_sheet=steps, backup=self.backup)
        else:
            written = write_new_workbook(self.target, sheets, on_sheet=steps)
        steps.finish()
        return written


def _execute_locked(book: Path, target: Path, command: Command, in_place: bool, toml: Path | None,
                    as_of: dt.date | None, files_dir: Path | None, customer_ids: list[str] | None,
                    backup: bool = True, their_file: tuple[str, Path, str] | None = None) -> Path:
    with _progress() as bar:
        ledger = _load(book, command.require, toml, as_of, bar)
        theirs = _their_account(their_file, ledger) if their_file else None
        steps = _Steps(bar, len(command.jobs), "Running")
        evidence = evidence_beside(book, files_dir, payments=command.pays)
        folder = files_dir or letters_root(book) / f"{ledger.config.resolved_as_of():%Y-%m-%d}"
        sink = _FileSink(book, target, in_place, backup, folder, bar)
        try:
            request = Request(customer_ids, theirs, _vies(ledger) if command.asks_register else None)
            done = perform(command, ledger, sink, evidence, request, progress=steps,
                           extra_sheets=lambda _: [messages_report(ledger.problems)] if ledger.problems else [])
        except BookNotUpdated as exc:
            what = ("Their payments will not be put in another file, nor the invoices billed again (the ids are "
                    "read back from that folder); check them before sending." if command.pays else
                    "Running the command again on the same day writes the same documents and records them.")
            err_console.print(f"[bold red]{len(exc.names)} document(s) were written to {escape(str(exc.folder))}, but "
                              f"{escape(target.name)} was not updated.[/] {what}", markup=True, soft_wrap=True)
            raise exc.cause from None
        steps.finish()
    _print_problems([p for p in ledger.problems if p.severity == "warning"])
    written = cast(Path, done.written)  # the file door's sink writes the sheets to this workbook
    _summary_table(f"{book.name} — as of {ledger.config.resolved_as_of():%d/%m/%Y}", done.result, written)
    if done.folder:
        count = len(done.result.files) + len(done.result.books)
        console.print(f"{count:,} document(s) written to [bold]{escape(str(done.folder))}[/]", markup=True,
                      soft_wrap=True)
    return written


def _vies(ledger):
    """VIES, asked with the company's own number as requester (so each answer has a consultation number)."""
    from ..billing.vat_register import vies_key
    from ..io.vies import ViesClient

    cfg = ledger.config
    return ViesClient(requester=vies_key(cfg.company_vat_id, cfg.company_country)).check


def _their_account(their_file: tuple[str, Path, str], ledger) -> TheirAccount:
    """The customer's file, read with the book's settings (decimal separator, date order)."""
    customer, path, currency = their_file
    lines, notes, columns = read_their_account(path, ledger.config.parse_options())
    return TheirAccount(customer, lines, path.name, notes, currency.upper(), "currency" in columns)


def _guard(debug: bool, action) -> None:
    """Run ``action``; turn input problems into exit 1 and anything unexpected into a short message."""
    try:
        action()
    except ValidationError as exc:
        _print_problems(exc.problems)
        err_console.print(f"[bold red]Stopped:[/] {len(exc.problems)} problem(s); nothing was written.",
                          markup=True)
        sys.exit(1)
    except OSError as exc:  # a path that cannot be used (a file where a folder must be, no space, no right)
        if debug:
            raise
        where = exc.filename or "a file or folder"
        reason = escape(str(exc.strerror or exc))
        err_console.print(f"[bold red]Stopped:[/] cannot use {escape(str(where))}: {reason}. Workbooks are "
                          "written last and atomically, so none was changed; documents written before this "
                          "point, if any, stay in their folder.", markup=True, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the CLI must never show a traceback to users
        if debug:
            raise
        err_console.print(f"[bold red]Internal error:[/] {type(exc).__name__}: {escape(str(exc))}. Nothing was "
                          "written. Please report this with the command you ran (add --debug for details).",
                          markup=True)
        sys.exit(3)



def _book_command(name: str, help_text: str, cli_name: str = ""):
    """A report command (``COMMANDS[name]``, called ``cli_name`` if given): a new report workbook, or
    --in-place."""
    spec = COMMANDS[name]

    @main.command(name=cli_name or name, help=help_text)
    @click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Report workbook to write (default: BOOK_report.xlsx next to BOOK).")
    @click.option("--in-place", is_flag=True,
                  help="Write the report sheets into BOOK itself (only otc_xl's own sheets are replaced).")
    @NO_BACKUP
    @AS_OF
    @CONFIG
    @DEBUG
    def command(book: Path, out: Path | None, in_place: bool, no_backup: bool, as_of, toml, debug: bool) -> None:
        _guard(debug, lambda: _execute(book, spec, out, in_place, toml, as_of, backup=not no_backup))

    return command


FILES_DIR = click.option("--files", "files_dir", type=click.Path(file_okay=False, path_type=Path),
                         help="Folder for letters, e-mail drafts and other files written (SEPA, case files) (default: "
                              "BOOK_letters/<as-of date>/ next to BOOK).")
KEEP_BOOK = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                         help="Write BOOK with the new sheets to this file and leave BOOK unchanged "
                              "(default: BOOK itself; only otc_xl's own sheets are replaced).")


def in_book(writes_files: bool = True):
    """The options of a command that updates BOOK itself: --out, --no-backup, --files (when it writes
    documents), --as-of, --config, --debug."""
    def apply(command):
        for option in (DEBUG, CONFIG, AS_OF, *((FILES_DIR,) if writes_files else ()), NO_BACKUP, KEEP_BOOK):
            command = option(command)
        return command
    return apply


def _collections_command(name: str, help_text: str):
    """Commands whose sheets are records the next run reads back (``COMMANDS[name]``): they update BOOK
    itself. Only those that write documents take ``--files``."""
    spec = COMMANDS[name]

    def command(book: Path, out: Path | None, no_backup: bool, as_of, toml, debug: bool,
                files_dir: Path | None = None) -> None:
        _guard(debug, lambda: _execute(book, spec, out, True, toml, as_of, files_dir=files_dir, backup=not no_backup))

    command = in_book(spec.writes_documents)(command)
    command = click.argument("book", type=click.Path(dir_okay=False, path_type=Path))(command)
    return main.command(name=name, help=help_text)(command)

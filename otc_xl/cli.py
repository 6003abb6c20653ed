"""The ``otc-xl`` command line: the same jobs as the Excel buttons, on .xlsx files.

Exit codes: 0 done; 1 the input has errors (all of them are listed); 2 wrong usage;
3 an internal error (please report it; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table

from . import __version__
from .io.xlsx_reader import XlsxSource
from .io.files import write_files
from .io.locking import refuse_output_over_input, same_file, writing
from .io.report_splice import replace_report_sheets
from .io.report_writer import write_new_workbook
from .io.xlsx_writer import messages_report
from .ledger import Ledger, load_ledger
from .model.contracts import CONTRACTS
from .model.problems import Problem, ValidationError, errors_in
from .model.values import parse_date
from .io.sepa import issued_end_to_end_ids
from .io.customer_file import read_their_account
from .workflows import RUN_ALL, JobResult, TheirAccount, run_jobs

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)
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
    """Order-to-Cash toolkit for Excel workbooks: cash application, AR reports and collections.

    Input workbooks hold tables (sheets or Excel Tables) named Invoices, Payments, Customers,
    Orders and Config; headers may be in English, Spanish, Italian, French or German.
    Reports go to a new workbook unless --in-place is given. Input sheets are never changed, an
    output that is the input is refused, and a workbook being written is locked (a second command
    waits up to OTC_XL_LOCK_TIMEOUT seconds, default 120).
    """


def _print_problems(problems: list[Problem], limit: int = 50) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in errors[:limit]:
        err_console.print(f"[bold red]error[/]   {p}", markup=True, soft_wrap=True)
    if len(errors) > limit:
        err_console.print(f"… and {len(errors) - limit} more errors")
    for p in warnings[:10]:
        err_console.print(f"[yellow]warning[/] {p}", markup=True, soft_wrap=True)
    if len(warnings) > 10:
        err_console.print(f"… and {len(warnings) - 10} more warnings (all are listed on the otc_messages sheet)")


def _wait(message: str) -> None:
    err_console.print(f"[yellow]waiting[/] {message}", markup=True, soft_wrap=True)


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
    console.print(f"[bold]{title}[/]", soft_wrap=True)
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in result.summary:
        table.add_row(label, value)
    console.print(table)
    if written:
        console.print(f"Report written to [bold]{written}[/]", soft_wrap=True)


def _execute(book: Path, jobs: list[str], out: Path | None, in_place: bool, toml: Path | None,
             as_of: dt.date | None, require: tuple[str, ...] = ("invoices",), files_dir: Path | None = None,
             customer_ids: list[str] | None = None, backup: bool = True,
             their_file: tuple[str, Path, str] | None = None) -> Path:
    target = (out or book) if in_place else (out or book.with_name(f"{book.stem}_report.xlsx"))
    if not in_place:
        refuse_output_over_input(target, [book])
    # The lock is held from the read to the rename: a second command writing the same file waits, and
    # then reads what the first one wrote (DunningHistory, ContactLog, Payments …).
    with writing(target, _wait):
        return _execute_locked(book, target, jobs, in_place, toml, as_of, require, files_dir, customer_ids, backup,
                               their_file)


def _execute_locked(book: Path, target: Path, jobs: list[str], in_place: bool, toml: Path | None,
                    as_of: dt.date | None, require: tuple[str, ...], files_dir: Path | None,
                    customer_ids: list[str] | None, backup: bool = True,
                    their_file: tuple[str, Path, str] | None = None) -> Path:
    with _progress() as bar:
        ledger = _load(book, require, toml, as_of, bar)
        theirs = _their_account(their_file, ledger) if their_file else None
        steps = _Steps(bar, len(jobs), "Running")
        issued = _issued(book, files_dir) if PAYS.intersection(jobs) else None
        result, run = run_jobs(ledger, jobs, progress=steps, customer_ids=customer_ids, issued=issued,
                               their_account=theirs)
        steps.finish()
        sheets = result.sheets + ([messages_report(ledger.problems)] if ledger.problems else [])
        folder = None
        count = len(result.files) + len(result.books)
        if count:
            folder = files_dir or book.with_name(f"{book.stem}_letters") / f"{run.as_of:%Y-%m-%d}"

        def documents() -> None:
            bar.add_task(f"Writing {count:,} document(s)", total=None)
            write_files(folder, result.files)
            for name, book_sheets in result.books.items():
                write_new_workbook(folder / name, book_sheets)
        pays = bool(PAYS.intersection(jobs)) and count
        if pays:  # a payment file first: a log entry never exists without its file (the folder guards repeats)
            documents()
        steps = _Steps(bar, len(sheets), "Writing sheet")
        try:
            if in_place:
                written = replace_report_sheets(book, sheets, target, on_sheet=steps, backup=backup)
            else:
                written = write_new_workbook(target, sheets, on_sheet=steps)
        except BaseException:
            if pays:
                err_console.print(f"[bold red]The payment file(s) {', '.join(result.files)} were written to {folder}, "
                                  f"but {target.name} was not updated.[/] Their payments will not be put in another "
                                  "file (the ids are read back from that folder); check them before sending.",
                                  markup=True, soft_wrap=True)
            raise
        steps.finish()
        if count and not pays:
            documents()
    _print_problems([p for p in ledger.problems if p.severity == "warning"])
    _summary_table(f"{book.name} — as of {ledger.config.resolved_as_of():%d/%m/%Y}", result, written)
    if folder:
        console.print(f"{count:,} document(s) written to [bold]{folder}[/]", soft_wrap=True)
    return written


def _their_account(their_file: tuple[str, Path, str], ledger) -> TheirAccount:
    """The customer's file, read with the book's settings (decimal separator, date order)."""
    customer, path, currency = their_file
    lines, notes, columns = read_their_account(path, ledger.config.parse_options())
    return TheirAccount(customer, lines, path.name, notes, currency.upper(), "currency" in columns)


PAYS = {"issue_refunds", "issue_debits"}
"""Jobs that write SEPA payment files: the files already issued next to the book are read first."""


def _issued(book: Path, files_dir: Path | None) -> dict[str, str]:
    """End-to-end ids in the SEPA files already written for ``book`` (its letters folder, every date,
    and ``files_dir``): a second guard against paying twice, should the book not have been saved."""
    found = issued_end_to_end_ids(book.with_name(f"{book.stem}_letters"))
    if files_dir:
        found.update(issued_end_to_end_ids(files_dir))
    return found


def _guard(debug: bool, action) -> None:
    """Run ``action``; turn input problems into exit 1 and anything unexpected into a short message."""
    try:
        action()
    except ValidationError as exc:
        _print_problems(exc.problems)
        err_console.print(f"[bold red]Stopped:[/] {len(exc.problems)} problem(s); nothing was written.",
                          markup=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the CLI must never show a traceback to users
        if debug:
            raise
        err_console.print(f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}. Nothing was written. "
                          "Please report this with the command you ran (add --debug for details).", markup=True)
        sys.exit(3)


def _book_command(name: str, jobs: list[str], help_text: str, require: tuple[str, ...] = ("invoices",)):
    @main.command(name=name, help=help_text)
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
        _guard(debug, lambda: _execute(book, jobs, out, in_place, toml, as_of, require, backup=not no_backup))

    return command


_book_command("run", RUN_ALL, """Run every job on BOOK and write the report workbook.

Reads Invoices (required), Payments, Customers, Orders, Sales and Config; validates them (all
problems are listed with sheet, row and column); applies cash (Applications, AliasSuggestions),
then writes Inputs, Ageing, AgeingSummary,
AgeingDetail, PivotData, CreditBalances, Unapplied, Unbilled, KPIs (with reconciliation
controls), Dunning, DunningItems, DunningHistory, Worklist, ContactLog, Disputes, DisputeItems and
WriteOffs, plus otc_messages when there are warnings. Letters and statements are written by the
dunning and statement commands.""")
_book_command("match", ["match", "unapplied"], """Apply the bank's cash to open invoices (cash application).

Reads Payments, Invoices, Customers and Aliases; finds invoice numbers in remittances (any
language, mangled, OCR slips, ranges, RF references), identifies payers by IBAN, alias or fuzzy
name, and fits amounts (exact, fees and discounts within tolerance, partial, over-payment, exact
combinations). Writes Applications (auto and review, with confidence and a one-line why),
Unapplied, and AliasSuggestions. Input sheets are not changed.""", require=("invoices", "payments"))
_book_command("ageing", ["ageing", "kpis"], """Age open items into buckets (Config buckets, ageing_basis).

Writes Ageing (per customer and currency), AgeingSummary (per currency, with a bar chart),
AgeingDetail (per document), PivotData (long format for PivotTables), CreditBalances, and KPIs
with the controls (Σ buckets = Σ open items).""")
_book_command("unapplied", ["match", "unapplied"], """List receipts not (fully) applied, aged since the payment date.

Applies cash first (as `match` does: Applications, AliasSuggestions), then writes Unapplied:
payment, payer, amount, applied, unapplied, days, bucket, reason, remittance.""",
              require=("invoices", "payments"))
_book_command("unbilled", ["unbilled"], """List delivered order lines not (fully) invoiced (unbilled revenue).

Writes Unbilled: billed amount from the Orders billed_amount column, or else summed from
invoices with the same order_id; aged since delivery.""", require=("orders",))
_book_command("kpis", ["kpis"], """Compute DSO, count-back DSO, best possible DSO, ADD, CEI, % current, % over 90.

Credit sales come from the Sales sheet when present (else estimated from the invoices listed);
CEI needs Config opening_ar. Writes KPIs with the reconciliation controls.""")


FILES_DIR = click.option("--files", "files_dir", type=click.Path(file_okay=False, path_type=Path),
                         help="Folder for letters and e-mail drafts (default: BOOK_letters/<as-of date>/ next to BOOK).")
KEEP_BOOK = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                         help="Write BOOK with the new sheets to this file and leave BOOK unchanged "
                              "(default: BOOK itself; only otc_xl's own sheets are replaced).")


def _collections_command(name: str, jobs: list[str], help_text: str, writes_files: bool = False):
    """Commands whose sheets are records the next run reads back: they update BOOK itself.
    Only those that write letters take ``--files``."""
    def command(book: Path, out: Path | None, no_backup: bool, as_of, toml, debug: bool,
                files_dir: Path | None = None) -> None:
        _guard(debug, lambda: _execute(book, jobs, out, True, toml, as_of, files_dir=files_dir, backup=not no_backup))

    for option in (DEBUG, CONFIG, AS_OF, *((FILES_DIR,) if writes_files else ()), NO_BACKUP, KEEP_BOOK,
                   click.argument("book", type=click.Path(dir_okay=False, path_type=Path))):
        command = option(command)
    return main.command(name=name, help=help_text)(command)


_collections_command("dunning", ["dunning", "letters"], """Dunning run: today's notices, letters and e-mail drafts.

Levels, minimums, fees, interest and grace days come from the Config sheet (dunning_*). Writes
Dunning (one row per customer: status, level, items, amounts, fee, interest, next action),
DunningItems (each overdue item, or why it is left out: disputed, dunning block, in grace, being
paid) and DunningHistory into BOOK, so the next run escalates instead of repeating; running twice
on the same date sends nothing twice. One printable HTML letter and one .eml draft per notice,
in the customer's language (es, it, fr, en, de, ro), go to the --files folder; Letters lists them.""",
                      writes_files=True)
_collections_command("worklist", ["worklist"], """Today's collection calls, ranked by priority, with script lines.

Writes Worklist into BOOK: one row per customer with undisputed overdue money (unless a promise to
pay is still open), its score, collector, contact, suggested action and an opening line in the
customer's language, and empty columns outcome / promise_date / promise_amount / note. The next run
files what was typed there in ContactLog and marks each promise kept, open or broken.""")
_collections_command("disputes", ["disputes", "writeoffs"], """Disputes by root cause, and write-off proposals.

Writes Disputes (count, amount, share, age and escalations by reason: pricing, quantity, damaged
goods, duplicate billing, missing PO, tax, delivery…), DisputeItems, and WriteOffs (small
residuals with an approval column that is kept when the sheet is refreshed) into BOOK.""")
_collections_command("credits", ["post_credits"], """Credit balances: allocate credit notes and money on account, and post approved allocations.

First posts every CreditAllocations row approved since the last run (approved = yes, with the
amount still the one approved) to CreditPostings, the audit trail: each allocation is posted once,
and every later run applies it to the open items (credit and invoice by the same amount) until the
ERP export shows it. Then proposes again: each credit, oldest first, goes to the invoice it names
in its reference, then to the customer's oldest open undisputed invoices, then to its group's
(Customers parent_id); same currency only, never more than either side has open after this run's
cash application. Writes CreditAllocations, CreditsLeft (what each credit keeps: refund
candidates) and CreditPostings into BOOK.""")
_collections_command("refunds", ["issue_refunds"], """Refunds: pay back credit balances nothing can be allocated to, in a SEPA file.

A credit still holding money after the allocation proposals, at least Config refund_min_days old
(default 30), is proposed on the Refunds sheet with the IBAN to pay into: typed on the sheet, or
the only valid one on the customer's record (checked with schwifty). Held: a dispute open in the
customer's group, a customer handed over to legal, a currency other than EUR. Approved, ready
refunds go into one pain.001 file (Config sepa_version: pain.001.001.09, or .03 for older banks),
validated against the official XSD before it is written to the --files folder, and into the
RefundLog sheet: a credit in RefundLog is never refunded again, and a refund already in a file in
that folder is never put in another. Customers without bank details get a letter and e-mail
draft in their language asking for them. Needs Config company_name and company_iban.""",
                      writes_files=True)
_collections_command("legal", ["case_files"], """Legal hand-over and insolvency: the legal list and a case file per case.

Hands over to LegalCases every open item of a customer flagged in Customers insolvency (disputed
ones too: an insolvency claim lists them all) and every undisputed item dunned at the last level
and at least Config legal_min_days (default 120) overdue. Items stay there: no dunning notice, no
collection call and no refund while they are; type status returned to send one back to
collections, or uncollectable to propose it on WriteOffs. Writes LegalCases into BOOK and one
case file workbook per open case (the claim, items, statement, dunning letters sent with dates,
contacts and promises broken, disputes) to the --files folder, for the lawyer or the claim.""",
                      writes_files=True)
_collections_command("debits", ["issue_debits"], """Direct debits: collect approved payment-plan instalments by SEPA Core direct debit.

Reads PaymentPlans (one row per instalment, from otc-xl plan --into, with mandate_id,
mandate_date and iban) and DebitLog. Every approved instalment due within Config
debit_lead_days (default 5) and not in DebitLog goes into a pain.008 file per collection date
(Config debit_version: pain.008.001.08, or .02 for older banks), validated against the official
XSD, to the --files folder, and into DebitLog: never collected twice (a debit already in a file
in that folder is not put in another either). FRST for a mandate's first collection, RCUR after.
Instalments without a mandate, its date or a valid IBAN are listed on DirectDebits with the
reason and not collected. Needs Config company_name, company_iban and sepa_creditor_id.""",
                      writes_files=True)


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--customer", "customers", multiple=True, metavar="ID",
              help="Customer to write a statement for (repeat for several; default: every customer).")
@KEEP_BOOK
@NO_BACKUP
@FILES_DIR
@AS_OF
@CONFIG
@DEBUG
def statement(book: Path, customers: tuple[str, ...], out: Path | None, no_backup: bool, files_dir: Path | None,
              as_of, toml, debug: bool) -> None:
    """Statements of account: opening balance, open items with ageing, payments, closing balance.

    Opening balance = open items dated before the first day of the as-of month; payments are the
    customer's receipts in Payments not yet allocated in the ERP (after cash application). Writes the
    Statement sheet into BOOK and one HTML statement and .eml draft per customer and currency, in
    the customer's language, to the --files folder.
    """
    _guard(debug, lambda: _execute(book, ["statements"], out, True, toml, as_of, files_dir=files_dir,
                                   customer_ids=list(customers) or None, backup=not no_backup))


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("customer", type=str)
@click.argument("their_file", metavar="FILE", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--currency", default="", metavar="CCY",
              help="The account to reconcile when the customer has open items in several currencies.")
@KEEP_BOOK
@NO_BACKUP
@FILES_DIR
@AS_OF
@CONFIG
@DEBUG
def reconcile(book: Path, customer: str, their_file: Path, currency: str, out: Path | None, no_backup: bool,
              files_dir: Path | None, as_of, toml, debug: bool) -> None:
    """Reconcile CUSTOMER's account with the statement or vendor ledger they sent (FILE: .xlsx or .csv).

    FILE may be in any of our languages and layouts: document numbers as they recorded them, a
    date, amounts in one signed column or in debit/credit columns (their payables view is
    recognised and turned round). Each of their lines is matched to our open items (document
    numbers found as cash application finds them), their payments to the receipts in Payments,
    and what is left is searched in the unidentified unapplied cash. Writes Reconciliation (agreed,
    amount differences, only ours, only theirs, each with its action) and ReconciliationBalance
    (our balance, theirs, and what explains the difference, to the cent) into BOOK, and a reply
    letter and e-mail draft in the customer's language to the --files folder.
    """
    _guard(debug, lambda: _execute(book, ["reconcile"], out, True, toml, as_of, files_dir=files_dir,
                                   backup=not no_backup, their_file=(customer, their_file, currency)))


@main.command()
@click.argument("balance", type=str)
@click.option("--instalments", "-n", type=click.IntRange(1, 360), required=True, help="Number of instalments.")
@click.option("--first", "first", callback=_as_of, required=True, metavar="DATE", help="Date of the first instalment.")
@click.option("--every-months", type=click.IntRange(1, 12), default=1, show_default=True,
              help="Months between instalments.")
@click.option("--every-days", type=click.IntRange(1, 366), help="Days between instalments (instead of months).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the plan as CSV.")
@click.option("--into", "into", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Add the plan to this workbook's PaymentPlans sheet (needs --customer).")
@click.option("--customer", default="", metavar="ID", help="The customer the plan is agreed with (with --into).")
@click.option("--currency", default="EUR", show_default=True, help="Currency of the plan (with --into).")
@click.option("--mandate", default="", metavar="REF", help="SEPA mandate reference, to collect by direct debit.")
@click.option("--mandate-date", "mandate_date", callback=_as_of, metavar="DATE", help="Date the mandate was signed.")
@click.option("--iban", default="", help="IBAN to debit under the mandate.")
@DEBUG
def plan(balance: str, instalments: int, first, every_months: int, every_days: int | None, csv_out: Path | None,
         into: Path | None, customer: str, currency: str, mandate: str, mandate_date, iban: str, debug: bool) -> None:
    """Payment plan: BALANCE (1.234,56 or 1234.56) in equal instalments that add up exactly.

    Each instalment is the balance divided evenly, rounded down to the cent; the last takes the
    remaining cents.
    """
    from .collecting.plans import payment_plan
    from .io.files import write_csv
    from .model.values import parse_amount

    try:
        frame = payment_plan(float(parse_amount(balance)), instalments, first, every_months, every_days)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="BALANCE") from None
    table = Table("instalment", "due date", "amount", "remaining")
    for r in frame.itertuples():
        table.add_row(str(r.instalment), f"{r.due_date:%d/%m/%Y}", f"{r.amount:,.2f}", f"{r.remaining:,.2f}")
    console.print(table)
    if csv_out:
        write_csv(csv_out, frame)
        console.print(f"Plan written to [bold]{csv_out}[/]", soft_wrap=True)
    if into:
        if not customer:
            raise click.UsageError("--into needs --customer: the customer the plan is agreed with")
        _guard(debug, lambda: _add_plan(into, frame, customer, currency.upper(), mandate, mandate_date, iban, first))


def _add_plan(book: Path, frame, customer: str, currency: str, mandate: str, mandate_date, iban: str, first) -> None:
    """Append the plan's instalments to BOOK's PaymentPlans (a plan id is never used twice)."""
    import pandas as pd

    from .model.records import PAYMENT_PLANS
    from .model.report import ReportSheet
    from .model.tables import parse_table

    with writing(book, _wait):
        raw = XlsxSource(book).raw_table(PAYMENT_PLANS)
        existing = parse_table(PAYMENT_PLANS, raw)[0] if raw is not None else pd.DataFrame()
        plan_id = f"PLAN-{customer}-{first:%Y%m%d}"
        if len(existing) and plan_id in set(existing["plan_id"]):
            raise ValidationError([Problem("PaymentPlans", f"plan {plan_id} is already in {book.name}; nothing was "
                                                           "added (change it there, or choose another first date)")])
        rows = frame.assign(plan_id=plan_id, customer_id=customer, currency=currency, mandate_id=mandate,
                            mandate_date=pd.Timestamp(mandate_date) if mandate_date else pd.NaT, iban=iban,
                            approved="", approved_by="")
        columns = [c.name for c in PAYMENT_PLANS.columns]
        table = pd.concat([existing.reindex(columns=columns), rows.reindex(columns=columns)], ignore_index=True) \
            if len(existing) else rows.reindex(columns=columns)
        sheet = ReportSheet("PaymentPlans", "tblPaymentPlans", table, {"amount": "money", "instalment": "integer"},
                            notes=("Type yes in approved (and your name in approved_by) for each instalment to "
                                   "collect; otc-xl debits collects those with a mandate by direct debit.",))
        replace_report_sheets(book, [sheet], book)
    console.print(f"Plan {plan_id} ({len(rows)} instalments) added to [bold]{book}[/] (PaymentPlans)", soft_wrap=True)


def _import(files: tuple[Path, ...], book: Path, fmt: str | None, advice: tuple[Path, ...],
            toml: Path | None) -> None:
    """Read every file first (any error: nothing is appended), then append the new receipts."""
    for path in (*files, *advice):
        if same_file(path, book):
            raise ValidationError([Problem(path.name, f"{path} is the workbook given with --into; give the bank "
                                                      "statement or advice file instead (nothing was written)")])
    from .config import config_from_sheet, config_from_toml
    from .io.import_log import append_logged
    from .io.bankfiles import apply_advice, parse_bank_file, parse_profile, read_advice

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
    with _progress() as bar:
        steps = _Steps(bar, len(files), "Reading")
        for path in files:
            steps(path.name)
            rows = bar.add_task(f"  rows of {path.name}", total=None)
            frames.append(parse_bank_file(path, fmt, options, profile,
                                          progress=lambda done, total: bar.update(rows, completed=done, total=total)))
            bar.remove_task(rows)
        steps.finish()
    for path, lines in zip(files, frames):
        notes += lines.notes
        table.add_row(path.name, lines.source, f"{len(lines.payments):,}", f"{lines.debits:,}")
    import pandas as pd
    payments = pd.concat([f.payments for f in frames], ignore_index=True) if frames else pd.DataFrame()
    for path in advice:
        payments = apply_advice(payments, read_advice(path, options))
    with writing(book, _wait, must_exist=True), _progress() as bar:  # read again inside the lock, then appended
        bar.add_task(f"Appending {len(payments):,} receipt(s) to {book.name}", total=None)
        result, logged = append_logged(book, payments, lambda result: _log_rows(files, frames, result, notes))
    console.print(table)
    for note in notes:
        console.print(f"note: {note}", soft_wrap=True)
    console.print(f"{result.added:,} new bank line(s) appended to {book.name}!{result.sheet}; "
                  f"{result.already_there:,} already there (not added again).", soft_wrap=True)
    console.print(f"Import log: {logged}.", soft_wrap=True)


def _log_rows(files, frames, result, notes: list[str]):
    """One ImportLog row per file: receipts, new ones, duplicates, debits, totals per currency, notes."""
    import pandas as pd

    from .model.money import money_sum

    stamp = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
    rows = []
    for path, lines in zip(files, frames):
        payments = lines.payments
        added = int(payments["payment_id"].isin(result.added_ids).sum())
        totals = "; ".join(f"{c} {money_sum(g['amount']):,.2f}" for c, g in payments.groupby("currency"))
        mine = "; ".join(n for n in notes if n.startswith(f"{path.name}:"))
        rows.append({"imported_at": stamp, "file": path.name, "format": lines.source, "receipts": len(payments),
                     "added": added, "already_there": len(payments) - added, "debits_skipped": lines.debits,
                     "totals": totals, "notes": mine})
    return pd.DataFrame(rows, columns=["imported_at", "file", "format", "receipts", "added", "already_there",
                                       "debits_skipped", "totals", "notes"])


@main.command("import-bank")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "book", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook whose Payments table receives the new receipts.")
@click.option("--format", "fmt", type=click.Choice(["camt", "mt940", "csv", "xlsx"]),
              help="Force the format (default: detected from the content).")
@click.option("--advice", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Remittance advice (CSV/XLSX: payment reference, invoice, amount, deduction, reason).")
@CONFIG
@DEBUG
def import_bank(files, book: Path, fmt, advice, toml, debug: bool) -> None:
    """Append the receipts of bank FILES (camt.053/054, MT940, CSV/XLSX exports) to BOOK's Payments.

    Only credits are imported; debits are counted and skipped. A line already in Payments (same
    payment_id: the bank's reference, or a stable hash of the line) is not added again, so
    importing the same file twice adds nothing. Every file is read and checked before anything is
    written (MT940 balances must tie, camt amounts and dates must be valid, every receipt must fit
    the Payments contract); a bad file stops the import with a message and BOOK is left as it was.
    The encoding of text files is detected and named. BOOK is locked while it is written: a second
    command waits for it (OTC_XL_LOCK_TIMEOUT seconds, default 120).
    """
    _guard(debug, lambda: _import(tuple(files), book, fmt, tuple(advice), toml))


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
        for name in ("invoices", "payments", "customers", "orders"):
            where = source.locate(CONTRACTS[name])
            console.print(f"{name:<10} {len(getattr(ledger, name)):>8,} rows   {where or '(absent)'}")
        console.print("[green]OK[/]: the workbook can be used.", markup=True)
    _guard(debug, action)


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
    items over to legal (case files) and reconciles a Spanish customer's ledger extract
    (otc_demo_customer_statement.xlsx, with a reply letter); then runs every job and writes
    otc_demo_report.xlsx, and every letter, e-mail draft and file to otc_demo_report_letters/.
    """
    import shutil

    from .demo.accounts import reconciled_customer
    from .demo.workbooks import write_demo_bank_file, write_demo_customer_statement, write_demo_workbook

    def action() -> None:
        work = Path(tempfile.mkdtemp(prefix="otc_demo_"))
        source = book or (DEMO_BOOK if DEMO_BOOK.exists() else None)
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
        files = out.with_name(f"{out.stem}_letters")
        console.print(f"[bold]1. Import the bank statement[/] {statement.name} into a working copy of the demo "
                      f"workbook ({copy}; the shipped file is not changed)", soft_wrap=True)
        _import((statement,), copy, None, (), None)
        ledger = load_ledger(XlsxSource(copy))
        customer = reconciled_customer(ledger.customers, ledger.invoices)
        for title, jobs, extra in (
                ("2. Post the approved credit allocations", ["post_credits"], {}),
                ("3. Pay the approved refund (SEPA credit transfer)", ["issue_refunds"], {}),
                ("4. Collect the due plan instalments (SEPA direct debit)", ["issue_debits"], {}),
                ("5. Hand over to legal, with case files", ["case_files"], {}),
                (f"6. Reconcile customer {customer} with {theirs.name}", ["reconcile"],
                 {"their_file": (customer, theirs, "EUR")})):
            console.print(f"[bold]{title}[/]", soft_wrap=True)
            _execute(copy, jobs, None, True, None, as_of, files_dir=files, backup=False, **extra)
        console.print("[bold]7. Apply cash, run collections and write the reports[/]")
        _execute(copy, [*RUN_ALL, "letters"], out, False, None, as_of, files_dir=files)
    _guard(debug, action)


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
    open); the ribbon is macros/customUI14.xml. Both embed xlwings' own VBA module (standalone,
    no xlwings add-in needed); the add-in also carries the worksheet functions' wrappers.
    """
    from .excel.addin import build_all

    def action() -> None:
        for path in build_all(out_dir, macros_dir):
            console.print(f"built {path} ({path.stat().st_size:,} bytes)", soft_wrap=True)
    _guard(debug, action)


@addin.command("install")
@click.option("--addin", "addin_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="An add-in file to install as it is (default: OTC.xlam built from the installed otc_xl "
                   "and xlwings).")
@click.option("--target", type=click.Path(file_okay=False, path_type=Path),
              help="Install into this folder instead of Excel's start-up folder (XLSTART).")
@DEBUG
def addin_install(addin_path: Path, target: Path | None, debug: bool) -> None:
    """Install OTC.xlam into Excel's start-up folder and register otc_xl with xlwings.

    Works from any directory after `pip install otc_xl`. The add-in is built on the spot from the
    macros installed with otc_xl, with the VBA of the installed xlwings embedded (standalone: the
    xlwings add-in is not needed) and the worksheet functions' wrappers (no Import Functions).
    Windows: %APPDATA%\\Microsoft\\Excel\\XLSTART and ~/.xlwings/xlwings.conf; macOS: Excel's
    Startup folder and ~/Library/Containers/com.microsoft.Excel/Data/xlwings.conf (where xlwings
    reads it there). The config gets UDF MODULES = otc_xl.excel.udfs and this Python as the
    interpreter (INTERPRETER_WIN / INTERPRETER_MAC); other settings are kept.
    """
    from .excel.addin import install

    if target is None and not (sys.platform.startswith("win") or sys.platform == "darwin"):
        raise click.UsageError(f"Excel has no start-up folder on this system ({sys.platform}): add-ins are installed "
                               "on Windows or macOS. Give --target DIR to copy the add-in and its settings there.")

    def action() -> None:
        for line in install(addin_path, target):
            console.print(line, soft_wrap=True)
        console.print("Restart Excel: the OTC tab appears in the ribbon.")
    _guard(debug, action)


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default="otc_template.xlsx")
def template(out: Path) -> None:
    """Write an empty input workbook (tables, Config, data dictionary) to OUT (a new file)."""
    from .demo.workbooks import write_template_workbook
    if out.exists():
        err_console.print(f"[bold red]Stopped:[/] {out} already exists; choose a new file name (nothing was "
                          "written).", markup=True, soft_wrap=True)
        sys.exit(1)
    write_template_workbook(out)
    console.print(f"Template written to [bold]{out}[/]", soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    main()

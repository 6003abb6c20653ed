"""Report commands: run, match, ageing, unapplied, unbilled, kpis, and the team consolidation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..io.locking import refuse_output_over_input, writing
from ..io.xlsx.report_writer import write_new_workbook
from ..model.problems import Problem, ValidationError
from ..workflows.team import team_report
from ..workflows.team_books import read_member, team_workbooks
from .core import AS_OF, DEBUG, _book_command, _guard, _summary_table, _wait, err_console, escape, main

_book_command("run", """Run every job on BOOK and write the report workbook.

Reads Invoices (required), Payments, Customers, Orders, Sales and Config; validates them (all
problems are listed with sheet, row and column); applies cash (Applications, AliasSuggestions),
then writes Inputs, Ageing, AgeingSummary, AgeingDetail, PivotData and Unapplied (each with
native PivotTables), CreditBalances, Unbilled, KPIs (with reconciliation controls), Dunning,
DunningItems, Worklist, ContactLog, Disputes, DisputeItems, Deductions, WriteOffs,
CreditAllocations, CreditsLeft, CreditPostings, LegalCases, DirectDebits, DebitLog, Refunds,
RefundLog, History and HistoryBuckets (today's snapshot; a re-run the same day replaces it),
TrendDSO, TrendOverdue, TrendCEI (line charts), Movements, DailyCash, WeeklyAgeing,
WeeklyPromises and RollForward, plus otc_messages when there are warnings. Nothing is posted,
paid or handed over: letters, statements, SEPA files and case files come from their own
commands.""")
_book_command("match", """Apply the bank's cash to open invoices (cash application).

Reads Payments, Invoices, Customers and Aliases; finds invoice numbers in remittances (any
language, mangled, OCR slips, ranges, RF references), identifies payers by IBAN, alias or fuzzy
name, and fits amounts (exact, fees and discounts within tolerance, partial, over-payment, exact
combinations). Writes Applications (auto and review, with confidence and a one-line why),
Unapplied, and AliasSuggestions. Input sheets are not changed.""")
_book_command("ageing", """Age open items into buckets (Config buckets, ageing_basis).

Writes Ageing (per customer and currency), AgeingSummary (per currency, with a bar chart),
AgeingDetail (per document), PivotData (long format for PivotTables), CreditBalances, and KPIs
with the controls (Σ buckets = Σ open items).""")
_book_command("unapplied", """List receipts not (fully) applied, aged since the payment date.

Applies cash first (as `match` does: Applications, AliasSuggestions), then writes Unapplied:
payment, payer, amount, applied, unapplied, days, bucket, reason, remittance.""")
_book_command("unbilled", """List delivered order lines not (fully) invoiced (unbilled revenue).

Writes Unbilled: billed amount from the Orders billed_amount column, or else summed from
invoices with the same order_id; aged since delivery.""")
_book_command("kpis", """Compute DSO, count-back DSO, best possible DSO, ADD, CEI, % current, % over 90.

Credit sales come from the Sales sheet when present (else estimated from the invoices listed);
CEI needs Config opening_ar. Writes KPIs with the reconciliation controls.""")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Team report to write (default: FOLDER/team_report.xlsx).")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Customers in TopOverdue and TopRisk, per currency.")
@AS_OF
@DEBUG
def team(folder: Path, out: Path | None, top: int, as_of, debug: bool) -> None:
    """Consolidate every associate workbook in FOLDER into one team report.

    Each .xlsx/.xlsm in FOLDER is one associate (named by the file); they are only read, never
    changed. Workbooks of another entity (Config company_name) or home currency than most, or
    repeating invoice numbers of another workbook, are left out with the reason; unreadable ones
    are listed with theirs; the others consolidate. Writes Workbooks, TeamAgeing, TeamPivotData,
    TopOverdue, TopRisk, Workload (calls due, customers overdue, disputes open and their age) and
    TeamControls (team totals = the sum of the associates' totals, to the cent).
    """
    def action() -> None:
        target = out or folder / "team_report.xlsx"
        day = as_of or dt.date.today()
        books = team_workbooks(folder)
        if not books:
            raise ValidationError([Problem(str(folder), "no .xlsx or .xlsm workbooks in this folder")])
        refuse_output_over_input(target, books)
        members = [read_member(path, day) for path in books]
        result = team_report(members, day, top=top)
        with writing(target, _wait):
            written = write_new_workbook(target, result.sheets)
        listing = result.sheets[0].frame
        for row in listing.loc[listing["status"] != "consolidated"].itertuples():
            err_console.print(f"[yellow]{escape(str(row.status))}[/] {escape(str(row.workbook))}: "
                              f"{escape(str(row.reason))}", markup=True, soft_wrap=True)
        _summary_table(f"{folder.name} — team as of {day:%d/%m/%Y}", result, written)
    _guard(debug, action)

"""Collections commands: dunning, worklist, disputes, statement, plan."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import cast

import click
from rich.table import Table

from ..io.locking import refuse_output_over_input, writing
from ..io.xlsx.reader import XlsxSource
from ..io.xlsx.report_splice import replace_report_sheets
from ..model.problems import Problem, ValidationError
from ..workflows import COMMANDS
from .core import DEBUG, _as_of, _collections_command, _execute, _guard, _wait, console, escape, in_book, main

_collections_command("dunning", """Dunning run: today's notices, letters and e-mail drafts.

Levels, minimums, fees, interest and grace days come from the Config sheet (dunning_*). Writes
Dunning (one row per customer: status, level, items, amounts, fee, interest, next action),
DunningItems (each overdue item, or why it is left out: disputed, dunning block, in grace, being
paid) and DunningHistory into BOOK, so the next run escalates instead of repeating; running twice
on the same date sends nothing twice. One printable HTML letter and one .eml draft per notice,
in the customer's language (es, it, fr, en, de, ro), go to the --files folder; Letters lists them.""")
_collections_command("worklist", """Today's collection calls, ranked by priority, with script lines.

Writes Worklist into BOOK: one row per customer with undisputed overdue money (unless a promise to
pay is still open), its score, collector, contact, suggested action and an opening line in the
customer's language, and empty columns outcome / promise_date / promise_amount / note. The next run
files what was typed there in ContactLog and marks each promise kept, open or broken.""")
_collections_command("disputes", """Disputes by root cause, deductions, and write-off proposals.

Writes Disputes (count, amount, share, age and escalations by reason: pricing, quantity, damaged
goods, duplicate billing, missing PO, tax, delivery, freight, promotion, returns, penalty…),
DisputeItems, Deductions (what customers deducted from invoices, found by cash application: the
amount stays open on the invoice, disputed, until you set its status; kept when the sheet is
refreshed) and WriteOffs (small residuals with an approval column that is kept when the sheet is
refreshed) into BOOK.""")
@main.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--customer", "customers", multiple=True, metavar="ID",
              help="Customer to write a statement for (repeat for several; default: every customer).")
@in_book()
def statement(book: Path, customers: tuple[str, ...], out: Path | None, no_backup: bool, files_dir: Path | None,
              as_of, toml, debug: bool) -> None:
    """Statements of account: opening balance, open items with ageing, payments, closing balance.

    Opening balance = open items dated before the first day of the as-of month; payments are the
    customer's receipts in Payments not yet allocated in the ERP (after cash application). Writes the
    Statement sheet into BOOK and one HTML statement and .eml draft per customer and currency, in
    the customer's language, to the --files folder.
    """
    _guard(debug, lambda: _execute(book, COMMANDS["statement"], out, True, toml, as_of, files_dir=files_dir,
                                   customer_ids=list(customers) or None, backup=not no_backup))


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
    from ..collecting.plans import payment_plan
    from ..io.files import write_csv
    from ..model.values import parse_amount

    if csv_out and csv_out.suffix.lower() != ".csv":
        raise click.BadParameter(f"{csv_out} does not end in .csv: the plan is written as CSV text (a workbook of "
                                 "that name would be replaced); choose a name ending in .csv", param_hint="--csv")
    try:
        frame = payment_plan(float(parse_amount(balance)), instalments, first, every_months, every_days)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="BALANCE") from None
    from ..model.values import infer_decimal_separator

    comma = infer_decimal_separator([balance]) == ","  # 3.050,00 in → 1.016,66 out, as the user writes amounts

    def shown(x: float) -> str:
        text = f"{x:,.2f}"
        return text.translate(str.maketrans(",.", ".,")) if comma else text
    table = Table("instalment", "due date", "amount", "remaining")
    for r in frame.itertuples():
        table.add_row(str(r.instalment), f"{r.due_date:%d/%m/%Y}", shown(cast(float, r.amount)),
                      shown(cast(float, r.remaining)))
    console.print(table)
    if csv_out:
        if into:
            _guard(debug, lambda: refuse_output_over_input(csv_out, [into], "--csv", "the workbook of --into",
                                                            hint=" ending in .csv"))
        money = {c: [str(Decimal(f"{v:.2f}")) for v in frame[c]] for c in ("amount", "remaining")}
        write_csv(csv_out, frame.assign(**money))  # 0.00, 1250.50: cents written as such, not 0.0
        console.print(f"Plan written to [bold]{escape(str(csv_out))}[/]", markup=True, soft_wrap=True)
    if into:
        if not customer:
            raise click.UsageError("--into needs --customer: the customer the plan is agreed with")
        _guard(debug, lambda: _add_plan(into, frame, customer, currency.upper(), mandate, mandate_date, iban, first))


def _customer_ids(source: XlsxSource) -> set[str]:
    """The customer ids of the book's Customers and Invoices tables (as read, without validating the rest)."""
    from ..model.contracts import CONTRACTS
    from ..model.tables import parse_table

    ids: set[str] = set()
    for name in ("customers", "invoices"):
        raw = source.raw_table(CONTRACTS[name])
        if raw is not None:
            ids |= set(parse_table(CONTRACTS[name], raw)[0]["customer_id"])
    return ids - {""}


def _add_plan(book: Path, frame, customer: str, currency: str, mandate: str, mandate_date, iban: str, first) -> None:
    """Append the plan's instalments to BOOK's PaymentPlans (a plan id is never used twice)."""
    import pandas as pd

    from ..model.records import PAYMENT_PLANS
    from ..model.report import ReportSheet
    from ..model.tables import parse_table

    with writing(book, _wait):
        source = XlsxSource(book)
        known = _customer_ids(source)
        if customer not in known:
            near = sorted(k for k in known if k.casefold() == customer.casefold())
            raise ValidationError([Problem(book.name, f"--customer {customer} is not in {book.name}'s Customers or "
                                                      "Invoices; nothing was added"
                                           + (f" (did you mean {', '.join(near)}?)" if near else ""))])
        raw = source.raw_table(PAYMENT_PLANS)
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
    console.print(f"Plan {escape(str(plan_id))} ({len(rows)} instalments) added to [bold]{escape(str(book))}[/] "
                  "(PaymentPlans)", markup=True, soft_wrap=True)

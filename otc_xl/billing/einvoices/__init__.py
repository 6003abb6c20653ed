"""E-invoices: one module per format, one function for all (:func:`einvoice_xml`); the list of
formats, and which function builds each, is :data:`otc_xl.billing.formats.FORMATS`.

- ``facturx`` and ``ubl`` (:mod:`.en16931`): EN 16931 business terms turned into CII (Factur-X) or
  UBL 2.1 (Peppol BIS Billing 3.0) XML by the **factur-x** library, which checks its XSDs.
- ``fatturapa`` (:mod:`.fatturapa`): FatturaPA 1.2 (FPR12) built with **a38**'s model of the format,
  which checks the SDI rules it knows before anything is written.
- ``facturae`` (:mod:`.facturae`): Facturae 3.2.2 built with the **facturae** library; signed
  XAdES-EPES (:mod:`.xades`) at posting when Config ``facturae_certificate`` names the company's
  certificate, else unsigned.

Each takes the same draft, lines and VAT totals the PDF prints, so the figures are the same in
every copy of an invoice. Libraries are imported on use. :mod:`.check` runs the official rule sets
of each format on a written document (``otc-xl invoice --check`` and the tests).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from ...model.billing import InvoiceDoc, Line, VatTotal
from ...model.company import Company


def peppol_endpoint(seller: Company) -> tuple[str, str]:
    """(scheme, id) of our Peppol endpoint: the VAT number under its country's scheme."""
    return VAT_SCHEMES.get(seller.vat_id[:2].upper(), "9920"), seller.vat_id


def amount(value: float) -> Decimal:
    """A money figure as every format prints it: two decimals, without sign (the document's type,
    invoice or credit note, says which way it goes)."""
    return Decimal(f"{abs(value):.2f}")


def day(value) -> dt.date:
    """A date from a Timestamp or a date."""
    return value.date() if hasattr(value, "date") else value


def delivery_dates(lines: list[Line], doc: InvoiceDoc) -> tuple[dt.date, dt.date]:
    """(first, last) date of supply of an invoice's lines; the invoice date when none has a date."""
    dates = sorted(day(x.delivery_date) for x in lines if x.delivery_date is not None
                   and x.delivery_date == x.delivery_date)
    issued = day(doc.invoice_date)
    return (dates[0], dates[-1]) if dates else (issued, issued)


def order_references(lines: list[Line], doc: InvoiceDoc) -> list[str]:
    """The customer's purchase orders an invoice bills, in line order (each once)."""
    found = [str(x.customer_reference or "").strip() for x in lines]
    found = list(dict.fromkeys(r for r in found if r))
    if not found and doc.customer_reference:
        found = [r.strip() for r in str(doc.customer_reference).split(",") if r.strip()]
    return found


def quiet_logs() -> None:
    """factur-x logs every step at INFO on its own logger, fpdf2 a font's missing glyphs as a warning;
    users see our summary instead (which names the invoice and the characters)."""
    logging.getLogger("factur-x").setLevel(logging.WARNING)
    logging.getLogger("fpdf.output").setLevel(logging.ERROR)  # missing glyphs: said in the summary instead


def einvoice_xml(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company) -> bytes:
    """The e-invoice XML of ``doc`` in its ``format`` (facturx, ubl, fatturapa or facturae)."""
    from ..formats import BY_NAME

    fmt = BY_NAME.get(doc.format)
    if fmt is None or fmt.build is None:
        raise ValueError(f"{doc.format!r} is not an e-invoice format")
    return fmt.build(doc, lines, totals, customer, seller)


VAT_SCHEMES = {"ES": "9920", "IT": "0211", "FR": "9957", "DE": "9930", "BE": "9925", "NL": "9944", "AT": "9914",
               "PT": "9946", "RO": "9947", "IE": "9935", "LU": "9938", "PL": "9945", "SE": "9955", "DK": "0198"}
"""Peppol electronic-address schemes of each country's VAT number (the seller's endpoint when none is set)."""

"""One list of the documents an invoice goes out as: routing, preparation, posting and the e-mail read it.

Each :class:`InvoiceFormat` names its format (the Customers ``einvoice_format`` value, BillingLog
``format``), says who gets it by default (``countries``, or customers with an ``endpoint`` column),
which Customers columns it cannot do without (``needs``, and ``check`` for what a column must look
like), and how its file is made: ``build`` (the XML, from the module of :mod:`otc_xl.billing.einvoices`
that writes it), ``embed`` (carried inside the PDF, as Factur-X) or a file of its own named
``<invoice><suffix>`` or by ``file_name``. A customer with a Leitweg-ID (a German public buyer) gets
XRechnung: its entry comes before UBL's, whose ``peppol_id`` such a buyer may also have. A new format
is one more entry, not another branch; its module is imported on first use, so preparing drafts never
loads an e-invoice library.

Pure: no I/O, no import of a format library.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

PEPPOL_ID = re.compile(r"^\d{4}:[A-Za-z0-9.\-_]+$")
SDI_CODE = re.compile(r"^[A-Za-z0-9]{7}$")
PA_OFFICE = re.compile(r"^[A-Za-z0-9]{6}$")
"""A 6-character SDI code is a public administration's office code (Codice Univoco Ufficio, IPA): those
invoices are FatturaPA FPA12, which otc_xl does not write (see :func:`_fatturapa_customer`)."""

Needs = tuple[tuple[str, str], ...]
Check = Callable[[dict, dict, str], list[tuple[str, str]]]
"""(customer record, its values with ``country`` resolved, currency) → (column, what is expected) lacking."""


@dataclass(frozen=True)
class InvoiceFormat:
    name: str
    """The ``einvoice_format`` value and BillingLog ``format``."""
    label: str
    """What the e-mail draft calls the e-invoice attached ("" for none)."""
    needs: Needs = ()
    """Customer columns the format cannot do without, with what is expected there."""
    check: Check | None = None
    """Further rules on the customer's record (a column's form, the currency, the country)."""
    build: Callable[..., bytes] | None = None
    """(doc, lines, totals, customer, seller) → the e-invoice XML; None: a plain PDF."""
    embed: Callable[..., bytes] | None = None
    """(pdf, xml, seller, invoice_id) → the PDF carrying its XML (PDF/A-3); None: the XML is a file beside it."""
    suffix: str = ".xml"
    """The XML file beside the PDF: ``<invoice><suffix>``."""
    file_name: Callable[[str, str], str] | None = None
    """(seller VAT id, invoice id) → the XML's file name, when the receiver prescribes one."""
    text_notes: Callable[..., list[str]] | None = None
    """(doc, lines, customer) → what the format could not carry as typed, for the posting summary."""
    unsigned: bool = False
    """Written without the signature the receiver requires: the summary and the e-mail subject say so."""
    aliases: tuple[str, ...] = ()
    """Other names customers type for it in ``einvoice_format``."""
    countries: tuple[str, ...] = ()
    """Buyer countries that get it when ``einvoice_format`` is empty."""
    endpoint: str = ""
    """A Customers column whose value (e.g. a Peppol id) makes it the format when no country rule applies."""


def _lazy(module: str, function: str) -> Callable:
    """``otc_xl.billing.einvoices.<module>.<function>``, the module imported on first call."""
    return lambda *args: getattr(import_module(f"{__package__}.einvoices.{module}"), function)(*args)


def _ubl_customer(customer: dict, values: dict, currency: str) -> list[tuple[str, str]]:
    if values.get("peppol_id") and not PEPPOL_ID.match(str(values["peppol_id"]).strip()):
        return [("peppol_id", f"scheme:id such as 0088:5790000436101, found {values['peppol_id']!r}")]
    return []


def _xrechnung_customer(customer: dict, values: dict, currency: str) -> list[tuple[str, str]]:
    from .germany import leitweg_problem

    wrong = leitweg_problem(customer.get("leitweg_id")) if str(customer.get("leitweg_id") or "").strip() else None
    return [("leitweg_id", wrong)] if wrong else []


def _facturae_customer(customer: dict, values: dict, currency: str) -> list[tuple[str, str]]:
    out = []
    if currency != "EUR":
        out.append(("einvoice_format", f"another format for {currency} invoices: Facturae in a currency other than "
                                       "EUR needs exchange-rate details otc_xl does not write"))
    if values["country"] not in ("", "ES"):
        out.append(("country", f"ES: Facturae is written between Spanish parties, found {values['country']!r}"))
    return out


def _fatturapa_customer(customer: dict, values: dict, currency: str) -> list[tuple[str, str]]:
    sdi, pec = str(customer.get("sdi_code") or "").strip(), str(customer.get("pec") or "").strip()
    if not sdi and not pec:
        return [("sdi_code", "the SDI code (codice destinatario) or a PEC address")]
    if sdi and PA_OFFICE.match(sdi):
        return [("sdi_code", f"a private company's 7-character code, found the public-administration office "
                             f"code {sdi!r}: invoices to the Italian public administration are FatturaPA FPA12 "
                             "(CIG/CUP, split payment, the seller's qualified signature), which otc_xl does not "
                             "write; issue this invoice through your signing channel")]
    if sdi and not SDI_CODE.match(sdi):
        return [("sdi_code", f"7 letters or digits, found {sdi!r}")]
    return []


FORMATS: tuple[InvoiceFormat, ...] = (
    InvoiceFormat("facturx", "Factur-X", (("country", "a country code (BT-55)"),),
                  build=_lazy("en16931", "facturx_xml"), embed=_lazy("en16931", "embed_facturx"),
                  aliases=("zugferd",)),
    InvoiceFormat("xrechnung", "XRechnung 3.0 (UBL)",
                  (("leitweg_id", "the buyer's Leitweg-ID (BT-10, BR-DE-15), e.g. 04011000-1234512345-06"),
                   ("city", "the buyer's city (BT-52, BR-DE-8)"),
                   ("postal_code", "the buyer's post code (BT-53, BR-DE-9)"),
                   ("country", "a country code (BT-55)")),
                  _xrechnung_customer, build=_lazy("xrechnung", "xrechnung_xml"), aliases=("xrechnungubl", "xr"),
                  endpoint="leitweg_id"),
    InvoiceFormat("ubl", "UBL Peppol BIS Billing 3.0",
                  (("country", "a country code (BT-55)"), ("peppol_id", "a Peppol id scheme:id (BT-49)")),
                  _ubl_customer, build=_lazy("en16931", "ubl_xml"), aliases=("peppol", "ublpeppol"),
                  endpoint="peppol_id"),
    InvoiceFormat("fatturapa", "FatturaPA",
                  (("vat_id", "a partita IVA"), ("street", "an address (Indirizzo)"), ("postal_code", "a CAP"),
                   ("city", "a Comune"), ("country", "a country code (Nazione)")),
                  _fatturapa_customer, build=_lazy("fatturapa", "fatturapa_xml"),
                  file_name=_lazy("fatturapa", "file_name"), text_notes=_lazy("fatturapa", "latin1_notes"),
                  aliases=("sdi",), countries=("IT",)),
    InvoiceFormat("facturae", "Facturae 3.2.2",
                  (("vat_id", "a NIF / VAT number"), ("street", "an address"), ("postal_code", "a postal code"),
                   ("city", "a town"), ("province", "a province"), ("country", "a country code")),
                  _facturae_customer, build=_lazy("facturae", "facturae_xml"), unsigned=True, aliases=("face",),
                  countries=("ES",)),
    InvoiceFormat("pdf", ""),
)
"""Every format, in the order messages list them."""
BY_NAME = {f.name: f for f in FORMATS}
DEFAULT = BY_NAME["facturx"]
"""Anyone no rule routes elsewhere: a PDF that carries its EN 16931 XML, for people and machines alike."""
ALIASES = {alias: f.name for f in FORMATS for alias in f.aliases}

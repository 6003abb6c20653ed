"""Which e-invoice a customer gets, and what that format needs of the customer's record.

The choice, first that applies: the customer's ``einvoice_format``; Italy → FatturaPA (through SDI);
Spain → Facturae; a Peppol id → UBL Peppol BIS Billing 3.0; anyone else → Factur-X (a PDF that
carries its EN 16931 XML, readable by people and machines alike). ``pdf`` sends a plain PDF.

Each rule below is a column of Customers the format cannot do without; a customer missing one gets
no invoice (the draft is blocked, naming the cell) rather than an e-invoice the receiver rejects.
"""

from __future__ import annotations

import re

from .identifiers import vat_problem

FORMATS = ("facturx", "ubl", "fatturapa", "facturae", "pdf")
PEPPOL_ID = re.compile(r"^\d{4}:[A-Za-z0-9.\-_]+$")
SDI_CODE = re.compile(r"^[A-Za-z0-9]{7}$")
PA_OFFICE = re.compile(r"^[A-Za-z0-9]{6}$")
"""A 6-character SDI code is a public administration's office code (Codice Univoco Ufficio, IPA): those
invoices are FatturaPA FPA12, which otc_xl does not write (see :func:`missing`)."""

NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "pdf": (),
    "facturx": (("country", "a country code (BT-55)"),),
    "ubl": (("country", "a country code (BT-55)"), ("peppol_id", "a Peppol id scheme:id (BT-49)")),
    "fatturapa": (("vat_id", "a partita IVA"), ("street", "an address (Indirizzo)"),
                  ("postal_code", "a CAP"), ("city", "a Comune"), ("country", "a country code (Nazione)")),
    "facturae": (("vat_id", "a NIF / VAT number"), ("street", "an address"), ("postal_code", "a postal code"),
                 ("city", "a town"), ("province", "a province"), ("country", "a country code")),
}
"""Customer columns each format needs, with what is expected there."""
NEEDS_BUYER_VAT = ("AE", "K")
"""VAT categories whose invoice must carry the buyer's VAT number (EN 16931 BR-AE-02, BR-IC-02)."""


def country_code(customer: dict) -> str:
    """ISO 3166 alpha-2 code of the customer: the country column, else the VAT number's prefix."""
    country = str(customer.get("country") or "").strip().upper()
    if len(country) == 2:
        return "GR" if country == "EL" else country
    vat = str(customer.get("vat_id") or "").strip().upper()
    return vat[:2] if re.match(r"^[A-Z]{2}", vat) else country


def choose_format(customer: dict) -> str:
    chosen = str(customer.get("einvoice_format") or "").strip().lower().replace("-", "").replace(" ", "")
    aliases = {"zugferd": "facturx", "peppol": "ubl", "ublpeppol": "ubl", "sdi": "fatturapa", "face": "facturae"}
    chosen = aliases.get(chosen, chosen)
    if chosen:
        return chosen
    country = country_code(customer)
    if country == "IT":
        return "fatturapa"
    if country == "ES":
        return "facturae"
    if str(customer.get("peppol_id") or "").strip():
        return "ubl"
    return "facturx"


def missing(customer: dict | None, fmt: str, categories: set[str], currency: str = "EUR") -> list[tuple[str, str]]:
    """(column, what is expected) the customer's record lacks for ``fmt``, these VAT categories and
    this currency."""
    if customer is None:
        return [("customer_id", "a customer on the Customers sheet (name and billing address)")]
    out = []
    if fmt not in FORMATS:
        out.append(("einvoice_format", f"one of {', '.join(FORMATS)}, found {customer.get('einvoice_format')!r}"))
        return out
    values = {**customer, "country": country_code(customer)}
    for column, what in NEEDS[fmt]:
        if not str(values.get(column) or "").strip():
            out.append((column, what))
    if fmt == "ubl" and values.get("peppol_id") and not PEPPOL_ID.match(str(values["peppol_id"]).strip()):
        out.append(("peppol_id", f"scheme:id such as 0088:5790000436101, found {values['peppol_id']!r}"))
    if fmt == "facturae" and currency != "EUR":
        out.append(("einvoice_format", f"another format for {currency} invoices: Facturae in a currency other than "
                                       "EUR needs exchange-rate details otc_xl does not write"))
    if fmt == "facturae" and values["country"] not in ("", "ES"):
        out.append(("country", f"ES: Facturae is written between Spanish parties, found {values['country']!r}"))
    if fmt == "fatturapa":
        sdi, pec = str(customer.get("sdi_code") or "").strip(), str(customer.get("pec") or "").strip()
        if not sdi and not pec:
            out.append(("sdi_code", "the SDI code (codice destinatario) or a PEC address"))
        elif sdi and PA_OFFICE.match(sdi):
            out.append(("sdi_code", f"a private company's 7-character code, found the public-administration office "
                                    f"code {sdi!r}: invoices to the Italian public administration are FatturaPA FPA12 "
                                    "(CIG/CUP, split payment, the seller's qualified signature), which otc_xl does not "
                                    "write; issue this invoice through your signing channel"))
        elif sdi and not SDI_CODE.match(sdi):
            out.append(("sdi_code", f"7 letters or digits, found {sdi!r}"))
    wrong = vat_problem(customer.get("vat_id"), values["country"])
    if wrong and all(c != "vat_id" for c, _ in out):
        out.append(("vat_id", wrong))
    needing = sorted(categories & set(NEEDS_BUYER_VAT))
    if needing and not str(customer.get("vat_id") or "").strip() and all(c != "vat_id" for c, _ in out):
        out.append(("vat_id", f"the buyer's VAT number (VAT category {', '.join(needing)})"))
    return out

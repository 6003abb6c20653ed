"""Which e-invoice a customer gets, and what that format needs of the customer's record.

The choice, first that applies: the customer's ``einvoice_format``; Italy → FatturaPA (through SDI);
Spain → Facturae; a Leitweg-ID (a German public buyer) → XRechnung 3.0 (UBL); a Peppol id → UBL
Peppol BIS Billing 3.0; anyone else → Factur-X (a PDF that
carries its EN 16931 XML, readable by people and machines alike). ``pdf`` sends a plain PDF.

What each format needs of the customer's record is said by its entry in :mod:`otc_xl.billing.formats`
(the columns it cannot do without, and what they must look like); a customer missing one gets no
invoice (the draft is blocked, naming the cell) rather than an e-invoice the receiver rejects.
"""

from __future__ import annotations

import re

from .formats import ALIASES, BY_NAME, DEFAULT, FORMATS
from .identifiers import vat_problem

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
    chosen = ALIASES.get(chosen, chosen)
    if chosen:
        return chosen
    country = country_code(customer)
    for fmt in FORMATS:
        if country in fmt.countries:
            return fmt.name
    for fmt in FORMATS:
        if fmt.endpoint and str(customer.get(fmt.endpoint) or "").strip():
            return fmt.name
    return DEFAULT.name


def missing(customer: dict | None, fmt: str, categories: set[str], currency: str = "EUR") -> list[tuple[str, str]]:
    """(column, what is expected) the customer's record lacks for ``fmt``, these VAT categories and
    this currency."""
    if customer is None:
        return [("customer_id", "a customer on the Customers sheet (name and billing address)")]
    out = []
    if fmt not in BY_NAME:
        names = ", ".join(f.name for f in FORMATS)
        out.append(("einvoice_format", f"one of {names}, found {customer.get('einvoice_format')!r}"))
        return out
    values = {**customer, "country": country_code(customer)}
    for column, what in BY_NAME[fmt].needs:
        if not str(values.get(column) or "").strip():
            out.append((column, what))
    check = BY_NAME[fmt].check
    if check is not None:
        out += check(customer, values, currency)
    wrong = vat_problem(customer.get("vat_id"), values["country"])
    if wrong and all(c != "vat_id" for c, _ in out):
        out.append(("vat_id", wrong))
    needing = sorted(categories & set(NEEDS_BUYER_VAT))
    if needing and not str(customer.get("vat_id") or "").strip() and all(c != "vat_id" for c, _ in out):
        out.append(("vat_id", f"the buyer's VAT number (VAT category {', '.join(needing)})"))
    return out

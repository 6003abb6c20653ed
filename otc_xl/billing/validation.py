"""What blocks a draft: a line that cannot be billed, a customer record its e-invoice format cannot do
without, a total beyond any real amount, VAT in a foreign currency without its exchange rate.

Each check adds a :class:`Problem` naming the cell (sheet, row, column, what was expected) and returns
what the draft's status names; a blocked draft takes no number, the other drafts stay ready.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..model.problems import Problem
from ..model.values import MAX_AMOUNT, is_iso_currency, to_cents
from . import france, germany
from .pricing import NO_VAT, VAT_CATEGORIES, blank, dec
from .routing import missing
from .vatrates import rate_problem


def line_problem(r, country: str = "", rates: tuple[Decimal, ...] | None = None) -> tuple[str, str] | None:
    """(column, what it must be) for a line that cannot be billed, else None. ``country`` and
    ``rates``: the seller's country and the VAT rates it may bill (:mod:`otc_xl.billing.vatrates`)."""
    if blank(r.unit_price):
        return "unit_price", "a price of zero or more, found an empty cell"
    if r.unit_price < 0:
        return "unit_price", f"a price of zero or more, found {r.unit_price:g}"
    if not blank(r.discount_pct) and not 0 <= r.discount_pct <= 100:
        return "discount_pct", f"a discount from 0 to 100 %, found {r.discount_pct:g}"
    quantity = r.to_bill if hasattr(r, "to_bill") else r.quantity
    if not blank(quantity) and abs(dec(quantity) * dec(r.unit_price)) >= MAX_AMOUNT:
        return "quantity", (f"a line amount below {MAX_AMOUNT:,.0f}: {quantity:g} × {r.unit_price:g} is beyond any "
                            "real amount")
    stated = getattr(r, "net_amount", float("nan"))
    if not blank(stated) and not blank(r.quantity):
        discount = 0.0 if blank(r.discount_pct) else r.discount_pct
        ours = to_cents(dec(r.quantity) * dec(r.unit_price) * (1 - dec(discount) / 100))
        if abs(ours - round(stated * 100)) > 1:
            return "net_amount", (f"{r.quantity:g} × {r.unit_price:g} less {discount:g} % = {ours / 100:.2f}, "
                                  f"found {stated:.2f}: the line does not tie")
    if r.vat_category not in VAT_CATEGORIES:
        return "vat_category", f"a VAT category ({', '.join(VAT_CATEGORIES)}), found {r.vat_category or 'nothing'!r}"
    if r.vat_category in NO_VAT and not blank(r.vat_rate) and r.vat_rate != 0:
        return "vat_rate", f"0 or empty for category {r.vat_category}, found {r.vat_rate:g}"
    if r.vat_category not in NO_VAT and (blank(r.vat_rate) or not 0 < r.vat_rate < 100):
        return "vat_rate", f"a VAT rate above 0 and below 100 for category {r.vat_category}"
    if r.vat_category not in NO_VAT:
        wrong = rate_problem(dec(r.vat_rate), country, rates)
        if wrong:
            return "vat_rate", wrong
    return None


def _what(kind: str) -> str:
    return "invoice" if kind == "INV" else "credit note"


def line_blockers(part: list, kind: str, currency: str, country: str, rates: tuple[Decimal, ...] | None,
                  repeated: pd.Series, first_row: pd.Series, sheet: str, columns: dict,
                  problems: list[Problem]) -> list[str]:
    """The draft's lines that cannot be billed: a bad line, a currency that is not ISO 4217, an order line
    given twice, a credit for what otc_xl did not bill."""
    blocked = []
    for r in part:
        bad = line_problem(r, country, rates)
        if not bad and not is_iso_currency(currency):
            bad = ("currency", f"an ISO 4217 currency code (EUR, USD, GBP …), found {currency!r}")
        if repeated.get(r.Index, False):  # two rows for one order line: which quantity is billed?
            bad = ("line", f"unique within order {r.order_id}: row {int(first_row[r.Index])} has line {r.line} too")
        if kind == "CRN" and not bad and not r.original_invoice:
            bad = ("billed_quantity", "billed by otc_xl (its BillingLog names the invoice) to be credited here; "
                                      "credit what the ERP billed in the ERP")
        if bad:
            blocked.append(f"{sheet} row {int(r.source_row)} {bad[0]}")
            problems.append(Problem(sheet, f"order {r.order_id} line {r.line}: {bad[0]} must be {bad[1]}; its "
                                           f"{_what(kind)} is not prepared and takes no number", int(r.source_row),
                                    columns.get(bad[0]), severity="warning"))
    return blocked


def customer_blockers(customer: dict | None, customer_id: str, fmt: str, part: list, currency: str, sheet: str,
                      columns: dict, customer_sheet: str, customer_columns: dict,
                      problems: list[Problem]) -> list[str]:
    """What the customer's record lacks for its e-invoice format ``fmt`` (:func:`routing.missing`)."""
    blocked = []
    for column, what in missing(customer, fmt, {r.vat_category for r in part}, currency):
        row = int(customer["source_row"]) if customer else None
        blocked.append(f"{customer_sheet if customer else sheet} {column}")
        problems.append(Problem(customer_sheet if customer else sheet,
                                f"customer {customer_id}: {column} must be {what} for a {fmt} invoice; its "
                                "invoice is not prepared and takes no number",
                                row if customer else int(part[0].source_row),
                                customer_columns.get(column) if customer else columns.get("customer_id"),
                                severity="warning"))
    return blocked


def total_blocker(cents: int, part: list, kind: str, sheet: str, columns: dict,
                  problems: list[Problem]) -> list[str]:
    """A draft whose gross (``cents``) reaches :data:`MAX_AMOUNT`: each line is below it, their sum is not."""
    if abs(cents) < MAX_AMOUNT * 100:
        return []
    first = part[0]
    problems.append(Problem(sheet, f"order {first.order_id}: its {_what(kind)} would total {cents / 100:,.2f}, "
                                   f"beyond any real amount (below {MAX_AMOUNT:,.0f}); it is not prepared and takes "
                                   "no number", int(first.source_row), columns.get("quantity"), severity="warning"))
    return [f"{sheet} rows {', '.join(str(int(r.source_row)) for r in part[:5])}"]


def exchange_rate_blocker(rate: Decimal | None, currency: str, home: str, part: list, kind: str,
                          problems: list[Problem]) -> list[str]:
    """A draft charging VAT in ``currency`` without Config's rate to state it in ``home`` (VAT Directive
    art. 230)."""
    if rate is not None:
        return []
    first = part[0]
    problems.append(Problem("Config", f"vat_exchange_rates must give {currency}={home} rate (e.g. "
                                      f"{currency}=0.9234: {home} per {currency}): the {_what(kind)} of order "
                                      f"{first.order_id} charges VAT in {currency}, and its VAT total must "
                                      f"also be stated in {home} (VAT Directive art. 230); it is not "
                                      "prepared and takes no number", severity="warning"))
    return ["Config vat_exchange_rates"]


FRENCH_FORMATS = ("facturx", "ubl")
"""The formats the BR-FR rules apply to (EN 16931 CII and UBL): a French seller's other documents (a plain
PDF, FatturaPA, Facturae) are not checked against them."""


def french_seller_problems(settings, problems: list[Problem]) -> list[str]:
    """The Config keys a French seller lacks for the BR-FR rules (``settings``: :class:`BillingSettings`),
    each said once in ``problems``; the drafts in :data:`FRENCH_FORMATS` are blocked by them."""
    keys = []
    wrong = france.siren_problem(settings.seller_siren)
    if wrong:
        keys.append(("company_siren", wrong))
    siren = "" if keys else settings.seller_siren  # a wrong SIREN is said once, not again for the address
    wrong = france.address_problem(settings.seller_einvoice_address, "the seller's", siren)
    if wrong:
        keys.append(("company_einvoice_address", wrong))
    if settings.seller_billing_mode not in france.BILLING_MODES:
        keys.append(("fr_billing_mode", f"one of {', '.join(france.BILLING_MODES)} (BT-23, BR-FR-08), found "
                                        f"{settings.seller_billing_mode!r}"))
    for key, what in keys:
        problems.append(Problem("Config", f"{key} must be {what}; no Factur-X or UBL invoice of a French seller is "
                                          "prepared until it is (the French platform rejects it)", severity="warning"))
    return [f"Config {key}" for key, _ in keys]


def french_blockers(seller: list[str], customer: dict | None, customer_id: str, fmt: str, customer_sheet: str,
                    customer_columns: dict, problems: list[Problem]) -> list[str]:
    """What blocks a French seller's Factur-X or UBL draft: the Config keys ``seller`` lacks, and the
    buyer's electronic address (BT-49: Customers einvoice_address, else peppol_id; BR-FR-12)."""
    if fmt not in FRENCH_FORMATS or customer is None:
        return []
    blocked = list(seller)
    if fmt == "facturx":
        wrong = france.address_problem(france.buyer_address(customer), "the buyer's")
        if wrong:
            column = "einvoice_address" if customer.get("einvoice_address") or not customer.get("peppol_id") \
                else "peppol_id"
            blocked.append(f"{customer_sheet} {column}")
            problems.append(Problem(customer_sheet, f"customer {customer_id}: {column} must be {wrong} for a "
                                                    "French seller's Factur-X; its invoice is not prepared and "
                                                    "takes no number", int(customer["source_row"]),
                                    customer_columns.get(column), severity="warning"))
    return blocked


def german_seller_problems(settings, problems: list[Problem]) -> list[str]:
    """The Config keys a seller lacks for an XRechnung (``settings``: :class:`BillingSettings`; the
    BR-DE rules on the seller: contact BT-41/42/43, city and post code, the account paid into, a
    well-formed electronic address), each said once in ``problems``; every XRechnung draft, and every
    Peppol BIS draft of a German seller to a German buyer (Peppol's DE-R rules), is blocked by them."""
    (name, phone, email), (city, postal_code) = settings.seller_contact, settings.seller_address
    keys = germany.seller_problems(name, phone, email, settings.seller_einvoice_address, city, postal_code,
                                   settings.seller_iban)
    for key, what in keys:
        problems.append(Problem("Config", f"{key} must be {what}; no XRechnung, nor Peppol invoice to a German "
                                          "buyer, is prepared until it is (the German rules, BR-DE and Peppol's "
                                          "DE-R, reject it)", severity="warning"))
    return [f"Config {key}" for key, _ in keys]

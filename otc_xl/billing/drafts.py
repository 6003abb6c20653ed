"""Invoice and credit-note drafts from order lines: what was delivered and not yet billed, and what
was billed and then returned or cancelled.

Per order line: billable = delivered − returned; already billed = the BillingLog's quantities + the
ERP's ``billed_quantity``. More billable than billed → an invoice line; less → a credit-note line
referencing the invoice that billed it. One invoice per customer and order (or per customer,
``grouping="customer"``); one credit note per customer and invoice credited.

Each line: net = quantity × unit price × (1 − discount %), rounded half up to the cent; VAT per line
(``rounding="line"``: each line's VAT rounded, the totals are their sums) or per total
(``rounding="total"``: VAT of each rate computed once on that rate's net sum), the two conventions
ERPs use. Totals per VAT rate always tie to the cent, in integer cents (:mod:`.pricing`).

A draft takes no number here for good: :func:`number_drafts` shows the numbers the ready drafts
would take; posting numbers the approved ones only (see :mod:`otc_xl.billing.numbering`). A draft
that cannot be made (a bad line, a customer record the e-invoice format cannot do without) is
``blocked`` with the reason and a problem naming the cell, and takes no number (:mod:`.validation`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import pandas as pd

from ..model.billing import InvoiceDoc, Line, VatTotal
from ..model.problems import Problem
from ..model.records import APPROVAL_COLUMNS
from ..model.values import to_cents
from .identifiers import vat_problem
from .numbering import invoice_number, series_for
from .pricing import Priced, blank, national_currency, price
from .references import rf_reference
from .routing import choose_format, country_code
from .validation import (
    customer_blockers,
    exchange_rate_blocker,
    french_blockers,
    french_seller_problems,
    german_seller_problems,
    line_blockers,
    total_blocker,
)
from .vatrates import allowed_rates

READY = "ready"
DRAFT_COLUMNS = [f.name for f in fields(InvoiceDoc) if f.name not in {c.name for c in APPROVAL_COLUMNS}]
"""InvoiceDrafts as the engine writes it (the approval columns are the user's)."""
LINE_COLUMNS = [f.name for f in fields(Line)]
TOTAL_COLUMNS = [f.name for f in fields(VatTotal)]


@dataclass(frozen=True)
class BillingSettings:
    invoice_date: dt.date
    series: dict[str, str] = field(default_factory=lambda: {"*": "FV"})
    """Invoice series per customer country (``*``: any other); see :func:`numbering.parse_series`."""
    credit_series: dict[str, str] = field(default_factory=lambda: {"*": "AB"})
    grouping: str = "order"
    rounding: str = "line"
    language: str = "en"
    """Language of customers without one."""
    default_terms_days: int = 30
    seller_country: str = ""
    """The seller's country (Config company_country): its VAT rates are the ones a line may carry."""
    vat_rates: tuple[float, ...] = ()
    """Config vat_rates: the rates the seller bills, instead of the known rates of its country."""
    seller_vat_id: str = ""
    """Config company_vat_id: checked (python-stdnum) before any draft is ready."""
    seller_siren: str = ""
    """France: the seller's SIREN (:func:`otc_xl.billing.france.siren_of` of Config company_siren,
    company_registration_id, company_vat_id)."""
    seller_einvoice_address: str = ""
    """France: Config company_einvoice_address (BT-34)."""
    seller_billing_mode: str = "B1"
    """France: Config fr_billing_mode (BT-23)."""
    seller_contact: tuple[str, str, str] = ("", "", "")
    """Config company_contact_name, company_contact_phone, company_contact_email (BT-41/42/43; XRechnung)."""
    seller_address: tuple[str, str] = ("", "")
    """Config company_city, company_postal_code (XRechnung: BR-DE-3, BR-DE-4)."""
    seller_iban: str = ""
    """Config company_iban (XRechnung: the payment instructions BG-16, BR-DE-1)."""
    exchange_rates: dict[str, Decimal] = field(default_factory=dict)
    """Config vat_exchange_rates: units of the seller's national currency per unit of a foreign currency,
    for the VAT total an invoice in that currency must also state in the national currency (BT-6/BT-111)."""


@dataclass
class DraftResult:
    drafts: pd.DataFrame
    lines: pd.DataFrame
    totals: pd.DataFrame
    """Per draft and VAT rate: net, VAT and the exemption mention (what the invoice's VAT breakdown prints)."""
    problems: list[Problem] = field(default_factory=list)


def billed_quantities(log: pd.DataFrame) -> tuple[dict[tuple[str, int], float], dict[tuple[str, int], str]]:
    """From the BillingLog: quantity billed per (order, line), and the last invoice that billed each."""
    qty: dict[tuple[str, int], float] = {}
    last: dict[tuple[str, int], str] = {}
    r: Any
    for r in log.itertuples():
        key = (str(r.order_id), int(r.order_line))
        qty[key] = qty.get(key, 0.0) + float(r.quantity)
        if r.doc_type == "INV":
            last[key] = r.invoice_id
    return qty, last


def _open_lines(order_lines: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """The order lines with something to bill (``to_bill`` > 0) or to credit (< 0), with the invoice
    that billed them (``original_invoice``)."""
    billed, last = billed_quantities(log)
    frame = order_lines.copy()
    delivered = frame["delivered_quantity"].where(frame["delivered_quantity"].notna(),
                                                  frame["quantity"].where(frame["delivery_date"].notna(), 0.0))
    keys = list(zip(frame["order_id"].astype(str), frame["line"].astype(int)))
    ours = pd.Series([billed.get(k, 0.0) for k in keys], index=frame.index)
    frame["to_bill"] = (delivered - frame["returned_quantity"].fillna(0.0) - ours -
                        frame["billed_quantity"].fillna(0.0)).round(6)
    frame["original_invoice"] = [last.get(k, "") for k in keys]
    return frame.loc[frame["to_bill"] != 0]


def prepare_drafts(order_lines: pd.DataFrame, customers: pd.DataFrame, log: pd.DataFrame,
                   settings: BillingSettings, sheet: str = "OrderLines") -> DraftResult:
    """Drafts for ``order_lines`` (canonical OrderLines), ``customers`` (canonical Customers) and
    the BillingLog ``log``. Blocked drafts are kept, with their reason, and take no number.

    Per draft, three phases: what blocks it (:mod:`otc_xl.billing.validation`), its lines and VAT
    totals (:mod:`otc_xl.billing.pricing`; a blocked draft has none), and its header
    (:func:`_header`: dates, terms, totals, series, status)."""
    if settings.rounding not in ("line", "total") or settings.grouping not in ("order", "customer"):
        raise ValueError("rounding is 'line' or 'total'; grouping 'order' or 'customer'")
    columns = order_lines.attrs.get("excel_columns", {})
    problems: list[Problem] = []
    repeated = order_lines.duplicated(["order_id", "line"], keep=False)
    first_row = order_lines.loc[repeated].groupby(["order_id", "line"])["source_row"].transform("min")
    master = {r["customer_id"]: r for r in customers.to_dict("records")} if len(customers) else {}
    customer_columns = customers.attrs.get("excel_columns", {})
    customer_sheet = customers.attrs.get("sheet", "Customers")
    ordered = _grouped(_open_lines(order_lines, log), settings.grouping)
    country = str(settings.seller_country or "").strip().upper()
    rates = allowed_rates(country, settings.vat_rates) if country or settings.vat_rates else None
    originals = _original_dates(log)
    home = national_currency(country, settings.invoice_date)
    seller_wrong = vat_problem(settings.seller_vat_id, country) if settings.seller_vat_id else None
    if seller_wrong:
        problems.append(Problem("Config", f"company_vat_id must be {seller_wrong}; no invoice is prepared until it is "
                                          "right (every e-invoice carries it)", severity="warning"))
    french = french_seller_problems(settings, problems) if country == "FR" else []
    german: list[str] | None = None  # the seller's lacks for XRechnung, said once, when a draft is one
    drafts: list[dict]
    drafts, lines, totals = [], [], []
    # one pass over plain tuples: per-group pandas calls would cost ~1 ms each over 10,000 drafts
    for key, group in itertools.groupby(
            ordered.itertuples(), key=lambda r: (r.doc_kind, r.customer_id, r.currency, r.group_key, r.scope)):
        kind, customer_id, currency = key[:3]
        part = list(group)
        draft = len(drafts) + 1
        customer = master.get(customer_id)
        language = (customer or {}).get("language") or settings.language
        fmt = choose_format(customer or {})
        # 1. validation: the lines, the customer's record for its format
        blocked = ["Config company_vat_id"] if seller_wrong else []
        blocked += line_blockers(part, kind, currency, country, rates, repeated, first_row, sheet, columns, problems)
        blocked += customer_blockers(customer, customer_id, fmt, part, currency, sheet, columns, customer_sheet,
                                     customer_columns, problems)
        if country == "FR":
            blocked += french_blockers(french, customer, customer_id, fmt, customer_sheet, customer_columns, problems)
        if fmt == "xrechnung" or (fmt == "ubl" and country == "DE" and country_code(customer or {}) == "DE"):
            german = german_seller_problems(settings, problems) if german is None else german
            blocked += german
        # 2. pricing, then what only the priced draft can tell: its size, VAT in a foreign currency
        priced = Priced()
        tax_currency, tax_vat = "", float("nan")
        if not blocked:
            priced = price(part, draft, settings.rounding, language, country, country_code(customer or {}))
            blocked += total_blocker(priced.net + priced.vat, part, kind, sheet, columns, problems)
        if not blocked and home and currency != home and priced.vat:  # VAT Directive art. 230: in national currency
            rate = settings.exchange_rates.get(currency)
            blocked += exchange_rate_blocker(rate, currency, home, part, kind, problems)
            if rate is not None:
                tax_currency, tax_vat = home, to_cents(Decimal(priced.vat) / 100 * rate) / 100
        if blocked:
            priced = Priced()
        lines += priced.lines
        totals += priced.totals
        # 3. the header
        drafts.append(_header(draft, key, part, customer or {}, fmt, language, priced, (tax_currency, tax_vat),
                              settings, originals, blocked))
    return DraftResult(pd.DataFrame(drafts, columns=DRAFT_COLUMNS), pd.DataFrame(lines, columns=LINE_COLUMNS),
                       pd.DataFrame(totals, columns=TOTAL_COLUMNS), problems)


def _grouped(todo: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """The open order lines with their draft's key (``doc_kind``, ``customer_id``, ``currency``,
    ``group_key``, ``scope``), in draft order."""
    doc = pd.Series(["INV"] * len(todo), index=todo.index).where(todo["to_bill"] > 0, "CRN")
    group = todo["order_id"].where(doc == "INV", todo["original_invoice"]) \
        if grouping == "order" else pd.Series("", index=todo.index).where(doc == "INV", todo["original_invoice"])
    todo = todo.assign(doc_kind=doc, group_key=group)
    # lines outside the scope of VAT (O) go on an invoice of their own: EN 16931 BR-O-11 forbids any other
    # VAT category beside O, and BR-O-02 the seller's and buyer's VAT numbers on it
    todo = todo.assign(scope=(todo["vat_category"] == "O").map({True: "O", False: ""}))
    keys = ["doc_kind", "customer_id", "currency", "group_key", "scope"]
    return todo.sort_values([*keys, "order_id", "line"], kind="stable")


def _header(draft: int, key: tuple, part: list, customer: dict, fmt: str, language: str, priced: Priced,
            tax: tuple[str, float], settings: BillingSettings, originals: dict[str, pd.Timestamp],
            blocked: list[str]) -> dict:
    """The InvoiceDrafts row of one draft: dates and terms, totals, series, status."""
    kind, customer_id, currency, grouped, scope = key
    date = pd.Timestamp(settings.invoice_date)
    terms: Any = customer.get("payment_terms_days")
    days = settings.default_terms_days if blank(terms) else int(terms)
    pct: Any
    within: Any
    pct, within = customer.get("early_discount_pct"), customer.get("early_discount_days")
    has_discount = kind == "INV" and not blank(pct) and pct > 0 and not blank(within)
    references = sorted({str(r.customer_reference) for r in part if r.customer_reference})
    return {
        "draft": draft,
        "draft_key": "|".join([kind, customer_id, grouped or "", currency, *([scope] if scope else [])]),
        "doc_type": kind,
        "invoice_id": "", "customer_id": customer_id, "customer_name": customer.get("customer_name", ""),
        "order_id": ", ".join(sorted({r.order_id for r in part})), "original_invoice": grouped if kind == "CRN" else "",
        "currency": currency, "invoice_date": date, "due_date": date + pd.Timedelta(days=days),
        "net": priced.net / 100, "vat": priced.vat / 100, "gross": (priced.net + priced.vat) / 100,
        "payment_reference": "", "format": fmt, "language": language,
        "discount_pct": float(pct) if has_discount else float("nan"),
        "discount_until": date + pd.Timedelta(days=int(within)) if has_discount else pd.NaT,
        "customer_reference": ", ".join(references), "lines": len(part),
        "series": series_for(settings.series if kind == "INV" else settings.credit_series,
                             country_code(customer)),
        "original_date": originals.get(grouped, pd.NaT) if kind == "CRN" else pd.NaT,
        "tax_currency": tax[0], "tax_currency_vat": tax[1],
        "status": READY if not blocked else "blocked: " + "; ".join(dict.fromkeys(blocked))}


def _original_dates(log: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Invoice id → its date, from the BillingLog (the period a credit note corrects)."""
    if log is None or log.empty or "invoice_date" not in log:
        return {}
    return {str(i): pd.Timestamp(d) for i, d in zip(log["invoice_id"], log["invoice_date"]) if not blank(d)}


def number_drafts(result: DraftResult, last: dict[str, int], which: pd.Series | None = None) -> dict[str, int]:
    """Give the ready drafts (or those ``which`` selects) their numbers, in draft order, continuing
    gap-free from ``last`` (``{"FV-2026": 1201}``); write them, and the invoices' RF payment
    references, into ``result``; return the last numbers after them."""
    drafts = result.drafts
    chosen = (drafts["status"] == READY) if which is None else (which & (drafts["status"] == READY))
    numbers = dict(last)
    ids: dict[int, str] = {}
    r: Any
    for r in drafts.loc[chosen].itertuples():
        year = pd.Timestamp(r.invoice_date).year
        key = f"{r.series}-{year}"
        numbers[key] = numbers.get(key, 0) + 1
        ids[r.draft] = invoice_number(r.series, year, numbers[key])
    drafts["invoice_id"] = [ids.get(d, "") for d in drafts["draft"]]  # none numbered: still text, not NaN
    drafts["payment_reference"] = [rf_reference(i) if i and kind == "INV" else ""
                                   for i, kind in zip(drafts["invoice_id"], drafts["doc_type"])]
    result.lines["invoice_id"] = [ids.get(d, "") for d in result.lines["draft"]]
    return numbers

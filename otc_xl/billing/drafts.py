"""Invoice and credit-note drafts from order lines: what was delivered and not yet billed, and what
was billed and then returned or cancelled.

Per order line: billable = delivered − returned; already billed = the BillingLog's quantities + the
ERP's ``billed_quantity``. More billable than billed → an invoice line; less → a credit-note line
referencing the invoice that billed it. One invoice per customer and order (or per customer,
``grouping="customer"``); one credit note per customer and invoice credited.

Each line: net = quantity × unit price × (1 − discount %), rounded half up to the cent; VAT per line
(``rounding="line"``: each line's VAT rounded, the totals are their sums) or per total
(``rounding="total"``: VAT of each rate computed once on that rate's net sum), the two conventions
ERPs use. Totals per VAT rate always tie to the cent, in integer cents.

A draft takes no number here for good: :func:`number_drafts` shows the numbers the ready drafts
would take; posting numbers the approved ones only (see :mod:`otc_xl.billing.numbering`). A draft
that cannot be made (a bad line, a customer record the e-invoice format cannot do without) is
``blocked`` with the reason and a problem naming the cell, and takes no number.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..model.problems import Problem
from ..model.values import MAX_AMOUNT, is_iso_currency, to_cents
from .identifiers import vat_problem
from .mentions import VATEX, mention
from .numbering import invoice_number, series_for
from .references import rf_reference
from .routing import choose_format, country_code, missing
from .vatrates import allowed_rates, rate_problem

VAT_CATEGORIES = {"S": "standard", "AA": "reduced", "Z": "zero rated", "E": "exempt", "AE": "reverse charge",
                  "K": "intra-community supply", "G": "export outside the EU", "O": "outside the scope of VAT"}
"""UNCL 5305 VAT category codes. EN 16931 has no AA: a reduced rate is S at its own rate, so AA lines
are billed as S (the VAT breakdown has one row per category and rate)."""
NO_VAT = {"Z", "E", "AE", "K", "G", "O"}
READY = "ready"
DRAFT_COLUMNS = ["draft", "draft_key", "doc_type", "invoice_id", "customer_id", "customer_name", "order_id",
                 "original_invoice", "currency", "invoice_date", "due_date", "net", "vat", "gross",
                 "payment_reference", "format", "language", "discount_pct", "discount_until", "customer_reference",
                 "lines", "series", "original_date", "tax_currency", "tax_currency_vat", "status"]
LINE_COLUMNS = ["draft", "invoice_id", "line", "order_id", "order_line", "item", "description", "quantity", "unit",
                "unit_price", "discount_pct", "net", "vat_category", "vat_rate", "vat", "delivery_date",
                "customer_reference"]
TOTAL_COLUMNS = ["draft", "vat_category", "vat_rate", "net", "vat", "mention", "vatex"]


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


def national_currency(country: str, on: dt.date | None = None) -> str:
    """The legal tender of ``country`` (ISO 3166) on ``on`` (Babel's territory data): the currency VAT is
    accounted in; "" when unknown."""
    from babel.numbers import get_territory_currencies

    if not country:
        return ""
    found = get_territory_currencies(str(country).upper(), start_date=on or dt.date.today(), tender=True)
    return found[0] if found else ""


def _vat(net_cents: int, rate: Decimal) -> int:
    """VAT in cents of a net amount in cents at ``rate`` %, rounded half up (away from zero)."""
    sign = -1 if net_cents < 0 else 1
    return sign * to_cents(Decimal(abs(net_cents)) / 100 * rate / 100)


def _dec(value) -> Decimal:
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def early_discount(doc: dict) -> tuple[float, object] | None:
    """(discount %, last day) of a draft's early-payment discount; None when it has none."""
    pct, until = doc.get("discount_pct"), doc.get("discount_until")
    return None if _blank(pct) or _blank(until) else (float(pct), until)


def billed_quantities(log: pd.DataFrame) -> tuple[dict[tuple[str, int], float], dict[tuple[str, int], str]]:
    """From the BillingLog: quantity billed per (order, line), and the last invoice that billed each."""
    qty: dict[tuple[str, int], float] = {}
    last: dict[tuple[str, int], str] = {}
    for r in log.itertuples():
        key = (str(r.order_id), int(r.order_line))
        qty[key] = qty.get(key, 0.0) + float(r.quantity)
        if r.doc_type == "INV":
            last[key] = r.invoice_id
    return qty, last


def _line_problem(r, country: str = "", rates: tuple[Decimal, ...] | None = None) -> tuple[str, str] | None:
    """(column, what it must be) for a line that cannot be billed, else None. ``country`` and
    ``rates``: the seller's country and the VAT rates it may bill (:mod:`otc_xl.billing.vatrates`)."""
    if _blank(r.unit_price) or r.unit_price < 0:
        return "unit_price", "a price of zero or more"
    if not _blank(r.discount_pct) and not 0 <= r.discount_pct <= 100:
        return "discount_pct", f"a discount from 0 to 100 %, found {r.discount_pct:g}"
    quantity = r.to_bill if hasattr(r, "to_bill") else r.quantity
    if not _blank(quantity) and abs(_dec(quantity) * _dec(r.unit_price)) >= MAX_AMOUNT:
        return "quantity", (f"a line amount below {MAX_AMOUNT:,.0f}: {quantity:g} × {r.unit_price:g} is beyond any "
                            "real amount")
    stated = getattr(r, "net_amount", float("nan"))
    if not _blank(stated) and not _blank(r.quantity):
        discount = 0.0 if _blank(r.discount_pct) else r.discount_pct
        ours = to_cents(_dec(r.quantity) * _dec(r.unit_price) * (1 - _dec(discount) / 100))
        if abs(ours - round(stated * 100)) > 1:
            return "net_amount", (f"{r.quantity:g} × {r.unit_price:g} less {discount:g} % = {ours / 100:.2f}, "
                                  f"found {stated:.2f}: the line does not tie")
    if r.vat_category not in VAT_CATEGORIES:
        return "vat_category", f"a VAT category ({', '.join(VAT_CATEGORIES)}), found {r.vat_category or 'nothing'!r}"
    if r.vat_category in NO_VAT and not _blank(r.vat_rate) and r.vat_rate != 0:
        return "vat_rate", f"0 or empty for category {r.vat_category}, found {r.vat_rate:g}"
    if r.vat_category not in NO_VAT and (_blank(r.vat_rate) or not 0 < r.vat_rate < 100):
        return "vat_rate", f"a VAT rate above 0 and below 100 for category {r.vat_category}"
    if r.vat_category not in NO_VAT:
        wrong = rate_problem(_dec(r.vat_rate), country, rates)
        if wrong:
            return "vat_rate", wrong
    return None


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
    the BillingLog ``log``. Blocked drafts are kept, with their reason, and take no number."""
    if settings.rounding not in ("line", "total") or settings.grouping not in ("order", "customer"):
        raise ValueError("rounding is 'line' or 'total'; grouping 'order' or 'customer'")
    columns = order_lines.attrs.get("excel_columns", {})
    problems: list[Problem] = []
    repeated = order_lines.duplicated(["order_id", "line"], keep=False)
    first_row = order_lines.loc[repeated].groupby(["order_id", "line"])["source_row"].transform("min")
    todo = _open_lines(order_lines, log)
    master = {r["customer_id"]: r for r in customers.to_dict("records")} if len(customers) else {}
    customer_columns = customers.attrs.get("excel_columns", {})
    customer_sheet = customers.attrs.get("sheet", "Customers")
    doc = pd.Series(["INV"] * len(todo), index=todo.index).where(todo["to_bill"] > 0, "CRN")
    group = todo["order_id"].where(doc == "INV", todo["original_invoice"]) \
        if settings.grouping == "order" else pd.Series("", index=todo.index).where(doc == "INV", todo["original_invoice"])
    todo = todo.assign(doc_kind=doc, group_key=group)
    drafts, lines, totals = [], [], []
    # lines outside the scope of VAT (O) go on an invoice of their own: EN 16931 BR-O-11 forbids any other
    # VAT category beside O, and BR-O-02 the seller's and buyer's VAT numbers on it
    todo = todo.assign(scope=(todo["vat_category"] == "O").map({True: "O", False: ""}))
    keys = ["doc_kind", "customer_id", "currency", "group_key", "scope"]
    ordered = todo.sort_values([*keys, "order_id", "line"], kind="stable")
    date = pd.Timestamp(settings.invoice_date)
    country = str(settings.seller_country or "").strip().upper()
    rates = allowed_rates(country, settings.vat_rates) if country or settings.vat_rates else None
    # one pass over plain tuples: per-group pandas calls would cost ~1 ms each over 10,000 drafts
    originals = _original_dates(log)
    home = national_currency(country, settings.invoice_date)
    seller_wrong = vat_problem(settings.seller_vat_id, country) if settings.seller_vat_id else None
    if seller_wrong:
        problems.append(Problem("Config", f"company_vat_id must be {seller_wrong}; no invoice is prepared until it is "
                                          "right (every e-invoice carries it)", severity="warning"))
    for (kind, customer_id, currency, grouped, scope), group in itertools.groupby(
            ordered.itertuples(), key=lambda r: (r.doc_kind, r.customer_id, r.currency, r.group_key, r.scope)):
        part = list(group)
        draft = len(drafts) + 1
        customer = master.get(customer_id)
        language = (customer or {}).get("language") or settings.language
        blocked = ["Config company_vat_id"] if seller_wrong else []
        for r in part:
            bad = _line_problem(r, country, rates)
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
                                               f"{'invoice' if kind == 'INV' else 'credit note'} is not prepared and "
                                               "takes no number", int(r.source_row), columns.get(bad[0]),
                                        severity="warning"))
        fmt = choose_format(customer or {})
        for column, what in missing(customer, fmt, {r.vat_category for r in part}, currency):
            row = int(customer["source_row"]) if customer else None
            blocked.append(f"{customer_sheet if customer else sheet} {column}")
            problems.append(Problem(customer_sheet if customer else sheet,
                                    f"customer {customer_id}: {column} must be {what} for a {fmt} invoice; its "
                                    "invoice is not prepared and takes no number",
                                    row if customer else int(part[0].source_row),
                                    customer_columns.get(column) if customer else columns.get("customer_id"),
                                    severity="warning"))
        by_rate: dict[tuple[str, Decimal], list] = {}
        net_total = vat_total = 0
        for k, r in enumerate(part, start=1):
            if blocked:
                break
            rate = Decimal(0) if r.vat_category in NO_VAT else _dec(r.vat_rate)
            category = "S" if r.vat_category == "AA" else r.vat_category
            discount = 0.0 if _blank(r.discount_pct) else float(r.discount_pct)
            net = to_cents(_dec(r.to_bill) * _dec(r.unit_price) * (1 - _dec(discount) / 100))
            vat = _vat(net, rate) if settings.rounding == "line" else 0
            bucket = by_rate.setdefault((category, rate), [0, 0, "", []])
            bucket[0] += net
            bucket[1] += vat
            bucket[2] = bucket[2] or (r.vat_note or "")
            bucket[3].append(len(lines))
            lines.append({"draft": draft, "invoice_id": "", "line": k, "order_id": r.order_id, "order_line": int(r.line),
                          "item": r.item, "description": r.description or r.item, "quantity": float(r.to_bill),
                          "unit": r.unit or "C62", "unit_price": float(r.unit_price), "discount_pct": discount,
                          "net": net / 100, "vat_category": category, "vat_rate": float(rate), "vat": vat / 100,
                          "delivery_date": r.delivery_date, "customer_reference": r.customer_reference or ""})
        buyer_country = country_code(customer or {})
        for (category, rate), (net, vat, note, members) in sorted(by_rate.items()):
            if settings.rounding == "total":  # once on the rate's net sum
                vat = _vat(net, rate)
            else:
                vat = _fit_line_vat(lines, members, net, vat, rate)
            totals.append({"draft": draft, "vat_category": category, "vat_rate": float(rate), "net": net / 100,
                           "vat": vat / 100, "mention": mention(category, language, note, country, buyer_country),
                           "vatex": VATEX.get(category, "")})
            net_total += net
            vat_total += vat
        if not blocked and abs(net_total + vat_total) >= MAX_AMOUNT * 100:  # each line is below: their sum is not
            first = part[0]
            blocked.append(f"{sheet} rows {', '.join(str(int(r.source_row)) for r in part[:5])}")
            problems.append(Problem(sheet, f"order {first.order_id}: its {'invoice' if kind == 'INV' else 'credit note'}"
                                           f" would total {(net_total + vat_total) / 100:,.2f}, beyond any real "
                                           f"amount (below {MAX_AMOUNT:,.0f}); it is not prepared and takes no "
                                           "number", int(first.source_row), columns.get("quantity"),
                                    severity="warning"))
            lines[:] = [x for x in lines if x["draft"] != draft]
            totals[:] = [x for x in totals if x["draft"] != draft]
            net_total = vat_total = 0
        tax_currency, tax_vat = "", float("nan")
        if not blocked and home and currency != home and vat_total:  # VAT Directive art. 230: VAT in national currency
            rate = settings.exchange_rates.get(currency)
            if rate is None:
                first = part[0]
                blocked.append("Config vat_exchange_rates")
                problems.append(Problem("Config", f"vat_exchange_rates must give {currency}={home} rate (e.g. "
                                                  f"{currency}=0.9234: {home} per {currency}): the "
                                                  f"{'invoice' if kind == 'INV' else 'credit note'} of order "
                                                  f"{first.order_id} charges VAT in {currency}, and its VAT total must "
                                                  f"also be stated in {home} (VAT Directive art. 230); it is not "
                                                  "prepared and takes no number", severity="warning"))
                lines[:] = [x for x in lines if x["draft"] != draft]
                totals[:] = [x for x in totals if x["draft"] != draft]
                net_total = vat_total = 0
            else:
                tax_currency, tax_vat = home, to_cents(Decimal(vat_total) / 100 * rate) / 100
        customer = customer or {}
        terms = customer.get("payment_terms_days")
        days = settings.default_terms_days if _blank(terms) else int(terms)
        pct, within = customer.get("early_discount_pct"), customer.get("early_discount_days")
        has_discount = kind == "INV" and not _blank(pct) and pct > 0 and not _blank(within)
        references = sorted({str(r.customer_reference) for r in part if r.customer_reference})
        drafts.append({
            "draft": draft, "draft_key": "|".join([kind, customer_id, grouped or "", currency, *([scope] if scope else [])]),
            "doc_type": kind,
            "invoice_id": "", "customer_id": customer_id, "customer_name": customer.get("customer_name", ""),
            "order_id": ", ".join(sorted({r.order_id for r in part})), "original_invoice": grouped if kind == "CRN" else "",
            "currency": currency, "invoice_date": date, "due_date": date + pd.Timedelta(days=days),
            "net": net_total / 100, "vat": vat_total / 100, "gross": (net_total + vat_total) / 100,
            "payment_reference": "", "format": fmt, "language": language,
            "discount_pct": float(pct) if has_discount else float("nan"),
            "discount_until": date + pd.Timedelta(days=int(within)) if has_discount else pd.NaT,
            "customer_reference": ", ".join(references), "lines": len(part),
            "series": series_for(settings.series if kind == "INV" else settings.credit_series,
                                 country_code(customer)),
            "original_date": originals.get(grouped, pd.NaT) if kind == "CRN" else pd.NaT,
            "tax_currency": tax_currency, "tax_currency_vat": tax_vat,
            "status": READY if not blocked else "blocked: " + "; ".join(dict.fromkeys(blocked))})
    return DraftResult(pd.DataFrame(drafts, columns=DRAFT_COLUMNS), pd.DataFrame(lines, columns=LINE_COLUMNS),
                       pd.DataFrame(totals, columns=TOTAL_COLUMNS), problems)


def _original_dates(log: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Invoice id → its date, from the BillingLog (the period a credit note corrects)."""
    if log is None or log.empty or "invoice_date" not in log:
        return {}
    return {str(i): pd.Timestamp(d) for i, d in zip(log["invoice_id"], log["invoice_date"]) if not _blank(d)}


def _fit_line_vat(lines: list[dict], members: list[int], net: int, vat: int, rate: Decimal) -> int:
    """Per-line rounding: each line's VAT is rounded on its own, so their sum may stray from the rate's
    VAT on its net sum. EN 16931 (BR-CO-17) and SdI (control 00421) accept one cent either way; beyond
    it, the lines' VAT is brought to the rate's VAT on the sum, moving one cent at a time on the lines
    whose own rounding was the furthest (largest remainder). Returns the rate's VAT in cents."""
    exact = _vat(net, rate)
    if abs(vat - exact) <= 1 or not members:
        return vat
    step = 1 if exact > vat else -1
    remainders = sorted(members, key=lambda i: -step * float(
        Decimal(str(lines[i]["net"])) * rate - Decimal(str(lines[i]["vat"])) * 100))
    for k in range(abs(exact - vat)):
        i = remainders[k % len(remainders)]
        lines[i]["vat"] = round(lines[i]["vat"] + step / 100, 2)
    return exact


def number_drafts(result: DraftResult, last: dict[str, int], which: pd.Series | None = None) -> dict[str, int]:
    """Give the ready drafts (or those ``which`` selects) their numbers, in draft order, continuing
    gap-free from ``last`` (``{"FV-2026": 1201}``); write them, and the invoices' RF payment
    references, into ``result``; return the last numbers after them."""
    drafts = result.drafts
    chosen = (drafts["status"] == READY) if which is None else (which & (drafts["status"] == READY))
    numbers = dict(last)
    ids: dict[int, str] = {}
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

"""Pricing a draft: each line's net and VAT, and the VAT breakdown per category and rate, exact to the cent.

Line net = quantity × unit price × (1 − discount %), rounded half up to the cent (Decimal). VAT per
line (``rounding="line"``: each line's VAT rounded, a rate's VAT is their sum, brought back to the
VAT on the rate's net sum when it strays by more than a cent) or per total (``rounding="total"``:
each rate's VAT computed once on that rate's net sum). Sums are integer cents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..model.values import to_cents
from .mentions import VATEX, mention

VAT_CATEGORIES = {"S": "standard", "AA": "reduced", "Z": "zero rated", "E": "exempt", "AE": "reverse charge",
                  "K": "intra-community supply", "G": "export outside the EU", "O": "outside the scope of VAT"}
"""UNCL 5305 VAT category codes. EN 16931 has no AA: a reduced rate is S at its own rate, so AA lines
are billed as S (the VAT breakdown has one row per category and rate)."""
NO_VAT = {"Z", "E", "AE", "K", "G", "O"}


def dec(value) -> Decimal:
    """A number as the Decimal it was typed as (a float through its shortest repr)."""
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))


def blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def vat_cents(net_cents: int, rate: Decimal) -> int:
    """VAT in cents of a net amount in cents at ``rate`` %, rounded half up (away from zero)."""
    sign = -1 if net_cents < 0 else 1
    return sign * to_cents(Decimal(abs(net_cents)) / 100 * rate / 100)


def national_currency(country: str, on: dt.date | None = None) -> str:
    """The legal tender of ``country`` (ISO 3166) on ``on`` (Babel's territory data): the currency VAT is
    accounted in; "" when unknown."""
    from babel.numbers import get_territory_currencies

    if not country:
        return ""
    found = get_territory_currencies(str(country).upper(), start_date=on or dt.date.today(), tender=True)
    return found[0] if found else ""


@dataclass
class Priced:
    """One draft priced: its lines and VAT totals (rows of InvoiceLines and InvoiceVAT) and its sums in cents."""

    lines: list[dict] = field(default_factory=list)
    totals: list[dict] = field(default_factory=list)
    net: int = 0
    vat: int = 0


def price(part: list, draft: int, rounding: str, language: str, seller_country: str,
          buyer_country: str) -> Priced:
    """The lines and VAT totals of draft number ``draft`` from its order lines ``part`` (tuples of the
    open order lines, ``to_bill`` the quantity), each total with the exemption mention in ``language``."""
    out = Priced()
    by_rate: dict[tuple[str, Decimal], list] = {}
    for k, r in enumerate(part, start=1):
        rate = Decimal(0) if r.vat_category in NO_VAT else dec(r.vat_rate)
        category = "S" if r.vat_category == "AA" else r.vat_category
        discount = 0.0 if blank(r.discount_pct) else float(r.discount_pct)
        net = to_cents(dec(r.to_bill) * dec(r.unit_price) * (1 - dec(discount) / 100))
        vat = vat_cents(net, rate) if rounding == "line" else 0
        bucket = by_rate.setdefault((category, rate), [0, 0, "", []])
        bucket[0] += net
        bucket[1] += vat
        bucket[2] = bucket[2] or (r.vat_note or "")
        bucket[3].append(len(out.lines))
        out.lines.append({"draft": draft, "invoice_id": "", "line": k, "order_id": r.order_id,
                          "order_line": int(r.line), "item": r.item, "description": r.description or r.item,
                          "quantity": float(r.to_bill), "unit": r.unit or "C62", "unit_price": float(r.unit_price),
                          "discount_pct": discount, "net": net / 100, "vat_category": category,
                          "vat_rate": float(rate), "vat": vat / 100, "delivery_date": r.delivery_date,
                          "customer_reference": r.customer_reference or ""})
    for (category, rate), (net, vat, note, members) in sorted(by_rate.items()):
        if rounding == "total":  # once on the rate's net sum
            vat = vat_cents(net, rate)
        else:
            vat = fit_line_vat(out.lines, members, net, vat, rate)
        out.totals.append({"draft": draft, "vat_category": category, "vat_rate": float(rate), "net": net / 100,
                           "vat": vat / 100, "mention": mention(category, language, note, seller_country,
                                                                buyer_country),
                           "vatex": VATEX.get(category, "")})
        out.net += net
        out.vat += vat
    return out


def fit_line_vat(lines: list[dict], members: list[int], net: int, vat: int, rate: Decimal) -> int:
    """Per-line rounding: each line's VAT is rounded on its own, so their sum may stray from the rate's
    VAT on its net sum. EN 16931 (BR-CO-17) and SdI (control 00421) accept one cent either way; beyond
    it, the lines' VAT is brought to the rate's VAT on the sum, moving one cent at a time on the lines
    whose own rounding was the furthest (largest remainder). Returns the rate's VAT in cents."""
    exact = vat_cents(net, rate)
    if abs(vat - exact) <= 1 or not members:
        return vat
    step = 1 if exact > vat else -1
    remainders = sorted(members, key=lambda i: -step * float(
        Decimal(str(lines[i]["net"])) * rate - Decimal(str(lines[i]["vat"])) * 100))
    for k in range(abs(exact - vat)):
        i = remainders[k % len(remainders)]
        lines[i]["vat"] = round(lines[i]["vat"] + step / 100, 2)
    return exact

"""Invoice drafts from delivered, not yet billed order lines.

One draft per customer and order (or per customer, ``group="customer"``), for the delivered
quantity not yet billed. Each line: net = quantity × unit price × (1 − discount %), rounded half
up to the cent; VAT either per line (``rounding="line"``: each line's VAT rounded, the totals are
their sums) or per total (``rounding="total"``: VAT of each rate computed once on that rate's net
sum) — the two conventions ERPs use. Totals per VAT rate always tie to the cent: Σ lines' net =
the rate's net, and gross = net + VAT, in integer cents.

Numbers are gap-free per series and year, continuing from the last number used (``last_numbers``:
``{"FV-2026": 1201}``), and a draft is only a proposal: no number is *consumed* until it is
posted, and a draft that cannot be made (bad input) takes no number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ..model.problems import Problem
from .references import rf_reference

VAT_CATEGORIES = {"S": "standard", "AA": "reduced", "Z": "zero rated", "E": "exempt", "AE": "reverse charge",
                  "K": "intra-community supply", "G": "export outside the EU", "O": "outside the scope of VAT"}
"""UNCL 5305 VAT category codes (as EN 16931 uses them)."""
NO_VAT = {"Z", "E", "AE", "K", "G", "O"}
LINE_COLUMNS = ["draft", "invoice_id", "line", "order_id", "order_line", "item", "quantity", "unit_price",
                "discount_pct", "net", "vat_category", "vat_rate", "vat"]
DRAFT_COLUMNS = ["draft", "invoice_id", "series", "customer_id", "order_id", "currency", "invoice_date", "due_date",
                 "net", "vat", "gross", "payment_reference", "lines"]
TOTAL_COLUMNS = ["draft", "vat_category", "vat_rate", "net", "vat"]


@dataclass
class DraftResult:
    drafts: pd.DataFrame
    lines: pd.DataFrame
    totals: pd.DataFrame
    """Per draft and VAT rate: net and VAT (what the invoice's VAT breakdown prints)."""
    problems: list[Problem] = field(default_factory=list)
    next_numbers: dict[str, int] = field(default_factory=dict)


def _cents(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _vat(net_cents: int, rate: Decimal) -> int:
    """VAT in cents of a net amount in cents at ``rate`` %, rounded half up."""
    return _cents(Decimal(net_cents) / 100 * rate / 100)


def _dec(value) -> Decimal:
    return Decimal(str(value))


def prepare_drafts(order_lines: pd.DataFrame, invoice_date: dt.date, series: str, last_numbers: dict[str, int],
                   terms_days: dict[str, int] | None = None, group: str = "order", rounding: str = "line",
                   sheet: str = "OrderLines", width: int = 5) -> DraftResult:
    """Drafts for ``order_lines`` (``order_id``, ``line``, ``customer_id``, ``item``, ``quantity``
    (delivered), ``billed_quantity``, ``unit_price``, ``discount_pct``, ``vat_category``,
    ``vat_rate`` (%), ``currency``, ``source_row``). Lines with a problem are named (sheet, row,
    column) and left out with their whole draft: no number is given to a draft that cannot be made."""
    if rounding not in ("line", "total"):
        raise ValueError("rounding is 'line' or 'total'")
    problems: list[Problem] = []
    todo = order_lines.assign(open_qty=order_lines["quantity"] - order_lines.get("billed_quantity", 0))
    todo = todo.loc[todo["open_qty"] > 0]
    bad_keys = set()
    key_cols = ["customer_id", "currency"] + (["order_id"] if group == "order" else [])
    for r in todo.itertuples():
        where = int(r.source_row) if hasattr(r, "source_row") else None
        reason = None
        if pd.isna(r.unit_price):
            reason = ("unit_price", "a price")
        elif r.vat_category not in VAT_CATEGORIES:
            reason = ("vat_category", f"a VAT category ({', '.join(VAT_CATEGORIES)}), found {r.vat_category!r}")
        elif r.vat_category in NO_VAT and r.vat_rate not in (0, None) and not pd.isna(r.vat_rate):
            reason = ("vat_rate", f"0 for category {r.vat_category}")
        elif r.vat_category not in NO_VAT and (pd.isna(r.vat_rate) or r.vat_rate <= 0):
            reason = ("vat_rate", f"a VAT rate for category {r.vat_category}")
        if reason:
            problems.append(Problem(sheet, f"order {r.order_id} line {r.line}: {reason[0]} must be {reason[1]}; "
                                           "its invoice is not prepared and takes no number", where))
            bad_keys.add(tuple(getattr(r, k) for k in key_cols))
    year = f"{series}-{invoice_date:%Y}"
    number = int(last_numbers.get(year, 0))
    drafts, lines, totals = [], [], []
    for key, part in todo.groupby(key_cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        if key in bad_keys:
            continue
        number += 1
        invoice_id = f"{year}-{number:0{width}d}"
        draft = len(drafts) + 1
        by_rate: dict[tuple[str, Decimal], list[int]] = {}
        net_total = vat_total = 0
        for k, r in enumerate(part.sort_values(["order_id", "line"], kind="stable").itertuples(), start=1):
            rate = Decimal(0) if r.vat_category in NO_VAT else _dec(r.vat_rate)
            discount = 0 if pd.isna(r.discount_pct) else r.discount_pct
            net = _cents(_dec(r.open_qty) * _dec(r.unit_price) * (1 - _dec(discount) / 100))
            vat = _vat(net, rate) if rounding == "line" else 0
            by_rate.setdefault((r.vat_category, rate), [0, 0])
            by_rate[(r.vat_category, rate)][0] += net
            by_rate[(r.vat_category, rate)][1] += vat
            lines.append({"draft": draft, "invoice_id": invoice_id, "line": k, "order_id": r.order_id,
                          "order_line": r.line, "item": r.item, "quantity": float(r.open_qty),
                          "unit_price": float(r.unit_price), "discount_pct": float(discount),
                          "net": net / 100, "vat_category": r.vat_category, "vat_rate": float(rate),
                          "vat": vat / 100})
        for (category, rate), (net, vat) in sorted(by_rate.items()):
            if rounding == "total":  # once on the rate's net sum
                vat = _vat(net, rate)
            totals.append({"draft": draft, "vat_category": category, "vat_rate": float(rate), "net": net / 100,
                           "vat": vat / 100})
            net_total += net
            vat_total += vat
        customer = key[0]
        days = (terms_days or {}).get(customer, 30)
        drafts.append({"draft": draft, "invoice_id": invoice_id, "series": series, "customer_id": customer,
                       "order_id": key[2] if group == "order" else "", "currency": key[1],
                       "invoice_date": pd.Timestamp(invoice_date),
                       "due_date": pd.Timestamp(invoice_date) + pd.Timedelta(days=int(days)),
                       "net": net_total / 100, "vat": vat_total / 100, "gross": (net_total + vat_total) / 100,
                       "payment_reference": rf_reference(invoice_id), "lines": len(part)})
    return DraftResult(pd.DataFrame(drafts, columns=DRAFT_COLUMNS), pd.DataFrame(lines, columns=LINE_COLUMNS),
                       pd.DataFrame(totals, columns=TOTAL_COLUMNS), problems, {**last_numbers, year: number})

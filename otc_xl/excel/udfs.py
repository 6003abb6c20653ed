"""Excel formulas (UDFs), vectorised: pass a cell or a whole column, get a value or a spilled array.

Desktop Excel (xlwings add-in, ``UDF Modules = otc_xl.excel.udfs``): ``=AGEBUCKET(...)``.
xlwings Lite / Server with the custom-function namespace ``OTC``: ``=OTC.AGEBUCKET(...)``.
Bad input never raises: the cell shows ``#N/A: <why>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pandas as pd
import xlwings as xw

from ..collecting.plans import payment_plan
from ..matching.names import normalise_name
from ..matching.references import ReferenceIndex
from ..model.contracts import INVOICES
from ..model.problems import errors_in
from ..model.tables import RawTable, parse_table
from ..model.values import is_blank, parse_amount, parse_date
from ..reports import ageing as ageing_report
from ..reports.buckets import bucket_labels, bucket_of

DEFAULT_BUCKETS = (30, 60, 90, 120)


def na(reason: str) -> str:
    return f"#N/A: {reason}"


def _grid(value: Any) -> list[list[Any]]:
    if isinstance(value, list):
        return [row if isinstance(row, list) else [row] for row in value] if value and isinstance(value[0], list) \
            else [value]
    return [[value]]


def _cellwise(values: Any, fn: Callable[[Any], Any]) -> list[list[Any]]:
    out = []
    for row in _grid(values):
        line = []
        for value in row:
            if is_blank(value):
                line.append("")
                continue
            try:
                line.append(fn(value))
            except (ValueError, TypeError) as exc:
                line.append(na(str(exc)))
        out.append(line)
    return out


def _buckets(buckets: Any) -> tuple[int, ...]:
    if is_blank(buckets):
        return DEFAULT_BUCKETS
    flat = [b for row in _grid(buckets) for b in row if not is_blank(b)]
    return tuple(int(float(b)) for b in flat)


def _as_of(as_of: Any) -> dt.date:
    return parse_date(as_of if not isinstance(as_of, list) else _grid(as_of)[0][0])


@xw.func
@xw.arg("due_date", ndim=2)
def agebucket(due_date, as_of, buckets=None):
    """Ageing bucket of each due date at AS_OF: Current, 1-30, …, Over 120 (BUCKETS, e.g. {30,60,90})."""
    try:
        bounds, when = _buckets(buckets), _as_of(as_of)
        bucket_labels(bounds)
    except (ValueError, TypeError) as exc:
        return na(str(exc))

    def one(value):
        days = (when - parse_date(value)).days
        return str(bucket_of([days], bounds)[0])
    return _cellwise(due_date, one)


@xw.func
@xw.arg("due_date", ndim=2)
def daysoverdue(due_date, as_of):
    """Days past due of each due date at AS_OF (negative: not yet due)."""
    try:
        when = _as_of(as_of)
    except ValueError as exc:
        return na(str(exc))
    return _cellwise(due_date, lambda value: (when - parse_date(value)).days)


@xw.func
@xw.arg("remittance_text", ndim=2)
@xw.arg("invoice_ids", ndim=2)
def findinvoices(remittance_text, invoice_ids):
    """The invoice numbers (from INVOICE_IDS) named in each remittance text, '; '-separated."""
    ids = [str(v).strip() for row in _grid(invoice_ids) for v in row if not is_blank(v)]
    index = ReferenceIndex(pd.DataFrame({"invoice_id": ids}))

    def one(text):
        hits = index.find(str(text))
        return "; ".join(ids[h.position] for h in hits) or na("no invoice number found")
    return _cellwise(remittance_text, one)


@xw.func
@xw.arg("payer_name", ndim=2)
def matchscore(payer_name, customer_name):
    """Similarity 0-100 of each payer name to CUSTOMER_NAME, after removing bank prefixes and legal forms."""
    from rapidfuzz import fuzz

    target = normalise_name(str(customer_name or ""))
    return _cellwise(payer_name, lambda value: round(fuzz.token_set_ratio(normalise_name(str(value)), target), 1))


@xw.func
@xw.arg("payer_name", ndim=2)
@xw.arg("customer_names", ndim=2)
def bestcustomer(payer_name, customer_names):
    """For each payer name: the closest of CUSTOMER_NAMES and its score (two columns)."""
    from rapidfuzz import fuzz, process

    names = [str(v) for row in _grid(customer_names) for v in row if not is_blank(v)]
    keys = [normalise_name(n) for n in names]
    out = []
    for row in _grid(payer_name):
        for value in row:
            if is_blank(value):
                out.append(["", ""])
                continue
            best = process.extractOne(normalise_name(str(value)), keys, scorer=fuzz.token_set_ratio)
            out.append([names[best[2]], round(best[1], 1)] if best else [na("no customer names given"), ""])
    return out


@xw.func
@xw.arg("invoice_table", ndim=2)
def ageing(invoice_table, as_of, buckets=None):
    """The ageing table (customer × currency × bucket) of an invoice range with headers, at AS_OF."""
    grid = _grid(invoice_table)
    if len(grid) < 2:
        return na("give the invoice range with its header row")
    try:
        frame, problems = parse_table(INVOICES, RawTable("range", grid[0], grid[1:]))
        if errors_in(problems):
            return na(str(errors_in(problems)[0]))
        result = ageing_report(frame, _as_of(as_of), _buckets(buckets))
    except (ValueError, TypeError) as exc:
        return na(str(exc))
    return [list(result.columns)] + result.astype(object).values.tolist()


@xw.func
@xw.arg("text", ndim=2)
def normalize_amount(text, locale=None):
    """The number in each text: 1.234,56 / 1,234.56 / (100.00) / 100- / € 1 234,56. LOCALE es/it/fr/de: comma decimals."""
    separator = {"": "auto", "en": ".", "es": ",", "it": ",", "fr": ",", "de": ",", "ro": ",", "pt": ","}.get(
        str(locale or "").lower()[:2], "auto")
    return _cellwise(text, lambda value: float(parse_amount(value, separator)))


@xw.func
def paymentplan(balance, instalments, first_date, every_months=1):
    """Payment plan: INSTALMENTS dates and amounts from FIRST_DATE, every EVERY_MONTHS months; the
    amounts add up exactly to BALANCE (the last instalment takes the leftover cents)."""
    try:
        plan = payment_plan(float(parse_amount(balance)), int(float(instalments)), _as_of(first_date),
                            int(float(every_months or 1)))
    except (ValueError, TypeError) as exc:
        return na(str(exc))
    rows = [[int(r.instalment), r.due_date.date(), float(r.amount), float(r.remaining)] for r in plan.itertuples()]
    return [["instalment", "due_date", "amount", "remaining"], *rows]


__all__ = ["agebucket", "ageing", "bestcustomer", "daysoverdue", "findinvoices", "matchscore", "normalize_amount",
           "paymentplan"]

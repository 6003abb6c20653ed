"""Excel formulas (UDFs), vectorised: pass a cell or a whole column, get a value or a spilled array.

Desktop Excel for Windows (the OTC add-in carries one VBA wrapper per function): ``=AGEBUCKET(...)``.
xlwings Lite / Server: ``=OTC.AGEBUCKET(...)`` (``__xlwings_func_namespace__`` below).

Results that are more than one cell (a column passed in, AGEING, BESTCUSTOMER, PAYMENTPLAN) spill,
which needs Excel with dynamic arrays (Microsoft 365, Excel 2021 or later); in older Excel the OTC
add-in shows the first value and a note instead.

Bad input never raises. A cell that cannot be read gives ``#VALUE!``, "nothing found" gives
``#N/A``, and an input cell that already shows an Excel error passes that error on (never a
blank): real error values, which ISNA, IFNA and IFERROR see. xlwings Lite and Server turn these
strings into error values themselves; the OTC add-in's wrappers do it on Windows
(``OTC_Result`` in ``macros/OTC_UDFs.vba``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
import xlwings as xw

from ..collecting.plans import payment_plan
from ..config import Config
from ..matching.names import normalise_name
from ..matching.references import ReferenceIndex
from ..model.contracts import INVOICES
from ..model.problems import errors_in
from ..model.tables import RawTable, parse_table
from ..model.values import is_blank, parse_amount, parse_date, parse_text
from ..reports import ageing as ageing_report
from ..reports.buckets import bucket_labels, bucket_of

__xlwings_func_namespace__ = "OTC"
"""xlwings Lite / Server register the functions below as ``OTC.AGEBUCKET`` and so on."""

DEFAULT_BUCKETS = Config.buckets
CATEGORY = "otc_xl"
"""The function wizard's category of every function (desktop Excel)."""

NOT_FOUND = "#N/A"
BAD_VALUE = "#VALUE!"
CELL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"})
"""The error values xlwings reads from cells (``err_to_str``) and writes back as errors."""


def is_error(value: Any) -> bool:
    """An Excel error value as xlwings delivers it with ``err_to_str=True`` (``"#N/A"`` …)."""
    return isinstance(value, str) and value in CELL_ERRORS


def _grid(value: Any) -> list[list[Any]]:
    if isinstance(value, list):
        return [row if isinstance(row, list) else [row] for row in value] if value and isinstance(value[0], list) \
            else [value]
    return [[value]]


def _first(value: Any) -> Any:
    return _grid(value)[0][0] if isinstance(value, list) and value else value


def _cellwise(values: Any, fn: Callable[[Any], Any]) -> list[list[Any]]:
    """``fn`` on each cell: blanks stay blank, error values pass through, unreadable cells give #VALUE!."""
    out = []
    for row in _grid(values):
        line = []
        for value in row:
            if is_error(value):
                line.append(value)
            elif is_blank(value):
                line.append("")
            else:
                try:
                    line.append(fn(value))
                except (ValueError, TypeError, ArithmeticError):
                    line.append(BAD_VALUE)
        out.append(line)
    return out


def _buckets(buckets: Any) -> tuple[int, ...]:
    if is_blank(buckets):
        return DEFAULT_BUCKETS
    flat = [b for row in _grid(buckets) for b in row if not is_blank(b)]
    if any(is_error(b) for b in flat):
        raise ValueError("an error value among the bucket bounds")
    return tuple(int(float(b)) for b in flat)


def _as_of(as_of: Any) -> dt.date:
    return parse_date(_first(as_of))


def _scalar_error(*values: Any) -> str | None:
    """The first error value among scalar arguments (passed on, as Excel does)."""
    return next((v for v in map(_first, values) if is_error(v)), None)


def _values(grid: Any) -> tuple:
    """The cells of a range as one hashable tuple: the cache key of a look-up range's content."""
    return tuple(v for row in _grid(grid) for v in row)


@xw.func(category=CATEGORY)
@xw.arg("due_date", ndim=2, err_to_str=True, doc="Due dates: a cell or a whole column (dates or text dates).")
@xw.arg("as_of", err_to_str=True, doc="The reporting date the age is counted to.")
@xw.arg("buckets", err_to_str=True, doc="Optional upper bounds in days, e.g. {30,60,90} (default 30,60,90,120).")
def agebucket(due_date, as_of, buckets=None):
    """Ageing bucket of each due date at AS_OF: Current, 1-30, ..., Over 120. A column spills (Excel 365/2021).
    #VALUE! for a date that cannot be read."""
    error = _scalar_error(as_of)
    if error:
        return error
    try:
        bounds, when = _buckets(buckets), _as_of(as_of)
        bucket_labels(bounds)
    except (ValueError, TypeError):
        return BAD_VALUE

    def one(value):
        days = (when - parse_date(value)).days
        return str(bucket_of([days], bounds)[0])
    return _cellwise(due_date, one)


@xw.func(category=CATEGORY)
@xw.arg("due_date", ndim=2, err_to_str=True, doc="Due dates: a cell or a whole column.")
@xw.arg("as_of", err_to_str=True, doc="The reporting date.")
def daysoverdue(due_date, as_of):
    """Days past due of each due date at AS_OF (negative: not yet due). A column spills (Excel 365/2021).
    #VALUE! for a date that cannot be read."""
    error = _scalar_error(as_of)
    if error:
        return error
    try:
        when = _as_of(as_of)
    except (ValueError, TypeError):
        return BAD_VALUE
    return _cellwise(due_date, lambda value: (when - parse_date(value)).days)


@functools.lru_cache(maxsize=8)
def _reference_index(cells: tuple) -> tuple[list[str], ReferenceIndex]:
    """Invoice ids (as Excel shows them: 4500123, not 4500123.0; error cells skipped, as MATCH
    does) and their reference index, built once per content of the id range: a column of
    formulas over the same range builds it once."""
    ids = [parse_text(v) for v in cells if not is_blank(v) and not is_error(v)]
    ids = [i for i in ids if i]
    return ids, ReferenceIndex(pd.DataFrame({"invoice_id": ids}))


@xw.func(category=CATEGORY)
@xw.arg("remittance_text", ndim=2, err_to_str=True, doc="Remittance texts: a cell or a whole column.")
@xw.arg("invoice_ids", ndim=2, err_to_str=True, doc="The range of your invoice numbers, e.g. Invoices[invoice_id].")
def findinvoices(remittance_text, invoice_ids):
    """The invoice numbers (from INVOICE_IDS) named in each remittance text, '; '-separated; #N/A when none.
    A column spills (Excel 365/2021)."""
    ids, index = _reference_index(_values(invoice_ids))

    def one(text):
        hits = index.find(parse_text(text))
        return "; ".join(ids[h.position] for h in hits) or NOT_FOUND
    return _cellwise(remittance_text, one)


@xw.func(category=CATEGORY)
@xw.arg("payer_name", ndim=2, err_to_str=True, doc="Payer names as the bank shows them: a cell or a column.")
@xw.arg("customer_name", err_to_str=True, doc="The customer name to compare with.")
def matchscore(payer_name, customer_name):
    """Similarity 0-100 of each payer name to CUSTOMER_NAME, after removing bank prefixes and legal forms.
    A column spills (Excel 365/2021)."""
    from rapidfuzz import fuzz

    error = _scalar_error(customer_name)
    if error:
        return error
    target = normalise_name(parse_text(_first(customer_name)))
    return _cellwise(payer_name, lambda value: round(fuzz.token_set_ratio(normalise_name(parse_text(value)), target),
                                                     1))


@functools.lru_cache(maxsize=8)
def _customer_keys(cells: tuple) -> tuple[list[str], list[str]]:
    """Customer names (error cells skipped) and their comparison keys, once per content of the range."""
    names = [parse_text(v) for v in cells if not is_blank(v) and not is_error(v)]
    return names, [normalise_name(n) for n in names]


@xw.func(category=CATEGORY)
@xw.arg("payer_name", ndim=2, err_to_str=True, doc="Payer names: a cell or a column.")
@xw.arg("customer_names", ndim=2, err_to_str=True, doc="The range of your customer names.")
def bestcustomer(payer_name, customer_names):
    """For each payer name: the closest of CUSTOMER_NAMES and its score, two columns that spill (Excel 365/2021).
    #N/A when no names are given."""
    from rapidfuzz import fuzz, process

    names, keys = _customer_keys(_values(customer_names))
    out = []
    for row in _grid(payer_name):
        for value in row:
            if is_error(value):
                out.append([value, value])
            elif is_blank(value):
                out.append(["", ""])
            else:
                best = process.extractOne(normalise_name(parse_text(value)), keys, scorer=fuzz.token_set_ratio)
                out.append([names[best[2]], round(best[1], 1)] if best else [NOT_FOUND, NOT_FOUND])
    return out


@xw.func(category=CATEGORY)
@xw.arg("invoice_table", ndim=2, err_to_str=True, doc="The open items with their header row, e.g. Invoices[#All].")
@xw.arg("as_of", err_to_str=True, doc="The reporting date.")
@xw.arg("buckets", err_to_str=True, doc="Optional upper bounds in days, e.g. {30,60,90}.")
def ageing(invoice_table, as_of, buckets=None):
    """The ageing table (customer x currency x bucket) of an invoice range with headers, at AS_OF; it spills
    (Excel 365/2021). #VALUE! when a cell cannot be read (otc-xl validate names it)."""
    error = _scalar_error(as_of)
    if error:
        return error
    grid = _grid(invoice_table)
    if len(grid) < 2:
        return BAD_VALUE
    try:
        frame, problems = parse_table(INVOICES, RawTable("range", grid[0], grid[1:]))
        if errors_in(problems):
            return BAD_VALUE
        result = ageing_report(frame, _as_of(as_of), _buckets(buckets))
    except (ValueError, TypeError):
        return BAD_VALUE
    return [list(result.columns)] + result.astype(object).values.tolist()


@xw.func(category=CATEGORY)
@xw.arg("text", ndim=2, err_to_str=True, doc="Amounts as text: a cell or a whole column.")
@xw.arg("locale", err_to_str=True, doc="Optional es/it/fr/de/pt/ro: comma decimals; en: point decimals.")
def normalize_amount(text, locale=None):
    """The number in each text: 1.234,56 / 1,234.56 / (100.00) / 100- / EUR 1 234,56. A column spills
    (Excel 365/2021). #VALUE! for text that is not an amount."""
    error = _scalar_error(locale)
    if error:
        return error
    separator = {"": "auto", "en": ".", "es": ",", "it": ",", "fr": ",", "de": ",", "ro": ",", "pt": ","}.get(
        parse_text(_first(locale)).lower()[:2], "auto")
    return _cellwise(text, lambda value: float(parse_amount(value, separator)))


@xw.func(category=CATEGORY)
@xw.arg("balance", err_to_str=True, doc="The amount to split.")
@xw.arg("instalments", err_to_str=True, doc="How many instalments (1 to 360).")
@xw.arg("first_date", err_to_str=True, doc="The due date of the first instalment.")
@xw.arg("every_months", err_to_str=True, doc="Optional months between instalments (default 1).")
def paymentplan(balance, instalments, first_date, every_months=1):
    """Payment plan: dates and amounts that add up exactly to BALANCE (the last instalment takes the leftover
    cents); the table spills (Excel 365/2021). #VALUE! for an impossible plan."""
    error = _scalar_error(balance, instalments, first_date, every_months)
    if error:
        return error
    try:
        plan = payment_plan(float(parse_amount(_first(balance))), int(float(_first(instalments))),
                            _as_of(first_date), int(float(_first(every_months) or 1)))
    except (ValueError, TypeError, ArithmeticError):
        return BAD_VALUE
    rows = [[int(r.instalment), r.due_date.date(), float(r.amount), float(r.remaining)] for r in plan.itertuples()]
    return [["instalment", "due_date", "amount", "remaining"], *rows]


__all__ = ["agebucket", "ageing", "bestcustomer", "daysoverdue", "findinvoices", "matchscore", "normalize_amount",
           "paymentplan"]

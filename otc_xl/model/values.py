"""Reading cell values the way European and American spreadsheets write them.

Each ``parse_*`` function takes one raw cell value (as a spreadsheet reader returns it: str,
int, float, bool, date, datetime or None) and returns the typed value, or raises
``ValueError`` with a message that says what was expected. ``coerce_column`` applies one of
them to a whole column, fast for the common case (cells already typed by Excel) and with a
cache for repeated strings.

The parsers live by kind — :mod:`~otc_xl.model.amounts`, :mod:`~otc_xl.model.dates`,
:mod:`~otc_xl.model.codes` (text and codes), :mod:`~otc_xl.model.cells` (blank cells) — and are
imported from here; this module holds what applies to a whole column.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .amounts import (
    MAX_AMOUNT,
    DecimalSeparator,
    check_bound,
    infer_decimal_separator,
    parse_amount,
    parse_iso_amount,
    plain_amount_cents,
    to_cents,
)
from .cells import is_blank
from .codes import (
    CURRENCY_SYMBOLS,
    LANGUAGES,
    iban_problem,
    is_iso_currency,
    parse_currency,
    parse_emails,
    parse_integer,
    parse_language,
    parse_text,
    sepa_problem,
    strip_accents,
    us_account,
)
from .dates import EXCEL_EPOCH, MAX_EXCEL_SERIAL, XYZ_DATE, DateOrder, infer_date_order, parse_date

__all__ = ["CURRENCY_SYMBOLS", "EXCEL_EPOCH", "EXCEL_ERRORS", "LANGUAGES", "MAX_AMOUNT", "MAX_EXCEL_SERIAL",
           "UNCALCULATED", "XYZ_DATE", "DateOrder", "DecimalSeparator", "Parser", "Percent", "check_bound",
           "coerce_column", "iban_problem", "infer_date_order", "infer_decimal_separator", "is_blank",
           "is_iso_currency", "parse_amount", "parse_currency", "parse_date", "parse_emails", "parse_integer",
           "parse_iso_amount", "parse_language", "parse_text", "percent_value", "plain_amount_cents", "sepa_problem",
           "strip_accents", "to_cents", "us_account"]


Parser = Callable[[Any], Any]
UNCALCULATED = "#UNCALCULATED"


class Percent(float):
    """A number Excel shows in a percent format: the cell holds 0.21 and shows 21 %. Columns that are
    percentages (``vat_rate``, ``discount_pct`` …) read it as 21 (:func:`percent_value`); every other
    column reads the number itself."""

    __slots__ = ()


def percent_value(value: Any) -> Any:
    """21 for a :class:`Percent` 0.21 (exactly: 0.055 → 5.5), ``"21"`` for the text ``"21 %"``, else
    ``value`` unchanged."""
    if isinstance(value, Percent):
        return float(Decimal(repr(float(value))) * 100)
    if isinstance(value, str) and value.strip().endswith("%"):  # "21 %" typed as text
        return value.strip()[:-1].strip()
    return value
"""What the readers put in place of a formula cell saved without its result."""
EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA"})
_NOT_TEXT = EXCEL_ERRORS | {UNCALCULATED}


def coerce_column(values: list[Any], parse: Parser) -> tuple[list[Any], dict[int, str], list[int]]:
    """Apply ``parse`` to each non-blank value; blanks become None.

    Returns the parsed values (aligned with ``values``), ``{position: message}`` for values that
    could not be parsed (Excel error values such as ``#N/A`` included), and the positions of
    blank values. Repeated strings are parsed once.
    """
    out: list[Any] = [None] * len(values)
    errors: dict[int, str] = {}
    blanks: list[int] = []
    memo: dict[str, Any] = {}
    items: Any = enumerate(values)
    if parse is parse_text:  # text: most cells are plain strings, nearly all different (remittances)
        rest: dict[int, Any] = {}
        for i, value in items:
            text = value.strip() if type(value) is str else None
            if text and text not in _NOT_TEXT:
                out[i] = text
            else:
                rest[i] = value  # blanks, numbers, dates and error values: the general path below
        items = rest.items()
    for i, value in items:
        if value is None:
            blanks.append(i)
            continue
        if type(value) is str:
            result = memo.get(value)
            if result is None:
                text = value.strip()
                if not text:
                    blanks.append(i)
                    continue
                if text == UNCALCULATED:
                    result = ValueError("is a formula saved without its result (the file was written by a program "
                                        "that does not calculate); open and save it in Excel or LibreOffice, or "
                                        "type the value")
                elif text in EXCEL_ERRORS:
                    result = ValueError(f"shows the Excel error {text}; fix the formula or type the value")
                else:
                    try:
                        result = parse(value)
                    except ValueError as exc:
                        result = exc
                memo[value] = result
        elif isinstance(value, float) and value != value:
            blanks.append(i)
            continue
        else:
            try:
                result = parse(value)
            except ValueError as exc:
                result = exc
        if isinstance(result, ValueError):
            errors[i] = str(result)
        else:
            out[i] = result
    return out, errors, blanks

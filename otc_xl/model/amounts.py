"""Reading amounts the way European and American spreadsheets and bank files write them: exact
Decimals (``1.234,56``, ``1,234.56``, ``(100.00)``, ``100-``, ``EUR 1.234,56``), ISO 20022 amounts,
exact cents of a whole column at once, and the decimal separator a column shows."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from . import money
from .cells import _describe

DecimalSeparator = Literal["auto", ",", "."]

MAX_AMOUNT = Decimal(10) ** 13
"""No amount otc_xl reads may reach ten trillion: beyond it a value is a typo or garbage, and its
cents would no longer fit the int64 arithmetic that makes totals exact."""

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007']")
_CURRENCY = re.compile(r"^(?:[A-Z]{3}|[€$£¥]|lei|zł)|(?:[A-Z]{3}|[€$£¥]|lei|zł)$", re.IGNORECASE)
_NUMBER = re.compile(r"^(?:\d[\d.,]*|[.,]\d+)$")
_THOUSANDS_GROUPS = re.compile(r"^\d{1,3}(?:X\d{3})*$")


def parse_amount(value: Any, decimal_separator: DecimalSeparator = "auto") -> Decimal:
    """Return the amount in ``value`` as an exact Decimal.

    Accepts numbers, and text such as ``1.234,56``, ``1,234.56``, ``1 234,56``, ``1'234.56``,
    ``(100.00)`` and ``100-`` (negative), ``-1.234,56 €``, ``EUR 1.234,56``.
    A single separator followed by exactly three digits (``1.234``) is a thousands separator
    unless ``decimal_separator`` says otherwise. Infinite, NaN and amounts of ``MAX_AMOUNT`` or
    more are refused.
    """
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise ValueError(f"{_describe(value)} is not a number")
    if isinstance(value, (int, np.integer)):
        return check_bound(Decimal(int(value)), value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{_describe(value)} is not a finite number")
        return check_bound(Decimal(repr(float(value))), value)
    if not isinstance(value, str):
        raise ValueError(f"{_describe(value)} is not a number")
    return check_bound(_parse_amount_text(value, decimal_separator), value)


def check_bound(amount: Decimal, shown: Any = None) -> Decimal:
    """``amount`` itself, or ValueError when it is ``MAX_AMOUNT`` or more in size."""
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"{_describe(amount if shown is None else shown)} is beyond any real amount "
                         f"(otc_xl refuses amounts of {MAX_AMOUNT:,.0f} or more)")
    return amount


_ISO_AMOUNT = re.compile(r"^\d{1,18}(?:\.\d{1,5})?$")


def parse_iso_amount(text: str | None) -> Decimal:
    """An amount as ISO 20022 and SWIFT XML write it: digits with a decimal point, no sign."""
    text = (text or "").strip()
    if not _ISO_AMOUNT.match(text):
        raise ValueError(f"amount {_describe(text) if text else '(empty)'} is not an ISO 20022 amount "
                         "(expected digits with a decimal point, e.g. 250.50)")
    return check_bound(Decimal(text), text)


_PLAIN_SHAPES = {",": r"-?(?:\d{1,3}(?:\.\d{3})+|\d+),\d\d", ".": r"-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d\d"}
_PLAIN_SHAPES["auto"] = f"(?:{_PLAIN_SHAPES[',']}|{_PLAIN_SHAPES['.']})"
_PLAIN_AMOUNT = {sep: re.compile(shape) for sep, shape in _PLAIN_SHAPES.items()}
_PLAIN_LINES = {sep: re.compile(rf"^[ \t]*({shape})[ \t]*$|^.*$", re.M) for sep, shape in _PLAIN_SHAPES.items()}
_NO_SEPARATORS = str.maketrans("", "", ".,")
_MAX_CENTS = int(MAX_AMOUNT) * 100


def plain_amount_cents(texts: list[str], decimal_separator: DecimalSeparator = "auto") -> tuple[np.ndarray,
                                                                                                 np.ndarray]:
    """Exact cents of the texts in the common bank-export shape, all at once: an optional minus,
    digits (grouped by the other separator, or not at all) and exactly two decimals after the
    decimal separator — ``-1.234,56``, ``1234.56``, ``1,234.56`` — allowed by ``decimal_separator``.

    Returns ``(cents, plain)``: int64 cents and a mask of the texts that had that shape (and are
    below ``MAX_AMOUNT``). Any other text (``100-``, ``(5,00)``, ``€ 7``, ``1.5``) is left to
    :func:`parse_amount`. One regex pass over the joined texts instead of one call per cell: a bank
    export's amounts are nearly all different, so a cache does not help there."""
    n = len(texts)
    cents, plain = np.zeros(n, dtype="int64"), np.zeros(n, dtype=bool)
    joined = "\n".join(texts)
    if not n or joined.count("\n") != n - 1 or "\r" in joined:  # line breaks inside a cell: one at a time
        return cents, plain
    found = _PLAIN_LINES[decimal_separator].findall(joined)
    if len(found) != n:
        return cents, plain
    numbers = [int(d) if d else None for d in "\n".join(found).translate(_NO_SEPARATORS).split("\n")]
    plain[:] = [x is not None and -_MAX_CENTS < x < _MAX_CENTS for x in numbers]
    cents[plain] = [x for x, ok in zip(numbers, plain) if ok]
    return cents, plain


@lru_cache(maxsize=65536)
def _parse_amount_text(text: str, decimal_separator: DecimalSeparator) -> Decimal:
    # Fast path for the common bank-export shape (see plain_amount_cents): the decimal separator is
    # unambiguous there; the general path below handles everything else.
    if _PLAIN_AMOUNT[decimal_separator].fullmatch(text):
        return Decimal(text.translate(_NO_SEPARATORS)).scaleb(-2)
    bad = ValueError(f"{_describe(text)} is not a number (expected e.g. 1.234,56 or 1,234.56)")
    s = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    signs = 0
    while True:  # currency and sign may come in any order: "-€12", "€-12", "12-€", "EUR 12-"
        t = _CURRENCY.sub("", s)
        if t[:1] in ("-", "+"):
            negative, signs, t = negative ^ (t[0] == "-"), signs + 1, t[1:]
        elif t.endswith("-"):
            negative, signs, t = not negative, signs + 1, t[:-1]
        if t == s:
            break
        s = t
    if signs > 1:
        raise bad
    if not _NUMBER.match(s):
        raise bad
    number = _normalise_separators(s, decimal_separator)
    if number is None:
        raise bad
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise bad from None
    return -amount if negative else amount


def _normalise_separators(s: str, decimal_separator: DecimalSeparator) -> str | None:
    """``1.234,56`` → ``1234.56``; None when the separators make no sense."""
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
    elif commas + dots == 0:
        return s
    else:
        sep = "," if commas else "."
        if commas + dots > 1:
            dec = "," if sep == "." else "."  # repeated: thousands
        elif decimal_separator != "auto":
            dec = decimal_separator
        else:
            whole, frac = s.split(sep)
            looks_grouped = len(frac) == 3 and 1 <= len(whole) <= 3 and whole != "0"
            dec = ("," if sep == "." else ".") if looks_grouped else sep
    thousands = "." if dec == "," else ","
    whole, _, frac = s.partition(dec)
    if dec in frac:
        return None
    if thousands in whole and not _THOUSANDS_GROUPS.match(whole.replace(thousands, "X")):
        return None
    if thousands in frac:
        return None
    return f"{whole.replace(thousands, '') or '0'}.{frac}" if frac else whole.replace(thousands, "")


_DECIMAL_TAIL = re.compile(r"\d([.,])\d{1,2}\s*(?:-|\)|[A-Za-z€$£]*)?\s*$")


def infer_decimal_separator(values: list[Any]) -> str | None:
    """The decimal separator a column of text amounts shows, or None when nothing decides.

    ``12.30`` or ``7,5`` (one or two digits after the last separator) show it directly;
    ``1.234,56`` shows both; ``1.234.567`` shows the thousands separator (so the other one is
    the decimal). When the column decides, ``1.500`` in it is read with that separator
    (1.5 in a dot-decimal export), not as 1,500."""
    seen: set[str] = set()
    for value in {x for x in values if type(x) is str}:
        text = value.strip()
        if not any(c.isdigit() for c in text):
            continue
        if "." in text and "," in text:
            seen.add("." if text.rfind(".") > text.rfind(",") else ",")
        elif text.count(".") > 1 or text.count(",") > 1:
            seen.add("," if text.count(".") > 1 else ".")
        elif m := _DECIMAL_TAIL.search(text):
            seen.add(m.group(1))
        if len(seen) > 1:
            return None
    return seen.pop() if seen else None


to_cents = money.to_cents  # the one cent-rounding rule (model/money.py)

"""Reading cell values the way European and American spreadsheets write them.

Each ``parse_*`` function takes one raw cell value (as a spreadsheet reader returns it: str,
int, float, bool, date, datetime or None) and returns the typed value, or raises
``ValueError`` with a message that says what was expected. ``coerce_column`` applies one of
them to a whole column, fast for the common case (cells already typed by Excel) and with a
cache for repeated strings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd

from . import money

DecimalSeparator = Literal["auto", ",", "."]
DateOrder = Literal["auto", "DMY", "MDY"]

MAX_AMOUNT = Decimal(10) ** 13
"""No amount otc_xl reads may reach ten trillion: beyond it a value is a typo or garbage, and its
cents would no longer fit the int64 arithmetic that makes totals exact."""
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap-year quirk)
MAX_EXCEL_SERIAL = 2958465  # 9999-12-31
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₣": "CHF", "zł": "PLN", "lei": "RON"}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007']")
_CURRENCY = re.compile(r"^(?:[A-Z]{3}|[€$£¥]|lei|zł)|(?:[A-Z]{3}|[€$£¥]|lei|zł)$", re.IGNORECASE)
_NUMBER = re.compile(r"^(?:\d[\d.,]*|[.,]\d+)$")
_THOUSANDS_GROUPS = re.compile(r"^\d{1,3}(?:X\d{3})*$")


def is_blank(value: Any) -> bool:
    """True for None, NaN/NaT and strings of only white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NaT


def _describe(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


# ---------------------------------------------------------------------------- amounts

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


# ---------------------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_XYZ = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s+[\d:.]+)?$")
XYZ_DATE = _XYZ
"""``a/b/yyyy`` (``/``, ``.`` or ``-``): the dates whose day/month order must be inferred."""
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any, date_order: DateOrder = "DMY") -> dt.date:
    """Return the calendar date in ``value``.

    Accepts Excel dates, Excel serial numbers (45657 = 2024-12-31), ``YYYYMMDD`` numbers
    (SAP exports), and text: ISO ``2026-12-31``, ``31/12/2026``, ``31.12.2026``, ``31-12-26``
    (day first unless ``date_order="MDY"``; ``"auto"`` reads day first here, see
    :func:`infer_date_order` for a whole column), ``2026/12/31`` and ``20261231``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, bool):
        raise ValueError(f"{_describe(value)} is not a date")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _date_from_number(float(value))
    if isinstance(value, str):
        return _parse_date_text(value.strip(), date_order)
    raise ValueError(f"{_describe(value)} is not a date")


def _date_from_number(number: float) -> dt.date:
    if number.is_integer() and 19000101 <= number <= 29991231:
        return _parse_date_text(str(int(number)), "DMY")
    if not 1 <= number <= MAX_EXCEL_SERIAL:
        raise ValueError(f"{number:g} is not a date (expected an Excel date or serial number)")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


@lru_cache(maxsize=65536)
def _parse_date_text(text: str, date_order: DateOrder) -> dt.date:
    expected = "expected DD/MM/YYYY, DD.MM.YYYY or YYYY-MM-DD" if date_order == "DMY" else (
        "expected MM/DD/YYYY or YYYY-MM-DD")
    if m := (_ISO.match(text) or _YMD.match(text) or _COMPACT.match(text)):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _XYZ.match(text):
        a, b, y = (int(g) for g in m.groups())
        d, mo = (b, a) if date_order == "MDY" else (a, b)
        if len(m.group(3)) == 2:
            y += 2000
    elif re.fullmatch(r"\d+(\.\d+)?", text):
        return _date_from_number(float(text))
    else:
        raise ValueError(f"{_describe(text)} is not a date ({expected})")
    try:
        return dt.date(y, mo, d)
    except ValueError:
        pass
    if m and _XYZ.match(text) and 1 <= d <= 12:  # read the other way round it is a real date: say so
        try:
            dt.date(y, d, mo)
        except ValueError:
            pass
        else:
            found, other = ("month/day", "MDY") if date_order != "MDY" else ("day/month", "DMY")
            raise ValueError(f"{_describe(text)} looks like {found} ({'MM/DD/YYYY' if other == 'MDY' else 'DD/MM/YYYY'})"
                             f" but dates are read {'day' if other == 'MDY' else 'month'} first here; set date_order = "
                             f"{other} on the Config sheet, or write it as {dt.date(y, d, mo):%Y-%m-%d}") from None
    raise ValueError(f"{_describe(text)} is an impossible date ({expected})") from None


def infer_date_order(values: list[Any], setting: DateOrder = "auto") -> tuple[DateOrder, str, bool]:
    """(order to read a column with, hint, whether the hint is only a warning) from its text dates
    such as ``11/25/2026``.

    A value whose first part is over 12 can only be day-first, one whose second part is over 12
    only month-first. With ``setting="auto"`` the column is read in the order its values decide;
    when none decides and some are ambiguous (``10/11/2026``) it is read day-first and the hint
    says so. With an explicit setting the column is read that way; the hint names the setting when
    the values contradict it. The hint is empty when there is nothing to say.
    """
    day_first = month_first = ambiguous = 0
    example = {}
    for value in {x for x in values if type(x) is str}:
        m = _XYZ.match(value.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            day_first += 1
            example.setdefault("DMY", value)
        elif b > 12 >= a:
            month_first += 1
            example.setdefault("MDY", value)
        elif a != b and a <= 12 and b <= 12:
            ambiguous += 1
            example.setdefault("?", value)
    if setting != "auto":
        other = "MDY" if setting == "DMY" else "DMY"
        wrong = month_first if setting == "DMY" else day_first
        if wrong and not (day_first if setting == "DMY" else month_first):
            return setting, (f"dates such as {example[other]!r} are {'month' if other == 'MDY' else 'day'}-first but "
                             f"date_order is {setting}; set date_order = {other} (or auto) on the Config sheet"), False
        return setting, "", True
    if day_first and month_first:
        return "DMY", (f"this column mixes day-first ({example['DMY']!r}) and month-first ({example['MDY']!r}) "
                       "dates; fix the cells, or set date_order on the Config sheet"), False
    if month_first:
        return "MDY", "", True
    if ambiguous and not day_first:
        return "DMY", (f"dates such as {example['?']!r} could be day-first or month-first; read day-first. If they "
                       "are month-first, set date_order = MDY on the Config sheet"), True
    return "DMY", "", True


# ---------------------------------------------------------------------------- text and codes

def parse_text(value: Any) -> str:
    """Text as the user sees it: whole numbers without ``.0``, dates as ISO, stripped."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_currency(value: Any) -> str:
    """ISO 4217 code: ``eur`` → ``EUR``, ``€`` → ``EUR``."""
    text = parse_text(value)
    code = CURRENCY_SYMBOLS.get(text, text.upper())
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"{_describe(text)} is not a 3-letter ISO currency code (expected e.g. EUR, USD, GBP)")
    return code


def is_iso_currency(code: str) -> bool:
    """Whether ``code`` is an active ISO 4217 currency (pycountry's list; ``EURO``, ``XYZ`` or the old
    ``DEM`` are not)."""
    import pycountry

    return bool(code) and pycountry.currencies.get(alpha_3=str(code).upper()) is not None


LANGUAGES = {
    "en": ("en", "english", "ingles", "inglese", "anglais", "englisch"),
    "es": ("es", "spanish", "espanol", "castellano", "spagnolo", "espagnol", "spanisch"),
    "it": ("it", "italian", "italiano", "italien", "italienisch"),
    "fr": ("fr", "french", "frances", "francese", "francais", "franzosisch"),
    "de": ("de", "german", "aleman", "tedesco", "allemand", "deutsch"),
    "ro": ("ro", "romanian", "rumano", "rumeno", "roumain", "rumanisch", "romana"),
    "pt": ("pt", "portuguese", "portugues", "portoghese", "portugais", "portugiesisch"),
}
_LANGUAGE_OF = {name: code for code, names in LANGUAGES.items() for name in names}


def parse_language(value: Any) -> str:
    """Two-letter language code: ``es-ES``, ``Español``, ``Spanish`` → ``es``."""
    text = strip_accents(parse_text(value)).lower()
    code = _LANGUAGE_OF.get(text) or _LANGUAGE_OF.get(re.split(r"[-_]", text)[0])
    if not code:
        raise ValueError(f"{_describe(value)} is not a known language (expected one of {', '.join(LANGUAGES)})")
    return code


def parse_integer(value: Any) -> int:
    """A whole number such as payment terms in days (``30``, ``30.0``, ``"30"``)."""
    if isinstance(value, bool):
        raise ValueError(f"{_describe(value)} is not a whole number")
    try:
        number = parse_amount(value)
    except ValueError:
        raise ValueError(f"{_describe(value)} is not a whole number") from None
    if number != number.to_integral_value():
        raise ValueError(f"{_describe(value)} is not a whole number")
    return int(number)


_US_ACCOUNT = re.compile(r"\s*(?:ABA\s*)?([0-9]{9})\s*[/:\s-]\s*(?:ACC(?:OUN)?T\s*)?([0-9]{4,17})\s*", re.IGNORECASE)


def us_account(value: str) -> str | None:
    """A US bank account written as routing number (ABA, check digit verified by python-stdnum) and account
    number (``021000021/123456789``) → ``021000021123456789``; None otherwise."""
    from stdnum.us import rtn

    m = _US_ACCOUNT.fullmatch(str(value or ""))
    return m.group(1) + m.group(2) if m and rtn.is_valid(m.group(1)) else None


def iban_problem(value: str) -> str | None:
    """Why ``value`` is not a valid IBAN (schwifty: country format and mod-97), or None if it is."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        IBAN(value)
    except SchwiftyException as exc:
        return str(exc).rstrip(".").lower()
    return None


def sepa_problem(iban: str) -> str | None:
    """Why a valid IBAN cannot be paid or debited by a SEPA transfer (its country is outside the SEPA
    scheme, as schwifty knows it), or None."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        account = IBAN(iban)
    except SchwiftyException as exc:
        return str(exc).rstrip(".").lower()
    if not account.in_sepa_zone:
        return (f"{account.country_code} is outside the SEPA scheme: a SEPA file cannot carry this IBAN; pay "
                "it another way")
    return None


def parse_emails(value: Any) -> list[str]:
    """The e-mail addresses in ``value`` (several separated by ``;`` or ``,``), normalised by the
    maintained ``email-validator`` (syntax only, no network); ValueError naming the first bad one.
    Line breaks are refused outright: in a mail header they would start a new header."""
    from email_validator import EmailNotValidError, validate_email

    text = "" if is_blank(value) else str(value)
    if any(c in text for c in "\r\n\x00"):
        raise ValueError(f"{_describe(text)} contains a line break; an address is one line")
    out = []
    for part in filter(None, (p.strip() for p in re.split(r"[;,]", text))):
        try:
            out.append(validate_email(part, check_deliverability=False).normalized)
        except EmailNotValidError as exc:
            raise ValueError(f"{_describe(part)} is not an e-mail address ({str(exc).rstrip('.')})") from None
    return out


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# ---------------------------------------------------------------------------- columns

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

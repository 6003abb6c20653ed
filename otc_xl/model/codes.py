"""Reading text and codes: text as the user sees it, ISO currency and language codes, whole numbers,
bank accounts (IBAN, SEPA reach, US routing and account) and e-mail addresses."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from .amounts import parse_amount
from .cells import _describe, is_blank

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₣": "CHF", "zł": "PLN", "lei": "RON"}


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

"""Amounts and dates written the way each language writes them (Babel / CLDR data).

``money(1234.56, "EUR", "es")`` → ``1.234,56 €``; ``long_date(date(2026, 12, 31), "es")`` →
``31 de diciembre de 2026``; ``short_date(…, "es")`` → ``31/12/2026`` (always four-digit years).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"es": "es_ES", "it": "it_IT", "fr": "fr_FR", "en": "en_GB", "de": "de_DE", "ro": "ro_RO", "pt": "pt_PT"}
"""The country variant used for each letter language (British English: day before month)."""


def locale_of(language: str) -> str:
    return LOCALES.get(language, LOCALES["en"])


def _date(value) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    return Locale.parse(locale_of(language))


def money(amount: float, currency: str, language: str) -> str:
    """Amount with currency sign in the language's convention."""
    return format_currency(round(float(amount), 2), currency, locale=_locale(language))


def number(amount: float, language: str) -> str:
    """Amount without currency, two decimals."""
    return format_decimal(round(float(amount), 2), format="#,##0.00", locale=locale_of(language))


def quantity(value: float, language: str) -> str:
    """A quantity, price or rate as the language writes it, with the decimals it has (up to 6)."""
    return format_decimal(float(value), format="#,##0.######", locale=_locale(language))


def price(value: float, language: str) -> str:
    """A unit price: at least two decimals, up to six (12,4567 · 23,10 · 65,00)."""
    return format_decimal(float(value), format="#,##0.00####", locale=_locale(language))


def long_date(value, language: str) -> str:
    day = _date(value)
    return format_date(day, "long", locale=locale_of(language)) if day else ""


@cache
def _short_pattern(locale: str) -> str:
    pattern = Locale.parse(locale).date_formats["short"].pattern
    for letter in "dMy":  # two-digit day and month, four-digit year
        pattern = re.sub(f"{letter}+", {"d": "dd", "M": "MM", "y": "yyyy"}[letter], pattern)
    return pattern


def short_date(value, language: str) -> str:
    day = _date(value)
    return format_date(day, _short_pattern(locale_of(language)), locale=locale_of(language)) if day else ""

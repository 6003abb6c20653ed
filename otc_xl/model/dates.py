"""Reading calendar dates: Excel dates and serial numbers, ``YYYYMMDD`` numbers, ISO and day- or
month-first text, and the day/month order a column of text dates shows."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from .cells import _describe

DateOrder = Literal["auto", "DMY", "MDY"]

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap-year quirk)
MAX_EXCEL_SERIAL = 2958465  # 9999-12-31


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
            raise ValueError(f"{_describe(text)} looks like {found} "
                             f"({'MM/DD/YYYY' if other == 'MDY' else 'DD/MM/YYYY'})"
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
    example: dict[str, str] = {}
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

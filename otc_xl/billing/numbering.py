"""Invoice numbers: series per customer country, gap-free per series and year, never reused.

A number is ``series-year-number`` (``FV-2026-01202``). The last number used per series and year is
the highest found anywhere otc_xl can see: the Config's starting numbers, the Invoices table (the
ERP's own numbers of the series), the BillingLog and the invoices already written next to the
workbook. Drafts get the numbers they *would* take; posting gives the final numbers to the approved
drafts only, in order, so an unapproved draft never leaves a gap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import cast

NUMBER = re.compile(r"^([A-Za-z0-9]{1,6})-(\d{4})-(\d+)$")
WIDTH = 5


def parse_series(setting: str) -> dict[str, str]:
    """``"ES=FVE; IT=FVI; *=FV"`` → ``{"ES": "FVE", "IT": "FVI", "*": "FV"}``; ``"FV"`` → ``{"*": "FV"}``."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in str(setting or "").split(";"))):
        country, _, series = part.rpartition("=")
        out[country.strip().upper() or "*"] = series.strip().upper()
    return out or {"*": "FV"}


def series_for(series: dict[str, str], country: str) -> str:
    return series.get(str(country or "").strip().upper(), series.get("*", next(iter(series.values()))))


def last_numbers(used: Iterable[str], start: str = "") -> dict[str, int]:
    """The last number per ``SERIES-YEAR`` among the ``used`` ids and the ``start`` setting
    (``FV-2026=1200; FVI-2026=15``)."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in str(start or "").split(";"))):
        key, _, number = part.partition("=")
        key = key.strip().upper()
        out[key] = max(out.get(key, 0), int(number))
    for invoice_id in used:
        m = NUMBER.match(str(invoice_id).strip())
        if m:
            key = f"{m.group(1).upper()}-{m.group(2)}"
            out[key] = max(out.get(key, 0), int(m.group(3)))
    return out


def invoice_number(series: str, year: int, number: int) -> str:
    return f"{series}-{year}-{number:0{WIDTH}d}"


def last_posted(used: Iterable[tuple[str, object]]) -> dict[str, tuple[int, str, dt.date]]:
    """Per ``SERIES-YEAR``: (number, invoice id, date) of the highest number among ``used``
    (invoice id, invoice date) pairs; ids of other shapes and rows without a date are ignored."""
    out: dict[str, tuple[int, str, dt.date]] = {}
    for invoice_id, when in used:
        m = NUMBER.match(str(invoice_id).strip())
        if not m or when is None or when != when:  # NaT / NaN
            continue
        key, number = f"{m.group(1).upper()}-{m.group(2)}", int(m.group(3))
        day = when.date() if hasattr(when, "date") else when
        if key not in out or number > out[key][0]:
            out[key] = (number, str(invoice_id).strip(), cast(dt.date, day))
    return out


def back_dated(last: dict[str, tuple[int, str, dt.date]], series: str, invoice_date) -> str | None:
    """Why numbering an invoice of ``series`` dated ``invoice_date`` would break the date order of its
    series (France, Spain and Italy require numbers in date order), or None."""
    day = invoice_date.date() if hasattr(invoice_date, "date") else invoice_date
    key = f"{series}-{day.year}"
    if key in last and day < last[key][2]:
        number, invoice_id, when = last[key]
        return (f"series {series}: the last number, {invoice_id}, is dated {when:%d/%m/%Y}; an invoice dated "
                f"{day:%d/%m/%Y} would take a later number with an earlier date (numbers must follow dates). "
                f"Post with --as-of {when:%d/%m/%Y} or later")
    return None

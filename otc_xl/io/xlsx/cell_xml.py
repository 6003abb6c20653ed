"""Cells as SpreadsheetML XML, a column at a time — what the streamed writers put in ``<row>``s.

Used by the report writer (:mod:`otc_xl.io.xlsx.report_writer`) and the Payments append
(:mod:`otc_xl.io.xlsx.sheet_append`). Numbers and dates carry the column's style index; text is always
an inline string (never a formula), with the quote-prefix style when Excel could take it for one,
control characters replaced and cut at Excel's 32,767 characters.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .writer import _CONTROL_CHARS, MAX_TEXT, RISKY_PREFIXES, cell_value

EXCEL_EPOCH = np.datetime64("1899-12-30")


def column_cells(letter: str, rows: list[str], values: pd.Series, style: int | None, quote: int | None) -> list[str]:
    """The cells of one column (sheet column ``letter``, sheet rows ``rows``) as XML strings, ""
    for an empty cell. ``style``: the style index of its numbers and dates (None: none);
    ``quote``: the style of text that could be taken for a formula."""
    s = "" if style is None else f' s="{style}"'
    q = "" if quote is None else f' s="{quote}"'
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = (values.to_numpy(dtype="datetime64[ns]") - EXCEL_EPOCH) / np.timedelta64(1, "D")
        return ["" if d != d else f'<c r="{letter}{r}"{s}><v>{_number(d)}</v></c>' for r, d in zip(rows, days.tolist())]
    if pd.api.types.is_bool_dtype(dtype):
        return [f'<c r="{letter}{r}" t="b"><v>{int(x)}</v></c>' for r, x in zip(rows, values.tolist())]
    if pd.api.types.is_numeric_dtype(dtype):
        return ["" if x is None or x != x or x in (math.inf, -math.inf)
                else f'<c r="{letter}{r}"{s}><v>{_number(x)}</v></c>'
                for r, x in zip(rows, values.astype(object).where(values.notna(), None).tolist())]
    return [_text(letter, r, x, q) if type(x) is str else _cell(letter, r, cell_value(x), s, q)
            for r, x in zip(rows, values.tolist())]


def _number(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


def _text(letter: str, r: str, text: str, quote: str) -> str:
    text = text.translate(_CONTROL_CHARS)[:MAX_TEXT]
    if not text:
        return ""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    prefix = quote if text.startswith(RISKY_PREFIXES) else ""
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f'<c r="{letter}{r}"{prefix} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(letter: str, r: str, value: Any, style: str, quote: str) -> str:
    """One cell of a mixed column, from a value already through :func:`cell_value`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(letter, r, value, quote)
    if isinstance(value, bool):
        return f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{letter}{r}"{style}><v>{_number(serial)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{letter}{r}"{style}><v>{(value - dt.date(1899, 12, 30)).days}</v></c>'
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f'<c r="{letter}{r}"{style}><v>{_number(value)}</v></c>'
    return ""

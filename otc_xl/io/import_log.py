"""The ``ImportLog`` sheet: one row per bank file each import read, appended, never rewritten.

It tells, in the workbook itself, what every ``import-bank`` did: when, which file and format, how
many receipts it held and how many were new, debits skipped, totals per currency and the notes
(encoding used, lines skipped, optional fields ignored). The empty table is created first
(:func:`ensure_import_log`, an openpyxl load and save while the book is as the user left it);
the log row then joins the receipts' splice in one write of the book (:func:`append_logged`).
When the workbook holds content an openpyxl rewrite would drop and has no log table, the log is
not written and the caller says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import openpyxl
import pandas as pd

from ..model.contracts import Column, TableContract
from ..model.tables import RawTable
from .bank_import import ImportResult, add_table, append_payments, append_to_table, last_filled, splice_rows
from .xlsx.reader import XlsxSource
from .xlsx.sheet_append import append_rows
from .xlsx.writer import save_atomically, unsupported_content

LOG_COLUMNS = ("imported_at", "file", "format", "receipts", "added", "already_there", "debits_skipped", "totals",
               "notes")
IMPORT_LOG = TableContract(
    name="import log", doc="What each bank import read and appended.", sheet_names=("ImportLog",),
    columns=tuple(Column(name, "text", name) for name in LOG_COLUMNS))


def ensure_import_log(book: Path) -> str:
    """Create the empty ImportLog table when BOOK has none; "" when it is there (or was created),
    else why it cannot be. Called before the receipts are appended: creating a sheet takes an
    openpyxl load and save of the book, cheap while the book is as the user left it, costly after
    hundreds of thousands of spliced rows."""
    if XlsxSource(book).raw_table(IMPORT_LOG) is not None:
        return ""
    lost = unsupported_content(book, set())
    if lost:
        return _NOT_WRITTEN.format(sheet=lost[0][0], what=lost[0][1])
    wb = openpyxl.load_workbook(book, keep_vba=book.suffix.lower() == ".xlsm", rich_text=True)
    ws = wb.create_sheet(IMPORT_LOG.sheet_names[0])
    ws.append(list(LOG_COLUMNS))
    add_table(ws, "tblImportLog", len(LOG_COLUMNS), 2)
    save_atomically(wb, book)
    return ""


_NOT_WRITTEN = ("the import log was not written: the workbook holds content an openpyxl rewrite would drop "
                "(sheet {sheet}: {what}); add an ImportLog table to log imports")


def append_logged(book: Path, payments: pd.DataFrame,
                  rows_for: Callable[[ImportResult], pd.DataFrame]) -> tuple[ImportResult, str]:
    """Append the receipts (:func:`append_payments`) and their ImportLog rows ``rows_for(result)``;
    returns the result and what was done with the log. Both go into one write of the book when
    both sheets can be spliced (a second write would copy the grown Payments sheet again)."""
    not_logged = ensure_import_log(book)  # before the append: creating a sheet rewrites the book
    if not_logged:
        return append_payments(book, payments), not_logged
    raw = cast(RawTable, XlsxSource(book).raw_table(IMPORT_LOG))  # ensure_import_log made the table
    rows: list[pd.DataFrame] = []

    def log_parts(result: ImportResult, changed: dict[str, Any]) -> dict[str, Any] | None:
        columns = _log_columns(raw)
        if isinstance(columns, str):
            return None
        rows.append(rows_for(result))
        start = raw.header_row + last_filled(raw.rows) + 1
        return append_rows(book, raw.sheet, raw.header_row, start, columns, rows[0], {}, base=changed)

    result = append_payments(book, payments, log_parts)
    if result.extra_written:
        return result, f"{len(rows[0])} line(s) logged on {raw.sheet}"
    return result, append_import_log(book, rows[0] if rows else rows_for(result))


def _log_columns(raw) -> dict[str, int] | str:
    """Log column → sheet column of an existing ImportLog table, or why it is not ours."""
    columns = {str(h): raw.first_column + j for j, h in enumerate(raw.headers) if str(h) in LOG_COLUMNS}
    if set(columns) != set(LOG_COLUMNS):
        return (f"{raw.sheet} was not written by otc_xl (its headers are not {', '.join(LOG_COLUMNS)}); the "
                "import log was not written")
    return columns


def append_import_log(book: Path, rows: pd.DataFrame) -> str:
    """Append ``rows`` (columns ``LOG_COLUMNS``) to BOOK's ImportLog; returns what was done."""
    raw = XlsxSource(book).raw_table(IMPORT_LOG)
    columns: dict[str, int] | str = {}  # without a table: the new one's (append_to_table)
    if raw is not None:
        columns = _log_columns(raw)
        if isinstance(columns, str):
            return columns
        if splice_rows(book, raw, columns, rows, {}):
            return f"{len(rows)} line(s) logged on {raw.sheet}"
    lost = unsupported_content(book, set())
    if lost:
        return _NOT_WRITTEN.format(sheet=lost[0][0], what=lost[0][1])
    wb = openpyxl.load_workbook(book, keep_vba=book.suffix.lower() == ".xlsm", rich_text=True)
    # the table exists in a layout the splice declines, or not at all: columns is not a str (returned above)
    title = append_to_table(wb, raw, IMPORT_LOG.sheet_names[0], LOG_COLUMNS, cast("dict[str, int]", columns), rows,
                            "tblImportLog")
    save_atomically(wb, book)
    return f"{len(rows)} line(s) logged on {title}"

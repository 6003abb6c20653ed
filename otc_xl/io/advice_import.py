"""Appending remittance advice lines to a workbook's ``Advices`` table (``otc-xl import-bank --advice``).

Like the bank lines, advice lines are only ever appended: a line already there (same payment id and
invoice as written) is not added again, the table is created (an Excel Table ``tblAdvices``) when the
workbook has none, and the book is written atomically — by splicing the sheet when its layout allows,
else through openpyxl (refused when that would drop content of the workbook).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from ..matching.advices import ADVICE_COLUMNS
from ..model.contracts import ADVICES
from ..model.problems import Problem, ValidationError
from .bank_import import add_table, append_to_table, splice_rows
from .xlsx.reader import XlsxSource
from .xlsx.writer import cell_value, save_atomically, unsupported_content


def ensure_advices(book: Path) -> None:
    """Create the empty Advices table (``tblAdvices``) when BOOK has none and can be rewritten. Called
    before the receipts are appended: creating a sheet takes an openpyxl load and save of the book,
    cheap while the book is as the user left it, costly after hundreds of thousands of spliced rows
    (a lockbox file's stubs then splice in as the receipts do)."""
    if XlsxSource(book).raw_table(ADVICES) is not None or unsupported_content(book, set()):
        return  # there already, or append_advices will say why it cannot be written
    wb = openpyxl.load_workbook(book, keep_vba=book.suffix.lower() == ".xlsm", rich_text=True)
    ws = wb.create_sheet(ADVICES.sheet_names[0])
    ws.append(list(ADVICE_COLUMNS))
    add_table(ws, "tblAdvices", len(ADVICE_COLUMNS), 2)
    save_atomically(wb, book)


def append_advices(book: Path, rows: pd.DataFrame) -> int:
    """Append the advice ``rows`` (``ADVICE_COLUMNS``) BOOK's Advices table does not have; how many were added."""
    raw = XlsxSource(book).raw_table(ADVICES)
    columns: dict[str, int] = {}
    have: set[tuple[str, str]] = set()
    if raw is not None:
        for j, header in enumerate(raw.headers):
            match = ADVICES.match_header(header) if header is not None else None
            if match is not None and match.name not in columns:
                columns[match.name] = raw.first_column + j
        if "payment_id" not in columns or "invoice_id" not in columns:
            raise ValidationError([Problem(raw.sheet, "the Advices table needs payment_id and invoice_id columns; "
                                                      "the advice lines were not added", raw.header_row)])
        p, i = columns["payment_id"] - raw.first_column, columns["invoice_id"] - raw.first_column
        have = {(str(cell_value(r[p]) or ""), str(cell_value(r[i]) or "")) for r in raw.rows if len(r) > max(p, i)}
    new = rows.loc[[(a, b) not in have for a, b in zip(rows["payment_id"], rows["invoice_id"])]]
    new = new.drop_duplicates(["payment_id", "invoice_id"])
    if new.empty:
        return 0
    kinds = {"paid_amount": "money", "deduction_amount": "money"}
    if raw is not None and splice_rows(book, raw, columns, new, kinds):
        return len(new)
    lost = unsupported_content(book, set())
    if lost:
        raise ValidationError([Problem(book.name, f"sheet {s} has {what} that would be lost if otc_xl rewrote this "
                                                  "file; add an Advices table, or import in Excel")
                               for s, what in lost])
    wb = openpyxl.load_workbook(book, keep_vba=book.suffix.lower() == ".xlsm", rich_text=True)
    append_to_table(wb, raw, ADVICES.sheet_names[0], ADVICE_COLUMNS, columns, new, "tblAdvices", kinds)
    save_atomically(wb, book)
    return len(new)

"""Appending bank lines to a workbook's Payments table — idempotently, atomically.

The user asks for it (``otc-xl import-bank FILE --into BOOK``), so this is the one place otc_xl
changes an input sheet, and only by appending rows: existing rows are never touched, a line
whose ``payment_id`` is already there is not added again, every file is read (and must be valid)
before anything is written, and the workbook is saved atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from ..model.contracts import PAYMENTS
from ..model.problems import Problem, ValidationError
from ..model.report import NUMBER_FORMATS
from .files import replace_atomically
from .formats.bank.common import receipt_problems
from .xlsx.reader import XlsxSource
from .xlsx.sheet_append import append_rows, write_package
from .xlsx.writer import cell_value, save_atomically, set_cell, unsupported_content

LABELS = {"payment_id": "Payment No.", "payment_date": "Value date", "amount": "Amount", "currency": "Currency",
          "payer_name": "Payer", "payer_account": "Payer IBAN", "remittance": "Remittance information",
          "customer_id": "Customer No.", "instructed_amount": "Instructed amount", "charges": "Charges",
          "ultimate_debtor": "Ultimate debtor", "instructed_currency": "Instructed currency",
          "exchange_rate": "Exchange rate"}


@dataclass
class ImportResult:
    read: int
    added: int
    already_there: int
    sheet: str
    added_ids: frozenset = frozenset()
    """payment_id of each receipt appended."""
    extra_written: bool = False
    """Whether the ``extra`` parts (see :func:`append_payments`) went into the same write."""
    not_kept: tuple[str, ...] = ()
    """Evidence columns some appended receipts carry (instructed amount, charges, ultimate debtor)
    that the book's Payments table has no column for: said to the user, not added to their table."""


EVIDENCE = ("instructed_amount", "charges", "ultimate_debtor", "instructed_currency", "exchange_rate")
"""Payments columns a bank file may fill that older workbooks' tables may not have."""
MONEY = {"amount": "money", "instructed_amount": "money", "charges": "money"}


def _not_kept(new: pd.DataFrame, columns: dict[str, int]) -> tuple[str, ...]:
    out = []
    for name in EVIDENCE:
        if name in columns or name not in new:
            continue
        values = new[name]
        filled = values.notna() & (values.astype(str).str.strip() != "")
        if bool(filled.any()):
            out.append(name)
    return tuple(out)


Extra = Callable[[ImportResult, dict[str, Any]], "dict[str, Any] | None"]
"""More parts for the receipts' own write: given the result and the parts changed so far, the
parts to add (built on them), or None when they cannot join it."""


def append_payments(book_path: str | Path, payments: pd.DataFrame, extra: Extra | None = None) -> ImportResult:
    """Append the ``payments`` whose ``payment_id`` the workbook does not have yet.

    Every receipt is checked against the Payments contract first (positive finite amount, date,
    currency, unique id): one bad receipt and nothing is appended. On the spliced path, ``extra``
    may add parts (the ImportLog row) to the same single write of the book.
    """
    book_path = Path(book_path)
    problems = receipt_problems(payments, "import", unique=False)
    if problems:
        raise ValidationError(problems)
    source = XlsxSource(book_path)
    raw = source.raw_table(PAYMENTS)
    if raw is not None:
        fast = _append_spliced(book_path, raw, payments, extra)
        if fast is not None:
            return fast
    lost = unsupported_content(book_path, set())
    if lost:
        raise ValidationError([Problem(book_path.name, f"sheet {s} has {what} that would be lost if otc_xl "
                                       "rewrote this file; import in Excel (button) or into a copy")
                               for s, what in lost])
    wb = openpyxl.load_workbook(book_path, keep_vba=book_path.suffix.lower() == ".xlsm", rich_text=True)
    if raw is None:
        ws = wb.create_sheet(PAYMENTS.sheet_names[0])
        ws.append([LABELS[c] for c in PAYMENTS.column_names])
        header_row, first_col, headers, existing_rows = 1, 1, [LABELS[c] for c in PAYMENTS.column_names], []
    else:
        ws = wb[raw.sheet]
        header_row, first_col, headers = raw.header_row, raw.first_column, list(raw.headers)
        existing_rows = raw.rows
    columns = _columns(headers, first_col)
    if "payment_id" not in columns:  # without ids a re-import could not be recognised: add the column
        columns["payment_id"] = first_col + len(headers)
        set_cell(ws, header_row, columns["payment_id"], LABELS["payment_id"])
    new = _new_receipts(payments, existing_rows, columns, first_col)
    last = header_row + last_filled(existing_rows)
    formats = {"payment_date": NUMBER_FORMATS["date"], **{k: NUMBER_FORMATS[v] for k, v in MONEY.items()}}
    for i, record in enumerate(new.to_dict("records"), start=1):
        for name, column in columns.items():
            set_cell(ws, last + i, column, record.get(name), formats.get(name))
    extend_table(ws, header_row, last + len(new), max(columns.values()))
    if len(new):
        save_atomically(wb, book_path)
    return ImportResult(len(payments), len(new), len(payments) - len(new), ws.title, frozenset(new["payment_id"]),
                        not_kept=_not_kept(new, columns))


def _columns(headers: list, first_col: int) -> dict[str, int]:
    """Contract column → 1-based sheet column, for the headers the Payments contract knows."""
    columns: dict[str, int] = {}
    for j, header in enumerate(headers):
        match = PAYMENTS.match_header(header) if header is not None else None
        if match is not None and match.name not in columns:
            columns[match.name] = first_col + j
    return columns


def _new_receipts(payments: pd.DataFrame, existing_rows: list[list], columns: dict[str, int],
                  first_col: int) -> pd.DataFrame:
    """The receipts whose payment_id is not in the sheet yet (each once)."""
    k = columns["payment_id"] - first_col
    have = {str(cell_value(r[k]) or "") for r in existing_rows if len(r) > k}
    return payments.loc[~payments["payment_id"].isin(have)].drop_duplicates("payment_id")


def _append_spliced(book_path: Path, raw, payments: pd.DataFrame, extra: Extra | None) -> ImportResult | None:
    """The fast, lossless path (:mod:`otc_xl.io.xlsx.sheet_append`): only the Payments sheet, its table
    and the styles it needs change (and the ``extra`` parts), in one write. None when the sheet's
    layout needs the openpyxl path."""
    columns = _columns(list(raw.headers), raw.first_column)
    if "payment_id" not in columns:
        return None
    new = _new_receipts(payments, raw.rows, columns, raw.first_column)
    result = ImportResult(len(payments), len(new), len(payments) - len(new), raw.sheet, frozenset(new["payment_id"]),
                          not_kept=_not_kept(new, columns))
    changed: dict[str, Any] = {}
    if len(new):
        start = raw.header_row + last_filled(raw.rows) + 1
        appended = append_rows(book_path, raw.sheet, raw.header_row, start, columns, new, MONEY)
        if appended is None:
            return None
        changed = appended
    more = extra(result, changed) if extra else None
    if more:
        changed.update(more)
        result.extra_written = True
    if changed:
        replace_atomically(book_path, lambda tmp: write_package(book_path, tmp, changed))
    return result


def splice_rows(book_path: Path, raw, columns: dict[str, int], rows: pd.DataFrame, kinds: dict[str, str]) -> bool:
    """Append ``rows`` below the table ``raw`` by splicing the sheet (atomic); False when its layout
    needs the openpyxl path."""
    start = raw.header_row + last_filled(raw.rows) + 1
    changed = append_rows(book_path, raw.sheet, raw.header_row, start, columns, rows, kinds)
    if changed is None:
        return False
    replace_atomically(book_path, lambda tmp: write_package(book_path, tmp, changed))
    return True


def last_filled(rows: list[list]) -> int:
    """How many data rows there are, up to the last that is not blank."""
    for i in range(len(rows) - 1, -1, -1):
        if any(cell_value(x) not in (None, "") for x in rows[i]):
            return i + 1
    return 0


def add_table(ws, name: str, width: int, last_row: int) -> None:
    """A new Excel Table ``name`` over ``ws``'s columns 1..``width`` from row 1 to ``last_row``."""
    table = Table(displayName=name, ref=f"A1:{get_column_letter(width)}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


def append_to_table(wb, raw, sheet: str, names: Sequence[str], columns: dict[str, int], rows: pd.DataFrame,
                    table: str, money: Collection[str] = ()) -> str:
    """The openpyxl path of an append to one of our tables: ``rows`` under the table ``raw`` found in
    ``wb`` (its ``columns``: name → sheet column), or, without one, on a new sheet ``sheet`` headed
    ``names`` as the Excel Table ``table``. The table at the header row grows over the new rows (one
    is made when there is none); ``money`` columns get the money format. Returns the sheet's title."""
    if raw is None:
        ws = wb.create_sheet(sheet)
        ws.append(list(names))
        header_row, first = 1, 2
        columns = {name: j for j, name in enumerate(names, start=1)}
    else:
        ws, header_row = wb[raw.sheet], raw.header_row
        first = header_row + last_filled(raw.rows) + 1
    for n, record in enumerate(rows.to_dict("records")):
        for name, j in columns.items():
            set_cell(ws, first + n, j, record.get(name), "#,##0.00" if name in money else None)
    last = max(first + len(rows) - 1, header_row + 1)
    if any(range_boundaries(t.ref)[1] == header_row for t in ws.tables.values()):
        extend_table(ws, header_row, last, max(columns.values()))
    else:
        add_table(ws, table, len(names), last)
    return ws.title


def extend_table(ws, header_row: int, last_row: int, last_col: int) -> None:
    for table in ws.tables.values():
        first_col, first_row, old_end, _ = cast("tuple[int, int, int, int]", range_boundaries(table.ref))
        if first_row == header_row:
            end_col = max(old_end, last_col)
            for j in range(old_end + 1, end_col + 1):  # a column added to the table needs its definition
                table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1,
                                                      name=str(ws.cell(row=header_row, column=j).value)))
            table.ref = (f"{get_column_letter(first_col)}{header_row}:"
                         f"{get_column_letter(end_col)}{max(last_row, header_row + 1)}")
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref

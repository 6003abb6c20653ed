"""Reading input tables from workbook files (.xlsx, .xlsm; .xls and .ods read too) with python-calamine.

A table is found as an Excel Table named like ``tblInvoices`` (any case), else as a sheet named
``Invoices`` or one of its translations (see ``TableContract.sheet_names``). On a sheet the header
row is the row, among the first 15, whose cells name the most contract columns, so a title or
a blank line above the headers is fine.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

import python_calamine as pc

from ...config import CONFIG_SHEETS
from ...model.contracts import TableContract
from ...model.headers import header_key
from ...model.problems import Problem, ValidationError
from ...model.tables import RawTable, header_row_index
from ...model.values import UNCALCULATED, Percent, is_blank
from .package import SheetScan, percent_styles, scan_sheet, sheet_parts

READABLE = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


class XlsxSource:
    """The read side of the file adapter: finds and reads raw tables of one workbook file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.book = _open(self.path)
        # Excel Tables exist only in .xlsx/.xlsm; .xls, .xlsb and .ods are read by sheet name
        tables = self.book.table_names if self.path.suffix.lower() in (".xlsx", ".xlsm") else None
        self._tables = {name.lower(): name for name in (tables or [])}
        self._scans = _scan(self.path)
        self._sheets = {header_key(name): name for name in self.book.sheet_names}

    def sheet_names(self) -> list[str]:
        return list(self.book.sheet_names)

    def locate(self, contract: TableContract) -> str | None:
        """Where the table is: ``"table tblInvoices"``, ``"sheet Invoices"`` or None."""
        if contract.excel_table.lower() in self._tables:
            return f"table {self._tables[contract.excel_table.lower()]}"
        sheet = self._sheet_named(contract.sheet_names)
        return f"sheet {sheet}" if sheet else None

    def raw_table(self, contract: TableContract) -> RawTable | None:
        """The raw table for ``contract``, or None when the workbook has none."""
        table_name = self._tables.get(contract.excel_table.lower())
        if table_name:
            return self._damaged_as_problem(table_name, lambda: self._read_excel_table(table_name))
        sheet = self._sheet_named(contract.sheet_names)
        return self._damaged_as_problem(sheet, lambda: self._read_sheet(sheet, contract)) if sheet else None

    def raw_config(self) -> RawTable | None:
        """The key/value Config sheet (or Excel Table ``tblConfig``), or None."""
        if "tblconfig" in self._tables:
            return self._damaged_as_problem("tblConfig", lambda: self._read_excel_table(self._tables["tblconfig"]))
        sheet = self._sheet_named(CONFIG_SHEETS)
        if not sheet:
            return None
        grid = self._damaged_as_problem(sheet, lambda: self.book.get_sheet_by_name(sheet).to_python(
            skip_empty_area=False))
        grid = self._with_errors(sheet, [list(r) for r in grid], 1, 1)  # error cells, percent formats
        return RawTable(sheet, list(grid[0]) if grid else [], [list(r) for r in grid[1:]])

    def _damaged_as_problem(self, where: str, read):
        """``read()``, with a damaged part (truncated XML, bad zip entry) reported as a clear problem."""
        try:
            return read()
        except (pc.CalamineError, ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            detail = str(exc).strip() or type(exc).__name__
            raise ValidationError([Problem(f"{self.path.name}!{where}", f"cannot be read: the file is damaged "
                                           f"({detail[:120]}); open it in Excel and save it again, or restore a "
                                           "copy")]) from None

    def _sheet_named(self, names: tuple[str, ...]) -> str | None:
        return next((self._sheets[header_key(n)] for n in names if header_key(n) in self._sheets), None)

    def _read_excel_table(self, name: str) -> RawTable:
        table = self.book.get_table_by_name(name)
        start = table.start or (1, 0)
        rows = self._with_errors(table.sheet, [list(r) for r in table.to_python()], start[0] + 1, start[1] + 1)
        return RawTable(table.sheet, list(table.columns), rows, header_row=start[0], first_column=start[1] + 1,
                        merged=self._merged(table.sheet), notes=self._rows_below(table, name))

    def _rows_below(self, table, name: str) -> list[Problem]:
        """A warning for rows that look like data (two filled cells or more in the table's columns) below
        an Excel Table: they are not part of it and are not read (a script that appends rows with
        openpyxl, or rows typed after a blank line, leave them there)."""
        end = getattr(table, "end", None)
        sheet = self.book.get_sheet_by_name(table.sheet)
        if not end or not sheet.end or sheet.end[0] <= end[0]:  # the sheet's used range ends with the table
            return []
        first_col, last_col = (table.start or (1, 0))[1], end[1]
        below = [r for r, row in enumerate(sheet.iter_rows()) if r > end[0]
                 and sum(not is_blank(x) for x in row[first_col:last_col + 1]) >= 2]
        if not below:
            return []
        one = len(below) == 1
        rows = f"row {below[0] + 1}" if one else f"{len(below)} rows from row {below[0] + 1} to {below[-1] + 1}"
        them = "it" if one else "them"
        return [Problem(table.sheet, f"{rows} below the Excel Table {name} (which ends at row {end[0] + 1}) "
                                     f"{'is' if one else 'are'} not part of it and {'was' if one else 'were'} not "
                                     f"read: resize the table to include {them} (Table Design → Resize Table), or "
                                     f"delete {them}", below[0] + 1,
                        severity="warning")]

    def _merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        scan = self._scans.get(sheet)
        if scan is not None:
            return scan.merged
        ranges = self.book.get_sheet_by_name(sheet).merged_cell_ranges or []  # .xls: calamine knows them
        return [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in ranges]

    def _with_errors(self, sheet: str, rows: list[list[Any]], first_row: int, first_col: int) -> list[list[Any]]:
        """Put Excel error values (#N/A, …) and formulas saved without a result, which calamine reads
        as empty, back into the rows (the latter as ``UNCALCULATED``); mark numbers shown in a percent
        format as :class:`~otc_xl.model.values.Percent` (a percentage column reads 21 % as 21)."""
        scan = self._scans.get(sheet)
        for r, c in scan.percent if scan else ():
            i, j = r - first_row, c - first_col
            if 0 <= i < len(rows) and 0 <= j < len(rows[i]) and type(rows[i][j]) in (float, int):
                rows[i][j] = Percent(rows[i][j])
        marks = dict.fromkeys(scan.uncalculated, UNCALCULATED) if scan else {}
        marks.update(scan.errors if scan else {})
        for (r, c), shown in marks.items():
            i, j = r - first_row, c - first_col
            if 0 <= i < len(rows) and j >= 0:
                rows[i] += [None] * (j + 1 - len(rows[i]))
                rows[i][j] = shown
        return rows

    def _read_sheet(self, name: str, contract: TableContract) -> RawTable:
        sheet = self.book.get_sheet_by_name(name)
        grid = self._with_errors(name, [list(r) for r in sheet.to_python(skip_empty_area=False)], 1, 1)
        header_index = header_row_index(grid, contract)
        if header_index is None:
            return RawTable(name, [], [], merged=self._merged(name))
        headers = list(grid[header_index])
        first = next(j for j, h in enumerate(headers) if not is_blank(h))
        rows = [list(r[first:]) for r in grid[header_index + 1:]]
        return RawTable(name, headers[first:], rows, header_row=header_index + 1, first_column=first + 1,
                        merged=self._merged(name))


def _open(path: Path) -> pc.CalamineWorkbook:
    def fail(message: str) -> ValidationError:
        return ValidationError([Problem(path.name, message)])

    if not path.exists():
        raise fail(f"file not found: {path}")
    if path.suffix.lower() not in READABLE:
        raise fail(f"not a workbook ({path.suffix or 'no extension'}); expected one of {', '.join(READABLE)}")
    try:
        return pc.CalamineWorkbook.from_path(str(path), load_tables=path.suffix.lower() in (".xlsx", ".xlsm"))
    except pc.PasswordError:
        raise fail("the workbook is password-protected; save an unprotected copy") from None
    except (pc.CalamineError, OSError, ValueError) as exc:
        raise fail(f"cannot be read as a workbook ({exc}); is it damaged or not really {path.suffix}?") from None


def _scan(path: Path) -> dict[str, SheetScan]:
    """Error cells and merged ranges of every sheet (xlsx/xlsm; other formats: none)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    try:
        with zipfile.ZipFile(path) as z:
            percent = percent_styles(z)
            return {name: scan_sheet(z, part, percent) for name, part in sheet_parts(z).items()
                    if part in z.NameToInfo}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, EOFError, zlib.error) as exc:
        raise ValidationError([Problem(path.name, f"cannot be read: the file is damaged ({str(exc)[:120]}); open "
                                       "it in Excel and save it again, or restore a copy")]) from None



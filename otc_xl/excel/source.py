"""Reading input tables from a live workbook through xlwings (desktop COM, Lite or Server).

Same rules as the file adapter: an Excel Table named like ``tblInvoices``, else a sheet named
``Invoices`` (or a translation) with the header row among the first 15 rows. Values come as
Excel shows them (dates as dates; error values as ``#N/A`` text where the engine allows), and go
through the same contracts and validation as the command line.
"""

from __future__ import annotations

from typing import Any

from ..config import CONFIG_SHEETS
from ..model.contracts import TableContract
from ..model.headers import header_key
from ..model.tables import RawTable, header_row_index
from ..model.values import is_blank


def _grid(rng) -> list[list[Any]]:
    try:
        values = rng.options(ndim=2, err_to_str=True).value
    except (TypeError, NotImplementedError):  # engines without err_to_str
        values = rng.options(ndim=2).value
    return [list(row) for row in (values or [])]


class XlwingsSource:
    """The read side of the Excel adapter: finds and reads raw tables of an ``xw.Book``."""

    def __init__(self, book):
        self.book = book
        self._tables = {}
        for sheet in book.sheets:
            for table in sheet.tables:
                self._tables[table.name.lower()] = (sheet, table)
        self._sheets = {header_key(s.name): s for s in book.sheets}

    def locate(self, contract: TableContract) -> str | None:
        if contract.excel_table.lower() in self._tables:
            return f"table {self._tables[contract.excel_table.lower()][1].name}"
        sheet = self._sheet_named(contract.sheet_names)
        return f"sheet {sheet.name}" if sheet is not None else None

    def raw_table(self, contract: TableContract) -> RawTable | None:
        found = self._tables.get(contract.excel_table.lower())
        if found:
            sheet, table = found
            rng = table.range
            grid = _grid(rng)
            return RawTable(sheet.name, grid[0] if grid else [], grid[1:], header_row=rng.row,
                            first_column=rng.column)
        sheet = self._sheet_named(contract.sheet_names)
        if sheet is None:
            return None
        rng = sheet.used_range
        grid = _grid(rng)
        index = header_row_index(grid, contract)
        if index is None:
            return RawTable(sheet.name, [], [])
        headers = grid[index]
        first = next(j for j, h in enumerate(headers) if not is_blank(h))
        return RawTable(sheet.name, headers[first:], [r[first:] for r in grid[index + 1:]],
                        header_row=rng.row + index, first_column=rng.column + first)

    def raw_config(self) -> RawTable | None:
        found = self._tables.get("tblconfig")
        if found:
            grid = _grid(found[1].range)
            return RawTable(found[0].name, grid[0] if grid else [], grid[1:])
        sheet = self._sheet_named(CONFIG_SHEETS)
        if sheet is None:
            return None
        grid = _grid(sheet.used_range)
        return RawTable(sheet.name, grid[0] if grid else [], grid[1:])

    def sheet_grid(self, names: tuple[str, ...]) -> tuple[str, list[list[Any]]] | None:
        """(sheet name, every cell of its used range) of the first sheet called one of ``names``."""
        sheet = self._sheet_named(names)
        return None if sheet is None else (sheet.name, _grid(sheet.used_range))

    def _sheet_named(self, names: tuple[str, ...]):
        return next((self._sheets[header_key(n)] for n in names if header_key(n) in self._sheets), None)

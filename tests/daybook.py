"""An associate's workbook held in memory, for tests that run many commands over many days.

:class:`DayBook` is both doors' halves at once: a ``TableSource`` (the tables are read through the
same contracts and validation as from a file) and a ``Sink`` (our sheets replace themselves by name,
as the in-place splice does; documents go to a real folder, ``letters/<date>/``, where the next
command finds them as evidence). Commands run through ``otc_xl.workflows.commands.perform``, the one
path of the CLI and the buttons, without the cost of writing .xlsx files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd

import builders
from otc_xl.booking import Request
from otc_xl.config import CONFIG_SHEETS
from otc_xl.io.evidence import evidence_beside
from otc_xl.io.files import write_files
from otc_xl.io.xlsx.report_writer import write_new_workbook
from otc_xl.ledger import load_ledger
from otc_xl.model.contracts import CUSTOMERS, INVOICES, PAYMENTS
from otc_xl.model.headers import header_key
from otc_xl.model.problems import ValidationError
from otc_xl.model.tables import RawTable
from otc_xl.workflows import COMMANDS
from otc_xl.workflows.commands import Performed, perform


def _cell(value):
    if isinstance(value, float) and pd.isna(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


class DayBook:
    """Sheets by name: a header row and data rows (lists), as a workbook holds them."""

    def __init__(self, folder: Path, sheets: dict[str, list[list]]):
        self.folder = folder
        self.sheets = {name: [list(r) for r in rows] for name, rows in sheets.items()}
        self.as_of: dt.date | None = None

    # ------------------------------------------------------------------ TableSource
    def _find(self, names: tuple[str, ...]) -> str | None:
        keys = {header_key(n): n for n in self.sheets}
        return next((keys[header_key(n)] for n in names if header_key(n) in keys), None)

    def raw_table(self, contract) -> RawTable | None:
        name = self._find(contract.sheet_names)
        if name is None or not self.sheets[name]:
            return None
        rows = self.sheets[name]
        return RawTable(name, list(rows[0]), [list(r) for r in rows[1:]])

    def raw_config(self) -> RawTable | None:
        name = self._find(CONFIG_SHEETS)
        return RawTable(name, list(self.sheets[name][0]), self.sheets[name][1:]) if name else None

    # ------------------------------------------------------------------ Sink
    @property
    def letters(self) -> Path:
        return self.folder / "letters"

    def write_documents(self, files: dict[str, bytes], books: dict, created) -> Path:
        target = self.letters / f"{self.as_of:%Y-%m-%d}"
        write_files(target, files)
        for name, sheets in books.items():
            write_new_workbook(target / name, sheets, created=created)
        return target

    def write_sheets(self, sheets: list) -> list[str]:
        for sheet in sheets:
            frame = sheet.frame
            self.sheets[sheet.sheet] = [list(map(str, frame.columns))] + [
                [_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        return [s.sheet for s in sheets]

    # ------------------------------------------------------------------ commands
    def ledger(self, as_of: dt.date, require=("invoices",)):
        ledger = load_ledger(self, require=require, as_of=as_of)
        if not ledger.ok:
            raise ValidationError(ledger.problems)
        return ledger

    def command(self, name: str, as_of: dt.date, request: Request | None = None,
                jobs: tuple[str, ...] | None = None) -> Performed:
        """Run ``otc-xl NAME BOOK --as-of AS_OF --in-place`` on this book (documents to letters/<date>/);
        ``jobs`` runs only those of the command's jobs (the sheets a test reads)."""
        spec = COMMANDS[name]
        if jobs is not None:
            assert set(jobs) <= set(spec.jobs), f"{name} does not run {set(jobs) - set(spec.jobs)}"
            spec = replace(spec, jobs=jobs)
        self.as_of = as_of
        ledger = self.ledger(as_of, spec.require)
        return perform(spec, ledger, self, evidence_beside(None, self.letters, spec.pays), request)

    def report(self, name: str, as_of: dt.date) -> Performed:
        """A command writing a new report workbook: the book itself does not change."""
        copy = DayBook(self.folder, self.sheets)
        return copy.command(name, as_of)

    def table(self, sheet: str) -> pd.DataFrame:
        rows = self.sheets.get(sheet) or [[]]
        return pd.DataFrame(rows[1:], columns=rows[0])

    def append(self, sheet: str, row: dict) -> None:
        header = self.sheets[sheet][0]
        self.sheets[sheet].append([row.get(h) for h in header])

    def set_open(self, invoice_id: str, open_amount: float) -> None:
        """The ERP export of the next day: the invoice's open amount as the ERP now shows it."""
        header = self.sheets["Invoices"][0]
        k = header.index("open_amount")
        for row in self.sheets["Invoices"][1:]:
            if row[0] == invoice_id:
                row[k] = open_amount


def book_from_workbook(folder: Path, path: Path) -> DayBook:
    """A DayBook holding the values of every sheet of the .xlsx at ``path`` (e.g. the demo workbook)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()
    return DayBook(folder, sheets)


def new_book(folder: Path, invoices: list[dict], customers: list[dict], payments: list[dict] = (),
             config: dict | None = None, extra: dict[str, list[list]] | None = None) -> DayBook:
    """A DayBook with Invoices, Payments, Customers (rows from ``builders``: every contract column, under
    its own name), Config (and ``extra`` sheets)."""
    sheets = {"Invoices": builders.sheet(invoices, INVOICES.column_names),
              "Payments": builders.sheet(payments, PAYMENTS.column_names),
              "Customers": builders.sheet(customers, CUSTOMERS.column_names),
              "Config": [["Setting", "Value"], *([k, v] for k, v in (config or {}).items())]}
    sheets.update(extra or {})
    return DayBook(folder, sheets)

"""Loading a workbook's input tables into one validated :class:`Ledger`.

Works with any *source* that can hand over raw tables (the file adapter
:class:`otc_xl.io.XlsxSource`, or the Excel adapter), so the CLI and the Excel buttons share
one path from cells to canonical frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from .config import Config, config_from_sheet, config_from_toml
from .model.billing import BILLING_RECORDS
from .model.contracts import CONTRACTS, TableContract
from .model.problems import Problem, errors_in
from .model.records import RECORDS
from .model.tables import RawTable, empty_frame, parse_table


class TableSource(Protocol):
    """What a workbook adapter offers for reading."""

    def raw_table(self, contract: TableContract) -> RawTable | None: ...

    def raw_config(self) -> RawTable | None: ...


@dataclass
class Ledger:
    """The canonical input tables of one workbook, the settings in force, and what was wrong."""

    invoices: pd.DataFrame
    payments: pd.DataFrame
    customers: pd.DataFrame
    orders: pd.DataFrame
    sales: pd.DataFrame
    aliases: pd.DataFrame
    config: Config
    cleared_items: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The ERP's cleared items (optional): payments naming them are duplicates."""
    advices: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Remittance advice lines (optional): per bank line, the invoices it pays."""
    exchange_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Exchange rates (optional): what a payment in another currency than its items is worth in theirs."""
    problems: list[Problem] = field(default_factory=list)
    found: dict[str, str] = field(default_factory=dict)
    """The sheet each table was read from; absent tables are left out."""
    records: dict[str, pd.DataFrame] = field(default_factory=dict)
    """otc_xl's own records read back (``RECORDS``: dunning_history, worklist, contact_log,
    writeoff_approvals, credit_approvals); each is present, empty when the workbook has none."""

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def ok(self) -> bool:
        return not self.errors


def load_ledger(source: TableSource, require: tuple[str, ...] = ("invoices",), toml: Path | None = None,
                **overrides) -> Ledger:
    """Read config and every input table from ``source``; validate; fill defaults.

    ``require`` names the tables that must exist; ``overrides`` are settings from the command
    line (None values are ignored). All problems of all tables are collected in the result.
    """
    config, problems = config_from_sheet(source.raw_config())
    if toml:
        config, toml_problems = config_from_toml(toml, config)
        problems += toml_problems
    config = config.replace(**overrides)
    frames: dict[str, pd.DataFrame] = {}
    records: dict[str, pd.DataFrame] = {}  # otc_xl's own sheets read back: never required
    found: dict[str, str] = {}
    for contracts, into in ((CONTRACTS, frames), (RECORDS | {c.name: c for c in BILLING_RECORDS}, records)):
        for name, contract in contracts.items():
            raw = source.raw_table(contract)
            if raw is None:
                into[name] = empty_frame(contract)
                if name in require:
                    problems.append(Problem(contract.sheet_names[0], f"no {name} found: add a sheet named "
                                            f"{contract.sheet_names[0]} or an Excel Table named "
                                            f"{contract.excel_table}"))
                continue
            found[name] = raw.sheet
            into[name], table_problems = parse_table(contract, raw, config.parse_options())
            problems += table_problems
            if name in require and into[name].empty and not table_problems:
                problems.append(Problem(raw.sheet, f"no {name} rows below the header", raw.header_row,
                                        severity="warning"))
    ledger = Ledger(config=config, problems=problems, found=found, records=records, **frames)
    if ledger.ok:
        _enrich_from_customers(ledger)
        _check_ibans(ledger)
    ledger.problems[:] = in_reading_order(ledger.problems)
    return ledger


def in_reading_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` per sheet (in the order the sheets were read), then by row and column, as a person
    reads the sheet (whole-sheet problems first; in a row, one without a column after its cells); the
    order found is kept among equals."""
    sheets: dict[str, int] = {}
    for p in problems:
        sheets.setdefault(p.sheet, len(sheets))
    return sorted(problems, key=lambda p: (sheets[p.sheet], p.row or 0, p.column or 1 << 14))


def _check_ibans(ledger: Ledger) -> None:
    """Warn about customer IBANs that cannot be right: payments from them would never be recognised."""
    from .model.values import iban_problem, us_account

    for row, ibans in zip(ledger.customers["source_row"], ledger.customers["iban"]):
        for iban in filter(None, (i.strip() for i in str(ibans).split(";"))):
            reason = None if us_account(iban) else iban_problem(iban)
            if reason:
                ledger.problems.append(Problem(ledger.found["customers"], f"iban {iban!r} is not a valid IBAN "
                                               f"({reason}); payments from it will not be recognised",
                                               int(row), _column(ledger.customers, "iban"), severity="warning"))


def _enrich_from_customers(ledger: Ledger) -> None:
    """Fill invoice names/collectors from the master; warn about customers it does not know."""
    customers, invoices = ledger.customers, ledger.invoices
    if customers.empty or invoices.empty:
        return
    master = customers.set_index("customer_id")
    for column in ("customer_name", "collector"):
        known = invoices["customer_id"].map(master[column])
        invoices[column] = invoices[column].where(invoices[column] != "", known.fillna(""))
    unknown = invoices.loc[~invoices["customer_id"].isin(master.index)]
    for customer_id, rows in unknown.groupby("customer_id")["source_row"]:
        ledger.problems.append(Problem(ledger.found["invoices"],
                                       f"customer_id {customer_id!r} is not in Customers ({len(rows)} item(s), "
                                       f"first row {rows.min()})", int(rows.min()),
                                       _column(invoices, "customer_id"), severity="warning"))


def _column(frame: pd.DataFrame, name: str) -> int | None:
    """The Excel column ``name`` was read from (the frame's ``excel_columns``), for a problem's cell."""
    return frame.attrs.get("excel_columns", {}).get(name)

"""Rows and frames for tests, built from the contracts (``otc_xl/model/contracts.py``).

Engines only ever get canonical frames from ``parse_table``: every contract column, typed by its kind,
plus ``source_row``. The builders give tests the same frames, so a test names only the values that
matter and the engines need no ``if "col" in frame`` for columns the contract guarantees::

    invoices(invoice(id="FV-1", customer="C1", due=date(2026, 10, 1), amount=1000.0),
             invoice(id="AB-1", customer="C1", due=date(2026, 10, 5), amount=-100.0, dispute_code="PRICING"))
    payments(payment(id="P1", amount=900.0, payer="ACME", remittance="FV-1"))
    customers(customer(id="C1", language="es", email="ap@c1.example"))

* :func:`row` fills one row of any contract: every column gets its kind's default (as ``parse_table``
  fills an empty cell: ``""`` for text and ids, ``NaT`` for dates, ``0.0`` for amounts, ``EUR`` for
  currencies, ``en`` for languages, ``<NA>`` for integers, ``NaN`` for numbers) and keywords override
  it; an unknown column is a ``TypeError``, so a typo cannot silently build a different row.
* :func:`invoice`, :func:`payment`, :func:`customer`, :func:`order`, :func:`sale` add the defaults that
  tie columns together (an invoice dated 30 days before it is due, open for its amount, ``CRN`` when
  negative) and short names for the columns every test sets.
* :func:`frame` (and :func:`invoices`, :func:`payments`, :func:`customers`, :func:`orders`,
  :func:`sales`) types the rows as ``parse_table`` does, contract columns in order, ``source_row`` 2…
* :func:`sheet` gives the rows as a workbook holds them (a header row, then cells), for
  ``make_book`` / :class:`daybook.DayBook`; :func:`cells` one row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from otc_xl.model.contracts import CONTRACTS, TableContract
from otc_xl.model.tables import SOURCE_ROW, empty_frame

DUE = dt.date(2026, 10, 31)
"""The default due date: a month before the tests' usual as-of date (30 November 2026)."""
PAID = dt.date(2026, 11, 20)
"""The default payment date."""

KIND_DEFAULTS: dict[str, Any] = {"id": "", "text": "", "date": pd.NaT, "amount": 0.0, "currency": "EUR",
                                 "language": "en", "integer": pd.NA, "number": np.nan}
"""What ``parse_table`` gives an empty cell of each kind (Config defaults: home_currency EUR, language en)."""


def _contract(contract: str | TableContract) -> TableContract:
    return contract if isinstance(contract, TableContract) else CONTRACTS[contract]


def _value(kind: str, value: Any) -> Any:
    if kind == "date" and value is not None and not (isinstance(value, float) and np.isnan(value)):
        return pd.Timestamp(value)
    if kind == "amount" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)  # text stays text: a workbook row may hold "1.234,56" on purpose
    return value


def row(contract: str | TableContract, **values: Any) -> dict[str, Any]:
    """One row of ``contract`` (a TableContract or its name): every column, ``values`` over the defaults."""
    contract = _contract(contract)
    unknown = set(values) - set(contract.column_names)
    if unknown:
        raise TypeError(f"{contract.name} has no column {', '.join(sorted(unknown))} "
                        f"(columns: {', '.join(contract.column_names)})")
    return {c.name: _value(c.kind, values[c.name]) if c.name in values else _default(c)
            for c in contract.columns}


def _default(column: Any) -> Any:
    """An empty cell's value: only the column named ``currency`` takes the home currency (``instructed_currency``,
    ``base_currency`` stay empty, as ``parse_table`` leaves them)."""
    return "" if column.kind == "currency" and column.name != "currency" else KIND_DEFAULTS[column.kind]


def frame(contract: str | TableContract, rows: Iterable[dict[str, Any]] = ()) -> pd.DataFrame:
    """The canonical frame of ``rows`` (dicts from :func:`row` or the table builders; a partial dict is
    completed with the defaults): contract columns in order, typed by kind, ``source_row`` from 2 (the
    first row under a header) unless the rows give it."""
    contract = _contract(contract)
    rows = list(rows)
    if not rows:
        return empty_frame(contract)
    full = [row(contract, **{k: v for k, v in r.items() if k != SOURCE_ROW}) for r in rows]
    out = pd.DataFrame(full, columns=contract.column_names)
    for column in contract.columns:
        if column.kind == "date":
            out[column.name] = pd.to_datetime(out[column.name]).astype("datetime64[ns]")  # as parse_table
        elif column.kind in ("amount", "number"):
            out[column.name] = out[column.name].astype("float64")
        elif column.kind == "integer":
            out[column.name] = out[column.name].astype("Int64")
    out[SOURCE_ROW] = [int(r.get(SOURCE_ROW, i + 2)) for i, r in enumerate(rows)]
    return out


# ----------------------------------------------------------------------------------- one row per table

def invoice(id: str = "INV-0001", customer: str = "C1", due: dt.date | str | pd.Timestamp = DUE,
            amount: float = 100.0, *, open: float | None = None, issued: dt.date | str | pd.Timestamp | None = None,
            **columns: Any) -> dict[str, Any]:
    """An open item (Invoices): ``issued`` 30 days before ``due`` unless given, ``open`` = ``amount``
    unless given, ``doc_type`` CRN when the amount is negative (as ``parse_table`` fills it)."""
    due = pd.Timestamp(due)
    credit = isinstance(amount, (int, float)) and amount < 0
    return row("invoices", invoice_id=id, customer_id=customer, due_date=due,
               invoice_date=pd.Timestamp(issued) if issued is not None else due - pd.Timedelta(days=30),
               amount=amount, open_amount=amount if open is None else open,
               **{"doc_type": "CRN" if credit else "INV", **columns})


def payment(id: str = "P1", date: dt.date | str | pd.Timestamp = PAID, amount: float = 100.0, *, payer: str = "",
            remittance: str = "", account: str = "", **columns: Any) -> dict[str, Any]:
    """A bank line (Payments)."""
    return row("payments", payment_id=id, payment_date=date, amount=amount, payer_name=payer,
               remittance=remittance, payer_account=account, **columns)


def customer(id: str = "C1", name: str | None = None, **columns: Any) -> dict[str, Any]:
    """A customer (Customers): named ``Customer <id>`` unless ``name`` is given."""
    return row("customers", customer_id=id, customer_name=f"Customer {id}" if name is None else name, **columns)


def order(id: str = "SO1", customer: str = "C1", delivered: dt.date | str | pd.Timestamp = DUE,
          amount: float = 100.0, **columns: Any) -> dict[str, Any]:
    """A delivered order line (Orders); ``billed_amount`` NaN (not stated) unless given."""
    return row("orders", order_id=id, customer_id=customer, delivery_date=delivered, amount=amount,
               **{"billed_amount": np.nan, **columns})


def sale(date: dt.date | str | pd.Timestamp, amount: float, **columns: Any) -> dict[str, Any]:
    """A month's credit sales (Sales)."""
    return row("sales", date=date, amount=amount, **columns)


# ----------------------------------------------------------------------------------- frames

def invoices(*rows: dict[str, Any]) -> pd.DataFrame:
    return frame("invoices", rows)


def payments(*rows: dict[str, Any]) -> pd.DataFrame:
    return frame("payments", rows)


def customers(*rows: dict[str, Any]) -> pd.DataFrame:
    return frame("customers", rows)


def orders(*rows: dict[str, Any]) -> pd.DataFrame:
    return frame("orders", rows)


def sales(*rows: dict[str, Any]) -> pd.DataFrame:
    return frame("sales", rows)


# ----------------------------------------------------------------------------------- workbook cells

def cell(value: Any) -> Any:
    """A value as a workbook cell holds it: None for blanks, a date for a timestamp at midnight."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    return value


def cells(values: dict[str, Any], columns: Iterable[str]) -> list[Any]:
    """The cells of ``values`` (a built row) for ``columns``, in that order."""
    return [cell(values[c]) for c in columns]


def sheet(rows: Iterable[dict[str, Any]], columns: Iterable[str], headers: Iterable[str] | None = None
          ) -> list[list[Any]]:
    """A sheet as a workbook holds it: ``headers`` (the ``columns`` themselves unless given: a user's
    header names the column through its synonyms), then one row of cells per built row."""
    columns = list(columns)
    return [list(headers if headers is not None else columns), *(cells(r, columns) for r in rows)]


INVOICE_HEADERS = ["Invoice No.", "Customer No.", "Customer name", "Invoice date", "Due date", "Currency",
                   "Amount", "Open amount", "Reference"]
"""An ERP export's Invoices headers (the demo workbook's), for the sheets of :func:`invoice_row`."""
INVOICE_COLUMNS = ["invoice_id", "customer_id", "customer_name", "invoice_date", "due_date", "currency", "amount",
                   "open_amount", "reference"]


def invoice_row(n: int, customer: str = "C1", amount: float = 100.0, due: dt.date = DUE) -> list[Any]:
    """The cells of invoice ``INV-<n>`` under :data:`INVOICE_HEADERS`."""
    return cells(invoice(f"INV-{n:04d}", customer, due, amount, customer_name=f"Customer {customer}"), INVOICE_COLUMNS)

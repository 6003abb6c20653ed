"""Reading the customer's view of the account (for reconciliation) from a file or a pasted sheet.

Any layout the ``THEIR_ACCOUNT`` contract recognises: headers in EN/ES/IT/FR/DE, a title or a
customer block above them, amounts in one signed column or in debit/credit columns, decimal comma
or point, day-first dates. Lines without any document number (totals, balances carried forward,
blank separators) are left out and counted. Which sign convention the customer used is settled
later, against our own items (:mod:`otc_xl.collecting.reconcile`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...model.contracts import THEIR_ACCOUNT
from ...model.money import cents
from ...model.problems import Problem, ValidationError, errors_in
from ...model.tables import HEADER_SEARCH_ROWS, ParseOptions, RawTable, header_row_index, parse_table
from ...model.values import is_blank


def read_their_account(path: Path, options: ParseOptions = ParseOptions()) -> tuple[pd.DataFrame, list[str], set[str]]:
    """(their lines, notes, columns found) from a customer's .xlsx/.xls/.ods (first sheet) or .csv file."""
    if not path.exists():
        raise ValidationError([Problem(path.name, "the customer's file does not exist")])
    from .bank.tabular_grid import read_grid

    notes: list[str] = []
    return their_account_from_grid(path.name, read_grid(path, notes), options, notes)


def their_account_from_grid(name: str, grid: list[list[Any]], options: ParseOptions = ParseOptions(),
                            notes: list[str] | None = None) -> tuple[pd.DataFrame, list[str], set[str]]:
    """(their lines with ``signed`` amounts as written, notes, the contract columns found) from the
    cells of a sheet or file."""
    notes = notes if notes is not None else []
    best = header_row_index(grid[:HEADER_SEARCH_ROWS], THEIR_ACCOUNT)
    if best is None:
        raise ValidationError([Problem(name, "the file is empty; expected the customer's lines with a document "
                                             "number and an amount")])
    raw = RawTable(name, grid[best], [list(r) for r in grid[best + 1:]], header_row=best + 1)
    mapped = {c.name for c in map(THEIR_ACCOUNT.match_header, raw.headers) if c is not None}
    missing = [what for what, need in (("document number column (invoice no., factura, fattura, facture, "
                                        "Rechnung …)", {"document", "their_document"}),
                                       ("amount column nor debit and credit columns", {"amount", "debit", "credit"}))
               if not mapped & need]
    if missing:
        found = ", ".join(repr(str(h)[:40]) for h in raw.headers if not is_blank(h)) or "none"
        raise ValidationError([Problem(name, f"unknown layout: no {' and no '.join(missing)} in the header row "
                                             f"(row {best + 1}: {found})", best + 1)])
    frame, problems = parse_table(THEIR_ACCOUNT, raw, options)
    if errors_in(problems):
        raise ValidationError(problems)
    if "amount" in mapped:
        signed = cents(frame["amount"])
    else:  # their debit minus their credit: the convention is settled against our items later
        signed = cents(frame["debit"].fillna(0)) - cents(frame["credit"].fillna(0))
    frame["signed"] = signed / 100.0
    keep = (frame["document"] != "") | (frame["their_document"] != "")
    if (~keep).sum():
        notes.append(f"{name}: {int((~keep).sum())} line(s) without a document number left out (totals, "
                     "balances carried forward)")
    return frame.loc[keep].reset_index(drop=True), notes, mapped


_CUSTOMER_LABELS = {"customer", "customer id", "customer no", "cliente", "codigo cliente", "codice cliente", "client",
                    "code client", "kunde", "kundennummer", "account", "cuenta", "conto"}


def customer_above_header(grid: list[list[Any]]) -> str:
    """The customer id written beside a label such as ``Customer:`` / ``Cliente:`` / ``Kunde:`` in the
    rows above the header of a pasted statement ("" when there is none)."""
    from ...model.headers import header_key

    best = header_row_index(grid[:HEADER_SEARCH_ROWS], THEIR_ACCOUNT) or 0
    for row in grid[:best]:
        for j, cell in enumerate(row[:-1]):
            if not is_blank(cell) and header_key(str(cell).rstrip(": ")) in _CUSTOMER_LABELS \
                    and not is_blank(row[j + 1]):
                value = row[j + 1]
                return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return ""

"""Bank exports as CSV (any delimiter, UTF-8/cp1252/latin-1) or spreadsheet (first sheet).

Columns are recognised by header in EN/ES/IT/FR/DE (see ``BANK_EXPORT``), or named explicitly
with a per-bank profile ``{"value_date": "F. valor", "amount": "Importe", …}`` (Config
``bank_columns``). Amounts in one signed column or in separate credit/debit columns; decimal comma
or point and day-first dates are read as for workbooks. Credits become payments; debits are counted
and skipped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ....model.headers import header_key
from ....model.problems import Problem, ValidationError, errors_in
from ....model.tables import (
    HEADER_SEARCH_ROWS,
    SOURCE_ROW,
    ParseOptions,
    RawTable,
    header_row_index,
    nearest_header,
    parse_table,
)
from ....model.values import DecimalSeparator, infer_date_order, infer_decimal_separator, is_blank, parse_text
from .common import STRICT, BankLines, ReadPolicy, fail, frame, meaningful_reference, stable_id, with_unique_ids
from .tabular_columns import BANK_EXPORT, SKIPPED_STATUS, SKIPPED_TYPE, _marks
from .tabular_grid import _csv_rows, _CsvRows, _spreadsheet_grid

CHUNK_ROWS = 20_000
"""Rows validated at a time: a 600,000-line export never sits in memory as one table of cells."""


def read_tabular(path: Path, options: ParseOptions = ParseOptions(),
                 profile: dict[str, str] | None = None,
                 progress: Callable[[int, int], None] | None = None, policy: ReadPolicy = STRICT) -> BankLines:
    """Receipts of a CSV or spreadsheet export; ``progress(rows done, rows in all)`` after each chunk.

    A row with fewer fields than the header (a missing trailing field) is named and refuses the
    file; with ``policy.accept_short_rows`` it is left out, named in a note, and the rest imported."""
    suffix = path.suffix.lower()
    spreadsheet = suffix in (".xlsx", ".xlsm", ".xls", ".ods")
    notes: list[str] = []
    rows = _spreadsheet_grid(path) if spreadsheet else _csv_rows(path, notes)
    top = list(itertools.islice(iter(rows), HEADER_SEARCH_ROWS))
    header = _raw_table(path.name, top, profile or {})
    matched = [BANK_EXPORT.match_header(h) for h in header.headers]
    mapped = {c.name for c in matched if c is not None}
    needs = (("an amount or credit column", ("amount", "credit")), ("a date column", ("value_date", "booking_date")))
    missing = [(need, options) for need, options in needs if not mapped & set(options)]
    if missing:
        headers = ", ".join(repr(str(h)[:40]) for h in header.headers if not is_blank(h)) or "none"
        free = [h for h, c in zip(header.headers, matched) if c is None and not is_blank(h)]
        near = list(dict.fromkeys(n for _, options in missing for name in options
                                  if (n := nearest_header(BANK_EXPORT.column(name), free))))
        hint = f"; did you mean {', '.join(repr(n) for n in near)}? rename it, or" if near else ";"
        raise fail(path.name, f"cannot map the columns: no {' and no '.join(m.split(' ', 1)[1] for m, _ in missing)} "
                              f"(found {headers}){hint} name them in a bank profile, e.g. Config bank_columns = "
                              "value_date=F. valor; amount=Importe")
    header, extras = _resolve_duplicates(header, notes)
    marks = _marks(profile or {})
    options = _settled_date_order(path.name, rows, header, options, notes)
    frames, problems, debits, skip = [], [], 0, header.header_row  # rows before the data: header and above
    skipped: dict[str, int] = {}
    seen: dict[str, str] = {}
    data_rows = itertools.islice(iter(rows), skip, None)
    offset = header.header_row
    total = (rows.text.count("\n") if isinstance(rows, _CsvRows) else len(rows)) - skip
    width = max((j + 1 for j, h in enumerate(header.headers) if not is_blank(h)), default=0)
    short: list[str] = []
    while True:
        chunk = list(itertools.islice(data_rows, CHUNK_ROWS))
        if not chunk:
            break
        if isinstance(rows, _CsvRows):
            problems += _short_rows(path.name, chunk, offset, width, header, policy, short)
        raw = RawTable(path.name, header.headers, chunk, header_row=offset)
        offset += len(chunk)
        if options.decimal_separator == "auto":  # settled by the first chunk whose amounts decide it
            options = _settled_decimal_separator(raw, options)
        if progress:
            progress(min(offset - header.header_row, max(total, 0)), max(total, 0))
        lines, found = parse_table(BANK_EXPORT, raw, options)
        problems += errors_in(found)
        if len(problems) >= 200:
            break
        if not errors_in(found):
            _join_extra_text(lines, chunk, raw.header_row, extras)
            receipts, chunk_debits, wrong = _receipts(lines, marks, skipped, raw, header, seen)
            problems += wrong
            frames.append(receipts)
            debits += chunk_debits
    if problems:
        raise ValidationError(problems)
    if short:
        notes.append(f"{path.name}: {len(short):,} row(s) with missing fields not imported (--accept-short-rows): "
                     + "; ".join(short[:10]) + ("; …" if len(short) > 10 else ""))
    if skipped:
        notes.append(f"{path.name}: not imported (not customers' payments): "
                     + ", ".join(f"{n:,} {why}" for why, n in sorted(skipped.items())))
    payments = frame(pd.concat(frames, ignore_index=True) if frames else [])
    payments = with_unique_ids(payments)
    return BankLines(payments, debits, "XLSX" if spreadsheet else "CSV", notes)


def _short_rows(name: str, chunk: list[list[Any]], offset: int, width: int, header: RawTable, policy: ReadPolicy,
                short: list[str]) -> list[Problem]:
    """Problems for the rows of ``chunk`` with fewer fields than the header (blank rows excepted);
    with ``policy.accept_short_rows`` they are blanked instead (left out) and listed in ``short``."""
    problems: list[Problem] = []
    for i, row in enumerate(chunk):
        if len(row) >= width or all(is_blank(v) for v in row):
            continue
        line = offset + i + 1
        missing = ", ".join(repr(str(h)) for h in header.headers[len(row):width] if not is_blank(h))
        what = f"line {line} has {len(row)} field(s), the header has {width} (missing: {missing})"
        if policy.accept_short_rows:
            short.append(what)
            chunk[i] = []
        elif len(problems) < 20:
            problems.append(Problem(name, f"{what}; the file is refused: --accept-short-rows imports the other "
                                          "rows and leaves this one out"))
    return problems


def _receipts(lines: pd.DataFrame, marks: tuple[frozenset, frozenset], skipped: dict[str, int], raw: RawTable,
              header: RawTable, seen: dict[str, str]) -> tuple[pd.DataFrame, int, list[Problem]]:
    """(receipts in canonical payments columns, debit lines, problems) of one validated chunk.

    The amount is signed by its own sign, by separate credit/debit columns, or by an indicator
    column (H/S, C/D, CR/DR, Bij/Af …); lines a payment provider marks pending or failed, and its
    currency conversions, holds and payouts, are counted in ``skipped`` and left out."""
    problems: list[Problem] = []
    empty = lines["amount"].isna() & lines["credit"].isna() & lines["debit"].isna()
    if empty.any():  # a line without any amount is neither a receipt nor a debit: never a silent skip
        column = _column_of(header, "amount") or _column_of(header, "credit")
        for row in lines.loc[empty, SOURCE_ROW]:
            problems.append(Problem(raw.sheet, "the bank line has no amount (the amount, or credit and debit, "
                                    "are empty): a number was expected", int(row), column))
    date = lines["value_date"].fillna(lines["booking_date"])
    amount = lines["amount"].fillna(0).to_numpy()
    if (lines["indicator"] != "").any():  # most exports sign the amount itself: no column to look at
        indicator = lines["indicator"].str.strip().str.lower()
        credit_marks, debit_marks = marks
        unknown = (indicator != "") & ~indicator.isin(credit_marks | debit_marks)
        column = _column_of(header, "indicator")
        for row, mark in zip(lines.loc[unknown, SOURCE_ROW], lines.loc[unknown, "indicator"]):
            problems.append(Problem(raw.sheet, f"indicator {mark!r} is neither a credit mark (H, C, CR, Bij, +, …) nor "
                                    "a debit mark (S, D, DR, Af, -, …); name them in the bank profile "
                                    "(credit_marks=…; debit_marks=…)", int(row), column))
        amount = np.where(indicator.isin(debit_marks).to_numpy(), -np.abs(amount),
                          np.where(indicator.isin(credit_marks).to_numpy(), np.abs(amount), amount))
    credit = np.where(lines["credit"].notna(), lines["credit"].fillna(0), amount)
    debit_col = lines["debit"].fillna(0).abs().to_numpy()
    is_credit = (credit > 0) & ~(debit_col > 0)
    status = lines["status"].fillna("")
    kind = lines["booking_text"].fillna("")
    bad_status, bad_kind = _matching(status, SKIPPED_STATUS), _matching(kind, SKIPPED_TYPE)
    for what, values, mask in (("status", status, bad_status), ("type", kind, bad_kind & ~bad_status)):
        for value in values[mask & is_credit]:
            skipped[f"{what} {value.strip().lower()!r}"] = skipped.get(f"{what} {value.strip().lower()!r}", 0) + 1
    keep = is_credit & ~bad_status & ~bad_kind
    sel = lines.loc[keep]
    remittance = sel["remittance"].where(sel["remittance"] != "", sel["booking_text"])
    fee = sel["fee"].abs()
    charged = fee.notna() & (fee != 0)
    if charged.any():  # most exports have no fee column: no text to build
        remittance = remittance.where(~charged, remittance + " (fee " + fee.map("{:.2f}".format) + ")")
    out = pd.DataFrame({"payment_id": sel["reference"].map(meaningful_reference).to_numpy(),
                        "payment_date": date[keep].to_numpy(),
                        "amount": credit[keep], "currency": _shared(sel["currency"], seen),
                        "payer_name": _shared(sel["payer_name"], seen),
                        "payer_account": _shared(sel["payer_account"], seen),
                        "remittance": remittance.str.strip().to_numpy(), "customer_id": ""})
    missing = np.flatnonzero((out["payment_id"] == "").to_numpy())
    if len(missing):  # one pass over plain values: a row lookup (iloc) each cost 100 µs, 8x the whole read
        ids = out["payment_id"].to_numpy(dtype=object).copy()
        rows = out.iloc[missing]
        for i, day, amount, name, account, text in zip(
                missing, rows["payment_date"], rows["amount"].tolist(), rows["payer_name"].tolist(),
                rows["payer_account"].tolist(), rows["remittance"].tolist()):
            ids[i] = stable_id("BANK", day, amount, name, account, text)
        out["payment_id"] = ids
    return out, int((~is_credit).sum()), problems


def _matching(values: pd.Series, pattern: re.Pattern) -> np.ndarray:
    """Mask of the non-empty values that contain ``pattern`` (empty columns cost nothing)."""
    out = (values != "").to_numpy(dtype=bool, copy=True)
    if out.any():
        out[out] = values[out].str.contains(pattern).to_numpy(dtype=bool)
    return out


def _column_of(header: RawTable, name: str) -> int | None:
    for j, h in enumerate(header.headers):
        c = BANK_EXPORT.match_header(h) if not is_blank(h) else None
        if c is not None and c.name == name:
            return header.first_column + j
    return None


EXTRA = "\x00extra text "
IGNORED = "\x00ignored "


def _resolve_duplicates(header: RawTable, notes: list[str]) -> tuple[RawTable, list[int]]:
    """Headers made unambiguous for a bank export: several text columns (Verwendungszweck and a
    second one, PayPal's Subject/Note/Invoice Number …) are joined into the remittance; of several
    currency columns (ING: one beside the balance, one beside the amount) the one after the amount
    is used; a repeated name, status, type or reference column is used once (the first)."""
    headers = list(header.headers)
    seen: dict[str, int] = {}
    extras: list[int] = []
    columns = [BANK_EXPORT.match_header(h) if not is_blank(h) else None for h in headers]
    amount_at = next((j for j, c in enumerate(columns) if c is not None and c.name in ("amount", "credit")), None)
    currencies = [j for j, c in enumerate(columns) if c is not None and c.name == "currency"]
    if len(currencies) > 1:
        keep = next((j for j in currencies if amount_at is not None and j > amount_at), currencies[0])
        for j in currencies:
            if j != keep:
                headers[j] = f"{IGNORED}{headers[j]}"
        seen["currency"] = keep
    for j, column in enumerate(columns):
        if column is None or str(headers[j]).startswith(IGNORED):
            continue
        if column.name in seen and seen[column.name] != j:
            if column.name == "remittance":
                extras.append(j)
                headers[j] = f"{EXTRA}{headers[j]}"
            elif column.kind == "text":
                notes.append(f"column {headers[j]!r} also means {column.name}; the first such column is used")
                headers[j] = f"{IGNORED}{headers[j]}"
        else:
            seen.setdefault(column.name, j)
    return RawTable(header.sheet, headers, header.rows, header.header_row, header.first_column, header.merged), extras


def _join_extra_text(lines: pd.DataFrame, chunk: list[list[Any]], header_row: int, extras: list[int]) -> None:
    """Append the extra text columns (see :func:`_resolve_duplicates`) to each line's remittance."""
    if not extras or lines.empty:
        return
    index = (lines[SOURCE_ROW].to_numpy() - header_row - 1).tolist()
    for j in extras:
        values = [parse_text(chunk[i][j]) if j < len(chunk[i]) else "" for i in index]
        lines["remittance"] = [f"{a} {b}".strip() if b and b not in a else a
                               for a, b in zip(lines["remittance"].tolist(), values)]


def _shared(values: pd.Series, seen: dict[str, str]) -> list[str]:
    """Equal strings as one object, ``seen`` holding the first of each (payer names, currencies and
    accounts repeat across thousands of lines; the CSV reader makes a new object for each)."""
    return [seen.setdefault(x, x) for x in values.tolist()]


def _settled_decimal_separator(raw: RawTable, options: ParseOptions) -> ParseOptions:
    """The decimal separator this chunk's text amounts show, fixed for the rest of the file (one
    export, one convention); the options unchanged while no amount decides it."""
    positions = [j for j, h in enumerate(raw.headers)
                 if (c := BANK_EXPORT.match_header(h)) is not None and c.kind == "amount"]
    found = infer_decimal_separator([row[j] for row in raw.rows for j in positions if j < len(row)])
    return replace(options, decimal_separator=cast(DecimalSeparator, found)) if found else options  # "," or "."


def _settled_date_order(name: str, rows, header: RawTable, options: ParseOptions, notes: list[str]) -> ParseOptions:
    """With ``date_order = auto``, one order for the whole file, decided by all its date cells (a
    file whose first weeks hold only days 1–12 is still read right); refused when they contradict."""
    if options.date_order != "auto":
        return options
    positions = [j for j, h in enumerate(header.headers)
                 if (c := BANK_EXPORT.match_header(h)) is not None and c.kind == "date"]
    values: set = set()
    width = max(positions, default=-1) + 1
    for row in itertools.islice(iter(rows), header.header_row, None):
        if len(row) >= width:
            values.update([row[j] for j in positions])
        else:
            values.update(row[j] for j in positions if j < len(row))
    order, hint, only_warning = infer_date_order(list(values), "auto")
    if hint and not only_warning:
        raise fail(name, f"dates: {hint}")
    if hint:
        notes.append(f"{name}: {hint}")
    return replace(options, date_order=order)


def _raw_table(name: str, grid: list[list[Any]], profile: dict[str, str]) -> RawTable:
    """The table below the header row; headers named in ``profile`` are renamed to their columns first."""
    wanted = {header_key(part): canonical for canonical, h in profile.items()
              if canonical not in ("credit_marks", "debit_marks") for part in h.split("+")}
    top = [[wanted.get(header_key(h), h) for h in row] for row in grid[:HEADER_SEARCH_ROWS]]
    best = header_row_index(top, BANK_EXPORT)
    if best is None:
        raise fail(name, "the file is empty")
    return RawTable(name, top[best], [list(r) for r in grid[best + 1:]], header_row=best + 1)

"""Turning a raw table read from a workbook into a canonical, typed frame, collecting problems.

The raw table is what an adapter (file or Excel) found: the header cells and the data rows,
with their position in the sheet so every problem can name its cell. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from . import values as v
from .contracts import Column, TableContract
from .money import cents, from_cents
from .problems import Problem, Severity

FORMULA_PREFIXES = ("=", "+", "@")
PHONE = re.compile(r"\+\d[\d ()./-]{5,}")  # "+34 912 345 678" is a phone number, not a formula to warn about
SOURCE_ROW = "source_row"  # extra column in canonical frames: the Excel row the line came from


@dataclass
class RawTable:
    """A table as found in a sheet: header cells, data rows and where they sit.

    ``header_row`` and ``first_column`` are 1-based Excel coordinates of the first header cell;
    ``merged`` lists merged ranges as 1-based ``(first_row, first_col, last_row, last_col)``.
    """

    sheet: str
    headers: list[Any]
    rows: list[list[Any]]
    header_row: int = 1
    first_column: int = 1
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    """What the reader saw around the table and the user should know (e.g. rows left below an Excel Table)."""


@dataclass(frozen=True)
class ParseOptions:
    """How to read values the workbook does not type itself (from Config)."""

    home_currency: str = "EUR"
    language: str = "en"
    decimal_separator: v.DecimalSeparator = "auto"
    date_order: v.DateOrder = "auto"


def parse_table(contract: TableContract, raw: RawTable,
                options: ParseOptions = ParseOptions()) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate and coerce ``raw`` into the canonical frame of ``contract``.

    Returns the frame (contract columns in order, plus ``source_row``) and every problem found.
    When any problem is an error the frame must not be used.
    """
    problems: list[Problem] = list(raw.notes)
    if not raw.headers and not raw.rows:
        needed = ", ".join(c.name for c in contract.required)
        return empty_frame(contract), [Problem(raw.sheet, f"the sheet is empty; expected a header row with {needed}")]
    where = _Where(raw)
    problems += where.merged_header_problems()
    mapping, header_problems = _map_headers(contract, raw, where)
    problems += header_problems
    if any(p.severity == "error" for p in problems):
        return empty_frame(contract), problems
    # a required column that is missing does not stop the reading: the cells of the others are still
    # checked, so one run lists every problem of the sheet (the frame is not used: they are errors)
    problems += _missing_headers(contract, raw, mapping)

    positions = [i for i, r in enumerate(raw.rows) if _filled(r)]
    source_rows = np.array(positions, dtype="int64") + (raw.header_row + 1)
    data: dict[str, Any] = {}
    cells = _columns([raw.rows[i] for i in positions], {c.name: mapping[c.name] for c in contract.columns
                                                        if c.name in mapping})
    options, date_problems = _date_order(contract, options, cells, where, mapping)
    problems += date_problems
    options = _decimal_separator(contract, options, cells)
    for column in contract.columns:
        j = mapping.get(column.name)
        column_cells = cells.get(column.name) or [None] * len(positions)
        data[column.name], column_problems = _coerce(column, column_cells, source_rows, where, j, options)
        problems += column_problems
    frame = pd.DataFrame(data, columns=contract.column_names)
    frame[SOURCE_ROW] = source_rows
    frame.attrs["sheet"] = raw.sheet
    frame.attrs["excel_columns"] = {name: raw.first_column + j for name, j in mapping.items()}
    problems += _fill_defaults(contract, frame, options, where, mapping)
    if contract.unique:
        problems += _duplicates(frame, contract.unique, where, mapping.get(contract.unique))
    return frame, problems


def _filled(row: list[Any]) -> bool:
    """True when any cell of ``row`` holds something (blank rows inside a table are skipped)."""
    for x in row:
        if type(x) is str:  # the common case (CSV), without a call per cell
            if x and not x.isspace():
                return True
        elif not v.is_blank(x):
            return True
    return False


def _columns(rows: list[list[Any]], wanted: dict[str, int]) -> dict[str, list[Any]]:
    """The cells of the ``wanted`` columns (name → position), None where a row is too short."""
    width = max(wanted.values(), default=-1) + 1
    if not rows or width == 0:
        return {name: [None] * len(rows) for name in wanted}
    padded = [r if len(r) >= width else r + [None] * (width - len(r)) for r in rows]
    transposed = list(zip(*padded))  # one pass in C instead of one Python index per cell
    return {name: list(transposed[j]) for name, j in wanted.items()}


HEADER_SEARCH_ROWS = 15


def header_row_index(grid: list[list[Any]], contract: TableContract) -> int | None:
    """Index of the header row: among the first 15 rows, the one naming the most contract columns
    (a title or blank lines above the headers are fine); else the first non-empty row."""
    best, best_hits = None, 0
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = len({c.name for c in map(contract.match_header, row) if c is not None})
        if hits > best_hits:
            best, best_hits = i, hits
    if best is not None:
        return best
    return next((i for i, row in enumerate(grid) if any(not v.is_blank(x) for x in row)), None)


def empty_frame(contract: TableContract) -> pd.DataFrame:
    """A canonical frame with no rows (for optional tables that are absent)."""
    dtypes = {"date": "datetime64[ns]", "amount": "float64", "integer": "Int64", "number": "float64"}
    frame = pd.DataFrame({c.name: pd.Series(dtype=dtypes.get(c.kind, "str")) for c in contract.columns})
    frame[SOURCE_ROW] = pd.Series(dtype="int64")
    return frame


class _Where:
    """Turns table coordinates into the sheet's Excel row/column numbers."""

    def __init__(self, raw: RawTable):
        self.raw = raw

    def problem(self, message: str, j: int | None = None, severity: Severity = "error",
                source_row: int | None = None) -> Problem:
        col = self.raw.first_column + j if j is not None else None
        return Problem(self.raw.sheet, message, source_row, col, severity)

    def merged_range(self, row: int, j: int | None) -> str | None:
        """``A5:A7`` when the cell (sheet row, table column ``j``) is covered by, but is not the first
        cell of, a merged range (it then reads as empty)."""
        if j is None:
            return None
        col = self.raw.first_column + j
        for r1, c1, r2, c2 in self.raw.merged:
            if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                return f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
        return None

    def merged_header_problems(self) -> list[Problem]:
        raw, out = self.raw, []
        for r1, c1, r2, c2 in raw.merged:
            if r1 <= raw.header_row <= r2:
                a, b = get_column_letter(c1), get_column_letter(c2)
                out.append(Problem(raw.sheet, f"header cells {a}{r1}:{b}{r2} are merged; "
                                   "unmerge them so each column has its own header", r1, c1))
        return out


def _map_headers(contract: TableContract, raw: RawTable, where: _Where) -> tuple[dict[str, int], list[Problem]]:
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    for j, header in enumerate(raw.headers):
        column = contract.match_header(header) if not v.is_blank(header) else None
        if column is None:
            continue
        if column.name in mapping:
            first = get_column_letter(raw.first_column + mapping[column.name])
            problems.append(where.problem(
                f"header {str(header)!r} means {column.name}, which column {first} already provides; "
                "rename or delete one of them", j=j, source_row=raw.header_row))
            continue
        mapping[column.name] = j
    return mapping, problems


def _missing_headers(contract: TableContract, raw: RawTable, mapping: dict[str, int]) -> list[Problem]:
    """One error per required column no header stands for, with the headers it is known by and the
    sheet's near miss."""
    problems = []
    for column in contract.required:
        if column.name not in mapping:
            examples = ", ".join(repr(s) for s in _examples(column))
            found = ", ".join(repr(str(h)) for h in raw.headers if not v.is_blank(h)) or "none"
            near = nearest_header(column, [h for j, h in enumerate(raw.headers)
                                     if not v.is_blank(h) and j not in mapping.values()])
            hint = f"; did you mean {near!r}? rename it to one of these" if near else ""
            problems.append(Problem(raw.sheet, f"required column {column.name} is missing "
                                    f"(expected a header such as {examples}; found {found}{hint})", raw.header_row))
    return problems


def _examples(column: Column) -> list[str]:
    """A few headers the column is known by, each once, from across its synonyms (they are listed
    language by language, so the spread shows several of our languages)."""
    names = list(dict.fromkeys([column.name.replace("_", " "), *column.synonyms]))
    return names[:1] + names[1::max(1, len(names) // 4)][:4]


def nearest_header(column: Column, headers: list[Any]) -> str:
    """The unmatched header that is a near miss of one of the column's names (a typo), or ""."""
    from rapidfuzz import fuzz, process

    from .headers import header_key

    keys = [header_key(h) for h in headers]
    names = [header_key(n) for n in (column.name.replace("_", " "), *column.synonyms)]
    best, score = "", 0.0
    for header, key in zip(headers, keys):
        if not key:
            continue
        found = process.extractOne(key, names, scorer=fuzz.ratio)
        if found and found[1] > score:
            best, score = str(header), float(found[1])
    return best if score >= 80 else ""


def _date_order(contract: TableContract, options: ParseOptions, cells: dict[str, list[Any]], where: _Where,
                mapping: dict[str, int]) -> tuple[ParseOptions, list[Problem]]:
    """The options with the day/month order of this table's text dates settled (one order per
    table: its date columns come from the same system), and the hint when there is one."""
    names = [c.name for c in contract.columns if c.kind == "date" and c.name in cells]
    if not names:
        return replace(options, date_order="DMY" if options.date_order == "auto" else options.date_order), []
    order, hint, only_warning = v.infer_date_order([x for n in names for x in cells[n]], options.date_order)
    if not hint:
        return replace(options, date_order=order), []
    name, i = _first_odd_date(cells, names, options.date_order) if not only_warning else (names[0], None)
    problems = [where.problem(f"{'/'.join(names)}: {hint}", j=mapping[name],
                              source_row=where.raw.header_row if i is None else where.raw.header_row + 1 + i,
                              severity="warning" if only_warning else "error")]
    return replace(options, date_order=order), problems


def _first_odd_date(cells: dict[str, list[Any]], names: list[str], setting: str) -> tuple[str, int | None]:
    """(column, row index) of the first text date in the order that does not belong: against an explicit
    setting, the first date the setting cannot read; in a table that mixes both, the first of the order
    fewer dates have. The error is pinned to that cell, not to the header."""
    found: dict[str, list[tuple[int, str]]] = {"DMY": [], "MDY": []}
    for name in names:
        for i, x in enumerate(cells[name]):
            m = v.XYZ_DATE.match(x.strip()) if type(x) is str else None
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if a > 12 >= b:
                    found["DMY"].append((i, name))
                elif b > 12 >= a:
                    found["MDY"].append((i, name))
    if setting in found:
        odd = found["MDY" if setting == "DMY" else "DMY"]
    else:
        odd = min(found.values(), key=len) if all(found.values()) else []
    if not odd:
        return names[0], None
    i, name = min(odd, key=lambda found: (found[0], names.index(found[1])))  # row order, then column order
    return name, i


def _decimal_separator(contract: TableContract, options: ParseOptions,
                       cells: dict[str, list[Any]]) -> ParseOptions:
    """With ``decimal_separator = auto``, the separator this table's text amounts show (all its
    amount columns together: one export, one convention), so ``1.500`` among ``12.30``s is 1.50."""
    if options.decimal_separator != "auto":
        return options
    names = [c.name for c in contract.columns if c.kind in ("amount", "number") and c.name in cells]
    found = v.infer_decimal_separator([x for n in names for x in cells[n]])
    return replace(options, decimal_separator=found) if found else options  # type: ignore[arg-type]  # "," or "."


PERCENT_COLUMNS = frozenset({"vat_rate", "discount_pct", "early_discount_pct"})
"""Columns holding a percentage as its number (21 for 21 %): a cell shown in a percent format counts as
what it shows."""


def _parser(column: Column, options: ParseOptions):
    if column.kind == "amount":  # Excel numbers stay floats (fast path); text becomes an exact Decimal
        bound = float(v.MAX_AMOUNT)
        return lambda x: x if type(x) is float and -bound < x < bound else v.parse_amount(x, options.decimal_separator)
    if column.kind == "date":
        return lambda x: v.parse_date(x, options.date_order)
    if column.kind == "number" and column.name in PERCENT_COLUMNS:  # 21 % in a percent format is stored 0.21
        return lambda x: float(v.parse_amount(v.percent_value(x), options.decimal_separator))
    if column.kind == "number":
        return lambda x: float(v.parse_amount(x, options.decimal_separator))
    return {"currency": v.parse_currency, "language": v.parse_language, "integer": v.parse_integer}.get(
        column.kind, v.parse_text)


def _coerce(column: Column, cells: list[Any], source_rows: np.ndarray, where: _Where, j: int | None,
            options: ParseOptions) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    if j is None:  # the sheet has no such column
        if column.kind == "amount":
            return np.full(len(cells), np.nan), problems
        return _typed(column, [None] * len(cells), cells, source_rows, where, j, problems), problems
    parse = _parser(column, options)
    if column.kind == "amount":  # text in the common bank shape: exact cents in one pass, the rest one by one
        texts = np.flatnonzero(np.fromiter((type(x) is str for x in cells), dtype=bool, count=len(cells)))
        plain_cents, plain = v.plain_amount_cents([cells[i] for i in texts], options.decimal_separator)
        done = np.zeros(len(cells), dtype=bool)
        done[texts[plain]] = True
        rest = np.flatnonzero(~done)
        parsed, errors, blanks = v.coerce_column([cells[i] for i in rest], parse)
        errors, blanks = {int(rest[i]): m for i, m in errors.items()}, [int(rest[i]) for i in blanks]
    else:
        parsed, errors, blanks = v.coerce_column(cells, parse)
    for i, message in errors.items():
        problems.append(where.problem(f"{column.name} {message}", j=j, source_row=source_rows[i]))
    if column.required and j is not None:  # a missing header is said once, not once per row
        for i in blanks:
            merged = where.merged_range(int(source_rows[i]), j)
            message = (f"{column.name} is empty: the cell is part of merged cells {merged}, which keep the value "
                       "only in their first row; unmerge them and fill every row" if merged else
                       f"{column.name} is empty (a value is required)")
            problems.append(where.problem(message, j=j, source_row=source_rows[i]))
    if column.kind == "amount":
        out = np.full(len(cells), np.nan)
        out[texts[plain]] = from_cents(plain_cents[plain])
        out[rest] = _amounts(column, parsed, [cells[i] for i in rest], source_rows[rest], where, j, problems)
        return out, problems
    if column.kind in ("text", "id"):
        for i, text in enumerate(parsed):
            if text and text.startswith(FORMULA_PREFIXES) and len(text) > 1 and not PHONE.fullmatch(text):
                problems.append(where.problem(
                    f"{column.name} {text[:40]!r} looks like a formula; it is kept and written as text",
                    j=j, source_row=source_rows[i], severity="warning"))
    return _typed(column, parsed, cells, source_rows, where, j, problems), problems


def _amounts(column: Column, parsed: list[Any], cells: list[Any], source_rows: np.ndarray, where: _Where,
             j: int | None, problems: list[Problem]) -> np.ndarray:
    """Parsed amounts (Excel floats, Decimals from text, None) as two-decimal floats, NaN where
    missing; a value with more than two decimals is rounded, with a warning naming its cell."""
    missing = np.array([x is None for x in parsed], dtype=bool)
    is_float = np.array([type(x) is float for x in parsed], dtype=bool)
    floats = np.array([x if type(x) is float else 0.0 for x in parsed], dtype="float64")
    exact = np.zeros(len(parsed), dtype="int64")
    exact[is_float] = cents(floats[is_float])  # Excel numbers: exact cents in one call
    scaled = floats * 100
    off = is_float & (np.abs(scaled - exact) > 1e-6 * np.maximum(1.0, np.abs(scaled) / 1e6))
    for i in np.flatnonzero(~is_float & ~missing):  # text read as Decimal
        exact[i] = v.to_cents(parsed[i])
        off[i] = parsed[i].scaleb(2) != int(exact[i])
    for i in np.flatnonzero(off):
        problems.append(where.problem(
            f"{column.name} {cells[i]!r} has more than 2 decimals; rounded to {exact[i] / 100:.2f}",
            j=j, source_row=source_rows[i], severity="warning"))
    out = from_cents(exact)
    out[missing] = np.nan
    return out


def _typed(column: Column, parsed: list[Any], cells: list[Any], source_rows: np.ndarray, where: _Where,
           j: int | None, problems: list[Problem]) -> Any:
    if column.kind == "amount":
        return _amounts(column, parsed, cells, source_rows, where, j, problems)
    if column.kind == "date":
        return pd.to_datetime(pd.Series(parsed, dtype="object"), errors="coerce").astype("datetime64[ns]")
    if column.kind == "integer":
        return pd.array(parsed, dtype="Int64")
    if column.kind == "number":
        return np.array([np.nan if x is None else x for x in parsed], dtype="float64")
    return pd.Series(["" if x is None else x for x in parsed], dtype="str")


def _fill_defaults(contract: TableContract, frame: pd.DataFrame, options: ParseOptions, where: _Where,
                   mapping: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    names = contract.column_names
    if "currency" in names:
        frame["currency"] = frame["currency"].replace("", options.home_currency)
    if "language" in names:
        frame["language"] = frame["language"].replace("", options.language)
    if "open_amount" in names and "amount" in names:
        frame["open_amount"] = frame["open_amount"].fillna(frame["amount"])
    if "doc_type" in names and "amount" in names:
        frame["doc_type"] = frame["doc_type"].str.upper().where(frame["doc_type"] != "",  # type: ignore[call-overload]
                                                                np.where(frame["amount"] < 0, "CRN", "INV"))
    if contract.name == "exchange_rates":
        bad = ~(frame["rate"] > 0)
        for row in frame.loc[bad & frame["rate"].notna(), SOURCE_ROW]:
            problems.append(where.problem("rate must be a positive number of units of the currency per one unit of "
                                          "base_currency (e.g. 0.8614)", j=mapping.get("rate"), source_row=int(row)))
        same = frame["base_currency"].replace("", options.home_currency) == frame["currency"]
        for row in frame.loc[same, SOURCE_ROW]:
            problems.append(where.problem("currency is the base currency itself: a rate needs two currencies",
                                          j=mapping.get("currency"), source_row=int(row)))
    if contract.name == "payments":
        bad = frame["amount"] <= 0
        for row in frame.loc[bad, SOURCE_ROW]:
            problems.append(where.problem("amount must be a positive receipt; debits and reversals do not belong "
                                          "in Payments", j=mapping.get("amount"), source_row=int(row)))
        missing = frame["payment_id"] == ""
        if missing.any():
            frame.loc[missing, "payment_id"] = _content_ids(frame.loc[missing])
    if "email" in names:
        for i in np.flatnonzero((frame["email"] != "").to_numpy()).tolist():
            try:
                v.parse_emails(frame["email"].iat[i])
            except ValueError as exc:
                problems.append(where.problem(f"email {exc}; letters and e-mail drafts for this row get no To: "
                                              "address", j=mapping.get("email"),
                                              source_row=int(cast(int, frame[SOURCE_ROW].iat[i])), severity="warning"))
    if contract.name == "invoices" and {"invoice_date", "due_date"} <= set(names):
        early = frame["due_date"] < frame["invoice_date"]
        for row in frame.loc[early, SOURCE_ROW]:
            problems.append(where.problem("due_date is before invoice_date", j=mapping.get("due_date"),
                                          source_row=int(row), severity="warning"))
    return problems


def _content_ids(lines: pd.DataFrame) -> list[str]:
    """Stable ids for bank lines without one: a hash of the line, numbered when lines repeat."""
    seen: dict[str, int] = {}
    ids = []
    for rec in lines[["payment_date", "amount", "currency", "payer_name", "payer_account", "remittance"]].itertuples(
            index=False):
        digest = hashlib.sha1("|".join(map(str, rec)).encode()).hexdigest()[:10].upper()
        seen[digest] = seen.get(digest, 0) + 1
        ids.append(f"PAY-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return ids


def _duplicates(frame: pd.DataFrame, key: str, where: _Where, j: int | None) -> list[Problem]:
    problems = []
    keys = frame[key]
    dup = keys.duplicated(keep="first") & (keys != "")
    first_row = frame.loc[~keys.duplicated(keep="first")].set_index(key)[SOURCE_ROW]
    for value, row in zip(keys[dup], frame.loc[dup, SOURCE_ROW]):
        problems.append(where.problem(f"{key} {value!r} appears again (first in row {first_row[value]}); "
                                      f"each {key} must be unique", j=j, source_row=int(row)))
    return problems

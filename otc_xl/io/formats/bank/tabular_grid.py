"""The cells of a bank export file: the rows of a CSV (encoding detected, delimiter sniffed, read afresh
each time, no list of cells kept) or of a spreadsheet's first sheet (formulas saved without their
result marked)."""

from __future__ import annotations

import csv
import itertools
import zipfile
from pathlib import Path
from typing import Any

import python_calamine as pc

from ....model.values import UNCALCULATED
from ...xlsx.package import scan_sheet, sheet_parts
from .common import decode_text, fail, read_as


def _lines(text: str, block: int = 1 << 20):
    """The lines of ``text`` with their endings, split a block of about a megabyte at a time
    (``io.StringIO`` would hold a 4-byte-per-character copy of the whole file; one ``find`` per
    line costs a Python step per line). A CSV line ends only at ``\n``: a block where
    ``str.splitlines`` also broke elsewhere (a lone ``\r``, a form feed …) is split at ``\n`` alone."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + block)
        end = size if end < 0 else end + 1
        piece = text[start:end]
        lines = piece.splitlines(keepends=True)
        if len(lines) != piece.count("\n") + (not piece.endswith("\n")):
            lines = [line + "\n" for line in piece.split("\n")]
            lines[-1] = lines[-1][:-1]
            if not lines[-1]:
                lines.pop()
        yield from lines
        start = end


class _CsvRows:
    """The rows of a decoded delimited text, read afresh each time it is iterated (no list of cells
    is kept); a malformed line is refused with its number."""

    def __init__(self, name: str, text: str, dialect):
        self.name, self.text, self.dialect = name, text, dialect

    def __iter__(self):
        reader = csv.reader(_lines(self.text), self.dialect)
        try:
            yield from reader
        except csv.Error as exc:
            raise fail(self.name, f"line {reader.line_num}: cannot be read as CSV ({exc}); is it really a bank "
                                  "export?") from None


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def read_grid(path: Path, notes: list[str] | None = None) -> list[list[Any]]:
    """Every row of a CSV (encoding and delimiter detected) or of a spreadsheet's first sheet."""
    return _spreadsheet_grid(path) if path.suffix.lower() in SPREADSHEETS else _csv_grid(path, notes)


def _csv_grid(path: Path, notes: list[str] | None = None) -> list[list[Any]]:
    """All rows of a delimited text file as lists (see :func:`_csv_rows`)."""
    return list(_csv_rows(path, notes))


def _csv_rows(path: Path, notes: list[str] | None = None) -> _CsvRows:
    """The rows of a delimited text file: encoding detected (BOM, UTF-8, else charset-normalizer),
    delimiter sniffed among ``; , TAB |``. Binary or malformed content is refused with the line."""
    text, encoding = decode_text(path.read_bytes(), path.name)
    if notes is not None:
        notes += read_as(path.name, encoding)
    if "\x00" in text:
        raise fail(path.name, f"contains NUL characters after decoding as {encoding}: not a CSV export")
    sample = "".join(itertools.islice(_lines(text[:65536]), 30))

    class Dialect(csv.excel):
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        Dialect.delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        pass
    Dialect.delimiter = _steadiest(sample, Dialect.delimiter)
    return _CsvRows(path.name, text, Dialect)


def _steadiest(sample: str, sniffed: str) -> str:
    """The delimiter that splits the most sample rows into the same number (≥ 2) of fields; the
    sniffed one unless another does strictly better. csv.Sniffer counts characters, so quoted text
    with commas in a ``;`` file (``"=HYPERLINK(""…"",""…"")"``) could make it choose ``,``."""
    lines = sample.splitlines()

    def steadiness(delimiter: str) -> int:
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)]
        wide = [c for c in counts if c >= 2]
        return max((wide.count(c) for c in set(wide)), default=0)

    best, score = sniffed, steadiness(sniffed)
    for delimiter in (";", ",", "\t", "|"):
        other = steadiness(delimiter)
        if other > score:
            best, score = delimiter, other
    return best


def _spreadsheet_grid(path: Path) -> list[list[Any]]:
    """The first sheet's cells; in .xlsx/.xlsm, formulas saved without their result are marked
    (calamine reads them as empty: an amount would silently vanish) and refused by the contract."""
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
        grid: list[list[Any]] = [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as z:
                part = next(iter(sheet_parts(z).values()), None)
                marks = scan_sheet(z, part).uncalculated if part in z.NameToInfo else set()
            for r, c in marks:
                if r <= len(grid):
                    grid[r - 1] += [None] * (c - len(grid[r - 1]))
                    grid[r - 1][c - 1] = UNCALCULATED
        return grid
    except (pc.CalamineError, OSError, ValueError, zipfile.BadZipFile, KeyError, SyntaxError) as exc:
        raise fail(path.name, f"cannot be read as a spreadsheet ({str(exc)[:120] or type(exc).__name__})") from None

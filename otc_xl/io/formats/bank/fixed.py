"""What the fixed-width national statement formats share (AEB Norma 43, CFONB 120, CODA; CBI RH
uses the fields and the decoding): records of a
set width, one per line, read strictly: a record of unknown type, a field that is not the digits
it must be, or a date that is no date is refused with the file, line and what was expected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ....model.problems import Problem, ValidationError
from .common import LATIN_PAGES, decode_text


class Record:
    """One line of a fixed-width file: its text (padded to the width), number and type code."""

    __slots__ = ("text", "line", "code")

    def __init__(self, text: str, line: int, code: str):
        self.text, self.line, self.code = text, line, code

    def field(self, start: int, end: int) -> str:
        return self.text[start:end]


class RecordError(ValueError):
    """A record that does not follow the layout; the message says what was expected."""


def records(path: Path, width: int, codes: frozenset[str]) -> tuple[list[Record], str]:
    """See :func:`_records`; the cyclic garbage collector is paused while hundreds of thousands of
    records are made (it would run again and again over objects that hold no cycles)."""
    import gc
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _records(path, width, codes)
    finally:
        if enabled:
            gc.enable()


def decode_latin(data: bytes, source: str) -> tuple[str, str]:
    """(text, encoding) as :func:`decode_text` reads it, kept to Unicode or a Latin single-byte page:
    the fixed-width formats are Spanish, French, Italian, Belgian and US bank text in fixed columns,
    and on a file with a few accented capitals the detector may guess another script (cp1006, Urdu,
    for "CAFFÈ" and "àù"); Windows-1252 is read then, as those banks write it."""
    text, encoding = decode_text(data, source)
    if encoding.startswith("utf") or encoding in LATIN_PAGES:
        return text, encoding
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin_1"), "latin_1"


def _records(path: Path, width: int, codes: frozenset[str]) -> tuple[list[Record], str]:
    """(the records of ``path``, the encoding it was read in). Lines may have lost their trailing
    blanks (editors and transfers trim them): they are padded back to ``width``. A longer line, or
    one whose first two characters are not a record type of the format, refuses the file."""
    text, encoding = decode_latin(Path(path).read_bytes(), path.name)
    out: list[Record]
    out, problems = [], []
    append = out.append
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.rstrip(" \x1a")  # trailing blanks, and the DOS end-of-file mark some banks still send
        if not line:
            continue
        if len(line) == width and line[:2] in codes:  # the usual record: no padding, no check to spell out
            append(Record(line, number, line[:2]))
        elif len(line) > width:
            problems.append(Problem(path.name, f"line {number}: {len(line)} characters, a record has {width}; "
                                               "is this really the format (or two records on one line)?"))
        elif line[:2] not in codes:
            problems.append(Problem(path.name, f"line {number}: record type {line[:2]!r} is not one of "
                                               f"{', '.join(sorted(codes))}"))
        else:
            out.append(Record(line.ljust(width), number, line[:2]))
        if len(problems) >= 20:
            break
    if problems:
        raise ValidationError(problems)
    return out, encoding


def digits(record: Record, start: int, end: int, what: str) -> int:
    """The unsigned number in ``[start:end)``; RecordError when it is not all digits."""
    value = record.text[start:end]
    if not value.isdigit() or not value.isascii():
        raise RecordError(f"{what} (columns {start + 1}-{end}) is {value!r}, expected {end - start} digits")
    return int(value)


_DATES: dict[tuple[str, str], dt.date] = {}


def date(record: Record, start: int, order: str, what: str) -> dt.date:
    """The 6-digit date at ``start`` (``order`` ``ymd`` or ``dmy``, two-digit years 2000-2069
    and 1970-1999 for 70-99); RecordError when it is not a date. Dates read are remembered: a
    statement repeats the same few."""
    value = record.text[start:start + 6]
    known = _DATES.get((value, order))
    if known is not None:
        return known
    if not value.isdigit():
        raise RecordError(f"{what} (columns {start + 1}-{start + 6}) is {value!r}, expected a date "
                          f"({'YYMMDD' if order == 'ymd' else 'DDMMYY'})")
    a, b, c = int(value[:2]), int(value[2:4]), int(value[4:])
    year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
    try:
        found = _DATES[(value, order)] = dt.date(year + (1900 if year >= 70 else 2000), month, day)
        return found
    except ValueError:
        raise RecordError(f"{what} (columns {start + 1}-{start + 6}) is {value!r}, not a date "
                          f"({'YYMMDD' if order == 'ymd' else 'DDMMYY'})") from None


def cents(value: int, decimals: int) -> Decimal:
    """``value`` in units of 10**-decimals as an exact Decimal."""
    return Decimal(value).scaleb(-decimals)


def where(record: Record) -> str:
    return f"line {record.line} (record {record.code})"

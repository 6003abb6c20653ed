"""Bank statements and remittance advices → canonical ``payments`` (one reader per format).

``read_bank_file(path, format=None)`` detects the format from the content: ISO 20022 camt.052 /
053 / 054 XML, SWIFT MT940/MT942, AEB Norma 43, CFONB 120, CBI RH, CODA, BAI2, a BAI lockbox transmission
(whose stub lines come as :attr:`BankLines.advices`), OFX, or a CSV/spreadsheet export in any
local convention. The formats are one list, :data:`registry.READERS`: detection, ``import-bank
--format`` and the docs read it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ....model.problems import ValidationError
from ....model.tables import ParseOptions
from .advice import advice_rows, read_advice
from .common import STRICT, BankLines, ReadPolicy, fail, receipt_problems
from .registry import BY_NAME, FORMAT_NAMES, READERS, ReadContext, Reader, describe, detect
from .tabular_columns import parse_profile

FORMATS = FORMAT_NAMES
ALIASES = {"camt.052": "camt", "camt.053": "camt", "camt.054": "camt", "camt052": "camt", "camt053": "camt",
           "camt054": "camt", "mt942": "mt940", "n43": "norma43", "aeb43": "norma43", "csb43": "norma43",
           "cfonb": "cfonb120", "cfonb 120": "cfonb120", "cbi-rh": "cbi", "cbi_rh": "cbi", "bai-lockbox": "lockbox",
           "lbx": "lockbox"}


def parse_bank_file(path: str | Path, format: str | None = None, options: ParseOptions = ParseOptions(),
                    profile: dict[str, str] | None = None,
                    progress: Callable[[int, int], None] | None = None, policy: ReadPolicy = STRICT) -> BankLines:
    """Read one bank file; :class:`BankLines` says what was read and what was skipped.
    ``progress(rows done, rows in all)`` is called while a large CSV/spreadsheet export is read.
    ``policy`` says what the user allowed beyond the strict default (unbalanced statements,
    short CSV rows)."""
    path = Path(path)
    if not path.exists():
        raise fail(path.name, f"file not found: {path}")
    reader = _reader(path, format)
    lines = reader.read(path, ReadContext(options, profile, progress, policy))
    problems = receipt_problems(lines.payments, path.name)
    if problems:
        raise ValidationError(problems)
    return lines


def read_bank_file(path: str | Path, format: str | None = None) -> pd.DataFrame:
    """Receipts of a bank file as a canonical ``payments`` frame.

    ``format``: one of :data:`FORMATS` (``camt``, ``mt940``, ``norma43``, ``cfonb120``, ``cbi``, ``csv``,
    ``xlsx``); detected when omitted. ``frame.attrs`` has ``source`` (the format read) and
    ``debits`` (lines skipped: only credits are payments). Payment ids are the bank's references,
    or stable hashes of the line, so a file read twice gives the same ids.
    """
    lines = parse_bank_file(path, format)
    frame = lines.payments
    frame.attrs.update({"source": lines.source, "debits": lines.debits})
    return frame


def _reader(path: Path, format: str | None) -> Reader:
    if format:
        key = format.strip().lower()
        reader = BY_NAME.get(ALIASES.get(key, key))
        if reader is None:
            raise fail(path.name, f"unknown bank file format {format!r}; expected one of {', '.join(FORMATS)}")
        return reader
    reader = detect(path)
    if reader is None:
        raise fail(path.name, "unknown bank file format: not " + ", ".join(r.title for r in READERS[1:-1])
                   + ", CSV or a spreadsheet")
    return reader


__all__ = ["BankLines", "FORMATS", "READERS", "ReadPolicy", "advice_rows", "describe", "parse_bank_file",
           "parse_profile", "read_advice", "read_bank_file"]

"""Bank statements and remittance advices → canonical ``payments`` (one reader per format).

``read_bank_file(path, format=None)`` detects the format from the content: ISO 20022 camt.053 /
camt.054 XML, SWIFT MT940, or a CSV/spreadsheet export in any local convention.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from ...model.problems import ValidationError
from ...model.tables import ParseOptions
from .advice import advice_rows, read_advice
from .camt import looks_like_camt, read_camt
from .common import BankLines, fail, receipt_problems
from .mt940 import looks_like_mt940, read_mt940
from .tabular import parse_profile, read_tabular

FORMATS = ("camt", "mt940", "csv", "xlsx")
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def parse_bank_file(path: str | Path, format: str | None = None, options: ParseOptions = ParseOptions(),
                    profile: dict[str, str] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> BankLines:
    """Read one bank file; :class:`BankLines` says what was read and what was skipped.
    ``progress(rows done, rows in all)`` is called while a large CSV/spreadsheet export is read."""
    path = Path(path)
    if not path.exists():
        raise fail(path.name, f"file not found: {path}")
    kind = (format or _detect(path)).lower()
    if kind.startswith("camt"):
        lines = read_camt(path)
    elif kind == "mt940":
        lines = read_mt940(path)
    elif kind in ("csv", "xlsx"):
        lines = read_tabular(path, options, profile, progress)
    else:
        raise fail(path.name, f"unknown bank file format {format!r}; expected one of {', '.join(FORMATS)}")
    problems = receipt_problems(lines.payments, path.name)
    if problems:
        raise ValidationError(problems)
    return lines


def read_bank_file(path: str | Path, format: str | None = None) -> pd.DataFrame:
    """Receipts of a bank file as a canonical ``payments`` frame.

    ``format``: ``camt`` (053/054), ``mt940``, ``csv`` or ``xlsx``; detected when omitted.
    ``frame.attrs`` has ``source`` (the format read) and ``debits`` (lines skipped: only credits
    are payments). Payment ids are the bank's references, or stable hashes of the line, so a
    file read twice gives the same ids.
    """
    lines = parse_bank_file(path, format)
    frame = lines.payments
    frame.attrs.update({"source": lines.source, "debits": lines.debits})
    return frame


def _detect(path: Path) -> str:
    if path.suffix.lower() in SPREADSHEETS:
        return "xlsx"
    head = path.read_bytes()[:4096]
    if looks_like_camt(head) or head.lstrip().startswith(b"<"):
        return "camt"
    if looks_like_mt940(head):
        return "mt940"
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return "csv"
    raise fail(path.name, "unknown bank file format: not camt.053/054 XML, MT940, CSV or a spreadsheet")


__all__ = ["BankLines", "advice_rows", "parse_bank_file", "parse_profile", "read_advice", "read_bank_file"]

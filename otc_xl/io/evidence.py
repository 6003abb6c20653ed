"""The documents earlier commands wrote beside a workbook, read back as the booking's evidence.

Both doors (the ``otc-xl`` command and the Excel buttons) read them the same way: every invoice
record (``<invoice>.billing.json``) and, for the commands that pay, every SEPA end-to-end id, under
the workbook's letters folder (``<book>_letters/``, all dates) and the ``--files`` folder. A book
closed without saving after posting or paying still knows what it posted and paid.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..booking import Evidence
from .formats.sepa import issued_end_to_end_ids

MANIFEST = ".billing.json"
"""Suffix of the record written beside each posted invoice's documents: its BillingLog rows (JSON,
never a CSV a spreadsheet could read formulas from)."""


def billing_manifest(rows: pd.DataFrame) -> bytes:
    """One invoice's BillingLog rows as the JSON written beside its documents."""
    return rows.to_json(orient="records", date_format="iso", indent=1).encode("utf-8")


def _column(part: pd.DataFrame, column: str) -> pd.Series:
    """``part[column]``, or an empty column when the record was written without it (an older version)."""
    return part[column] if column in part else pd.Series(None, index=part.index, dtype="object")


def billed_in_folder(folder: Path) -> pd.DataFrame | None:
    """The BillingLog rows of every invoice already written under ``folder`` (``<id>.billing.json``,
    written with its documents): a second guard against billing twice, should the book not have
    been saved after posting."""
    if folder is None or not folder.is_dir():
        return None
    parts = []
    for path in sorted(folder.rglob(f"*{MANIFEST}")):
        try:
            part = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, OSError):  # damaged or not ours: it cannot say what was billed
            continue
        if part.empty or "invoice_id" not in part:
            continue
        for column in ("invoice_date", "due_date", "posted_on"):
            part[column] = pd.to_datetime(_column(part, column), errors="coerce").dt.tz_localize(None)
        for column in ("quantity", "net", "vat", "gross"):
            part[column] = pd.to_numeric(_column(part, column), errors="coerce")
        for column in ("invoice_id", "customer_id", "order_id", "original_invoice", "payment_reference"):
            part[column] = _column(part, column).fillna("").astype(str)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else None


def letters_root(book: Path) -> Path:
    """``<book>_letters`` beside ``book``: where each day's documents go (``<date>/``)."""
    return book.with_name(f"{book.stem}_letters")


def evidence_beside(book: Path | None, files_dir: Path | None = None, payments: bool = False) -> Evidence:
    """What was written for ``book`` (None: a workbook without a folder) in its letters folder and
    ``files_dir``; SEPA ids only when ``payments`` (the commands that pay read them)."""
    folders = [f for f in (letters_root(book) if book is not None else None, files_dir) if f is not None]
    parts = [part for part in (billed_in_folder(f) for f in folders) if part is not None]
    billed = pd.concat(parts, ignore_index=True).drop_duplicates(["invoice_id", "order_id", "order_line"]) \
        if parts else None
    issued: dict[str, str] = {}
    if payments:
        for folder in folders:
            for key, name in issued_end_to_end_ids(folder).items():
                issued.setdefault(key, name)
    return Evidence(billed, issued, tuple(folders))

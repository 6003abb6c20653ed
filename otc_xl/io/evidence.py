"""The documents earlier commands wrote beside a workbook, read back as the booking's evidence.

Both doors (the ``otc-xl`` command and the Excel buttons) read them the same way: every invoice
record (``<invoice>.billing.json``) and, for the commands that pay, every SEPA end-to-end id, under
the workbook's letters folder (``<book>_letters/``, all dates) and the ``--files`` folder. A book
closed without saving after posting or paying still knows what it posted and paid.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..booking import Evidence
from .invoices import billed_in_folder
from .sepa import issued_end_to_end_ids


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

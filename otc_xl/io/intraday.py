"""Intraday receipts (camt.052, MT942): kept apart as "not final" until the day's statement.

An intraday report tells what has come in so far today; the day's statement (camt.053, MT940)
tells it finally, and may differ (an intraday credit can be returned before the end of the day).
So intraday receipts never enter Payments — cash application would apply money the bank has not
booked finally, and the statement would then add the same money again. They are kept on otc_xl's
own ``Intraday`` sheet (table ``tblIntraday``), marked *not final*, with the account and day they
belong to. When a final statement of that account and day is imported, its receipts go to Payments
as usual and the day's intraday rows leave the ``Intraday`` sheet: replaced, never duplicated. The
import says how many intraday receipts the statement confirmed (same amount and currency, and the
same bank reference or text) and names those it did not contain.

The sheet is rewritten whole by :func:`otc_xl.io.xlsx.report_splice.replace_report_sheets` (it is
otc_xl's own table); every other part of the workbook keeps its bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.contracts import Column, TableContract
from ..model.report import ReportSheet
from ..model.tables import parse_table
from .formats.bank.common import BankLines
from .xlsx.reader import XlsxSource

INTRADAY_COLUMNS = ("payment_id", "payment_date", "amount", "currency", "payer_name", "payer_account", "remittance",
                    "account", "day", "status", "file", "imported_at")
INTRADAY = TableContract(
    name="intraday receipts", doc="Receipts of intraday reports (camt.052, MT942), not final until the day's "
                                  "statement replaces them.", sheet_names=("Intraday",),
    columns=tuple(Column(name, "amount" if name == "amount" else "text", name) for name in INTRADAY_COLUMNS))
NOT_FINAL = "not final"


@dataclass
class IntradayChange:
    """What an import does to the Intraday sheet: its rows after the import, and what to say."""

    rows: pd.DataFrame
    added: int
    replaced: int
    notes: list[str]
    changed: bool


def existing(book: Path) -> pd.DataFrame:
    """The Intraday table of ``book`` (empty when it has none), every column as text but the amount."""
    raw = XlsxSource(book).raw_table(INTRADAY)
    if raw is None:
        return pd.DataFrame(columns=list(INTRADAY_COLUMNS))
    frame = parse_table(INTRADAY, raw)[0]
    return frame.reindex(columns=list(INTRADAY_COLUMNS)).fillna("")


def plan(book: Path, files: list[tuple[Path, BankLines]], stamp: str) -> IntradayChange:
    """The Intraday rows after importing ``files``: the rows of every (account, day) a final file
    covers leave (replaced), each intraday file's receipts join as *not final*. Notes name, per
    final file, how many intraday receipts it replaced and which of them it did not contain."""
    intraday = [lines for _, lines in files if not lines.final]
    if not intraday and not (any(lines.covers for _, lines in files) and _has_sheet(book)):
        return IntradayChange(pd.DataFrame(columns=list(INTRADAY_COLUMNS)), 0, 0, [], False)  # nothing to do
    rows = existing(book)
    notes: list[str] = []
    new_ids: set[str] = set()
    for path, lines in files:  # first the intraday reports, so that a final file of the same import replaces them
        if lines.final:
            continue
        payments = lines.payments
        keys = lines.keys if len(lines.keys) == len(payments) else [("", "")] * len(payments)
        new = pd.DataFrame({"payment_id": payments["payment_id"].astype(str),
                            "payment_date": payments["payment_date"].dt.date.astype(str),
                            "amount": payments["amount"].astype(float), "currency": payments["currency"],
                            "payer_name": payments["payer_name"], "payer_account": payments["payer_account"],
                            "remittance": payments["remittance"], "account": [k[0] for k in keys],
                            "day": [k[1] for k in keys], "status": NOT_FINAL, "file": path.name,
                            "imported_at": stamp})
        known = set(rows["payment_id"].astype(str) + "|" + rows["account"].astype(str))
        new = new[~(new["payment_id"] + "|" + new["account"]).isin(known)]  # the same report imported again
        if len(new):
            rows = pd.concat([rows, new], ignore_index=True) if len(rows) else new.reset_index(drop=True)
        new_ids |= set(new["payment_id"] + "|" + new["account"])
        notes.append(f"{path.name}: {len(payments):,} receipt(s) of an intraday report ({lines.source}), not final: "
                     f"kept on the Intraday sheet ({len(new):,} new), not in Payments, until the day's statement "
                     "replaces them")
    replaced = 0
    for path, lines in files:
        if not lines.final or not lines.covers or rows.empty:
            continue
        covered = [(a, d) in lines.covers for a, d in zip(rows["account"], rows["day"])]
        gone = rows[covered]
        if gone.empty:
            continue
        replaced += len(gone)
        final = lines.payments
        missing: list[Any] = [r for r in gone.itertuples(index=False) if not _in_final(r, final)]
        note = (f"{path.name}: the final statement replaces {len(gone)} intraday receipt(s) "
                f"({len(gone) - len(missing)} confirmed")
        if missing:
            shown = "; ".join(f"{r.amount:,.2f} {r.currency} of {r.day} {(r.payer_name or r.remittance)[:40]!r} "
                              f"({r.file})" for r in missing[:10])
            note += f", {len(missing)} not in it: {shown}" + ("; …" if len(missing) > 10 else "")
        notes.append(note + ")")
        rows = rows[[not c for c in covered]]
    added = int((rows["payment_id"].astype(str) + "|" + rows["account"].astype(str)).isin(new_ids).sum()) \
        if len(rows) else 0
    return IntradayChange(rows.reset_index(drop=True), added, replaced, notes, bool(new_ids or replaced))


def _has_sheet(book: Path) -> bool:
    """Whether ``book`` has an Intraday sheet (read from the workbook part only: cheap on a big book)."""
    import zipfile

    from .xlsx.package import sheet_parts
    try:
        with zipfile.ZipFile(book) as z:
            return INTRADAY.sheet_names[0] in sheet_parts(z)
    except (zipfile.BadZipFile, KeyError, OSError):
        return True  # let the full read say what is wrong


def _in_final(row, final: pd.DataFrame) -> bool:
    """Whether the final statement holds this intraday receipt: same amount and currency, and the
    same payment id or the same remittance text."""
    if final.empty:
        return False
    same = (final["amount"].round(2) == round(float(row.amount), 2)) & (final["currency"] == row.currency)
    return bool((same & ((final["payment_id"] == row.payment_id) | (final["remittance"] == row.remittance))).any())


def sheet(rows: pd.DataFrame) -> ReportSheet:
    frame = rows.reindex(columns=list(INTRADAY_COLUMNS)).copy()
    frame["amount"] = frame["amount"].astype(float)
    return ReportSheet("Intraday", "tblIntraday", frame, {"amount": "money"},
                       notes=("Receipts of intraday reports (camt.052, MT942): not final, not in Payments. The "
                              "day's statement (camt.053, MT940) of the same account replaces them.",))


def write(book: Path, change: IntradayChange) -> None:
    from .xlsx.report_splice import replace_report_sheets
    replace_report_sheets(book, [sheet(change.rows)], book, backup=False)


def today_stamp() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")

"""What every job shares: its result, and the formatting helpers of summaries and sheets.

Jobs read the booked state of the day (:class:`otc_xl.booking.Booked`, called ``run`` in the jobs);
every result several jobs share is a cached property there, so no job depends on another having run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..booking import Booked
from ..model.money import money_sum
from ..model.report import Format, ReportSheet

Run = Booked
"""What a job takes: the day's booked state (with the command's request)."""


@dataclass
class JobResult:
    sheets: list[ReportSheet] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) lines for the console table / Excel status bar."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Documents to write (letters, statements, e-mail drafts, SEPA files) by file name."""
    books: dict[str, list[ReportSheet]] = field(default_factory=dict)
    """Workbooks to write beside the documents (legal case files), by file name."""


def _formats(frame: pd.DataFrame, money: list[str], integer: tuple[str, ...] = ()) -> dict[str, Format]:
    out: dict[str, Format] = {c: "money" for c in money if c in frame}
    out.update({c: "integer" for c in integer if c in frame})
    return out


def _amounts(label: str, frame: pd.DataFrame, column: str) -> list[tuple[str, str]]:
    """Summary lines: one per currency, e.g. ("open AR EUR", "3,867,214.67")."""
    if frame.empty:
        return [(label, "0.00")]
    totals = frame.groupby("currency")[column].agg(money_sum)
    return [(f"{label} {currency}", f"{total:,.2f}") for currency, total in totals.items()]


def _single_currency(frame: pd.DataFrame) -> bool:
    return frame["currency"].nunique() <= 1

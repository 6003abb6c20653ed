"""One function per button/command, shared by the CLI and the Excel buttons.

A *job* takes a validated :class:`~otc_xl.ledger.Ledger` and returns the report sheets it
produces plus a few summary lines. Jobs never do I/O; the caller reads the ledger through an
adapter and writes the sheets through one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .ledger import Ledger
from .model.contracts import CONTRACTS
from .model.money import cents
from .model.report import ReportSheet


@dataclass
class JobResult:
    sheets: list[ReportSheet] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) lines for the console table / Excel status bar."""


def inputs_overview(ledger: Ledger) -> JobResult:
    """The ``Inputs`` sheet: which tables were found, where, how many rows, totals per currency."""
    rows = []
    for name, contract in CONTRACTS.items():
        frame: pd.DataFrame = getattr(ledger, name)
        amount = {"invoices": "open_amount", "payments": "amount", "orders": "amount"}.get(name)
        by_currency = (frame.assign(_c=cents(frame[amount])).groupby("currency")["_c"].sum()
                       if amount and len(frame) else pd.Series(dtype="int64"))
        if by_currency.empty:
            by_currency = pd.Series({"": 0})
        for currency, total in by_currency.items():
            rows.append({"table": name, "sheet": ledger.found.get(name, "(absent)"), "rows": len(frame),
                         "currency": currency, "total": int(total) / 100})
    frame = pd.DataFrame(rows)
    warnings = sum(p.severity == "warning" for p in ledger.problems)
    summary = [(name, f"{len(getattr(ledger, name)):,} rows" + ("" if name in ledger.found else " (absent)"))
               for name in CONTRACTS]
    summary.append(("warnings", f"{warnings:,}"))
    return JobResult([ReportSheet("Inputs", "tblInputs", frame, formats={"total": "money"})], summary)


Job = Callable[[Ledger], JobResult]
JOBS: dict[str, Job] = {"inputs": inputs_overview}
"""Jobs by name, in the order ``otc-xl run`` performs them."""


def run_jobs(ledger: Ledger, names: list[str] | None = None, progress: Callable[[str], None] | None = None) -> JobResult:
    """Run the named jobs (all by default) and gather their sheets and summaries."""
    result = JobResult()
    for name in names or list(JOBS):
        if progress:
            progress(name)
        part = JOBS[name](ledger)
        result.sheets += part.sheets
        result.summary += part.summary
    return result

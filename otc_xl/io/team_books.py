"""Reading a team's workbooks for consolidation: every associate's book in a folder, read-only.

A workbook that cannot be read (damaged, locked, not a workbook, input errors) becomes a
:class:`~otc_xl.reports.team.Member` with its ``problem`` set, so the others still consolidate and
the team report lists it with the reason. Nothing here ever writes to a workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..ledger import load_ledger
from ..model.problems import ValidationError
from ..reports.team import Member
from .xlsx_reader import XlsxSource

BOOKS = (".xlsx", ".xlsm")


def team_workbooks(folder: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """The workbooks of ``folder`` (not Office lock files ``~$…``, backups ``*.bak.xlsx`` or ``skip``)."""
    skipped = {p.resolve() for p in skip}
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in BOOKS and not p.name.startswith("~$")
                  and not p.name.lower().endswith(".bak.xlsx") and p.resolve() not in skipped)


def read_member(path: Path, as_of: dt.date | None) -> Member:
    """One associate's workbook; the associate is the file name without its extension."""
    member = Member(path.stem, path.name)
    try:
        ledger = load_ledger(XlsxSource(path), require=("invoices",), as_of=as_of)
    except ValidationError as exc:
        member.problem = f"cannot be read: {exc.problems[0].message}" if exc.problems else "cannot be read"
        return member
    except Exception as exc:  # noqa: BLE001 - any unreadable file is listed, never stops the team report
        member.problem = f"cannot be read: {type(exc).__name__}: {str(exc)[:160]}"
        return member
    if not ledger.ok:
        first = ledger.errors[0]
        member.problem = f"{len(ledger.errors)} input problem(s), first: {first}"
        return member
    member.invoices, member.customers = ledger.invoices, ledger.customers
    member.entity, member.home_currency = ledger.config.company_name, ledger.config.home_currency
    member.buckets = ledger.config.buckets
    member.notes = [str(p) for p in ledger.problems]
    return member

"""Reading a team's workbooks for consolidation: every associate's book in a folder, read-only.

A workbook that cannot be read (damaged, locked, not a workbook, input errors) becomes a
:class:`TeamBook` with its ``problem`` set, so the others still consolidate and the team report lists
it with the reason. Each readable book comes with the documents written beside it (invoices posted),
so the team books it exactly as the associate's own commands do. Nothing here ever writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..booking import Evidence
from ..io.evidence import evidence_beside
from ..io.xlsx.reader import XlsxSource
from ..ledger import Ledger, load_ledger
from ..model.problems import ValidationError

BOOKS = (".xlsx", ".xlsm")


@dataclass
class TeamBook:
    """One associate's workbook as read: its ledger and evidence, or why it cannot be used."""

    associate: str
    workbook: str
    ledger: Ledger | None = None
    evidence: Evidence | None = None
    problem: str = ""


def team_workbooks(folder: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """The workbooks of ``folder`` (not Office lock files ``~$…``, backups ``*.bak.xlsx``, our own
    temporary files ``.~…``, a team report otc_xl wrote (:func:`is_team_report`), nor ``skip``: the
    team leader's own workbook, for the button).

    The command's output is not skipped by name: a member's workbook given as the output stays an
    input, so the caller's output-over-input check refuses it; an earlier team report is no member."""
    skipped = {p.resolve() for p in skip}
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in BOOKS and not p.name.startswith(("~$", ".~"))
                  and not p.name.lower().endswith(".bak.xlsx") and p.resolve() not in skipped
                  and not is_team_report(p))


TEAM_SHEETS = {"Workbooks", "TeamAgeing", "TeamControls"}


def is_team_report(path: Path) -> bool:
    """Whether ``path`` is a team report otc_xl wrote (its Workbooks, TeamAgeing and TeamControls
    sheets, and no input table of its own), judged from the workbook part alone."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            names = set(re.findall(rb'<sheet\b[^>]*?\bname="([^"]*)"', package.read("xl/workbook.xml")))
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    names = {n.decode("utf-8", "replace") for n in names}
    return TEAM_SHEETS <= names and not names & {"Invoices", "Payments", "Customers"}


def read_member(path: Path, as_of: dt.date | None) -> TeamBook:
    """One associate's workbook; the associate is the file name without its extension."""
    member = TeamBook(path.stem, path.name)
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
    member.ledger, member.evidence = ledger, evidence_beside(path)
    return member

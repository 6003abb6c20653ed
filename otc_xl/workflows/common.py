"""What every job shares: the run, its result, formatting helpers, and the computations several
jobs reuse (this run's cash application, receipts, amounts pending), each computed once per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from ..ledger import Ledger
from ..matching import MatchConfig, match_payments
from ..collecting.legal import legal_cases
from ..collecting.promises import file_outcomes, judge_promises
from ..collecting.statements import customer_receipts
from ..model.money import cents, money_sum
from ..model.report import Format, ReportSheet


@dataclass
class JobResult:
    sheets: list[ReportSheet] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) lines for the console table / Excel status bar."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Documents to write (letters, statements, e-mail drafts, SEPA files) by file name."""
    books: dict[str, list[ReportSheet]] = field(default_factory=dict)
    """Workbooks to write beside the documents (legal case files), by file name."""


@dataclass
class Run:
    """The ledger being processed and the frames jobs hand to each other (by name)."""

    ledger: Ledger
    results: dict[str, Any] = field(default_factory=dict)
    customer_ids: list[str] | None = None
    """Customers statements are asked for (None: all)."""
    issued: dict[str, str] = field(default_factory=dict)
    """End-to-end ids already in SEPA files next to the workbook → file (read by the door, not the job)."""
    their_account: Any = None
    """What a customer sent for reconciliation (``reconciling.TheirAccount``), read by the door."""
    erp_invoices: pd.DataFrame | None = None
    """The Invoices table as the ERP exported it (``ledger.invoices`` has otc_xl's postings applied)."""

    @property
    def as_of(self):
        return self.ledger.config.resolved_as_of()

    def get(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.results:
            self.results[name] = make()
        return self.results[name]


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


def _customers(run: Run) -> pd.DataFrame | None:
    return run.ledger.customers if len(run.ledger.customers) else None


def _match(run: Run):
    """Cash application of this run (computed once, shared by every job that needs it)."""
    ledger = run.ledger

    def make():
        aliases = ledger.aliases if len(ledger.aliases) else None
        return match_payments(ledger.invoices, ledger.payments, _customers(run),
                              MatchConfig.from_config(ledger.config), aliases=aliases)
    result = run.get("match_result", make)
    run.results.setdefault("applications", result.applications)
    run.results.setdefault("unapplied_details", result.unapplied)
    return result


def _receipts(run: Run) -> pd.DataFrame:
    """Money received per customer (Payments, after this run's cash application)."""
    return run.get("receipts", lambda: customer_receipts(run.ledger.payments, _match(run).applications))


def _pending(run: Run) -> pd.Series:
    """Amount per invoice_id that this run's cash application applies automatically."""
    apps = _match(run).applications
    auto = apps.loc[apps["status"] == "auto"]
    return auto.assign(_c=cents(auto["applied_amount"] + auto["writeoff_amount"])).groupby("invoice_id")["_c"].sum() / 100


def _legal(run: Run) -> pd.DataFrame:
    """The legal list: earlier hand-overs refreshed, plus today's (computed once)."""
    ledger, cfg = run.ledger, run.ledger.config
    return run.get("legal", lambda: legal_cases(ledger.invoices, _customers(run), run.as_of,
                                                ledger.records["dunning_history"], len(cfg.dunning_days),
                                                cfg.legal_min_days, ledger.records["legal_cases"]))


def _contact_log(run: Run) -> pd.DataFrame:
    """Every contact outcome on record (the last Worklist's filed), promises judged against the bank."""
    def make() -> pd.DataFrame:
        ledger = run.ledger
        log = file_outcomes(ledger.records["contact_log"], ledger.records["worklist"])
        inv = ledger.invoices
        overdue = inv.loc[(inv["due_date"] < pd.Timestamp(run.as_of)) & (inv["dispute_code"] == "")]
        overdue = overdue.assign(_c=cents(overdue["open_amount"])).groupby("customer_id")["_c"].sum()
        return judge_promises(log, _receipts(run), overdue, run.as_of)
    return run.get("contact_log", make)

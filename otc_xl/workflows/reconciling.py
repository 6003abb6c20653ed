"""The reconciliation job: a customer's view of their account against ours, and the reply letter."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..collecting.reconcile import AGREED, reconcile_account
from ..letters import reconciliation_letter
from ..model.problems import Problem, ValidationError
from ..model.report import ReportSheet
from .collections import _documents
from .common import JobResult, Run, _formats


@dataclass
class TheirAccount:
    """What the customer sent, as read by the door (:mod:`otc_xl.io.formats.customer_statement`)."""

    customer_id: str
    lines: pd.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    currency: str = ""
    """The account's currency to reconcile (empty: the customer's only one)."""
    has_currency: bool = False
    """Their file names a currency per line (else every line is taken to be in ``currency``)."""


def reconcile_job(run: Run) -> JobResult:
    """``Reconciliation`` (every line of both sides: agreed, amount difference, only ours, only theirs,
    with the action each calls for) and ``ReconciliationBalance`` (both balances and what explains
    the difference, tied to the cent), plus the reply letter and e-mail draft."""
    account: TheirAccount | None = run.request.their_account
    if account is None:
        raise ValidationError([Problem("otc_xl", "reconcile needs the customer's file")])
    ledger, cfg = run.ledger, run.config
    customer = account.customer_id
    known = set(ledger.customers["customer_id"]) | set(ledger.invoices["customer_id"])
    if customer not in known:
        raise ValidationError([Problem(ledger.found.get("customers", "Customers"),
                                       f"customer {customer!r} is not in Customers or Invoices")])
    own = ledger.invoices.loc[ledger.invoices["customer_id"] == customer]
    currency = account.currency or _only_currency(own, customer, ledger.found.get("invoices", "Invoices"))
    ours = own.loc[own["currency"] == currency]
    receipts = run.receipts
    receipts = receipts.loc[(receipts["customer_id"] == customer) & (receipts["currency"] == currency)]
    theirs = account.lines
    other = pd.Series(False, index=theirs.index)
    if account.has_currency:
        other = theirs["currency"] != currency
        theirs = theirs.loc[~other]
    placed = set(run.receipts["payment_id"])
    loose = run.unapplied
    loose = loose.loc[~loose["payment_id"].isin(placed) & (loose["currency"] == currency)]
    result = reconcile_account(ours, receipts, theirs, loose, cfg.reconcile_tolerance)
    balance = dict(zip(result.summary["item"], result.summary["amount"]))
    if not result.ties:  # by construction it ties; if it ever does not, nothing is written
        raise ValidationError([Problem(account.source, f"the reconciliation does not tie: our balance "
                                                       f"{balance['our balance']:,.2f} − their balance "
                                                       f"{balance['their balance']:,.2f} = "
                                                       f"{balance['difference']:,.2f}, "
                                                       "but the lines explain "
                                                       f"{balance['difference'] - balance['unexplained']:,.2f}; "
                                                       "nothing was written — please report this")])
    lines = result.lines
    notes = (f"Customer {customer}, {currency}, as of {run.as_of:%d/%m/%Y}; their file {account.source}: "
             f"{len(theirs)} line(s), amounts read {result.sign}.", *account.notes,
             *([f"{int(other.sum())} of their line(s) in another currency left out."] if other.any() else []))
    sheets = [ReportSheet("Reconciliation", "tblReconciliation", lines,
                          _formats(lines, ["our_amount", "their_amount", "difference"], ("their_row",)), notes=notes),
              ReportSheet("ReconciliationBalance", "tblReconciliationBalance", result.summary,
                          {"amount": "money"}, notes=("difference = Σ explained; unexplained must be 0.00.",))]
    letter = reconciliation_letter(lines, {"ours": balance["our balance"], "theirs": balance["their balance"],
                                           "difference": balance["difference"]}, run.customers, customer, currency,
                                   run.as_of, cfg.company_name, cfg.language, cfg.templates_folder,
                                   contact=cfg.company_contact_name or cfg.company_name)
    files, listing = _documents([letter], run)
    counts = lines["status"].value_counts()
    summary = [("reconciled", f"{customer} {currency} with {account.source}"),
               ("our balance", f"{balance['our balance']:,.2f}"), ("their balance", f"{balance['their balance']:,.2f}"),
               ("difference", f"{balance['difference']:,.2f} (explained to the cent)"),
               ("lines agreed / differing",
                f"{int(counts.get(AGREED, 0)):,} / {int(len(lines) - counts.get(AGREED, 0)):,}"),
               ("their amounts read", result.sign), ("reply letter", listing["letter"].iloc[0])]
    return JobResult(sheets, summary, files)


def _only_currency(own: pd.DataFrame, customer: str, sheet: str) -> str:
    currencies = sorted(set(own["currency"]))
    if len(currencies) > 1:
        raise ValidationError([Problem(sheet, f"customer {customer} has open items in {', '.join(currencies)}: "
                                              "say which account to reconcile with --currency")])
    return currencies[0] if currencies else "EUR"

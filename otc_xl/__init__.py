"""otc_xl: an Order-to-Cash toolkit for Excel workbooks.

Public API (DataFrames in, DataFrames out; see the README):

- data contracts: :data:`CONTRACTS` (``INVOICES``, ``PAYMENTS``, ``CUSTOMERS``, ``ORDERS``),
  :class:`Problem`, :class:`ValidationError`
- settings: :class:`Config`
- reading a workbook: :func:`read_workbook` → :class:`Ledger`; bank files: :func:`read_bank_file`
- cash application: :func:`match_payments`, :class:`MatchConfig`, :class:`MatchResult`,
  :func:`alias_suggestions`
- reports: :func:`ageing`, :func:`unapplied_cash`, :func:`unbilled_revenue`, :func:`ar_kpis`,
  :func:`credit_balances`, :func:`pivot_data`
- collections: :func:`dunning_run` with :class:`DunningPolicy` / :class:`DunningLevel`,
  :func:`statement_lines`, :func:`worklist`, :func:`dispute_items`, :func:`disputes_summary`,
  :func:`writeoff_proposals`, :func:`payment_plan`; letters: :func:`dunning_letters`,
  :func:`statements`, :func:`email_draft`
"""

from __future__ import annotations

__version__ = "0.1.0"

from .collecting import DunningLevel, DunningPolicy, DunningResult, dunning_run
from .collecting.disputes import dispute_items, disputes_summary
from .collecting.plans import payment_plan
from .collecting.statements import statement_lines
from .collecting.worklist import worklist
from .collecting.writeoffs import writeoff_proposals
from .config import Config
from .ledger import Ledger, load_ledger
from .letters import dunning_letters, email_draft, statements
from .matching import MatchConfig, MatchResult, alias_suggestions, match_payments
from .model.contracts import CONTRACTS, CUSTOMERS, INVOICES, ORDERS, PAYMENTS
from .model.problems import Problem, ValidationError
from .reports import ageing, ar_kpis, credit_balances, pivot_data, unapplied_cash, unbilled_revenue


def read_bank_file(path, format=None):
    """Receipts of a bank file (camt.053/054, MT940, CSV/XLSX) as a canonical payments frame;
    see :func:`otc_xl.io.formats.bank.read_bank_file` (imported on first use)."""
    from .io.formats.bank import read_bank_file as read

    return read(path, format)


def read_workbook(path, **settings) -> Ledger:
    """Read and validate the input tables of the workbook file at ``path``.

    ``settings`` override Config values (e.g. ``as_of=date(2026, 12, 31)``). Check
    ``ledger.ok`` / ``ledger.problems`` before using the frames.
    """
    from .io.xlsx.reader import XlsxSource

    return load_ledger(XlsxSource(path), **settings)


__all__ = ["CONTRACTS", "CUSTOMERS", "Config", "DunningLevel", "DunningPolicy", "DunningResult", "INVOICES", "Ledger",
           "MatchConfig", "MatchResult", "ORDERS", "PAYMENTS", "Problem", "ValidationError", "__version__", "ageing",
           "alias_suggestions", "ar_kpis", "credit_balances", "dispute_items", "disputes_summary", "dunning_letters",
           "dunning_run", "email_draft", "match_payments", "payment_plan", "pivot_data", "read_bank_file",
           "read_workbook", "statement_lines", "statements", "unapplied_cash", "unbilled_revenue", "worklist",
           "writeoff_proposals"]

"""Remittance advices as data: what a payment pays, invoice by invoice.

An advice line says which invoice (as the customer wrote it), how much is paid for it, how much is
deducted and why. Lines come from the ``Advices`` table (CSV/XLSX advices, lockbox stubs, EDI 820
files and PDF advices are read into it by :mod:`otc_xl.io.bankfiles.advice`) or from EDI 820
segments written in the bank line itself (ACH CTX addenda: ``RMR*IV*4711**1000.00*1020.00*20.00~``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class AdviceLine:
    reference: str
    """The invoice as the customer wrote it."""
    paid: int | None
    """Cents paid for it (None: not said)."""
    deduction: int = 0
    """Cents deducted (discount or deduction), as the customer says."""
    reason: str = ""
    invoiced: int | None = None
    """The invoice's amount as the customer has it (EDI RMR05), when given."""


def lines_by_payment(advices: pd.DataFrame | None, payment_ids: list[str], texts: list[str]) -> dict[int, list[Any]]:
    return {}


def by_advice(seen, who, group, book, config, notes):
    return None

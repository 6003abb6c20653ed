"""The settings of cash application: :class:`MatchConfig`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..config import Config
from .subsets import MAX_NODES, MAX_SIZE


@dataclass
class MatchConfig:
    """Settings of :func:`match_payments`: the matching part of :class:`otc_xl.Config`, whose defaults
    (documented there and in the README) these are, plus the search limits that only matching has."""

    tolerance_abs: float = Config.tolerance_abs
    """Short payment written off up to this amount, in the payment's currency…"""
    tolerance_pct: float = Config.tolerance_pct
    """…and up to this percentage of the items paid (both limits apply)."""
    discount_rates: tuple[float, ...] = Config.discount_rates
    """Early-payment discounts accepted as deliberate deductions…"""
    discount_days: int = Config.discount_days
    """…when the payment is dated at most this many days after the invoice date (0: no window)."""
    auto_threshold: float = Config.auto_threshold
    """Applications at or above this confidence are ``auto``; below, ``review``."""
    name_cutoff: float = Config.name_cutoff
    """Minimum payer-name similarity (0-100) to identify a customer by name."""
    name_margin: float = 5.0
    """…and how far the best customer must lead the second (else it is a tie)."""
    max_subset_size: int = MAX_SIZE
    """Largest number of items one payment is matched to without references."""
    max_subset_nodes: int = MAX_NODES
    """Search budget per payment for subsets; a search cut short is not unique."""
    deduction_max_pct: float = Config.deduction_max_pct
    """A payment short of its one named invoice beyond the tolerance by at most this percentage, without
    saying why, opens a deduction; a larger shortfall is a partial payment."""

    fx_tolerance_pct: float = Config.fx_tolerance_pct
    """A payment in another currency than its items clears them when its converted amount is within this % of
    what is open (see :mod:`otc_xl.matching.across`)."""
    fx_rate_max_days: int = Config.fx_rate_max_days
    """How many days after its date an ExchangeRates rate is still used."""
    home_currency: str = Config.home_currency
    """The base of ExchangeRates rows that give none."""

    @classmethod
    def from_config(cls, config: Any) -> MatchConfig:
        """From an :class:`otc_xl.Config` (the workbook's Config sheet)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in dataclasses.asdict(config).items() if k in names})

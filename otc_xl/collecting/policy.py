"""Dunning policy: the levels and their rules, built from Config (``dunning_*`` settings)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ..config import Config

TONES = ("reminder", "second_notice", "final_notice", "legal")
"""Letter tone by level: level 1 → reminder … level 4 and above → legal (escalation)."""


@dataclass(frozen=True)
class DunningLevel:
    """One step of the dunning ladder."""

    level: int
    days: int
    """First day overdue at which an item reaches this level."""
    min_amount: float = 0.0
    """Least overdue amount (per customer and currency) for a notice at this level."""
    min_percent: float = 0.0
    """Least overdue share (0-100) of the account's open balance for a notice at this level."""
    fee: float = 0.0
    """Fee added once to the notice."""
    interest_rate: float = 0.0
    """Yearly rate; interest on an item = open × rate / 365 × days overdue."""

    @property
    def tone(self) -> str:
        return TONES[min(self.level, len(TONES)) - 1]


@dataclass(frozen=True)
class DunningPolicy:
    """The levels (ascending), the grace days and the least interval between two notices."""

    levels: tuple[DunningLevel, ...]
    grace_days: int = Config.dunning_grace_days
    interval_days: int = Config.dunning_interval_days
    deadline_days: tuple[int, ...] = Config.dunning_deadline_days
    """Days a letter of each level gives to pay (its pay-by date); the last value serves the later levels."""

    def __post_init__(self) -> None:
        days = [lv.days for lv in self.levels]
        if not days or days != sorted(set(days)) or days[0] < 1:
            raise ValueError(f"dunning levels need increasing start days from 1, got {days}")

    @classmethod
    def from_config(cls, config: Config = Config()) -> DunningPolicy:
        def per_level(values: tuple, i: int):
            return values[i] if len(values) > 1 else values[0]
        levels = tuple(DunningLevel(i + 1, days, per_level(config.dunning_min_amount, i),
                                    per_level(config.dunning_min_percent, i), per_level(config.dunning_fees, i),
                                    per_level(config.dunning_interest, i))
                       for i, days in enumerate(config.dunning_days))
        return cls(levels, config.dunning_grace_days, config.dunning_interval_days, config.dunning_deadline_days)

    def level_for(self, days_overdue: int) -> int:
        """Level an item reaches by its days overdue alone (0: none yet)."""
        return sum(days_overdue >= lv.days for lv in self.levels)

    def deadline(self, level: int) -> int:
        """Days the letter of ``level`` gives to pay: its pay-by date is the run date plus these."""
        days = self.deadline_days or (7,)
        return int(days[min(max(level, 1), len(days)) - 1])

    def next_notice_allowed(self, last, last_level: int):
        """The first date a notice may follow one sent on ``last`` at ``last_level`` (None: no notice
        yet, any date): after that letter's pay-by date has passed, and ``interval_days`` apart."""
        if last is None or pd.isna(last):
            return None
        last = pd.Timestamp(last)
        return max(last + pd.Timedelta(days=self.interval_days),
                   last + pd.Timedelta(days=self.deadline(last_level) + 1))

    def __getitem__(self, level: int) -> DunningLevel:
        return self.levels[level - 1]


def interest_cents(open_cents: int, yearly_rate: float, days: int) -> int:
    """Interest in cents, rounded half up: open × rate / 365 × days (ERPNext: 100.00, 10 %, 15 days → 0.41)."""
    if open_cents <= 0 or days <= 0 or not yearly_rate:
        return 0
    value = Decimal(open_cents) * Decimal(str(yearly_rate)) * days / 365
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

"""What one payment does (:class:`_Outcome`): its lines of (item, applied, write-off), built in the
usual shapes (in full, with a write-off, oldest first), and the sentence that explains it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .book import _Book


@dataclass
class _Outcome:
    """What one payment does: lines of (item position, applied cents, write-off cents), and why."""

    lines: list[tuple[int, int, int]]
    method: str
    confidence: float
    why: str
    reason: str = ""
    """Why money is left over, when it is (overpayment, partial, ambiguous, no_match)."""
    suggested: str = ""
    proposal_only: bool = False
    """Decided after other payments' proposals reserved items: never applied automatically."""
    deductions: list[tuple[int, int, str, str]] = field(default_factory=list)
    """(item position, cents, reason code, the customer's words) of each deduction opened."""
    rate: Any = None
    """Across currencies (:mod:`otc_xl.matching.across`): the :class:`~otc_xl.matching.rates.Rate` used; the
    lines' applied cents are then in the payment's currency and ``cleared`` says what each takes off its item."""
    cleared: list[int] = field(default_factory=list)
    """Across currencies, per line: the cents cleared on the item, in the item's currency."""
    named: list[int] = field(default_factory=list)
    """Items the remittance names that this outcome could not propose (across currencies without a rate, or in
    several currencies): the payment waits for them all the same (dunning holds them, see ``MatchResult.waiting``)."""
    fx: list[int] = field(default_factory=list)
    """Across currencies, per line: the exchange difference, in the item's currency (the applied amount
    converted at the rate, less what it clears: a gain when positive, a loss when negative)."""

    def taken(self) -> list[tuple[int, int]]:
        """(item position, cents taken off the item in its own currency: cleared or applied, plus written off)."""
        if self.rate is not None:
            return [(k, cleared + writeoff) for (k, _, writeoff), cleared in zip(self.lines, self.cleared)]
        return [(k, applied + writeoff) for k, applied, writeoff in self.lines]


def _oldest_first(items: list[int], amount: int, book: _Book) -> list[tuple[int, int, int]]:
    """``amount`` spread over ``items``, oldest due date first, never more than an item has open."""
    lines, rest = [], amount
    for k in sorted(items, key=lambda k: (book.due[k], book.ids[k])):
        take = min(rest, int(book.left[k]))
        if take > 0:
            lines.append((k, take, 0))
            rest -= take
    return lines


def _full(items: list[int], left: list[int]) -> list[tuple[int, int, int]]:
    return [(k, a, 0) for k, a in zip(items, left)]


def _with_writeoff(items: list[int], left: list[int], writeoff: int) -> list[tuple[int, int, int]]:
    """All items closed; the difference written off on the largest one."""
    largest = max(range(len(items)), key=lambda j: left[j])
    return [(k, a - (writeoff if j == largest else 0), writeoff if j == largest else 0)
            for j, (k, a) in enumerate(zip(items, left))]


def _fmt(value: int) -> str:
    return f"{value / 100:,.2f}"


def _sentence(parts: list[str]) -> str:
    text = "; ".join(p for p in parts if p)
    return (text[:1].upper() + text[1:] + ".") if text else ""

"""Payments in another currency than the items they pay (issue 29): a UK customer paying a EUR invoice of
1,000.00 with GBP 861.40, a Swiss one paying in CHF.

The rate is the bank's own conversion on the payment row, else the ExchangeRates table's of the payment's date
(:mod:`otc_xl.matching.rates`); never a made-up one. The payment is applied in its own currency, each item is
cleared in its own, and the difference is an **exchange difference** (``fx_difference``, in the item's currency:
the payment converted at the rate less what it clears), written on the application row with the rate and its
source — never inside a write-off tolerance.

* **Automatic** only when the remittance names the items (a whole reference, or the payer's own number), the
  payer is identified as their customer, or its name resembles theirs though it identifies no one alone, or the
  bank gives the amount instructed in their currency; and the converted amount is within ``fx_tolerance_pct``
  of what is open on them (exactly, when the bank gives the amount instructed in their currency: what the bank
  converted is what the customer paid).
* **For review, with the figures** (rate, converted amount, difference and its %) otherwise: beyond the
  tolerance, a payer not recognised, no rate, items in several currencies.
* **Never on the amount alone:** a payer identified without a reference gets a proposal of the one item in
  another currency whose converted amount fits, for review.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .book import _Book
from .confidence import CONFLICT_CAP, UNCONFIRMED_CAP, _confidence
from .names import Identification
from .outcome import _Outcome, _sentence
from .rates import BankConversion, Rate, Rates
from .references import Hit
from .settings import MatchConfig

PROPOSAL_CAP = 70.0
"""Highest confidence of a proposal across currencies on the amount alone: never automatic."""
REASONS = ("no_rate", "fx_tolerance", "fx_evidence")
"""Why money across currencies stays unapplied: no rate, beyond the tolerance, not enough evidence."""


def _money(currency: str, cents: int) -> str:
    return f"{currency} {cents / 100:,.2f}"


def _split(total: int, weights: list[int]) -> list[int]:
    """``total`` cents in parts proportional to ``weights`` (positive), summing to ``total`` exactly (the last
    part takes the rounding)."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _fill(amount: int, items: list[int], book: _Book) -> list[int]:
    """``amount`` cents of the items' currency spread over ``items`` oldest due first, never more than is open."""
    order = sorted(range(len(items)), key=lambda j: (book.due[items[j]], book.ids[items[j]]))
    out, rest = [0] * len(items), amount
    for j in order:
        out[j] = min(rest, int(book.left[items[j]]))
        rest -= out[j]
    return out


def _figures(amount: int, paid: str, item: str, rate: Rate, converted: int, total: int) -> str:
    diff = converted - total
    how = (rate.detail if rate.instructed is not None  # the bank's conversion says what the payer instructed
           else f"at {rate.shown(paid, item)} that is {_money(item, converted)} ({rate.detail})")
    return (f"paid {_money(paid, amount)}; {how} against {_money(item, total)} open: difference "
            f"{diff / 100:+,.2f} {item} ({diff * 100 / total:+.2f} %)")


def by_reference(amount: int, currency: str, hits: list[Hit], who: Identification, group: set[str], book: _Book,
                 config: MatchConfig, notes: list[str], conflict: str, paid_on: Any,
                 bank: BankConversion | None, resembles: str = "") -> _Outcome:
    """The outcome of a payment in ``currency`` whose remittance names open items in another currency only.
    ``resembles``: a payer not identified whose name resembles the items' customer (said how), which vouches for
    the reference as an identified payer does."""
    items = list(dict.fromkeys(h.position for h in hits))
    owner = book.customer[items[0]]
    named = ", ".join(book.ids[k] for k in items)
    kinds = {book.currency[k] for k in items}
    if len(kinds) > 1:
        return _Outcome([], "", 0, _sentence(notes + [f"the remittance names {named}, in {', '.join(sorted(kinds))}: "
                                                      "items in several currencies are not converted at once"]),
                        "fx_evidence", owner, named=items)
    item = kinds.pop()
    rates: Rates = book.rates
    rate = rates.of(currency, item, paid_on, bank)
    total = sum(int(book.left[k]) for k in items)
    if rate is None:
        when = f"{pd.Timestamp(paid_on):%d/%m/%Y}" if paid_on is not None and not pd.isna(paid_on) else \
            "the payment's date"
        return _Outcome([], "", 0, _sentence(notes + [
            f"the remittance names {named} ({_money(item, total)} open), paid in {currency}",
            f"no exchange rate {currency}→{item} on or before {when} within {rates.max_days} days: add it to "
            "ExchangeRates (or import the bank's statement with its conversion); for review"]), "no_rate", owner,
                        named=items)
    converted = rate.instructed if rate.instructed is not None else rate.convert(amount)
    band = 0 if rate.instructed is not None else int(total * config.fx_tolerance_pct / 100)
    figures = _figures(amount, currency, item, rate, converted, total)
    weak = any(not h.strong for h in hits)
    foreign = bool(group) and any(book.customer[k] not in group for k in items)
    confidence = _confidence("reference+fx", who, weak=weak, foreign=foreign)
    extra = []
    if conflict:
        confidence = min(confidence, CONFLICT_CAP)
        extra.append(conflict)
    elif not who.customer_id and resembles:
        extra.append(resembles)
    elif not who.customer_id and rate.instructed is None:
        confidence = min(confidence, UNCONFIRMED_CAP)
        extra.append("the payer itself was not recognised, and across currencies the amount is no exact witness: "
                     "for review")
    if foreign:
        extra.append(f"but {named} belongs to another customer than the payer ({who.customer_id}): for review")
    cited = f"the remittance names {named}, paid in {currency}"
    if abs(converted - total) <= band:
        left = [int(book.left[k]) for k in items]
        applied, conv = _split(amount, left), _split(converted, left)
        gain = converted - total
        result = (f"the {abs(gain) / 100:,.2f} {item} exchange {'gain' if gain > 0 else 'loss'} recorded as "
                  "fx_difference" if gain else "no exchange difference")
        why = (f"{figures}, within the {config.fx_tolerance_pct:g} % exchange tolerance: cleared in {item}, {result}"
               if band else f"{figures}: cleared exactly")
        return _Outcome([(k, a, 0) for k, a in zip(items, applied)], "reference+fx", confidence,
                        _sentence(notes + [who.detail if who.customer_id else "", cited, why] + extra),
                        "" if confidence >= config.auto_threshold else "fx_evidence", owner, rate=rate,
                        cleared=left, fx=[c - v for c, v in zip(conv, left)])
    # beyond the tolerance: a proposal, never automatic (a partial or surplus payment, or a wrong rate)
    short = converted < total
    cleared = _fill(converted, items, book) if short else [int(book.left[k]) for k in items]
    used = amount if short else amount * total // converted
    weights = [c for c in cleared if c > 0]
    kept = [j for j, c in enumerate(cleared) if c > 0]
    applied = _split(used, weights) if weights else []
    lines = [(items[j], a, 0) for j, a in zip(kept, applied)]
    why = (f"{figures}: beyond the {config.fx_tolerance_pct:g} % exchange tolerance"
           + (" (the bank's instructed amount must equal what is open)" if rate.instructed is not None else "")
           + (", a partial payment or another rate? for review" if short else ", an overpayment? for review"))
    return _Outcome(lines, "reference+fx", min(confidence, PROPOSAL_CAP),
                    _sentence(notes + [who.detail if who.customer_id else "", cited, why] + extra), "fx_tolerance",
                    owner, rate=rate, cleared=[cleared[j] for j in kept], fx=[0] * len(kept))


def by_amount(amount: int, currency: str, who: Identification, group: set[str], book: _Book, config: MatchConfig,
              paid_on: Any, bank: BankConversion | None) -> _Outcome | None:
    """A payer identified without a reference, whose open items are in another currency: the one item whose
    converted amount is within the tolerance, proposed for review (never automatic on the amount alone); None
    when there is none, or more than one."""
    rates: Rates = book.rates
    fits: list[tuple[int, Rate, int]] = []
    for item in sorted(book.currencies_of(group) - {currency}):
        rate = rates.of(currency, item, paid_on, bank)
        if rate is None:
            continue
        converted = rate.instructed if rate.instructed is not None else rate.convert(amount)
        for k in book.open_of(group, item):
            left = int(book.left[k])
            if left > 0 and abs(converted - left) <= int(left * config.fx_tolerance_pct / 100):
                fits.append((k, rate, converted))
    if len(fits) != 1:
        return None
    k, rate, converted = fits[0]
    item, left = book.currency[k], int(book.left[k])
    source = "iban" if who.method in ("iban", "alias", "given") else "name"
    why = (f"{_figures(amount, currency, item, rate, converted, left)}: {book.ids[k]} is the only open item it "
           "fits, but across currencies the amount alone is never applied automatically: for review")
    return _Outcome([(k, amount, 0)], f"{source}+fx", min(_confidence(f"{source}+fx", who), PROPOSAL_CAP),
                    _sentence([who.detail, why]), "fx_evidence", who.customer_id, rate=rate, cleared=[left],
                    fx=[converted - left])

"""Decisions on who paid alone, no reference: one open item or one combination of the customer's
items fits the amount (exactly, net of a credit, within tolerance, less a discount), with the chance
of such a fit by luck; and siblings the name cannot tell apart, told apart by the amount."""

from __future__ import annotations

import dataclasses
from typing import Any

from .allowances import _discount, _outside_window, _tolerance
from .book import _Book
from .confidence import HOPELESS, LUCK_NOTED, MAX_SIBLINGS, SIBLING_PENALTY, _confidence, _luck_penalty
from .names import CustomerDirectory, Identification
from .outcome import _fmt, _full, _Outcome, _sentence
from .settings import MatchConfig
from .subsets import exact_subsets, expected_coincidences


def _sibling_by_amount(amount: int, currency: str, who: Identification, book: _Book, directory: CustomerDirectory,
                       notes: list[str]) -> _Outcome | None:
    """Siblings the name cannot tell apart ("Talleres Iriarte SL" / "… SA"): exactly one open item
    among all of theirs whose open amount is the payment decides, with the chance of such a fit by
    luck counted over all their items. Otherwise None (the payment stays for review)."""
    if len(who.candidates) > MAX_SIBLINGS:
        return None  # a name many customers share is no pair of siblings: the amount decides nothing
    items = [k for c in who.candidates for k in book.open_of(directory.group(c), currency)]
    same = [k for k in items if int(book.left[k]) == amount]
    if len(same) != 1:
        return None
    k = same[0]
    values = [int(book.left[j]) for j in items if book.left[j] > 0]
    chosen = dataclasses.replace(who, customer_id=book.customer[k], method="name", score=who.score - SIBLING_PENALTY)
    confidence = _confidence("name+amount", chosen) - _luck_penalty(expected_coincidences(values, amount, range(1, 2)))
    why = (f"{_fmt(amount)} equals the open amount of {book.ids[k]} of {book.customer[k]}, the only such item among "
           f"the {len(who.candidates)} customers the name fits")
    return _Outcome([(k, amount, 0)], "name+amount", confidence, _sentence(notes + [who.detail, why]), "",
                    book.customer[k])


def _by_customer(amount: int, currency: str, who: Identification, group: set[str], book: _Book,
                 config: MatchConfig, notes: list[str], paid_on: Any = None) -> _Outcome:
    source = "iban" if who.method in ("iban", "alias", "given") else "name"
    candidates = book.open_of(group, currency)
    left = {k: int(book.left[k]) for k in candidates}

    positives = [k for k in candidates if left[k] > 0]
    values = [left[k] for k in positives]

    def outcome(kind: str, lines, why: str, chance: float, reason: str = "") -> _Outcome:
        """``chance``: expected number of other items/combinations fitting as well by luck."""
        method = f"{source}+{kind}"
        confidence = _confidence(method, who) - _luck_penalty(chance)
        if chance > LUCK_NOTED:
            why += f" (but with {len(values)} open items such a fit happens by chance: for review)"
        return _Outcome(lines, method, confidence, _sentence(notes + [who.detail, why]), reason, who.customer_id)

    same = [k for k in candidates if left[k] == amount]
    if len(same) == 1:
        return outcome("amount", [(same[0], amount, 0)],
                       f"{_fmt(amount)} equals the open amount of {book.ids[same[0]]}, the only such item",
                       expected_coincidences(values, amount, range(1, 2)))
    if not same:
        net = [(k, book.linked_credits([k])) for k in positives]
        net = [(k, cs) for k, cs in net if cs and left[k] + sum(int(book.left[c]) for c in cs) == amount]
        if len(net) == 1:
            k, cs = net[0]
            return outcome("credit_note", [(k, left[k], 0)] + [(c, int(book.left[c]), 0) for c in cs],
                           f"{_fmt(amount)} equals {book.ids[k]} ({_fmt(left[k])}) less the credit "
                           f"{', '.join(book.ids[c] for c in cs)} that names it: both are cleared",
                           expected_coincidences(values, amount, range(1, 2)))
    if len(same) > 1:
        ids = ", ".join(book.ids[k] for k in same[:4])
        first = min(same, key=lambda k: (book.due[k], book.ids[k]))
        return _Outcome([(first, amount, 0)], f"{source}+amount", min(_confidence(f"{source}+amount", who), 50),
                        _sentence(notes + [who.detail, f"{_fmt(amount)} equals several open items ({ids}); the "
                                                        "oldest is suggested, never applied automatically"]),
                        "ambiguous", who.customer_id)
    sizes = range(2, config.max_subset_size + 1)
    chance = expected_coincidences(values, amount, sizes)
    # where a fit would be luck anyway (never automatic), a short search for a proposal is enough
    budget = config.max_subset_nodes if chance <= HOPELESS else config.max_subset_nodes // 40
    search = exact_subsets(values, amount, max_size=config.max_subset_size, max_nodes=budget)
    if search.unique is not None:
        chosen = [positives[j] for j in search.unique]
        return outcome("subset", _full(chosen, [left[k] for k in chosen]),
                       f"{_fmt(amount)} equals exactly {', '.join(book.ids[k] for k in chosen)}, the only combination",
                       chance)
    short = [k for k in positives if 0 < left[k] - amount <= _tolerance(left[k], config)]
    if len(short) == 1:
        k = short[0]
        return outcome("writeoff", [(k, amount, left[k] - amount)],
                       f"{_fmt(left[k] - amount)} short of {book.ids[k]}, within tolerance, written off",
                       expected_coincidences(values, amount + _tolerance(left[k], config) // 2, range(1, 2),
                                             window=_tolerance(left[k], config)))
    discounted = [k for k in positives if _discount(amount, left[k], 1, config, book.terms_of(k)) is not None]
    late = _outside_window(discounted, book, config, paid_on, book.terms_of(discounted[0])) \
        if len(discounted) == 1 else ""
    if late:
        k = discounted[0]
        return outcome("unearned_discount", [(k, min(amount, left[k]), 0)],
                       f"{_fmt(left[k] - amount)} less than {book.ids[k]} looks like an early-payment discount, but "
                       f"{late}: unearned, not written off, for review",
                       expected_coincidences(values, amount, range(1, 2), window=3), "unearned_discount")
    if len(discounted) == 1:
        k = discounted[0]
        return outcome("discount", [(k, amount, left[k] - amount)],
                       f"{_fmt(left[k] - amount)} less than {book.ids[k]}: an early-payment discount, written off",
                       sum(expected_coincidences(values, round(amount / (1 - r)), range(1, 2), window=3)
                           for r in config.discount_rates))
    why = ("several combinations of open items fit the amount" if len(search.solutions) > 1 else
           "the amount fits no open item or combination" if search.complete else
           "too many open items to find a combination safely")
    return _Outcome([], "", 0, _sentence(notes + [who.detail, why + "; left on account"]),
                    "ambiguous" if len(search.solutions) > 1 else "no_match", who.customer_id)

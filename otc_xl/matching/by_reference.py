"""Decisions on the items a remittance names: which references are evidence, and how the amount fits
them (exactly, net of a credit, a subset, within tolerance, a discount, a deduction, a remainder on
another item, a slipped digit, over or partial payment)."""

from __future__ import annotations

from typing import Any

from rapidfuzz.distance import OSA

from .allowances import _discount, _outside_window, _tolerance
from .book import _Book
from .confidence import CONFLICT_CAP, CONFLICT_PENALTY, EXACT_FITS, UNCONFIRMED_CAP, _confidence, _luck_penalty
from .deductions import SHORT_PAYMENT, claims, is_partial, mentions_discount
from .names import Identification
from .outcome import _fmt, _full, _oldest_first, _Outcome, _sentence, _with_writeoff
from .references import Hit
from .settings import MatchConfig
from .subsets import exact_subsets, expected_coincidences


def _usable_hits(hits: list[Hit], currency: str, who: Identification, group: set[str],
                 book: _Book, amount: int) -> tuple[list[Hit], list[str], list[Hit]]:
    """(the hits that are evidence in the payment's currency, notes on the others, the hits that would be
    evidence but are in another currency: :mod:`otc_xl.matching.across` decides those)."""
    usable, notes, elsewhere = [], [], []
    for hit in hits:
        k = hit.position
        name = f"{book.ids[k]} (written {hit.written!r})"
        if book.initial[k] == 0 or book.left[k] == 0:
            notes.append(f"the remittance names {name}, which is already closed")
        elif not hit.strong and not (group and book.customer[k] in group):
            continue  # a bare number is evidence only for the payer's own items
        elif book.currency[k] != currency:
            if book.left[k] > 0:
                elsewhere.append(hit)
            else:
                notes.append(f"the remittance names {name}, which is in {book.currency[k]}, not {currency}")
        else:
            usable.append(hit)
    return _one_scheme(usable, group, book, amount, notes), notes, _one_scheme(elsewhere, group, book, -1, [])


def _one_scheme(hits: list[Hit], group: set[str], book: _Book, amount: int, notes: list[str]) -> list[Hit]:
    """A number written once that is the number of items of several customers (two numbering
    schemes: ``FV-2026-004471`` and ``2026/FV/4471``) is decided by the payer, else by the one item
    whose open amount is the payment, else it is no evidence at all."""
    by_span: dict[tuple[int, int], list[Hit]] = {}
    for hit in hits:
        by_span.setdefault(hit.span, []).append(hit)
    keep = []
    for same in by_span.values():
        if len(same) > 1 and any(book.left[h.position] > 0 for h in same):
            # a number written once is the invoice, not a credit note of another series with its digits
            same = [h for h in same if book.left[h.position] > 0]
        owners = {book.customer[h.position] for h in same}
        if len(owners) < 2:
            keep += same
            continue
        mine = [h for h in same if group and book.customer[h.position] in group]
        fits = [h for h in same if int(book.left[h.position]) == amount]
        chosen = mine or (fits if len(fits) == 1 else [])
        if chosen:
            keep += chosen
        else:
            notes.append(f"{same[0].written!r} is the number of items of several customers "
                         f"({', '.join(sorted(owners))}): ambiguous, not used")
    order = {id(h): n for n, h in enumerate(hits)}
    return sorted(keep, key=lambda h: order[id(h)])


def _by_reference(amount: int, hits: list[Hit], who: Identification, group: set[str], book: _Book,
                  config: MatchConfig, notes: list[str], conflict: str = "", paid_on: Any = None,
                  text: str = "") -> _Outcome:
    items = [h.position for h in hits]
    left = [int(book.left[k]) for k in items]
    total = sum(left)
    foreign = [k for k in items if group and book.customer[k] not in group]
    weak = any(not h.strong for h in hits)
    named = ", ".join(f"{book.ids[h.position]}" + (f" (as {h.written!r})" if h.written.replace(" ", "") !=
                                                    book.ids[h.position].replace("-", "") else "") for h in hits)
    cited = f"the remittance names {named}"

    def outcome(method: str, lines, why: str, reason: str = "", deductions=()) -> _Outcome:
        confidence = _confidence(method, who, weak=weak, foreign=bool(foreign))
        extra = [conflict] if conflict else []
        if "; the reference names items of" in who.detail:  # say how a tie between same-name customers was settled
            extra.append(who.detail)
        if conflict:  # an amount that fits exactly is a second witness; a partial or surplus is not
            confidence = (confidence - CONFLICT_PENALTY if method in EXACT_FITS else min(confidence, CONFLICT_CAP))
        elif not who.customer_id and method not in EXACT_FITS and not method.endswith("remainder"):
            # a reference alone, and an amount that does not fit: nothing says this payer owes that item
            confidence = min(confidence, UNCONFIRMED_CAP)
            extra.append("nothing but the reference links this payment to the item and the amount does not fit "
                         "it: for review")
        if foreign:
            extra.append(f"but {', '.join(book.ids[k] for k in foreign)} belongs to another customer than "
                         f"the payer ({who.customer_id}), so it is not trusted alone")
        if not who.customer_id:
            extra.append("the payer itself was not recognised")
        return _Outcome(lines, method, confidence, _sentence(notes + [cited, why] + extra), reason,
                        book.customer[items[0]], deductions=list(deductions))

    if amount == total:
        return outcome("reference+amount", _full(items, left), f"the amount {_fmt(amount)} equals what is open on them")
    credits = book.linked_credits(items)
    if credits and amount == total + sum(int(book.left[c]) for c in credits):
        return outcome("reference+credit_note", _full(items + credits, left + [int(book.left[c]) for c in credits]),
                       f"the amount {_fmt(amount)} equals what is open on them ({_fmt(total)}) less the credit "
                       f"{', '.join(book.ids[c] for c in credits)} that names them "
                       f"({_fmt(-sum(int(book.left[c]) for c in credits))}): both are cleared")
    tolerance = _tolerance(total, config)
    claimed = claims(text)
    if claimed and len(items) == 1 and amount < total:
        # a deduction the customer claims is opened, never written off (tolerance is for charges and cents)
        rest = total - amount - sum(c.amount for c in claimed)
        if 0 <= rest <= tolerance:
            k = items[0]
            return outcome("reference+deduction", [(k, amount, rest)],
                           f"{_fmt(amount)} of the {_fmt(total)} open is paid; the customer deducts "
                           f"{_fmt(total - amount - rest)} ({'; '.join(c.text for c in claimed)}): a deduction is "
                           "opened" + (f", {_fmt(rest)} of bank charges written off" if rest else ""),
                           deductions=[(k, c.amount, c.code, c.text) for c in claimed])
    if len(items) > 1 and amount < total:
        # an exact subset of what is named comes before any write-off (a PO's deliveries, not its residual)
        found = exact_subsets(left, amount, min_size=1, max_size=min(len(items), config.max_subset_size),
                              max_nodes=config.max_subset_nodes).unique
        if found is not None:
            chosen = [items[j] for j in found]
            return outcome("reference+subset", _full(chosen, [left[j] for j in found]),
                           f"the amount {_fmt(amount)} equals exactly {', '.join(book.ids[k] for k in chosen)}")
    if amount < total:
        # an open credit note the payer did not name, that makes the amount exact, before any write-off
        owners = group or {book.customer[k] for k in items}
        credits = [c for c in book.open_of(owners, book.currency[items[0]]) if book.left[c] < 0 and c not in items]
        fits = [c for c in credits if total + int(book.left[c]) == amount]
        if len(fits) == 1:
            c = fits[0]
            return outcome("reference+credit_unnamed", _full(items + [c], left + [int(book.left[c])]),
                           f"the amount {_fmt(amount)} equals what is open on them ({_fmt(total)}) less the open "
                           f"credit {book.ids[c]} ({_fmt(-int(book.left[c]))}), not named but the only one that "
                           "fits exactly: both are cleared")
    if not claimed and 0 < total - amount <= tolerance:
        return outcome("reference+writeoff", _with_writeoff(items, left, total - amount),
                       f"{_fmt(total - amount)} short of {_fmt(total)}, within tolerance, written off")
    terms = book.terms_of(items[0]) if len({book.customer[k] for k in items}) == 1 else None
    rate = _discount(amount, total, len(items), config, terms)
    if rate is not None:
        late = _outside_window(items, book, config, paid_on, terms)
        if late:
            return outcome("reference+unearned_discount", _oldest_first(items, amount, book),
                           f"{_fmt(total - amount)} less than {_fmt(total)} looks like a {rate:.0%} early-payment "
                           f"discount, but {late}: unearned, not written off, for review", "unearned_discount")
        return outcome("reference+discount", _with_writeoff(items, left, total - amount),
                       f"{_fmt(total - amount)} less than {_fmt(total)}: a {rate:.0%} early-payment discount, "
                       "written off")
    remainder_note = ""
    if amount > total:
        remainder = _remainder(amount - total, items, book, group or {book.customer[k] for k in items}, config)
        if remainder is not None:
            extra_items, chance = remainder
            method = "reference+remainder" if len(extra_items) == 1 else "reference+remainder_subset"
            with_rest = outcome(method, _full(items + extra_items, left + [int(book.left[k]) for k in extra_items]),
                                f"they are {_fmt(total)}; the remaining {_fmt(amount - total)} equals exactly "
                                f"{', '.join(book.ids[k] for k in extra_items)} of the same customer, not named")
            with_rest.confidence -= _luck_penalty(chance)
            if with_rest.confidence >= config.auto_threshold:
                return with_rest
            # a surplus that equals an open item by luck is common (round amounts): close what is
            # named, and say which item the rest may be for
            remainder_note = (f"the remaining {_fmt(amount - total)} may be for "
                              f"{', '.join(book.ids[k] for k in extra_items)} (not applied: such a fit is often luck)")
    if len(items) == 1 and amount != total:
        near = _near_miss(items[0], amount, book)
        if near is not None:
            return outcome("reference+near_miss", [(near, amount, 0)],
                           f"{_fmt(amount)} does not fit {book.ids[items[0]]} ({_fmt(total)} open) but equals "
                           f"{book.ids[near]}, one keystroke away: a slipped digit? for review")
    if amount > total:
        return outcome("reference+overpayment", _full(items, left),
                       f"the payment is {_fmt(amount - total)} more than the {_fmt(total)} open: they are closed "
                       "and the rest stays unapplied" + (f"; {remainder_note}" if remainder_note else ""),
                       "overpayment")
    if len(items) == 1:
        short = total - amount
        if mentions_discount(text) and not claimed and short * 100 <= total * config.deduction_max_pct:
            return outcome("reference+unearned_discount", [(items[0], amount, 0)],
                           f"{_fmt(short)} less than {_fmt(total)} is called a discount, but it is not the customer's "
                           "rate or was taken outside its window: unearned, not written off, for review",
                           "unearned_discount")
        if not is_partial(text) and short * 100 <= total * config.deduction_max_pct:
            k = items[0]
            words = "; ".join(c.text for c in claimed)
            return outcome("reference+deduction", [(k, amount, 0)],
                           f"{_fmt(amount)} of the {_fmt(total)} open is paid; the {_fmt(short)} short "
                           + (f"(the remittance says {words!r}, which does not add up to it) " if words else "")
                           + "is opened as a deduction, not written off",
                           deductions=[(k, short, claimed[0].code if len(claimed) == 1 else SHORT_PAYMENT,
                                        words)])
        return outcome("reference+partial", [(items[0], amount, 0)],
                       f"{_fmt(amount)} of the {_fmt(total)} open is paid; the rest stays open")
    return outcome("reference+oldest_first", _oldest_first(items, amount, book),
                   f"{_fmt(amount)} does not match their {_fmt(total)}; applied oldest due first for review",
                   "partial")


def _remainder(rest: int, items: list[int], book: _Book, customers: set[str],
               config: MatchConfig) -> tuple[list[int], float] | None:
    """The one open item (or the one combination of up to three) of ``customers`` (the payer's
    group, else the named items' customers) in the items' currency, not among ``items``, whose open
    amount is exactly ``rest``; with the chance of such a fit by luck. None when there is none or more
    than one."""
    currency = book.currency[items[0]]
    others = [k for k in book.open_of(customers, currency) if k not in items and book.left[k] > 0]
    values = [int(book.left[k]) for k in others]
    same = [k for k, v in zip(others, values) if v == rest]
    if len(same) == 1:
        return [same[0]], expected_coincidences(values, rest, range(1, 2))
    if same:
        return None
    search = exact_subsets(values, rest, min_size=2, max_size=min(3, config.max_subset_size),
                           max_nodes=config.max_subset_nodes // 10)
    if search.unique is None:
        return None
    return [others[j] for j in search.unique], expected_coincidences(values, rest, range(2, 4))


def _near_miss(named: int, amount: int, book: _Book) -> int | None:
    """The one open item of the same customer whose number is one keystroke (a slipped, missing,
    extra or transposed digit) from the named one and whose open amount is exactly ``amount``."""
    fits = [k for k in book.open_of({book.customer[named]}, book.currency[named])
            if k != named and int(book.left[k]) == amount and OSA.distance(book.ids[k], book.ids[named]) == 1]
    return fits[0] if len(fits) == 1 else None

"""The decision cascade for one payment (:func:`_decide`): advice lines first, then the references,
then who paid; a payment naming cleared items, or numbers of the payer's that are not open, is never
applied automatically."""

from __future__ import annotations

import dataclasses

import pandas as pd
from rapidfuzz.distance import OSA

from .bankline import _Seen
from .book import _NOT_DIGIT, _Book
from .by_customer import _by_customer, _sibling_by_amount
from .by_reference import _by_reference, _usable_hits
from .confidence import CONFLICT_CAP, SIBLING_PENALTY
from .names import CustomerDirectory, is_payment_service, normalise_name
from .outcome import _Outcome, _sentence
from .references import Hit
from .settings import MatchConfig


def _decide(seen: _Seen, book: _Book, directory: CustomerDirectory, config: MatchConfig) -> _Outcome:
    amount, currency, hits, who, payer, paid_on = (seen.amount, seen.currency, seen.hits, seen.who, seen.payer,
                                                   seen.paid_on)
    group = directory.group(who.customer_id) if who.customer_id else set()
    usable, notes, elsewhere = _usable_hits(hits, currency, who, group, book, amount)
    if usable and elsewhere:  # decided on the items of the payment's currency: the others said, not dropped
        named = ", ".join(dict.fromkeys(f"{book.ids[h.position]} ({book.currency[h.position]})" for h in elsewhere))
        notes.append(f"the remittance also names {named}, not in {currency}: not converted together with items in "
                     f"{currency}")
    owners = {book.customer[h.position] for h in usable}
    # a cleared item counts when it is the payer's (or, payer unknown, of the customer whose items are named)
    mine = group or owners
    cleared = [h for h in seen.cleared if not mine or str(book.cleared.at[h.position, "customer_id"]) in mine]
    duplicate = _paid_before(cleared, book)
    if usable and not who.customer_id and who.candidates:
        # customers of the same name: a reference to the items of exactly one of them decides
        if len(owners) == 1 and next(iter(owners)) in who.candidates:
            cid = next(iter(owners))
            who = dataclasses.replace(who, customer_id=cid, method="name", score=who.score - SIBLING_PENALTY,
                                      detail=f"{who.detail}; the reference names items of {cid} only")
            group = directory.group(cid)
    if seen.advice:
        from .advices import by_advice

        outcome = by_advice(seen, who, group, book, config, notes)
        if outcome is not None:
            return _also_paid_before(outcome, duplicate)
    if usable:
        conflict = ""
        if not who.customer_id and payer:
            if all(directory.conflicts(payer, c) for c in owners):
                conflict = (f"but the payer {payer!r} resembles none of {', '.join(sorted(owners))}, whose items they "
                            "are: conflicting evidence")
        return _also_paid_before(_by_reference(amount, usable, who, group, book, config, notes, conflict, paid_on,
                                               seen.text), duplicate)
    if elsewhere:
        from . import across

        owners = {book.customer[h.position] for h in elsewhere}
        conflict, resembles = "", ""
        if not who.customer_id and payer:
            if all(directory.conflicts(payer, c) for c in owners):
                conflict = (f"but the payer {payer!r} resembles none of {', '.join(sorted(owners))}, whose items they "
                            "are: conflicting evidence")
            elif len(owners) == 1 and normalise_name(payer) and not is_payment_service(payer):
                resembles = f"the payer {payer!r} resembles {next(iter(owners))}, whose items they are"
        return _also_paid_before(across.by_reference(amount - seen.charges, currency, elsewhere, who, group, book,
                                                     config, notes, conflict, paid_on, seen.bank, resembles),
                                 duplicate)
    if duplicate:
        owner = who.customer_id or str(book.cleared.at[cleared[0].position, "customer_id"])
        return _Outcome([], "", 0, _sentence(notes + [who.detail, duplicate]), "duplicate", owner)
    if who.customer_id:
        outcome = _by_customer(amount, currency, who, group, book, config, notes, paid_on)
        if not outcome.lines and len(book.currencies_of(group)) > (currency in book.currencies_of(group)):
            from . import across

            outcome = across.by_amount(amount - seen.charges, currency, who, group, book, config, paid_on,
                                       seen.bank) or outcome
        if any(h.strong and amount in (book.invoiced[h.position], book.initial[h.position])
               for h in hits if book.left[h.position] == 0):
            # the text names an item already cleared for exactly this amount: it was paid elsewhere
            # (cheque, netting); another item that happens to fit must not take this money
            outcome.confidence = min(outcome.confidence, CONFLICT_CAP)
            outcome.why = outcome.why.rstrip(".") + "; but the remittance names an item already closed for this " \
                                                    "amount (paid elsewhere?): for review."
        ours = _numbers_of(seen.unknown, group, book)
        if outcome.lines and ours:
            # the customer wrote which document it pays, and it is not open: paid already, or a slip of
            # a digit (90422615 for 90422815); an item that happens to fit the amount must not take it
            close = [book.ids[k] for k, _, _ in outcome.lines
                     if any(OSA.distance(_NOT_DIGIT.sub("", book.ids[k]), n) <= 1 for n in ours)]
            outcome.confidence = min(outcome.confidence, CONFLICT_CAP)
            shown = [f"a number of {2000 + int(n[1:])}" if n.startswith("Y") else n for n in ours]
            outcome.why = (outcome.why.rstrip(".") + f"; but the remittance names {', '.join(shown)}, which is no open "
                           "item of the payer (paid already?" + (f" a slip for {', '.join(close)}?" if close else "")
                           + "): for review.")
        return outcome
    if who.candidates:
        sibling = _sibling_by_amount(amount, currency, who, book, directory, notes)
        if sibling is not None:
            ours = _numbers_of(seen.unknown, {c for x in who.candidates for c in directory.group(x)}, book)
            if ours:
                sibling.confidence = min(sibling.confidence, CONFLICT_CAP)
                sibling.why = (sibling.why.rstrip(".") + f"; but the remittance names {', '.join(ours)}, which is no "
                               "open item of theirs (paid already?): for review.")
            return sibling
    reason = "ambiguous" if who.runner_up else "no_match"
    why = who.detail or "no customer could be identified from the IBAN or payer name"
    return _Outcome([], "", 0, _sentence(notes + [why]), reason)


def _paid_before(cleared: list[Hit], book: _Book) -> str:
    """One phrase on the cleared items a remittance names ("" when none): a payment of them is paid twice."""
    if not cleared:
        return ""
    items = book.cleared
    parts = []
    for hit in cleared:
        row = items.iloc[hit.position]
        when = row["clearing_date"]
        when = f" on {pd.Timestamp(when):%d/%m/%Y}" if pd.notna(when) and str(when) != "" else ""
        doc = f" by document {row['clearing_document']}" if row["clearing_document"] else ""
        amount = f" ({float(row['amount']):,.2f})" if pd.notna(row["amount"]) else ""
        parts.append(f"{row['invoice_id']} (written {hit.written!r}), cleared{when}{doc}{amount}")
    return (f"the remittance names {'; '.join(parts)}: already paid, so this looks like a duplicate payment — "
            "refund or keep on account")


def _also_paid_before(outcome: _Outcome, duplicate: str) -> _Outcome:
    """A payment that also names a cleared item is never applied automatically."""
    if duplicate:
        outcome.confidence = min(outcome.confidence, CONFLICT_CAP)
        outcome.why = outcome.why.rstrip(".") + f"; but {duplicate}: for review."
        outcome.reason = outcome.reason or "duplicate"
    return outcome


def _numbers_of(numbers: list[str], group: set[str], book: _Book) -> list[str]:
    """The ``numbers`` written in a remittance that look like the numbers of ``group``'s items (same digit
    count, same first three digits) but name none of them."""
    if not numbers or not group:
        return []
    shapes = book.shapes(group)
    lengths = {shape[0] for shape in shapes}
    out = []
    for written in numbers:
        said, n = written.startswith("#"), written.lstrip("#")
        if n.startswith("Y"):
            ours = ("Y", n[1:]) in shapes
        else:  # after an invoice keyword, the digit count of the payer's numbers is enough
            ours = (len(n), n[:3]) in shapes or (said and len(n) in lengths)
        if ours:
            out.append(n)
    return out

"""The bank's own currency conversion of a receipt, as camt reports it (issue 29): the amount the payer
instructed in another currency (``AmtDtls/InstdAmt``) and the rate (``CcyXchg``: ``SrcCcy``, ``TrgtCcy``,
``UnitCcy``, ``XchgRate``, under ``InstdAmt``, ``TxAmt`` or ``CntrValAmt``).

The rate is kept in one direction, whatever way the bank quotes it: **units of the receipt's currency per one
unit of the instructed currency** (the Payments column ``exchange_rate``). ISO 20022 quotes ``XchgRate`` as
``UnitCcy``/``QtdCcy`` when ``UnitCcy`` is given, else as the factor from ``SrcCcy`` to ``TrgtCcy``; banks do not
all follow it, so when both amounts are present the direction that agrees with them (within 10 %) wins.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ....model.coded_amounts import INSTRUCTED, coded_amount
from ....model.values import parse_iso_amount

AGREE = Decimal("0.10")
"""How far a rate may be from the amounts' own ratio and still be read in that direction (charges, spreads)."""


def conversion(q: Any, tx: Any, currency: str, amount: Decimal) -> tuple[str, Decimal | None, Decimal | None]:
    """(instructed currency, amount instructed in it, the bank's rate in units of ``currency`` per one instructed
    unit) of a transaction the bank converted into ``currency``; ``("", None, None)`` when it was not converted."""
    if tx is None:
        return "", None, None
    node = q.child(tx, "AmtDtls", "InstdAmt", "Amt")
    other, instructed = "", None
    if node is not None and node.get("Ccy", currency) != currency and node.text:
        other, instructed = node.get("Ccy", ""), parse_iso_amount(node.text)
    for path in (("AmtDtls", "InstdAmt", "CcyXchg"), ("AmtDtls", "TxAmt", "CcyXchg"),
                 ("AmtDtls", "CntrValAmt", "CcyXchg")):
        block = q.child(tx, *path)
        if block is None or not q.text(block, "XchgRate"):
            continue
        try:
            rate = Decimal(q.text(block, "XchgRate"))
        except InvalidOperation:
            shown = q.text(block, "XchgRate")
            raise ValueError(f"exchange rate {shown!r} (CcyXchg/XchgRate) is not a number") from None
        if rate <= 0:
            raise ValueError(f"exchange rate {rate} (CcyXchg/XchgRate) is not positive")
        source, target, unit = q.text(block, "SrcCcy"), q.text(block, "TrgtCcy"), q.text(block, "UnitCcy")
        other = other or next((c for c in (source, target) if c and c != currency), "")
        if not other:
            continue
        if unit:
            per_other = rate if unit == other else 1 / rate
        else:
            per_other = rate if source == other or (not source and target == currency) else 1 / rate
        if instructed:  # the amounts decide a direction the quote leaves open or gets wrong
            implied = amount / instructed
            if abs(per_other - implied) > AGREE * implied and abs(1 / per_other - implied) <= AGREE * implied:
                per_other = 1 / per_other
        return other, instructed, per_other.normalize()
    return other, instructed, None


_EXCH = re.compile(r"/EXCH/\s?([0-9]+(?:[,.][0-9]+)?)/?")


def from_text(text: str, currency: str, amount: Decimal) -> tuple[str, Decimal | None, Decimal | None]:
    """The same from SWIFT codes in an MT940 line (``:61:`` supplementary details or ``:86:``): ``/OCMT/GBP861,40/``
    (or a German purpose's ``OAMT+GBP861,40``) in another currency than the receipt's, and ``/EXCH/1,1552/`` read in
    the direction the amounts agree with."""
    upper = text.upper()
    found = coded_amount(upper, INSTRUCTED)
    if found is None or found.currency in ("", currency):
        return "", None, None
    other, instructed = found.currency, found.amount
    rate = None
    given = _EXCH.search(upper)
    if given and instructed > 0:
        value = Decimal(given.group(1).replace(",", "."))
        implied = amount / instructed
        if value > 0:
            rate = min((value, 1 / value), key=lambda r: abs(r - implied)).normalize()
    return other, instructed, rate

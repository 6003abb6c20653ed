"""The evidence columns of Payments (``instructed_amount``, ``charges``, ``ultimate_debtor``) from the
structured text of a bank line, for the formats that carry them in words rather than in fields of their
own (camt has fields: :mod:`.camt`).

MT940 ``:86:`` details carry them in two conventions:

* SWIFT's structured ``:86:`` (Dutch and other banks): ``/OCMT/EUR1000,00/`` the original (instructed)
  amount, ``/CHGS/EUR5,00/`` the charges, ``/ULTD/name`` the ultimate debtor;
* German banks' ``?``-subfields: in the purpose (``?20``–``?29``, ``?60``–``?63``) the SEPA tags
  ``OAMT+`` (Ursprungsbetrag, the original amount), ``COAM+`` (Kompensationsbetrag, the compensation
  amount) and ``ABWA+`` (abweichender Auftraggeber, the party paid on behalf of).

The rule is camt's: an instructed amount counts when it is in the payment's currency and more than was
credited (the charges are then what it leaves); else charges given in the payment's currency make the
instructed amount (amount + charges). An amount in another currency is the bank's conversion, read by
:func:`.conversion.from_text` into ``instructed_amount`` with ``instructed_currency`` and ``exchange_rate``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ....model.coded_amounts import CHARGES, INSTRUCTED, coded_amount

_ULTD = re.compile(r"/ULTD/([^/]{2,70})")
_GERMAN_TAG = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_GERMAN_AMOUNT = re.compile(r"^\s*([A-Z]{3})?\s*([0-9]+(?:[,.][0-9]{1,2})?)\s*(?:[A-Z]{3})?\s*$")
_SUBFIELD = re.compile(r"\?(\d{2})")
PURPOSE = (*range(20, 30), *range(60, 64))
"""The German ``:86:`` subfields that hold the purpose (Verwendungszweck)."""


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _given(instructed: Decimal | None, charges: Decimal | None, amount: Decimal) -> tuple[float | None, float | None]:
    if instructed is not None and instructed > amount:
        return float(instructed), float(instructed - amount)
    if charges is not None and charges > 0:
        return float(amount + charges), float(charges)
    return None, None


def mt940_evidence(details: str, currency: str, amount: Decimal) -> dict[str, object]:
    """``instructed_amount``, ``charges`` and ``ultimate_debtor`` of one ``:86:`` (empty when it has none)."""
    flat = str(details or "").replace("\r", "").replace("\n", "")
    instructed = charges = None
    debtor = ""
    if "?" in flat and _SUBFIELD.search(flat):
        parts = _SUBFIELD.split(flat)
        purpose = "".join(v for c, v in zip(parts[1::2], parts[2::2]) if int(c) in PURPOSE)
        pieces = _GERMAN_TAG.split(purpose)
        tags = {tag: value.strip() for tag, value in zip(pieces[1::2], pieces[2::2])}
        for tag in ("OAMT", "COAM"):
            m = _GERMAN_AMOUNT.match(tags.get(tag, ""))
            if m and (not m.group(1) or m.group(1) == currency):
                value = _decimal(m.group(2))
                if tag == "OAMT":
                    instructed = value
                else:
                    charges = value
        debtor = " ".join(tags.get("ABWA", "").split())
    else:
        sent, kept = coded_amount(flat, INSTRUCTED), coded_amount(flat, CHARGES)
        if sent and sent.currency in ("", currency):
            instructed = sent.amount
        if kept and kept.currency in ("", currency):
            charges = kept.amount
        u = _ULTD.search(flat)
        debtor = " ".join(u.group(1).split()) if u else ""
    given, taken = _given(instructed, charges, amount)
    return {"instructed_amount": given, "charges": taken, "ultimate_debtor": debtor}

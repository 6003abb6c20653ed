"""Deductions: what a customer takes off an invoice on purpose, and says so.

A payment that names one invoice and pays less is one of three things:

* **bank charges or cents** — short by at most the tolerance, nothing claimed: written off;
* **a deduction** — the remittance (or the advice) claims an amount off with a reason
  (``ABZGL. FRACHT 15,00``, ``less 50.00 damaged goods``, an EDI ``ADX`` segment), or the payment is
  short beyond the tolerance by at most ``deduction_max_pct`` of the invoice without saying why:
  the paid amount is applied and a deduction is opened (amount, reason, customer, invoice) for the
  disputes job. A claimed deduction is never written off, even inside the tolerance;
* **a partial payment** — the text says so (``Teilzahlung``, ``parcial``, ``acconto``, ``instalment``…)
  or the shortfall is larger: applied, the rest stays open and is dunned as usual.

Reasons are mapped to the disputes' root causes (:func:`otc_xl.collecting.disputes.dispute_reason`):
freight, damaged goods, pricing, quantity, promotion, returns, penalty…; an early-payment discount
claimed in words is not a deduction (the discount rules decide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..collecting.disputes import REASONS, dispute_reason
from ..model.values import strip_accents

DEDUCTION_COLUMNS = ["deduction_id", "payment_id", "invoice_id", "customer_id", "currency", "amount", "reason_code",
                     "reason", "status", "found_on", "explanation"]
"""One row per deduction found: ``deduction_id`` is payment>invoice; ``status`` auto (the application
is automatic: the deduction is opened) or review (proposed with it)."""
SHORT_PAYMENT = "short payment"
DISCOUNT = "early-payment discount"

_WORDS = (r"ABZGL|ABZUGL|ABZUEGL|ABZUGLICH|ABZUEGLICH|ABZUG|KURZUNG|KUERZUNG|EINBEHALT(?:EN)?|MINUS|LESS|"
          r"DEDUCT(?:ION|ED)?|DED|SHORT\s?PAID|RETENUE|MOINS|DEDOTTO|DEDOTTI|TRATTENUTA|TRATTENUTI|MENO|DEDUCCION|"
          r"DEDUCIDO|DESCONTADO|MENOS|ADJUSTMENT|ADJ|CHARGEBACK|CLAIM")
_AMOUNT = r"[0-9]{1,3}(?:[.' ][0-9]{3})+,[0-9]{2}|[0-9]{1,3}(?:[,' ][0-9]{3})+\.[0-9]{2}|[0-9]+[.,][0-9]{2}"
_CLAIM = re.compile(rf"(?<![0-9A-Z])(?:{_WORDS})\b\.?:?\s*(?P<pre>(?:[A-Z][A-Z.\-]*\s+){{0,4}}?)"
                    rf"(?:EUR\s*|€\s*)?(?P<amount>{_AMOUNT})(?![0-9])(?:\s*(?:EUR|€))?"
                    rf"(?P<post>(?:\s+(?!(?:{_WORDS})\b)[A-Z][A-Z\-]*){{0,3}})")
_PARTIAL = re.compile(r"(?<![A-Z])(?:PARTIAL|PARCIAL|PARZIALE|PARTIEL|TEILZAHLUNG|ANZAHLUNG|ABSCHLAG|ACCONTO|"
                      r"A\s?CUENTA|ACOMPTE|INSTAL+MENT|RATA|RATE\s?[0-9]|ON\s?ACCOUNT|PAGO\s?A\s?CUENTA)(?![A-Z])")


@dataclass(frozen=True)
class Claim:
    """A deduction the customer claims: cents, the reason's root cause, and the words used."""

    amount: int
    code: str
    text: str


def amount_cents(text: str) -> int:
    """``1.234,56`` / ``1,234.56`` / ``15,00`` / ``15.00`` → cents (the last separator before two digits is
    the decimal one)."""
    digits = re.sub(r"[^0-9]", "", text)
    return int(digits) if digits else 0


def claims(text: str) -> list[Claim]:
    """The deductions a remittance claims with an amount (``ABZGL. FRACHT 15,00`` → 15.00 freight). Early-payment
    discounts claimed in words are left out: the discount rules decide those."""
    upper = strip_accents(str(text or "")).upper()
    if not any(c.isdigit() for c in upper):
        return []
    found = []
    for m in _CLAIM.finditer(upper):
        words = " ".join(f"{m.group('pre')} {m.group('post')}".split())
        code = reason_code(words)
        if code == DISCOUNT:
            continue
        found.append(Claim(amount_cents(m.group("amount")), code, m.group(0).strip()))
    return [c for c in found if c.amount > 0]


def reason_code(words: str) -> str:
    """The root cause of a deduction's words (freight, damaged goods, pricing …); ``other`` when none."""
    if not words.strip():
        return "other"
    code = dispute_reason("", words)
    return code if code in REASONS else "other"


_DISCOUNT_WORDS = re.compile(r"(?<![A-Z])(?:SKONTO|SCONTO|DESCUENTO|DTO|ESCOMPTE|DISCOUNT|PRONTO\s?PAGO)(?![A-Z])")


def mentions_discount(text: str) -> bool:
    """The remittance says an early-payment discount was taken (Skonto, sconto, descuento, escompte…)."""
    return bool(_DISCOUNT_WORDS.search(strip_accents(str(text or "")).upper()))


def is_partial(text: str) -> bool:
    """The remittance says the payment is partial on purpose (Teilzahlung, parcial, acconto, instalment…)."""
    return bool(_PARTIAL.search(strip_accents(str(text or "")).upper()))

"""How sure an outcome is: the confidence of each outcome before adjustments (``CONFIDENCE``), and the
adjustments, each a named constant (caps, penalties, the chance of a fit by luck)."""

from __future__ import annotations

import math

from .names import Identification

# Confidence of each outcome before adjustments (see _confidence). Calibrated on the benchmark.
CONFIDENCE = {
    "reference+amount": 99, "reference+writeoff": 97, "reference+discount": 96, "reference+overpayment": 95,
    "reference+partial": 94, "reference+subset": 93, "reference+oldest_first": 80,
    "reference+remainder": 92, "reference+remainder_subset": 90, "reference+near_miss": 85,
    "reference+credit_note": 97, "iban+credit_note": 94, "name+credit_note": 91,
    "iban+amount": 96, "name+amount": 93, "iban+subset": 93, "name+subset": 91,
    "iban+writeoff": 90, "name+writeoff": 88, "iban+discount": 89, "name+discount": 87,
    "reference+unearned_discount": 70, "iban+unearned_discount": 65, "name+unearned_discount": 60,
    "reference+deduction": 94, "reference+credit_unnamed": 92, "reference+advice": 97,
    "reference+fx": 95, "iban+fx": 70, "name+fx": 65,
}


MAX_SIBLINGS = 6
"""Customers a name may tie between for the amount to tell them apart (siblings, not a common name)."""
SIBLING_PENALTY = 6.0
"""Name score lost when the amount, not the name, told two sibling customers apart."""
CONFLICT_CAP = 80.0
"""Highest confidence of a reference whose items belong to a customer the named payer does not
resemble, when the amount does not fit them exactly (partial, over-payment, oldest first)."""
UNCONFIRMED_CAP = 88.0
"""Highest confidence of a partial or surplus payment whose only link to the item is the reference."""
CONFLICT_PENALTY = 6.0
"""…and what such a conflict costs when the amount does fit exactly (or within tolerance/discount)."""
EXACT_FITS = ("reference+amount", "reference+writeoff", "reference+discount", "reference+subset",
              "reference+credit_note")
LUCK_NOTED = 0.002
HOPELESS = 0.05  # expected chance fits above which a subset could never be applied automatically


def _luck_penalty(chance: float) -> float:
    """Confidence lost when a fit without reference could be luck (0 below 1 in 2,000; up to 30)."""
    if chance <= 0.0005:
        return 0.0
    return min(30.0, 5.0 * (math.log10(chance / 0.0005) + 1))


def _confidence(method: str, who: Identification, weak: bool = False, foreign: bool = False) -> float:
    score = float(CONFIDENCE[method])
    if method.startswith("reference"):
        if weak:
            score -= 4  # a bare number, trusted because it belongs to the payer
        if not who.customer_id:
            score -= 2
        elif who.method in ("iban", "alias", "given"):
            score += 1
    elif who.method == "name":
        score -= max(0.0, (97 - who.score) / 3)  # weaker name evidence, lower confidence
    if foreign:
        score = min(score, 75)
    return float(min(score, 100))

"""Amounts a bank line carries as codes in its text, read one way for the bank readers and the engine.

SWIFT writes the amount the payer instructed as ``/OCMT/EUR1000,00/`` (MT940 ``:86:``) or ``:33B:EUR1000,00``
(an MT103 quoted in the text), the charges as ``/CHGS/EUR5,00/`` or ``:71F:EUR5,00``; German banks write
them ``OAMT+1000,00`` and ``COAM+5,00`` in the purpose (DK format). The currency may be missing (the line's own
currency is meant) and the decimal mark may be a comma or a dot, with at most two decimals.

Which amounts count is the caller's rule: an instructed amount in the line's currency is what the payer sent
before charges (:mod:`otc_xl.io.formats.bank.instructed`, :mod:`otc_xl.matching.bankline`); one in another
currency is the bank's conversion (:mod:`otc_xl.io.formats.bank.conversion`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

INSTRUCTED = ("/OCMT/", ":33B:", "OAMT+")
"""Codes of the amount the payer instructed (original amount)."""
CHARGES = ("/CHGS/", ":71F:", "COAM+")
"""Codes of the charges the banks took (compensation amount)."""


@dataclass(frozen=True)
class CodedAmount:
    currency: str
    """ISO code as written; "" when the code gives none (the line's currency is meant)."""
    amount: Decimal


def _pattern(codes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(re.escape(c) for c in codes) + r")\s*([A-Z]{3})?\s*([0-9]+(?:[.,][0-9]{0,2})?)"
                      r"(?![.,]?[0-9])")


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {INSTRUCTED: _pattern(INSTRUCTED), CHARGES: _pattern(CHARGES)}


def coded_amount(text: str, codes: tuple[str, ...]) -> CodedAmount | None:
    """The first amount ``text`` gives under one of ``codes`` (:data:`INSTRUCTED` or :data:`CHARGES`), or None."""
    found = _PATTERNS[codes].search(str(text or "").upper())
    if found is None:
        return None
    return CodedAmount(found.group(1) or "", Decimal(found.group(2).replace(",", ".")))

"""Structured creditor references (ISO 11649, ``RF`` + 2 check digits + up to 21 characters).

Printed on an invoice, the reference comes back in the bank's remittance information; cash
application recognises it (``matching.references.is_valid_rf``) and finds the invoice it belongs
to through the invoice's ``reference`` column.
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"[0-9A-Z]{1,21}")


def rf_reference(payload: str) -> str:
    """``RF`` + check digits + ``payload`` (letters and digits only, at most 21; e.g. the invoice
    number without separators). ``rf_reference("539007547034")`` → ``RF18539007547034``."""
    body = re.sub(r"[^0-9A-Za-z]", "", payload).upper()
    if not _ALLOWED.fullmatch(body):
        raise ValueError(f"{payload!r} cannot be a creditor reference: 1 to 21 letters or digits are needed")
    number = int("".join(str(int(c, 36)) for c in body + "RF00"))
    return f"RF{98 - number % 97:02d}{body}"

"""Matching the headers users type to canonical column names.

"Nº factura", "Número de factura", "N° facture", "Invoice No." and "Rechnungs-Nr." all reduce to
one key: lower case, no accents, no punctuation, and without filler words such as "no", "nr",
"number", "de", "di". Synonym lists in ``contracts`` are written as people write them and reduced
the same way, so adding a synonym never needs thought about spelling variants.
"""

from __future__ import annotations

import re

from .values import strip_accents

FILLER_WORDS = frozenset(
    "n no nr nro num numero number nbr nummer # de del della di du des la le el the of".split()
)


def header_key(header: object, drop_filler: bool = True) -> str:
    """Reduce a header to its comparison key: ``"Nº  Factura:"`` → ``"factura"``.

    With ``drop_filler=False`` only case, accents and punctuation are removed
    (``"Numéro client"`` → ``"numeroclient"``); that exact key is tried first, so
    "Numéro client" (an id) and "Client" (a name) can both be recognised.
    """
    text = strip_accents(str(header or "")).lower().replace("º", "o")
    words = [w for w in re.split(r"[^0-9a-z]+", text) if w]
    kept = [w for w in words if w not in FILLER_WORDS] if drop_filler else words
    return "".join(kept or words)

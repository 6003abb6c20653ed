"""Tax identifiers checked before an invoice goes out: VAT numbers (and Spanish NIFs) by their check
digits, with **python-stdnum** (maintained, one module per country; no network).

A VAT number with a wrong check digit is rejected by the receiving channel (SdI error 00305 for an
Italian partita IVA, FACe for a Spanish NIF, a Peppol access point for an EU VAT number): the draft
is blocked at preparation instead, naming the cell. Numbers of countries stdnum has no module for are
not checked (said by :func:`vat_problem` returning None).

VIES (the EU's online register) is not asked here: drafts never wait for a network, and a number VIES
does not know can still be right (new registrations, VIES outages). ``otc-xl vat-check`` asks it
(:mod:`otc_xl.billing.vat_register`, :mod:`otc_xl.io.vies`).
"""

from __future__ import annotations

import re
from typing import Any, cast

PREFIXES = {"EL": "GR"}
"""VAT prefixes that are not the ISO country code (Greece writes EL)."""


def split_vat(vat_id: str, country: str = "") -> tuple[str, str]:
    """(ISO country, number without prefix) of a VAT id: ``"ESB12345674"`` → ``("ES", "B12345674")``; a
    number without a prefix takes ``country``."""
    compact = re.sub(r"[\s.\-/]", "", str(vat_id or "")).upper()
    prefix = compact[:2]
    if re.fullmatch(r"[A-Z]{2}", prefix):  # no national number starts with two letters
        return PREFIXES.get(prefix, prefix), compact[2:]
    return PREFIXES.get(str(country or "").upper(), str(country or "").upper()), compact


def vat_problem(vat_id: str | None, country: str = "") -> str | None:
    """What is wrong with ``vat_id`` (a VAT number, with or without its country prefix; ``country`` when
    it has none), or None when it is valid or of a country python-stdnum cannot check."""
    from stdnum import get_cc_module
    from stdnum.exceptions import ValidationError

    text = str(vat_id or "").strip()
    if not text:
        return None
    cc, number = split_vat(text, country)
    if not cc:
        return None
    module = get_cc_module(cc.lower(), "vat")
    if module is None:
        return None
    compact = re.sub(r"\s", "", text)
    try:  # stdnum's modules take the number with its prefix (a Swiss CHE… MWST needs it: CHE is part of it)
        module.validate(compact if re.match(r"[A-Za-z]{2}", compact) else number)
    except ValidationError as exc:
        name = getattr(module, "__doc__", "").strip().splitlines()[0].rstrip(".") if module.__doc__ else cc
        message = cast(Any, exc).message  # stdnum raises only the subclasses, each with its message
        return f"a valid {cc} VAT number ({name}): {text!r} fails its check ({message.rstrip('.').lower()})"
    return None


def natural_person(nif: str) -> bool:
    """Whether a Spanish NIF belongs to a natural person (DNI: 8 digits and a letter; NIE: X/Y/Z, 7
    digits and a letter; K/L/M NIFs) rather than a legal entity (CIF: a letter, 7 digits, a control)."""
    _, number = split_vat(nif, "ES")
    return bool(re.fullmatch(r"(\d{8}|[XYZKLM]\d{7})[A-Z]", number))

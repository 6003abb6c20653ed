"""The SdI controls otc_xl encodes on a FatturaPA (``invoice --check``, :mod:`.check`): the file name,
the partite IVA's check digits, each line's total, the VAT of each summary line and the stamp duty on
exempt amounts. Pure: a parsed tree in, findings out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .findings import Finding

BOLLO_THRESHOLD = Decimal("77.47")
BOLLO_NATURE = ("N1", "N2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5")
"""FatturaPA Natura whose amounts bear the stamp duty (imposta di bollo, DPR 642/72) above 77.47 EUR;
exports and intra-EU supplies (N3.1, N3.2) and reverse charge (N6) do not."""



def _text(tree, path: str, ns: dict) -> str:
    found = tree.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _number(tree, path: str, default: str) -> Decimal | None:
    """The number at ``path`` (``default`` when absent); None when it is not one (``360,00``, ``NaN``): the
    XSD names that value, and the control that needs it is not run on it."""
    try:
        value = Decimal(_text(tree, path, {}) or default)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def fatturapa_findings(document: str, tree) -> list[Finding]:
    """The SdI controls otc_xl can encode (Agenzia delle Entrate, "Elenco controlli" of FatturaPA 1.2)."""
    from ..identifiers import vat_problem

    name = "SdI controls"
    out = []
    if not re.fullmatch(r"[A-Z]{2}[A-Za-z0-9]{1,28}_[A-Za-z0-9]{1,5}\.xml", document):
        out.append(Finding(document, name, "00001", "fatal", "the file name must be <country><id>_<progressive of "
                                                                 "up to 5 letters or digits>.xml "
                                                                 "(IT01234567890_0A1B2.xml)"))
    for party in ("CedentePrestatore", "CessionarioCommittente"):
        node = tree.find(f".//{party}//IdFiscaleIVA")
        if node is not None:
            country, code = _text(node, "IdPaese", {}), _text(node, "IdCodice", {})
            wrong = vat_problem(f"{country}{code}", country) if country == "IT" else None
            if wrong:
                out.append(Finding(document, name, "00305" if party != "CedentePrestatore" else "00300", "fatal",
                                   f"{party} IdFiscaleIVA: {wrong}"))
    for k, line in enumerate(tree.iter("DettaglioLinee"), start=1):
        quantity, price = _number(line, "Quantita", "1"), _number(line, "PrezzoUnitario", "0")
        total = _number(line, "PrezzoTotale", "0")
        if quantity is None or price is None or total is None:
            continue
        value: Decimal | None = price * quantity
        for sm in line.iter("ScontoMaggiorazione"):
            pct, amt = _number(sm, "Percentuale", "0"), _number(sm, "Importo", "0")
            if value is None or pct is None or amt is None:
                value = None
                continue
            sign = -1 if _text(sm, "Tipo", {}) == "SC" else 1
            value += sign * (value * pct / 100 if _text(sm, "Percentuale", {}) else amt)
        if value is not None and abs(value - total) > Decimal("0.01"):
            out.append(Finding(document, name, "00423", "fatal", f"line {k}: PrezzoTotale {total} is not "
                                                                  f"PrezzoUnitario × Quantita less discounts "
                                                                  f"({value:.8f})"))
    bollo_base = Decimal(0)
    for k, summary in enumerate(tree.iter("DatiRiepilogo"), start=1):
        rate, base = _number(summary, "AliquotaIVA", "0"), _number(summary, "ImponibileImporto", "0")
        tax = _number(summary, "Imposta", "0")
        if rate is None or base is None or tax is None:
            continue
        expected = (base * rate / 100).quantize(Decimal("0.01"))
        if abs(tax - expected) > Decimal("0.01"):
            out.append(Finding(document, name, "00421", "fatal", f"DatiRiepilogo {k}: Imposta {tax} is not "
                                                                  f"ImponibileImporto {base} × {rate} % = {expected} "
                                                                  "(1 cent of tolerance)"))
        natura = _text(summary, "Natura", {})
        if natura.startswith(BOLLO_NATURE):
            bollo_base += base
    if bollo_base > BOLLO_THRESHOLD and tree.find(".//DatiBollo") is None:
        out.append(Finding(document, "DPR 642/72", "BOLLO", "fatal", f"{bollo_base} EUR without VAT (exempt, not "
                                                                      "subject): the invoice owes the 2 EUR stamp duty "
                                                                      "(DatiBollo) above 77.47 EUR"))
    return out

"""The SdI controls otc_xl encodes on a FatturaPA (``invoice --check``, :mod:`.check`): the file name,
the partite IVA's check digits, each line's total, the VAT of each summary line and the stamp duty on
exempt amounts. Pure: a parsed tree in, findings out."""

from __future__ import annotations

import re
from decimal import Decimal

from .findings import Finding

BOLLO_THRESHOLD = Decimal("77.47")
BOLLO_NATURE = ("N1", "N2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5")
"""FatturaPA Natura whose amounts bear the stamp duty (imposta di bollo, DPR 642/72) above 77.47 EUR;
exports and intra-EU supplies (N3.1, N3.2) and reverse charge (N6) do not."""



def _text(tree, path: str, ns: dict) -> str:
    found = tree.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


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
        quantity = Decimal(_text(line, "Quantita", {}) or "1")
        price = Decimal(_text(line, "PrezzoUnitario", {}) or "0")
        total = Decimal(_text(line, "PrezzoTotale", {}) or "0")
        gross = price * quantity
        value = gross
        for sm in line.iter("ScontoMaggiorazione"):
            pct, amt = _text(sm, "Percentuale", {}), _text(sm, "Importo", {})
            sign = -1 if _text(sm, "Tipo", {}) == "SC" else 1
            value += sign * (value * Decimal(pct) / 100 if pct else Decimal(amt or "0"))
        if abs(value - total) > Decimal("0.01"):
            out.append(Finding(document, name, "00423", "fatal", f"line {k}: PrezzoTotale {total} is not "
                                                                  f"PrezzoUnitario × Quantita less discounts "
                                                                  f"({value:.8f})"))
    bollo_base = Decimal(0)
    for k, summary in enumerate(tree.iter("DatiRiepilogo"), start=1):
        rate = Decimal(_text(summary, "AliquotaIVA", {}) or "0")
        base = Decimal(_text(summary, "ImponibileImporto", {}) or "0")
        tax = Decimal(_text(summary, "Imposta", {}) or "0")
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

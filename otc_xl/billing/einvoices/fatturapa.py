"""FatturaPA 1.2 (FPR12, to private companies through SDI) with **a38**'s model of the format.

a38 checks what it knows of the SDI rules (field lengths, choices, Natura with a 0 % rate, totals)
before anything is written; a draft it refuses raises with a38's message. The lines and the VAT
summary (DatiRiepilogo) are our own figures, the same the PDF prints: a38 is not asked to
recompute them. Exempt categories carry their Natura code and the legal mention.
"""

from __future__ import annotations

import io
import re
import unicodedata
from decimal import Decimal

from ...model.billing import InvoiceDoc, Line, VatTotal
from ...model.company import Company
from ...model.problems import Problem, ValidationError
from . import amount, day, delivery_dates

NATURA = {"K": "N3.2", "G": "N3.1", "AE": "N6.9", "E": "N4", "O": "N2.2", "Z": "N3.6"}
"""EN 16931 VAT category → FatturaPA Natura: intra-EU supply, export, reverse charge (other cases),
exempt, outside the scope (other cases), zero rated (other non-taxable). Reverse charge for a buyer
abroad is not the domestic inversione contabile (N6.x) but a supply not subject to Italian VAT under
art. 7-ter DPR 633/72: N2.1 (see :func:`natura`)."""
BOLLO = Decimal("2.00")
"""Stamp duty (imposta di bollo, DPR 642/72 art. 13, Tariffa art. 13) of an invoice over 77.47 EUR
without VAT; paid by the seller (bollo virtuale) and declared in DatiBollo."""
BOLLO_FROM = Decimal("77.47")
BOLLO_NATURE = ("N1", "N2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5")
"""Natura whose amounts bear the stamp duty; exports (N3.1), intra-EU supplies (N3.2) and reverse
charge (N6) do not (art. 15 Tariffa, Allegato B)."""
PAYMENT = "MP05"  # bank transfer
CONDITIONS = "TP02"  # payment in full


SUBSTITUTES = {"–": "-", "—": "-", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "…": "...",
               "€": "EUR", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss"}
"""Characters FatturaPA text cannot carry (its XSD allows Basic Latin and Latin-1 only) and what
stands for them; other letters lose their accent (ș → s, ă → a); letters of other scripts are
transliterated (anyascii: شركة → shrkh, Москва → Moskva); symbols and emoji are left out."""


def latin1(text: str) -> str:
    """``text`` in the characters FatturaPA accepts: Latin-1 kept, the rest substituted or transliterated."""
    from anyascii import anyascii

    out = []
    for ch in text:
        if ord(ch) <= 0xFF:
            out.append(ch)
        elif ch in SUBSTITUTES:
            out.append(SUBSTITUTES[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            if ord(base) <= 0xFF:
                out.append(base)
            elif not unicodedata.category(ch).startswith(("S", "C")):  # a letter or mark of another script
                out.append(anyascii(ch))
    return " ".join("".join(out).split()) if out and len(out) != len(text) else "".join(out)


def transliterated(doc: InvoiceDoc, lines: list[Line], customer: dict) -> list[str]:
    """What :func:`latin1` changed in this invoice's buyer name and line descriptions, said plainly."""
    texts = [("buyer name", customer.get("customer_name") or doc.customer_id)]
    texts += [(f"line {x.line}", x.description or x.item or "") for x in lines]
    out = []
    for what, text in texts:
        text = " ".join(str(text or "").split())
        written = latin1(text)
        if any(ord(ch) > 0xFF and ch not in SUBSTITUTES and ord(unicodedata.normalize("NFKD", ch)[0]) > 0xFF
               for ch in text):
            out.append(f"{what} {text[:60]!r} written as {written[:60]!r}")
    return out


def latin1_notes(doc: InvoiceDoc, lines: list[Line], customer: dict) -> list[str]:
    """:func:`transliterated`, as the posting summary says it."""
    return [f"FatturaPA carries Latin-1 text only: {what}" for what in transliterated(doc, lines, customer)]


def _text(value: str | None, most: int) -> str:
    return latin1(" ".join(str(value or "").split()))[:most]


def _vat(vat_id: str) -> tuple[str, str]:
    vat_id = re.sub(r"[^A-Z0-9]", "", str(vat_id).upper())
    return vat_id[:2], vat_id[2:]


def _address(model, street: str | None, postal: str | None, city: str | None, province: str | None, country: str):
    """An a38 Sede: a foreign postal code that is not 5 digits goes as 00000, as SDI asks."""
    cap = postal if re.fullmatch(r"\d{5}", str(postal or "")) else "00000"
    return model(indirizzo=_text(street, 60), cap=cap, comune=_text(city, 60),
                 provincia=(province or "")[:2].upper() if country == "IT" and province else None, nazione=country)


def natura(category: str, buyer_country: str) -> str | None:
    """The Natura of an exempt category (None for taxed lines): reverse charge to a buyer abroad is N2.1."""
    if category == "AE" and buyer_country and buyer_country != "IT":
        return "N2.1"
    return NATURA.get(category)


def progressive(invoice_id: str) -> str:
    """The file's progressive (and ProgressivoInvio): 5 letters and digits, as the SdI file name
    ``IT<id>_<progressive>.xml`` allows, derived from the invoice number (base 36 of its SHA-256, so
    the same invoice always gets the same name; two numbers that would share one are refused when
    posting, see :func:`otc_xl.workflows.billing`)."""
    import hashlib

    value = int.from_bytes(hashlib.sha256(invoice_id.encode("utf-8")).digest()[:8], "big") % 36 ** 5
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(5):
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return out


def file_name(seller_vat_id: str, invoice_id: str) -> str:
    """The name SdI accepts for the file: ``IT`` + the transmitter's code + ``_`` + the progressive
    (Specifiche tecniche FatturaPA, "nomenclatura dei file"; other names are discarded, error 00001)."""
    country, code = _vat(seller_vat_id)
    return f"{country}{code}_{progressive(invoice_id)}.xml"


def fatturapa_xml(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company) -> bytes:
    import a38
    from a38.validation import Validation

    credit = doc.doc_type == "CRN"
    seller_country, seller_code = _vat(seller.vat_id)
    buyer_country, buyer_code = _vat(customer.get("vat_id", ""))
    invoice = a38.FatturaPrivati12()
    header = invoice.fattura_elettronica_header
    header.dati_trasmissione.id_trasmittente = a38.IdTrasmittente(seller_country, seller_code)
    header.dati_trasmissione.progressivo_invio = progressive(doc.invoice_id)
    sdi = str(customer.get("sdi_code") or "").strip().upper()
    header.dati_trasmissione.codice_destinatario = sdi or "0000000"
    if not sdi and customer.get("pec"):
        header.dati_trasmissione.pec_destinatario = str(customer["pec"]).strip()
    header.cedente_prestatore = a38.CedentePrestatore(
        a38.DatiAnagraficiCedentePrestatore(a38.IdFiscaleIVA(seller_country, seller_code),
                                            anagrafica=a38.Anagrafica(denominazione=_text(seller.invoice_name, 80)),
                                            regime_fiscale=seller.tax_regime),
        _address(a38.Sede, seller.street, seller.postal_code, seller.city, seller.province, seller_country))
    header.cessionario_committente = a38.CessionarioCommittente(
        a38.DatiAnagraficiCessionarioCommittente(
            a38.IdFiscaleIVA(buyer_country, buyer_code),
            anagrafica=a38.Anagrafica(denominazione=_text(customer.get("customer_name") or doc.customer_id, 80))),
        _address(a38.Sede, customer.get("street"), customer.get("postal_code"), customer.get("city"),
                 customer.get("province"), customer.get("country") or buyer_country))
    body = invoice.fattura_elettronica_body[0]
    buyer = customer.get("country") or buyer_country
    causale = [_text(f"Ordine {doc.order_id}", 200)] if doc.order_id else []
    first, last = delivery_dates(lines, doc)
    if (first, last) != (day(doc.invoice_date),) * 2:  # art. 21 c. 2 lett. g-bis DPR 633/72
        when = f"{first:%d/%m/%Y}" if first == last else f"dal {first:%d/%m/%Y} al {last:%d/%m/%Y}"
        causale.append(f"Data di effettuazione dell'operazione: {when}")
    free = sum((amount(t.net) for t in totals if (natura(t.vat_category, buyer) or "").startswith(BOLLO_NATURE)),
               Decimal(0))
    body.dati_generali.dati_generali_documento = a38.DatiGeneraliDocumento(
        tipo_documento="TD04" if credit else "TD01", divisa=doc.currency, data=day(doc.invoice_date),
        numero=doc.invoice_id, importo_totale_documento=amount(doc.gross),
        dati_bollo=a38.DatiBollo(bollo_virtuale="SI", importo_bollo=BOLLO) if free > BOLLO_FROM else None,
        causale=causale or None)
    if credit and doc.original_invoice:
        body.dati_generali.dati_fatture_collegate.append(a38.DatiFattureCollegate(id_documento=doc.original_invoice))
    if doc.customer_reference:
        body.dati_generali.dati_ordine_acquisto.append(
            a38.DatiOrdineAcquisto(id_documento=_text(doc.customer_reference, 20)))
    for x in lines:
        nature = natura(x.vat_category, buyer)
        discount = x.discount_pct or 0
        body.dati_beni_servizi.dettaglio_linee.append(a38.DettaglioLinee(
            numero_linea=int(x.line), descrizione=_text(x.description or x.item or "-", 1000),
            quantita=Decimal(str(abs(x.quantity))), unita_misura=_text(x.unit, 10) or None,
            prezzo_unitario=Decimal(str(x.unit_price)),
            sconto_maggiorazione=[a38.ScontoMaggiorazione(tipo="SC", percentuale=Decimal(f"{discount:.2f}"))]
            if discount else None,
            prezzo_totale=amount(x.net), aliquota_iva=Decimal(f"{x.vat_rate:.2f}"), natura=nature))
    for t in totals:
        nature = natura(t.vat_category, buyer)
        body.dati_beni_servizi.dati_riepilogo.append(a38.DatiRiepilogo(
            aliquota_iva=Decimal(f"{t.vat_rate:.2f}"), natura=nature, imponibile_importo=amount(t.net),
            imposta=amount(t.vat), esigibilita_iva=None if nature else "I",
            riferimento_normativo=_text(t.mention, 100) or None if nature else None))
    if not credit:
        payment = a38.DettaglioPagamento(
            modalita_pagamento=PAYMENT, data_scadenza_pagamento=day(doc.due_date),
            importo_pagamento=amount(doc.gross), iban=seller.iban or None, bic=seller.bic or None,
            codice_pagamento=doc.payment_reference or None)
        terms = doc.early_discount
        if terms is not None:
            payment.sconto_pagamento_anticipato = amount(doc.gross * terms[0] / 100)
            payment.data_limite_pagamento_anticipato = day(terms[1])
        body.dati_pagamento.append(a38.DatiPagamento(condizioni_pagamento=CONDITIONS, dettaglio_pagamento=[payment]))
    check = Validation()
    invoice.validate(check)
    if check.errors:
        raise ValidationError([Problem("InvoiceDrafts", f"FatturaPA {doc.invoice_id}: {e}") for e in check.errors])
    out = io.BytesIO()
    invoice.build_etree().write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue()


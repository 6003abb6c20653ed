"""The legal mention an invoice prints for each VAT exemption, in the customer's language, and the
code EN 16931 e-invoices carry with it (CEF VATEX list, BT-121).

Data, not code: a firm with its own wording types it in OrderLines ``vat_note`` and that is printed
instead. References are to Council Directive 2006/112/EC and each country's VAT law.
"""

from __future__ import annotations

VATEX = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O", "E": "",
         "Z": "", "S": "", "AA": ""}

MENTIONS: dict[str, dict[str, str]] = {
    "AE": {
        "en": "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)",
        "es": "Inversión del sujeto pasivo (art. 84.Uno.2º Ley 37/1992 del IVA)",
        "it": "Inversione contabile - art. 17 c. 6 DPR 633/72 (art. 196 Dir. 2006/112/CE)",
        "fr": "Autoliquidation par le preneur (art. 283-2 du CGI, art. 196 directive 2006/112/CE)",
        "de": "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG, Art. 196 MwStSystRL)",
        "ro": "Taxare inversă (art. 331 Cod fiscal, art. 196 Directiva 2006/112/CE)",
    },
    "K": {
        "en": "Exempt intra-Community supply (Art. 138 Directive 2006/112/EC)",
        "es": "Entrega intracomunitaria exenta (art. 25 Ley 37/1992 del IVA)",
        "it": "Operazione non imponibile, cessione intracomunitaria - art. 41 DL 331/93",
        "fr": "Exonération de TVA, livraison intracommunautaire (art. 262 ter I du CGI)",
        "de": "Steuerfreie innergemeinschaftliche Lieferung (§ 4 Nr. 1b i.V.m. § 6a UStG)",
        "ro": "Livrare intracomunitară scutită (art. 294 alin. (2) lit. a) Cod fiscal)",
    },
    "G": {
        "en": "Export outside the EU, exempt (Art. 146 Directive 2006/112/EC)",
        "es": "Exportación exenta (art. 21 Ley 37/1992 del IVA)",
        "it": "Operazione non imponibile, esportazione - art. 8 c. 1 DPR 633/72",
        "fr": "Exonération de TVA, exportation (art. 262 I du CGI)",
        "de": "Steuerfreie Ausfuhrlieferung (§ 4 Nr. 1a i.V.m. § 6 UStG)",
        "ro": "Export scutit (art. 294 alin. (1) lit. a) Cod fiscal)",
    },
    "E": {
        "en": "VAT exempt", "es": "Operación exenta de IVA", "it": "Operazione esente IVA",
        "fr": "Exonération de TVA", "de": "Umsatzsteuerfrei", "ro": "Operațiune scutită de TVA",
    },
    "O": {
        "en": "Outside the scope of VAT", "es": "Operación no sujeta a IVA", "it": "Operazione fuori campo IVA",
        "fr": "Opération hors champ de la TVA", "de": "Nicht steuerbarer Umsatz", "ro": "Operațiune neimpozabilă",
    },
}


def mention(category: str, language: str, note: str = "") -> str:
    """What the invoice prints for ``category`` (empty for taxed categories); ``note`` wins when typed."""
    if note:
        return note
    texts = MENTIONS.get(category)
    return texts.get(language, texts["en"]) if texts else ""

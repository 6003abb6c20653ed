"""The legal mention an invoice prints for each VAT exemption, and the code EN 16931 e-invoices carry
with it (CEF VATEX list, BT-121).

A mention is written **in the customer's language** and cites **the seller's law**: the exemption
is the seller's (a Spanish seller's reverse charge is art. 84.Uno.2º Ley 37/1992, whoever the buyer
is), together with the article of Council Directive 2006/112/EC. A seller country not listed below
gets the Directive's article alone. Cross-border services under the reverse charge (category AE,
buyer in another country) cite the place-of-supply rule of the seller's law where it has its own
(Italy: art. 7-ter DPR 633/72, FatturaPA Natura N2.1; Spain: art. 69 Ley 37/1992).

Data, not code: a firm with its own wording types it in OrderLines ``vat_note`` and that is printed
instead.
"""

from __future__ import annotations

VATEX = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O", "E": "",
         "Z": "", "S": "", "AA": ""}

WORDS: dict[str, dict[str, str]] = {
    "AE": {"en": "Reverse charge: VAT to be accounted for by the recipient", "es": "Inversión del sujeto pasivo",
           "it": "Inversione contabile", "fr": "Autoliquidation par le preneur",
           "de": "Steuerschuldnerschaft des Leistungsempfängers", "ro": "Taxare inversă"},
    "K": {"en": "Exempt intra-Community supply", "es": "Entrega intracomunitaria exenta",
          "it": "Operazione non imponibile, cessione intracomunitaria",
          "fr": "Exonération de TVA, livraison intracommunautaire",
          "de": "Steuerfreie innergemeinschaftliche Lieferung", "ro": "Livrare intracomunitară scutită"},
    "G": {"en": "Export outside the EU, exempt", "es": "Exportación exenta",
          "it": "Operazione non imponibile, esportazione", "fr": "Exonération de TVA, exportation",
          "de": "Steuerfreie Ausfuhrlieferung", "ro": "Export scutit"},
    "E": {"en": "VAT exempt", "es": "Operación exenta de IVA", "it": "Operazione esente IVA",
          "fr": "Exonération de TVA", "de": "Umsatzsteuerfrei", "ro": "Operațiune scutită de TVA"},
    "O": {"en": "Outside the scope of VAT", "es": "Operación no sujeta a IVA", "it": "Operazione fuori campo IVA",
          "fr": "Opération hors champ de la TVA", "de": "Nicht steuerbarer Umsatz", "ro": "Operațiune neimpozabilă"},
}
"""What the exemption is, in the customer's language."""

LAW: dict[str, dict[str, str]] = {
    "AE": {"ES": "art. 84.Uno.2º Ley 37/1992", "IT": "art. 17 c. 6 DPR 633/72", "FR": "art. 283-2 du CGI",
           "DE": "§ 13b UStG", "RO": "art. 331 Cod fiscal"},
    "K": {"ES": "art. 25 Ley 37/1992", "IT": "art. 41 DL 331/93", "FR": "art. 262 ter I du CGI",
          "DE": "§ 4 Nr. 1b i.V.m. § 6a UStG", "RO": "art. 294 alin. (2) lit. a) Cod fiscal"},
    "G": {"ES": "art. 21 Ley 37/1992", "IT": "art. 8 c. 1 DPR 633/72", "FR": "art. 262 I du CGI",
          "DE": "§ 4 Nr. 1a i.V.m. § 6 UStG", "RO": "art. 294 alin. (1) lit. a) Cod fiscal"},
    "E": {"ES": "art. 20 Ley 37/1992", "IT": "art. 10 DPR 633/72", "FR": "art. 261 du CGI", "DE": "§ 4 UStG",
          "RO": "art. 292 Cod fiscal"},
}
"""The seller's law, per category and seller country (O, outside the scope, cites none)."""

CROSS_BORDER_AE = {"ES": "art. 69.Uno.1º y 84.Uno.2º Ley 37/1992", "IT": "art. 7-ter DPR 633/72",
                   "FR": "art. 259-1 et 283-2 du CGI", "DE": "§ 3a Abs. 2, § 13b UStG",
                   "RO": "art. 278 alin. (2) și art. 331 Cod fiscal"}
"""Reverse charge on a service to a business in another country: the seller's place-of-supply rule."""

DIRECTIVE = {"AE": "196", "K": "138", "G": "146", "E": "132-135"}
"""The article of Directive 2006/112/EC behind each category."""
DIRECTIVE_NAME = {"en": "Art. {} Directive 2006/112/EC", "es": "art. {} Directiva 2006/112/CE",
                  "it": "art. {} Dir. 2006/112/CE", "fr": "art. {} directive 2006/112/CE", "de": "Art. {} MwStSystRL",
                  "ro": "art. {} Directiva 2006/112/CE"}


def law(category: str, seller_country: str, buyer_country: str = "") -> str:
    """The seller's legal basis for ``category`` ("" when none is known): for AE across a border, the
    place-of-supply rule."""
    seller = str(seller_country or "").upper()
    if category == "AE" and buyer_country and seller and buyer_country.upper() != seller:
        return CROSS_BORDER_AE.get(seller, "")
    return LAW.get(category, {}).get(seller, "")


def mention(category: str, language: str, note: str = "", seller_country: str = "", buyer_country: str = "") -> str:
    """What the invoice prints for ``category`` (empty for taxed categories): the exemption in
    ``language``, citing the law of ``seller_country`` and the Directive; ``note`` wins when typed."""
    if note:
        return note
    texts = WORDS.get(category)
    if not texts:
        return ""
    words = texts.get(language, texts["en"])
    cited = [law(category, seller_country, buyer_country)]
    if category in DIRECTIVE:
        cited.append(DIRECTIVE_NAME.get(language, DIRECTIVE_NAME["en"]).format(DIRECTIVE[category]))
    cited = [c for c in cited if c]
    return f"{words} ({'; '.join(cited)})" if cited else words

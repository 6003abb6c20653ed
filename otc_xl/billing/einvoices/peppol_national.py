"""Peppol BIS Billing 3.0 rules on identifiers and on sellers of one country, encoded by otc_xl (the rest
of the rule set: :mod:`.peppol_rules`, which runs these).

* PEPPOL-COMMON-R040 … R050: the check digits or shape of a party identifier, electronic address or
  company id under the schemes 0088 (GLN), 0192 (Norwegian organisation number), 0184 (Danish CVR),
  0208 (Belgian enterprise number), 0201 (Italian IPA code), 0210 and 9907 (Italian codice fiscale),
  0211 (partita IVA), 0007 (Swedish organisation number), 0151 (Australian ABN) — a customer's Peppol
  id may use any of them;
* IT-R-001 … 004: an Italian seller (by its VAT number's prefix, else its address);
* NL-R-001 … 009: a Dutch seller (by its address);
* DE-R-001 … 031: a German seller invoicing a German buyer: the XRechnung BR-DE rules
  (:func:`.xrechnung_rules.rules`) under their Peppol ids.

Pure: a parsed tree in, findings through ``need`` out.
"""

from __future__ import annotations

import re

from .xrechnung_rules import NS, ubl_terms
from .xrechnung_rules import rules as br_de

_INTEGER = re.compile(r"^[+-]?\d+$")
_LETTERS = re.compile(r"^[A-Za-z]*$")


def _norm(value: str | None) -> str:
    return " ".join((value or "").split())


def _text(node, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    return "".join(found.itertext()) if found is not None else ""


def gln(value: str) -> bool:
    digits = [int(c) for c in reversed(value[:-1])]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return (10 - total % 10) % 10 == int(value[-1])


def mod11(value: str) -> bool:
    digits = [int(c) for c in reversed(value[:-1])]
    total = sum(d * (i % 6 + 2) for i, d in enumerate(digits))
    return int(value) > 0 and (11 - total % 11) % 11 == int(value[-1])


def belgian(value: str) -> bool:
    return int(value[8:10]) == 97 - int(value[:8]) % 97


def ipa(value: str) -> bool:
    return len(value) == 6 and re.fullmatch(r"[A-Za-z0-9]*", value) is not None


def codice_fiscale(value: str) -> bool:
    """Peppol's shape check of an Italian tax code: 16 characters (letters and digits where a person's
    code has them) or 11 digits (a company's)."""
    if len(value) == 11:
        return bool(_INTEGER.match(value))
    if len(value) != 16:
        return False
    return bool(_LETTERS.match(value[:6]) and _INTEGER.match(value[6:8]) and _LETTERS.match(value[8])
                and _INTEGER.match(value[9:11]) and _INTEGER.match(value[14]) and _LETTERS.match(value[15]))


def partita_iva(value: str) -> bool:
    """``IT`` + 11 digits whose Luhn-like sum is a multiple of 10; a value without the IT prefix passes."""
    if value[:2] not in ("IT", "it"):
        return True
    code = value[2:]
    if len(code) != 11 or not code.isdigit():
        return False
    return sum(int("0246813579"[int(c)]) if i % 2 else int(c) for i, c in enumerate(code)) % 10 == 0


def swedish(value: str) -> bool:
    if not value.isdigit():
        return False
    main, check = value[:9], value[9:10]
    total = 0
    for pos in range(1, len(main) + 1):
        d = int(main[len(main) - pos])
        total += (d * 2) % 10 + (d * 2) // 10 if pos % 2 == 1 else d
    return check.isdigit() and (10 - total % 10) % 10 == int(check)


def abn(value: str) -> bool:
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    digits = [int(c) for c in value]
    digits[0] -= 1
    return sum(d * w for d, w in zip(digits, weights)) % 89 == 0


SCHEMES = {
    "0088": ("PEPPOL-COMMON-R040", "fatal", lambda v: bool(re.fullmatch(r"[0-9]+", v)) and gln(v), "a GLN"),
    "0192": ("PEPPOL-COMMON-R041", "fatal", lambda v: bool(re.fullmatch(r"[0-9]{9}", v)) and mod11(v),
             "a Norwegian organisation number"),
    "0208": ("PEPPOL-COMMON-R043", "fatal", lambda v: bool(re.fullmatch(r"[0-9]{10}", v)) and belgian(v),
             "a Belgian enterprise number"),
    "0201": ("PEPPOL-COMMON-R044", "warning", ipa, "an IPA code"),
    "0210": ("PEPPOL-COMMON-R045", "warning", codice_fiscale, "a codice fiscale"),
    "0211": ("PEPPOL-COMMON-R047", "warning", partita_iva, "a partita IVA"),
    "0007": ("PEPPOL-COMMON-R049", "fatal", lambda v: len(v) == 10 and swedish(v),
             "a Swedish organisation number"),
    "0151": ("PEPPOL-COMMON-R050", "fatal", lambda v: bool(re.fullmatch(r"[0-9]{11}", v)) and abn(v),
             "an Australian Business Number"),
}
"""Scheme → (rule, flag, check of the normalized value, what it is)."""


def _danish(value: str) -> bool:
    """PEPPOL-COMMON-R042 (0184), on the value as written: DK + 8 digits, or 8 digits."""
    return (len(value) == 10 and value[:2] == "DK" and value[2:].isdigit()) or (len(value) == 8 and value.isdigit())


def identifier_rules(root, need) -> None:
    """PEPPOL-COMMON-R040 … R050 on every EndpointID, PartyIdentification ID and CompanyID."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rpartition("}")[2]
        parent = element.getparent()
        scheme = element.get("schemeID")
        if scheme is None or not (name in ("EndpointID", "CompanyID") or (
                name == "ID" and parent is not None and parent.tag == f"{{{NS['cac']}}}PartyIdentification")):
            continue
        raw = "".join(element.itertext())
        value = _norm(raw)
        if scheme == "0184":
            need(_danish(raw), "PEPPOL-COMMON-R042", f"{value!r} is not a Danish CVR number (scheme 0184)")
        elif scheme == "9907" and name == "EndpointID":
            need(codice_fiscale(value), "PEPPOL-COMMON-R046", f"{value!r} is not a codice fiscale (scheme 9907)",
                 "warning")
        elif scheme in SCHEMES:
            rule, flag, check, what = SCHEMES[scheme]
            need(check(value), rule, f"{value!r} is not {what} (scheme {scheme})", flag)


def supplier_country(root) -> str:
    """Peppol's ``$supplierCountry``: the seller's VAT number prefix, else the tax representative's,
    else the seller's address's country, else ``XX``."""
    for path in ("cac:AccountingSupplierParty/cac:Party", "cac:TaxRepresentativeParty"):
        for scheme in root.findall(f"{path}/cac:PartyTaxScheme", NS):
            if _text(scheme, "cac:TaxScheme/cbc:ID") == "VAT" and _text(scheme, "cbc:CompanyID")[:2]:
                return _norm(_text(scheme, "cbc:CompanyID")[:2]).upper()
    country = root.find("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
                        NS)
    return _norm(country.text).upper() if country is not None else "XX"


def _address_complete(address) -> bool:
    return all(address.find(f"cbc:{x}", NS) is not None for x in ("StreetName", "CityName", "PostalZone"))


def _kvk_or_oin(company_id) -> bool:
    scheme = company_id.get("schemeID") or ""
    return (" 0106 " in f" {scheme} " or " 0190 " in f" {scheme} ") and _norm("".join(company_id.itertext())) != ""


def _country(node) -> str:
    return _norm(_text(node, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")).upper()


def country_rules(root, need, both_german: bool) -> None:
    """IT-R, NL-R and DE-R."""
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    if seller is not None and supplier_country(root) == "IT":
        for scheme in seller.findall("cac:PartyTaxScheme", NS):
            if _norm(_text(scheme, "cac:TaxScheme/cbc:ID")) != "VAT":
                need(re.fullmatch(r"[A-Z0-9]{11,16}", _norm(_text(scheme, "cbc:CompanyID"))) is not None, "IT-R-001",
                     "an Italian seller's tax registration id (BT-32) has 11 to 16 letters or digits")
        for rule, field, what in (("IT-R-002", "StreetName", "street (BT-35)"),
                                  ("IT-R-003", "CityName", "city (BT-37)"),
                                  ("IT-R-004", "PostalZone", "post code (BT-38)")):
            need(seller.find(f"cac:PostalAddress/cbc:{field}", NS) is not None, rule,
                 f"an Italian seller must give its {what}")
    dutch_seller = seller is not None and _country(seller) == "NL"
    if dutch_seller:
        dutch_buyer = buyer is not None and _country(buyer) == "NL"
        if root.find("cbc:CreditNoteTypeCode", NS) is not None:
            need(root.find("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS) is not None, "NL-R-001",
                 "a Dutch seller's credit note must name the invoice it credits (BG-3)")
        for address in seller.findall("cac:PostalAddress", NS):
            need(_address_complete(address), "NL-R-002", "a Dutch seller's address needs street, city and post code")
        for company in seller.findall("cac:PartyLegalEntity/cbc:CompanyID", NS):
            need(_kvk_or_oin(company), "NL-R-003", "a Dutch seller's legal id (BT-30) must be a KVK or OIN number "
                                                   "(scheme 0106 or 0190)")
        if dutch_buyer:
            for address in buyer.findall("cac:PostalAddress", NS):
                need(_address_complete(address), "NL-R-004", "a Dutch buyer's address needs street, city and post "
                                                             "code")
            for company in buyer.findall("cac:PartyLegalEntity/cbc:CompanyID", NS):
                need(_kvk_or_oin(company), "NL-R-005", "a Dutch buyer's legal id (BT-47) must be a KVK or OIN number")
            for means in root.iter(f"{{{NS['cac']}}}PaymentMeans"):
                need(_norm(_text(means, "cbc:PaymentMeansCode")) in ("30", "48", "49", "57", "58", "59"), "NL-R-008",
                     "between Dutch parties the payment means code (BT-81) is one of 30, 48, 49, 57, 58, 59")
        for representative in root.findall("cac:TaxRepresentativeParty", NS):
            if _country(representative) == "NL":
                for address in representative.findall("cac:PostalAddress", NS):
                    need(_address_complete(address), "NL-R-006", "a Dutch tax representative's address needs street, "
                                                                 "city and post code")
        invoice = root.tag.endswith("}Invoice")
        for total in root.iter(f"{{{NS['cac']}}}LegalMonetaryTotal"):
            try:
                payable = float(_norm(_text(total, "cbc:PayableAmount")))
            except ValueError:
                continue
            need((invoice and payable <= 0) or (not invoice and payable >= 0)
                 or root.find(".//cac:PaymentMeans", NS) is not None, "NL-R-007",
                 "a Dutch seller must give the means of payment (BG-16) of an amount due")
        for reference in root.iter(f"{{{NS['cac']}}}OrderLineReference"):
            if reference.find("cbc:LineID", NS) is not None:
                need(root.find("cac:OrderReference/cbc:ID", NS) is not None, "NL-R-009",
                     "a line's order line reference needs the order reference (BT-13)")
    if both_german:
        for rule, flag, message in br_de(ubl_terms(root)):
            peppol = _german_id(rule)
            if peppol:
                need(False, peppol, message, flag)


def _german_id(rule: str) -> str:
    """BR-DE-n → DE-R-00n, BR-DE-23-a → DE-R-023-1; "" for the BR-DE rules Peppol does not have (21,
    TMP-32) and the Peppol rules the XRechnung module also encodes (R010, R020)."""
    found = re.fullmatch(r"BR-DE-(\d+)(?:-([ab]))?", rule)
    if not found or found.group(1) == "21":
        return ""
    return f"DE-R-{int(found.group(1)):03d}" + (f"-{'1' if found.group(2) == 'a' else '2'}" if found.group(2) else "")

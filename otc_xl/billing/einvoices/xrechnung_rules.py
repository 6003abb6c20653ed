"""The XRechnung 3.0 rules (BR-DE) encoded by otc_xl, so ``invoice --check`` reports their ids on any
XRechnung (UBL or CII) without KoSIT's Schematron files. Each rule reads the business terms
(:class:`Terms`) gathered from the document by :func:`ubl_terms` or :func:`cii_terms`; ids, flags
(fatal / warning) and conditions follow KoSIT's XRechnung Schematron 2.x for XRechnung 3.0.x
(``XRechnung-UBL-validation.sch``, ``XRechnung-CII-validation.sch``), which stays the reference when
given (see :mod:`.check`).

Encoded: BR-DE-1 to 11, 14 to 28, 30, 31, TMP-32, and the seller's and buyer's electronic addresses
the XRechnung rules take from Peppol (PEPPOL-EN16931-R020, R010). Not encoded: the CVD (clean
vehicles) and extension (BR-DEX) rules, which apply to documents otc_xl does not write.

Pure: a parsed tree in, findings out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..germany import EMAIL, PHONE

XRECHNUNG_PREFIX = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_"
XR_VERSION = "3.0"
SKONTO = re.compile(r"(^|\r?\n)#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$")
IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$")
TYPE_CODES = ("326", "380", "384", "389", "381", "875", "876", "877")
VAT_CODES = ("S", "Z", "E", "AE", "K", "G", "L", "M")
RULE_SET = "XRechnung BR-DE (encoded by otc_xl)"
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}


@dataclass
class Means:
    """One payment instruction (BG-16): its code BT-81 and which of BG-17/18/19 it carries."""

    code: str
    transfer: str | None = None
    """BT-84 of BG-17 CREDIT TRANSFER (None: no BG-17)."""
    card: bool = False
    debited: str | None = None
    """BT-91 of BG-19 DIRECT DEBIT (None: no BG-19)."""


@dataclass
class Terms:
    """What the BR-DE rules read of one document ("" or None: absent)."""

    customization: str = ""
    type_code: str = ""
    buyer_reference: str = ""
    means: list[Means] = field(default_factory=list)
    seller_contact: dict[str, str] | None = None
    seller_address: dict[str, str] | None = None
    buyer_address: dict[str, str] | None = None
    delivery_address: dict[str, str] | None = None
    seller_endpoint: str = ""
    buyer_endpoint: str = ""
    breakdown: list[tuple[str, str]] = field(default_factory=list)
    """(BT-118 category, BT-119 rate) of each VAT breakdown."""
    categories: set[str] = field(default_factory=set)
    """Every VAT category the document uses (breakdown, allowances and charges, lines)."""
    seller_tax_id: bool = False
    """BT-31 or BT-32 or a tax representative (BG-11)."""
    payment_terms: str | None = None
    attachments: list[str] = field(default_factory=list)
    preceding: bool = False
    creditor_id: bool = False
    supply_date: bool = True
    """BT-72, BG-14, or a period on every line."""


def _text(node, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _address(node, city: str, postcode: str) -> dict[str, str] | None:
    return None if node is None else {"city": _text(node, city), "postcode": _text(node, postcode)}


def is_xrechnung(customization: str) -> bool:
    return customization.strip().startswith(XRECHNUNG_PREFIX)


def ubl_terms(root) -> Terms:
    """The terms of a UBL Invoice or CreditNote."""
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    contact = seller.find("cac:Contact", NS) if seller is not None else None
    means = [Means(_text(m, "cbc:PaymentMeansCode"),
                   _text(m, "cac:PayeeFinancialAccount/cbc:ID") if m.find("cac:PayeeFinancialAccount", NS)
                   is not None else None, m.find("cac:CardAccount", NS) is not None,
                   _text(m, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
                   if m.find("cac:PaymentMandate", NS) is not None else None)
             for m in root.findall("cac:PaymentMeans", NS)]
    lines = root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
    notes = root.findall("cac:PaymentTerms/cbc:Note", NS)
    return Terms(
        customization=_text(root, "cbc:CustomizationID"),
        type_code=_text(root, "cbc:InvoiceTypeCode") or _text(root, "cbc:CreditNoteTypeCode"),
        buyer_reference=_text(root, "cbc:BuyerReference"), means=means,
        seller_contact=None if contact is None else {"name": _text(contact, "cbc:Name"),
                                                     "phone": _text(contact, "cbc:Telephone"),
                                                     "email": _text(contact, "cbc:ElectronicMail")},
        seller_address=_address(seller.find("cac:PostalAddress", NS) if seller is not None else None,
                                "cbc:CityName", "cbc:PostalZone"),
        buyer_address=_address(buyer.find("cac:PostalAddress", NS) if buyer is not None else None,
                               "cbc:CityName", "cbc:PostalZone"),
        delivery_address=_address(root.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS), "cbc:CityName",
                                  "cbc:PostalZone"),
        seller_endpoint=_text(seller, "cbc:EndpointID"), buyer_endpoint=_text(buyer, "cbc:EndpointID"),
        breakdown=[(_text(s, "cac:TaxCategory/cbc:ID"), _text(s, "cac:TaxCategory/cbc:Percent"))
                   for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)],
        categories={(c.text or "").strip() for path in ("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
                                                        "cac:AllowanceCharge/cac:TaxCategory/cbc:ID",
                                                        "*/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
                    for c in root.findall(path, NS)},
        seller_tax_id=bool(_text(seller, "cac:PartyTaxScheme/cbc:CompanyID"))
        or root.find("cac:TaxRepresentativeParty", NS) is not None,
        payment_terms=(notes[0].text or "") if notes else None,
        attachments=[a.get("filename", "") for a in root.findall(
            "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS)],
        preceding=root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS) is not None,
        creditor_id=any(i.get("schemeID") == "SEPA" for i in root.findall(
            "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID", NS) +
            root.findall("cac:PayeeParty/cac:PartyIdentification/cbc:ID", NS)),
        supply_date=root.find("cac:Delivery/cbc:ActualDeliveryDate", NS) is not None
        or root.find("cac:InvoicePeriod", NS) is not None
        or (bool(lines) and all(x.find("cac:InvoicePeriod", NS) is not None for x in lines)))


def cii_terms(root) -> Terms:
    """The terms of a CII CrossIndustryInvoice."""
    deal = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
    settlement = root.find("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement", NS)
    seller = root.find(f"{deal}/ram:SellerTradeParty", NS)
    buyer = root.find(f"{deal}/ram:BuyerTradeParty", NS)
    contact = seller.find("ram:DefinedTradeContact", NS) if seller is not None else None
    means = [Means(_text(m, "ram:TypeCode"),
                   (_text(m, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
                    or _text(m, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"))
                   if m.find("ram:PayeePartyCreditorFinancialAccount", NS) is not None else None,
                   m.find("ram:ApplicableTradeSettlementFinancialCard", NS) is not None,
                   _text(m, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
                   if m.find("ram:PayerPartyDebtorFinancialAccount", NS) is not None else None)
             for m in (settlement.findall("ram:SpecifiedTradeSettlementPaymentMeans", NS)
                       if settlement is not None else [])]
    terms = settlement.findall("ram:SpecifiedTradePaymentTerms/ram:Description", NS) if settlement is not None else []
    lines = root.findall("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem", NS)
    taxes = settlement.findall("ram:ApplicableTradeTax", NS) if settlement is not None else []
    return Terms(
        customization=_text(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"),
        buyer_reference=_text(root, f"{deal}/ram:BuyerReference"), means=means,
        seller_contact=None if contact is None else {
            "name": _text(contact, "ram:PersonName") or _text(contact, "ram:DepartmentName"),
            "phone": _text(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
            "email": _text(contact, "ram:EmailURIUniversalCommunication/ram:URIID")},
        seller_address=_address(seller.find("ram:PostalTradeAddress", NS) if seller is not None else None,
                                "ram:CityName", "ram:PostcodeCode"),
        buyer_address=_address(buyer.find("ram:PostalTradeAddress", NS) if buyer is not None else None,
                               "ram:CityName", "ram:PostcodeCode"),
        delivery_address=_address(root.find("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery/"
                                            "ram:ShipToTradeParty/ram:PostalTradeAddress", NS),
                                  "ram:CityName", "ram:PostcodeCode"),
        seller_endpoint=_text(seller, "ram:URIUniversalCommunication/ram:URIID"),
        buyer_endpoint=_text(buyer, "ram:URIUniversalCommunication/ram:URIID"),
        breakdown=[(_text(t, "ram:CategoryCode"), _text(t, "ram:RateApplicablePercent")) for t in taxes],
        categories={(c.text or "").strip() for c in root.iter(f"{{{NS['ram']}}}CategoryCode")},
        seller_tax_id=any(_text(r, "ram:ID") for r in (seller.findall("ram:SpecifiedTaxRegistration", NS)
                                                       if seller is not None else []))
        or root.find(f"{deal}/ram:SellerTaxRepresentativeTradeParty", NS) is not None,
        payment_terms=(terms[0].text or "") if terms else None,
        attachments=[a.get("filename", "") for a in root.iter(f"{{{NS['ram']}}}AttachmentBinaryObject")],
        preceding=settlement is not None and settlement.find("ram:InvoiceReferencedDocument", NS) is not None,
        creditor_id=bool(_text(settlement, "ram:CreditorReferenceID")),
        supply_date=root.find(".//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime", NS) is not None
        or (settlement is not None and settlement.find("ram:BillingSpecifiedPeriod", NS) is not None)
        or (bool(lines) and all(x.find(".//ram:BillingSpecifiedPeriod", NS) is not None for x in lines)))


def _iban_ok(value: str) -> bool:
    from stdnum import iban

    text = re.sub(r"\s", "", value)
    return bool(IBAN.match(text)) and iban.is_valid(text)


def _skonto_ok(note: str) -> bool:
    """BR-DE-18: every line starting with ``#`` is a Skonto line, and a line break follows the last one."""
    marked = [x for x in re.split(r"\r?\n", note) if x.strip().startswith("#")]
    if not all(SKONTO.search(x.strip()) for x in marked):
        return False
    segments = re.split(r"#.+#", note)
    return len(segments) == 1 or re.match(r"^\s*\n", segments[-1]) is not None


def rules(t: Terms) -> list[tuple[str, str, str]]:
    """(rule id, flag, message) of every BR-DE rule ``t`` breaks."""
    out: list[tuple[str, str, str]] = []

    def need(ok: bool, rule: str, message: str, flag: str = "fatal") -> None:
        if not ok:
            out.append((rule, flag, message))

    need(bool(t.means), "BR-DE-1", "an invoice must carry payment instructions (BG-16)")
    need(t.seller_contact is not None, "BR-DE-2", "the seller contact (BG-6) must be given")
    if t.seller_address is not None:
        need(bool(t.seller_address["city"]), "BR-DE-3", "the seller city (BT-37) must be given")
        need(bool(t.seller_address["postcode"]), "BR-DE-4", "the seller post code (BT-38) must be given")
    if t.seller_contact is not None:
        contact = t.seller_contact
        need(bool(contact["name"]), "BR-DE-5", "the seller contact point (BT-41) must be given")
        need(bool(contact["phone"]), "BR-DE-6", "the seller contact telephone number (BT-42) must be given")
        need(bool(contact["email"]), "BR-DE-7", "the seller contact e-mail address (BT-43) must be given")
        need(bool(PHONE.match(contact["phone"])), "BR-DE-27",  # as KoSIT's: a missing number has no 3 digits
             f"the telephone number (BT-42) should hold at least three digits, found {contact['phone']!r}", "warning")
        need(bool(EMAIL.match(contact["email"])), "BR-DE-28",
             f"the e-mail address (BT-43) should hold one @ with a domain after it, found {contact['email']!r}",
             "warning")
    if t.buyer_address is not None:
        need(bool(t.buyer_address["city"]), "BR-DE-8", "the buyer city (BT-52) must be given")
        need(bool(t.buyer_address["postcode"]), "BR-DE-9", "the buyer post code (BT-53) must be given")
    if t.delivery_address is not None:
        need(bool(t.delivery_address["city"]), "BR-DE-10", "the deliver-to city (BT-77) must be given with a "
                                                           "delivery address (BG-15)")
        need(bool(t.delivery_address["postcode"]), "BR-DE-11", "the deliver-to post code (BT-78) must be given with "
                                                               "a delivery address (BG-15)")
    for category, rate in t.breakdown:
        need(bool(rate), "BR-DE-14", f"the VAT category rate (BT-119) must be given (category {category})")
    need(bool(t.buyer_reference), "BR-DE-15", "the buyer reference (BT-10), the Leitweg-ID of a public buyer, must "
                                              "be given")
    need(not (t.categories & set(VAT_CODES)) or t.seller_tax_id, "BR-DE-16",
         "with VAT categories S, Z, E, AE, K, G, L or M the seller's VAT id (BT-31), tax registration id (BT-32) "
         "or tax representative (BG-11) must be given")
    need(t.type_code in TYPE_CODES, "BR-DE-17", f"the invoice type code (BT-3) should be one of "
                                                f"{', '.join(TYPE_CODES)}, found {t.type_code!r}", "warning")
    need(t.payment_terms is None or _skonto_ok(t.payment_terms), "BR-DE-18",
         "Skonto lines in the payment terms (BT-20) must read #SKONTO#TAGE=n#PROZENT=n.nn# (optionally "
         "#BASISBETRAG=n.nn#), the last one followed by a line break")
    need(t.customization in (XRECHNUNG_PREFIX + XR_VERSION,), "BR-DE-21",
         f"the specification identifier (BT-24) should be {XRECHNUNG_PREFIX + XR_VERSION}, found "
         f"{t.customization!r}", "warning")
    need(len(t.attachments) == len(set(t.attachments)), "BR-DE-22", "attached documents' file names must be unique")
    for m in t.means:
        if m.code == "58":
            need(m.transfer is not None and _iban_ok(m.transfer), "BR-DE-19",
                 f"the payment account (BT-84) should be a valid IBAN for SEPA credit transfer, found {m.transfer!r}",
                 "warning")
        if m.code in ("30", "58"):
            need(m.transfer is not None, "BR-DE-23-a", "a credit transfer (BT-81 30 or 58) must carry BG-17")
            need(not m.card and m.debited is None, "BR-DE-23-b", "a credit transfer must not carry BG-18 or BG-19")
        if m.code in ("48", "54", "55"):
            need(m.card, "BR-DE-24-a", "a card payment (BT-81 48, 54, 55) must carry BG-18")
            need(m.transfer is None and m.debited is None, "BR-DE-24-b", "a card payment must not carry BG-17 or "
                                                                          "BG-19")
        if m.code == "59":
            need(m.debited is not None, "BR-DE-25-a", "a direct debit (BT-81 59) must carry BG-19")
            need(m.transfer is None and not m.card, "BR-DE-25-b", "a direct debit must not carry BG-17 or BG-18")
            need(m.debited is not None and _iban_ok(m.debited), "BR-DE-20",
                 f"the debited account (BT-91) should be a valid IBAN, found {m.debited!r}", "warning")
    need(t.type_code != "384" or t.preceding, "BR-DE-26", "a corrected invoice (384) should name the invoice it "
                                                          "corrects (BG-3)", "warning")
    debits = [m for m in t.means if m.debited is not None]
    need(not debits or t.creditor_id, "BR-DE-30", "a direct debit (BG-19) must carry the creditor identifier (BT-90)")
    need(all(m.debited for m in debits), "BR-DE-31", "a direct debit (BG-19) must carry the debited account (BT-91)")
    need(t.supply_date, "BR-DE-TMP-32", "the date of supply should be given: BT-72, BG-14 or a period on every line",
         "warning")
    need(bool(t.seller_endpoint), "PEPPOL-EN16931-R020", "the seller's electronic address (BT-34) must be given")
    need(bool(t.buyer_endpoint), "PEPPOL-EN16931-R010", "the buyer's electronic address (BT-49) must be given")
    return out

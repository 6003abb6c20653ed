"""The Peppol BIS Billing 3.0 rules encoded by otc_xl, so ``invoice --check`` reports their ids on any
Peppol BIS UBL document (BT-24 ``…:poacc:billing:3.0``) without OpenPeppol's Schematron files. Ids,
flags (fatal / warning) and conditions follow ``PEPPOL-EN16931-UBL.sch`` of release 3.0.19
(OpenPEPPOL/peppol-bis-invoice-3), which stays the reference when given (see :mod:`.check`); as in
Schematron, a rule fires once per element it fails on, and of the rules of one pattern only the
first whose context an element matches is applied (so R041 or R042 shadows R040 and R043).

Encoded: PEPPOL-EN16931-R001 … R130 (document, parties, allowances and charges, tax totals, payment,
currencies, line periods and amounts, prices), R008 (no empty element), the code lists and formats
CL001, CL002, CL006, CL007, CL008, F001, P0100, P0101, P0104 … P0112, the identifier checks
PEPPOL-COMMON-R040 … R050 (:mod:`.peppol_national`), and the national rules for sellers otc_xl can
have: IT-R (Italian seller), NL-R (Dutch seller), DE-R (German seller to a German buyer, the BR-DE
rules of :mod:`.xrechnung_rules` under their Peppol ids). Not encoded: CL003 (charge reason codes,
UNCL 7161: otc_xl writes no charges) and the NO, DK, SE, GR and IS rules (sellers of those countries).

Pure: a parsed tree in, ``(rule id, flag, message)`` out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from .peppol_national import country_rules, identifier_rules
from .xrechnung_rules import NS

RULE_SET = "Peppol BIS Billing 3.0 (encoded by otc_xl)"
PEPPOL_BIS = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#" + PEPPOL_BIS
PROFILE = re.compile(r"urn:fdc:peppol.eu:2017:poacc:billing:([0-9]{2}):1.0")
INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC = NS["cbc"]
MIME_CODES = ("application/pdf", "image/png", "image/jpeg", "text/csv",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/vnd.oasis.opendocument.spreadsheet")
ALLOWANCE_REASONS = ("41", "42", "60", "62", "63", "64", "65", "66", "67", "68", "70", "71", "88", "95", "100",
                     "102", "103", "104", "105")
"""The subset of UNCL 5189 Peppol allows as allowance reason codes (BT-98, BT-140)."""
PERIOD_CODES = ("3", "35", "432")
INVOICE_TYPES = ("71", "80", "82", "84", "102", "218", "219", "326", "331", "380", "382", "383", "384", "386", "388",
                 "393", "395", "553", "575", "623", "780", "817", "870", "875", "876", "877")
CREDIT_TYPES = ("381", "396", "81", "83", "532")
EXEMPTIONS = {"VATEX-EU-G": ("G", "P0104"), "VATEX-EU-O": ("O", "P0105"), "VATEX-EU-IC": ("K", "P0106"),
              "VATEX-EU-AE": ("AE", "P0107"), "VATEX-EU-D": ("E", "P0108"), "VATEX-EU-F": ("E", "P0109"),
              "VATEX-EU-I": ("E", "P0110"), "VATEX-EU-J": ("E", "P0111")}
AMOUNTS = ("Amount", "BaseAmount", "PriceAmount", "TaxableAmount", "LineExtensionAmount", "TaxExclusiveAmount",
           "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount",
           "PayableRoundingAmount", "PayableAmount")
DATES = ("IssueDate", "DueDate", "TaxPointDate", "StartDate", "EndDate", "ActualDeliveryDate")
EAS = frozenset((
    "0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170 0177 0183 0184 0188 0190 "
    "0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204 0205 0208 0209 0210 0211 0212 0213 0215 0216 "
    "0217 0218 0221 0225 0230 0235 0240 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 "
    "9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 "
    "9952 9953 9957 9959").split())
"""The Electronic Address Scheme codes Peppol BIS 3.0.19 accepts for an EndpointID (CL008)."""


def currencies() -> frozenset[str]:
    """ISO 4217 as Peppol BIS 3.0.19 lists it: pycountry's codes, with ANG and BGN that Peppol still
    lists, without XAD and XCG that it does not yet."""
    import pycountry

    return frozenset({c.alpha_3 for c in pycountry.currencies} | {"ANG", "BGN"}) - {"XAD", "XCG"}


def norm(text: str | None) -> str:
    """XPath ``normalize-space``."""
    return " ".join((text or "").split())


def text(node, path: str) -> str:
    """The string value of the first ``path`` under ``node`` ("" when there is none)."""
    found = node.find(path, NS) if node is not None else None
    return "".join(found.itertext()) if found is not None else ""


def decimal(value: str | None) -> Decimal | None:
    """An xs:decimal's value; None when it is none (``12,50``, ``NaN``, ``Infinity``: the XSD reports those)."""
    try:
        number = Decimal(norm(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _round2(value: Decimal) -> Decimal:
    """XPath ``round(x * 100) div 100``: half-way cases go up (towards +∞)."""
    return Decimal(math.floor(value * 100 + Decimal("0.5"))) / 100


def _slack(expected: Decimal, value: Decimal, slack: Decimal = Decimal("0.02")) -> bool:
    return expected + slack >= value and expected - slack <= value


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value) else None
    except ValueError:
        return None


def local(element) -> str:
    return str(element.tag).rpartition("}")[2]


def document_rules(root, need) -> None:
    """R001 … R005, R053 … R055, R080: the document level."""
    credit = root.tag == f"{{{CREDIT_NOTE}}}CreditNote"
    if credit:
        projects = [r for r in root.findall("cac:AdditionalDocumentReference", NS)
                    if any((c.text or "") == "50" for c in r.findall("cbc:DocumentTypeCode", NS))]
        need(len(projects) <= 1, "PEPPOL-EN16931-R080", "only one project reference (BT-11) is allowed")
    profile_id = root.find("cbc:ProfileID", NS)
    match = PROFILE.search(norm(text(root, "cbc:ProfileID"))) if profile_id is not None else None
    need(profile_id is not None, "PEPPOL-EN16931-R001", "the business process (BT-23, ProfileID) must be given")
    need(match is not None, "PEPPOL-EN16931-R007", "the business process (BT-23) must read "
                                                  "urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0")
    german = both_german(root)
    need(len(root.findall("cbc:Note", NS)) <= 1 or german, "PEPPOL-EN16931-R002",
         "no more than one note (BT-22) is allowed, unless seller and buyer are both German")
    need(root.find("cbc:BuyerReference", NS) is not None or root.find("cac:OrderReference/cbc:ID", NS) is not None,
         "PEPPOL-EN16931-R003", "a buyer reference (BT-10) or a purchase order reference (BT-13) must be given")
    customization = root.find("cbc:CustomizationID", NS)
    first_text = customization.text if customization is not None else ""
    need(norm(first_text).startswith(CUSTOMIZATION), "PEPPOL-EN16931-R004",
         f"the specification identifier (BT-24) must be {CUSTOMIZATION}")
    totals = root.findall("cac:TaxTotal", NS)
    with_breakdown = [t for t in totals if t.find("cac:TaxSubtotal", NS) is not None]
    tax_currency = root.find("cbc:TaxCurrencyCode", NS)
    need(len(with_breakdown) == 1, "PEPPOL-EN16931-R053", "exactly one tax total with tax subtotals must be given")
    need(len(totals) - len(with_breakdown) == (1 if tax_currency is not None else 0), "PEPPOL-EN16931-R054",
         "one tax total without subtotals (BT-111) must be given when, and only when, a VAT accounting "
         "currency (BT-6) is given")
    if tax_currency is not None:
        def amounts(code: str) -> list[Decimal]:
            return [a for a in (decimal(x.text) for t in totals for x in t.findall("cbc:TaxAmount", NS)
                                if x.get("currencyID") == norm(code)) if a is not None]
        in_tax, in_doc = amounts(text(root, "cbc:TaxCurrencyCode")), amounts(text(root, "cbc:DocumentCurrencyCode"))
        same_sign = (any(a <= 0 for a in in_tax) and any(a <= 0 for a in in_doc)) or \
                    (any(a >= 0 for a in in_tax) and any(a >= 0 for a in in_doc))
        need(same_sign, "PEPPOL-EN16931-R055", "the VAT total (BT-110) and the VAT total in accounting currency "
                                              "(BT-111) must have the same sign")
        need(norm(tax_currency.text) != norm(text(root, "cbc:DocumentCurrencyCode")), "PEPPOL-EN16931-R005",
             "the VAT accounting currency (BT-6) must differ from the invoice currency (BT-5)")


def both_german(root) -> bool:
    """Peppol's ``$supplierCountryIsDE and $customerCountryIsDE``: both postal addresses in Germany."""
    return all(norm(text(root, f"cac:{party}/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode"))
               .upper() == "DE" for party in ("AccountingSupplierParty", "AccountingCustomerParty"))


def allowance_rules(root, need) -> None:
    """R040 … R044, R046: allowances and charges, on the document, the lines and the prices."""
    lines = root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
    on_lines = [a for x in lines for a in x.findall("cac:AllowanceCharge", NS)]
    for ac in root.findall("cac:AllowanceCharge", NS) + on_lines:
        factor, base = ac.find("cbc:MultiplierFactorNumeric", NS), ac.find("cbc:BaseAmount", NS)
        if factor is not None and base is None:
            need(False, "PEPPOL-EN16931-R041", "an allowance/charge with a percentage must give its base amount")
            continue
        if factor is None and base is not None:
            need(False, "PEPPOL-EN16931-R042", "an allowance/charge with a base amount must give its percentage")
            continue
        if factor is not None and base is not None:
            amount = decimal(text(ac, "cbc:Amount")) if ac.find("cbc:Amount", NS) is not None else Decimal(0)
            b, f = decimal(base.text), decimal(factor.text)
            if amount is not None and b is not None and f is not None:
                need(_slack(amount, b * f / 100), "PEPPOL-EN16931-R040",
                     f"the allowance/charge amount {amount} is not base {b} × {f} % (0.02 of tolerance)")
        indicator = ac.find("cbc:ChargeIndicator", NS)
        need(norm(indicator.text if indicator is not None else "") in ("true", "false"), "PEPPOL-EN16931-R043",
             "ChargeIndicator must be true or false")
    for x in lines:
        for ac in x.findall("cac:Price/cac:AllowanceCharge", NS):
            need(norm(text(ac, "cbc:ChargeIndicator")) == "false", "PEPPOL-EN16931-R044",
                 "a price may carry an allowance only (ChargeIndicator false), no charge")
            if ac.find("cbc:BaseAmount", NS) is not None:
                net, gross, off = (decimal(text(x, "cac:Price/cbc:PriceAmount")), decimal(text(ac, "cbc:BaseAmount")),
                                   decimal(text(ac, "cbc:Amount")))
                if None not in (net, gross, off):
                    need(net == gross - off, "PEPPOL-EN16931-R046",  # type: ignore[operator]
                         f"the net price {net} is not the gross price {gross} less the price allowance {off}")


def line_rules(root, need) -> None:
    """R100, R101, R110, R111, R120, R121, R130: the lines."""
    invoice = root.tag == f"{{{INVOICE}}}Invoice"
    start = _date(text(root, "cac:InvoicePeriod/cbc:StartDate"))
    end = _date(text(root, "cac:InvoicePeriod/cbc:EndDate"))
    has_start = root.find("cac:InvoicePeriod/cbc:StartDate", NS) is not None
    has_end = root.find("cac:InvoicePeriod/cbc:EndDate", NS) is not None
    for k, x in enumerate(root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS), start=1):
        for node in x.findall("cac:InvoicePeriod/cbc:StartDate", NS) if has_start else []:
            day = _date(node.text or "")
            if day and start:
                need(day >= start, "PEPPOL-EN16931-R110", f"line {k}: its period starts before the invoice period")
        for node in x.findall("cac:InvoicePeriod/cbc:EndDate", NS) if has_end else []:
            day = _date(node.text or "")
            if day and end:
                need(day <= end, "PEPPOL-EN16931-R111", f"line {k}: its period ends after the invoice period")
        quantity_path = "cbc:InvoicedQuantity" if invoice else "cbc:CreditedQuantity"
        net = decimal(text(x, "cbc:LineExtensionAmount")) if x.find("cbc:LineExtensionAmount", NS) is not None \
            else Decimal(0)
        quantity = decimal(text(x, quantity_path)) if x.find(quantity_path, NS) is not None else Decimal(1)
        price = decimal(text(x, "cac:Price/cbc:PriceAmount")) if x.find("cac:Price/cbc:PriceAmount", NS) is not None \
            else Decimal(0)
        base_node = x.find("cac:Price/cbc:BaseQuantity", NS)
        base = decimal(base_node.text) if base_node is not None else None
        sums = {}
        for flag in ("false", "true"):
            found = [decimal(a.text) for ac in x.findall("cac:AllowanceCharge", NS)
                     if norm(text(ac, "cbc:ChargeIndicator")) == flag for a in ac.findall("cbc:Amount", NS)]
            sums[flag] = _round2(sum((a for a in found if a is not None), Decimal(0))) if found else Decimal(0)
        if None not in (net, quantity, price):
            per = base if base is not None and base != 0 else Decimal(1)
            expected = quantity * (price / per) + sums["true"] - sums["false"]  # type: ignore[operator]
            need(_slack(net, expected), "PEPPOL-EN16931-R120",  # type: ignore[arg-type]
                 f"line {k}: its net amount {net} is not quantity × price ÷ base quantity + charges − allowances "
                 f"= {expected:.4f} (0.02 of tolerance)")
        need(base_node is None or (base is not None and base > 0), "PEPPOL-EN16931-R121",
             f"line {k}: the price base quantity must be above zero")
        references = x.findall("cac:DocumentReference", NS)
        need(len(references) <= 1, "PEPPOL-EN16931-R100", f"line {k}: only one invoiced object (BT-128) per line")
        need(not references or any(c.text == "130" for r in references for c in r.findall("cbc:DocumentTypeCode", NS)),
             "PEPPOL-EN16931-R101", f"line {k}: a line document reference must be an invoiced object (code 130)")
        if base_node is not None and base_node.get("unitCode") is not None:
            has_quantity = x.find("cbc:InvoicedQuantity", NS) is not None or x.find("cbc:CreditedQuantity", NS) \
                is not None
            units = [q.get("unitCode") for q in x.findall(quantity_path, NS)]
            need(not has_quantity or base_node.get("unitCode") in units, "PEPPOL-EN16931-R130",
                 f"line {k}: the price base quantity's unit must be the invoiced quantity's")


def party_and_payment_rules(root, need) -> None:
    """R010, R020 (electronic addresses), R061 (mandate of a direct debit), R051 (one currency)."""
    for party, rule, who in (("AccountingCustomerParty", "PEPPOL-EN16931-R010", "buyer's (BT-49)"),
                             ("AccountingSupplierParty", "PEPPOL-EN16931-R020", "seller's (BT-34)")):
        for node in root.iter(f"{{{NS['cac']}}}{party}"):
            for p in node.findall("cac:Party", NS):
                need(p.find("cbc:EndpointID", NS) is not None, rule, f"the {who} electronic address must be given")
    for means in root.iter(f"{{{NS['cac']}}}PaymentMeans"):
        if norm(text(means, "cbc:PaymentMeansCode")) in ("49", "59"):
            need(means.find("cac:PaymentMandate/cbc:ID", NS) is not None, "PEPPOL-EN16931-R061",
                 "a direct debit must carry its mandate reference (BT-89)")
    currency = text(root, "cbc:DocumentCurrencyCode") if root.find("cbc:DocumentCurrencyCode", NS) is not None \
        else None
    for element in root.iter(f"{{{CBC}}}*"):
        name, parent = local(element), local(element.getparent()) if element.getparent() is not None else ""
        counted = name in AMOUNTS or (name == "TaxAmount" and (parent == "TaxSubtotal" or (
            parent == "TaxTotal" and element.getparent().find("cac:TaxSubtotal", NS) is not None)))
        if counted:
            need(currency is not None and element.get("currencyID") == currency, "PEPPOL-EN16931-R051",
                 f"{name} is in {element.get('currencyID')!r}: every amount but BT-111 must be in the invoice "
                 f"currency (BT-5) {currency!r}")


def code_rules(root, need) -> None:
    """R008 (no empty element) and the code lists and formats: CL001, CL002, CL006, CL007, CL008, F001,
    P0100, P0101, P0104 … P0112."""
    for element in root.iter():
        if isinstance(element.tag, str) and len(element) == 0 and not norm("".join(element.itertext())):
            need(False, "PEPPOL-EN16931-R008", f"{local(element)} is empty: no element may be")
    match = PROFILE.search(norm(text(root, "cbc:ProfileID")))
    parts = norm(text(root, "cbc:ProfileID")).split(":")
    profile = parts[6] if match and len(parts) > 6 else "Unknown"
    iso4217 = currencies()
    german = both_german(root)
    for element in root.iter(f"{{{CBC}}}*"):
        name, value = local(element), norm(element.text)
        parent = element.getparent()
        if name == "EmbeddedDocumentBinaryObject" and element.get("mimeCode") is not None:
            need(element.get("mimeCode") in MIME_CODES, "PEPPOL-EN16931-CL001",
                 f"attachment MIME code {element.get('mimeCode')!r} is not one Peppol allows")
        elif name == "AllowanceChargeReasonCode" and local(parent) == "AllowanceCharge" and \
                any((c.text or "") == "false" for c in parent.findall("cbc:ChargeIndicator", NS)):
            need(value in ALLOWANCE_REASONS, "PEPPOL-EN16931-CL002",
                 f"allowance reason code {value!r} is not in Peppol's subset of UNCL 5189")
        elif name == "DescriptionCode" and local(parent) == "InvoicePeriod":
            need(value in PERIOD_CODES, "PEPPOL-EN16931-CL006", f"invoice period code {value!r} is not UNCL 2005")
        elif name in AMOUNTS + ("TaxAmount",):
            need(element.get("currencyID") in iso4217, "PEPPOL-EN16931-CL007",
                 f"currency {element.get('currencyID')!r} of {name} is not ISO 4217")
        elif name == "InvoiceTypeCode":
            need(profile != "01" or value in INVOICE_TYPES, "PEPPOL-EN16931-P0100",
                 f"invoice type code {value!r} is not one of the billing process's")
            need(value not in ("326", "384") or german, "PEPPOL-EN16931-P0112",
                 "invoice type codes 326 and 384 are for German sellers to German buyers only")
        elif name == "CreditNoteTypeCode":
            need(profile != "01" or value in CREDIT_TYPES, "PEPPOL-EN16931-P0101",
                 f"credit note type code {value!r} is not one of the billing process's")
        elif name in DATES:
            raw = element.text or ""
            need(len(raw) == 10 and _date(raw) is not None, "PEPPOL-EN16931-F001",
                 f"{name} {raw!r} must be a date written YYYY-MM-DD")
        elif name == "EndpointID" and element.get("schemeID") is not None:
            need(element.get("schemeID") in EAS, "PEPPOL-EN16931-CL008",
                 f"electronic address scheme {element.get('schemeID')!r} is not in Peppol's EAS code list")
    for category in root.iter(f"{{{NS['cac']}}}TaxCategory"):
        code = "".join(x for r in category.findall("cbc:TaxExemptionReasonCode", NS) for x in r.itertext()).upper()
        if code in EXEMPTIONS:
            wanted, rule = EXEMPTIONS[code]
            need(norm(text(category, "cbc:ID")) == wanted, f"PEPPOL-EN16931-{rule}",
                 f"exemption reason {code} goes with VAT category {wanted}")


def rules(root) -> list[tuple[str, str, str]]:
    """(rule id, flag, message) of every encoded Peppol BIS rule the UBL document ``root`` (an lxml
    element) breaks."""
    out: list[tuple[str, str, str]] = []

    def need(ok: bool, rule: str, message: str, flag: str = "fatal") -> None:
        if not ok:
            out.append((rule, flag, message))

    code_rules(root, need)
    document_rules(root, need)
    party_and_payment_rules(root, need)
    allowance_rules(root, need)
    line_rules(root, need)
    identifier_rules(root, need)
    country_rules(root, need, both_german(root))
    return out

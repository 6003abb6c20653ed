"""XRechnung 3.0 (the German CIUS of EN 16931) in UBL 2.1, for German public buyers: the EN 16931
business terms of :mod:`.en16931` with what the CIUS adds (:mod:`otc_xl.billing.germany`), written
by the **factur-x** library (which checks the UBL XSD).

What it adds: BT-24 ``…#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0`` (BR-DE-21); the Leitweg-ID
as *Buyer reference* BT-10 (BR-DE-15) and as the buyer's electronic address BT-49 under scheme 0204;
the seller's electronic address BT-34 and contact BG-6 (BR-DE-2, 5, 6, 7); a rate on every VAT
breakdown, 0 for category O (BR-DE-14; EN 16931 forbids it on O lines only); a delivery address, when
one is written (intra-EU supplies, BR-IC-12), with the buyer's city and post code (BR-DE-10, 11);
an early-payment discount as the structured ``#SKONTO#`` line of BT-20 (BR-DE-18); on a credit note,
payment instructions (BR-DE-1) saying it is settled between the parties (UNTDID 4461 code 97). The
Peppol profile stays as BT-23 (the XRechnung rules ask for one, PEPPOL-EN16931-R001).

The BR-DE rules are checked on the written file by :mod:`.xrechnung_rules` (``invoice --check``),
and KoSIT's own Schematron when it is given (see :mod:`.check`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...model.billing import InvoiceDoc, Line, VatTotal
from ...model.company import Company
from .. import germany
from . import en16931, quiet_logs

SETTLED_BETWEEN_PARTIES = ("97", "Verrechnung")
"""BT-81/BT-82 of a credit note: UNTDID 4461 97, clearing between partners (it is set against open
invoices or refunded; nothing is paid into the seller's account)."""


def business_terms(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict,
                   seller: Company) -> dict:
    """The EN 16931 business terms of an XRechnung (factur-x's data_dict). A draft lacking what they
    need was blocked at preparation (``validation.german_seller_problems``, the format's ``needs``)."""
    data: dict[str, Any] = en16931.business_terms(doc, lines, totals, customer, seller)
    leitweg = germany.leitweg_id(customer)
    data["BT-10"] = leitweg
    data["BT-23"] = en16931.PEPPOL_PROFILE
    own = germany.seller_address(seller.einvoice_address, seller.email)
    if own:
        data["BG-4"].update(einvoicing_addr=own[1], einvoicing_addr_schemeid=own[0])
    data["BG-7"].update(einvoicing_addr=leitweg, einvoicing_addr_schemeid=germany.LEITWEG_SCHEME)
    return german_terms(data, doc, customer, seller)


def german_terms(data: dict, doc: InvoiceDoc, customer: dict, seller: Company) -> dict:
    """What the BR-DE rules ask beyond EN 16931, added to ``data``: of an XRechnung, and of a German
    seller's Peppol BIS invoice to a German buyer (Peppol's DE-R rules are the same): the seller's
    contact, a rate on every VAT breakdown, the buyer's city and post code in a delivery address,
    the Skonto line, a credit note's payment means (settled between the parties)."""
    contact = {"name": seller.contact_name, "phone": seller.contact_phone, "email": seller.email}
    data["BG-4"]["contacts"] = [{k: v for k, v in contact.items() if v}]
    if "BG-13" in data:  # a delivery address is written: the goods went to the buyer's address
        address = {"city": customer.get("city"), "postcode": customer.get("postal_code"),
                   "addr_l1": customer.get("street")}
        data["BG-13"].update({k: str(v) for k, v in address.items() if v})
    for block in data["BG-23"]:  # BR-DE-14: every VAT breakdown has a rate, 0 outside the scope of VAT too
        block.setdefault("BT-119", "0.00")
    if doc.doc_type == "CRN":
        data["BT-81"], data["BT-82"] = SETTLED_BETWEEN_PARTIES
    else:
        terms = doc.early_discount
        days = None if terms is None else (pd.Timestamp(terms[1]) - pd.Timestamp(doc.invoice_date)).days
        data["BT-20"] = germany.payment_terms(data["BT-20"], None if terms is None else (terms[0], int(days or 0)))
    return data


def xrechnung_xml(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict,
                  seller: Company) -> bytes:
    """The XRechnung 3.0 UBL XML of ``doc``, checked against the UBL 2.1 XSD by factur-x."""
    from facturx import generate_xml
    from lxml import etree

    quiet_logs()
    xml = generate_xml(business_terms(doc, lines, totals, customer, seller), flavor="ubl-2.1", level="en16931",
                       check_xsd=True, check_schematron=False)
    root = etree.fromstring(xml)
    cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    customization: Any = root.find(f"{{{cbc}}}CustomizationID")  # factur-x's UBL always has one
    customization.text = germany.XRECHNUNG_CUSTOMIZATION
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

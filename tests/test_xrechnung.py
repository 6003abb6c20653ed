"""Issue 28, Germany: XRechnung 3.0 (UBL) for German public buyers. The Leitweg-ID routes the
customer, is checked at draft time by its MOD 97-10 check digits and becomes BT-10 and BT-49; the
seller's contact, electronic address and account are Config settings whose absence blocks the draft
naming the cell; an early-payment discount is the structured ``#SKONTO#`` line of BT-20.

``invoice --check`` reports the BR-DE rules encoded by otc_xl on any XRechnung; each rule is shown to
fire on a document that breaks it, and — with KoSIT's own Schematron (downloaded at test time from
PyPI, see ``rule_files.py``) — the official rule set is shown to report exactly the same BR-DE ids
on the same documents, and 0 fatal findings on what otc_xl writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from otc_xl.billing.einvoices.check import check_document, check_folder
from otc_xl.billing.germany import leitweg_problem, payment_terms
from otc_xl.billing.routing import choose_format
from otc_xl.model.company import Company
from rule_files import xrechnung_rules
from test_billing import line
from test_einvoice_receivers import BUYERS, SPAIN, documents, only_file

GERMANY = Company("Bauteile GmbH", "DE136695976", "Hauptstraße 5", "10115", "Berlin", "", "DE",
                  "DE02120300000000202051", "BYLADEM1001", registration_id="HRB 12345 B", contact_name="Buchhaltung",
                  contact_phone="+49 30 1234567", email="rechnung@bauteile.de")
LEITWEG = "04011000-1234512345-06"
"""The worked example of KoSIT's Formatspezifikation Leitweg-ID (check digits 06)."""
PUBLIC = {**BUYERS["DE"], "customer_name": "Freie Hansestadt Bremen", "leitweg_id": LEITWEG}
NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
ENCODED = "XRechnung BR-DE (encoded by otc_xl)"
OFFICIAL = "XRechnung (UBL)"


def settings(seller: Company = GERMANY, **changes) -> dict:
    out = {"seller_contact": (seller.contact_name, seller.contact_phone, seller.email),
           "seller_address": (seller.city, seller.postal_code), "seller_iban": seller.iban,
           "seller_einvoice_address": seller.einvoice_address}
    return {**out, **changes}


def xrechnung(rows, buyer=PUBLIC, seller=GERMANY, log=None, **changes) -> tuple[dict, str, bytes]:
    result, [(doc, files)] = documents(rows, buyer, seller, log=log, **settings(seller, **changes))
    assert doc["status"] == "ready", (doc["status"], [p.message for p in result.problems])
    name, data = only_file(files, ".xml")
    return doc, name, data


@pytest.fixture(scope="module")
def official() -> Path:
    return xrechnung_rules()


def ids(report, rule_set: str) -> set[str]:
    return {f.rule for f in report.findings if f.rule_set == rule_set}


# ---------------------------------------------------------------------------- the Leitweg-ID


@pytest.mark.parametrize("value", [LEITWEG, "991-33333TEST-33", "992-90009-96", "09564000-NUE0001-49",
                                   " 99 2-90009-96"])
def test_leitweg_ids_with_right_check_digits_pass(value):
    assert leitweg_problem(value) is None


@pytest.mark.parametrize("value,said", [("04011000-1234512345-07", "check digits"),
                                        ("991-33333TEST-34", "check digits"), ("04011000", "2 check digits"),
                                        ("4-1234-06", "2 to 12 digits"),
                                        ("04011000-12345_2345-06", "letters or digits"), ("", "Leitweg-ID")])
def test_a_wrong_or_malformed_leitweg_id_is_said(value, said):
    assert said in (leitweg_problem(value) or "")


def test_a_customer_with_a_leitweg_id_gets_xrechnung_even_with_a_peppol_id():
    assert choose_format(PUBLIC) == "xrechnung"
    assert choose_format({**PUBLIC, "peppol_id": "9930:DE123456788"}) == "xrechnung"
    assert choose_format({**BUYERS["DE"], "peppol_id": "9930:DE123456788"}) == "ubl"  # no Leitweg-ID: Peppol BIS
    assert choose_format(BUYERS["DE"]) == "facturx"  # a German company: unchanged
    assert choose_format({**BUYERS["DE"], "einvoice_format": "X-Rechnung"}) == "xrechnung"


def test_the_leitweg_id_header_is_read_in_several_languages():
    from otc_xl.model.contracts import CUSTOMERS
    from otc_xl.model.tables import RawTable, parse_table

    for header in ("Leitweg-ID", "Leitweg ID", "Buyer reference", "Käuferreferenz"):
        frame, problems = parse_table(CUSTOMERS, RawTable("Customers", ["Customer ID", "Customer name", header],
                                                          [["C1", "Stadt Bremen", LEITWEG]]))
        assert not [p for p in problems if p.severity == "error"], header
        assert frame.loc[0, "leitweg_id"] == LEITWEG, header


# ---------------------------------------------------------------------------- blocked at draft time


@pytest.mark.parametrize("buyer,cell", [
    ({**PUBLIC, "leitweg_id": "04011000-1234512345-07"}, "Customers leitweg_id"),
    ({**PUBLIC, "leitweg_id": "", "einvoice_format": "xrechnung"}, "Customers leitweg_id"),
    ({**PUBLIC, "city": ""}, "Customers city"),
    ({**PUBLIC, "postal_code": ""}, "Customers postal_code"),
])
def test_a_buyer_record_xrechnung_cannot_do_without_blocks_the_draft_naming_the_cell(buyer, cell):
    result, [(doc, files)] = documents([line("SO-1", 1, "C1", 2, 100.0, "S", 19.0)], buyer, GERMANY, **settings())
    assert doc["status"] == f"blocked: {cell}" and not files and doc["invoice_id"] == ""
    [problem] = [p for p in result.problems if cell.split()[1] in p.message]
    assert problem.sheet == "Customers" and problem.row == 2 and "xrechnung" in problem.message


@pytest.mark.parametrize("changes,cell", [
    ({"seller_contact": ("", "+49 30 1234567", "rechnung@bauteile.de")}, "Config company_contact_name"),
    ({"seller_contact": ("Buchhaltung", "", "rechnung@bauteile.de")}, "Config company_contact_phone"),
    ({"seller_contact": ("Buchhaltung", "-", "rechnung@bauteile.de")}, "Config company_contact_phone"),
    ({"seller_contact": ("Buchhaltung", "+49 30 1234567", "rechnung.bauteile.de")}, "Config company_contact_email"),
    ({"seller_address": ("", "10115")}, "Config company_city"),
    ({"seller_iban": ""}, "Config company_iban"),
    ({"seller_einvoice_address": "rechnung@bauteile.de"}, "Config company_einvoice_address"),
])
def test_a_seller_without_what_xrechnung_needs_is_blocked_naming_the_config_key(changes, cell):
    rows = [line("SO-1", 1, "C1", 2, 100.0, "S", 19.0), line("SO-2", 1, "C1", 1, 10.0, "S", 19.0)]
    result, made = documents(rows, PUBLIC, GERMANY, **settings(**changes))
    assert [d["status"] for d, _ in made] == [f"blocked: {cell}"] * 2
    said = [p for p in result.problems if p.sheet == "Config"]
    assert len(said) == 1 and said[0].message.startswith(cell.split()[1])  # once, not once per draft


def test_a_seller_without_contact_still_invoices_customers_of_other_formats():
    result, [(doc, files)] = documents([line("SO-1", 1, "C1", 2, 100.0, "S", 19.0)], BUYERS["DE"], GERMANY,
                                       **settings(seller_contact=("", "", "")))
    assert doc["status"] == "ready" and doc["format"] == "facturx" and not result.problems


# ---------------------------------------------------------------------------- what is written


def test_the_xrechnung_carries_the_leitweg_id_contact_addresses_and_the_skonto_line():
    buyer = {**PUBLIC, "early_discount_pct": 2.0, "early_discount_days": 14}
    doc, name, data = xrechnung([line("SO-1", 1, "C1", 3, 120.0, "S", 19.0)], buyer)
    assert doc["format"] == "xrechnung" and name == f"{doc['invoice_id']}.xml"
    root = etree.fromstring(data)
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == \
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == LEITWEG
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0204", LEITWEG)
    own = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert (own.get("schemeID"), own.text) == ("EM", "rechnung@bauteile.de")
    contact = root.find("cac:AccountingSupplierParty/cac:Party/cac:Contact", NS)
    assert [contact.findtext(f"cbc:{x}", namespaces=NS) for x in ("Name", "Telephone", "ElectronicMail")] == \
        ["Buchhaltung", "+49 30 1234567", "rechnung@bauteile.de"]
    assert root.findtext("cac:PaymentTerms/cbc:Note", namespaces=NS) == \
        "Zahlbar innerhalb von 30 Tagen bis 30.12.2026; 2 % Skonto bei Zahlung bis 14.12.2026\n" \
        "#SKONTO#TAGE=14#PROZENT=2.00#\n"
    assert root.findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=NS) == "58"
    assert root.findtext("cac:Delivery/cbc:ActualDeliveryDate", namespaces=NS) == "2026-11-30"  # BT-72
    report = check_document(name, data)
    assert ENCODED in report.ran and "BR-FR UBL" not in report.ran
    assert report.findings == []
    # without KoSIT's files the check says so, rather than looking complete (found by a walkthrough)
    assert report.profile == "xrechnung" and [n for n in report.not_run if n.startswith("XRechnung (UBL): the "
                                                                                        "official rule file")]


def test_skonto_lines_follow_the_xrechnung_form():
    assert payment_terms("Zahlbar in 30 Tagen", (2.5, 10)) == "Zahlbar in 30 Tagen\n#SKONTO#TAGE=10#PROZENT=2.50#\n"
    assert payment_terms("Zahlbar in 30 Tagen", None) == "Zahlbar in 30 Tagen"


def test_a_config_electronic_address_is_the_sellers_bt_34():
    _, _, data = xrechnung([line("SO-1", 1, "C1", 1, 10.0, "S", 19.0)],
                           seller=Company(**{**GERMANY.__dict__, "einvoice_address": "9930:DE136695976"}),
                           seller_einvoice_address="9930:DE136695976")
    own = etree.fromstring(data).find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert (own.get("schemeID"), own.text) == ("9930", "DE136695976")


def credit_note() -> tuple[str, bytes]:
    log = pd.DataFrame([{"invoice_id": "FV-2026-00007", "doc_type": "INV", "invoice_date": pd.Timestamp("2026-10-15"),
                         "customer_id": "C1", "order_id": "SO-1", "order_line": 1, "quantity": 2.0}])
    doc, name, data = xrechnung([dict(line("SO-1", 1, "C1", 2, 100.0, "S", 19.0), returned_quantity=1.0)], log=log)
    assert doc["doc_type"] == "CRN"
    return name, data


def test_a_credit_note_says_it_is_settled_between_the_parties_br_de_1():
    name, data = credit_note()
    root = etree.fromstring(data)
    assert root.findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=NS) == "97"  # BR-DE-1
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == LEITWEG
    assert check_document(name, data).findings == []


# ---------------------------------------------------------------------------- the BR-DE rules, rule by rule


def _drop(path):
    def edit(root):
        for node in root.findall(path, NS):
            node.getparent().remove(node)
    return edit


def _set(path, value):
    def edit(root):
        root.find(path, NS).text = value
    return edit


SELLER = "cac:AccountingSupplierParty/cac:Party"
BUYER = "cac:AccountingCustomerParty/cac:Party"
BREAKING = [
    ("BR-DE-1", _drop("cac:PaymentMeans")),
    ("BR-DE-2", _drop(f"{SELLER}/cac:Contact")),
    ("BR-DE-3", _drop(f"{SELLER}/cac:PostalAddress/cbc:CityName")),
    ("BR-DE-4", _drop(f"{SELLER}/cac:PostalAddress/cbc:PostalZone")),
    ("BR-DE-5", _drop(f"{SELLER}/cac:Contact/cbc:Name")),
    ("BR-DE-6 BR-DE-27", _drop(f"{SELLER}/cac:Contact/cbc:Telephone")),  # KoSIT's 27 and 28 fire on a missing
    ("BR-DE-7 BR-DE-28", _drop(f"{SELLER}/cac:Contact/cbc:ElectronicMail")),  # number or address too
    ("BR-DE-8", _drop(f"{BUYER}/cac:PostalAddress/cbc:CityName")),
    ("BR-DE-9", _drop(f"{BUYER}/cac:PostalAddress/cbc:PostalZone")),
    ("BR-DE-14", _drop("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent")),
    ("BR-DE-15", _drop("cbc:BuyerReference")),
    ("BR-DE-16", _drop(f"{SELLER}/cac:PartyTaxScheme")),
    ("BR-DE-18", _set("cac:PaymentTerms/cbc:Note", "Zahlbar in 30 Tagen\n#SKONTO#TAGE=14#PROZENT=2#\n")),
    ("BR-DE-18", _set("cac:PaymentTerms/cbc:Note", "Zahlbar in 30 Tagen\n#SKONTO#TAGE=14#PROZENT=2.00#")),
    ("BR-DE-19", _set("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "DE02120300000000202052")),
    ("BR-DE-21", _set("cbc:CustomizationID", "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_2.3")),
    ("BR-DE-23-a BR-DE-19", _drop("cac:PaymentMeans/cac:PayeeFinancialAccount")),  # 19: no IBAN is no valid one
    ("BR-DE-27", _set(f"{SELLER}/cac:Contact/cbc:Telephone", "tel. zentrale")),
    ("BR-DE-28", _set(f"{SELLER}/cac:Contact/cbc:ElectronicMail", "rechnung@bauteile")),
    ("PEPPOL-EN16931-R010", _drop(f"{BUYER}/cbc:EndpointID")),
    ("PEPPOL-EN16931-R020", _drop(f"{SELLER}/cbc:EndpointID")),
]


@pytest.fixture(scope="module")
def valid() -> bytes:
    buyer = {**PUBLIC, "early_discount_pct": 2.0, "early_discount_days": 14}
    return xrechnung([line("SO-1", 1, "C1", 3, 120.0, "S", 19.0)], buyer)[2]


def broken(valid: bytes, edit) -> bytes:
    root = etree.fromstring(valid)
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("rule,edit", BREAKING, ids=[f"{r.split()[0]}-{k}" for k, (r, _) in enumerate(BREAKING)])
def test_invoice_check_reports_each_br_de_rule_on_a_document_that_breaks_it(valid, rule, edit):
    report = check_document("broken.xml", broken(valid, edit))
    assert ids(report, ENCODED) == set(rule.split())  # that rule alone, among the BR-DE rules


def test_a_delivery_address_without_city_or_post_code_breaks_br_de_10_and_11():
    _, name, data = xrechnung([line("SO-1", 1, "C1", 3, 120.0, "K", 0.0)], seller=SPAIN_CONTACT)
    root = etree.fromstring(data)
    address = root.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS)
    assert address.findtext("cbc:CityName", namespaces=NS) == "Berlin"  # intra-EU: delivered to the buyer's address
    assert ids(check_document(name, data), ENCODED) == set()
    assert ids(check_document("b.xml", broken(data, _drop("cac:Delivery/cac:DeliveryLocation/cac:Address/"
                                                          "cbc:CityName"))), ENCODED) == {"BR-DE-10"}
    assert ids(check_document("b.xml", broken(data, _drop("cac:Delivery/cac:DeliveryLocation/cac:Address/"
                                                          "cbc:PostalZone"))), ENCODED) == {"BR-DE-11"}


def test_check_folder_reports_br_de_on_the_xrechnung_beside_the_book(tmp_path, valid):
    (tmp_path / "FV-2026-00001.xml").write_bytes(broken(valid, _drop(f"{SELLER}/cac:Contact")))
    [report] = check_folder(tmp_path)
    assert [f"{f.rule_set} {f.rule}" for f in report.fatal] == [f"{ENCODED} BR-DE-2"]


def test_invoice_check_reads_the_official_rules_named_by_the_environment(tmp_path, valid, official, monkeypatch):
    """``otc-xl invoice --check`` ran KoSIT's rules only in the tests: the command never read
    OTC_EINVOICE_RULES, which docs/billing.md tells users to set. It does now, and shows the profile."""
    from otc_xl.workflows.billing import check_invoices_job

    (tmp_path / "FV-2026-00001.xml").write_bytes(valid)

    class _Run:
        evidence = type("E", (), {"folders": (tmp_path,)})()
        ledger = type("L", (), {"problems": []})()

    monkeypatch.delenv("OTC_EINVOICE_RULES", raising=False)
    alone = check_invoices_job(_Run()).sheets[0].frame.iloc[0]
    assert alone["format"] == "ubl (xrechnung)" and "KoSIT" not in alone["rule_sets_run"]
    assert "XRechnung (UBL): the official rule file" in alone["not_run"]
    monkeypatch.setenv("OTC_EINVOICE_RULES", str(official))
    ran = check_invoices_job(_Run()).sheets[0].frame.iloc[0]
    assert "XRechnung (UBL)" in ran["rule_sets_run"] and ran["not_run"] == "" and ran["fatal"] == 0


def test_documents_that_are_no_xrechnung_are_not_held_to_br_de():
    _, [(doc, files)] = documents([line("SO-1", 1, "C1", 1, 10.0, "K", 0.0)], BUYERS["BE"], SPAIN)
    name, data = only_file(files, ".xml")
    report = check_document(name, data)
    assert doc["format"] == "ubl" and ENCODED not in report.ran and report.findings == []


# ---------------------------------------------------------------------------- KoSIT's own Schematron


SPAIN_CONTACT = Company(**{**SPAIN.__dict__, "contact_name": "Facturación", "contact_phone": "+34 91 123 45 67",
                           "email": "facturas@iberia-components.es"})


@pytest.mark.parametrize("rule,edit", BREAKING, ids=[f"{r.split()[0]}-{k}" for k, (r, _) in enumerate(BREAKING)])
def test_kosits_schematron_reports_the_same_br_de_ids_as_the_encoded_rules(official, valid, rule, edit):
    report = check_document("broken.xml", broken(valid, edit), official)
    assert OFFICIAL in report.ran
    known = {r for rules, _ in BREAKING for r in rules.split()} | {"BR-DE-10", "BR-DE-11"}
    assert ids(report, OFFICIAL) & known == ids(report, ENCODED) == set(rule.split())


@pytest.mark.parametrize("case", ["discount", "intra-EU", "outside scope", "four decimals", "credit note"])
def test_what_otc_xl_writes_passes_kosits_schematron_with_no_finding(official, case):
    if case == "credit note":
        name, data = credit_note()
    else:
        rows, buyer, seller = {
            "discount": ([line("SO-1", 1, "C1", 3, 120.0, "S", 19.0)],
                         {**PUBLIC, "early_discount_pct": 3.0, "early_discount_days": 10}, GERMANY),
            "intra-EU": ([line("SO-1", 1, "C1", 3, 120.0, "K", 0.0)], PUBLIC, SPAIN_CONTACT),
            "outside scope": ([line("SO-1", 1, "C1", 2, 50.0, "O", 0.0)], PUBLIC, GERMANY),
            "four decimals": ([line("SO-1", 1, "C1", 1234, 10.3333, "S", 7.0, discount=2.5),
                               line("SO-1", 2, "C1", 1, 5.0, "S", 19.0)], PUBLIC, GERMANY),
        }[case]
        _, name, data = xrechnung(rows, buyer, seller)
    report = check_document(name, data, official)
    assert {OFFICIAL, ENCODED, "EN 16931 UBL (CEN)"} <= set(report.ran) and not report.not_run
    assert [f.line() for f in report.findings] == []  # not a fatal finding, nor a warning

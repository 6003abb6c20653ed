"""Refunds: proposals, the SEPA credit-transfer file (valid against the official XSD, totals equal to
what was approved), never paying twice, and the letter asking for bank details."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sepaxml
import xmlschema
from defusedxml.ElementTree import parse as safe_parse

from builders import INVOICE_HEADERS, invoice
from otc_xl.collecting.refunds import CHOOSE, NO_BANK, READY, refund_id, refund_proposals
from test_cli import run
from test_collections_cli import table_rows

XSD = Path(sepaxml.__file__).parent / "schemas"
AS_OF = dt.date(2026, 11, 30)
IBAN_ES = "ES9121000418450200051332"
IBAN_DE = "DE89370400440532013000"
IBAN_IT = "IT60X0542811101000000123456"


def left_row(credit, customer, amount, currency="EUR"):
    return {"credit_id": credit, "customer_id": customer, "currency": currency, "credit_open": -amount,
            "allocated": 0.0, "left": -amount}


def ledger_row(invoice_id, customer, open_amount, date, currency="EUR", dispute=""):
    return invoice(invoice_id, customer, pd.Timestamp(date) + pd.Timedelta(days=30), open_amount, issued=date,
                   currency=currency, dispute_code=dispute)


def test_proposal_statuses_cover_every_case():
    left = pd.DataFrame([left_row("CR1", "C1", 10.00), left_row("CR2", "C2", 20.00), left_row("CR3", "C3", 30.00),
                         left_row("CR4", "C4", 40.00), left_row("CR5", "C5", 50.00, "USD"),
                         left_row("CR6", "C6", 60.00), left_row("CR7", "C7", 70.00), left_row("CR8", "C8", 80.00),
                         left_row("CR9", "C1", 90.00), {**left_row("CR10", "C1", 0.0), "left": 0.0}])
    ledger = pd.DataFrame([ledger_row(f"CR{i}", f"C{i}", -10.0 * i, "2026-09-01") for i in range(1, 9)]
                          + [ledger_row("CR9", "C1", -90.0, "2026-11-20"),  # 10 days old: too young
                             ledger_row("INV-6", "C6", 5.0, "2026-09-01", dispute="PRICING")])
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(1, 9)],
                              "customer_name": [f"Name {i}" for i in range(1, 9)],
                              "iban": [IBAN_ES, "", f"{IBAN_DE}; {IBAN_IT}", "ES0000000000000000000000", IBAN_ES,
                                       IBAN_ES, IBAN_ES, IBAN_ES],
                              "parent_id": [""] * 8})
    approvals = pd.DataFrame({"refund_id": ["RFD-CR3", "RFD-CR8", "RFD-CR1"], "amount": [30.00, 80.00, 10.00],
                              "iban": [IBAN_IT, "XX12", ""], "approved": ["yes", "yes", "sí"],
                              "approved_by": ["Ana", "Ana", "Marta"]})
    out = refund_proposals(left, ledger, customers, AS_OF, 30, approvals, refunded={"CR7"},
                           held={"C4": "held: handed over to legal"}).set_index("credit_id")
    assert set(out.index) == {"CR1", "CR2", "CR3", "CR4", "CR5", "CR6", "CR8"}  # CR7 refunded, CR9 young, CR10 used
    assert out.loc["CR1", ["iban", "status", "approved", "approved_by"]].tolist() == [IBAN_ES, READY, "sí", "Marta"]
    assert out.loc["CR2", "status"] == NO_BANK
    assert (out.loc["CR3", "iban"], out.loc["CR3", "status"]) == (IBAN_IT, READY)  # typed IBAN chosen of two
    assert out.loc["CR4", "status"] == "held: handed over to legal"
    assert out.loc["CR5", "status"].startswith("not EUR")
    assert out.loc["CR6", "status"] == "held: dispute open on INV-6"
    assert out.loc["CR8", "status"].startswith("IBAN not valid")
    assert out.loc["CR1", "bic"] == "CAIXESBB"  # schwifty's bank registry
    two = refund_proposals(left.iloc[[2]], ledger, customers, AS_OF, 30)
    assert two["status"].iloc[0].startswith(CHOOSE) and two["iban"].iloc[0] == ""
    # an approval typed for another amount is dropped
    changed = approvals.assign(amount=[30.00, 80.00, 9.99])
    again = refund_proposals(left, ledger, customers, AS_OF, 30, changed).set_index("credit_id")
    assert again.loc["CR1", "approved"] == ""


def test_refund_id_fits_the_sepa_end_to_end_id():
    assert refund_id("CN-2026-00441") == "RFD-CN-2026-00441"
    long = refund_id("X" * 40)
    assert len(long) == 35 and long.startswith("RFD-") and long == refund_id("X" * 40)
    assert refund_id("Abono-Ñ") != refund_id("Abono-N") and refund_id("Abono-Ñ").isascii()


# ------------------------------------------------------------------ through the command

def refund_book(path: Path, version: str = "pain.001.001.09", company_iban: str = IBAN_ES) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Invoices"
    ws.append(INVOICE_HEADERS)
    ws.append(["INV-1", "C1", "Uno", dt.date(2026, 8, 1), dt.date(2026, 8, 31), "EUR", 100.0, 60.0, ""])
    ws.append(["CRN-1", "C1", "Uno", dt.date(2026, 9, 1), dt.date(2026, 9, 1), "EUR", -100.0, -100.0, "INV-1"])
    ws.append(["CRN-2", "C2", "Due", dt.date(2026, 9, 2), dt.date(2026, 9, 2), "EUR", -25.5, -25.5, ""])
    ws.append(["CRN-3", "C3", "Trois", dt.date(2026, 9, 3), dt.date(2026, 9, 3), "EUR", -12.34, -12.34, ""])
    ws.append(["CRN-4", "C4", "Vier", dt.date(2026, 11, 25), dt.date(2026, 11, 25), "EUR", -7.0, -7.0, ""])
    customers = book.create_sheet("Customers")
    customers.append(["Customer No.", "Customer name", "IBAN", "Language", "E-mail"])
    customers.append(["C1", "Uno S.L.", IBAN_ES, "es", "uno@example.es"])
    customers.append(["C2", "Due S.p.A.", IBAN_IT, "it", "due@example.it"])
    customers.append(["C3", "Trois SARL", "", "fr", "trois@example.fr"])
    customers.append(["C4", "Vier GmbH", IBAN_DE, "de", "vier@example.de"])
    config = book.create_sheet("Config")
    for key, value in (("as_of", "30/11/2026"), ("company_name", "Acme Ibérica S.L."),
                       ("company_iban", company_iban), ("company_bic", "CAIXESBBXXX"), ("sepa_version", version)):
        config.append([key, value])
    book.save(path)
    return path


def approve(path: Path, refund: str, by: str = "Marta", iban: str | None = None) -> None:
    book = openpyxl.load_workbook(path)
    ws = book["Refunds"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == refund:
            row[header.index("approved")].value = "yes"
            row[header.index("approved_by")].value = by
            if iban is not None:
                row[header.index("iban")].value = iban
    book.save(path)


def pain_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xml"))


def end_to_end(path: Path) -> dict[str, str]:
    root = safe_parse(str(path)).getroot()
    ns = root.tag.split("}")[0] + "}"
    return {tx.find(f"{ns}PmtId/{ns}EndToEndId").text: tx.find(f"{ns}Amt/{ns}InstdAmt").text
            for tx in root.iter(f"{ns}CdtTrfTxInf")}


@pytest.mark.parametrize("version", ["pain.001.001.09", "pain.001.001.03"])
def test_approved_refunds_make_one_valid_file_and_are_never_paid_twice(tmp_path, version):
    book = refund_book(tmp_path / "book.xlsx", version)
    files = tmp_path / "files"
    first = run("refunds", book, "--files", files)
    assert first.exit_code == 0, first.output
    proposals = {r["credit_id"]: r for r in table_rows(book, "Refunds")}
    # CRN-1 gives 60.00 to INV-1 (allocation) and only its 40.00 left is proposed; CRN-4 is too young
    assert {k: (v["amount"], v["status"]) for k, v in proposals.items()} == {
        "CRN-1": (40.0, READY), "CRN-2": (25.5, READY), "CRN-3": (12.34, NO_BANK)}
    assert pain_files(files) == []
    # one letter asks Trois SARL for its bank details, in French
    letters = table_rows(book, "RefundLetters")
    assert [(r["customer_id"], r["language"]) for r in letters] == [("C3", "fr")]
    assert "coordonnées bancaires" in (files / letters[0]["letter"]).read_text(encoding="utf-8")

    approve(book, "RFD-CRN-1")
    approve(book, "RFD-CRN-2", iban=IBAN_DE)  # the IBAN typed on the sheet wins over the one on file
    approve(book, "RFD-CRN-3")  # approved but no bank details: not paid, and said so
    second = run("refunds", book, "--files", files)
    assert second.exit_code == 0, second.output
    assert "refund RFD-CRN-3 is approved but was not paid: no bank details" in second.output
    [xml] = pain_files(files)
    xmlschema.XMLSchema(str(XSD / f"{version}.xsd")).validate(str(xml))  # the official schema, independently
    assert end_to_end(xml) == {"RFD-CRN-1": "40.00", "RFD-CRN-2": "25.50"}
    root = safe_parse(str(xml)).getroot()
    ns = root.tag.split("}")[0] + "}"
    assert root.find(f"{ns}CstmrCdtTrfInitn/{ns}GrpHdr/{ns}CtrlSum").text == "65.50"
    assert [i.text for i in root.iter(f"{ns}IBAN")] == [IBAN_ES, IBAN_ES, IBAN_DE]  # payer, then the payees
    log = table_rows(book, "RefundLog")
    assert [(r["refund_id"], r["amount"], r["iban"], r["batch"] + ".xml", r["status"]) for r in log] == [
        ("RFD-CRN-1", 40.0, IBAN_ES, xml.name, "awaiting ERP"), ("RFD-CRN-2", 25.5, IBAN_DE, xml.name, "awaiting ERP")]
    assert [r["credit_id"] for r in table_rows(book, "Refunds")] == ["CRN-3"]

    digest = hashlib.sha256(xml.read_bytes()).hexdigest()
    third = run("refunds", book, "--files", files)
    assert third.exit_code == 0 and len(pain_files(files)) == 1
    assert hashlib.sha256(xml.read_bytes()).hexdigest() == digest
    assert len(table_rows(book, "RefundLog")) == 2
    # the refunded credits are off the open items until the ERP shows it: nothing allocates them either
    assert run("credits", book).exit_code == 0
    assert [(r["allocation_id"], r["amount"]) for r in table_rows(book, "CreditAllocations")] == [("CRN-1>INV-1", 60.0)]
    kept = {r["credit_id"]: (r["credit_open"], r["left"]) for r in table_rows(book, "CreditsLeft")}
    assert kept["CRN-1"] == (-60.0, 0.0) and "CRN-2" not in kept  # 40.00 refunded; CRN-2 wholly refunded


def test_the_files_already_issued_stop_a_second_payment_when_the_book_was_not_saved(tmp_path):
    book = refund_book(tmp_path / "book.xlsx")
    files = tmp_path / "files"
    assert run("refunds", book, "--files", files).exit_code == 0
    approve(book, "RFD-CRN-2")
    unsaved = tmp_path / "unsaved.xlsx"
    unsaved.write_bytes(book.read_bytes())  # the book as it was before the refunds ran
    assert run("refunds", book, "--files", files).exit_code == 0
    assert len(pain_files(files)) == 1
    again = run("refunds", unsaved, "--files", files)  # RefundLog lost with the unsaved book
    assert again.exit_code == 0, again.output
    assert len(pain_files(files)) == 1
    row = next(r for r in table_rows(unsaved, "Refunds") if r["refund_id"] == "RFD-CRN-2")
    assert row["status"].startswith("already in OTC-RFD-") and "not paid again" in row["status"]


def test_missing_company_iban_refuses_with_nothing_written(tmp_path):
    book = refund_book(tmp_path / "book.xlsx", company_iban="")
    files = tmp_path / "files"
    assert run("refunds", book, "--files", files).exit_code == 0  # nothing approved yet: nothing to pay
    approve(book, "RFD-CRN-1")
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    result = run("refunds", book, "--files", files)
    assert result.exit_code == 1
    assert "company_iban must be set to pay refunds" in result.output and "nothing was written" in result.output
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before and pain_files(files) == []


def test_a_bad_company_iban_in_config_names_the_cell(tmp_path):
    book = refund_book(tmp_path / "book.xlsx", company_iban="ES91 2100 0418 4502 0005 1333")
    result = run("refunds", book, "--files", tmp_path / "files")
    assert result.exit_code == 1
    assert "Config" in result.output and "company_iban" in result.output and "not a valid IBAN" in result.output
    assert os.path.exists(book)

"""Direct debits for payment plans: pain.008 files valid against the official XSD, totals equal to
the approved instalments, FRST then RCUR, never collected twice, and bad mandates named by cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import sepaxml
import xmlschema
from defusedxml.ElementTree import parse as safe_parse

from test_cli import run
from test_collections_cli import table_rows
from test_refunds import IBAN_DE, IBAN_ES, refund_book

XSD = Path(sepaxml.__file__).parent / "schemas"


def debit_book(path: Path, version: str = "pain.008.001.08") -> Path:
    refund_book(path)
    wb = openpyxl.load_workbook(path)
    cfg = wb["Config"]
    cfg.append(["sepa_creditor_id", "ES09ZZZA28000000"])
    cfg.append(["debit_version", version])
    cfg.append(["debit_lead_days", "10"])
    wb.save(path)
    return path


def approve_all(path: Path, but: tuple[str, ...] = ()) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["PaymentPlans"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value and f"{row[0].value}#{row[header.index('instalment')].value}" not in but:
            row[header.index("approved")].value = "yes"
    wb.save(path)


def debits_in(folder: Path) -> list[tuple[str, str, str, str]]:
    out = []
    for xml in sorted(folder.glob("*.xml")):
        root = safe_parse(str(xml)).getroot()
        ns = root.tag.split("}")[0] + "}"
        for info in root.iter(f"{ns}PmtInf"):
            sequence = info.find(f"{ns}PmtTpInf/{ns}SeqTp").text
            for tx in info.iter(f"{ns}DrctDbtTxInf"):
                out.append((tx.find(f"{ns}PmtId/{ns}EndToEndId").text, tx.find(f"{ns}InstdAmt").text, sequence,
                            tx.find(f"{ns}DrctDbtTx/{ns}MndtRltdInf/{ns}MndtId").text))
    return out


def test_plan_into_the_book_then_collect_each_instalment_once(tmp_path):
    for version in ("pain.008.001.08", "pain.008.001.02"):
        book = debit_book(tmp_path / f"{version}.xlsx", version)
        added = run("plan", "1.000,00", "-n", "3", "--first", "03/12/2026", "--every-days", "5", "--into", book,
                    "--customer", "C1", "--mandate", "MNDT-C1-001", "--mandate-date", "15/01/2026", "--iban", IBAN_ES)
        assert added.exit_code == 0, added.output
        assert run("plan", "200", "-n", "2", "--first", "04/12/2026", "--into", book, "--customer", "C2").exit_code == 0
        plans = table_rows(book, "PaymentPlans")
        assert [(r["plan_id"], r["instalment"], r["amount"]) for r in plans] == [
            ("PLAN-C1-20261203", 1, 333.33), ("PLAN-C1-20261203", 2, 333.33), ("PLAN-C1-20261203", 3, 333.34),
            ("PLAN-C2-20261204", 1, 100.0), ("PLAN-C2-20261204", 2, 100.0)]
        again = run("plan", "1.000,00", "-n", "3", "--first", "03/12/2026", "--into", book, "--customer", "C1")
        assert again.exit_code == 1 and "already in" in again.output  # a plan id is never used twice
        files = tmp_path / version
        nothing = run("debits", book, "--files", files)
        assert nothing.exit_code == 0 and not list(files.glob("*.xml"))  # nothing approved: nothing collected
        approve_all(book)
        first = run("debits", book, "--files", files)
        assert first.exit_code == 0, first.output
        # C2's plan has no mandate: approved but not collected, and the cell is named
        assert "PaymentPlans!G5" in first.output and "no mandate" in first.output
        xmls = sorted(files.glob("*.xml"))
        assert len(xmls) == 2  # 3 and 8 December; the 13 December instalment is beyond the 10 days
        for xml in xmls:
            xmlschema.XMLSchema(str(XSD / f"{version}.xsd")).validate(str(xml))
        assert sorted(debits_in(files)) == [("DD-PLAN-C1-20261203-1", "333.33", "FRST", "MNDT-C1-001"),
                                            ("DD-PLAN-C1-20261203-2", "333.33", "RCUR", "MNDT-C1-001")]
        log = table_rows(book, "DebitLog")
        assert [(r["debit_id"], r["amount"], r["sequence"]) for r in log] == [
            ("DD-PLAN-C1-20261203-1", 333.33, "FRST"), ("DD-PLAN-C1-20261203-2", 333.33, "RCUR")]
        repeat = run("debits", book, "--files", files)
        assert repeat.exit_code == 0 and len(list(files.glob("*.xml"))) == 2 and len(table_rows(book, "DebitLog")) == 2
        later = run("debits", book, "--files", files, "--as-of", "05/12/2026")
        assert later.exit_code == 0
        assert [d[0] for d in debits_in(files)].count("DD-PLAN-C1-20261203-3") == 1
        assert table_rows(book, "DebitLog")[-1]["sequence"] == "RCUR"


def test_a_mandate_without_date_is_named_and_nothing_is_collected(tmp_path):
    book = debit_book(tmp_path / "book.xlsx")
    assert run("plan", "90", "-n", "1", "--first", "02/12/2026", "--into", book, "--customer", "C4",
               "--mandate", "M-4", "--iban", IBAN_DE).exit_code == 0
    approve_all(book)
    result = run("debits", book, "--files", tmp_path / "files")
    assert result.exit_code == 0
    assert "PaymentPlans!H2" in result.output and "mandate without date" in result.output
    assert not list((tmp_path / "files").glob("*.xml")) and table_rows(book, "DebitLog") == []


def test_missing_creditor_id_refuses_everything(tmp_path):
    book = refund_book(tmp_path / "book.xlsx")
    assert run("plan", "90", "-n", "1", "--first", "02/12/2026", "--into", book, "--customer", "C1",
               "--mandate", "M-1", "--mandate-date", "01/02/2026", "--iban", IBAN_ES).exit_code == 0
    approve_all(book)
    result = run("debits", book, "--files", tmp_path / "files")
    assert result.exit_code == 1 and "sepa_creditor_id must be set" in result.output
    assert not (tmp_path / "files").exists()

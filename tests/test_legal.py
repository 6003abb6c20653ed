"""Legal hand-over and insolvency: who goes to the legal list, what it blocks, the case file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.worksheet.table import Table

import builders
from builders import INVOICE_HEADERS, customer, invoice
from otc_xl.collecting.legal import blocked_customers, blocked_items, case_file, legal_cases, uncollectable_items
from otc_xl.collecting.writeoffs import writeoff_proposals
from test_cli import run
from test_collections_cli import table_rows

AS_OF = dt.date(2026, 11, 30)


def item(invoice_id, customer, open_amount, due, dispute="", **columns):
    return invoice(invoice_id, customer, due, open_amount, customer_name=f"Name {customer}", dispute_code=dispute,
                   **columns)


def history(*rows):
    return pd.DataFrame([{"dunned_on": pd.Timestamp(d), "customer_id": c, "invoice_id": i, "level": lv,
                          "currency": "EUR", "open_amount": 1.0, "fee": 0.0, "interest": 0.0} for d, c, i, lv in rows])


def test_who_is_handed_over_and_what_stays():
    invoices = builders.invoices(
        item("A1", "C1", 100.0, "2026-05-01"),                     # dunned at level 4, 213 days: handed over
        item("A2", "C1", 50.0, "2026-10-01"),                      # level 4 but only 60 days overdue
        item("A3", "C1", 70.0, "2026-05-01", dispute="PRICING"),   # disputed: stays with the collector
        item("B1", "C2", 10.0, "2026-11-20", dispute="QUANTITY"),  # insolvent customer: everything, disputed too
        item("B2", "C2", 20.0, "2027-01-31"),                      # not even due
        item("B3", "C2", -5.0, "2026-10-01"),                      # a credit is not a claim
        item("D1", "C3", 80.0, "2026-04-01"))                      # dunned only to level 3
    customers = builders.customers(customer("C1", "Uno"), customer("C2", "Due", insolvency="concurso de acreedores"),
                                   customer("C3", "Tre"))
    dunned = history(("2026-09-01", "C1", "A1", 4), ("2026-11-01", "C1", "A2", 4), ("2026-09-01", "C1", "A3", 4),
                     ("2026-09-01", "C3", "D1", 3))
    cases = legal_cases(invoices, customers, AS_OF, dunned, last_level=4, min_days=120)
    assert cases[["case_id", "invoice_id", "handed_over_amount", "status"]].values.tolist() == [
        ["LGL-C1", "A1", 100.0, "open"], ["LGL-C2", "B1", 10.0, "open"], ["LGL-C2", "B2", 20.0, "open"]]
    assert cases.set_index("invoice_id").loc["B1", "reason"] == "customer insolvency: concurso de acreedores"
    # the next run keeps the record and the status typed; a paid item shows 0 open; a returned one unblocks
    typed = cases.assign(status=["con abogado", "returned", "open"], note=["Bufete Ruiz", "", ""])
    paid = invoices.assign(open_amount=invoices["open_amount"].where(invoices["invoice_id"] != "B2", 0.0))
    again = legal_cases(paid, customers, AS_OF + dt.timedelta(days=1), dunned, 4, 120, typed)
    assert again[["invoice_id", "open_amount", "status", "note"]].values.tolist() == [
        ["A1", 100.0, "con abogado", "Bufete Ruiz"], ["B1", 10.0, "returned", ""], ["B2", 0.0, "open", ""]]
    assert sorted(blocked_items(again).index) == ["A1", "B2"]
    assert blocked_customers(again) == {"C1": "held: legal case LGL-C1", "C2": "held: legal case LGL-C2"}


def test_the_case_file_lists_the_disputed_items_with_their_notes():
    invoices = builders.invoices(item("A1", "C1", 100.0, "2026-05-01"),
                                 item("A2", "C1", 70.0, "2026-06-01", dispute="DAMAGED",
                                      notes="Two pallets damaged on arrival"))
    cases = legal_cases(invoices, builders.customers(customer("C1", "Uno", address="Calle Mayor 1; Madrid")), AS_OF,
                        history(("2026-09-01", "C1", "A1", 4)), last_level=4, min_days=120)
    frames = case_file("LGL-C1", cases, invoices, builders.customers(customer("C1", "Uno")), history(),
                       pd.DataFrame(columns=["customer_id"]), AS_OF)
    assert frames["Disputes"][["invoice_id", "dispute_code", "notes"]].values.tolist() == [
        ["A2", "DAMAGED", "Two pallets damaged on arrival"]]


def test_an_uncollectable_outcome_goes_through_the_write_off_approvals():
    invoices = builders.invoices(item("A1", "C1", 1_000.0, "2026-05-01"), item("A2", "C1", 3.0, "2026-05-01"))
    cases = pd.DataFrame({"case_id": ["LGL-C1"], "customer_id": ["C1"], "invoice_id": ["A1"], "status": ["Incobrable"],
                          "open_amount": [1_000.0]})
    extra = uncollectable_items(cases)
    proposals = writeoff_proposals(invoices, AS_OF, threshold=5.0, extra=extra)
    assert proposals[["invoice_id", "open_amount", "reason"]].values.tolist() == [
        ["A1", 1_000.0, "legal outcome uncollectable (LGL-C1)"]]  # A2 was never part paid: not a residual


# ------------------------------------------------------------------ through the commands

def legal_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Invoices"
    ws.append(INVOICE_HEADERS)
    ws.append(["INV-1", "C1", "Uno", dt.date(2026, 4, 1), dt.date(2026, 5, 1), "EUR", 1_200.0, 1_200.0, ""])
    ws.append(["INV-2", "C1", "Uno", dt.date(2026, 9, 1), dt.date(2026, 10, 1), "EUR", 300.0, 300.0, ""])
    ws.append(["INV-3", "C2", "Due", dt.date(2026, 9, 1), dt.date(2026, 10, 1), "EUR", 450.0, 450.0, ""])
    ws.append(["INV-4", "C3", "Tre", dt.date(2026, 9, 1), dt.date(2026, 10, 1), "EUR", 99.0, 99.0, ""])
    customers = book.create_sheet("Customers")
    customers.append(["Customer No.", "Customer name", "Insolvency", "Language", "E-mail", "Address"])
    customers.append(["C1", "Uno S.L.", "", "es", "uno@example.es", "Calle Mayor 1; 28001 Madrid"])
    customers.append(["C2", "Due S.p.A.", "procedura concorsuale", "it", "due@example.it", "Via Roma 2; Milano"])
    customers.append(["C3", "Tre SAS", "", "fr", "tre@example.fr", "1 rue de Paris"])
    hist = book.create_sheet("DunningHistory")
    hist.append(["dunned_on", "customer_id", "invoice_id", "level", "currency", "open_amount", "fee", "interest"])
    for on, level in ((dt.date(2026, 6, 1), 1), (dt.date(2026, 6, 15), 2), (dt.date(2026, 7, 1), 3),
                      (dt.date(2026, 8, 1), 4)):
        hist.append([on, "C1", "INV-1", level, "EUR", 1_200.0, 0.0, 0.0])
    hist.add_table(Table(displayName="tblDunningHistory", ref=hist.dimensions))  # as otc_xl wrote it
    config = book.create_sheet("Config")
    config.append(["as_of", "30/11/2026"])
    book.save(path)
    return path


def test_legal_blocks_dunning_and_calls_in_the_next_runs_and_writes_the_case_file(tmp_path):
    book = legal_book(tmp_path / "book.xlsx")
    files = tmp_path / "files"
    result = run("legal", book, "--files", files)
    assert result.exit_code == 0, result.output
    cases = table_rows(book, "LegalCases")
    assert [(r["case_id"], r["invoice_id"], r["handed_over_amount"]) for r in cases] == [
        ("LGL-C1", "INV-1", 1_200.0), ("LGL-C2", "INV-3", 450.0)]
    assert run("dunning", book, "--files", files).exit_code == 0
    items = {r["invoice_id"]: r for r in table_rows(book, "DunningItems")}
    assert items["INV-1"]["status"] == "excluded" and items["INV-1"]["reason"] == "in legal case LGL-C1 (open)"
    assert items["INV-3"]["reason"] == "in legal case LGL-C2 (open)"
    assert items["INV-2"]["status"] == "dunned" and items["INV-4"]["status"] == "dunned"
    assert {r["customer_id"] for r in table_rows(book, "Letters")} == {"C1", "C3"}  # C1 still for INV-2
    assert run("worklist", book).exit_code == 0
    assert {r["customer_id"] for r in table_rows(book, "Worklist")} == {"C3"}  # no calls to legal customers

    case_file = openpyxl.load_workbook(files / "LGL-C1_case_file.xlsx")
    assert case_file.sheetnames == ["Case", "Items", "Statement", "Letters", "Contacts", "Disputes"]
    summary = {r[0]: r[1] for r in case_file["Case"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert summary["name"] == "Uno S.L." and summary["handed over EUR"] == "1,200.00"
    assert summary["address"] == "Calle Mayor 1, 28001 Madrid" and summary["dunning notices sent"] == "4"
    letters = [r for r in case_file["Letters"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert [(r[0].date(), r[2]) for r in letters] == [(dt.date(2026, 6, 1), 1), (dt.date(2026, 6, 15), 2),
                                                      (dt.date(2026, 7, 1), 3), (dt.date(2026, 8, 1), 4)]
    statement = [r[0] for r in case_file["Statement"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert statement == ["INV-1", "INV-2"]

    # typed statuses are kept; returned goes back to dunning; the second run hands nothing over twice
    wb = openpyxl.load_workbook(book)
    ws = wb["LegalCases"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("invoice_id")].value == "INV-3":
            row[header.index("status")].value = "restituito"
    wb.save(book)
    assert run("legal", book, "--files", files).exit_code == 0
    again = table_rows(book, "LegalCases")
    assert [(r["invoice_id"], r["status"]) for r in again] == [("INV-1", "open"), ("INV-3", "restituito")]
    assert run("dunning", book, "--files", files, "--as-of", "08/12/2026").exit_code == 0
    items = {r["invoice_id"]: r for r in table_rows(book, "DunningItems")}
    assert items["INV-3"]["status"] == "dunned" and items["INV-1"]["status"] == "excluded"

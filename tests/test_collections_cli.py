"""Collections through the doors users touch: otc-xl commands on workbooks and the Excel buttons."""

import datetime as dt
import email
import re
from email import policy

import openpyxl
import pytest

from otc_xl.excel import buttons
from test_cli import run
from test_excel import actions, remote


def table_rows(path, sheet):
    book = openpyxl.load_workbook(path, read_only=True)  # reads only this sheet: half the time of a full load
    try:
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    header = [h for h in rows[0] if h is not None]  # notes may stand to the right of the table
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r[:len(header)])]


def test_dunning_twice_same_day_records_once_then_escalates(demo_copy, tmp_path):
    files = tmp_path / "letters"
    first = run("dunning", demo_copy, "--files", files)
    assert first.exit_code == 0, first.output
    history = table_rows(demo_copy, "DunningHistory")
    today = [r for r in history if r["dunned_on"] == dt.datetime(2026, 11, 30)]
    notices = [r for r in table_rows(demo_copy, "Dunning") if r["status"] == "notice"]
    assert notices and {r["customer_id"] for r in today} == {r["customer_id"] for r in notices}
    assert len(list(files.glob("*.eml"))) == len(notices) == len(table_rows(demo_copy, "Letters"))
    assert run("dunning", demo_copy, "--files", files).exit_code == 0
    assert table_rows(demo_copy, "DunningHistory") == history  # same day again: nothing recorded twice
    later = run("dunning", demo_copy, "--as-of", "21/12/2026", "--files", tmp_path / "later")
    assert later.exit_code == 0, later.output
    rows = table_rows(demo_copy, "Dunning")
    escalated = [r for r in rows
                 if r["status"] == "notice" and r["previous_level"] and r["level"] > r["previous_level"]]
    assert escalated and all(r["level"] == r["previous_level"] + 1 for r in escalated if r["previous_level"] < 4)
    assert all(r["level"] <= 4 for r in rows)


def test_dunning_letter_files_parse(demo_copy, tmp_path):
    assert run("dunning", demo_copy, "--files", tmp_path).exit_code == 0
    for listing in table_rows(demo_copy, "Letters"):
        message = email.message_from_bytes((tmp_path / listing["email"]).read_bytes(), policy=policy.default)
        assert message["Subject"] == listing["subject"] and message["Content-Language"] == listing["language"]
        assert (tmp_path / listing["letter"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_statement_for_one_customer_and_unknown_customer(demo_copy, tmp_path):
    result = run("statement", demo_copy, "--customer", "C10002", "--files", tmp_path)
    assert result.exit_code == 0, result.output
    lines = table_rows(demo_copy, "Statement")
    assert {r["customer_id"] for r in lines} == {"C10002"}
    assert {p.name for p in tmp_path.glob("*.html")} == {f"C10002_{r['currency']}_statement.html" for r in lines}
    assert "Extracto de cuenta" in (tmp_path / "C10002_EUR_statement.html").read_text(encoding="utf-8")
    bad = run("statement", demo_copy, "--customer", "C99999", "--files", tmp_path)
    assert bad.exit_code == 1 and "customer 'C99999' is not in Customers or Invoices" in bad.output


def test_worklist_outcomes_are_read_back_and_kept(demo_copy):
    assert run("worklist", demo_copy).exit_code == 0
    book = openpyxl.load_workbook(demo_copy)
    ws = book["Worklist"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in ("customer_id", "currency", "outcome", "promise_date",
                                                     "promise_amount", "note")}
    customer, currency = ws.cell(2, col["customer_id"]).value, ws.cell(2, col["currency"]).value
    ws.cell(2, col["outcome"]).value = "promised"
    ws.cell(2, col["promise_date"]).value = dt.date(2026, 12, 4)
    ws.cell(2, col["promise_amount"]).value = 999_999  # more than the customer has paid since: the promise stays open
    ws.cell(2, col["note"]).value = "=HYPERLINK(\"http://x\")"
    ws.cell(2, col["note"]).data_type = "s"
    book.save(demo_copy)
    before = len(table_rows(demo_copy, "ContactLog"))
    result = run("worklist", demo_copy)
    assert result.exit_code == 0, result.output
    log = table_rows(demo_copy, "ContactLog")
    assert len(log) == before + 1
    filed = log[-1]
    assert (filed["customer_id"], filed["promise_amount"], filed["promise_status"]) == (customer, 999_999, "open")
    note = openpyxl.load_workbook(demo_copy)["ContactLog"].cell(len(log) + 1, 7)
    assert note.value == '=HYPERLINK("http://x")' and note.data_type == "s"  # text, never a formula
    calls = {(r["customer_id"], r["currency"]) for r in table_rows(demo_copy, "Worklist")}
    assert (customer, currency) not in calls  # waits for its promise; its calls in other currencies do not
    assert run("worklist", demo_copy).exit_code == 0
    assert len(table_rows(demo_copy, "ContactLog")) == before + 1  # filed once


def approve_first_row(book_path, sheet: str, approved: str, by: str):
    """Type an approval in the first row of one of otc_xl's proposal sheets, as a user would; return
    that row's key (first column)."""
    book = openpyxl.load_workbook(book_path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("approved") + 1).value = approved
    ws.cell(2, header.index("approved_by") + 1).value = by
    book.save(book_path)
    return ws.cell(2, 1).value


def test_writeoff_approvals_survive_a_refresh(demo_copy):
    assert run("disputes", demo_copy).exit_code == 0
    invoice = approve_first_row(demo_copy, "WriteOffs", "sí", "Marta")
    result = run("disputes", demo_copy)
    assert result.exit_code == 0 and "(1 approved)" in result.output
    row = next(r for r in table_rows(demo_copy, "WriteOffs") if r["invoice_id"] == invoice)
    assert (row["approved"], row["approved_by"]) == ("sí", "Marta")
    reasons = {r["reason"] for r in table_rows(demo_copy, "Disputes")}
    assert {"pricing", "quantity", "damaged goods", "duplicate billing", "missing PO", "tax"} <= reasons


@pytest.mark.e2e  # a whole CLI flow on the demo: run by .ci/run (pytest -m "")
def test_credit_allocations_post_once_and_feed_the_next_reports(demo_copy, tmp_path):
    result = run("credits", demo_copy)  # the demo carries two approvals typed by Marta: posted now
    assert result.exit_code == 0 and "credit allocations proposed" in result.output, result.output
    rows = table_rows(demo_copy, "CreditAllocations")
    demo_posted = table_rows(demo_copy, "CreditPostings")
    assert [r["approved_by"] for r in demo_posted] == ["Marta Ruiz", "Marta Ruiz"]
    assert rows and all(r["amount"] > 0 for r in rows)
    assert not {r["allocation_id"] for r in demo_posted} & {r["allocation_id"] for r in rows}
    left = {r["credit_id"]: r for r in table_rows(demo_copy, "CreditsLeft")}
    for credit, entry in left.items():  # what each credit gave (proposed or posted now) and kept ties to the cent
        given = sum(round(r["amount"] * 100) for r in rows + demo_posted if r["credit_id"] == credit)
        assert round(entry["allocated"] * 100) == given
        assert round(entry["left"] * 100) == round(entry["credit_open"] * 100) + given
    allocation = approve_first_row(demo_copy, "CreditAllocations", "yes", "Marta")
    approved = next(r for r in rows if r["allocation_id"] == allocation)
    before = run("ageing", demo_copy, "--out", tmp_path / "before.xlsx")
    assert before.exit_code == 0
    posted = run("credits", demo_copy)
    assert posted.exit_code == 0 and re.search(r"allocations posted now\s*│\s*1 │", posted.output), posted.output
    record = table_rows(demo_copy, "CreditPostings")
    assert [(r["allocation_id"], r["amount"], r["approved_by"], r["status"]) for r in record[2:]] == [
        (allocation, approved["amount"], "Marta", "awaiting ERP")]
    remaining = table_rows(demo_copy, "CreditAllocations")
    assert allocation not in {r["allocation_id"] for r in remaining}
    # a third run posts nothing more and proposes nothing twice
    third = run("credits", demo_copy)
    assert third.exit_code == 0 and re.search(r"allocations posted now\s*│\s*0 │", third.output)
    assert len(table_rows(demo_copy, "CreditPostings")) == 3
    assert len(table_rows(demo_copy, "CreditAllocations")) == len(remaining)
    # the posting feeds the reports: both items moved by the amount, the customer's balance did not
    assert run("ageing", demo_copy, "--out", tmp_path / "after.xlsx").exit_code == 0
    open_before = {r["invoice_id"]: r["open_amount"] for r in table_rows(tmp_path / "before.xlsx", "AgeingDetail")}
    open_after = {r["invoice_id"]: r["open_amount"] for r in table_rows(tmp_path / "after.xlsx", "AgeingDetail")}
    cents = round(approved["amount"] * 100)
    assert round(open_after.get(approved["invoice_id"],
                                0) * 100) == round(open_before[approved["invoice_id"]] * 100) - cents
    assert round(open_after.get(approved["credit_id"],
                                0) * 100) == round(open_before[approved["credit_id"]] * 100) + cents
    customer = approved["customer_id"]
    balance = {name: sum(round(r["open_amount"] * 100) for r in table_rows(tmp_path / name, "AgeingDetail")
                         if r["customer_id"] == customer) for name in ("before.xlsx", "after.xlsx")}
    assert balance["before.xlsx"] == balance["after.xlsx"]


def test_plan_command(tmp_path):
    result = run("plan", "1.000,00", "-n", "3", "--first", "31/01/2027", "--csv", tmp_path / "plan.csv")
    assert result.exit_code == 0, result.output
    # printed as the balance was typed (1.000,00: decimal comma); the CSV keeps plain numbers
    assert "333,33" in result.output and "333,34" in result.output and "28/02/2027" in result.output
    assert (tmp_path / "plan.csv").read_text(encoding="utf-8-sig").splitlines()[-1] == "3,2027-03-31,333.34,0.00"
    bad = run("plan", "1.234,5O", "-n", "3", "--first", "31/01/2027")
    assert bad.exit_code == 2 and "not a number" in bad.output


def test_letters_button_writes_files_and_sheets(tmp_path):
    from conftest import DEMO

    book = remote(DEMO)
    outcome = buttons.run_action(book, "letters", files_dir=tmp_path)
    assert outcome["ok"], outcome
    assert outcome["files"] and all((tmp_path / name).exists() for name in outcome["files"])
    added = [a["args"][1] for a in actions(book) if a["func"] == "addSheet"]
    assert added == ["Dunning", "DunningItems", "Letters"]
    history = [a for a in actions(book)
               if a["func"] == "setValues" and a["values"] and a["values"][0][:1] == ["dunned_on"]]
    # each with its letter
    assert history and all(row[-1] for row in history[-1]["values"][1:] if row[0] == "2026-11-30")
    for button in (buttons.letters, buttons.dunning):  # Excel on the web: no folder, so no letter and no record
        web = remote(DEMO)
        outcome = button(web)
        assert not outcome["ok"] and "save the workbook to a folder first" in outcome["message"]
        assert [a["args"][1] for a in actions(web) if a["func"] == "addSheet"] == ["otc_messages"]

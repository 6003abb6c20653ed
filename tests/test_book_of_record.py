"""One book of record (#26): the associate's commands agree with each other, day after day.

Each defect of the issue has a test here that failed before the booking step existed; they run the
commands through the one path both doors use (``perform``), on a workbook held in memory
(``daybook.DayBook``) or, where the file door itself matters, through ``otc-xl``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from builders import customer, invoice, payment
from daybook import new_book
from otc_xl.collecting.reconcile import reconcile_account
from otc_xl.letters import dunning_letters
from otc_xl.letters.formatting import money
from test_cli import run
from test_collections_cli import table_rows

D = dt.date
DAY1 = D(2026, 11, 2)
CUSTOMERS = [customer("C1", "Uno Componentes S.L.", language="es", email="ap@uno.es", collector="Ana",
                      iban="ES9121000418450200051332"),
             customer("C2", "Due Meccanica S.r.l.", language="it", email="ap@due.it", collector="Ana"),
             customer("C3", "Trois Outils SAS", language="fr", email="ap@trois.fr", collector="Ana")]


def notices(performed) -> dict[str, tuple[str, int]]:
    frame = performed.booked.dunning.notices
    return {r.customer_id: (r.status, int(r.level)) for r in frame.itertuples()}


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------ 1. run records nothing

def test_run_in_place_records_no_notice_so_a_later_dunning_gives_every_letter(tmp_path):
    invoices = [invoice("INV-1", "C1", D(2026, 10, 1), 1000.0), invoice("INV-2", "C2", D(2026, 10, 25), 500.0)]
    with_run = new_book(tmp_path / "a", invoices, CUSTOMERS)
    without = new_book(tmp_path / "b", invoices, CUSTOMERS)
    with_run.command("run", DAY1)
    assert with_run.table("DunningHistory").empty if "DunningHistory" in with_run.sheets else True
    later = D(2026, 11, 9)
    a, b = with_run.command("dunning", later), without.command("dunning", later)
    assert notices(a) == notices(b) == {"C1": ("notice", 1), "C2": ("notice", 1)}  # a reminder each: none sent yet
    assert sorted(p.name for p in (tmp_path / "a" / "letters" / "2026-11-09").iterdir()) == \
        sorted(p.name for p in (tmp_path / "b" / "letters" / "2026-11-09").iterdir())


# ------------------------------------------------------------------------------ 2. same day, same result

def test_dunning_three_times_the_same_day_gives_the_same_notices_letters_and_history(tmp_path):
    """An item past legal_min_days at the last level used to alternate: handed over on the second run
    (seeing the first run's own notice), dunned again on the third."""
    history = [["dunned_on", "customer_id", "invoice_id", "level", "currency", "open_amount", "fee", "interest",
                "letter"]]
    for day, level in ((D(2026, 7, 1), 1), (D(2026, 7, 15), 2), (D(2026, 8, 1), 3)):
        history.append([day, "C1", "INV-1", level, "EUR", 1000.0, 0.0, 0.0, "C1_EUR_dunning.html"])
    book = new_book(tmp_path, [invoice("INV-1", "C1", D(2026, 6, 1), 1000.0),
                               invoice("INV-2", "C2", D(2026, 11, 20), 500.0)],
                    CUSTOMERS, extra={"DunningHistory": history})
    seen = []
    for _ in range(3):
        done = book.command("dunning", D(2026, 11, 30))
        seen.append((notices(done), book.sheets["DunningHistory"], folder_hash(tmp_path / "letters")))
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][0] == {"C1": ("notice", 4), "C2": ("notice", 1)}
    today = [r for r in book.sheets["DunningHistory"][1:] if r[0] == dt.datetime(2026, 11, 30)]
    assert [(r[2], r[3], r[-1]) for r in today] == [("INV-1", 4, "C1_EUR_dunning.html"),
                                                    ("INV-2", 1, "C2_EUR_dunning.html")]


# ------------------------------------------------------------------------------ 3. calls after today's cash

def test_worklist_leaves_out_who_paid_today_and_quotes_the_letters_amount(tmp_path):
    book = new_book(tmp_path, [invoice("FV-2026-00101", "C1", D(2026, 10, 20), 1000.0),
                               invoice("FV-2026-00102", "C2", D(2026, 10, 20), 1234.56),
                               invoice("FV-2026-00103", "C2", D(2026, 11, 28), 90.0)],  # within the grace days
                    CUSTOMERS, [payment("P1", D(2026, 11, 9), 1000.0, payer="UNO COMPONENTES SL",
                                        remittance="Factura FV-2026-00101")])
    for name in ("dunning", "worklist"):
        done = book.command(name, D(2026, 11, 9))
    calls = book.table("Worklist")
    assert list(calls["customer_id"]) == ["C2"]  # C1 paid FV-2026-00101 in full today: no call
    letter = book.table("Letters").set_index("customer_id")
    assert list(letter.index) == ["C2"]
    notice = done.booked.dunning.notices.set_index("customer_id").loc["C2"]
    assert calls.loc[0, "overdue_amount"] == notice["overdue_amount"] == 1234.56
    html = (tmp_path / "letters" / "2026-11-09" / letter.loc["C2", "letter"]).read_text(encoding="utf-8")
    quoted = money(1234.56, "EUR", "it")
    assert quoted in calls.loc[0, "script"] and quoted in html
    for name in ("run",):  # the run's worklist is the same
        again = book.report(name, D(2026, 11, 9))
        sheet = next(s for s in again.result.sheets if s.sheet == "Worklist").frame
        assert list(sheet["customer_id"]) == ["C2"] and sheet["overdue_amount"].tolist() == [1234.56]


# ------------------------------------------------------------------------------ 4. legal waits, and sees the cash

def legal_history(last_on: dt.date) -> list[list]:
    rows = [["dunned_on", "customer_id", "invoice_id", "level", "currency", "open_amount", "fee", "interest", "letter"]]
    for k, level in enumerate((1, 2, 3)):
        rows.append([last_on - dt.timedelta(days=30 - 10 * k), "C1", "INV-1", level, "EUR", 1000.0, 0.0, 0.0, "x.html"])
    return rows


def test_legal_waits_for_the_last_notices_deadline_and_records_with_its_case_file(tmp_path):
    day = D(2026, 11, 30)
    book = new_book(tmp_path, [invoice("INV-1", "C1", D(2026, 5, 1), 1000.0)], CUSTOMERS,
                    extra={"DunningHistory": legal_history(day)})
    book.command("dunning", day)  # the last level's letter: pay by 07/12
    assert book.table("Dunning")["level"].tolist() == [4]
    for when in (day, day + dt.timedelta(days=7)):
        done = book.command("legal", when)
        assert done.booked.legal.due.empty and book.table("LegalCases").empty, when
    report = book.report("run", day + dt.timedelta(days=8))  # due now: run says so, and records nothing
    assert report.booked.legal.due["invoice_id"].tolist() == ["INV-1"]
    assert any(label == "due for legal hand-over" for label, _ in report.result.summary)
    calls = next(s for s in report.result.sheets if s.sheet == "Worklist").frame
    assert calls["action"].str.startswith("hand over to legal today").tolist() == [True]
    assert book.table("LegalCases").empty if "LegalCases" in book.sheets else True
    book.command("legal", day + dt.timedelta(days=8))
    cases = book.table("LegalCases")
    assert cases[["invoice_id", "case_file"]].values.tolist() == [["INV-1", "LGL-C1_case_file.xlsx"]]
    assert (tmp_path / "letters" / "2026-12-08" / "LGL-C1_case_file.xlsx").exists()
    book.command("dunning", day + dt.timedelta(days=20))
    assert "C1" not in set(book.table("Letters")["customer_id"])  # a lawyer has it: no more letters


def test_legal_never_hands_over_a_customer_whose_cash_came_in(tmp_path):
    """C1 paid both invoices two days ago (applied automatically today): nothing to hand over, although
    both were at the last level long past its deadline; the insolvent C3's paid invoice neither."""
    day = D(2026, 11, 30)
    history = legal_history(day - dt.timedelta(days=10))
    history.append([day - dt.timedelta(days=10), "C1", "INV-1", 4, "EUR", 1000.0, 0.0, 0.0, "x.html"])
    history.append([day - dt.timedelta(days=10), "C1", "INV-2", 4, "EUR", 500.0, 0.0, 0.0, "x.html"])
    customers = [*CUSTOMERS[:2], customer("C3", "Trois Outils SAS", language="fr", collector="Ana",
                                          insolvency="Redressement judiciaire")]
    book = new_book(tmp_path, [invoice("INV-1", "C1", D(2026, 5, 1), 1000.0),
                               invoice("INV-2", "C1", D(2026, 5, 1), 500.0),
                               invoice("INV-3", "C3", D(2026, 9, 1), 700.0)], customers,
                    [payment("P1", D(2026, 11, 28), 1500.0, payer="UNO COMPONENTES SL", remittance="INV-1 INV-2"),
                     payment("P2", D(2026, 11, 28), 700.0, payer="TROIS OUTILS", remittance="facture INV-3")],
                    extra={"DunningHistory": history})
    done = book.command("legal", day)
    assert done.booked.legal.due.empty and book.table("LegalCases").empty
    assert not (tmp_path / "letters").exists() or not list((tmp_path / "letters").rglob("*.xlsx"))


# ------------------------------------------------------------------------------ 5. first letters

REPEATED = re.compile(r"repeated|reiterad|ripetut|répétées|wiederholt|repetate", re.I)


@pytest.mark.parametrize("lang", ["en", "es", "it", "fr", "de", "ro"])
def test_a_first_letter_never_speaks_of_earlier_reminders(tmp_path, lang):
    customers = [customer("C1", "Kunde", language=lang, email="ap@c1.example", collector="Ana")]
    book = new_book(tmp_path, [invoice("INV-1", "C1", D(2026, 6, 1), 1000.0)], customers)
    done = book.command("dunning", D(2026, 11, 30))  # 182 days overdue, never reminded
    row = done.booked.dunning.notices.iloc[0]
    assert (row["level"], row["tone"], row["notices_before"]) == (1, "reminder", 0)
    html = (tmp_path / "letters" / "2026-11-30" / "C1_EUR_dunning.html").read_text(encoding="utf-8")
    assert not REPEATED.search(html)
    # a notice before legal action after a single earlier notice (imported from the ERP) says "our reminder"
    result = done.booked.dunning
    result.notices.loc[:, ["level", "tone", "notices_before"]] = [4, "legal", 1]
    (letter,) = dunning_letters(result, done.booked.customers, D(2026, 11, 30))
    assert not REPEATED.search(letter.html)
    result.notices.loc[:, "notices_before"] = 3
    (letter,) = dunning_letters(result, done.booked.customers, D(2026, 11, 30))
    assert REPEATED.search(letter.html)


# ------------------------------------------------------------------------------ 6. net of a credit note

def test_a_payment_net_of_the_credit_note_that_names_the_invoice_is_applied_and_nobody_is_chased(tmp_path):
    book = new_book(tmp_path, [invoice("FV-2026-00451", "C1", D(2026, 10, 15), 2000.0),
                               invoice("AB-2026-00012", "C1", D(2026, 10, 20), -150.0,
                               reference="Abono FV-2026-00451")],
                    CUSTOMERS, [payment("P1", D(2026, 11, 27), 1850.0, payer="UNO COMPONENTES SL",
                                        remittance="Pago FV-2026-00451")])
    for name in ("dunning", "worklist", "credits"):
        done = book.command(name, D(2026, 11, 30))
    apps = done.booked.applications
    assert apps[["invoice_id", "applied_amount", "status"]].values.tolist() == [
        ["FV-2026-00451", 2000.0, "auto"], ["AB-2026-00012", -150.0, "auto"]]
    assert done.booked.unapplied.empty
    dunning = book.table("Dunning").set_index("customer_id")
    assert dunning.loc["C1", "status"] == "excluded" and "being applied" in dunning.loc["C1", "reason"]
    assert book.table("Worklist").empty and book.table("CreditAllocations").empty
    assert not (tmp_path / "letters").exists() or not list((tmp_path / "letters").rglob("C1_*"))


# ------------------------------------------------------------------------------ 7. team = run

def test_team_counts_the_posted_invoices_run_counts_and_checks_each_associate(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    anna = folder / "anna.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(["Invoice No.", "Customer No.", "Customer name", "Invoice date", "Due date", "Currency", "Amount",
               "Open amount"])
    ws.append(["INV-1", "C1", "Uno", dt.datetime(2026, 9, 1), dt.datetime(2026, 10, 1), "EUR", 1000.0, 1000.0])
    log = wb.create_sheet("BillingLog")
    log.append(["invoice_id", "doc_type", "invoice_date", "customer_id", "order_id", "order_line", "quantity", "net",
                "vat", "gross", "due_date", "currency", "posted_on"])
    log.append(["FV-2026-01201", "INV", dt.datetime(2026, 11, 20), "C1", "SO-1", 1, 2, 200.0, 42.0, 242.0,
                dt.datetime(2026, 12, 20), "EUR", dt.datetime(2026, 11, 20)])
    log.add_table(openpyxl.worksheet.table.Table(displayName="tblBillingLog", ref=log.dimensions))
    config = wb.create_sheet("Config")
    config.append(["as_of", "30/11/2026"])
    wb.save(anna)
    assert run("run", anna, "--in-place").exit_code == 0
    own = table_rows(anna, "History")
    assert [(r["currency"], r["open_ar"]) for r in own if r["collector"] == "(all)"] == [("EUR", 1242.0)]
    result = run("team", folder, "--out", tmp_path / "team.xlsx", "--as-of", "30/11/2026")
    assert result.exit_code == 0, result.output
    ageing = table_rows(tmp_path / "team.xlsx", "TeamAgeing")
    assert sum(r["Total"] for r in ageing) == 1242.0
    controls = table_rows(tmp_path / "team.xlsx", "TeamControls")
    assert all(r["ok"] for r in controls)
    assert any(r["check"].startswith("anna: team open AR = own History snapshot") and r["actual"] == 1242.0
               for r in controls)


# ------------------------------------------------------------------------------ 8. reconcile a partly paid invoice

def test_reconcile_a_partly_paid_invoice_agrees_and_asks_for_no_proof(tmp_path):
    ours = pd.DataFrame({"invoice_id": ["FV-2026-00451"], "invoice_date": [pd.Timestamp(2026, 9, 1)],
                         "amount": [2400.0], "open_amount": [1000.0], "reference": [""], "customer_id": ["C1"],
                         "currency": ["EUR"]})
    theirs = pd.DataFrame({"document": ["FV-2026-00451", ""], "their_document": ["", ""],
                           "date": pd.to_datetime(["2026-09-01", "2026-10-15"]), "signed": [-2400.0, 1400.0],
                           "doc_type": ["Factura", "Pago"], "description": ["", "Pago fra 451"], "source_row": [2, 3]})
    result = reconcile_account(ours, pd.DataFrame(columns=["payment_id", "payment_date", "amount"]), theirs)
    assert set(result.lines["status"]) == {"agreed"} and result.ties
    assert result.lines["code"].tolist() == ["agreed_payment_applied", "agreed_partly_paid"]
    assert not result.lines["action"].str.contains("cannot find|proof").any()
    balance = dict(zip(result.summary["item"], result.summary["amount"]))
    assert (balance["our balance"], balance["their balance"], balance["difference"]) == (1000.0, 1000.0, 0.0)


# ------------------------------------------------------------------------------ 10. a template saved by a script

def test_a_template_filled_and_saved_with_openpyxl_stays_usable_and_rows_outside_a_table_are_named(tmp_path):
    book = tmp_path / "t.xlsx"
    assert run("template", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["Invoices"]
    ws.append(["INV-1", "C1", "Uno", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "EUR", 100, 100])
    ws.append([])
    ws.append(["INV-3", "C1", "Uno", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "EUR", 300, 300])
    wb.save(book)
    openpyxl.load_workbook(book).save(book)  # and once more: the pivot caches must survive openpyxl
    root = Path(__file__).resolve().parent.parent
    result = run("import-bank", root / "workbooks" / "otc_demo_camt053.xml", "--into", book)
    assert result.exit_code == 0, result.output
    result = run("validate", book)
    assert result.exit_code == 0
    assert "row 4 below the Excel Table tblInvoices (which ends at row 2) is not part of it and was not read" \
        in " ".join(result.output.split())


# ------------------------------------------------------------------------------ a month of work

def business_days(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.mark.slow
def test_a_month_with_a_late_payer_a_disputer_and_one_who_never_pays(tmp_path):
    """30 business days of an associate's routine on three customers: each morning the bank lines are
    imported, then dunning (letters), the worklist (a call's outcome typed), legal on Wednesdays, and a
    run in place. What an experienced collector expects, letter by letter and call by call."""
    book = new_book(tmp_path, [invoice("FV-2026-00101", "C1", D(2026, 10, 15), 1200.0),
                               invoice("FV-2026-00201", "C2", D(2026, 10, 10), 800.0),
                               invoice("FV-2026-00301", "C3", D(2026, 8, 1), 2000.0)], CUSTOMERS)
    letters, calls, handed, actions = [], [], [], {}
    for day in business_days(D(2026, 11, 2), 30):
        if day == D(2026, 11, 4):  # the ERP export now shows C2's dispute (wrong price)
            k = book.sheets["Invoices"][0].index("dispute_code")
            for row in book.sheets["Invoices"][1:]:
                if row[0] == "FV-2026-00201":
                    row[k] = "PRICING"
        if day == D(2026, 11, 12):  # C1 pays what it promised on the phone
            book.append("Payments", {"payment_id": "BANK-1", "payment_date": day, "amount": 1200.0,
                                     "currency": "EUR", "payer_name": "UNO COMPONENTES SL",
                                     "remittance": "Pago factura FV-2026-00101"})
        book.command("dunning", day)
        letters += [(day, r["customer_id"], int(level)) for r, level in zip(
            book.table("Letters").to_dict("records"),
            book.table("Dunning").set_index("customer_id").loc[book.table("Letters")["customer_id"], "level"])]
        book.command("worklist", day)
        worklist = book.table("Worklist")
        calls += [(day, c) for c in worklist["customer_id"]]
        actions.update({(day, c): a for c, a in zip(worklist["customer_id"], worklist["action"])})
        if day == D(2026, 11, 3):  # C1 promises 1,200.00 for the 12th
            header = book.sheets["Worklist"][0]
            row = next(r for r in book.sheets["Worklist"][1:] if r[header.index("customer_id")] == "C1")
            row[header.index("outcome")], row[header.index("promise_date")] = "promised", dt.datetime(2026, 11, 12)
            row[header.index("promise_amount")] = 1200.0
        if day.weekday() == 2:
            done = book.command("legal", day)
            handed += [(day, i) for i in done.booked.legal.due["invoice_id"]]
        book.command("run", day)
    by_customer = {c: [(d, lv) for d, cc, lv in letters if cc == c] for c in ("C1", "C2", "C3")}
    # C1: one reminder, then a promise (no calls while it is open), then paid: nothing more
    assert by_customer["C1"] == [(D(2026, 11, 2), 1)]
    assert [d for d, c in calls if c == "C1"] == [D(2026, 11, 2), D(2026, 11, 3)]
    log = book.table("ContactLog")
    assert log.loc[log["customer_id"] == "C1", "promise_status"].tolist() == ["kept"]
    # C2: reminded before the dispute, never after it, and not called about a disputed invoice
    assert by_customer["C2"] == [(D(2026, 11, 2), 1)]
    assert [d for d, c in calls if c == "C2"] == [D(2026, 11, 2), D(2026, 11, 3)]
    # C3: one level at a time, each after the last letter's pay-by date; handed over after the last one's
    assert by_customer["C3"] == [(D(2026, 11, 2), 1), (D(2026, 11, 13), 2), (D(2026, 11, 23), 3),
                                 (D(2026, 12, 1), 4)]
    assert handed == [(D(2026, 12, 9), "FV-2026-00301")]
    assert max(d for d, c in calls if c == "C3") == D(2026, 12, 9)  # called until handed over, not after:
    assert actions[(D(2026, 12, 9), "C3")].startswith("hand over to legal today")  # that morning's row says so
    assert actions[(D(2026, 12, 8), "C3")].startswith("call: escalate")
    cases = book.table("LegalCases")
    assert cases[["invoice_id", "handed_over_on", "case_file"]].values.tolist() == [
        ["FV-2026-00301", dt.datetime(2026, 12, 9), "LGL-C3_case_file.xlsx"]]
    history = book.table("History")  # one snapshot per business day, today's replaced on re-runs
    assert history.loc[history["collector"] == "(all)", "snapshot_date"].nunique() == 30


def test_team_pivot_data_splits_a_customer_two_associates_serve(tmp_path):
    """#32 item 9: 1,000 in one book and 500 in the other went all under the first associate."""
    from otc_xl.workflows.team import team_report
    from otc_xl.workflows.team_books import TeamBook

    books = []
    for name, invoice_id, amount in (("anna", "INV-1", 1000.0), ("bruno", "INV-2", 500.0)):
        book = new_book(tmp_path / name, [invoice(invoice_id, "C1", D(2026, 10, 1), amount)], CUSTOMERS)
        books.append(TeamBook(name, f"{name}.xlsx", book.ledger(D(2026, 11, 30))))
    result = team_report(books, D(2026, 11, 30))
    pivot = next(s for s in result.sheets if s.sheet == "TeamPivotData").frame
    ageing = next(s for s in result.sheets if s.sheet == "TeamAgeing").frame
    assert pivot.groupby("associate")["amount"].sum().to_dict() == {"anna": 1000.0, "bruno": 500.0}
    assert ageing.groupby("associate")["Total"].sum().to_dict() == {"anna": 1000.0, "bruno": 500.0}


def test_a_second_dunning_the_same_day_after_new_cash_names_the_letters_no_longer_due(tmp_path):
    book = new_book(tmp_path, [invoice("FV-2026-00101", "C1", D(2026, 10, 20), 1000.0),
                               invoice("FV-2026-00102", "C2", D(2026, 10, 20), 500.0)], CUSTOMERS)
    first = book.command("dunning", D(2026, 11, 9))
    assert set(book.table("Letters")["customer_id"]) == {"C1", "C2"}
    assert not any(label == "letters no longer due" for label, _ in first.result.summary)
    book.append("Payments", {"payment_id": "P1", "payment_date": D(2026, 11, 9), "amount": 1000.0, "currency": "EUR",
                             "payer_name": "UNO COMPONENTES SL", "remittance": "FV-2026-00101"})
    again = book.command("dunning", D(2026, 11, 9))  # C1 paid at noon: its 9 o'clock letter must not go out
    assert dict(again.result.summary)["letters no longer due"].startswith("1 produced earlier today "
                                                                          "(C1_EUR_dunning.html)")
    assert set(book.table("DunningHistory")["customer_id"]) == {"C2"}


# ------------------------------------------------------------------------------ 8. deductions and duplicates (#29)

def test_a_deduction_stays_open_disputed_is_never_chased_and_the_booking_ties(tmp_path):
    book = new_book(tmp_path, [invoice("RG-2026-7001", "C1", D(2026, 10, 15), 3000.0),
                               invoice("RG-2026-7002", "C1", D(2026, 10, 15), 800.0)], CUSTOMERS,
                    [payment("P1", D(2026, 11, 27), 2985.0, payer="UNO COMPONENTES SL",
                             remittance="RG-2026-7001 ABZGL. FRACHT 15,00")])
    done = book.command("disputes", D(2026, 11, 30))
    booked = done.booked
    assert booked.applications[["invoice_id", "applied_amount", "writeoff_amount", "status"]].values.tolist() == [
        ["RG-2026-7001", 2985.0, 0.0, "auto"]]
    assert bool(booked.ties()["ok"].all())  # ERP − cash applied − written off = booked open items, to the cent
    item = booked.open_items.set_index("invoice_id").loc["RG-2026-7001"]
    assert item["open_amount"] == 15.0 and item["dispute_code"] == "deduction: freight"
    recorded = book.table("Deductions")
    assert recorded[["deduction_id", "invoice_id", "amount", "reason_code", "status"]].values.tolist() == [
        ["P1>RG-2026-7001", "RG-2026-7001", 15.0, "freight", "open"]]
    assert book.table("DisputeItems")["invoice_id"].tolist() == ["RG-2026-7001"]
    dunning = book.command("dunning", D(2026, 11, 30)).booked.dunning.items.set_index("invoice_id")
    assert "disputed" in dunning.loc["RG-2026-7001", "reason"]
    # the ERP shows the item short tomorrow, the payment is gone: the deduction on record keeps it disputed;
    # once the user resolves it, the item is chased again
    book.set_open("RG-2026-7001", 15.0)
    book.sheets["Payments"] = book.sheets["Payments"][:1]
    later = book.command("disputes", D(2026, 12, 1))
    assert later.booked.open_items.set_index("invoice_id").loc["RG-2026-7001", "dispute_code"] == "deduction: freight"
    rows = book.sheets["Deductions"]
    rows[1][rows[0].index("status")] = "rejected"
    again = book.command("disputes", D(2026, 12, 2))
    assert again.booked.open_items.set_index("invoice_id").loc["RG-2026-7001", "dispute_code"] == ""
    assert book.table("Deductions")["status"].tolist() == ["rejected"]


def test_a_payment_of_a_cleared_invoice_is_not_applied_and_waits_as_a_duplicate(tmp_path):
    cleared = [["invoice_id", "customer_id", "amount", "clearing_date", "clearing_document"],
               ["RG-2026-7100", "C1", 640.0, D(2026, 11, 20), "1400007100"]]
    book = new_book(tmp_path, [invoice("RG-2026-7101", "C1", D(2026, 10, 15), 640.0)], CUSTOMERS,
                    [payment("P1", D(2026, 11, 27), 640.0, payer="UNO COMPONENTES SL", remittance="RG-2026-7100",
                             account="ES9121000418450200051332")], extra={"ClearedItems": cleared})
    done = book.command("run", D(2026, 11, 30))
    assert done.booked.applications.empty
    unapplied = done.booked.match.unapplied
    assert unapplied[["payment_id", "reason", "suggested_customer_id"]].values.tolist() == [["P1", "duplicate", "C1"]]
    assert "1400007100" in unapplied.iloc[0]["explanation"]

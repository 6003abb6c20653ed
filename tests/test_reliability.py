"""Issue 20: nothing lost, nothing silently wrong, every message true.

Each test reproduces one case that failed before (data loss, a silent wrong result, a crash shown
as "Internal error", a weak message) and asserts the outcome now: files unchanged, the right rows
written, and the message naming the file, sheet, cell or setting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from filelock import FileLock

import otc_xl
from builders import INVOICE_HEADERS, invoice_row
from conftest import DEMO, ROOT, libreoffice_convert, needs_libreoffice
from otc_xl.cli import main
from otc_xl.io.bank_import import append_payments
from otc_xl.io.formats.bank import parse_bank_file
from otc_xl.io.locking import lock_path, stale_temporaries

FIX = ROOT / "tests" / "fixtures" / "bank"
CAMT054 = (FIX / "camt054.xml").read_text(encoding="utf-8")


def run(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args], catch_exceptions=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def payments_book(make_book):
    return make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [["Payment No.", "Value date", "Payer", "Amount", "Remittance information"],
                                   ["OLD-1", dt.date(2026, 11, 1), "Someone", 10.0, "old line"]]},
                     tables={"Payments": "tblPayments"})


def payment_ids(book: Path) -> list[str]:
    ws = openpyxl.load_workbook(book)["Payments"]
    return [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]


# ---------------------------------------------------------------------------- 1. output over an input

@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "dotted"])
def test_out_resolving_to_the_input_is_refused(demo_copy, how):
    digest = sha(demo_copy)
    out = {"same": demo_copy, "dotted": demo_copy.parent / "." / demo_copy.name}.get(how)
    if how == "symlink":
        out = demo_copy.parent / "link.xlsx"
        out.symlink_to(demo_copy)
    elif how == "hardlink":
        out = demo_copy.parent / "hard.xlsx"
        os.link(demo_copy, out)
    result = run("run", demo_copy, "--out", out)
    assert result.exit_code == 1
    assert "is the input workbook" in result.output and "nothing was written" in result.output
    assert sha(demo_copy) == digest
    assert "Invoices" in openpyxl.load_workbook(demo_copy, read_only=True).sheetnames


def test_template_never_overwrites_a_workbook(demo_copy):
    digest = sha(demo_copy)
    result = run("template", demo_copy)
    assert result.exit_code == 1 and "already exists" in result.output
    assert sha(demo_copy) == digest


def test_bank_file_that_is_the_book_is_refused(make_book):
    book = payments_book(make_book)
    result = run("import-bank", book, "--into", book)
    assert result.exit_code == 1 and "is the workbook given with --into" in result.output


# ---------------------------------------------------------------------------- 2. one writer at a time

def _camt(reference: str, amount: str = "250.00") -> str:
    return CAMT054.replace("NTF-ENTRY-9", reference).replace(">250.00</Amt>", f">{amount}</Amt>")


def test_two_imports_at_the_same_time_both_land(make_book, tmp_path):
    book = payments_book(make_book)
    files = []
    for ref in ("AAA-1", "BBB-2"):
        path = tmp_path / f"{ref}.xml"
        path.write_text(_camt(ref), encoding="utf-8")
        files.append(path)
    procs = [subprocess.Popen([sys.executable, "-m", "otc_xl.cli", "import-bank", str(f), "--into", str(book)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for f in files]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sorted(payment_ids(book)) == ["AAA-1", "BBB-2", "OLD-1"]


def test_second_writer_waits_then_reads_the_first_ones_rows(make_book, tmp_path):
    book = payments_book(make_book)
    path = tmp_path / "a.xml"
    path.write_text(_camt("WAIT-1"), encoding="utf-8")
    lock = FileLock(str(lock_path(book)), thread_local=False)  # released by the timer's thread
    lock.acquire()
    threading.Timer(1.0, lock.release).start()
    result = run("import-bank", path, "--into", book)
    assert result.exit_code == 0, result.output
    assert "being written by another otc_xl command; waiting" in result.output
    assert "WAIT-1" in payment_ids(book)


def test_writer_gives_up_with_a_clear_message(make_book, tmp_path):
    book = payments_book(make_book)
    digest = sha(book)
    path = tmp_path / "a.xml"
    path.write_text(_camt("LATE-1"), encoding="utf-8")
    with FileLock(str(lock_path(book))):
        result = run("import-bank", path, "--into", book, env={"OTC_XL_LOCK_TIMEOUT": "0.5"})
    assert result.exit_code == 1
    assert "another otc_xl command is still writing this file" in result.output
    assert "nothing was written" in result.output
    assert sha(book) == digest


def test_collections_commands_take_the_lock_too(demo_copy):
    with FileLock(str(lock_path(demo_copy))):
        result = run("dunning", demo_copy, env={"OTC_XL_LOCK_TIMEOUT": "0.2"})
    assert result.exit_code == 1 and "still writing" in result.output


def test_workbook_open_in_excel_is_refused(demo_copy):
    digest = sha(demo_copy)
    (demo_copy.parent / f"~${demo_copy.name}").write_bytes(b"owner")
    result = run("run", demo_copy, "--in-place")
    assert result.exit_code == 1 and "open in Excel" in result.output
    assert sha(demo_copy) == digest


def test_stale_temporary_files_are_removed(demo_copy, tmp_path):
    stale = demo_copy.parent / f".~{demo_copy.stem}.ab12cd34.xlsx"
    stale.write_bytes(b"half a workbook")
    other = demo_copy.parent / ".~otc_demo.v2.ab12cd34.xlsx"  # another book's name: left alone
    other.write_bytes(b"x")
    assert stale_temporaries(demo_copy) == [stale]
    result = run("run", demo_copy, "--in-place")
    assert result.exit_code == 0, result.output
    assert not stale.exists() and other.exists()


# ---------------------------------------------------------------------------- 3. numbers money cannot be

def test_huge_and_infinite_amounts_are_refused_with_the_cell(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1, amount=1e20), invoice_row(2, amount=5.0),
                                   invoice_row(3, amount="1e20")]})
    wb = openpyxl.load_workbook(book)
    wb["Invoices"]["G3"].value = float("inf")
    wb.save(book)
    ledger = otc_xl.read_workbook(book)
    errors = [str(p) for p in ledger.problems if p.severity == "error"]
    assert any(e.startswith("Invoices!G2: amount") and "beyond any real amount" in e for e in errors), errors
    assert any(e.startswith("Invoices!G3: amount") for e in errors), errors
    assert any(e.startswith("Invoices!G4: amount") for e in errors), errors
    result = run("validate", book)
    assert result.exit_code == 1 and "Internal error" not in result.output


@pytest.mark.parametrize("amount, message", [
    ("-250.00", "amount '-250.00' is not an ISO 20022 amount"),
    ("NaN", "amount 'NaN' is not an ISO 20022 amount"),
    ("INF", "amount 'INF' is not an ISO 20022 amount"),
    ("1e20", "amount '1e20' is not an ISO 20022 amount"),
    ("250,50", "amount '250,50' is not an ISO 20022 amount (expected digits with a decimal point"),
    ("", "amount (empty) is not an ISO 20022 amount"),
    ("99999999999999.00", "is beyond any real amount"),
])
def test_camt_amounts_are_checked_before_anything_is_appended(make_book, tmp_path, amount, message):
    book = payments_book(make_book)
    digest = sha(book)
    path = tmp_path / "n.xml"
    path.write_text(_camt("X-1", amount), encoding="utf-8")
    result = run("import-bank", path, "--into", book)
    assert result.exit_code == 1, result.output
    assert "n.xml: notification NTF-1-1, entry 1:" in result.output and message in result.output
    assert sha(book) == digest


def test_camt_missing_amount_and_impossible_date(make_book, tmp_path):
    missing = tmp_path / "m.xml"
    missing.write_text(CAMT054.replace('<Amt Ccy="EUR">250.00</Amt>', ""), encoding="utf-8")
    bad_date = tmp_path / "d.xml"
    bad_date.write_text(CAMT054.replace("2026-11-21</Dt>", "2026-13-45</Dt>"), encoding="utf-8")
    for path, message in ((missing, "entry 1: the entry has no amount (Amt)"),
                          (bad_date, "entry 1: value date '2026-13-45' is not a date (expected YYYY-MM-DD)")):
        result = run("import-bank", path, "--into", payments_book(make_book))
        assert result.exit_code == 1 and message in result.output and "Internal error" not in result.output


def test_append_refuses_receipts_the_contract_would_refuse(make_book):
    book = payments_book(make_book)
    digest = sha(book)
    bad = pd.DataFrame({"payment_id": ["N1", "N2"], "payment_date": [pd.Timestamp("2026-11-20"), pd.NaT],
                        "amount": [-5.0, float("nan")], "currency": ["EUR", "euro"], "payer_name": ["", ""],
                        "payer_account": ["", ""], "remittance": ["", ""], "customer_id": ["", ""]})
    with pytest.raises(otc_xl.ValidationError) as caught:
        append_payments(book, bad)
    text = "\n".join(map(str, caught.value.problems))
    assert "receipt 1 (N1): amount -5.0 is not a positive receipt" in text
    assert "receipt 2 (N2): has no date" in text and "currency 'euro' is not a 3-letter ISO code" in text
    assert sha(book) == digest


# ---------------------------------------------------------------------------- 5. formulas without results

def test_bank_spreadsheet_formula_without_value_is_an_error_not_a_debit(make_book, tmp_path):
    bank = tmp_path / "bank.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Fecha", "Concepto", "Importe"])
    ws.append(["01/10/2026", "pago F1", 100])
    ws.append(["02/10/2026", "pago F2", "=50*2"])  # openpyxl saves formulas without a result
    wb.save(bank)
    book = payments_book(make_book)
    digest = sha(book)
    result = run("import-bank", bank, "--into", book)
    assert result.exit_code == 1
    assert "bank.xlsx!C3: amount is a formula saved without its result" in result.output
    assert sha(book) == digest


def test_workbook_formula_without_value_is_named(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1), invoice_row(2)]})
    wb = openpyxl.load_workbook(book)
    wb["Invoices"]["H3"] = "=G3"  # open_amount: optional, would silently become the amount
    wb.save(book)
    errors = [str(p) for p in otc_xl.read_workbook(book).problems if p.severity == "error"]
    assert errors == ["Invoices!H3: open_amount is a formula saved without its result (the file was written by a "
                      "program that does not calculate); open and save it in Excel or LibreOffice, or type the value"]


# ---------------------------------------------------------------------------- 6. settings out of range

@pytest.mark.parametrize("setting, value, message", [
    ("tolerance_abs", -5, "tolerance_abs -5 is out of range: expected 0 to 1e+09"),
    ("auto_threshold", 500, "auto_threshold 500 is out of range: expected 1 to 100"),
    ("tolerance_pct", 150, "tolerance_pct 150 is out of range: expected 0 to 100"),
    ("kpi_period_days", 0, "kpi_period_days 0 is out of range"),
])
def test_config_values_out_of_range_are_named(make_book, setting, value, message):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Config": [["Setting", "Value"], [setting, value]]})
    result = run("validate", book)
    assert result.exit_code == 1 and f"Config!B2: {message}" in result.output


# ---------------------------------------------------------------------------- 7. e-mail addresses

def test_header_injection_in_an_email_is_refused_and_listed(demo_copy, tmp_path):
    wb = openpyxl.load_workbook(demo_copy)
    ws = wb["Customers"]
    headers = [c.value for c in ws[1]]
    email_col = headers.index("E-mail") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, email_col).value = "ap@victim.example\r\nBcc: thief@evil.example"
    wb.save(demo_copy)
    ledger = otc_xl.read_workbook(demo_copy)
    warned = [str(p) for p in ledger.problems if "contains a line break" in p.message]
    assert warned and warned[0].startswith("Customers!F2: email")
    folder = tmp_path / "letters"
    result = run("dunning", demo_copy, "--files", folder)
    assert result.exit_code == 0, result.output
    assert "e-mail addresses refused" in result.output
    emls = list(folder.glob("*.eml"))
    assert emls
    for eml in emls:
        text = eml.read_bytes()
        assert b"\nTo:" not in text and b"Bcc" not in text and b"thief" not in text
    listing = openpyxl.load_workbook(demo_copy)["Letters"]
    notes = [r[-1] for r in listing.iter_rows(min_row=2, values_only=True)]
    assert all(str(n).startswith("address refused") for n in notes)


def test_several_valid_addresses_all_go_to_to():
    from otc_xl.letters.documents import email_draft
    from otc_xl.letters.render import Document
    doc = Document("dunning", "C1", "EUR", "en", "Subject", "<p>x</p>", to="a@x.example; b@y.example")
    assert b"To: a@x.example, b@y.example" in email_draft(doc)


# ---------------------------------------------------------------------------- crashes → messages

@needs_libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_ods_and_xls_books_are_read_and_in_place_is_refused_clearly(tmp_path, fmt):
    book = libreoffice_convert(DEMO, fmt, tmp_path)
    result = run("validate", book)
    assert result.exit_code == 0, result.output
    assert "invoices" in result.output and "sheet Invoices" in result.output
    out = tmp_path / "report.xlsx"
    assert run("run", book, "--out", out).exit_code == 0 and out.exists()
    digest = sha(book)
    refused = run("run", book, "--in-place")
    assert refused.exit_code == 1 and f"otc_xl writes only .xlsx and .xlsm workbooks; save {book.name} as .xlsx" \
        in refused.output
    assert sha(book) == digest


def test_truncated_sheet_xml_is_a_clear_message(tmp_path):
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(DEMO) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet4.xml":
                data = data[:5000]
            zout.writestr(info, data)
    result = run("validate", damaged)
    assert result.exit_code == 1 and "Internal error" not in result.output
    assert "damaged.xlsx" in result.output and "the file is damaged" in result.output


@pytest.mark.parametrize("as_advice", [False, True])
def test_random_bytes_as_bank_file_or_advice(make_book, tmp_path, as_advice):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 12)
    book = payments_book(make_book)
    args = ["import-bank", FIX / "camt054.xml", "--advice", junk] if as_advice else ["import-bank", junk]
    result = run(*args, "--into", book)
    assert result.exit_code == 1 and "Internal error" not in result.output
    assert "junk.csv: is not a text file" in result.output


def test_addin_install_on_linux_without_target_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    addin = tmp_path / "OTC.xlam"
    addin.write_bytes(b"x")
    result = run("addin", "install", "--addin", addin)
    assert result.exit_code == 2 and "Give --target DIR" in result.output


# ---------------------------------------------------------------------------- weak messages

def test_utf16_csv_is_read_and_the_encoding_named(make_book, tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("Fecha;Concepto;Ordenante;Importe\n25/11/2026;pago F1;Núñez SL;100,50\n".encode("utf-16"))
    lines = parse_bank_file(path)
    assert list(lines.payments["amount"]) == [100.5] and list(lines.payments["payer_name"]) == ["Núñez SL"]
    result = run("import-bank", path, "--into", payments_book(make_book))
    assert result.exit_code == 0 and "note: u16.csv: read as utf-16" in result.output


def test_cp1252_spanish_export_is_not_taken_for_central_european(tmp_path):
    path = tmp_path / "es.csv"
    path.write_bytes("Fecha;Concepto;Ordenante;Importe\n25/11/2026;pago F1;NÚÑEZ Y PEÑA SL;100,50\n".encode("cp1252"))
    assert list(parse_bank_file(path).payments["payer_name"]) == ["NÚÑEZ Y PEÑA SL"]


def test_central_european_export_is_decoded_right(tmp_path):
    path = tmp_path / "pl.csv"
    text = "Data;Tytuł;Kontrahent;Kwota\n" + "".join(
        f"{d:02d}/11/2026;Zapłata faktury {d} za usługi księgowe;Łódzka Spółdzielnia Mleczarska;1{d},50\n"
        for d in range(13, 28))
    path.write_bytes(text.encode("cp1250"))
    payers = set(parse_bank_file(path, profile={"booking_date": "Data", "remittance": "Tytuł",
                                                "payer_name": "Kontrahent", "amount": "Kwota"}).payments["payer_name"])
    assert payers == {"Łódzka Spółdzielnia Mleczarska"}


def test_utf16_mt940_is_read(tmp_path):
    path = tmp_path / "u16.sta"
    path.write_bytes((FIX / "mt940_two_statements.sta").read_text(encoding="utf-8").encode("utf-16"))
    assert len(parse_bank_file(path).payments) == 2


def test_merged_data_cell_is_named_as_merged(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1), invoice_row(2), invoice_row(3)]},
                     merged={"Invoices": ["B2:B4"]})
    errors = [str(p) for p in otc_xl.read_workbook(book).problems if p.severity == "error"]
    assert errors[0] == ("Invoices!B3: customer_id is empty: the cell is part of merged cells B2:B4, which keep the "
                         "value only in their first row; unmerge them and fill every row")


@pytest.mark.parametrize("cut", [120, 330, 400])
def test_truncated_mt940_is_refused_without_library_noise(make_book, tmp_path, cut):
    path = tmp_path / "cut.sta"
    path.write_bytes((FIX / "mt940_two_statements.sta").read_bytes()[:cut])
    book = payments_book(make_book)
    digest = sha(book)
    proc = subprocess.run([sys.executable, "-m", "otc_xl.cli", "import-bank", str(path), "--into", str(book)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "cut.sta: statement" in proc.stderr and ("no closing balance" in proc.stderr or "no opening" in proc.stderr
                                                    or "does not follow the MT940 layout" in proc.stderr)
    assert "(?P<" not in proc.stderr and "object at 0x" not in proc.stderr and len(proc.stderr.splitlines()) <= 4
    assert sha(book) == digest


def test_malformed_mt940_line_is_named(tmp_path):
    path = tmp_path / "bad.sta"
    path.write_text(":20:STMT1\n:25:10020030/1234567\n:28C:00001/001\n:60F:C261120EUR1000,00\n:61:26112\n"
                    ":62F:C261120EUR1000,00\n-\n", encoding="ascii")
    with pytest.raises(otc_xl.ValidationError) as caught:
        parse_bank_file(path)
    assert str(caught.value.problems[0]) == ("bad.sta: statement 1 (line 1): :61: at line 5 ('26112') does not "
                                            "follow the MT940 layout; is the file truncated or edited?")


def test_mt940_balances_must_tie(tmp_path):
    path = tmp_path / "edited.sta"
    path.write_text((FIX / "mt940_two_statements.sta").read_text(encoding="utf-8").replace("CR99,00", "CR98,00"),
                    encoding="utf-8")
    with pytest.raises(otc_xl.ValidationError) as caught:
        parse_bank_file(path)
    assert ("statement 2 (line 13): balances do not tie: opening 2,184.56 + movements 98.00 = 2,282.56, but the "
            "closing balance (:62F:) says 2,283.56") in str(caught.value.problems[0])


def test_us_dates_are_inferred_and_ambiguous_ones_warned(make_book):
    us = make_book({"Invoices": [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"],
                                 ["F1", "C1", "10/11/2026", "11/25/2026", 5],
                                 ["F2", "C1", "10/12/2026", "12/10/2026", 5]]})
    ledger = otc_xl.read_workbook(us)
    assert ledger.ok, ledger.problems
    assert ledger.invoices["invoice_date"].dt.date.tolist() == [dt.date(2026, 10, 11), dt.date(2026, 10, 12)]
    assert ledger.invoices["due_date"].dt.date.tolist() == [dt.date(2026, 11, 25), dt.date(2026, 12, 10)]
    ambiguous = make_book({"Invoices": [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"],
                                        ["F1", "C1", "10/11/2026", "11/12/2026", 5]]})
    warnings = [str(p) for p in otc_xl.read_workbook(ambiguous).problems if p.severity == "warning"]
    assert any("could be day-first or month-first; read day-first. If they are month-first, set date_order = MDY"
               in w for w in warnings), warnings


def test_explicit_day_first_setting_contradicted_by_us_dates_names_the_setting(make_book):
    book = make_book({"Invoices": [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"],
                                   ["F1", "C1", "10/11/2026", "11/25/2026", 5]],
                      "Config": [["Setting", "Value"], ["date_order", "DMY"]]})
    errors = [str(p) for p in otc_xl.read_workbook(book).problems if p.severity == "error"]
    assert any("are month-first but date_order is DMY; set date_order = MDY (or auto) on the Config sheet" in e
               for e in errors), errors


# ---------------------------------------------------------------------------- newcomer polish

@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.xlsx"
    result = run("run", DEMO, "--out", out, "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    return out


def test_statement_due_dates_are_dates(demo_copy):
    assert run("statement", demo_copy, "--customer", "C10001", "--as-of", "2026-11-30",
               "--files", demo_copy.parent / "st").exit_code == 0
    ws = openpyxl.load_workbook(demo_copy)["Statement"]
    headers = [c.value for c in ws[1]]
    due = headers.index("due_date") + 1
    cells = [ws.cell(r, due) for r in range(2, ws.max_row + 1) if ws.cell(r, due).value is not None]
    assert cells and all(c.is_date and c.number_format != "@" for c in cells)


def test_spanish_statement_translates_every_bucket(demo_copy, tmp_path):
    customers = otc_xl.read_workbook(demo_copy).customers
    spanish = customers.loc[customers["language"] == "es", "customer_id"].iloc[0]
    folder = tmp_path / "st"
    assert run("statement", demo_copy, "--customer", spanish, "--files", folder).exit_code == 0
    html = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert "No vencido" in html and "Current" not in html and "Over " not in html


def test_ageing_chart_is_one_currency_with_axis_titles(report):
    with zipfile.ZipFile(report) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "Ageing profile, EUR only" in chart and "Days past due" in chart
    values = re.findall(r"<c:val><c:numRef><c:f>([^<]*)</c:f>", chart)
    assert [v.replace("'", "") for v in values] == ["AgeingSummary!$B$2:$G$2"]  # the EUR row only: one currency
    ws = openpyxl.load_workbook(report)["AgeingSummary"]
    notes = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "The chart shows EUR only; GBP, USD: see the table." in notes


def test_cei_says_it_needs_opening_ar(report):
    ws = openpyxl.load_workbook(report)["KPIs"]
    assert [c.value for c in ws[1]][:5] == ["currency", "kpi", "value", "unit", "formula"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "cei"]
    assert rows and all(r[2] is None and "EMPTY: needs the open AR at the start of the period — set opening_ar on "
                        "the Config sheet" in r[4] for r in rows)


def test_worklist_credit_use_is_a_ratio(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1, amount=500.0)],
                      "Customers": [["Customer No.", "Customer name", "Credit limit"], ["C1", "Acme", 1000]]})
    assert run("worklist", book, "--as-of", "2026-11-30").exit_code == 0
    ws = openpyxl.load_workbook(book)["Worklist"]
    headers = [c.value for c in ws[1]]
    cell = ws.cell(2, headers.index("credit_use") + 1)
    assert cell.value == 0.5 and cell.number_format == "0.0%"  # Excel shows 50.0%


def test_dunning_note_names_a_real_command(report):
    ws = openpyxl.load_workbook(report)["Dunning"]
    notes = " ".join(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "otc-xl letters" not in notes
    assert "otc-xl dunning" in notes


def test_files_option_only_where_files_are_written():
    for command, has in (("worklist", False), ("disputes", False), ("dunning", True), ("statement", True)):
        assert ("--files" in run(command, "--help").output) is has, command


@pytest.mark.e2e  # the whole demo chain (~12 s); test_cli.test_demo_command runs it too, also as e2e
def test_demo_says_it_works_on_a_copy(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("demo", "--out", tmp_path / "demo_report.xlsx")
    assert result.exit_code == 0, result.output
    assert "working copy of the demo workbook" in result.output and "the shipped file is not changed" in result.output


def test_gitignore_ignores_no_tracked_file():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip(reason="not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT, input=tracked.stdout,
                             capture_output=True, text=True)
    assert ignored.stdout == ""


def test_excel_buttons_report_steps_and_say_what_was_written(monkeypatch):
    from otc_xl.excel import buttons
    from test_excel import remote  # the remote-engine book built from the demo

    shown, messages = [], []
    monkeypatch.setattr(buttons, "status", lambda book, text: shown.append(text) or True)
    assert buttons.run_action(remote(DEMO), "ageing")["ok"]
    assert any(s.startswith("otc_xl: ageing — running ageing (1/2, ") for s in shown), shown
    assert any(s.startswith("otc_xl: ageing — writing AgeingSummary (2/6, ") for s in shown), shown

    def broken(_book):
        raise RuntimeError("pivot refresh failed")
    monkeypatch.setattr(buttons, "refresh_pivots", broken)
    monkeypatch.setattr(buttons, "write_messages", lambda book, problems: messages.extend(problems))
    assert not buttons.run_action(remote(DEMO), "ageing")["ok"]
    assert ("These sheets were already rewritten: Ageing, AgeingSummary, AgeingDetail, PivotData, CreditBalances, "
            "KPIs; no other sheet was changed.") in messages[-1].message
    assert "Nothing else was changed" not in messages[-1].message


def test_every_command_leaves_inputs_untouched_when_it_fails(make_book, tmp_path):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1), ["", "C1"]]})
    digest = sha(book)
    for args in (["run", book, "--in-place"], ["dunning", book], ["worklist", book], ["statement", book]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert sha(book) == digest


# ---------------------------------------------------------------------------- lossless, fast append

def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_import_into_a_book_with_a_chart_keeps_every_other_part_byte_identical(make_book, tmp_path):
    from openpyxl.chart import BarChart, Reference
    book = payments_book(make_book)
    wb = openpyxl.load_workbook(book)
    ws = wb.create_sheet("MyChart")
    ws.append(["x", "y"])
    ws.append(["a", 1])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    ws.add_chart(chart, "D2")
    wb.save(book)  # before: "sheet MyChart has pictures, charts or shapes that would be lost" — refused
    before = _parts(book)
    path = tmp_path / "a.xml"
    path.write_text(_camt("CH-1"), encoding="utf-8")
    result = run("import-bank", path, "--into", book)
    assert result.exit_code == 0, result.output
    after = _parts(book)
    changed = {n for n in before if before[n] != after.get(n)}
    payments_part = next(n for n in before if n.startswith("xl/worksheets/sheet") and b"OLD-1" in before[n])
    assert changed <= {payments_part, "xl/tables/table1.xml", "xl/styles.xml"}, changed
    assert set(after) == set(before)
    assert payment_ids(book) == ["OLD-1", "CH-1"]
    ws = openpyxl.load_workbook(book)["Payments"]
    assert ws.tables["tblPayments"].ref == "A1:E3"
    assert ws["B3"].is_date and ws["B3"].value == dt.datetime(2026, 11, 21) and ws["D3"].value == 250.0


def test_appended_text_is_never_a_formula(make_book):
    book = payments_book(make_book)
    hostile = pd.DataFrame({"payment_id": ["H1"], "payment_date": [pd.Timestamp("2026-11-20")], "amount": [1.0],
                            "currency": ["EUR"], "payer_name": ["@evil <b>&"], "payer_account": [""],
                            "remittance": ['=HYPERLINK("http://x","y")'], "customer_id": [""]})
    append_payments(book, hostile)
    ws = openpyxl.load_workbook(book)["Payments"]
    assert ws["C3"].value == "@evil <b>&" and ws["C3"].data_type == "s" and ws["C3"].quotePrefix
    assert ws["E3"].value == '=HYPERLINK("http://x","y")' and ws["E3"].data_type == "s" and ws["E3"].quotePrefix


def test_rows_below_the_table_use_the_careful_path(make_book, tmp_path):
    book = payments_book(make_book)
    wb = openpyxl.load_workbook(book)
    wb["Payments"]["H10"] = "my note below the table"
    wb.save(book)
    path = tmp_path / "a.xml"
    path.write_text(_camt("BELOW-1"), encoding="utf-8")
    assert run("import-bank", path, "--into", book).exit_code == 0
    ws = openpyxl.load_workbook(book)["Payments"]
    assert ws["A3"].value == "BELOW-1" and ws["H10"].value == "my note below the table"


def test_big_append_reads_back_exactly(make_book):
    book = payments_book(make_book)
    n = 3000
    frame = pd.DataFrame({"payment_id": [f"P{i:05d}" for i in range(n)],
                          "payment_date": pd.to_datetime(["2026-11-20"] * n), "amount": [i + 0.01 for i in range(n)],
                          "currency": ["EUR"] * n, "payer_name": ["  Spaced  "] * n, "payer_account": [""] * n,
                          "remittance": [f"INV-{i}" for i in range(n)], "customer_id": [""] * n})
    assert append_payments(book, frame).added == n
    ledger = otc_xl.read_workbook(book)
    assert ledger.ok, ledger.problems[:3]
    assert len(ledger.payments) == n + 1
    assert round(ledger.payments["amount"].sum(), 2) == round(10.0 + sum(i + 0.01 for i in range(n)), 2)
    ws = openpyxl.load_workbook(book)["Payments"]
    assert ws["C3"].value == "  Spaced  "  # leading/trailing spaces kept


@needs_libreoffice
def test_libreoffice_opens_the_spliced_book(make_book, tmp_path):
    book = payments_book(make_book)
    path = tmp_path / "a.xml"
    path.write_text(_camt("LO-1"), encoding="utf-8")
    assert run("import-bank", path, "--into", book).exit_code == 0
    out = tmp_path / "lo"
    out.mkdir()
    csv_text = libreoffice_convert(book, "csv", out, sheet=2).read_text(encoding="utf-8")
    assert "LO-1" in csv_text and "OLD-1" in csv_text and "250" in csv_text


def test_sigkill_mid_write_leaves_the_book_unchanged_and_the_next_run_cleans_up(make_book, tmp_path):
    import signal

    from benchmarks.io.bench_bank_csv import write_export
    from otc_xl.io.import_log import ensure_import_log

    book = payments_book(make_book)
    assert ensure_import_log(book) == ""  # the log table exists: the import's one write is the big splice
    digest = sha(book)
    big = tmp_path / "big.csv"
    write_export(big, 120_000)
    proc = subprocess.Popen([sys.executable, "-m", "otc_xl.cli", "import-bank", str(big), "--into", str(book)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not stale_temporaries(book) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    assert stale_temporaries(book), "the import never started writing"
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert sha(book) == digest, "the book changed although the write was killed"
    assert otc_xl.read_workbook(book).ok
    leftovers = stale_temporaries(book)
    assert leftovers, "the killed write left no temporary file: nothing to clean (the kill came too late)"
    small = tmp_path / "a.xml"
    small.write_text(_camt("AFTER-KILL"), encoding="utf-8")
    assert run("import-bank", small, "--into", book).exit_code == 0
    assert not stale_temporaries(book) and "AFTER-KILL" in payment_ids(book)


def test_chunks_built_ahead_keep_order_errors_and_stop():
    """The splice's XML is built by a second thread: chunks arrive in order, an error while building
    reaches the writer, and a writer that stops early leaves no thread behind."""
    import threading

    from otc_xl.io.xlsx.sheet_append import ahead

    assert list(ahead(iter([b"a", b"b", b"c"]), depth=1)) == [b"a", b"b", b"c"]

    def broken():
        yield b"first"
        raise ValueError("cell 7 cannot be written")
    got = []
    with pytest.raises(ValueError, match="cell 7"):
        for chunk in ahead(broken()):
            got.append(chunk)
    assert got == [b"first"]
    endless = ahead(iter(lambda: b"x", None), depth=1)
    assert next(endless) == b"x"
    endless.close()
    assert not [t for t in threading.enumerate() if t.name == "otc-xl-xml"]

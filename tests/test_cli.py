"""The otc-xl command: exit codes, messages, outputs; input files never change."""

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import INVOICE_HEADERS, invoice_row
from conftest import DEMO, ROOT
from otc_xl.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [[], ["run"], ["demo"], ["validate"], ["template"]])
def test_help_everywhere(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage: " in result.output


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """``otc-xl run DEMO --out report.xlsx`` once for the module (the tests only read what it wrote):
    (the copy it read, that copy's digest before the run, the result, the report)."""
    folder = tmp_path_factory.mktemp("demo_run")
    book, out = folder / "otc_demo.xlsx", folder / "report.xlsx"
    shutil.copy(DEMO, book)
    digest = sha(book)
    return book, digest, run("run", book, "--out", out), out


@pytest.fixture(scope="module")
def ran_in_place(tmp_path_factory) -> Path:
    """A copy of the demo after ``otc-xl run --in-place`` (read only: tests copy it before writing)."""
    book = tmp_path_factory.mktemp("in_place") / "otc_demo.xlsx"
    shutil.copy(DEMO, book)
    assert run("run", book, "--in-place").exit_code == 0
    return book


@pytest.fixture
def ran_copy(ran_in_place, tmp_path) -> Path:
    return Path(shutil.copy(ran_in_place, tmp_path / "otc_demo.xlsx"))


def test_run_on_demo_writes_report_and_leaves_input_untouched(demo_run):
    demo_copy, digest, result, out = demo_run
    assert result.exit_code == 0, result.output
    assert sha(demo_copy) == digest
    assert "as of 30/11/2026" in result.output and "2,000 rows" in result.output
    wb = openpyxl.load_workbook(out)
    assert "Inputs" in wb.sheetnames and "tblInputs" in wb["Inputs"].tables


def test_run_in_place_keeps_input_values(ran_copy):
    before = {ws.title: list(ws.iter_rows(values_only=True)) for ws in openpyxl.load_workbook(DEMO)}
    demo_copy = ran_copy  # a first run --in-place done (the fixture checks its exit code): now the second
    assert run("run", demo_copy, "--in-place").exit_code == 0
    wb = openpyxl.load_workbook(demo_copy)
    for title, rows in before.items():
        after = list(wb[title].iter_rows(values_only=True))
        if title == "ContactLog":  # otc_xl's record: earlier rows kept, today's added once
            assert [r[:len(rows[0])] for r in after[:len(rows)]] == rows, title
            continue
        if title in ("CreditAllocations", "Refunds"):  # proposals rewritten; the approvals typed are kept
            key = rows[0].index("approved")
            typed = {r[0]: r[key:key + 2] for r in rows[1:] if r[key]}
            kept = {r[0]: r[key:key + 2] for r in after[1:] if r[0] in typed}
            assert typed and kept == typed, title
            continue
        assert after == rows, title
    history = list(wb["DunningHistory"].iter_rows(values_only=True))
    assert not [r for r in history if r[0] == dt.datetime(2026, 11, 30)]  # run produces no letter: records none
    assert wb.sheetnames[:len(before)] == list(before) and wb.sheetnames.count("Inputs") == 1


def test_bad_workbook_exit_1_with_cell_messages(make_book, tmp_path):
    row = invoice_row(1)
    row[6] = "1.234,5O"
    book = make_book({"Invoices": [INVOICE_HEADERS, row]})
    result = CliRunner().invoke(main, ["run", str(book), "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 1
    assert "Invoices!G2: amount '1.234,5O' is not a number" in result.output
    assert "nothing was written" in result.output and not (tmp_path / "r.xlsx").exists()
    assert "Traceback" not in result.output


def test_out_into_a_missing_folder_says_it_created_it(make_book, tmp_path):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    out = tmp_path / "reprots" / "may" / "r.xlsx"  # a typo the associate must see
    result = run("run", book, "--out", out)
    assert result.exit_code == 0 and out.is_file()
    assert f"The folder {tmp_path / 'reprots'} did not exist: it was created for r.xlsx." in " ".join(
        result.output.split())
    again = run("run", book, "--out", out)
    assert again.exit_code == 0 and "did not exist" not in again.output


def test_validate(make_book):
    ok = run("validate", make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]}))
    assert ok.exit_code == 0 and "the workbook can be used" in ok.output
    bad = CliRunner().invoke(main, ["validate", str(make_book({"Invoices": [["x"]]}))])
    assert bad.exit_code == 1 and "required column invoice_id is missing" in bad.output
    # every input table found is listed, the optional ones too (the walkthrough missed ExchangeRates)
    more = run("validate", make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                                      "ExchangeRates": [["Date", "Currency", "Rate"], [dt.date(2026, 11, 30),
                                                                                       "GBP", 0.8614]]}))
    said = " ".join(more.output.split())
    assert more.exit_code == 0 and "exchange_rates 1 rows sheet ExchangeRates" in said, said


def test_missing_file_and_bad_option(tmp_path):
    result = CliRunner().invoke(main, ["run", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 1 and "file not found" in result.output
    result = CliRunner().invoke(main, ["run", str(tmp_path / "nope.xlsx"), "--as-of", "31/02/2026"])
    assert result.exit_code == 2 and "impossible date" in result.output


def test_as_of_flag_overrides_config(demo_copy, tmp_path):
    result = run("run", demo_copy, "--out", tmp_path / "r.xlsx", "--as-of", "31/12/2026")
    assert "as of 31/12/2026" in result.output


def test_toml_config(demo_copy, tmp_path):
    toml = tmp_path / "otc.toml"
    toml.write_text('[otc_xl]\nas_of = "2026-10-15"\nbuckets = [15, 45]\n')
    result = run("run", demo_copy, "--out", tmp_path / "r.xlsx", "--config", toml)
    assert result.exit_code == 0 and "as of 15/10/2026" in result.output


def test_template_command(tmp_path):
    out = tmp_path / "t.xlsx"
    assert run("template", out).exit_code == 0
    assert {"Invoices", "Payments", "Customers", "Orders", "Config"} <= set(openpyxl.load_workbook(out).sheetnames)


@pytest.mark.e2e
def test_demo_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no workbooks/ here: the demo workbook is generated
    result = run("demo", "--out", tmp_path / "demo_report.xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo_report.xlsx").exists()
    letters = tmp_path / "demo_report_letters"
    languages = {p.stem for p in letters.glob("*.html")}
    invoices = {p.stem for p in letters.glob("*.billing.json")}
    drafts = [p for p in letters.glob("*.eml") if not p.stem.endswith("_invoices")]
    assert len(drafts) == len(languages) > 20
    # the demo bills its delivered orders: a PDF and an e-mail per invoice, UBL XML for the Peppol customer
    assert len(invoices) == 11 and len(list(letters.glob("FV-2026-*.pdf"))) == 11
    assert len(list(letters.glob("FV-2026-*.xml"))) == 4  # 1 UBL, 3 Facturae (Factur-X: in the PDF)
    assert len(list(letters.glob("ESB86412574_*.xml"))) == 2  # FatturaPA, named as SdI requires
    assert len(list(letters.glob("*_invoices.eml"))) == 11  # one e-mail per customer billed
    sheet = openpyxl.load_workbook(tmp_path / "demo_report.xlsx")["Letters"]
    written = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert {"es", "it", "fr", "en"} <= written

    def outcome():
        wb = openpyxl.load_workbook(tmp_path / "demo_report.xlsx")
        return ({name: list(wb[name].iter_rows(values_only=True)) for name in ("Inputs", "Ageing", "Dunning",
                                                                                "Unapplied", "LegalCases")},
                sorted(p.name for p in letters.iterdir()))
    first = outcome()
    again = run("demo", "--out", tmp_path / "demo_report.xlsx")  # in the same folder: the same day again
    assert again.exit_code == 0, again.output
    assert "The previous demo's demo_report_letters/ was moved" in " ".join(again.output.split())
    assert outcome() == first  # same totals, notices, hand-overs and documents: it did not read its own files
    work = tmp_path / "demo_report_work"  # one working folder, replaced: not one more temporary folder per run
    kept = {p.name for p in work.iterdir()}  # (and the bank statement and ledger extract it generated)
    assert {".otc-xl-demo", "otc_demo.xlsx", "previous_demo_report_letters"} <= kept
    assert not any((work / "previous_demo_report_letters").glob("previous_*"))  # earlier runs' copies are gone
    assert "Reconciliation" in openpyxl.load_workbook(work / "otc_demo.xlsx", read_only=True).sheetnames
    inside = run("demo", "--book", work / "otc_demo.xlsx", "--out", tmp_path / "demo_report.xlsx")
    assert inside.exit_code == 1 and "is inside demo_report_work/" in " ".join(inside.output.split())
    assert (work / "otc_demo.xlsx").exists()
    (tmp_path / "mine_letters").mkdir()
    (tmp_path / "mine_letters" / "notes.txt").write_text("my own notes", encoding="utf-8")
    refused = run("demo", "--out", tmp_path / "mine.xlsx")  # a folder the demo did not write is left alone
    assert refused.exit_code == 1 and "was not written by otc-xl demo" in " ".join(refused.output.split())
    assert [p.name for p in (tmp_path / "mine_letters").iterdir()] == ["notes.txt"]
    assert not (tmp_path / "mine.xlsx").exists()


REPORT_TABLES = {"Inputs": "tblInputs", "Ageing": "tblAgeing", "AgeingSummary": "tblAgeingSummary",
                 "AgeingDetail": "tblAgeingDetail", "PivotData": "tblPivotData", "CreditBalances": "tblCreditBalances",
                 "Unapplied": "tblUnapplied", "Unbilled": "tblUnbilled", "KPIs": "tblKPIs"}


def test_run_writes_every_report_and_values_equal_the_engines(demo_run):
    import otc_xl
    from otc_xl.booking import book
    from otc_xl.reports import ageing

    demo_copy, _, result, out = demo_run
    assert "controls" in result.output and "all tie to the cent" in result.output
    wb = openpyxl.load_workbook(out)
    for sheet, table in REPORT_TABLES.items():
        assert table in wb[sheet].tables, sheet
    ledger = otc_xl.read_workbook(demo_copy)
    booked = book(ledger)  # the ageing is of the open items after the day's automatic cash application
    expected = ageing(booked.open_items, ledger.config.as_of)
    paid = booked.applications.loc[booked.applications["status"] == "auto"]
    assert paid["applied_amount"].sum() > 0 \
        and round(ledger.invoices["open_amount"].sum() - expected["Total"].sum(), 2) \
        == round(paid["applied_amount"].sum() + paid["writeoff_amount"].sum(), 2)
    rows = list(wb["Ageing"].iter_rows(min_row=2, max_row=len(expected) + 1, values_only=True))
    assert [r[0] for r in rows] == list(expected["customer_id"])
    assert [r[-1] for r in rows] == list(expected["Total"])
    kpi_notes = [c.value for c in wb["KPIs"]["G"] if c.value]
    assert kpi_notes[0] == "Controls (to the cent):" and all(n.startswith("OK") for n in kpi_notes[1:10])
    assert "xl/charts/chart1.xml" in __import__("zipfile").ZipFile(out).namelist()


@pytest.mark.e2e  # a whole CLI flow on the demo: run by .ci/run (pytest -m "")
def test_in_place_rerun_keeps_table_names_and_sheet_order(ran_copy):
    demo_copy = ran_copy  # after a first run --in-place
    first = openpyxl.load_workbook(demo_copy).sheetnames
    assert run("run", demo_copy, "--in-place", "--as-of", "31/12/2026").exit_code == 0
    wb = openpyxl.load_workbook(demo_copy)
    assert wb.sheetnames == first
    assert {s: list(wb[s].tables) for s in REPORT_TABLES} == {s: [t] for s, t in REPORT_TABLES.items()}


@pytest.mark.parametrize("command, sheets", [("ageing", {"Ageing", "AgeingSummary", "AgeingDetail", "PivotData",
                                                          "CreditBalances", "KPIs"}),
                                              ("unapplied", {"Applications", "AliasSuggestions", "Unapplied"}),
                                              ("unbilled", {"Unbilled"}),
                                              ("kpis", {"KPIs"})])
def test_single_report_commands(demo_copy, tmp_path, command, sheets):
    out = tmp_path / f"{command}.xlsx"
    result = run(command, demo_copy, "--out", out)
    assert result.exit_code == 0, result.output
    assert set(openpyxl.load_workbook(out).sheetnames) - {"otc_messages"} == sheets


def test_unbilled_needs_orders(make_book, tmp_path):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    result = CliRunner().invoke(main, ["unbilled", str(book), "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and "no orders found" in result.output


PAY_HEADERS = ["Payment No.", "Value date", "Payer", "Amount", "Remittance information"]
HOSTILE = '=HYPERLINK("http://x","y")'


def test_match_command_writes_applications_and_unapplied(make_book, tmp_path):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1, amount=100.0), invoice_row(2, amount=50.0)],
                      "Payments": [PAY_HEADERS, ["P1", "20/11/2026", "Customer C1", 100.0, "Fra. INV-0001"],
                                   ["P2", "21/11/2026", "+34 600", 70.0, HOSTILE]]})
    out = tmp_path / "m.xlsx"
    result = run("match", book, "--out", out, "--as-of", "30/11/2026")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    apps = list(wb["Applications"].iter_rows(min_row=2, values_only=True))
    assert [(a[0], a[1], a[3], a[7]) for a in apps] == [("P1", "INV-0001", 100.0, "auto")]
    unapplied = wb["Unapplied"]
    header = [c.value for c in unapplied[1]]
    row = {h: c for h, c in zip(header, unapplied[2])}
    assert row["payment_id"].value == "P2" and row["unapplied_amount"].value == 70.0
    assert row["remittance"].value == HOSTILE and row["remittance"].data_type == "s"
    assert row["payer_name"].value == "+34 600" and row["payer_name"].data_type == "s"


def test_in_place_keeps_hostile_input_text_as_text(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [PAY_HEADERS, ["P1", "20/11/2026", "X", 10.0, None]]})
    wb = openpyxl.load_workbook(book)
    cell = wb["Payments"]["E2"]
    cell._value, cell.data_type = HOSTILE, "s"
    wb.save(book)
    assert run("run", book, "--in-place").exit_code == 0
    xml = __import__("zipfile").ZipFile(book).read("xl/worksheets/sheet2.xml").decode()
    assert "HYPERLINK" in xml and "<f>" not in xml
    assert openpyxl.load_workbook(book)["Payments"]["E2"].data_type == "s"


@pytest.mark.e2e  # a whole CLI flow on the demo: run by .ci/run (pytest -m "")
def test_in_place_commands_and_import_follow_each_other(ran_copy):
    """otc_xl's own chart (AgeingSummary) must not block the next in-place command or an import."""
    import otc_xl
    from otc_xl.model.report import REPORT_TABLES
    from otc_xl.workflows import run_jobs

    demo_copy = ran_copy  # after run --in-place
    assert run("match", demo_copy, "--in-place").exit_code == 0
    result = run("import-bank", ROOT / "workbooks" / "otc_demo_camt053.xml", "--into", demo_copy)
    assert result.exit_code == 0 and "40 new bank line(s) appended" in result.output, result.output
    sheets, _ = run_jobs(otc_xl.read_workbook(demo_copy))
    assert {s.table for s in sheets.sheets} <= REPORT_TABLES

"""A real spreadsheet program opens what we write (LibreOffice headless; skipped when absent)."""

import csv

import pandas as pd
from click.testing import CliRunner

from conftest import libreoffice_convert, needs_libreoffice
from otc_xl.cli import main
from otc_xl.io.xlsx.report_writer import write_new_workbook
from otc_xl.model.report import ReportSheet

pytestmark = needs_libreoffice


def test_formula_text_stays_text_in_libreoffice(tmp_path):
    frame = pd.DataFrame({"remittance": ['=HYPERLINK("http://x","y")', "=1+1", "+2+2"], "amount": [1.5, 2.0, 3.0]})
    book = write_new_workbook(tmp_path / "hostile.xlsx", [ReportSheet("R", "tblR", frame, totals=("amount",))])
    rows = list(csv.reader(libreoffice_convert(book, "csv", tmp_path, sheet=1).open(encoding="utf-8")))
    assert rows[1][0] == '=HYPERLINK("http://x","y")' and rows[2][0] == "=1+1" and rows[3][0] == "+2+2"
    assert rows[4][:2] == ["Total", "6.5"], "our own totals formula must calculate"


def test_demo_report_opens_and_converts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["demo", "--out", "report.xlsx"]).exit_code == 0
    pdf = libreoffice_convert(tmp_path / "report.xlsx", "pdf", tmp_path / "pdf")
    assert pdf.stat().st_size > 1000
    text = pdf.read_bytes()
    assert b"/Type /Page" in text or b"/Type/Page" in text
    rows = list(csv.reader(libreoffice_convert(tmp_path / "report.xlsx", "csv", tmp_path, sheet=1)
                           .open(encoding="utf-8")))
    assert rows[0][:3] == ["table", "sheet", "rows"] and rows[1][:3] == ["invoices", "Invoices", "2000"]


def test_ageing_chart_and_totals_survive_libreoffice(tmp_path, monkeypatch):
    """LibreOffice re-saves the report as xlsx: the chart and the summary values must still be there."""
    import openpyxl

    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["demo", "--out", "report.xlsx"]).exit_code == 0
    resaved = libreoffice_convert(tmp_path / "report.xlsx", "xlsx", tmp_path / "lo")
    import zipfile
    names = zipfile.ZipFile(resaved).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names), "the ageing chart was lost"
    # the report's own open items (the demo posts, refunds and hands over before it reports)
    ours = openpyxl.load_workbook(tmp_path / "report.xlsx", data_only=True)
    items = [dict(zip([c.value for c in ours["AgeingDetail"][1]], r))
             for r in ours["AgeingDetail"].iter_rows(min_row=2, values_only=True) if r[0]]
    totals: dict[str, int] = {}
    for item in items:
        totals[item["currency"]] = totals.get(item["currency"], 0) + round(item["open_amount"] * 100)
    ws = openpyxl.load_workbook(resaved, data_only=True)["AgeingSummary"]
    rows = list(ws.iter_rows(min_row=1, max_row=len(totals) + 1, max_col=8, values_only=True))
    assert rows[0] == ("currency", "Current", "1-30", "31-60", "61-90", "91-120", "Over 120", "Total")
    assert [r[0] for r in rows[1:]] == sorted(totals)
    assert [round(r[7] * 100) for r in rows[1:]] == [totals[c] for c in sorted(totals)]


def test_built_addin_and_workbook_open_in_libreoffice(tmp_path):
    """LibreOffice opens the macro workbook, and the add-in with the Excel 2007 VBA import filter."""
    import shutil
    import subprocess

    from conftest import ROOT, soffice

    pdf = libreoffice_convert(ROOT / "workbooks" / "otc_workbook.xlsm", "pdf", tmp_path / "xlsm")
    assert pdf.stat().st_size > 1000
    addin = tmp_path / "OTC.xlam"
    shutil.copy(ROOT / "workbooks" / "OTC.xlam", addin)
    result = subprocess.run([soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                             "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "pdf", "--outdir",
                             str(tmp_path / "xlam"), str(addin)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0 and (tmp_path / "xlam" / "OTC.pdf").exists(), result.stdout + result.stderr

"""Writing reports never harms the user's workbook, and text never becomes a formula."""

import hashlib
import zipfile

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc

import otc_xl
from builders import INVOICE_HEADERS, invoice_row
from otc_xl.io.xlsx.report_splice import replace_report_sheets
from otc_xl.io.xlsx.report_writer import write_new_workbook
from otc_xl.model.report import BarChart, ReportSheet

HOSTILE = ['=HYPERLINK("http://x","y")', "+SUM(A1:A2)", "-1+1", "@cmd", "=1+1", "\x07bell"]


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def values(path, sheet):
    return [[c for c in row] for row in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def report(sheet="Report", table="tblReport", **kw):
    frame = pd.DataFrame({"customer": ["A", "B"], "amount": [10.5, -2.25],
                          "date": pd.to_datetime(["2026-01-31", "2026-02-28"])})
    return ReportSheet(sheet, table, frame, formats={"amount": "money"}, **kw)


def test_hostile_text_is_written_as_text(tmp_path):
    frame = pd.DataFrame({"remittance": HOSTILE, "amount": range(len(HOSTILE))})
    out = write_new_workbook(tmp_path / "r.xlsx", [ReportSheet("R", "tblR", frame)])
    ws = openpyxl.load_workbook(out)["R"]
    cells = [ws.cell(row=r, column=1) for r in range(2, len(HOSTILE) + 2)]
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    assert [c.value for c in cells] == HOSTILE[:-1] + [" bell"]
    assert all(c.quotePrefix for c in cells[:5])
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "HYPERLINK" in xml


def test_report_table_formats_totals_chart(tmp_path):
    sheet = report(totals=("amount",), highlight=("amount",), chart=BarChart("Amounts", "customer", ("amount",)),
                   notes=("Control: ok",))
    out = write_new_workbook(tmp_path / "r.xlsx", [sheet])
    ws = openpyxl.load_workbook(out)["Report"]
    table = ws.tables["tblReport"]
    assert table.ref == "A1:C4" and table.totalsRowCount == 1
    assert ws["B2"].value == 10.5 and ws["B2"].number_format == "#,##0.00;[Red]-#,##0.00"
    assert ws["B4"].value == "=SUBTOTAL(109,tblReport[amount])" and ws["A4"].value == "Total"
    assert ws["C2"].is_date and ws.freeze_panes == "A2"
    assert ws["E2"].value == "Control: ok"
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(out).namelist()


@pytest.mark.parametrize("rows, notes", [(1, 4), (3, 5), (40, 2)])
def test_totals_row_and_notes_share_rows_without_losing_either(tmp_path, rows, notes):
    """The table is laid out over one data row and stretched: its totals row lands below the
    data, beside whichever note is on that row, and both keep their values and formats."""
    frame = pd.DataFrame({"customer": [f"C{i}" for i in range(rows)], "amount": [1.25] * rows})
    sheet = ReportSheet("R", "tblR", frame, formats={"amount": "money"}, totals=("amount",),
                        notes=tuple(f"note {k}" for k in range(notes)))
    out = write_new_workbook(tmp_path / "r.xlsx", [sheet])
    ws = openpyxl.load_workbook(out)["R"]
    assert ws.tables["tblR"].ref == f"A1:B{rows + 2}" and ws.tables["tblR"].autoFilter.ref == f"A1:B{rows + 1}"
    assert [ws.cell(row=r, column=2).value for r in range(2, rows + 2)] == [1.25] * rows
    assert ws.cell(row=rows + 2, column=1).value == "Total"
    assert ws.cell(row=rows + 2, column=2).value == "=SUBTOTAL(109,tblR[amount])"
    assert ws.cell(row=rows + 2, column=2).number_format == "#,##0.00;[Red]-#,##0.00"
    assert [ws.cell(row=r, column=4).value for r in range(2, notes + 2)] == [f"note {k}" for k in range(notes)]
    assert ws.max_row == max(rows + 2, notes + 1)
    with pc.CalamineWorkbook.from_path(str(out)) as book:  # the cached total, for readers that do not calculate
        assert book.get_sheet_by_name("R").to_python()[rows + 1][1] == round(1.25 * rows, 2)


def test_empty_report_is_still_a_valid_table(tmp_path):
    out = write_new_workbook(tmp_path / "r.xlsx", [ReportSheet("E", "tblE", pd.DataFrame(columns=["a", "b"]))])
    assert openpyxl.load_workbook(out)["E"].tables["tblE"].ref == "A1:B2"


def test_report_must_be_xlsx(tmp_path):
    with pytest.raises(otc_xl.ValidationError, match="written as .xlsx"):
        write_new_workbook(tmp_path / "r.csv", [report()])


def test_in_place_replaces_only_own_sheets(make_book, tmp_path):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)], "Notes": [["keep me", 1]]})
    before = values(book, "Invoices")
    replace_report_sheets(book, [report()])
    replace_report_sheets(book, [report()])  # re-run: same sheet, same table, no duplicates
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Invoices", "Notes", "Report"]
    assert values(book, "Invoices") == before and values(book, "Notes") == [["keep me", 1]]
    assert list(wb["Report"].tables) == ["tblReport"]
    assert not list(tmp_path.glob(".~*")), "temporary files left behind"


def test_in_place_refuses_a_users_sheet_with_the_report_name(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)], "Report": [["mine"]]})
    digest = sha(book)
    with pytest.raises(otc_xl.ValidationError, match="this sheet was not written by otc_xl"):
        replace_report_sheets(book, [report()])
    assert sha(book) == digest


def test_error_cells_in_optional_columns_are_reported(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)[:8] + ["#REF!"]]})
    ledger = otc_xl.read_workbook(book)
    assert [str(p) for p in ledger.errors] == ["Invoices!I2: reference shows the Excel error #REF!; fix the formula "
                                               "or type the value"]

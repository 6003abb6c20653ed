"""Report sheets written into the user's own workbook: every part that is not ours stays as it was.

The strongest test builds the user's workbook with LibreOffice itself (chart, picture, data
validation, conditional format, named range, pivot table), runs ``otc-xl run --in-place`` on it
twice, compares the packages part by part, and has LibreOffice open the result, recalculate it and
refresh the pivot table.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc
from click.testing import CliRunner

import otc_xl
from builders import INVOICE_HEADERS, invoice_row
from conftest import DEMO, ROOT, needs_uno, uno
from otc_xl.cli import main
from otc_xl.io.locking import stale_temporaries
from otc_xl.io.xlsx.report_splice import backup_path, replace_report_sheets
from otc_xl.model.report import BarChart, ReportSheet

OURS_ONLY_WHEN_ADDING = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def parts(path: Path) -> dict[str, bytes]:
    import zipfile
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def own_parts(path: Path) -> set[str]:
    """Parts of otc_xl's report sheets (the sheet, its relationships, table, drawing, chart)."""
    import zipfile

    from otc_xl.io.xlsx.package import part_relationships, rels_part, sheet_parts
    from otc_xl.io.xlsx.report_splice import own_sheets
    from otc_xl.model.report import REPORT_TABLES

    with zipfile.ZipFile(path) as z:
        ours = {sheet_parts(z)[name] for name, tables in own_sheets(z).items() if tables & REPORT_TABLES}
        todo, found = list(ours), set(ours)
        while todo:
            part = todo.pop()
            found.add(rels_part(part))
            for r in part_relationships(z, part):
                if not r.external and r.target not in found:
                    found.add(r.target)
                    todo.append(r.target)
    return found


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def xfs(styles: bytes) -> list[bytes]:
    head = re.search(rb"<cellXfs[^>]*>", styles)
    return re.findall(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", styles[head.end():styles.find(b"</cellXfs>")], re.S)


@needs_uno
def test_a_libreoffice_workbook_keeps_every_part_that_is_not_ours(tmp_path):
    picture = tmp_path / "logo.png"
    picture.write_bytes(png())
    book = tmp_path / "ledger.xlsx"
    uno(tmp_path, "build", book, picture)
    original = parts(book)
    assert any(n.startswith("xl/pivotTables/") for n in original) and "xl/media/image1.png" in original
    data_sheet = original["xl/worksheets/sheet2.xml"]
    assert b"<dataValidation " in data_sheet and b"<conditionalFormatting " in data_sheet
    assert b'name="SalesData"' in original["xl/workbook.xml"]

    first = CliRunner().invoke(main, ["run", str(book), "--in-place"])
    assert first.exit_code == 0, first.output
    after_first = parts(book)
    assert parts(backup_path(book)) == original, "the previous file is kept as ledger.bak.xlsx"
    for name, data in original.items():
        if name not in OURS_ONLY_WHEN_ADDING:
            assert after_first[name] == data, f"{name} changed"
    added = set(after_first) - set(original)
    assert added and added <= own_parts(book)
    # workbook.xml: the same bytes with our <sheet> entries appended to <sheets> and our pivot caches
    # appended to the user's <pivotCaches>
    assert re.sub(rb'<sheet (?:xmlns:r="[^"]*" )?name="[^"]*" sheetId="\d+" r:id="rIdOtc\d+"/>'
                  rb'|<pivotCache (?:xmlns:r="[^"]*" )?cacheId="\d+" r:id="rIdOtcCache\d+"/>',
                  b"", after_first["xl/workbook.xml"]) == original["xl/workbook.xml"]
    assert xfs(after_first["xl/styles.xml"])[:len(xfs(original["xl/styles.xml"]))] == xfs(original["xl/styles.xml"])

    second = CliRunner().invoke(main, ["run", str(book), "--in-place"])
    assert second.exit_code == 0, second.output
    after_second = parts(book)
    assert set(after_second) == set(after_first), "re-running replaces our sheets, it does not add more"
    for name, data in after_first.items():
        if name not in own_parts(book):
            assert after_second[name] == data, f"{name} changed on the second run"

    with pc.CalamineWorkbook.from_path(str(book)) as wb:
        ageing = wb.get_sheet_by_name("Ageing").to_python()
    column = ageing[0].index("Total")
    assert [(r[0], r[column]) for r in ageing[1:]] == [("C1", 1500.5), ("C2", 99.99), ("Total", 1600.49)]
    # the totals row's SUBTOTAL carries its result, for readers that do not calculate
    assert otc_xl.read_workbook(book).ok

    found = json.loads(uno(tmp_path, "check", book))
    assert found["pivots"]["Pivot!SalesPivot"][1:] == [["North", "525"], ["South", "520"], ["Total Result", "1045"]]
    assert found["charts"]["Data"] and found["shapes"]["Data"] == 2  # the chart and the picture
    assert "SalesData" in found["names"] and found["charts"]["AgeingSummary"]
    assert found["sheets"][:3] == ["Invoices", "Data", "Pivot"]


def _report(rows: int = 3) -> ReportSheet:
    frame = pd.DataFrame({"customer": [f"C{i}" for i in range(rows)], "amount": [10.5 * (i + 1) for i in range(rows)],
                          "note": ["=cmd|' /C calc'!A0", "plain", "@SUM(1)"][:rows] + ["x"] * max(rows - 3, 0)})
    return ReportSheet("Report", "tblReport", frame, formats={"amount": "money"}, totals=("amount",),
                       highlight=("amount",), chart=BarChart("Amounts", "customer", ("amount",)), notes=("ok",))


def test_chart_on_a_users_sheet_is_kept_and_our_sheet_is_replaced(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    wb = openpyxl.load_workbook(book)
    from openpyxl.chart import BarChart as Chart
    from openpyxl.chart import Reference
    chart = Chart()
    chart.add_data(Reference(wb["Invoices"], min_col=7, min_row=1, max_row=2))
    wb["Invoices"].add_chart(chart, "K2")
    wb.save(book)
    original = parts(book)
    replace_report_sheets(book, [_report()], backup=False)
    replace_report_sheets(book, [_report(5)], backup=False)
    after = parts(book)
    assert not backup_path(book).exists()
    for name in ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/worksheets/sheet1.xml"):
        assert after[name] == original[name]
    ws = openpyxl.load_workbook(book)["Report"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 7)] == [10.5, 21.0, 31.5, 42.0, 52.5]
    assert ws.tables["tblReport"].ref == "A1:C7" and ws["B7"].value == "=SUBTOTAL(109,tblReport[amount])"
    assert ws["C2"].value == "=cmd|' /C calc'!A0" and ws["C2"].data_type == "s" and ws["C2"].quotePrefix
    assert ws["B2"].number_format == "#,##0.00;[Red]-#,##0.00"
    charts = [n for n in after if n.startswith("xl/charts/")]
    assert len(charts) == 2, "the user's chart and ours: the re-run replaced ours"
    assert len([n for n in after if n.startswith("xl/tables/")]) == 1


def test_vba_project_is_kept_byte_for_byte(tmp_path):
    book = tmp_path / "macros.xlsm"
    shutil.copy(ROOT / "workbooks" / "otc_workbook.xlsm", book)
    original = parts(book)
    replace_report_sheets(book, [_report()])
    after = parts(book)
    assert after["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]
    assert b"macroEnabled" in after["[Content_Types].xml"]
    assert all(after[n] == data for n, data in original.items() if n not in OURS_ONLY_WHEN_ADDING)
    assert "Report" in openpyxl.load_workbook(book, keep_vba=True).sheetnames


def test_a_replaced_sheet_keeps_its_vba_code_name(tmp_path):
    """Excel pairs an .xlsm's VBA document modules with sheets by code name: a report sheet that
    Excel gave one (Sheet2) keeps it when otc_xl replaces the sheet."""
    import zipfile

    book = tmp_path / "macros.xlsm"
    shutil.copy(ROOT / "workbooks" / "otc_workbook.xlsm", book)
    replace_report_sheets(book, [_report()], backup=False)
    with zipfile.ZipFile(book) as z:
        contents = {n: z.read(n) for n in z.namelist()}
    from otc_xl.io.xlsx.package import sheet_parts
    with zipfile.ZipFile(book) as z:
        part = sheet_parts(z)["Report"]
    assert b"codeName" not in contents[part]
    contents[part] = re.sub(rb"(<worksheet\b[^>]*>)", rb'\1<sheetPr codeName="Sheet2"/>', contents[part], count=1)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:  # as Excel saves it after opening the VBA editor
        for name, data in contents.items():
            z.writestr(name, data)
    replace_report_sheets(book, [_report(5)], backup=False)
    after = parts(book)
    assert re.search(rb'<sheetPr\b[^>]*codeName="Sheet2"', after[part])
    assert after[part].count(b"<sheetPr") == 1
    ws = openpyxl.load_workbook(book, keep_vba=True)["Report"]
    assert ws.sheet_properties.codeName == "Sheet2" and ws["B6"].value == 52.5


def test_calc_chain_listing_a_replaced_sheet_is_dropped(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    replace_report_sheets(book, [_report()], backup=False)
    import zipfile
    with zipfile.ZipFile(book) as z:  # as Excel would save it: a calcChain with our totals formula
        contents = {n: z.read(n) for n in z.namelist()}
    sheet_id = re.search(rb'<sheet (?:xmlns:r="[^"]*" )?name="Report" sheetId="(\d+)"',
                         contents["xl/workbook.xml"]).group(1)
    contents["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns='
                                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="B5" i="'
                                    + sheet_id + b'"/></calcChain>')
    rels = contents["xl/_rels/workbook.xml.rels"]
    contents["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", (
        b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'calcChain" Target="calcChain.xml"/></Relationships>'))
    contents["[Content_Types].xml"] = contents["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.calcChain+xml"/></Types>'))
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            z.writestr(name, data)
    replace_report_sheets(book, [_report()], backup=False)
    after = parts(book)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"] and b"calcChain" not in after["[Content_Types].xml"]
    assert openpyxl.load_workbook(book)["Report"]["A2"].value == "C0"


def test_refusals_write_nothing(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)], "Report": [["mine"]]})
    before = parts(book)
    with pytest.raises(otc_xl.ValidationError, match="this sheet was not written by otc_xl"):
        replace_report_sheets(book, [_report()])
    assert parts(book) == before and not backup_path(book).exists()
    ods = book.with_suffix(".ods")
    ods.write_bytes(b"PK")
    with pytest.raises(otc_xl.ValidationError, match=".xlsx and .xlsm workbooks only"):
        replace_report_sheets(ods, [_report()])


def test_no_backup_flag(tmp_path):
    book = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, book)
    assert CliRunner().invoke(main, ["ageing", str(book), "--in-place", "--no-backup"]).exit_code == 0
    assert not backup_path(book).exists()
    assert CliRunner().invoke(main, ["ageing", str(book), "--in-place"]).exit_code == 0
    assert backup_path(book).exists()


def test_sigkill_during_in_place_write_leaves_the_book_unchanged(tmp_path):
    book = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, book)
    before = parts(book)
    proc = subprocess.Popen([sys.executable, "-m", "otc_xl.cli", "run", str(book), "--in-place", "--no-backup"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 120
    while not stale_temporaries(book) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.002)
    assert stale_temporaries(book), "the run never started writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert parts(book) == before, "the book changed although the write was killed"
    assert otc_xl.read_workbook(book).ok


def test_pivots_over_our_sheets_refresh_on_open_and_others_are_untouched(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    import zipfile
    with zipfile.ZipFile(book) as z:
        contents = {n: z.read(n) for n in z.namelist()}
    cache = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main" refreshOnLoad="0" recordCount="1">'
             '<cacheSource type="worksheet">'
             '<worksheetSource ref="A1:C4" sheet="{sheet}"/></cacheSource></pivotCacheDefinition>')
    contents["xl/pivotCache/pivotCacheDefinition1.xml"] = cache.format(sheet="Report").encode()
    contents["xl/pivotCache/pivotCacheDefinition2.xml"] = cache.format(sheet="Invoices").encode()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            z.writestr(name, data)
    replace_report_sheets(book, [_report()], backup=False)
    after = parts(book)
    assert b'<pivotCacheDefinition refreshOnLoad="1" xmlns=' in after["xl/pivotCache/pivotCacheDefinition1.xml"]
    assert after["xl/pivotCache/pivotCacheDefinition2.xml"] == contents["xl/pivotCache/pivotCacheDefinition2.xml"]


@pytest.mark.parametrize("damage", ["styles without cellXfs", "strict namespace", "not a zip"])
def test_a_package_it_cannot_extend_is_refused_with_nothing_written(make_book, damage):
    import zipfile
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    with zipfile.ZipFile(book) as z:
        contents = {n: z.read(n) for n in z.namelist()}
    if damage == "styles without cellXfs":
        contents["xl/styles.xml"] = re.sub(rb"<cellXfs.*?</cellXfs>", b"", contents["xl/styles.xml"], flags=re.S)
    elif damage == "strict namespace":
        contents["xl/workbook.xml"] = contents["xl/workbook.xml"].replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            z.writestr(name, data)
    if damage == "not a zip":
        book.write_bytes(b"PK\x03\x04 not really")
    before = book.read_bytes()
    with pytest.raises(otc_xl.ValidationError, match="cannot write into this workbook safely.*nothing was written"):
        replace_report_sheets(book, [_report()])
    assert book.read_bytes() == before and not backup_path(book).exists()


def test_a_workbook_declaring_r_only_on_its_sheets_stays_well_formed(make_book):
    """openpyxl with lxml writes ``xmlns:r`` on each <sheet>, not on <workbook>: the sheets we add
    declare it themselves (a prefix borrowed from a sibling would be unbound, and Excel would call
    the file damaged)."""
    import zipfile

    from defusedxml import ElementTree

    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    with zipfile.ZipFile(book) as z:
        contents = {n: z.read(n) for n in z.namelist()}
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    workbook = contents["xl/workbook.xml"].replace(b" " + rel, b"")
    contents["xl/workbook.xml"] = workbook.replace(b"<sheet ", b"<sheet " + rel + b" ")
    assert rel not in re.search(rb"<workbook[^>]*>", contents["xl/workbook.xml"]).group(0)
    with zipfile.ZipFile(book, "w") as z:
        for name, data in contents.items():
            z.writestr(name, data)
    replace_report_sheets(book, [_report()], backup=False)
    with zipfile.ZipFile(book) as z:
        ElementTree.fromstring(z.read("xl/workbook.xml"))  # raises on an unbound prefix
    assert otc_xl.read_workbook(book).ok

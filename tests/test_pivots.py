"""Native PivotTables over our Tables: LibreOffice refreshes them and they equal the report's totals,
in a new report and after in-place re-runs with more rows."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl

from conftest import needs_uno, uno
from test_cli import run
from test_collections_cli import table_rows


def cents(text: str) -> int:
    return round(float(text.replace(",", "")) * 100) if text else 0


def pivot_totals(found: dict, name: str, keys: int) -> tuple[dict[tuple, int], dict[str, int]]:
    """(row keys → the pivot's total column, currency → its 'X Result' line) from LibreOffice's output."""
    rows = found["pivots"][name][2:]  # caption row, header row
    lines, per_currency, current = {}, {}, None
    for row in rows:
        if row[0].endswith(" Result"):
            per_currency[row[0].split()[0]] = cents(row[-1])
            continue
        current = row[0] or current
        lines[(current, *row[1:keys])] = cents(row[-1])
    return lines, per_currency


def expected(path, sheet: str, keys: tuple[str, ...], value: str) -> tuple[dict[tuple, int], dict[str, int]]:
    lines, per_currency = {}, {}
    for r in table_rows(path, sheet):
        key = tuple(r[k] or "" for k in keys)
        lines[key] = lines.get(key, 0) + round(r[value] * 100)
        per_currency[r["currency"]] = per_currency.get(r["currency"], 0) + round(r[value] * 100)
    return {k: v for k, v in lines.items()}, per_currency


def check(tmp_path, book, label):
    found = json.loads(uno(tmp_path / label, "check", book))
    for name, sheet, keys, value in (("PivotData!ptAgeingByCollector", "PivotData",
                                      ("currency", "collector"), "amount"),
                                     ("Unapplied!ptUnappliedByReason", "Unapplied", ("currency", "reason"),
                                      "unapplied_amount")):
        got_lines, got_currency = pivot_totals(found, name, len(keys))
        want_lines, want_currency = expected(book, sheet, keys, value)
        assert got_currency == want_currency, (label, name)
        assert got_lines == {k: v for k, v in want_lines.items() if v}, (label, name)
    country = found["pivots"]["PivotData!ptAgeingByCountry"]
    assert country[1][:3] == ["currency", "country", "customer_name"]
    return found


@needs_uno
def test_pivots_refresh_in_libreoffice_and_equal_the_tables(demo_copy, tmp_path):
    report = tmp_path / "report.xlsx"
    assert run("run", demo_copy, "--out", report).exit_code == 0
    with zipfile.ZipFile(report) as z:
        caches = [z.read(n) for n in z.namelist() if n.startswith("xl/pivotCache/pivotCacheDefinition")]
    assert len(caches) == 3 and all(b'refreshOnLoad="1"' in c for c in caches)
    assert any(b'<worksheetSource name="tblPivotData"/>' in c for c in caches)  # on the Table, by name
    check(tmp_path, report, "new")
    # in place, twice, the second time with more rows: the pivots move with the sheets and still tie
    assert run("run", demo_copy, "--in-place", "--no-backup").exit_code == 0
    check(tmp_path, demo_copy, "first")
    wb = openpyxl.load_workbook(demo_copy)
    ws = wb["Invoices"]
    for k in range(25):
        ws.append([f"NEW-{k:03d}", "C10001", "New customer", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "EUR",
                   100.0 + k, 100.0 + k])
    wb.save(demo_copy)
    before = len(table_rows(demo_copy, "PivotData"))
    assert run("run", demo_copy, "--in-place", "--no-backup").exit_code == 0
    assert len(table_rows(demo_copy, "PivotData")) >= before
    check(tmp_path, demo_copy, "second")
    with zipfile.ZipFile(demo_copy) as z:
        names = z.namelist()
        workbook = z.read("xl/workbook.xml")
    assert sum(n.startswith("xl/pivotTables/pivotTable") and n.endswith(".xml") for n in names) == 3  # not 6
    assert workbook.count(b"<pivotCache ") == 3


@needs_uno
def test_the_template_carries_the_pivots_over_its_empty_tables(tmp_path):
    from conftest import ROOT

    template = ROOT / "workbooks" / "otc_template.xlsx"
    with zipfile.ZipFile(template) as z:
        caches = [z.read(n) for n in z.namelist() if n.startswith("xl/pivotCache/pivotCacheDefinition")]
        workbook = z.read("xl/workbook.xml")
    assert sorted(c.split(b'<worksheetSource name="')[1].split(b'"')[0] for c in caches) == [
        b"tblPivotData", b"tblPivotData", b"tblUnapplied"]
    assert workbook.count(b"<pivotCache ") == 3
    found = json.loads(uno(tmp_path, "check", template))
    assert set(found["pivots"]) == {"PivotData!ptAgeingByCollector", "PivotData!ptAgeingByCountry",
                                    "Unapplied!ptUnappliedByReason"}
    assert run("validate", template).exit_code == 0  # still a template to fill: its inputs are fine

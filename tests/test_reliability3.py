"""Issue 32: reliability, round 3 — the newer commands (billing, accounts, team, writing into odd
user books) under bad input, odd books and misuse.

Each test reproduces a case that gave a wrong result without a word, lost data or ended in an
internal error, and asserts the outcome now: files unchanged, the right values written, and the
message naming the file, sheet, row, column or setting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import INVOICE_HEADERS, invoice_row
from conftest import libreoffice_convert, needs_libreoffice, write_book
from otc_xl.cli import main
from otc_xl.io.files import safe_stem, write_files
from otc_xl.model.problems import ValidationError

AS_OF = "30/11/2026"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def plain(output: str) -> str:
    """The output with the summary table's borders gone and every run of blanks one space (a wrapped
    cell reads as one text)."""
    return " ".join(re.sub(r"[│┃]", " ", output).split())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def small_book(path: Path, customer: str = "C1", insolvency: str = "") -> Path:
    return write_book(path, {
        "Invoices": [INVOICE_HEADERS, invoice_row(1, customer, 1_200.0, dt.date(2026, 5, 1)),
                     invoice_row(2, customer, 300.0, dt.date(2026, 10, 1))],
        "Customers": [["Customer No.", "Customer name", "Insolvency", "Language"],
                      [customer, "Uno S.L.", insolvency, "es"]],
        "Config": [["as_of", AS_OF]]})


# ---------------------------------------------------------------------------- 1. output over an input

def test_team_out_onto_a_member_workbook_is_refused(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    anna, luca = small_book(folder / "anna.xlsx"), small_book(folder / "luca.xlsx", "C2")
    digest = sha(anna)
    result = run("team", folder, "--out", anna, "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    assert "anna.xlsx" in result.output and "is the input workbook" in result.output
    assert sha(anna) == digest
    # the same member through a link in another folder
    link = tmp_path / "anna_link.xlsx"
    link.symlink_to(anna)
    assert run("team", folder, "--out", link, "--as-of", AS_OF).exit_code == 1 and sha(anna) == digest
    # the default output, and an earlier team report in the folder, are not members: a re-run works
    assert run("team", folder, "--as-of", AS_OF).exit_code == 0
    again = run("team", folder, "--as-of", AS_OF)
    assert again.exit_code == 0, again.output
    listed = [r[0] for r in openpyxl.load_workbook(folder / "team_report.xlsx")["Workbooks"].iter_rows(
        min_row=2, values_only=True) if r[0]]
    assert sorted(listed) == ["anna", "luca"] and sha(luca) == sha(luca)


def test_demo_out_onto_its_book_is_refused(tmp_path):
    book = small_book(tmp_path / "b.xlsx")
    digest = sha(book)
    result = run("demo", "--book", book, "--out", book)
    assert result.exit_code == 1, result.output
    assert "is the input workbook" in result.output and sha(book) == digest


def test_reconcile_out_onto_the_customers_file_is_refused(tmp_path):
    book = small_book(tmp_path / "b.xlsx")
    theirs = write_book(tmp_path / "theirs.xlsx", {"Sheet1": [["Document", "Date", "Amount"],
                                                              ["INV-0001", dt.date(2026, 4, 1), 1_200.0]]})
    digest = sha(theirs)
    result = run("reconcile", book, "C1", theirs, "--out", theirs)
    assert result.exit_code == 1, result.output
    assert "theirs.xlsx" in result.output and sha(theirs) == digest


def test_plan_csv_onto_the_book_it_goes_into_is_refused(tmp_path):
    book = small_book(tmp_path / "b.xlsx")
    digest = sha(book)
    result = run("plan", "900", "-n", "3", "--first", "31/12/2026", "--csv", book, "--into", book, "--customer", "C1")
    assert result.exit_code != 0
    assert "b.xlsx" in result.output and sha(book) == digest


# ---------------------------------------------------------------------------- 2. file names from data

def test_file_names_from_data_never_leave_the_folder_nor_collide():
    assert safe_stem("C10001") == "C10001" and safe_stem("FV-2026-01201") == "FV-2026-01201"
    stems = {text: safe_stem(text) for text in ("C.1", "C/1", "C_1", "C 1", "C\\1", "..", ".", "", "X/../../e",
                                                 "CON", "Ñandú", "c1", "C1", "ملف", "a" * 300, "a" * 299 + "b")}
    assert len(set(stems.values())) == len(stems)  # two ids never share a file
    for text, stem in stems.items():
        assert stem not in ("", ".", "..") and "/" not in stem and "\\" not in stem and "." not in stem, (text, stem)
        assert len(stem) <= 80
    assert stems["CON"] != "CON" and stems["C1"] == "C1"
    assert stems["Ñandú"].startswith("Ñandú~")  # a lower-case letter: the case is kept apart by a digest
    folded = {stem.casefold() for stem in stems.values()}
    assert len(folded) == len(stems)  # also on a disk that ignores case (Windows, macOS): c1 and C1 apart


def test_legal_case_file_of_a_traversing_customer_id_stays_in_the_folder(tmp_path):
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    book = small_book(work / "book.xlsx", "X/../../../escaped", insolvency="concurso")
    files = work / "files"
    result = run("legal", book, "--files", files)
    assert result.exit_code == 0, result.output
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*case_file.xlsx")]
    [name] = [p.name for p in written]
    assert written == [Path("a/b/c/files") / name] and name.startswith("LGL-X%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fescaped~")


def test_write_files_refuses_a_name_with_a_folder(tmp_path):
    with pytest.raises(ValidationError, match="not a plain file name"):
        write_files(tmp_path, {"../x.html": b"x"})
    assert not (tmp_path.parent / "x.html").exists()


def test_plan_csv_must_be_a_csv_name_and_template_an_xlsx_name(tmp_path):
    book = small_book(tmp_path / "b.xlsx")
    digest = sha(book)
    result = run("plan", "900", "-n", "3", "--first", "31/12/2026", "--csv", book)
    assert result.exit_code == 2 and "does not end in .csv" in result.output and sha(book) == digest
    result = run("template", tmp_path / "t.csv")
    assert result.exit_code == 1 and "t.xlsx" in result.output and not (tmp_path / "t.csv").exists()


# ---------------------------------------------------------------------------- 3. odd book files

def test_in_place_on_a_symlinked_book_writes_through_to_the_real_book(tmp_path):
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir(), link_dir.mkdir()
    book = small_book(real_dir / "book.xlsx")
    link = link_dir / "book.xlsx"
    link.symlink_to(book)
    result = run("run", link, "--in-place", "--no-backup")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.path.realpath(link) == str(book)
    assert "KPIs" in openpyxl.load_workbook(book, read_only=True).sheetnames
    assert not list(link_dir.glob(".~*")) and not list(real_dir.glob(".~*"))  # no temporary nor lock file left


def test_read_only_book_is_refused_by_its_permission_bits(tmp_path):
    book = small_book(tmp_path / "book.xlsx")
    digest = sha(book)
    book.chmod(0o444)
    try:
        result = run("dunning", book, "--files", tmp_path / "files")
        assert result.exit_code == 1, result.output
        assert "book.xlsx" in result.output and "read-only" in result.output
        assert sha(book) == digest and (book.stat().st_mode & 0o777) == 0o444
    finally:
        book.chmod(0o644)


def test_a_folder_named_like_the_backup_is_a_clear_message(tmp_path):
    book = small_book(tmp_path / "book.xlsx")
    digest = sha(book)
    (tmp_path / "book.bak.xlsx").mkdir()
    result = run("run", book, "--in-place")
    assert result.exit_code == 1, result.output
    assert "book.bak.xlsx" in result.output and "is a folder" in result.output
    assert "Internal error" not in result.output and sha(book) == digest


def test_no_lock_file_is_left_beside_books_nor_for_outputs_never_written(tmp_path):
    book = small_book(tmp_path / "book.xlsx")
    assert run("worklist", book).exit_code == 0
    bad = write_book(tmp_path / "bad.xlsx", {"Invoices": [INVOICE_HEADERS, ["X", "C1", "n", "31/02/2026"]]})
    assert run("run", bad, "--out", tmp_path / "never.xlsx").exit_code == 1
    assert not (tmp_path / "never.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".~")) == []


# ---------------------------------------------------------------------------- 4-6. billing

ORDER_HEADERS = ["order_id", "line", "customer_id", "description", "quantity", "unit_price", "discount_pct",
                 "vat_category", "vat_rate", "delivery_date", "currency"]


def order_line(order: str, n: int = 1, qty=1, price=100.0, discount=0.0, rate=21.0, currency="EUR",
               description="Widget", customer="C1"):
    return [order, n, customer, description, qty, price, discount, "S", rate, dt.date(2026, 11, 20), currency]


def billing_book(path: Path, lines: list[list], config: dict | None = None, customer_name: str = "Uno S.L.",
                 einvoice: str = "pdf", percent_rows: tuple[int, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(INVOICE_HEADERS)
    ws.append(invoice_row(1, "C1"))
    cs = wb.create_sheet("Customers")
    cs.append(["customer_id", "customer_name", "country", "vat_id", "language", "einvoice_format", "street",
               "postal_code", "city", "province", "sdi_code"])
    cs.append(["C1", customer_name, "IT" if einvoice == "fatturapa" else "ES",
               "IT01234560017" if einvoice == "fatturapa" else "ESB12345674", "es", einvoice, "Via Roma 1",
               "20121", "Milano", "MI", "M5UXCR1"])
    ol = wb.create_sheet("OrderLines")
    ol.append(ORDER_HEADERS)
    for row in lines:
        ol.append(row)
    for r in percent_rows:  # typed as 21 % in Excel: the cell holds 0.21 in a percent format
        cell = ol.cell(r, ORDER_HEADERS.index("vat_rate") + 1)
        cell.value, cell.number_format = cell.value / 100, "0%"
    cfg = wb.create_sheet("Config")
    for key, value in {"company_name": "Iberia Components S.L.", "company_vat_id": "ESB86412574",
                       "company_country": "ES", "as_of": AS_OF, **(config or {})}.items():
        cfg.append([key, value])
    wb.save(path)
    return path


def rows_of(book: Path, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(book)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = [h for h in rows[0] if h is not None]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r[:len(header)])]


def approve_all(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["InvoiceDrafts"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("draft_key")].value:
            row[header.index("approved")].value = "yes"
            row[header.index("approved_by")].value = "ana"
    wb.save(book)


def statuses(book: Path) -> dict[str, str]:
    return {r["order_id"]: r["status"] for r in rows_of(book, "InvoiceDrafts")}


def test_a_vat_rate_typed_as_a_percentage_is_billed_at_that_percentage(tmp_path):
    book = billing_book(tmp_path / "b.xlsx", [order_line("O1")], percent_rows=(2,))
    result = run("invoice", book, "--files", tmp_path / "docs")
    assert result.exit_code == 0, result.output
    line = rows_of(book, "InvoiceLines")[0]
    assert (line["vat_rate"], line["net"], line["vat"]) == (21, 100, 21)
    assert statuses(book) == {"O1": "ready"}


def test_a_vat_rate_that_is_not_one_of_the_sellers_country_blocks_its_draft(tmp_path):
    book = billing_book(tmp_path / "b.xlsx", [order_line("O1", rate=2.1), order_line("O2", rate=0.21),
                                              order_line("O3", rate=10.0)])
    result = run("invoice", book, "--files", tmp_path / "docs")
    assert result.exit_code == 0, result.output
    assert statuses(book) == {"O1": "blocked: OrderLines row 2 vat_rate", "O2": "blocked: OrderLines row 3 vat_rate",
                              "O3": "ready"}
    flat = " ".join(result.output.split())
    assert "OrderLines!I2: order O1 line 1: vat_rate must be a VAT rate of ES (21, 10, 4 %), found 2.1" in flat
    assert "0.21 looks like 21 % written as a fraction" in flat
    # the seller says which rates it bills (a special territory, a new rate): then they are ready
    book = billing_book(tmp_path / "c.xlsx", [order_line("O1", rate=2.1)], config={"vat_rates": "21; 2.1"})
    assert run("invoice", book, "--files", tmp_path / "docs").exit_code == 0
    assert statuses(book) == {"O1": "ready"}


def test_bad_discounts_huge_lines_and_unknown_currencies_block_at_draft_and_the_rest_posts(tmp_path):
    book = billing_book(tmp_path / "b.xlsx", [
        order_line("O1", discount=150.0), order_line("O2", discount=-5.0),
        order_line("O3", qty=1000, price=9e12), order_line("O4", currency="XYZ"),
        order_line("O5", description="Long text " * 500), order_line("O6", qty=9, price=999_999_999_999.0)])
    result = run("invoice", book, "--files", tmp_path / "docs")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert statuses(book) == {"O1": "blocked: OrderLines row 2 discount_pct",
                              "O2": "blocked: OrderLines row 3 discount_pct",
                              "O3": "blocked: OrderLines row 4 quantity",
                              "O4": "blocked: OrderLines row 5 currency", "O5": "ready",
                              "O6": "blocked: OrderLines rows 7"}
    assert "order O1 line 1: discount_pct must be a discount from 0 to 100 %, found 150" in flat
    assert "order O3 line 1: quantity must be a line amount below 10,000,000,000,000" in flat
    assert "order O4 line 1: currency must be an ISO 4217 currency code" in flat and "'XYZ'" in flat
    assert "order O6: its invoice would total 10,889,999,999,989.11, beyond any real amount" in flat
    assert all(r["gross"] >= 0 for r in rows_of(book, "InvoiceDrafts"))
    approve_all(book)
    posted = run("invoice", book, "--post", "--files", tmp_path / "docs")
    assert posted.exit_code == 0, posted.output
    log = rows_of(book, "BillingLog")
    assert [(r["invoice_id"], r["order_id"]) for r in log] == [("FV-2026-00001", "O5")]
    assert (tmp_path / "docs" / "FV-2026-00001.pdf").read_bytes().startswith(b"%PDF")


def test_posting_dated_before_the_last_invoice_of_the_series_is_refused(tmp_path):
    book = billing_book(tmp_path / "b.xlsx", [order_line("O1")])
    assert run("invoice", book, "--files", tmp_path / "docs").exit_code == 0
    approve_all(book)
    assert run("invoice", book, "--post", "--files", tmp_path / "docs").exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["OrderLines"].append(order_line("O2"))
    wb.save(book)
    assert run("invoice", book, "--files", tmp_path / "docs").exit_code == 0
    approve_all(book)
    digest = sha(book)
    late = run("invoice", book, "--post", "--files", tmp_path / "docs", "--as-of", "15/11/2026")
    assert late.exit_code == 1, late.output
    flat = " ".join(late.output.split())
    assert "the last number, FV-2026-00001, is dated 30/11/2026" in flat and "--as-of 30/11/2026" in flat
    assert sha(book) == digest and not (tmp_path / "docs" / "FV-2026-00002.pdf").exists()


def test_posting_with_nothing_approved_says_why(tmp_path):
    book = billing_book(tmp_path / "b.xlsx", [order_line("O1")])
    result = run("invoice", book, "--post", "--files", tmp_path / "docs")
    assert result.exit_code == 0, result.output
    assert "invoices posted now 0 — no draft is approved: type yes in InvoiceDrafts approved" in plain(result.output)
    # everything billed already: no draft at all, and the summary says that rather than "not approved"
    approve_all(book)
    assert run("invoice", book, "--post", "--files", tmp_path / "docs").exit_code == 0
    again = run("invoice", book, "--post", "--files", tmp_path / "docs")
    assert "invoices posted now 0 — there is no draft: nothing delivered is waiting to be invoiced" in plain(
        again.output), plain(again.output)


def test_optional_order_line_columns_are_optional_and_their_synonyms_known(tmp_path):
    """item, description and unit had their synonyms in the ``required`` place: required, and no synonym known."""
    from otc_xl.model.billing import ORDER_LINES

    columns = {c.name: c for c in ORDER_LINES.columns}
    assert not any(columns[n].required for n in ("item", "description", "unit"))
    assert "artikel" in columns["item"].synonyms and "descrizione" in columns["description"].synonyms


# ---------------------------------------------------------------------------- 7. accounts misuse

IBAN_TR = "TR330006100519786457841326"  # valid, but Turkey is outside the SEPA scheme


def test_a_refund_to_an_iban_outside_sepa_is_not_put_in_a_pain001(tmp_path):
    from test_refunds import approve, pain_files, refund_book

    book = refund_book(tmp_path / "book.xlsx")
    files = tmp_path / "files"
    assert run("refunds", book, "--files", files).exit_code == 0
    approve(book, "RFD-CRN-1", iban=IBAN_TR)
    result = run("refunds", book, "--files", files)
    assert result.exit_code == 0, result.output
    status = {r["refund_id"]: r["status"] for r in rows_of(book, "Refunds")}
    assert status["RFD-CRN-1"].startswith("IBAN outside SEPA: TR is outside the SEPA scheme")
    assert "RFD-CRN-1 is approved but was not paid: IBAN outside SEPA" in plain(result.output)
    assert pain_files(files) == []


def test_a_debit_under_a_mandate_signed_after_the_collection_date_is_not_collected(tmp_path):
    from test_debits import approve_all, debit_book
    from test_refunds import IBAN_ES

    book = debit_book(tmp_path / "book.xlsx")
    added = run("plan", "300", "-n", "1", "--first", "03/12/2026", "--into", book, "--customer", "C1",
                "--mandate", "MNDT-1", "--mandate-date", "20/12/2026", "--iban", IBAN_ES)
    assert added.exit_code == 0, added.output
    added = run("plan", "300", "-n", "1", "--first", "04/12/2026", "--into", book, "--customer", "C4",
                "--mandate", "MNDT-4", "--mandate-date", "01/01/2026", "--iban", IBAN_TR)
    assert added.exit_code == 0, added.output
    approve_all(book)
    files = tmp_path / "files"
    result = run("debits", book, "--files", files)
    assert result.exit_code == 0, result.output
    status = {r["plan_id"]: r["status"] for r in rows_of(book, "DirectDebits")}
    assert status["PLAN-C1-20261203"] == ("mandate signed 20/12/2026, after the collection date 03/12/2026: a debit "
                                          "needs a mandate signed before it")
    assert status["PLAN-C4-20261204"].startswith("IBAN outside SEPA: TR")
    assert not list(files.glob("*.xml"))


def test_plan_into_a_customer_that_does_not_exist_is_refused(tmp_path):
    book = small_book(tmp_path / "b.xlsx")
    digest = sha(book)
    result = run("plan", "900", "-n", "3", "--first", "31/12/2026", "--into", book, "--customer", "c1")
    assert result.exit_code == 1, result.output
    assert "--customer c1 is not in b.xlsx's Customers or Invoices" in plain(result.output)
    assert "did you mean C1?" in plain(result.output) and sha(book) == digest


def test_reconcile_with_a_currency_that_is_not_iso_is_refused(tmp_path):
    book = small_book(tmp_path / "b.xlsx")
    theirs = write_book(tmp_path / "theirs.xlsx", {"Sheet1": [["Document", "Date", "Amount"],
                                                              ["INV-0001", dt.date(2026, 4, 1), 1_200.0]]})
    digest = sha(book)
    result = run("reconcile", book, "C1", theirs, "--currency", "EURO", "--files", tmp_path / "files")
    assert result.exit_code == 1, result.output
    assert "'EURO' is not an ISO 4217 currency code" in plain(result.output)
    assert sha(book) == digest and not (tmp_path / "files").exists()


# ---------------------------------------------------------------------------- 8. other scripts, emoji

ARABIC = "شركة النور للتجارة"


def test_an_arabic_buyer_name_is_transliterated_in_fatturapa_and_shaped_on_the_pdf(tmp_path):
    import pypdf
    from defusedxml.ElementTree import parse as safe_parse

    book = billing_book(tmp_path / "b.xlsx", [order_line("O1", rate=22.0, description="Servizio 🚀 veloce")],
                        config={"vat_rates": "22"}, customer_name=f"{ARABIC} 😀", einvoice="fatturapa")
    assert run("invoice", book, "--files", tmp_path / "docs").exit_code == 0
    approve_all(book)
    result = run("invoice", book, "--post", "--files", tmp_path / "docs")
    assert result.exit_code == 0, result.output
    from otc_xl.billing.einvoices.fatturapa import file_name

    xml = safe_parse(str(tmp_path / "docs" / file_name("ESB86412574", "FV-2026-00001"))).getroot()
    name = next(e.text for e in xml.iter() if e.tag.endswith("Denominazione") and e.text != "Iberia Components S.L.")
    assert name == "shrkh lnwr lltjrh" and "?" not in name
    said = plain(result.output)
    assert "FatturaPA carries Latin-1 text only: buyer name" in said and "'shrkh lnwr lltjrh'" in said
    # the PDF: the name is there, drawn with the joined (contextual) Arabic letter forms that shaping picks
    # (unshaped, fpdf2 drew the isolated letters left to right), and the rocket it cannot draw is named
    pdf = pypdf.PdfReader(tmp_path / "docs" / "FV-2026-00001.pdf")
    assert ARABIC in pdf.pages[0].extract_text()
    assert {"uniFE98", "uniFEB7", "uniFEDF"} <= embedded_glyphs(pdf)  # initial forms of ت, ش, ل
    assert "the PDF font has no glyph for '🚀'" in said


def embedded_glyphs(pdf) -> set[str]:
    import io

    from fontTools.ttLib import TTFont

    names = set()
    for font in pdf.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        names |= set(TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data())).getGlyphOrder())
    return names


# ---------------------------------------------------------------------------- 10. names as Excel compares them

@pytest.mark.parametrize("clash, where, said", [
    ("sheet", "kpis", "this sheet's name is otc_xl's sheet KPIs in other letter case"),
    ("table", "Mine", "already has a table named TBLAGEING, the name of otc_xl's table tblAgeing"),
    ("name", "KPIs", "the workbook has a defined name TBLKPIS, the name of otc_xl's table tblKPIs"),
])
def test_names_that_differ_only_in_case_from_ours_are_refused(tmp_path, clash, where, said):
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.table import Table

    path = small_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    if clash == "sheet":
        wb.create_sheet("kpis")["A1"] = "my own notes"
    elif clash == "table":
        ws = wb.create_sheet("Mine")
        ws.append(["a", "b"]), ws.append([1, 2])
        ws.add_table(Table(displayName="TBLAGEING", ref="A1:B2"))
    else:
        wb.defined_names["TBLKPIS"] = DefinedName("TBLKPIS", attr_text="Invoices!$A$1")
    wb.save(path)
    digest = sha(path)
    result = run("run", path, "--in-place")
    assert result.exit_code == 1, result.output
    assert f"{where}: {said}" in plain(result.output)
    assert sha(path) == digest


# ---------------------------------------------------------------------------- 11. empty and small books

def test_an_invoices_table_with_headers_and_no_rows_gives_empty_reports(tmp_path):
    book = write_book(tmp_path / "empty.xlsx", {"Invoices": [INVOICE_HEADERS], "Config": [["as_of", AS_OF]]})
    result = run("run", book)
    assert result.exit_code == 0, result.output
    report = openpyxl.load_workbook(tmp_path / "empty_report.xlsx")
    assert [r for r in report["AgeingDetail"].iter_rows(min_row=2, values_only=True) if r[0]] == []
    assert [r for r in report["LegalCases"].iter_rows(min_row=2, values_only=True) if r[0]] == []
    for command in ("dunning", "legal"):
        assert run(command, book, "--files", tmp_path / "files").exit_code == 0
    assert run("worklist", book).exit_code == 0
    folder = tmp_path / "team"
    folder.mkdir()
    os.replace(book, folder / "new_associate.xlsx")
    small_book(folder / "anna.xlsx")
    team = run("team", folder, "--as-of", AS_OF)
    assert team.exit_code == 0, team.output
    assert "2 consolidated" in plain(team.output)


def test_demo_on_a_small_book_of_ones_own_runs_and_says_what_it_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = small_book(tmp_path / "small.xlsx")
    digest = sha(book)
    result = run("demo", "--book", book, "--out", tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    said = plain(result.output)
    assert "6. Reconcile a customer's statement: skipped, otc_demo.xlsx has no Spanish customer" in said
    assert ("3. Pay the approved refund (SEPA credit transfer): skipped, "
            "otc_demo.xlsx has no Config company_name") in said
    assert "KPIs" in openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True).sheetnames
    assert sha(book) == digest  # the demo works on a copy


# ---------------------------------------------------------------------------- polish from a first-time user

def test_us_dates_are_named_as_month_first_not_impossible():
    from otc_xl.model.values import parse_date

    with pytest.raises(ValueError, match=r"'11/25/2026' looks like month/day \(MM/DD/YYYY\) but dates are read day "
                                         r"first here; set date_order = MDY on the Config sheet, or write it as "
                                         r"2026-11-25"):
        parse_date("11/25/2026", "DMY")
    with pytest.raises(ValueError, match="impossible date"):
        parse_date("31/02/2026", "DMY")


def test_validation_messages_come_in_row_order_each_with_its_cell(tmp_path):
    book = write_book(tmp_path / "messy.xlsx", {
        "Invoices": [INVOICE_HEADERS,
                     ["INV-1", "C1", "A", "25/11/2026", "30/11/2026", "EUR", "abc", 10, ""],
                     ["INV-2", "", "A", "01/11/2026", "12/30/2026", "EUR", 10, 10, ""],
                     ["INV-1", "C9", "A", "01/11/2026", "31/12/2026", "EURO", 10, 10, ""]],
        "Customers": [["Customer No.", "Customer name"], ["C1", "A"]]})
    result = run("validate", book)
    assert result.exit_code == 1
    lines = [line.split(": ")[0].split()[-1] for line in result.output.splitlines() if line.startswith("error")]
    assert lines == ["Invoices!G2", "Invoices!B3", "Invoices!E3", "Invoices!E3", "Invoices!A4", "Invoices!F4"]
    said = plain(result.output)
    # the mixed-order error sits on the first month-first cell, not on the header
    assert "Invoices!E3: invoice_date/due_date: this column mixes day-first" in said
    assert "Invoices!E3: due_date '12/30/2026' looks like month/day" in said
    fixed = write_book(tmp_path / "unknown.xlsx", {
        "Invoices": [INVOICE_HEADERS, ["INV-1", "C9", "A", "01/11/2026", "31/12/2026", "EUR", 10, 10, ""]],
        "Customers": [["Customer No.", "Customer name"], ["C1", "A"]]})
    assert "Invoices!B2: customer_id 'C9' is not in Customers" in plain(run("validate", fixed).output)


def test_plan_prints_amounts_the_way_the_balance_was_typed():
    result = run("plan", "3.050,00", "-n", "3", "--first", "31/12/2026")
    assert result.exit_code == 0 and "1.016,66" in result.output and "1,016.66" not in result.output
    assert "1,016.66" in run("plan", "3050.00", "-n", "3", "--first", "31/12/2026").output


def test_a_company_name_ending_in_a_stop_is_not_followed_by_another():
    from otc_xl.letters.render import environment, script_line

    line = script_line(environment(), "es", {"collector": "Ana", "company": "Iberia Components S.L.",
                                            "customer": {"name": "Uno"}, "overdue": 10.0, "currency": "EUR",
                                            "days": 5, "promise_date": None, "disputed": 0})
    assert "de Iberia Components S.L. Le llamo" in line and "S.L.." not in line


def test_french_statement_greets_a_named_contact_correctly(tmp_path):
    book = write_book(tmp_path / "fr.xlsx", {
        "Invoices": [INVOICE_HEADERS, invoice_row(1, "C1", 100.0, dt.date(2026, 10, 31))],
        "Customers": [["Customer No.", "Customer name", "Language", "Contact"], ["C1", "Trois SARL", "fr",
                                                                                 "Jeanne Dupont"]],
        "Config": [["as_of", AS_OF]]})
    assert run("statement", book, "--files", tmp_path / "files").exit_code == 0
    [letter] = (tmp_path / "files").glob("*.html")
    text = letter.read_text(encoding="utf-8")
    assert "Madame, Monsieur Jeanne Dupont" not in text
    assert "l'attention de Jeanne Dupont" in text.replace("&#39;", "'") and "<p>Madame, Monsieur,</p>" in text


def test_main_help_tells_what_each_kind_of_command_writes_and_shows_debug():
    said = " ".join(run("--help").output.split())
    assert "Input sheets are never changed" not in said
    assert "write their sheets into BOOK itself" in said and "append rows to BOOK's Payments" in said
    assert "add --debug to any command" in said


def test_readme_lists_every_option_of_every_command():
    import click

    from conftest import ROOT
    from otc_xl.cli import main as group

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1]: line for line in readme.splitlines() if line.startswith("| `otc-xl ")}
    missing = []
    for name, command in [(n, c) for n, c in group.commands.items() if not isinstance(c, click.Group)] + [
            (f"addin {n}", c) for n, c in group.commands["addin"].commands.items()]:
        synopsis = next((head for head in rows if head.startswith(f"otc-xl {name} ") or head == f"otc-xl {name}"),
                        "")
        options = [o for p in command.params if isinstance(p, click.Option) and not p.hidden
                   for o in p.opts if o.startswith("--")]
        missing += [f"{name} {o}" for o in options if not re.search(re.escape(o) + r"(?![\w-])", synopsis)]
    assert missing == []


@needs_libreoffice
def test_a_small_report_prints_one_page_a_sheet_and_pivot_totals_fit(tmp_path):
    """13 invoices printed as 128 pages (wide tables, notes and pivots cut across pages), and a pivot total
    of nine digits showed as ### at the default column width."""
    import pypdf

    rows = [INVOICE_HEADERS] + [invoice_row(i, f"C{i % 4}", 123_456_789.12 + i, dt.date(2026, 6 + i % 6, 28))
                                for i in range(1, 14)]
    book = write_book(tmp_path / "big.xlsx", {"Invoices": rows, "Config": [["as_of", AS_OF]]})
    assert run("run", book).exit_code == 0
    report = tmp_path / "big_report.xlsx"
    sheets = len(openpyxl.load_workbook(report, read_only=True).sheetnames)
    pages = pypdf.PdfReader(libreoffice_convert(report, "pdf", tmp_path)).pages
    assert len(pages) == sheets
    assert [i for i, page in enumerate(pages) if "###" in page.extract_text()] == []


def test_percent_formatted_config_settings_are_read_as_shown(tmp_path):
    path = small_book(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(path)
    cfg = wb["Config"]
    for key, value in (("tolerance_pct", 0.005), ("vat_rates", 0.21), ("dunning_interest", 0.08)):
        cfg.append([key, value])
        cfg.cell(cfg.max_row, 2).number_format = "0.0%"
    wb.save(path)
    import otc_xl

    config = otc_xl.read_workbook(path).config
    assert (config.tolerance_pct, config.vat_rates, config.dunning_interest) == (0.5, (21.0,), (0.08,))


def test_demo_out_onto_the_shipped_demo_workbook_is_refused(tmp_path, monkeypatch):
    import shutil

    from conftest import DEMO

    (tmp_path / "workbooks").mkdir()
    shipped = tmp_path / "workbooks" / "otc_demo.xlsx"
    shutil.copy(DEMO, shipped)
    monkeypatch.chdir(tmp_path)
    digest = sha(shipped)
    result = run("demo", "--out", "workbooks/otc_demo.xlsx")
    assert result.exit_code == 1 and "is the input workbook" in result.output and sha(shipped) == digest


def test_a_files_folder_under_a_file_is_a_message_not_an_internal_error(tmp_path):
    """--files afile/sub (afile is a file) ended with 'Internal error: NotADirectoryError', exit 3."""
    import shutil

    book = tmp_path / "book.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "workbooks" / "otc_demo.xlsx", book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    result = run("dunning", str(book), "--files", str(tmp_path / "afile" / "sub"), "--as-of", "2026-11-30")
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "Internal error" not in text
    assert "cannot use" in text and "afile" in text and "Not a directory" in text
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert not (tmp_path / "book_report.xlsx").exists()

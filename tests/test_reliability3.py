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
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import INVOICE_HEADERS, invoice_row, write_book
from otc_xl.cli import main
from otc_xl.io.files import safe_stem, write_files
from otc_xl.model.problems import ValidationError

AS_OF = "30/11/2026"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


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
    assert stems["Ñandú"] == "Ñandú" and stems["CON"] != "CON"


def test_legal_case_file_of_a_traversing_customer_id_stays_in_the_folder(tmp_path):
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    book = small_book(work / "book.xlsx", "X/../../../escaped", insolvency="concurso")
    files = work / "files"
    result = run("legal", book, "--files", files)
    assert result.exit_code == 0, result.output
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*case_file.xlsx")]
    assert written == [Path("a/b/c/files/LGL-X%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fescaped_case_file.xlsx")]


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

"""Fuzzing the readers: random bytes and random mutations of valid workbooks and bank files give
either a result or otc_xl's own ValidationError (a message naming the file) — never another
exception type, never a hang."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import otc_xl
from builders import INVOICE_HEADERS, invoice_row
from conftest import ROOT, write_book
from otc_xl.io.formats.bank import parse_bank_file, read_advice

FIX = ROOT / "tests" / "fixtures" / "bank"
BANK_FILES = ["camt053_batch.xml", "camt054.xml", "mt940_two_statements.sta", "es_bank_cp1252.csv",
              "fr_bank.csv", "it_bank_two_columns.csv", "de_bank.tsv", "corpus/es_norma43.n43",
              "corpus/fr_cfonb120.txt", "corpus/be_coda.cod", "corpus/us_bai2.bai", "corpus/us_ofx_sgml.ofx",
              "corpus/us_ofx_xml.qfx", "it_cbi_rh_two_accounts.txt"]
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


def _only_clear_errors(read, path: Path) -> None:
    try:
        read(path)
    except otc_xl.ValidationError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        text = "\n".join(map(str, exc.problems))
        assert "Traceback" not in text and "object at 0x" not in text


def _workbook_bytes(tmp: Path) -> bytes:
    path = write_book(tmp / "valid.xlsx", {"Invoices": [INVOICE_HEADERS, invoice_row(1), invoice_row(2)],
                                           "Payments": [["Value date", "Amount", "Remittance information"],
                                                        ["01/11/2026", 100.0, "INV-0001"]]},
                      tables={"Invoices": "tblInvoices"})
    return path.read_bytes()


def _read_workbook(path: Path) -> None:
    otc_xl.read_workbook(path)


mutation = st.tuples(st.floats(0, 1), st.integers(0, 64), st.binary(max_size=64))


def _mutate(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for where, cut, insert in edits:
        i = int(where * len(out))
        out[i:i + cut] = insert
    return bytes(out)


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xml", ".sta", ".xlsx", ".txt", ".n43", ".cod",
                                                                ".bai", ".ofx"]))
def test_random_bytes_as_a_bank_file(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"random{suffix}"
    path.write_bytes(data)
    _only_clear_errors(parse_bank_file, path)


@FUZZ
@given(name=st.sampled_from(BANK_FILES), edits=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bank_files(tmp_path_factory, name, edits):
    original = (FIX / name).read_bytes()
    path = tmp_path_factory.mktemp("fuzz") / Path(name).name
    path.write_bytes(_mutate(original, edits))
    _only_clear_errors(parse_bank_file, path)


@FUZZ
@given(data=st.binary(max_size=4096), target=st.sampled_from([("advice.csv", read_advice),
                                                             ("random.xlsx", _read_workbook)]))
def test_random_bytes_as_an_advice_or_a_workbook(tmp_path_factory, data, target):
    name, read = target
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    _only_clear_errors(read, path)


@pytest.fixture(scope="module")
def valid_workbook(tmp_path_factory) -> bytes:
    return _workbook_bytes(tmp_path_factory.mktemp("valid"))


@FUZZ
@given(edits=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_workbook_file_bytes(tmp_path_factory, valid_workbook, edits):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.xlsx"
    path.write_bytes(_mutate(valid_workbook, edits))
    _only_clear_errors(_read_workbook, path)


@FUZZ
@given(part=st.integers(0, 30), edits=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_workbook_xml_parts(tmp_path_factory, valid_workbook, part, edits):
    """A well-formed zip whose XML part (sheet, table, workbook, styles …) is damaged."""
    zin = zipfile.ZipFile(io.BytesIO(valid_workbook))
    names = zin.namelist()
    target = names[part % len(names)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, _mutate(data, edits) if info.filename == target else data)
    path = tmp_path_factory.mktemp("fuzz") / "damaged.xlsx"
    path.write_bytes(buffer.getvalue())
    _only_clear_errors(_read_workbook, path)

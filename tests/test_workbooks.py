"""The committed workbooks are exactly what the generator makes, and they are valid inputs."""

import openpyxl
import pytest

import otc_xl
from conftest import ROOT
from otc_xl.demo.workbooks import (
    LABELS,
    write_demo_bank_file,
    write_demo_customer_statement,
    write_demo_workbook,
    write_template_workbook,
)


def content(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: {"values": list(ws.iter_rows(values_only=True)),
                       "tables": dict(ws.tables.items()),
                       "validations": sorted(str(v.sqref) for v in ws.data_validations.dataValidation)}
            for ws in wb.worksheets}


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory):
    """The demo workbook generated once for the module (a few seconds), read by the tests below."""
    return write_demo_workbook(tmp_path_factory.mktemp("demo") / "otc_demo.xlsx")


@pytest.mark.parametrize("name, writer", [("otc_demo.xlsx", write_demo_workbook),
                                          ("otc_template.xlsx", write_template_workbook),
                                          ("otc_demo_customer_statement.xlsx", write_demo_customer_statement)])
def test_committed_workbook_matches_generator(tmp_path, name, writer, request):
    fresh = request.getfixturevalue("fresh_demo") if writer is write_demo_workbook else writer(tmp_path / name)
    assert content(fresh) == content(ROOT / "workbooks" / name), "regenerate with: python workbooks/generate.py"


def test_committed_demo_bank_statement_matches_generator(tmp_path):
    fresh = write_demo_bank_file(tmp_path / "camt.xml")
    assert fresh.read_bytes() == (ROOT / "workbooks" / "otc_demo_camt053.xml").read_bytes()


def test_generation_is_byte_reproducible(tmp_path, fresh_demo):
    a = fresh_demo.read_bytes()
    b = write_demo_workbook(tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_demo_is_a_valid_multilingual_ledger():
    ledger = otc_xl.read_workbook(ROOT / "workbooks" / "otc_demo.xlsx")
    assert ledger.ok, ledger.errors[:5]
    assert len(ledger.invoices) == 2000 and len(ledger.payments) == 260 and len(ledger.orders) == 150
    assert set(ledger.customers["language"]) >= {"es", "it", "fr", "en", "de"}
    assert ledger.config.as_of.isoformat() == "2026-11-30"
    assert (ledger.invoices["doc_type"] == "CRN").sum() > 50


def test_template_is_empty_but_valid():
    ledger = otc_xl.read_workbook(ROOT / "workbooks" / "otc_template.xlsx")
    assert ledger.ok and len(ledger.invoices) == 0
    assert ledger.config.as_of is None


def test_labels_are_accepted_headers():
    from otc_xl.demo.workbooks import INPUTS

    for contract in INPUTS:
        for column in contract.columns:
            assert contract.match_header(LABELS[column.name]) == column

"""tests/builders.py gives the frames parse_table gives: the same columns, values and types."""

import datetime as dt

import pandas as pd
import pytest

import builders
from otc_xl.model.contracts import CONTRACTS
from otc_xl.model.tables import RawTable, parse_table

ROWS = {
    "invoices": [builders.invoice("FV-1", "C1", dt.date(2026, 10, 1), 1000.0, dispute_code="PRICING"),
                 builders.invoice("AB-1", "C2", dt.date(2026, 10, 5), -100.0, open=-40.0, reference="FV-1",
                                  currency="GBP")],
    "payments": [builders.payment("P1", dt.date(2026, 11, 20), 900.0, payer="ACME SL", remittance="FV-1",
                                  account="ES9121000418450200051332", charges=1.5)],
    "customers": [builders.customer("C1", language="es", email="ap@c1.example", credit_limit=5000.0,
                                    payment_terms_days=30, early_discount_pct=2.5),
                  builders.customer("C2", "Two Ltd", parent_id="C1")],
    "orders": [builders.order("SO1", "C1", dt.date(2026, 11, 2), 300.0),
               builders.order("SO2", "C2", dt.date(2026, 11, 3), 80.0, billed_amount=80.0, project="P")],
    "sales": [builders.sale(dt.date(2026, 11, 30), 600.0), builders.sale(dt.date(2026, 10, 31), 70.0, currency="USD")],
}


@pytest.mark.parametrize("table", sorted(ROWS))
def test_a_built_frame_is_the_frame_parse_table_reads_from_its_sheet(table):
    contract = CONTRACTS[table]
    rows = builders.sheet(ROWS[table], contract.column_names)
    parsed, problems = parse_table(contract, RawTable(contract.sheet_names[0], rows[0], rows[1:]))
    assert [p for p in problems if p.severity == "error"] == []
    built = builders.frame(contract, ROWS[table])
    parsed.attrs = {}
    pd.testing.assert_frame_equal(built, parsed)


def test_an_unknown_column_is_refused_and_an_empty_table_has_every_column():
    with pytest.raises(TypeError, match="invoices has no column dispute"):
        builders.invoice(dispute="PRICING")
    assert list(builders.payments().columns) == [*CONTRACTS["payments"].column_names, "source_row"]

"""Billing engine (#16, in progress): gap-free numbers, exact VAT per rate, RF references the
matcher finds, bad lines named and given no number."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otc_xl.billing import prepare_drafts, rf_reference
from otc_xl.matching.references import ReferenceIndex, is_valid_rf

DAY = dt.date(2026, 11, 30)


def line(order, n, customer, qty, price, category="S", rate=21.0, discount=0.0, billed=0.0, currency="EUR", row=2):
    return {"order_id": order, "line": n, "customer_id": customer, "item": f"item {n}", "quantity": qty,
            "billed_quantity": billed, "unit_price": price, "discount_pct": discount, "vat_category": category,
            "vat_rate": rate, "currency": currency, "source_row": row}


def test_rf_references_are_valid_and_found_by_cash_application():
    assert rf_reference("539007547034") == "RF18539007547034"  # the ISO 11649 example
    ref = rf_reference("FV-2026-00042")
    assert is_valid_rf(ref) and ref.endswith("FV202600042")
    index = ReferenceIndex(pd.DataFrame({"invoice_id": ["FV-2026-00042", "FV-2026-00043"],
                                         "reference": [ref, rf_reference("FV-2026-00043")]}))
    hits = index.find(f"Pago factura {ref[:4]} {ref[4:8]} {ref[8:]}")
    assert [h.position for h in hits][:1] == [0] and hits[0].strong
    with pytest.raises(ValueError):
        rf_reference("X" * 22)


def test_numbers_continue_without_gaps_and_bad_lines_take_none():
    lines = pd.DataFrame([line("SO-1", 1, "C1", 2, 100.0), line("SO-1", 2, "C1", 1, 10.0, "AA", 10.0),
                          line("SO-2", 1, "C2", 1, None, row=4),                       # no price: no draft, no number
                          line("SO-3", 1, "C3", 3, 5.0, "K", 0.0), line("SO-4", 1, "C1", 5, 2.0, billed=5),
                          line("SO-5", 1, "C4", 1, 50.0, "X", 21.0, row=7)])           # unknown VAT category
    result = prepare_drafts(lines, DAY, "FV", {"FV-2026": 1201})
    assert result.drafts["invoice_id"].tolist() == ["FV-2026-01202", "FV-2026-01203"]
    assert result.next_numbers == {"FV-2026": 1203}
    assert [(p.row, "unit_price" in p.message) for p in result.problems][:1] == [(4, True)]
    assert any(p.row == 7 and "vat_category" in p.message for p in result.problems)
    first = result.drafts.iloc[0]
    assert (first["net"], first["vat"], first["gross"]) == (210.0, 43.0, 253.0)  # 200×21% + 10×10%
    assert set(result.totals.loc[result.totals["draft"] == 1, "vat_rate"]) == {21.0, 10.0}
    again = prepare_drafts(lines, DAY, "FV", result.next_numbers)
    assert again.drafts["invoice_id"].tolist() == ["FV-2026-01204", "FV-2026-01205"]  # continues, never reuses


amounts = st.integers(min_value=1, max_value=10_000_00).map(lambda c: c / 100)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), amounts, st.sampled_from([0.0, 5.0, 12.5]),
                          st.sampled_from([("S", 21.0), ("AA", 10.0), ("AA", 4.0), ("Z", 0.0), ("AE", 0.0)])),
                min_size=1, max_size=30),
       st.sampled_from(["line", "total"]))
def test_totals_per_rate_tie_to_the_cent(rows, rounding):
    lines = pd.DataFrame([line("SO-1", k, "C1", q, p, cat, rate, d) for k, (q, p, d, (cat, rate)) in enumerate(rows, 1)])
    result = prepare_drafts(lines, DAY, "FV", {}, rounding=rounding)
    draft = result.drafts.iloc[0]
    cents = lambda v: round(v * 100)  # noqa: E731
    assert cents(draft["gross"]) == cents(draft["net"]) + cents(draft["vat"])
    assert sum(map(cents, result.totals["net"])) == cents(draft["net"]) == sum(map(cents, result.lines["net"]))
    assert sum(map(cents, result.totals["vat"])) == cents(draft["vat"])
    for t in result.totals.itertuples():  # each rate's VAT is exactly what the convention says
        mine = result.lines.loc[(result.lines["vat_category"] == t.vat_category) & (result.lines["vat_rate"] == t.vat_rate)]
        if rounding == "line":
            assert cents(t.vat) == sum(map(cents, mine["vat"]))
        else:
            exact = (Decimal(cents(t.net)) / 100 * Decimal(str(t.vat_rate)) / 100)
            assert cents(t.vat) == int((exact * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    for r in result.lines.itertuples():  # each line's net: quantity × price × (1 − discount), half up
        exact = Decimal(str(r.quantity)) * Decimal(str(r.unit_price)) * (1 - Decimal(str(r.discount_pct)) / 100)
        assert cents(r.net) == int((exact * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

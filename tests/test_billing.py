"""Billing engine (#16, in progress): gap-free numbers, exact VAT per rate, RF references the
matcher finds, bad lines named and given no number."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otc_xl.billing import READY, BillingSettings, number_drafts, prepare_drafts, rf_reference
from otc_xl.matching.references import ReferenceIndex, is_valid_rf
from otc_xl.model.billing import BILLING_LOG
from otc_xl.model.tables import empty_frame

DAY = dt.date(2026, 11, 30)


def line(order, n, customer, qty, price, category="S", rate=21.0, discount=0.0, billed=0.0, currency="EUR", row=2,
         returned=0.0):
    return {"order_id": order, "line": n, "customer_id": customer, "item": f"item {n}", "description": "",
            "quantity": qty, "unit": "", "delivered_quantity": qty, "returned_quantity": returned,
            "delivery_date": pd.Timestamp(DAY), "billed_quantity": billed, "unit_price": price,
            "discount_pct": discount, "vat_category": category, "vat_rate": rate, "vat_note": "", "currency": currency,
            "customer_reference": "", "source_row": row}


def fr_vat(base: int) -> str:
    """A valid French VAT number: the SIREN (8 digits of ``base`` and a Luhn digit) behind its key
    (12 + 3 × (SIREN mod 97)) mod 97."""
    from stdnum import luhn

    siren = int(f"{base:08d}{luhn.calc_check_digit(f'{base:08d}')}")
    return f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren:09d}"


def customers(*ids, **extra):
    rows = [{"customer_id": c, "customer_name": f"Customer {c}", "country": "FR", "vat_id": fr_vat(12345678 + k),
             "language": "fr", "payment_terms_days": 30, "einvoice_format": "", "source_row": k + 2, **extra}
            for k, c in enumerate(ids)]
    return pd.DataFrame(rows)


NO_LOG = empty_frame(BILLING_LOG)


def prepare(lines, log=NO_LOG, master=None, **settings):
    frame = pd.DataFrame(lines)
    ids = sorted(set(frame["customer_id"]))
    return prepare_drafts(frame, customers(*ids) if master is None else master, log,
                          BillingSettings(DAY, **settings))


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
    lines = [line("SO-1", 1, "C1", 2, 100.0), line("SO-1", 2, "C1", 1, 10.0, "AA", 10.0),
             line("SO-2", 1, "C2", 1, None, row=4),                       # no price: no number
             line("SO-3", 1, "C3", 3, 5.0, "K", 0.0), line("SO-4", 1, "C1", 5, 2.0, billed=5),
             line("SO-5", 1, "C4", 1, 50.0, "X", 21.0, row=7)]           # unknown VAT category
    result = prepare(lines)
    assert number_drafts(result, {"FV-2026": 1201}) == {"FV-2026": 1203}
    ready = result.drafts.loc[result.drafts["status"] == READY]
    assert ready["invoice_id"].tolist() == ["FV-2026-01202", "FV-2026-01203"]
    assert ready["order_id"].tolist() == ["SO-1", "SO-3"]                  # SO-4 is billed already
    blocked = result.drafts.loc[result.drafts["status"] != READY]
    assert blocked["invoice_id"].tolist() == ["", ""] and blocked["payment_reference"].tolist() == ["", ""]
    assert [(p.row, "unit_price" in p.message) for p in result.problems][:1] == [(4, True)]
    assert any(p.row == 7 and "vat_category" in p.message for p in result.problems)
    first = ready.iloc[0]
    assert (first["net"], first["vat"], first["gross"]) == (210.0, 43.0, 253.0)  # 200×21% + 10×10%
    assert set(result.totals.loc[result.totals["draft"] == first["draft"], "vat_rate"]) == {21.0, 10.0}
    assert set(result.totals["vat_category"]) <= {"S", "K"}  # AA is billed as S at its rate (EN 16931)
    k = result.totals.loc[result.totals["vat_category"] == "K"].iloc[0]
    assert k["mention"] == "Exonération de TVA, livraison intracommunautaire (art. 138 directive 2006/112/CE)"
    assert k["vatex"] == "VATEX-EU-IC"  # French words; no seller country given: the Directive's article alone
    again = prepare(lines)
    assert number_drafts(again, {"FV-2026": 1203}) == {"FV-2026": 1205}   # continues, never reuses
    only_second = again.drafts["order_id"] == "SO-3"
    renumbered = prepare(lines)
    number_drafts(renumbered, {"FV-2026": 1203}, only_second)
    assert renumbered.drafts.loc[only_second, "invoice_id"].tolist() == ["FV-2026-01204"]  # no gap left


def test_returned_lines_become_a_credit_note_on_the_invoice_that_billed_them():
    log = pd.DataFrame([{"invoice_id": "FV-2026-00007", "doc_type": "INV", "invoice_date": pd.Timestamp(DAY),
                         "customer_id": "C1", "order_id": "SO-1", "order_line": 1, "quantity": 4.0}])
    result = prepare([line("SO-1", 1, "C1", 4, 25.0, returned=1)], log=log)
    number_drafts(result, {})
    crn = result.drafts.iloc[0]
    assert (crn["doc_type"], crn["original_invoice"], crn["net"], crn["vat"]) == ("CRN", "FV-2026-00007", -25.0, -5.25)
    assert crn["invoice_id"] == "AB-2026-00001" and crn["payment_reference"] == ""
    assert prepare([line("SO-1", 1, "C1", 4, 25.0)], log=log).drafts.empty   # billed, nothing returned: nothing


def test_a_customer_record_the_format_cannot_do_without_blocks_the_draft():
    master = customers("C1", einvoice_format="ubl")  # Peppol without a participant id
    result = prepare([line("SO-1", 1, "C1", 1, 10.0)], master=master)
    assert result.drafts.iloc[0]["status"].startswith("blocked")
    assert any(p.sheet == "Customers" and p.row == 2 and "peppol_id" in p.message for p in result.problems)
    italian = customers("C1", country="IT", sdi_code="", pec="", street="Via Roma 1", postal_code="20100",
                        city="Milano")
    result = prepare([line("SO-1", 1, "C1", 1, 10.0)], master=italian)
    assert result.drafts.iloc[0]["format"] == "fatturapa" and "sdi_code" in result.drafts.iloc[0]["status"]
    spanish = customers("C1", country="ES", vat_id="ESB12345674", street="Calle Mayor 1", postal_code="33201",
                        city="Gijón", province="Asturias")
    assert prepare([line("SO-1", 1, "C1", 1, 10.0)], master=spanish).drafts.iloc[0]["status"] == "ready"
    dollars = prepare([line("SO-1", 1, "C1", 1, 10.0, currency="USD")], master=spanish)
    assert "einvoice_format" in dollars.drafts.iloc[0]["status"] and "USD" in dollars.problems[0].message


amounts = st.integers(min_value=1, max_value=10_000_00).map(lambda c: c / 100)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), amounts, st.sampled_from([0.0, 5.0, 12.5]),
                          st.sampled_from([("S", 21.0), ("AA", 10.0), ("AA", 4.0), ("Z", 0.0), ("AE", 0.0)])),
                min_size=1, max_size=30),
       st.sampled_from(["line", "total"]))
def test_totals_per_rate_tie_to_the_cent(rows, rounding):
    result = prepare([line("SO-1", k, "C1", q, p, cat, rate, d) for k, (q, p, d, (cat, rate)) in enumerate(rows, 1)],
                     rounding=rounding)
    draft = result.drafts.iloc[0]
    cents = lambda v: round(v * 100)  # noqa: E731
    assert cents(draft["gross"]) == cents(draft["net"]) + cents(draft["vat"])
    assert sum(map(cents, result.totals["net"])) == cents(draft["net"]) == sum(map(cents, result.lines["net"]))
    assert sum(map(cents, result.totals["vat"])) == cents(draft["vat"])
    for t in result.totals.itertuples():  # each rate's VAT is exactly what the convention says
        mine = result.lines.loc[(result.lines["vat_category"] == t.vat_category)
                                & (result.lines["vat_rate"] == t.vat_rate)]
        if rounding == "line":
            assert cents(t.vat) == sum(map(cents, mine["vat"]))
        else:
            exact = (Decimal(cents(t.net)) / 100 * Decimal(str(t.vat_rate)) / 100)
            assert cents(t.vat) == int((exact * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    for r in result.lines.itertuples():  # each line's net: quantity × price × (1 − discount), half up
        exact = Decimal(str(r.quantity)) * Decimal(str(r.unit_price)) * (1 - Decimal(str(r.discount_pct)) / 100)
        assert cents(r.net) == int((exact * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_two_rows_for_one_order_line_block_that_order():
    result = prepare([line("SO-1", 1, "C1", 2, 10.0, row=2), line("SO-1", 1, "C1", 3, 10.0, row=3),
                      line("SO-2", 1, "C1", 1, 10.0, row=4)])
    assert result.drafts.set_index("order_id")["status"].str.startswith("blocked").to_dict() == {"SO-1": True,
                                                                                                "SO-2": False}
    assert [p.row for p in result.problems if "unique within order SO-1" in p.message] == [2, 3]


def test_a_line_whose_stated_net_does_not_tie_is_blocked_with_the_figures():
    lines = [dict(line("SO-1", 1, "C1", 3, 19.99, discount=10, row=5), net_amount=53.97),   # 3 × 19.99 − 10 % = 53.97
             dict(line("SO-2", 1, "C1", 3, 19.99, row=6), net_amount=59.90)]                 # 59.97 ≠ 59.90
    result = prepare(lines)
    assert result.drafts.set_index("order_id")["status"].str.startswith("blocked").to_dict() == {"SO-1": False,
                                                                                                "SO-2": True}
    assert [(p.row, "59.97, found 59.90" in p.message) for p in result.problems] == [(6, True)]

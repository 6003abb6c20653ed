"""AR report engines: every rule of ageing, unapplied cash, unbilled revenue and KPIs."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import builders
import otc_xl
from builders import invoice, invoices, order, payment
from otc_xl.reports import (
    ageing,
    ar_kpis,
    credit_balances,
    pivot_data,
    unapplied_cash,
    unbilled_revenue,
)
from otc_xl.reports.buckets import bucket_labels
from otc_xl.reports.controls import reconciliation

AS_OF = dt.date(2026, 11, 30)


def items(rows):
    """rows: (invoice_id, customer_id, days_overdue, open_amount[, currency[, invoice_age]])"""
    records = []
    for r in rows:
        due = pd.Timestamp(AS_OF) - pd.Timedelta(days=r[2])
        records.append(invoice(r[0], r[1], due, r[3], issued=due - pd.Timedelta(days=r[5] if len(r) > 5 else 30),
                               customer_name=f"Name {r[1]}", currency=r[4] if len(r) > 4 else "EUR", collector="Ana"))
    return invoices(*records)


@pytest.mark.parametrize("days, bucket", [(-10, "Current"), (0, "Current"), (1, "1-30"), (30, "1-30"),
                                          (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"),
                                          (91, "91-120"), (120, "91-120"), (121, "Over 120"), (999, "Over 120")])
def test_bucket_boundaries(days, bucket):
    detail = ageing(items([("F1", "C1", days, 100.0)]), AS_OF, by="invoice")
    assert detail.loc[0, "bucket"] == bucket and detail.loc[0, "days_overdue"] == days
    row = ageing(items([("F1", "C1", days, 100.0)]), AS_OF).iloc[0]
    assert row[bucket] == 100.0 and row["Total"] == 100.0


def test_custom_buckets_labels_and_placement():
    assert bucket_labels((15, 45)) == ["Current", "1-15", "16-45", "Over 45"]
    frame = ageing(items([("A", "C1", 15, 1.0), ("B", "C1", 16, 2.0), ("C", "C1", 46, 4.0)]), AS_OF, buckets=(15, 45))
    assert list(frame.columns) == ["customer_id", "customer_name", "currency", "Current", "1-15", "16-45", "Over 45",
                                   "Total"]
    assert frame.iloc[0][["1-15", "16-45", "Over 45", "Total"]].tolist() == [1.0, 2.0, 4.0, 7.0]
    with pytest.raises(ValueError, match="increasing"):
        ageing(items([("A", "C1", 1, 1.0)]), AS_OF, buckets=(30, 30))


def test_invoice_date_basis():
    ledger = items([("A", "C1", -10, 50.0, "EUR", 45)])  # not due yet, but issued 35 days ago
    assert ageing(ledger, AS_OF).iloc[0]["Current"] == 50.0
    assert ageing(ledger, AS_OF, basis="invoice_date").iloc[0]["31-60"] == 50.0


def test_credit_notes_net_within_the_customer():
    ledger = items([("F1", "C1", 10, 100.0), ("CN1", "C1", 10, -100.0), ("F2", "C2", 10, 100.0),
                    ("CN2", "C2", 200, -40.0)])
    frame = ageing(ledger, AS_OF)
    assert list(frame["customer_id"]) == ["C2"], "C1 nets to zero in every bucket: nothing to chase"
    assert frame.iloc[0][["1-30", "Over 120", "Total"]].tolist() == [100.0, -40.0, 60.0]


def test_future_dated_documents_are_excluded_and_counted():
    ledger = items([("F1", "C1", 5, 10.0), ("F2", "C1", -60, 20.0, "EUR", -5)])  # issued 5 days after as_of
    frame = ageing(ledger, AS_OF)
    assert frame.iloc[0]["Total"] == 10.0 and frame.attrs["excluded"]["dated after as_of"] == 1


def test_one_cent_residual_shows():
    frame = ageing(items([("F1", "C1", 40, 0.01)]), AS_OF)
    assert frame.iloc[0]["31-60"] == 0.01 and frame.iloc[0]["Total"] == 0.01


def test_currencies_are_never_added():
    ledger = items([("F1", "C1", 5, 100.0, "EUR"), ("F2", "C1", 5, 80.0, "GBP")])
    frame = ageing(ledger, AS_OF)
    assert frame[["currency", "Total"]].values.tolist() == [["EUR", 100.0], ["GBP", 80.0]]
    converted = ageing(ledger, AS_OF, rates={"EUR": 1.0, "GBP": 1.15})
    assert converted[["currency", "Total"]].values.tolist() == [["EUR", 192.0]]
    with pytest.raises(ValueError, match="no exchange rate for GBP"):
        ageing(ledger, AS_OF, rates={"EUR": 1.0})


def test_grouping_options():
    ledger = items([("F1", "C1", 5, 10.0), ("F2", "C2", 50, 20.0)])
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "country": ["ES", "IT"]})
    assert ageing(ledger, AS_OF, by="collector")[["collector", "Total"]].values.tolist() == [["Ana", 30.0]]
    assert ageing(ledger, AS_OF, by="currency")["Total"].tolist() == [30.0]
    assert ageing(ledger, AS_OF, by="country", customers=customers)["country"].tolist() == ["ES", "IT"]
    with pytest.raises(ValueError, match="needs the customers table"):
        ageing(ledger, AS_OF, by="country")
    with pytest.raises(ValueError, match="by must be one of"):
        ageing(ledger, AS_OF, by="planet")


def test_credit_balances():
    ledger = items([("F1", "C1", 5, 10.0), ("CN1", "C1", 5, -50.0), ("F2", "C2", 5, 10.0)])
    frame = credit_balances(ledger, AS_OF)
    assert frame[["customer_id", "balance", "items", "credit_notes"]].values.tolist() == [["C1", -40.0, 2, "CN1"]]


def test_pivot_data_is_long_and_ties():
    ledger = items([("F1", "C1", 5, 10.0), ("F2", "C1", 6, 5.5), ("F3", "C2", 95, 20.0)])
    frame = pivot_data(ledger, AS_OF)
    assert list(frame.columns) == ["customer_id", "customer_name", "collector", "country", "currency", "bucket",
                                   "amount", "items"]
    assert frame[["customer_id", "bucket", "amount", "items"]].astype(str).values.tolist() == [
        ["C1", "1-30", "15.5", "2"], ["C2", "91-120", "20.0", "1"]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3"]), st.integers(-400, 400),
                          st.integers(-10**8, 10**8), st.sampled_from(["EUR", "GBP"])), min_size=1, max_size=60),
       st.sampled_from([(30, 60, 90, 120), (15, 45), (7,), (1, 2, 3)]))
def test_property_buckets_sum_to_total_and_to_open_amounts(rows, buckets):
    ledger = items([(f"F{i}", c, d, cents / 100, cur) for i, (c, d, cents, cur) in enumerate(rows)])
    frame = ageing(ledger, AS_OF, buckets=buckets)
    labels = bucket_labels(buckets)
    grid = np.rint(frame[labels].to_numpy() * 100).astype(np.int64)
    assert (grid.sum(axis=1) == np.rint(frame["Total"].to_numpy() * 100).astype(np.int64)).all()
    for currency in ("EUR", "GBP"):  # documents issued after as_of (due > 30 days ahead) are left out
        expected = sum(c for _, d, c, cur in rows if cur == currency and d + 30 >= 0)
        got = int(np.rint(frame.loc[frame["currency"] == currency, labels].to_numpy() * 100).sum())
        assert got == expected


# ------------------------------------------------------------------ unapplied cash

def payments(*rows):
    return builders.payments(*(payment(p, d, a, payer=f"payer {p}") for p, d, a in rows))


def test_oracle_example_1200_applied_1000_leaves_200():
    pays = payments(("R1", "2026-11-20", 1200.0), ("R2", "2026-11-29", 50.0), ("R3", "2026-11-25", 70.0))
    apps = pd.DataFrame({"payment_id": ["R1", "R3", "R3"], "applied_amount": [1000.0, 70.0, 0.0],
                         "status": ["auto", "auto", "review"]})
    frame = unapplied_cash(pays, apps, AS_OF)
    assert frame[["payment_id", "applied_amount", "unapplied_amount", "days_unapplied", "bucket", "reason"]
                 ].values.tolist() == [["R1", 1000.0, 200.0, 10, "1-30", "partial"],
                                       ["R2", 0.0, 50.0, 1, "1-30", "unapplied"]]
    assert frame.attrs["excluded"]["fully applied"] == 1
    assert ((frame["applied_amount"] + frame["unapplied_amount"]) == frame["amount"]).all()


def test_review_suggestions_do_not_move_cash_and_matcher_reasons_win():
    pays = payments(("R1", "2026-11-20", 100.0))
    apps = pd.DataFrame({"payment_id": ["R1"], "applied_amount": [100.0], "status": ["review"]})
    details = pd.DataFrame({"payment_id": ["R1"], "reason": ["ambiguous"], "suggested_customer_id": ["C7"]})
    frame = unapplied_cash(pays, apps, AS_OF, details=details)
    assert frame[["unapplied_amount", "reason", "suggested_customer_id"]].values.tolist() == [[100.0,
                                                                                               "ambiguous", "C7"]]


def test_over_application_is_refused_and_future_payments_excluded():
    pays = payments(("R1", "2026-11-20", 100.0), ("R2", "2026-12-05", 10.0))
    frame = unapplied_cash(pays, None, AS_OF)
    assert list(frame["payment_id"]) == ["R1"] and frame.attrs["excluded"]["dated after as_of"] == 1
    apps = pd.DataFrame({"payment_id": ["R1"], "applied_amount": [100.01]})
    with pytest.raises(ValueError, match="exceed the amount received for payment"):
        unapplied_cash(pays, apps, AS_OF)


# ------------------------------------------------------------------ unbilled revenue

def orders(*rows):
    return builders.orders(*(order(o, "C1", d, a, billed_amount=np.nan if b is None else b) for o, d, a, b in rows))


def test_unbilled_from_billed_amount():
    frame = unbilled_revenue(orders(("SO1", "2026-11-10", 1000.0, 400.0), ("SO2", "2026-11-10", 50.0, 50.0),
                                    ("SO3", "2026-12-02", 70.0, 0.0), ("SO4", "2026-08-01", 10.0, 0.0)), AS_OF)
    assert frame[["order_id", "pending_amount", "days_unbilled", "bucket"]].values.tolist() == [
        ["SO4", 10.0, 121, "Over 120"], ["SO1", 600.0, 20, "1-30"]]
    assert frame.attrs["excluded"] == {"delivered after as_of": 1, "fully billed": 1, "over-billed": 0}


def test_unbilled_from_invoices_oldest_delivery_first():
    lines = orders(("SO1", "2026-11-01", 300.0, None), ("SO1", "2026-10-01", 500.0, None),
                   ("SO2", "2026-11-20", 80.0, None))
    inv = pd.DataFrame({"order_id": ["SO1", "SO1", ""], "amount": [400.0, 200.0, 999.0],
                        "currency": ["EUR", "EUR", "EUR"]})
    frame = unbilled_revenue(lines, AS_OF, invoices=inv)
    # SO1 billed 600: the October line (500) first, then 100 of November's 300
    assert frame[["order_id", "delivery_date", "billed_amount", "pending_amount"]].astype(str).values.tolist() == [
        ["SO1", "2026-11-01", "100.0", "200.0"], ["SO2", "2026-11-20", "0.0", "80.0"]]


# ------------------------------------------------------------------ KPIs

def kpi(frame, name, currency="EUR"):
    return frame.loc[(frame["kpi"] == name) & (frame["currency"] == currency), "value"].item()


def test_dso_worked_example_creditguru():
    ledger = items([("F1", "C1", -5, 10000.0), ("F2", "C1", 20, 5000.0)])  # AR 15,000, 10,000 current
    frame = ar_kpis(ledger, sales=10000.0, as_of=AS_OF, period_days=30)
    assert kpi(frame, "open_ar") == 15000.0 and kpi(frame, "dso") == 45.0
    assert kpi(frame, "best_possible_dso") == 30.0 and kpi(frame, "average_days_delinquent") == 15.0
    assert kpi(frame, "pct_current") == pytest.approx(66.67) and kpi(frame, "pct_over_90") == 0.0


def test_count_back_dso_and_cei_worked_example():
    ledger = items([("F1", "C1", -5, 10000.0), ("F2", "C1", 20, 5000.0)])
    sales = pd.DataFrame({"date": pd.to_datetime(["2026-11-15", "2026-10-15"]), "amount": [10000.0, 8000.0]})
    frame = ar_kpis(ledger, sales=sales, as_of=AS_OF, period_days=30, opening_ar=12000.0, months=1)
    # Nov (31 days to 30/11) covered fully: 31 days; then 5,000 of October's 8,000 over 30 days = 18.75
    assert kpi(frame, "count_back_dso") == 49.75
    # CEI = (12,000 + 10,000/1 − 15,000) / (12,000 + 10,000/1 − 10,000) × 100 = 58.33, N = 1 month
    assert kpi(frame, "cei") == 58.33
    assert "N = 1 months" in frame.loc[frame["kpi"] == "cei", "formula"].item()


def test_kpis_per_currency_and_refuse_mixed_sales_number():
    ledger = items([("F1", "C1", 5, 100.0, "EUR"), ("F2", "C1", 95, 50.0, "GBP")])
    frame = ar_kpis(ledger, as_of=AS_OF, period_days=60)
    assert sorted(set(frame["currency"])) == ["EUR", "GBP"] and kpi(frame, "pct_over_90", "GBP") == 100.0
    assert "estimated from the invoices listed" in frame.loc[frame["kpi"] == "credit_sales", "formula"].iloc[0]
    with pytest.raises(ValueError, match="several currencies"):
        ar_kpis(ledger, sales=1000.0, as_of=AS_OF)


def test_reconciliation_controls_tie_on_the_demo():
    ledger = otc_xl.read_workbook("workbooks/otc_demo.xlsx")
    as_of = ledger.config.as_of
    frame = ageing(ledger.invoices, as_of)
    pays = ledger.payments
    apps = pd.DataFrame({"payment_id": pays["payment_id"].head(50), "applied_amount": pays["amount"].head(50) / 2,
                         "status": "auto"})
    controls = reconciliation(ledger.invoices, frame, pays, apps, unapplied_cash(pays, apps, as_of), as_of)
    assert controls["ok"].all() and len(controls) == 9
    broken = frame.copy()
    broken.loc[0, "Current"] += 0.01
    assert not reconciliation(ledger.invoices, broken, pays, apps, unapplied_cash(pays, apps, as_of), as_of)["ok"].all()

"""Credit balances allocated to open invoices: never more than either side, balances unchanged."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import builders
from otc_xl.collecting.credits import credit_allocations
from otc_xl.model.money import cents


def item(invoice_id, customer, open_amount, due, reference="", currency="EUR", dispute=""):
    return builders.invoice(invoice_id, customer, due, open_amount, reference=reference, currency=currency,
                            dispute_code=dispute)


def test_named_invoice_first_then_oldest_then_group_and_same_currency_only():
    ledger = pd.DataFrame([
        item("INV-1", "C1", 100.00, "2026-09-01"), item("INV-2", "C1", 50.50, "2026-08-01"),
        item("INV-3", "C1", 70.00, "2026-07-01", dispute="PRICING"),  # disputed: not taken unless named
        item("CRN-1", "C1", -120.25, "2026-10-01", reference="Abono fra. inv-1"),
        item("INV-4", "C2", 30.00, "2026-07-01"), item("CRN-2", "C3", -40.00, "2026-10-01"),
        item("INV-9", "C3", 10.00, "2026-10-01", currency="USD"), item("CRN-9", "C4", -5.00, "2026-10-01")])
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "parent_id": ["", "C3", "", ""]})
    allocations, left = credit_allocations(ledger, customers)
    assert allocations[["credit_id", "invoice_id", "amount", "basis"]].values.tolist() == [
        ["CRN-1", "INV-1", 100.00, "credit names invoice INV-1"],
        ["CRN-1", "INV-2", 20.25, "oldest open invoice"],
        ["CRN-2", "INV-4", 30.00, "group account C2, oldest open invoice"]]
    assert left.set_index("credit_id")["left"].to_dict() == {"CRN-1": 0.0, "CRN-2": -10.0, "CRN-9": -5.0}
    assert set(allocations["allocation_id"]) == {"CRN-1>INV-1", "CRN-1>INV-2", "CRN-2>INV-4"}


def test_cash_being_applied_is_not_offered_again_and_approvals_are_kept():
    ledger = pd.DataFrame([item("INV-1", "C1", 100.00, "2026-09-01"), item("INV-2", "C1", 80.00, "2026-10-01"),
                           item("CRN-1", "C1", -150.00, "2026-10-01")])
    pending = pd.Series({"INV-1": 100.00, "INV-2": 30.00})  # this run's cash application pays these
    allocations, left = credit_allocations(ledger, pending=pending)
    assert allocations[["invoice_id", "amount"]].values.tolist() == [["INV-2", 50.00]]
    assert left["left"].tolist() == [-100.00]
    approvals = pd.DataFrame({"allocation_id": ["CRN-1>INV-2", "OLD>GONE"], "approved": ["yes", "yes"],
                              "approved_by": ["Ana", "Ana"]})
    again, _ = credit_allocations(ledger, pending=pending, approvals=approvals)
    assert again[["allocation_id", "approved", "approved_by"]].values.tolist() == [["CRN-1>INV-2", "yes", "Ana"]]
    assert again.drop(columns=["approved", "approved_by"]).equals(allocations.drop(columns=["approved", "approved_by"]))


amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: c / 100)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3"]), st.sampled_from(["EUR", "USD"]), amounts,
                          st.booleans(), st.integers(min_value=0, max_value=300)), min_size=1, max_size=30))
def test_allocations_never_exceed_either_side_and_keep_balances(rows):
    ledger = pd.DataFrame([item(f"D{i}", customer, -amount if credit else amount,
                                pd.Timestamp("2026-01-01") + pd.Timedelta(days=day), currency=currency)
                           for i, (customer, currency, amount, credit, day) in enumerate(rows)])
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "parent_id": ["", "C1", ""]})
    allocations, left = credit_allocations(ledger, customers)
    open_c = dict(zip(ledger["invoice_id"], cents(ledger["open_amount"])))
    given_c = dict(zip(allocations["allocation_id"], cents(allocations["amount"])))
    assert all(c > 0 for c in given_c.values())
    for credit, frame in allocations.groupby("credit_id"):
        assert cents(frame["amount"]).sum() <= -open_c[credit]
    for invoice, frame in allocations.groupby("invoice_id"):
        assert cents(frame["amount"]).sum() <= open_c[invoice]
    currency = dict(zip(ledger["invoice_id"], ledger["currency"]))
    assert all(currency[c] == currency[i] for c, i in zip(allocations["credit_id"], allocations["invoice_id"]))
    group = {"C1": "C1", "C2": "C1", "C3": "C3"}
    assert all(group[a] == group[b] for a, b in zip(allocations["customer_id"], allocations["invoice_customer_id"]))
    # applying the allocations moves the same cents off both sides: every group's balance is unchanged,
    # and so is every customer's when the credit and the invoice are its own
    after = dict(open_c)
    for credit, invoice, c in zip(allocations["credit_id"], allocations["invoice_id"], cents(allocations["amount"])):
        after[credit] += c
        after[invoice] -= c
    owner = dict(zip(ledger["invoice_id"], ledger["customer_id"]))
    for g in ("C1", "C3"):
        members = [i for i in open_c if group[owner[i]] == g]
        assert sum(after[i] for i in members) == sum(open_c[i] for i in members)
    cross = allocations.loc[allocations["customer_id"] != allocations["invoice_customer_id"]]
    for customer in ("C1", "C2", "C3"):  # own allocations net to zero; only group ones move a balance
        mine = [i for i in open_c if owner[i] == customer]
        moved = (cents(cross.loc[cross["customer_id"] == customer, "amount"]).sum()
                 - cents(cross.loc[cross["invoice_customer_id"] == customer, "amount"]).sum())
        assert sum(after[i] for i in mine) - sum(open_c[i] for i in mine) == moved
    assert all(after[i] <= 0 for i in open_c if open_c[i] < 0) and all(after[i] >= 0 for i in open_c if open_c[i] > 0)
    # what a credit keeps is what it had less what it gave
    for row in left.itertuples():
        given_by_credit = cents(allocations.loc[allocations["credit_id"] == row.credit_id, "amount"]).sum()
        assert cents(row.left) == cents(row.credit_open) + given_by_credit
    # a credit keeps money only when no invoice of its group and currency is left open
    for row in left.itertuples():
        if cents(row.left) < 0:
            g, cur = group[row.customer_id], currency[row.credit_id]
            assert all(after[i] == 0 for i in open_c if open_c[i] > 0 and group[owner[i]] == g
                       and currency[i] == cur)


# ------------------------------------------------------------------ posting approved allocations

from otc_xl.collecting.postings import AWAITING, CHECK, IN_ERP, apply_postings, post_approved, posting_status  # noqa: E402


def _erp():
    return pd.DataFrame([item("INV-1", "C1", 100.00, "2026-09-01"), item("INV-2", "C1", 80.00, "2026-10-01"),
                         item("CRN-1", "C1", -150.00, "2026-10-01")])


def _posted(on="2026-11-30"):
    erp = _erp()
    allocations, _ = credit_allocations(erp)
    allocations.loc[allocations["invoice_id"] == "INV-1", ["approved", "approved_by"]] = ["sí", "Marta"]
    empty = pd.DataFrame(columns=["allocation_id"])
    return post_approved(allocations, empty, erp, pd.Timestamp(on).date())


def test_approved_allocations_are_posted_once_and_moved_until_the_erp_has_them():
    record, waiting = _posted()
    assert record[["allocation_id", "amount", "credit_open_erp", "invoice_open_erp", "status", "approved_by"]] \
        .values.tolist() == [["CRN-1>INV-1", 100.00, -150.00, 100.00, AWAITING, "Marta"]]
    assert waiting["allocation_id"].tolist() == ["CRN-1>INV-2"]  # not approved: still a proposal
    # the next run applies the posting: the credit and the invoice move by the same cents
    record = posting_status(record, _erp())
    moved = apply_postings(_erp(), record).set_index("invoice_id")["open_amount"].to_dict()
    assert moved == {"INV-1": 0.0, "INV-2": 80.00, "CRN-1": -50.00}
    # and proposes only what is left, under a new id; the old approval cannot post it again
    again, left = credit_allocations(apply_postings(_erp(), record), posted=set(record["allocation_id"]),
                                     approvals=pd.DataFrame({"allocation_id": ["CRN-1>INV-1"], "approved": ["yes"],
                                                             "approved_by": ["Marta"]}))
    assert again[["allocation_id", "amount", "approved"]].values.tolist() == [["CRN-1>INV-2", 50.00, ""]]
    record2, _ = post_approved(again.assign(approved="yes"), record, _erp(), pd.Timestamp("2026-12-01").date())
    record3, _ = post_approved(again.assign(approved="yes"), record2, _erp(), pd.Timestamp("2026-12-02").date())
    assert len(record2) == 2 and len(record3) == 2  # posting the same approval twice adds nothing


def test_the_erp_export_showing_the_allocation_stops_it_being_applied_twice():
    record, _ = _posted()
    booked = _erp().set_index("invoice_id")
    booked.loc["INV-1", "open_amount"], booked.loc["CRN-1", "open_amount"] = 0.0, -50.0
    booked = booked.reset_index()
    status = posting_status(record, booked)
    assert status["status"].tolist() == [IN_ERP]
    assert apply_postings(booked, status).equals(booked)
    gone = booked.loc[booked["invoice_id"] != "INV-1"]  # a paid invoice leaves the export: also in ERP
    assert posting_status(record, gone)["status"].tolist() == [IN_ERP]
    # the ERP booked something else on one side only: not applied, flagged for a person
    other = _erp().set_index("invoice_id")
    other.loc["INV-1", "open_amount"] = 60.0
    other = other.reset_index()
    flagged = posting_status(record, other)
    assert flagged["status"].tolist() == [CHECK]
    assert apply_postings(other, flagged).equals(other)


def test_an_approval_is_dropped_when_the_proposed_amount_changed():
    erp = _erp()
    approvals = pd.DataFrame({"allocation_id": ["CRN-1>INV-1", "CRN-1>INV-2"], "amount": [100.00, 80.00],
                              "approved": ["yes", "yes"], "approved_by": ["Ana", "Ana"]})
    allocations, _ = credit_allocations(erp, approvals=approvals)
    assert allocations[["allocation_id", "amount", "approved"]].values.tolist() == [
        ["CRN-1>INV-1", 100.00, "yes"], ["CRN-1>INV-2", 50.00, ""]]  # approved 80.00, proposed now 50.00

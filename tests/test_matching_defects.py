"""Issue 13: defect classes found on an independent data set, each on a small hand-made ledger.

Each test asserts what is applied automatically (and what is only proposed): a wrong automatic
application is the most expensive mistake in cash application.
"""

import pandas as pd

from otc_xl.matching import MatchConfig, match_payments
from test_matching import IBAN_BETA, applied, customers, invoices, payments


def run(inv, pays, extra_customers=()):
    directory = pd.concat([customers(), pd.DataFrame(list(extra_customers))], ignore_index=True) \
        if extra_customers else customers()
    return match_payments(inv, pays, directory, MatchConfig())


def review(result, payment_id="P1"):
    return applied(result, payment_id, status="review")


# ---------------------------------------------------------------------------- 2. reference against payer

OTHERS = [{"customer_id": "C7", "customer_name": "Zanardi Pietro & C. snc", "aliases": "", "iban": "",
           "parent_id": ""}]


def test_partial_payment_on_another_customers_invoice_is_not_automatic():
    inv = invoices(("INV-2026-07001", "C2", 1000.00))
    result = run(inv, payments(("P1", 400.00, "Zanardi Pietro & C. snc", "INV-2026-07001")))
    assert applied(result) == [] and review(result) == [("INV-2026-07001", 400.0, 0.0)]
    assert "resembles none of C2" in result.applications.iloc[0]["explanation"]


def test_over_payment_on_another_customers_invoice_is_not_automatic():
    inv = invoices(("INV-2026-07002", "C2", 300.00))
    result = run(inv, payments(("P1", 450.00, "Müller Werkzeugbau", "INV-2026-07002")))
    assert applied(result) == []


def test_the_customers_own_partial_payment_stays_automatic():
    inv = invoices(("INV-2026-07003", "C2", 1000.00))
    result = run(inv, payments(("P1", 400.00, "BONIFICO DA BETA FORNITURE SPA", "INV-2026-07003")))
    assert applied(result) == [("INV-2026-07003", 400.0, 0.0)]


def test_a_bank_or_payment_service_as_payer_is_no_conflict():
    inv = invoices(("INV-2026-07004", "C2", 1000.00))
    exact = run(inv, payments(("P1", 1000.00, "PAYPAL EUROPE SARL", "INV-2026-07004")))
    assert applied(exact) == [("INV-2026-07004", 1000.0, 0.0)]
    assert "resembles none" not in exact.applications.iloc[0]["explanation"]
    partial = run(inv, payments(("P1", 400.00, "PAYPAL EUROPE SARL", "INV-2026-07004")))
    assert applied(partial) == [] and review(partial) == [("INV-2026-07004", 400.0, 0.0)]
    assert "nothing but the reference links this payment" in partial.applications.iloc[0]["explanation"]


def test_an_item_already_closed_for_this_amount_keeps_the_money_from_other_items():
    inv = invoices(("INV-2026-07010", "C2", 500.00), ("INV-2026-07011", "C2", 500.00))
    inv.loc[0, "open_amount"] = 0.0  # paid by cheque, cleared in the ERP
    result = run(inv, payments(("P1", 500.00, "BETA FORNITURE SPA", "INV-2026-07010", "IT60X0542811101000000123456")))
    assert applied(result) == []
    assert "already closed" in result.unapplied.iloc[0]["explanation"]


def test_a_parent_paying_for_its_subsidiary_is_no_conflict():
    inv = invoices(("INV-2026-07005", "C6", 1000.00))
    result = run(inv, payments(("P1", 400.00, "GRUPPO DELTA HOLDING", "INV-2026-07005")))
    assert applied(result) == [("INV-2026-07005", 400.0, 0.0)]


# ---------------------------------------------------------------------------- 4. two numbering schemes

def test_same_digits_in_two_schemes_are_decided_by_amount_or_not_at_all():
    inv = invoices(("FV-2026-004471", "C1", 300.00), ("2026/FV/4471", "C2", 520.00))
    by_amount = run(inv, payments(("P1", 520.00, "", "pago 2026 4471")))
    assert applied(by_amount) == [("2026/FV/4471", 520.0, 0.0)]
    neither = run(inv, payments(("P1", 100.00, "", "pago 2026 4471")))
    assert neither.applications.empty or applied(neither) == []
    assert "several customers" in neither.unapplied.iloc[0]["explanation"]


def test_same_digits_decided_by_the_payer():
    inv = invoices(("FV-2026-004471", "C1", 300.00), ("2026/FV/4471", "C2", 520.00))
    result = run(inv, payments(("P1", 300.00, "ACME IBERICA SL", "pago 2026 4471", "ES9121000418450200051332")))
    assert applied(result) == [("FV-2026-004471", 300.0, 0.0)]


# ---------------------------------------------------------------------------- 5. numbers that are not invoices

def test_order_delivery_and_customer_numbers_are_not_invoice_numbers():
    inv = invoices(("INV-2026-55120", "C2", 700.00), ("FV-2026-03381", "C2", 50.00), ("INV-2026-07731", "C2", 10.0),
                   ("INV-2026-00912", "C2", 99.0))
    for text in ("ORDINE 55120", "BON DE COMMANDE 3381", "BESTELLUNG 7731", "ALBARÁN 0912", "Kd-Nr 55120"):
        result = run(inv, payments(("P1", 1234.00, "", text)))
        assert applied(result) == [] and review(result) == [], text


def test_a_po_number_that_is_the_customers_reference_still_counts():
    inv = invoices(("INV-2026-08001", "C2", 640.00, "EUR", "PO 4500012345"))
    result = run(inv, payments(("P1", 640.00, "", "PO 4500012345")))
    assert applied(result) == [("INV-2026-08001", 640.0, 0.0)]


def test_dates_amounts_and_ibans_in_the_text_are_not_references():
    inv = invoices(("X-12345", "C2", 80.00), ("INV-2026-11262", "C2", 90.00), ("INV-2026-51332", "C2", 70.0))
    for text in ("pago del 26/11/2026 importe 12.345,00", "IBAN ES91 2100 0418 4502 0005 1332 ref 2026-11-26"):
        result = run(inv, payments(("P1", 555.00, "", text)))
        assert applied(result) == [] and review(result) == [], text


# ---------------------------------------------------------------------------- 1. sibling customers

SIBLINGS = [{"customer_id": "T1", "customer_name": "Talleres Iriarte SL", "aliases": "", "iban": "", "parent_id": ""},
            {"customer_id": "T2", "customer_name": "Talleres Iriarte SA", "aliases": "", "iban": "", "parent_id": ""}]
SIBLING_ITEMS = invoices(("INV-2026-09001", "T1", 410.00), ("INV-2026-09002", "T2", 610.00),
                         ("INV-2026-09003", "T1", 333.00), ("INV-2026-09004", "T2", 333.00))


def test_legal_form_breaks_a_name_tie_between_siblings():
    result = run(SIBLING_ITEMS, payments(("P1", 410.00, "TALLERES IRIARTE SL", "pago")), SIBLINGS)
    assert applied(result) == [("INV-2026-09001", 410.0, 0.0)]
    assert "legal form SL tells it from T2" in result.applications.iloc[0]["explanation"]


def test_amount_that_fits_only_one_sibling_breaks_the_tie():
    result = run(SIBLING_ITEMS, payments(("P1", 610.00, "TALLERES IRIARTE", "pago")), SIBLINGS)
    assert applied(result) + review(result) == [("INV-2026-09002", 610.0, 0.0)]
    assert "the only such item among the 2 customers" in result.applications.iloc[0]["explanation"]


def test_no_evidence_between_siblings_means_review():
    result = run(SIBLING_ITEMS, payments(("P1", 333.00, "TALLERES IRIARTE", "pago")), SIBLINGS)
    assert applied(result) == []
    wrong_form = run(SIBLING_ITEMS, payments(("P1", 333.00, "TALLERES IRIARTE SRL", "pago")), SIBLINGS)
    assert applied(wrong_form) == []  # a legal form neither sibling has decides nothing


def test_a_reference_to_one_siblings_item_decides():
    result = run(SIBLING_ITEMS, payments(("P1", 333.00, "TALLERES IRIARTE", "INV-2026-09004")), SIBLINGS)
    assert applied(result) == [("INV-2026-09004", 333.0, 0.0)]


# ---------------------------------------------------------------------------- 8. payer only in the text

def test_customer_name_in_the_text_when_the_payer_is_a_payment_service():
    inv = invoices(("INV-2026-09101", "C2", 275.00), ("INV-2026-09102", "C1", 900.00))
    for payer in ("PAYPAL EUROPE SARL", "", "SEPA COLLECTION", "CAIXABANK SA"):
        result = run(inv, payments(("P1", 275.00, payer, "pago de FORNITURE BETA srl gracias")))
        assert applied(result) == [("INV-2026-09101", 275.0, 0.0)], payer
        assert "is in the remittance text" in result.applications.iloc[0]["explanation"]


def test_a_name_in_the_text_of_a_named_payer_is_not_used():
    inv = invoices(("INV-2026-09103", "C2", 275.00))
    result = run(inv, payments(("P1", 275.00, "Someone Else Ltd", "for FORNITURE BETA")))
    assert applied(result) == []


# ---------------------------------------------------------------------------- 3. near-miss references

def test_a_slipped_digit_is_not_applied_as_a_partial_payment():
    inv = invoices(("INV-2026-04471", "C2", 900.00), ("INV-2026-04417", "C2", 350.00))
    result = run(inv, payments(("P1", 350.00, "BETA FORNITURE SPA", "INV-2026-04471")))
    assert applied(result) == []  # never the literal hit as a partial payment
    assert review(result) == [("INV-2026-04417", 350.0, 0.0)]
    assert "one keystroke away" in result.applications.iloc[0]["explanation"]


def test_a_real_partial_payment_without_a_near_miss_stays_automatic():
    inv = invoices(("INV-2026-04471", "C2", 900.00), ("INV-2026-05555", "C2", 350.00))
    result = run(inv, payments(("P1", 350.00, "BETA FORNITURE SPA", "INV-2026-04471")))
    assert applied(result) == [("INV-2026-04471", 350.0, 0.0)]


# ---------------------------------------------------------------------------- 6. listed invoices plus a remainder

def test_the_remainder_equal_to_another_open_item_is_applied_too():
    inv = invoices(("INV-2026-06001", "C2", 1200.00), ("INV-2026-06002", "C2", 437.19),
                   ("INV-2026-06003", "C2", 990.00))
    result = run(inv, payments(("P1", 1637.19, "BETA FORNITURE SPA", "INV-2026-06001")))
    assert applied(result) == [("INV-2026-06001", 1200.0, 0.0), ("INV-2026-06002", 437.19, 0.0)]
    row = result.applications.iloc[0]
    assert row["method"] == "reference+remainder" and "not named" in row["explanation"]
    assert result.unapplied.empty


def test_a_remainder_that_fits_by_luck_is_only_mentioned():
    many = [("INV-2026-06001", "C2", 1200.00)] + [(f"INV-2026-07{i:03d}", "C2", 100.0 + i) for i in range(300)]
    result = run(invoices(*many), payments(("P1", 1300.00, "BETA FORNITURE SPA", "INV-2026-06001")))
    assert applied(result) == [("INV-2026-06001", 1200.0, 0.0)]
    assert "may be for INV-2026-07000" in result.unapplied.iloc[0]["explanation"]


# ---------------------------------------------------------------------------- 9. tolerance without a known payer

def test_short_pay_within_tolerance_is_written_off_when_only_the_reference_is_known():
    inv = invoices(("INV-2026-09201", "C2", 1000.00))
    result = run(inv, payments(("P1", 997.50, "", "INV-2026-09201")))
    assert applied(result) == [("INV-2026-09201", 997.5, 2.5)]


# ---------------------------------------------------------------------------- 7. unearned discount

def dated(invoice_date: str, *rows):
    frame = invoices(*rows)
    frame["invoice_date"] = pd.Timestamp(invoice_date)
    return frame


def test_discount_within_the_window_is_written_off():
    inv = dated("2026-11-12", ("INV-2026-09301", "C2", 1000.00))  # paid 2026-11-20: 8 days
    result = run(inv, payments(("P1", 980.00, "BETA FORNITURE SPA", "INV-2026-09301")))
    assert applied(result) == [("INV-2026-09301", 980.0, 20.0)]


def test_discount_after_the_window_is_never_written_off():
    inv = dated("2026-10-01", ("INV-2026-09302", "C2", 1000.00))  # 50 days
    result = run(inv, payments(("P1", 980.00, "BETA FORNITURE SPA", "INV-2026-09302")))
    assert applied(result) == [] and review(result) == [("INV-2026-09302", 980.0, 0.0)]
    assert result.unapplied.iloc[0]["reason"] == "unearned_discount"
    assert "paid 50 days after INV-2026-09302 was issued (window: 10 days)" in result.unapplied.iloc[0]["explanation"]


def test_unearned_discount_without_a_reference_goes_to_review_too():
    inv = dated("2026-10-01", ("INV-2026-09303", "C2", 1000.00), ("INV-2026-09304", "C2", 5555.55))
    result = run(inv, payments(("P1", 980.00, "BETA FORNITURE SPA", "Pagamento", IBAN_BETA)))
    assert applied(result) == [] and result.unapplied.iloc[0]["reason"] == "unearned_discount"


def test_the_window_comes_from_the_config_sheet():
    from otc_xl.config import Config
    assert MatchConfig.from_config(Config(discount_days=30)).discount_days == 30


def test_a_reference_settles_a_tie_between_customers_of_the_same_name():
    same = [{"customer_id": "N1", "customer_name": "Pennington Joinery Ltd", "aliases": "", "iban": "",
             "parent_id": ""},
            {"customer_id": "N2", "customer_name": "Pennington Joinery Ltd", "aliases": "", "iban": "",
             "parent_id": ""}]
    inv = invoices(("INV-2026-09401", "N1", 800.00), ("INV-2026-09402", "N2", 800.00))
    partial = run(inv, payments(("P1", 300.00, "PENNINGTON JOINERY", "Invoice INV-2026-09402 part")), same)
    assert applied(partial) == [("INV-2026-09402", 300.0, 0.0)]
    assert "the reference names items of N2 only" in partial.applications.iloc[0]["explanation"]
    in_text = run(inv, payments(("P1", 300.00, "", "FASTER PAYMENT PENNINGTON JOINERY REF INV-2026-09401")), same)
    assert applied(in_text) == [("INV-2026-09401", 300.0, 0.0)]

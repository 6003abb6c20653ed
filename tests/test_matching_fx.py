"""Issue 29, its last item: payments in another currency than the items they pay, with a rate tolerance.

Each class on a small hand-made ledger: the rate is the bank's (camt ``CcyXchg``, MT940 ``/OCMT/``) or the
ExchangeRates table's, never made up; within the tolerance with a reference the items are cleared in their
currency and the exchange difference is recorded apart; beyond it, without a rate or without a reference the
payment waits for review with the figures. Money ties in cents per payment and per item.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from builders import customer, customers, frame, invoice, invoices, payment, payments
from otc_xl.matching import MatchConfig, match_payments
from otc_xl.model.contracts import EXCHANGE_RATES
from otc_xl.model.tables import RawTable, parse_table

D = dt.date
PAID = D(2026, 11, 20)
GB_IBAN = "GB29NWBK60161331926819"
CUSTOMERS = customers(customer("C1", "Halton Components Ltd", iban=GB_IBAN),
                      customer("C2", "Brunner Maschinenbau AG"))


def rates(*rows):
    """rows: (date, currency, rate[, base])"""
    return frame("exchange_rates", [dict(rate_date=r[0], currency=r[1], rate=r[2],
                                         **({"base_currency": r[3]} if len(r) > 3 else {})) for r in rows])


ECB = rates((D(2026, 11, 19), "GBP", 0.8614), (D(2026, 11, 19), "CHF", 0.9312), (D(2026, 11, 12), "GBP", 0.8800))


def run(inv, pays, table=ECB, **config):
    return match_payments(invoices(*inv), payments(*pays), CUSTOMERS, MatchConfig(**config), exchange_rates=table)


def rows(result, status="auto"):
    apps = result.applications.loc[result.applications["status"] == status]
    return apps[["payment_id", "invoice_id", "applied_amount", "payment_currency", "item_amount", "item_currency",
                 "fx_difference"]].values.tolist()


def cents(values) -> int:
    return int(round(sum(float(v) * 100 for v in values)))


def assert_payments_tie(result, pays):
    """Per payment: applied (auto, its currency) + unapplied = received, exactly in cents."""
    auto = result.applications.loc[result.applications["status"] == "auto"]
    for p in pays:
        applied = cents(auto.loc[auto["payment_id"] == p["payment_id"], "applied_amount"])
        left = cents(result.unapplied.loc[result.unapplied["payment_id"] == p["payment_id"], "unapplied_amount"])
        assert applied + left == round(p["amount"] * 100), p["payment_id"]


GBP_FOR_1000 = payment("P1", PAID, 861.40, payer="HALTON COMPONENTS LTD", remittance="INV FV-2026-0001",
                       currency="GBP")


def test_within_tolerance_with_a_reference_is_applied_and_the_item_cleared_in_its_currency():
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [GBP_FOR_1000])
    assert rows(result) == [["P1", "FV-2026-0001", 861.40, "GBP", 1000.0, "EUR", 0.0]]
    row = result.applications.iloc[0]
    assert row["method"] == "reference+fx" and row["rate_date"] == pd.Timestamp("2026-11-19")
    assert row["exchange_rate"] == pytest.approx(1 / 0.8614) and "ExchangeRates of 19/11/2026" in row["rate_source"]
    assert result.unapplied.empty
    assert_payments_tie(result, [GBP_FOR_1000])


def test_a_rate_spread_is_an_exchange_loss_recorded_apart_never_a_writeoff():
    pay = payment("P1", PAID, 855.00, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0001", currency="GBP")
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay])
    # 855.00 GBP / 0.8614 = 992.57 EUR: 7.43 EUR short (0.74 %), within 2 %: cleared, a loss of 7.43
    assert rows(result) == [["P1", "FV-2026-0001", 855.0, "GBP", 1000.0, "EUR", -7.43]]
    assert result.applications.iloc[0]["writeoff_amount"] == 0.0
    assert "7.43 EUR exchange loss recorded as fx_difference" in result.applications.iloc[0]["explanation"]


def test_beyond_the_tolerance_waits_for_review_with_the_rate_the_converted_amount_and_the_difference():
    pay = payment("P1", PAID, 800.00, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0001", currency="GBP")
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay])
    assert rows(result) == []
    unapplied = result.unapplied.set_index("payment_id").loc["P1"]
    assert (unapplied["unapplied_amount"], unapplied["reason"]) == (800.0, "fx_tolerance")
    why = unapplied["explanation"]
    assert "1 GBP = 1.160901 EUR" in why and "EUR 928.72" in why and "-71.28 EUR (-7.13 %)" in why
    assert "beyond the 2 % exchange tolerance" in why
    # the proposal clears what the money is worth, not more
    assert rows(result, "review") == [["P1", "FV-2026-0001", 800.0, "GBP", 928.72, "EUR", 0.0]]
    # a wider tolerance (Config fx_tolerance_pct) takes it
    assert rows(run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay], fx_tolerance_pct=8.0))[0][-1] == -71.28


def test_no_rate_waits_for_review_and_says_so():
    pay = payment("P1", PAID, 1120.00, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0001", currency="USD")
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay])
    assert result.applications.empty
    unapplied = result.unapplied.iloc[0]
    assert (unapplied["reason"], unapplied["suggested_customer_id"]) == ("no_rate", "C1")
    assert "no exchange rate USD→EUR on or before 20/11/2026" in unapplied["explanation"]
    # a rate older than fx_rate_max_days is no rate; the latest before the payment date is used, never a later one
    old = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [GBP_FOR_1000],
              table=rates((D(2026, 11, 1), "GBP", 0.8614), (D(2026, 11, 25), "GBP", 0.8614)))
    assert old.applications.empty and old.unapplied.iloc[0]["reason"] == "no_rate"
    monthly = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [GBP_FOR_1000],
                  table=rates((D(2026, 11, 1), "GBP", 0.8614)), fx_rate_max_days=31)
    assert rows(monthly)[0][4] == 1000.0


def test_the_banks_conversion_on_the_payment_comes_before_the_table():
    # the payer instructed EUR 1,000.00; the bank credited GBP 850.00 (its own rate): the table's 0.8614 would
    # make it 986.76, yet the bank's amount in the item's currency is what was paid
    pay = payment("P1", PAID, 850.00, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0001", currency="GBP",
                  instructed_currency="EUR", instructed_amount=1000.00, exchange_rate=0.85)
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay])
    assert rows(result) == [["P1", "FV-2026-0001", 850.0, "GBP", 1000.0, "EUR", 0.0]]
    row = result.applications.iloc[0]
    assert row["rate_source"].startswith("the bank's conversion: the payer instructed EUR 1,000.00")
    assert row["exchange_rate"] == round(1000 / 850, 8)  # shown to 8 places, not 1.1764705882352942
    assert row["explanation"].count("instructed") == 1, row["explanation"]  # said once (walkthrough)
    # the bank's instructed amount must equal what is open: 990.00 instructed is a short payment, not an FX spread
    short = payment("P2", PAID, 841.50, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0002", currency="GBP",
                    instructed_currency="EUR", instructed_amount=990.00)
    result = run([invoice("FV-2026-0002", "C1", amount=1000.0)], [short])
    assert rows(result) == [] and result.unapplied.iloc[0]["reason"] == "fx_tolerance"


def test_mt940_ocmt_in_the_text_is_the_banks_conversion():
    pay = payment("P1", PAID, 850.00, payer="HALTON COMPONENTS LTD", currency="GBP",
                  remittance="/INV/FV-2026-0001 /OCMT/EUR1000,00/")
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay], table=None)
    assert rows(result) == [["P1", "FV-2026-0001", 850.0, "GBP", 1000.0, "EUR", 0.0]]


def test_an_item_of_the_payments_currency_that_fits_the_amount_does_not_take_money_meant_for_the_named_one():
    # before: the named EUR invoice was skipped ("in EUR, not GBP") and the GBP item of the same amount was applied
    inv = [invoice("FV-2026-0001", "C1", amount=1000.0), invoice("SI-104512", "C1", amount=861.40, currency="GBP")]
    pay = payment("P1", PAID, 861.40, account=GB_IBAN, remittance="INV FV-2026-0001", currency="GBP")
    assert [r[1] for r in rows(run(inv, [pay]))] == ["FV-2026-0001"]
    without_rate = run(inv, [pay], table=None)
    assert without_rate.applications.empty and without_rate.unapplied.iloc[0]["reason"] == "no_rate"


def test_an_item_in_another_currency_named_beside_one_in_the_payments_is_said_not_dropped():
    # before: the GBP item was applied and the rest left as an "overpayment" that never named FV-2026-0001
    inv = [invoice("FV-2026-0001", "C1", amount=1000.0), invoice("SI-104512", "C1", amount=100.0, currency="GBP")]
    pay = payment("P1", PAID, 961.40, account=GB_IBAN, remittance="INV FV-2026-0001 SI-104512", currency="GBP")
    result = run(inv, [pay])
    assert rows(result) == [["P1", "SI-104512", 100.0, "GBP", 100.0, "GBP", 0.0]]
    left = result.unapplied.iloc[0]
    assert (left["unapplied_amount"], left["reason"]) == (861.40, "overpayment")
    assert "also names FV-2026-0001 (EUR), not in GBP: not converted together with items in GBP" in \
        left["explanation"]
    assert_payments_tie(result, [pay])


def test_the_amount_alone_across_currencies_is_only_proposed():
    # identified by IBAN, no reference; 430.70 GBP is 500.00 EUR: exactly one item fits, never automatically
    pay = payment("P1", PAID, 430.70, account=GB_IBAN, currency="GBP")
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0), invoice("FV-2026-0002", "C1", amount=500.0)], [pay])
    assert rows(result) == [] and rows(result, "review") == [["P1", "FV-2026-0002", 430.7, "GBP", 500.0, "EUR", 0.0]]
    assert result.applications.iloc[0]["confidence"] <= 70
    assert "amount alone is never applied automatically" in result.unapplied.iloc[0]["explanation"]


def test_a_reference_from_a_payer_not_recognised_is_not_enough_across_currencies():
    pay = payment("P1", PAID, 861.40, payer="SUMMIT TRADING GROUP", remittance="FV-2026-0001", currency="GBP")
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], [pay])
    assert rows(result) == [] and result.unapplied.iloc[0]["reason"] == "fx_evidence"


def test_several_items_split_exactly_and_the_cross_rate_goes_through_the_base():
    # CHF invoices (home EUR) paid in GBP: GBP→CHF = (CHF per EUR) / (GBP per EUR) of the ECB's day
    inv = [invoice("RE-7001", "C2", amount=600.0, currency="CHF"), invoice("RE-7002", "C2", amount=333.33,
                                                                         currency="CHF")]
    pay = payment("P1", PAID, 862.00, payer="BRUNNER MASCHINENBAU AG", remittance="RE-7001 RE-7002", currency="GBP")
    result = run(inv, [pay])
    got = rows(result)
    assert [r[:2] for r in got] == [["P1", "RE-7001"], ["P1", "RE-7002"]]
    assert cents(r[2] for r in got) == 86200  # applied in GBP: the whole payment, to the cent
    assert [r[4] for r in got] == [600.0, 333.33]  # each item cleared in CHF, its open amount
    converted = round(86200 * 0.9312 / 0.8614)  # 931.85 CHF
    assert cents(r[6] for r in got) == converted - 93333  # Σ fx differences = converted − cleared, exactly
    assert "1 EUR = 0.9312 CHF and 0.8614 GBP" in result.applications.iloc[0]["rate_source"]


def test_same_currency_payments_are_untouched_by_the_rates():
    inv = [invoice("FV-2026-0001", "C1", amount=1000.0), invoice("FV-2026-0002", "C1", amount=500.0)]
    pay = [payment("P1", PAID, 500.00, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0002")]
    with_rates, without = run(inv, pay), run(inv, pay, table=None)
    pd.testing.assert_frame_equal(with_rates.applications, without.applications)
    assert rows(with_rates) == [["P1", "FV-2026-0002", 500.0, "EUR", 500.0, "EUR", 0.0]]


def test_exchange_rates_table_refuses_rates_that_cannot_be_and_reads_its_headers_in_any_language():
    raw = RawTable("Tipos de cambio", ["Fecha", "Divisa", "Tipo de cambio", "Moneda base"],
                   [[D(2026, 11, 19), "GBP", 0.8614, ""], [D(2026, 11, 19), "USD", 0, ""],
                    [D(2026, 11, 19), "EUR", 1.0, "EUR"]])
    table, problems = parse_table(EXCHANGE_RATES, raw)
    assert table["rate"].tolist()[0] == 0.8614 and table["base_currency"].tolist()[0] == ""
    assert [(p.row, p.column, p.message.split(":")[0]) for p in problems] == [
        (3, 3, "rate must be a positive number of units of the currency per one unit of base_currency (e.g. 0.8614)"),
        (4, 2, "currency is the base currency itself")]


def test_mt940_ocmt_and_exch_in_another_currency_become_the_payment_columns(tmp_path):
    from otc_xl.io.formats.bank import parse_bank_file

    path = tmp_path / "gbp.sta"
    path.write_text(":20:STMT1\n:25:10020030/1234567\n:28C:00001/001\n:60F:C261120GBP0,00\n"
                    ":61:2611201120CR850,00NTRFNONREF//BK1\n/OCMT/EUR1000,00/\n"
                    ":86:/EXCH/1,176471/ /REMI/INV FV-2026-0001/ORDP//NAME/HALTON COMPONENTS\n"
                    ":62F:C261120GBP850,00\n-\n", encoding="ascii")
    row = parse_bank_file(path).payments.iloc[0]
    assert (row["amount"], row["currency"], row["instructed_currency"], row["instructed_amount"]) == \
        (850.0, "GBP", "EUR", 1000.0)
    assert row["exchange_rate"] == pytest.approx(0.85)  # GBP per EUR, the direction the amounts agree with


def norma43_with_record_24(tmp_path, original: str = "840", extra: str = ""):
    """A Norma 43 file written here: a EUR account, one transfer credit of 920.00 whose record 24 says it was made
    as 1,000.00 in the currency numbered ``original`` (840 USD); ``extra`` follows the 24 (another record)."""
    lines = ["11" + "2100" + "0813" + "0123456789" + "261120" + "261120" + "2" + f"{0:014d}" + "978" + "3"
             + f"{'OTC XL TEST SL':<26}" + "   ",
             "22" + "    " + "0813" + "261120" + "261120" + "04" + "000" + "2" + f"{92000:014d}" + "0" * 10
             + f"{'':<12}" + f"{'':<16}",
             "2301" + f"{'HALTON COMPONENTS LTD':<38}" + f"{'FV-2026-0001':<38}",
             "2401" + original + f"{100000:014d}" + " " * 59, *([extra] if extra else []),
             "33" + "2100" + "0813" + "0123456789" + f"{0:05d}" + f"{0:014d}" + f"{1:05d}" + f"{92000:014d}" + "2"
             + f"{92000:014d}" + "978" + "    "]
    lines.append("88" + "9" * 18 + f"{len(lines):06d}" + " " * 54)
    assert all(len(line) == 80 for line in lines)
    path = tmp_path / "usd.n43"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    return path


def test_norma43_record_24_becomes_the_payments_original_currency_amount_and_rate(tmp_path):
    from otc_xl.io.formats.bank import parse_bank_file

    row = parse_bank_file(norma43_with_record_24(tmp_path)).payments.iloc[0]
    assert (row["amount"], row["currency"], row["instructed_currency"], row["instructed_amount"]) == \
        (920.0, "EUR", "USD", 1000.0)
    assert row["exchange_rate"] == 0.92  # EUR per USD: 920.00 / 1,000.00
    same = parse_bank_file(norma43_with_record_24(tmp_path, original="978")).payments.iloc[0]
    assert (same["instructed_currency"], same["instructed_amount"] != same["instructed_amount"]) == ("", True)


def test_norma43_record_24_that_is_not_one_is_refused_with_its_line(tmp_path):
    from otc_xl.io.formats.bank import parse_bank_file
    from otc_xl.model.problems import ValidationError

    for original, extra, expected in (
            ("000", "", "line 4 (record 24): currency (columns 5-7) is '000', expected an ISO 4217 numeric code"),
            ("840", "2401840" + f"{5:014d}" + " " * 59, "line 5 (record 24): a second record 24 for one movement"),
            ("840", "2402840" + f"{5:014d}" + " " * 59, "line 5 (record 24): data code (columns 3-4) is '02'")):
        with pytest.raises(ValidationError) as caught:
            parse_bank_file(norma43_with_record_24(tmp_path, original, extra))
        assert expected in str(caught.value.problems[0]) and "usd.n43" in str(caught.value.problems[0])


def test_a_norma43_receipt_converted_by_the_bank_clears_the_invoice_in_its_original_currency(tmp_path):
    from otc_xl.io.formats.bank import parse_bank_file

    received = parse_bank_file(norma43_with_record_24(tmp_path)).payments
    # no ExchangeRates table at all: the bank's conversion (record 24) is the only rate there is
    result = match_payments(invoices(invoice("FV-2026-0001", "C1", amount=1000.0, currency="USD")), received,
                            CUSTOMERS, MatchConfig(), exchange_rates=None)
    assert rows(result) == [[received.iloc[0]["payment_id"], "FV-2026-0001", 920.0, "EUR", 1000.0, "USD", 0.0]]
    row = result.applications.iloc[0]
    assert row["rate_source"].startswith("the bank's conversion: the payer instructed USD 1,000.00")
    assert row["exchange_rate"] == pytest.approx(1000 / 920) and result.unapplied.empty
    assert_payments_tie(result, [{"payment_id": received.iloc[0]["payment_id"], "amount": 920.0}])


# ------------------------------------------------------------------------------ the book of record, two days

def test_two_days_import_match_book_rerun_never_applies_twice_and_every_control_ties(tmp_path):
    from daybook import new_book
    from otc_xl.reports.controls import reconciliation

    def kpi_controls(done):
        booked = done.booked
        controls = reconciliation(booked.open_items, booked.ageing, booked.ledger.payments, booked.applications,
                                  booked.unapplied, booked.as_of)
        return pd.concat([booked.ties(), controls], ignore_index=True)

    rates_sheet = [["Date", "Currency", "Rate", "Source"], [D(2026, 11, 19), "GBP", 0.8614, "ECB"],
                   [D(2026, 11, 20), "GBP", 0.8620, "ECB"], [D(2026, 11, 23), "GBP", 0.8600, "ECB"]]
    day1 = [payment("P1", D(2026, 11, 20), 861.40, payer="HALTON COMPONENTS LTD", remittance="INV FV-2026-0001",
                    currency="GBP")]
    book = new_book(tmp_path, [invoice("FV-2026-0001", "C1", D(2026, 11, 30), 1000.0),
                               invoice("FV-2026-0002", "C1", D(2026, 11, 30), 500.0)],
                    [customer("C1", "Halton Components Ltd", iban=GB_IBAN)], day1,
                    extra={"ExchangeRates": rates_sheet})
    first = book.command("run", D(2026, 11, 20))
    apps = first.booked.applications
    # 861.40 GBP at the 20 November rate (0.8620 GBP per EUR) is 999.30 EUR: cleared, a 0.70 EUR exchange loss
    assert apps[["payment_id", "invoice_id", "applied_amount", "item_amount", "fx_difference", "status"]] \
        .values.tolist() == [["P1", "FV-2026-0001", 861.40, 1000.0, -0.70, "auto"]]
    assert "ExchangeRates of 20/11/2026: 1 EUR = 0.862 GBP, ECB" in apps.iloc[0]["rate_source"]
    opened = first.booked.open_items.set_index("invoice_id")["open_amount"].to_dict()
    assert opened == {"FV-2026-0001": 0.0, "FV-2026-0002": 500.0}
    controls = kpi_controls(first)
    assert bool(controls["ok"].all()) and set(controls["currency"]) == {"EUR", "GBP"}
    written = book.table("Applications")
    assert written[["invoice_id", "applied_amount", "item_amount", "item_currency", "fx_difference"]] \
        .values.tolist() == [["FV-2026-0001", 861.40, 1000.0, "EUR", -0.70]]
    # the same day again: the same applications, the same open items
    again = book.command("run", D(2026, 11, 20))
    pd.testing.assert_frame_equal(again.booked.applications, apps)
    assert again.booked.open_items.set_index("invoice_id")["open_amount"].to_dict() == opened
    # day 2: the ERP export shows FV-2026-0001 cleared; the bank import appends the day's line, yesterday's stays
    rows = book.sheets["Invoices"]
    book.sheets["Invoices"] = [rows[0]] + [r for r in rows[1:] if r[0] != "FV-2026-0001"]
    book.sheets["ClearedItems"] = [["invoice_id", "customer_id", "currency", "amount", "clearing_date",
                                    "clearing_document"], ["FV-2026-0001", "C1", "EUR", 1000.0, D(2026, 11, 20),
                                                           "1400000417"]]
    header = book.sheets["Payments"][0]
    second_pay = payment("P2", D(2026, 11, 23), 430.00, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0002",
                         currency="GBP")
    book.sheets["Payments"].append([second_pay.get(h) for h in header])
    second = book.command("run", D(2026, 11, 23))
    apps = second.booked.applications
    assert apps.loc[apps["status"] == "auto", ["payment_id", "invoice_id", "applied_amount", "item_amount",
                                               "fx_difference"]].values.tolist() == [
        ["P2", "FV-2026-0002", 430.0, 500.0, 0.0]]
    # yesterday's GBP is not applied twice: it names a cleared item and waits as a duplicate
    waiting = second.booked.match.unapplied.set_index("payment_id")
    assert waiting.loc["P1", "reason"] == "duplicate" and waiting.loc["P1", "unapplied_amount"] == 861.40
    assert second.booked.open_items.set_index("invoice_id")["open_amount"].to_dict() == {"FV-2026-0002": 0.0}
    assert bool(kpi_controls(second)["ok"].all())


def test_an_item_a_payment_in_review_names_is_neither_dunned_nor_called_about(tmp_path):
    """Found by a walkthrough: a GBP payment naming FV-2026-0001 but 20 % short waits in review; the
    dunning run of the same day still reminded the customer of the full invoice. The customer paid: until
    the associate applies or rejects the payment, its item is held ("in review"); the item it does not
    name is dunned as before, and the calls follow the same classification."""
    from daybook import new_book

    rates_sheet = [["Date", "Currency", "Rate"], [D(2026, 11, 19), "GBP", 0.8614]]
    short = payment("P1", PAID, 700.00, payer="HALTON COMPONENTS LTD", remittance="INV FV-2026-0001", currency="GBP")
    book = new_book(tmp_path, [invoice("FV-2026-0001", "C1", D(2026, 10, 1), 1000.0),
                               invoice("FV-2026-0002", "C1", D(2026, 10, 1), 500.0)],
                    [customer("C1", "Halton Components Ltd", iban=GB_IBAN)], [short],
                    extra={"ExchangeRates": rates_sheet})
    done = book.command("dunning", PAID)
    booked = done.booked
    assert booked.match.unapplied.set_index("payment_id").loc["P1", "reason"] == "fx_tolerance"
    items = booked.dunning.items.set_index("invoice_id")
    assert items.loc["FV-2026-0001", "hold"] == "in review"
    assert items.loc["FV-2026-0001", "reason"].startswith("payment P1 (GBP 700.00) names it and waits in review")
    assert items.loc["FV-2026-0002", "hold"] == "" and items.loc["FV-2026-0002", "status"] == "dunned"
    notice = booked.dunning.notices.set_index("customer_id").loc["C1"]
    assert notice["status"] == "notice" and round(float(notice["overdue_amount"]), 2) == 500.0
    calls = book.command("worklist", PAID).result.sheets[0].frame
    assert calls.set_index("customer_id").loc["C1", "overdue_amount"] == 500.0


def test_an_item_named_by_a_payment_without_a_rate_is_held_too(tmp_path):
    """The review's finding: a payment naming an item in another currency with no rate at all gets no
    proposal line, so the first version of the hold missed it and the item was dunned."""
    from daybook import new_book

    chf = payment("P1", PAID, 930.00, payer="HALTON COMPONENTS LTD", remittance="INV FV-2026-0001", currency="CHF")
    book = new_book(tmp_path, [invoice("FV-2026-0001", "C1", D(2026, 10, 1), 1000.0),
                               invoice("FV-2026-0002", "C1", D(2026, 10, 1), 500.0)],
                    [customer("C1", "Halton Components Ltd", iban=GB_IBAN)], [chf])
    booked = book.command("dunning", PAID).booked
    assert booked.match.unapplied.set_index("payment_id").loc["P1", "reason"] == "no_rate"
    assert booked.match.waiting[["payment_id", "invoice_id", "reason"]].values.tolist() == [
        ["P1", "FV-2026-0001", "no_rate"]]
    items = booked.dunning.items.set_index("invoice_id")
    assert items.loc["FV-2026-0001", "hold"] == "in review" and "(no_rate)" in items.loc["FV-2026-0001", "reason"]
    assert items.loc["FV-2026-0002", "status"] == "dunned"


def test_money_applied_across_currencies_is_received_in_the_items_currency():
    """Review finding: receipts were counted in the payment's currency, so a GBP payment clearing a EUR
    invoice left a EUR promise 'broken' and the EUR roll-forward without its collection. The applied part is
    received in the item's currency (what the AR lost and the customer's own ledger shows), the rest in the
    payment's."""
    from otc_xl.collecting.statements import customer_receipts

    pays = [payment("P1", PAID, 861.40, payer="HALTON COMPONENTS LTD", remittance="FV-2026-0001", currency="GBP"),
            payment("P2", PAID, 38.60, payer="HALTON COMPONENTS LTD", remittance="on account", currency="GBP",
                    customer_id="C1")]
    result = run([invoice("FV-2026-0001", "C1", amount=1000.0)], pays)
    assert rows(result)[0][:6] == ["P1", "FV-2026-0001", 861.4, "GBP", 1000.0, "EUR"]
    receipts = customer_receipts(payments(*pays), result.applications)
    assert receipts[["payment_id", "currency", "amount"]].values.tolist() == [["P1", "EUR", 1000.0],
                                                                             ["P2", "GBP", 38.6]]
    on_account = customer_receipts(payments(*pays), result.applications, applied=False)
    assert on_account[["payment_id", "currency", "amount"]].values.tolist() == [["P2", "GBP", 38.6]]

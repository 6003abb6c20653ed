"""Issue 14: bank statements as banks send them — read right, or refused clearly.

``fixtures/bank/corpus`` holds one file per layout feature seen in real exports (written by
``make_corpus.py``; its ``expected.csv`` says what each file holds). Every file must give exactly
its receipts and total, or be refused with the expected message; re-imports add nothing and the
next day's file adds all of its receipts; any statement we can write round-trips.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import otc_xl
from builders import INVOICE_HEADERS, invoice_row
from conftest import ROOT
from otc_xl.cli import main
from otc_xl.demo.bank_writers import Line, camt, mt940
from otc_xl.io.formats.bank import parse_bank_file

CORPUS = ROOT / "tests" / "fixtures" / "bank" / "corpus"
EXPECTED = list(csv.DictReader(open(CORPUS / "expected.csv", encoding="utf-8")))


def total(payments) -> Decimal:
    return Decimal(int((payments["amount"] * 100).round().astype("int64").sum())) / 100


def test_the_corpus_is_big_enough():
    assert len(EXPECTED) >= 40
    assert len({r["file"].split(".")[-1] for r in EXPECTED}) >= 4  # xml, sta, csv, xlsx


@pytest.mark.parametrize("row", EXPECTED, ids=[r["file"] for r in EXPECTED])
def test_each_layout_gives_its_receipts_or_a_clear_refusal(row):
    path = CORPUS / row["file"]
    if row["error"]:
        with pytest.raises(otc_xl.ValidationError) as caught:
            parse_bank_file(path)
        message = "\n".join(map(str, caught.value.problems))
        assert row["error"] in message and path.name in message, message
        return
    lines = parse_bank_file(path)
    payments = lines.payments
    assert (len(payments), total(payments)) == (int(row["receipts"]), Decimal(row["total"])), row["feature"]
    assert (payments["amount"] > 0).all() and payments["payment_id"].is_unique
    assert payments["payment_id"].map(type).eq(str).all() if len(payments) else str(payments["payment_id"].dtype) in (
        "str", "object", "string")


def receipts(name: str) -> pd.DataFrame:
    return parse_bank_file(CORPUS / name).payments


def test_batch_transactions_carry_their_own_amounts():
    for name in ("camt054_v02_batch_instdamt.xml", "camt054_batch_txamt.xml", "camt053_batch_txdtls_amt.xml"):
        assert sorted(receipts(name)["amount"]) == [500.0, 800.0], name


def test_placeholder_references_are_never_ids():
    for name in ("camt053_placeholder_refs.xml", "mt940_placeholders.sta"):
        ids = list(receipts(name)["payment_id"])
        assert not {"NONREF", "NOTPROVIDED"} & set(ids) and len(set(ids)) == len(ids), ids


def test_ultimate_debtor_is_in_the_remittance():
    row = receipts("camt053_ultimate_debtor.xml").iloc[0]
    assert row["payer_name"] == "PAYPAL EUROPE S.A R.L"
    assert "on behalf of: Ferramenta Rossi S.r.l." in row["remittance"]


def test_mt940_details_are_split_right():
    nl = receipts("mt940_nl_structured.sta").iloc[0]
    assert (nl["payer_name"], nl["payer_account"], nl["remittance"]) == (
        "Meyer Maschinenbau GmbH", "DE89370400440532013000", "RE 2026-00451")
    ing = receipts("mt940_nl_ing_cntp.sta").iloc[0]
    assert (ing["payer_name"], ing["payer_account"], ing["remittance"]) == (
        "Meyer Maschinenbau GmbH", "DE89370400440532013000", "RE 2026-00451")
    de = receipts("mt940_de_purpose_60_63.sta").iloc[0]
    assert "RE-2026-004713 Kunde 88" in de["remittance"] and de["payer_name"].startswith("Schmidt Elektrotechnik")
    wrapped = receipts("mt940_wrapped_reference.sta").iloc[0]
    assert "INV-2026-00451" in wrapped["remittance"] and "INV-2026-00452" in wrapped["remittance"]


def test_statement_level_text_is_not_glued_to_the_last_payment():
    lines = parse_bank_file(CORPUS / "mt940_statement_level_86.sta")
    assert all("Kontoinhaber" not in r for r in lines.payments["remittance"])
    assert any("statement information" in n for n in lines.notes)


def test_broken_optional_field_is_skipped_with_a_note():
    lines = parse_bank_file(CORPUS / "mt940_broken_65.sta")
    assert any("optional :65: field" in n and "skipped" in n for n in lines.notes)


def test_central_european_mt940_is_decoded_right():
    lines = parse_bank_file(CORPUS / "mt940_cp1250.sta")
    assert set(lines.payments["remittance"]) == {"Łódzka Spółdzielnia Mleczarska Zapłata faktury FV/2026/11/015 za "
                                                 "usługi księgowe"}
    assert any("read as cp1250" in n for n in lines.notes)


def test_csv_text_columns_and_indicators():
    sparkasse = receipts("de_sparkasse_camt_csv.csv").iloc[0]
    assert sparkasse["remittance"] == "RE 2026-00451 Kd 4711" and sparkasse["payer_name"] == "Meyer Maschinenbau GmbH"
    assert sparkasse["payer_account"] == "DE44500105175407324931"
    assert list(receipts("de_soll_haben.csv")["amount"]) == [1500.0, 250.5]
    assert list(receipts("nl_ing.csv")["payer_name"]) == ["De Vries BV"]
    assert list(receipts("dot_decimal.csv")["amount"]) == [1.5, 12.3, 7.25]
    assert receipts("us_dates.csv")["payment_date"].dt.date.tolist() == [dt.date(2026, 11, 20), dt.date(2026, 11, 25)]
    assert receipts("es_caixabank.csv").iloc[1]["remittance"] == "TRANSF NÚÑEZ Y PEÑA SA FRA 2026/0452"


def test_payment_providers():
    paypal = parse_bank_file(CORPUS / "paypal_activity.csv")
    row = paypal.payments.iloc[0]
    assert (row["amount"], row["payer_name"], row["payment_id"]) == (120.0, "Ferramenta Rossi", "9XK1")
    assert ("INV-2026-0451" in row["remittance"] and "Order 77" in row["remittance"]
            and "(fee 3.85)" in row["remittance"])
    assert any("status 'pending'" in n and "general currency conversion" in n for n in paypal.notes), paypal.notes
    stripe = receipts("stripe_balance.csv")
    assert list(stripe["payment_id"]) == ["txn_1", "txn_3"] and list(stripe["currency"]) == ["EUR", "EUR"]


def test_only_debits_gives_typed_empty_columns():
    for name in ("only_debits.csv", "camt053_only_debits.xml"):
        payments = receipts(name)
        assert payments.empty
        assert str(payments["payment_id"].dtype) != "float64" and str(payments["amount"].dtype) == "float64"
        assert str(payments["payment_date"].dtype).startswith("datetime64")


def test_bank_profile_declared_in_config(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Fch;Txt;Imp;Ind;Mas\n20/11/2026;FRA 1;100,00;A;extra\n20/11/2026;x;5,00;B;\n", encoding="utf-8")
    profile = {"booking_date": "Fch", "remittance": "Txt+Mas", "amount": "Imp", "indicator": "Ind",
               "credit_marks": "A", "debit_marks": "B"}
    payments = parse_bank_file(path, profile=profile).payments
    assert list(payments["amount"]) == [100.0] and list(payments["remittance"]) == ["FRA 1 extra"]
    from otc_xl.io.formats.bank import parse_profile
    assert parse_profile("amount=Imp; indicator=Ind; credit_marks=A") == {"amount": "Imp", "indicator": "Ind",
                                                                         "credit_marks": "A"}
    with pytest.raises(ValueError, match="unknown column 'amout'"):
        parse_profile("amout=Imp")


# ---------------------------------------------------------------------------- re-import, next day

def book(make_book):
    return make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [["Payment No.", "Value date", "Payer", "Amount", "Remittance information"],
                                   ["OLD-1", dt.date(2026, 11, 1), "Someone", 10.0, "old line"]]},
                     tables={"Payments": "tblPayments"})


def payment_rows(path: Path) -> list:
    return list(openpyxl.load_workbook(path)["Payments"].iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("write", ["mt940", "camt"])
def test_reimport_adds_nothing_and_the_next_day_adds_every_receipt(make_book, tmp_path, write):
    """Both days hold receipts without a bank reference (NONREF / none) and identical twins."""
    def day(d: dt.date) -> str:
        lines = [Line(Decimal("250.00"), d, "Rossi", "", "Fattura 77"),
                 Line(Decimal("250.00"), d, "Rossi", "", "Fattura 77"),
                 Line(Decimal("-5.00"), d, "Bank", "", "fee"), Line(Decimal("80.00"), d, "Bianchi", "", "Fattura 78")]
        ident = f"S-{d:%Y%m%d}"
        return mt940([(ident, Decimal("0"), lines)]) if write == "mt940" else camt([(ident, Decimal("0"), lines)])
    target = book(make_book)
    suffix = ".sta" if write == "mt940" else ".xml"
    monday, tuesday = tmp_path / f"mon{suffix}", tmp_path / f"tue{suffix}"
    monday.write_text(day(dt.date(2026, 11, 23)), encoding="utf-8")
    tuesday.write_text(day(dt.date(2026, 11, 24)), encoding="utf-8")
    def run(*files):
        return CliRunner().invoke(main, ["import-bank", *map(str, files), "--into", str(target)])
    first = run(monday)
    assert first.exit_code == 0 and "3 new bank line(s)" in first.output, first.output
    again = run(monday)
    assert "0 new bank line(s)" in again.output and "3 already there" in again.output
    next_day = run(monday, tuesday)
    assert "3 new bank line(s)" in next_day.output and "3 already there" in next_day.output, next_day.output
    rows = payment_rows(target)
    assert len(rows) == 7 and sum(r[3] for r in rows) == 10.0 + 2 * 580.0


# ---------------------------------------------------------------------------- round trip

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
texts = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -/.", min_size=1,
                max_size=60).map(str.strip).filter(bool)
movement = st.tuples(amounts, st.booleans(), st.sampled_from(["Rossi Srl", "Meyer GmbH", "ACME SL"]), texts,
                     st.integers(0, 20))


@settings(max_examples=40, deadline=None)
@given(moves=st.lists(movement, min_size=1, max_size=12), opening=amounts, form=st.sampled_from(["mt940", "camt"]))
def test_any_statement_we_write_reads_back_to_the_same_receipts(tmp_path_factory, moves, opening, form):
    lines = [Line(a if credit else -a, dt.date(2026, 11, 1) + dt.timedelta(days=d), payer, "", text)
             for a, credit, payer, text, d in moves]
    path = tmp_path_factory.mktemp("rt") / ("s.sta" if form == "mt940" else "s.xml")
    path.write_text(mt940([("RT", opening, lines)], details="german") if form == "mt940"
                    else camt([("RT", opening, lines)]), encoding="utf-8")
    payments = parse_bank_file(path).payments
    credits = [line for line in lines if line.amount > 0]
    assert len(payments) == len(credits)
    assert [Decimal(f"{a:.2f}") for a in payments["amount"]] == [c.amount for c in credits]
    assert list(payments["payer_name"]) == [c.payer for c in credits]
    assert payments["payment_date"].dt.date.tolist() == [c.date for c in credits]
    assert [" ".join(r.split()) for r in payments["remittance"]] == [" ".join(c.text.split()) for c in credits]
    assert payments["payment_id"].is_unique


# ---------------------------------------------------------------------------- the import summary in the book

def test_each_import_is_logged_in_the_workbook(make_book):
    target = book(make_book)
    def run(*files):
        return CliRunner().invoke(main, ["import-bank", *map(str, files), "--into", str(target)])
    first = run(CORPUS / "camt053_v02_basic.xml", CORPUS / "es_caixabank.csv")
    assert first.exit_code == 0 and "Import log: 2 line(s) logged on ImportLog." in first.output, first.output
    assert run(CORPUS / "camt053_v02_basic.xml").exit_code == 0
    ws = openpyxl.load_workbook(target)["ImportLog"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1:8] for r in rows] == [
        ("camt053_v02_basic.xml", "camt.053", 2, 2, 0, 1, "EUR 1,333.56"),
        ("es_caixabank.csv", "CSV", 2, 2, 0, 1, "EUR 1,834.56"),
        ("camt053_v02_basic.xml", "camt.053", 2, 0, 2, 1, "EUR 1,333.56")]
    assert rows[1][8] == "es_caixabank.csv: read as cp1252"
    assert ws.tables["tblImportLog"].ref == "A1:I4"


def test_receipts_and_log_row_are_one_write_and_styles_do_not_grow(make_book, monkeypatch):
    """Once the ImportLog table exists, an import rewrites the book once (receipts and log row in
    the same splice); importing again and again adds no cell styles."""
    import re
    import zipfile

    import otc_xl.io.bank_import as bank_import

    target = book(make_book)
    def run(*files):
        return CliRunner().invoke(main, ["import-bank", *map(str, files), "--into", str(target)])
    assert run(CORPUS / "camt053_v02_basic.xml").exit_code == 0  # creates the ImportLog table
    def xfs():
        return int(re.search(rb'<cellXfs count="(\d+)"', zipfile.ZipFile(target).read("xl/styles.xml")).group(1))
    before = xfs()
    writes = []
    real = bank_import.replace_atomically
    monkeypatch.setattr(bank_import, "replace_atomically", lambda path, write: (writes.append(path), real(path, write)))
    for name in ("es_caixabank.csv", "camt053_v02_basic.xml", "es_caixabank.csv"):
        result = run(CORPUS / name)
        assert result.exit_code == 0 and "Import log: 1 line(s) logged on ImportLog." in result.output, result.output
    assert len(writes) == 3, "one write per import, even when nothing new is appended (the log row is)"
    assert xfs() == before
    rows = list(openpyxl.load_workbook(target)["ImportLog"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[4]) for r in rows] == [("camt053_v02_basic.xml", 2, 2), ("es_caixabank.csv", 2, 2),
                                                   ("camt053_v02_basic.xml", 2, 0), ("es_caixabank.csv", 2, 0)]
    assert len(otc_xl.read_workbook(target).payments) == len(otc_xl.read_workbook(target).payments.drop_duplicates(
        "payment_id"))


def test_log_says_so_when_it_cannot_be_written(make_book):
    from openpyxl.chart import BarChart, Reference
    target = book(make_book)
    wb = openpyxl.load_workbook(target)
    ws = wb.create_sheet("Chart")
    ws.append(["x", 1])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=1))
    ws.add_chart(chart, "D2")
    wb.save(target)
    result = CliRunner().invoke(main, ["import-bank", str(CORPUS / "camt053_v02_basic.xml"), "--into", str(target)])
    assert result.exit_code == 0 and "2 new bank line(s) appended" in result.output
    assert "the import log was not written" in result.output and "ImportLog" not in openpyxl.load_workbook(
        target).sheetnames


def test_log_appended_where_the_users_import_log_table_sits(make_book):
    """An ImportLog table that starts at B3 with a note below it (the splice declines): the careful
    path writes the new row in the table's own columns and extends that table."""
    from openpyxl.worksheet.table import Table
    target = book(make_book)
    wb = openpyxl.load_workbook(target)
    ws = wb.create_sheet("ImportLog")
    headers = ["imported_at", "file", "format", "receipts", "added", "already_there", "debits_skipped", "totals",
               "notes"]
    for j, h in enumerate(headers, start=2):
        ws.cell(3, j, h)
        ws.cell(4, j, "earlier" if h == "file" else None)
    ws.add_table(Table(displayName="tblImportLog", ref="B3:J4"))
    ws["L30"] = "my note"
    wb.save(target)
    result = CliRunner().invoke(main, ["import-bank", str(CORPUS / "camt053_v02_basic.xml"), "--into", str(target)])
    assert result.exit_code == 0 and "1 line(s) logged on ImportLog" in result.output, result.output
    ws = openpyxl.load_workbook(target)["ImportLog"]
    assert ws["C5"].value == "camt053_v02_basic.xml" and ws["E5"].value == 2 and ws["A5"].value is None
    assert ws.tables["tblImportLog"].ref == "B3:J5" and ws["L30"].value == "my note"


# ---------------------------------------------------------------------------- issue 30: variants that tie

def test_mt940_lines_without_type_code_are_each_a_transaction():
    lines = parse_bank_file(CORPUS / "mt940_61_without_type_code.sta")
    assert list(lines.payments["amount"]) == [1234.56, 99.0] and lines.debits == 1
    assert list(lines.payments["payer_name"]) == ["Meyer Maschinenbau GmbH", "ACME Iberica SL"]


def test_mt940_closing_balance_without_currency_is_read_in_the_statements():
    lines = parse_bank_file(CORPUS / "mt940_62f_without_currency.sta")
    assert total(lines.payments) == Decimal("1333.56")
    assert any(":62F: at line 11 has no currency; read in EUR" in n for n in lines.notes), lines.notes


def test_mt940_ing_wrapped_reference_and_asn_iban_reference():
    ing = receipts("mt940_ing_reference_wrapped_trcd.sta").iloc[0]
    assert (ing["payment_id"], ing["amount"], ing["payer_name"]) == ("00000000001005", 1234.56,
                                                                      "Meyer Maschinenbau GmbH")
    asn = receipts("mt940_asn_iban_reference.sta")
    assert list(asn["payer_account"]) == ["NL47INGB9999999999"] * 2
    assert list(asn["payer_name"]) == ["De Groot Installatie BV"] * 2
    assert "NL47INGB9999999999" not in set(asn["payment_id"]), "a payer's IBAN is no payment id"
    assert asn["payment_id"].str.startswith("MT940-").all() and asn["payment_id"].is_unique
    assert [r.split()[-1] for r in asn["remittance"]] == ["2026-0815", "2026-0816"]


def test_mt940_dot_decimal_amount_keeps_its_cents():
    assert list(receipts("mt940_dot_decimal_amounts.sta")["amount"]) == [482.41]


def test_camt_reversal_follows_its_booking_direction_and_an_empty_day_is_valid():
    lines = parse_bank_file(CORPUS / "camt053_reversal.xml")
    assert (len(lines.payments), lines.debits) == (2, 2)  # the fee and the reversed credit
    empty = parse_bank_file(CORPUS / "camt053_balances_no_entries.xml")
    assert empty.payments.empty and any("no entries" in n for n in empty.notes)


# ---------------------------------------------------------------------------- issue 30: exports, overrides

def test_paypal_in_spanish_and_german():
    es = parse_bank_file(CORPUS / "paypal_es.csv")
    row = es.payments.iloc[0]
    assert (row["payment_id"], row["amount"], row["payer_name"]) == ("7ES1", 1210.0, "Ferretería Gómez SL")
    assert row["remittance"] == "FRA-2026-0451 Pedido 88 (fee 41.49)" and es.debits == 1
    assert any("1 status 'pendiente'" in n for n in es.notes), es.notes
    de = parse_bank_file(CORPUS / "paypal_de.csv")
    assert de.payments[["payment_id", "amount", "remittance"]].values.tolist() == [
        ["8DE1", 2380.0, "RE-2026-0451 Danke (fee 81.27)"]]
    assert any("1 status 'ausstehend'" in n and "allgemeine währungsumrechnung" in n for n in de.notes), de.notes


def test_short_row_is_named_and_left_out_only_when_the_user_says_so():
    from otc_xl.io.formats.bank import ReadPolicy
    lines = parse_bank_file(CORPUS / "nl_ing_short_row.csv", policy=ReadPolicy(accept_short_rows=True))
    assert lines.payments[["amount", "payer_name", "remittance"]].values.tolist() == [
        [1234.56, "De Vries BV", "Factuur 2026-0042"], [50.0, "Jansen", "F 77"]]
    assert any("1 row(s) with missing fields not imported" in n and "line 3 has 8 field(s)" in n
               for n in lines.notes), lines.notes


def import_into(target, *args):
    return CliRunner().invoke(main, ["import-bank", *map(str, args), "--into", str(target)])


def test_accept_unbalanced_imports_says_how_far_off_and_logs_it(make_book):
    target = book(make_book)
    refused = import_into(target, CORPUS / "mt940_unbalanced.sta")
    assert refused.exit_code == 1 and "balances do not tie" in refused.output
    assert "--accept-unbalanced" in refused.output and len(payment_rows(target)) == 1
    accepted = import_into(target, CORPUS / "mt940_unbalanced.sta", CORPUS / "es_norma43_unbalanced.n43",
                           "--accept-unbalanced")
    assert accepted.exit_code == 0, accepted.output
    flat = " ".join(accepted.output.split())
    assert "statement 1 (line 1) does not tie, off by 1.00" in flat
    assert "account 2100-0813-0123456789 (line 8 (record 33)) does not tie, off by 0.01" in flat
    assert "4 new bank line(s) appended" in flat
    log = list(openpyxl.load_workbook(target)["ImportLog"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3]) for r in log] == [("mt940_unbalanced.sta", 2), ("es_norma43_unbalanced.n43", 2)]
    assert "off by 1.00; imported because --accept-unbalanced" in log[0][8]
    assert "off by 0.01; imported because --accept-unbalanced" in log[1][8]


def test_short_rows_option_on_the_command_line(make_book):
    target = book(make_book)
    refused = import_into(target, CORPUS / "nl_ing_short_row.csv")
    assert refused.exit_code == 1 and "line 3 has 8 field(s), the header has 9" in " ".join(refused.output.split())
    accepted = import_into(target, CORPUS / "nl_ing_short_row.csv", "--accept-short-rows")
    assert accepted.exit_code == 0 and "2 new bank line(s) appended" in accepted.output, accepted.output


# ---------------------------------------------------------------------------- issue 30: national formats

def test_national_formats_are_detected_by_content_and_read():
    es = parse_bank_file(CORPUS / "es_norma43_two_accounts.txt")
    assert es.source == "Norma 43" and es.debits == 1
    assert es.payments[["amount", "payer_name", "remittance", "currency"]].values.tolist() == [
        [1234.56, "TALLERES IRIARTE SL", "FRA 2026/0451 R0451", "EUR"],
        [99.0, "NUNEZ Y PENA SA", "FRA 2026/0452", "EUR"]]
    assert es.payments["payment_date"].dt.date.tolist() == [dt.date(2026, 11, 20), dt.date(2026, 11, 21)]
    fr = parse_bank_file(CORPUS / "fr_cfonb120_two_days.cfo")
    assert fr.source == "CFONB 120" and fr.debits == 1
    assert fr.payments[["amount", "payer_name", "remittance"]].values.tolist() == [
        [1234.56, "TALLERES IRIARTE SL", "FRA 2026/0451 R0451"], [99.0, "NUNEZ Y PENA SA", "FRA 2026/0452"]]
    assert fr.payments["payment_id"].str.startswith("CFONB-").all()


def test_format_list_is_one_registry():
    from otc_xl.io.formats.bank import FORMATS, READERS
    assert FORMATS == ("xlsx", "camt", "mt940", "norma43", "cfonb120", "cbi", "coda", "bai2", "lockbox", "ofx", "csv")
    help_text = " ".join(CliRunner().invoke(main, ["import-bank", "--help"]).output.split())
    assert "[xlsx|camt|mt940|norma43|cfonb120|cbi|coda|bai2|lockbox|ofx|csv]" in help_text
    assert all(r.title in help_text for r in READERS)
    forced = parse_bank_file(CORPUS / "es_norma43.n43", format="n43")
    assert forced.source == "Norma 43"
    with pytest.raises(otc_xl.ValidationError,
                       match="expected one of xlsx, camt, mt940, norma43, cfonb120, cbi, coda, bai2, lockbox, ofx, "
                             "csv"):
        parse_bank_file(CORPUS / "es_norma43.n43", format="qif")


@settings(max_examples=30, deadline=None)
@given(moves=st.lists(movement, min_size=1, max_size=10), opening=amounts,
       form=st.sampled_from(["norma43", "cfonb", "bai2", "coda"]))
def test_any_national_statement_we_write_reads_back(tmp_path_factory, moves, opening, form):
    from otc_xl.demo.bank_writers import bai2, cfonb120, coda, norma43
    lines = [Line(a if credit else -a, dt.date(2026, 11, 1) + dt.timedelta(days=d), payer, "",
                  text[:31].strip().rstrip("/") or "x") for a, credit, payer, text, d in moves]
    lines.sort(key=lambda line: line.date)
    if form == "bai2":  # one as-of date per group: the writer dates every line on it
        lines = [Line(line.amount, lines[0].date, line.payer, "", line.text) for line in lines]
    write = {"norma43": lambda: norma43([("1234567890", opening, lines)]),
             "cfonb": lambda: cfonb120([("12345678901", opening, lines)]),
             "bai2": lambda: bai2([("123456789", opening, lines)]),
             "coda": lambda: coda([("BE68539007547034", opening, lines)])}[form]
    path = tmp_path_factory.mktemp("nat") / f"s.{form}"
    path.write_text(write(), encoding="latin-1")
    payments = parse_bank_file(path).payments
    credits = [line for line in lines if line.amount > 0]
    assert [Decimal(f"{a:.2f}") for a in payments["amount"]] == [c.amount for c in credits]
    if form == "bai2":  # BAI2 details have no payer field: the name is in the text
        assert [r.startswith(c.payer) for r, c in zip(payments["remittance"], credits)] == [True] * len(credits)
    else:
        assert list(payments["payer_name"]) == [c.payer for c in credits]
    assert payments["payment_date"].dt.date.tolist() == [c.date for c in credits]
    if form != "bai2":
        assert [r.split()[:1] for r in payments["remittance"]] == [c.text.split()[:1] for c in credits]
    assert payments["payment_id"].is_unique


def test_bai2_reads_references_and_skips_test_groups():
    us = parse_bank_file(CORPUS / "us_bai2.bai")
    assert us.source == "BAI2" and us.debits == 1
    assert us.payments[["payment_id", "amount", "currency", "remittance"]].values.tolist() == [
        ["WIRE-0451", 1234.56, "USD", "ACME CORP INV 2026-0451"], [us.payments["payment_id"][1], 99.0, "USD",
                                                                    "BETA LLC INV 2026-0452"]]
    assert us.payments["payment_id"][1].startswith("BAI2-")
    test = parse_bank_file(CORPUS / "us_bai2_test_group.bai")
    assert test.payments.empty and any("marked test only; its 2 credit(s) were not imported" in n for n in test.notes)


# ---------------------------------------------------------------------------- issue 30: intraday reports

def intraday_rows(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    if "Intraday" not in wb.sheetnames:
        return []
    ws = wb["Intraday"]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0] not in (None, "")]


@pytest.mark.parametrize("intraday_form", ["camt", "mt940"])
def test_intraday_receipts_wait_as_not_final_and_the_days_statement_replaces_them(make_book, tmp_path,
                                                                                   intraday_form):
    day = dt.date(2026, 11, 20)
    lines = [Line(Decimal("1234.56"), day, "Meyer GmbH", "", "RE 2026-00451", "BK-1"),
             Line(Decimal("-50.00"), day, "Bank", "", "fee"),
             Line(Decimal("99.00"), day, "ACME SL", "", "FRA 2026/123", "BK-2")]
    if intraday_form == "camt":
        report, statement = tmp_path / "intraday.xml", tmp_path / "final.xml"
        report.write_text(camt([("R-1120", Decimal("0"), lines[:2])], version="052"), encoding="utf-8")
        statement.write_text(camt([("S-1120", Decimal("1000.00"), lines[1:])]), encoding="utf-8")
    else:
        report, statement = tmp_path / "intraday.sta", tmp_path / "final.sta"
        report.write_text(":20:INTRA1\n:25:DE89370400440532013000\n:28C:00001/001\n:34F:EURC0,00\n"
                          ":13D:2611201200+0100\n:61:2611201120CR1234,56NTRFNONREF//BK-1\n"
                          ":86:166?20SVWZ+RE 2026-00451?32Meyer GmbH\n:90C:1EUR1234,56\n-\n", encoding="utf-8")
        statement.write_text(mt940([("S-1120", Decimal("1000.00"), lines[1:])]), encoding="utf-8")
    target = book(make_book)
    first = import_into(target, report)
    assert first.exit_code == 0, first.output
    flat = " ".join(first.output.split())
    assert "0 new bank line(s) appended" in flat and "1 receipt(s) kept as not final" in flat, flat
    assert len(payment_rows(target)) == 1, "an intraday receipt is not in Payments"
    kept = intraday_rows(target)
    assert [(r["amount"], r["status"], r["day"], r["file"]) for r in kept] == [
        (1234.56, "not final", "2026-11-20", report.name)]
    again = import_into(target, report)
    assert again.exit_code == 0 and len(intraday_rows(target)) == 1, "the same report imported twice: one row"
    final = import_into(target, statement)
    assert final.exit_code == 0, final.output
    flat = " ".join(final.output.split())
    assert "1 new bank line(s) appended" in flat
    assert "the final statement replaces 1 intraday receipt(s) (0 confirmed, 1 not in it: 1,234.56 EUR of " \
           "2026-11-20" in flat, flat
    assert intraday_rows(target) == [] and [r[3] for r in payment_rows(target)] == [10.0, 99.0]
    log = list(openpyxl.load_workbook(target)["ImportLog"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[4]) for r in log] == [(("camt.052" if intraday_form == "camt" else "MT942") + " (not final)", 0),
                                          (("camt.052" if intraday_form == "camt" else "MT942") + " (not final)", 0),
                                          ("camt.053" if intraday_form == "camt" else "MT940", 1)]


def test_intraday_receipt_confirmed_by_the_final_statement(make_book, tmp_path):
    day = dt.date(2026, 11, 20)
    lines = [Line(Decimal("1234.56"), day, "Meyer GmbH", "", "RE 2026-00451", "BK-1")]
    report, statement = tmp_path / "r.xml", tmp_path / "s.xml"
    report.write_text(camt([("R-1", Decimal("0"), lines)], version="052"), encoding="utf-8")
    statement.write_text(camt([("S-1", Decimal("0"), lines)]), encoding="utf-8")
    target = book(make_book)
    both = import_into(target, report, statement)  # one command: the statement replaces the report at once
    flat = " ".join(both.output.split())
    assert both.exit_code == 0 and "1 new bank line(s) appended" in flat, flat
    assert "s.xml: the final statement replaces 1 intraday receipt(s) (1 confirmed)" in flat
    assert ("Intraday: 0 receipt(s) kept as not final, 1 replaced by the day's statement; "
            "0 on the Intraday sheet") in flat
    assert intraday_rows(target) == []
    assert [r[0] for r in payment_rows(target)] == ["OLD-1", "BK-1"]


def test_coda_structured_reference_and_globalised_batch():
    be = parse_bank_file(CORPUS / "be_coda.cod")
    assert be.source == "CODA" and be.debits == 1
    assert be.payments[["payment_id", "amount", "payer_name", "payer_account", "remittance"]].values.tolist() == [
        ["BNKREF1", 1234.56, "MEYER NV", "BE68539007547034", "+++000/0035/05158+++"],
        ["REF000030001-0001", 800.0, "BETA BV", "", "Factuur 2026/452"],
        ["REF000030002-0002", 500.0, "DUPONT SA", "", "Facture 453"]]


def test_ofx_sgml_and_xml_give_the_same_receipts_keyed_by_fitid():
    sgml, xml = parse_bank_file(CORPUS / "us_ofx_sgml.ofx"), parse_bank_file(CORPUS / "us_ofx_xml.qfx")
    assert sgml.source == xml.source == "OFX" and sgml.debits == xml.debits == 1
    columns = ["payment_id", "payment_date", "amount", "currency", "payer_name", "remittance"]
    assert sgml.payments[columns].values.tolist() == xml.payments[columns].values.tolist()
    assert sgml.payments[["payment_id", "amount", "payer_name", "remittance"]].values.tolist() == [
        ["WIRE-0451", 1234.56, "ACME CORP", "INV 2026-0451"],
        ["000123456789-000003", 99.0, "BETA LLC", "INV 2026-0452"]]
    assert any("cannot be checked to tie" in n for n in sgml.notes)


def test_a_users_own_intraday_sheet_is_never_overwritten(make_book, tmp_path):
    target = book(make_book)
    wb = openpyxl.load_workbook(target)
    wb.create_sheet("Intraday")["A1"] = "my own notes"
    wb.save(target)
    report = tmp_path / "r.xml"
    report.write_text(camt([("R-1", Decimal("0"), [Line(Decimal("10.00"), dt.date(2026, 11, 20), "X", "", "y")])],
                           version="052"), encoding="utf-8")
    result = import_into(target, report)
    flat = " ".join(result.output.split())
    assert result.exit_code == 0 and "the Intraday sheet was not written" in flat, flat
    assert openpyxl.load_workbook(target)["Intraday"]["A1"].value == "my own notes"
    assert len(payment_rows(target)) == 1

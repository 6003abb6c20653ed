"""camt's instructed amount, charges and ultimate debtor become Payments columns (#29), are kept by the
import when the book has the columns, named when it has not, and prove bank charges to cash application."""

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from otc_xl.io.bank_import import append_payments
from otc_xl.io.formats.bank import parse_bank_file
from otc_xl.matching import MatchConfig, match_payments
from otc_xl.model.problems import ValidationError

ROOT = Path(__file__).resolve().parents[1]


def camt(tx_extra: str, amount: str = "962.50", ultimate: str = "Lindqvist Fördertechnik AB") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-21T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>ES7921000813610123456789</IBAN></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>2026-11-20</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>2026-11-20</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>E-1</AcctSvcrRef><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>{tx_extra}
<RltdPties><Dbtr><Pty><Nm>Nordic Factoring AB</Nm></Pty></Dbtr>
<UltmtDbtr><Pty><Nm>{ultimate}</Nm></Pty></UltmtDbtr></RltdPties>
<RmtInf><Ustrd>INV-2026-9001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>
"""


INSTRUCTED = '<AmtDtls><InstdAmt><Amt Ccy="EUR">1000.00</Amt></InstdAmt></AmtDtls>'
CHARGES = ('<Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">37.50</TtlChrgsAndTaxAmt><Rcrd><Amt Ccy="EUR">37.50</Amt>'
           '<CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>true</ChrgInclInd></Rcrd>'
           '<Rcrd><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>false</ChrgInclInd></Rcrd></Chrgs>')


def read(tmp_path, text):
    path = tmp_path / "stmt.xml"
    path.write_text(text, encoding="utf-8")
    return parse_bank_file(path).payments


def test_instructed_amount_charges_and_ultimate_debtor_are_columns(tmp_path):
    row = read(tmp_path, camt(INSTRUCTED + CHARGES)).iloc[0]
    assert (row["amount"], row["instructed_amount"], row["charges"]) == (962.5, 1000.0, 37.5)
    assert row["ultimate_debtor"] == "Lindqvist Fördertechnik AB"
    # charges alone (not included ones left out) give the instructed amount; nothing: both empty
    only = read(tmp_path, camt(CHARGES)).iloc[0]
    assert (only["instructed_amount"], only["charges"]) == (1000.0, 37.5)
    none = read(tmp_path, camt("", ultimate="Nordic Factoring AB")).iloc[0]
    assert pd.isna(none["instructed_amount"]) and pd.isna(none["charges"]) and none["ultimate_debtor"] == ""
    # an instructed amount in another currency is the bank's conversion: kept with its currency, no charges
    other = read(tmp_path, camt('<AmtDtls><InstdAmt><Amt Ccy="USD">1100.00</Amt></InstdAmt></AmtDtls>')).iloc[0]
    assert (other["instructed_amount"], other["instructed_currency"]) == (1100.0, "USD")
    assert pd.isna(other["exchange_rate"]) and pd.isna(other["charges"])
    assert none["instructed_currency"] == "" and pd.isna(none["exchange_rate"])


def xchg(rate: str, source: str = "GBP", target: str = "EUR", unit: str = "") -> str:
    unit = f"<UnitCcy>{unit}</UnitCcy>" if unit else ""
    return (f'<AmtDtls><InstdAmt><Amt Ccy="GBP">861.40</Amt><CcyXchg><SrcCcy>{source}</SrcCcy><TrgtCcy>{target}'
            f"</TrgtCcy>{unit}<XchgRate>{rate}</XchgRate></CcyXchg></InstdAmt></AmtDtls>")


def test_the_banks_currency_exchange_is_kept_in_one_direction_whatever_way_it_is_quoted(tmp_path):
    # a GBP payment credited as EUR 998.50 to our EUR account: the rate is EUR per GBP, however quoted
    for quote in (xchg("1.159160"), xchg("0.862695", unit="EUR"), xchg("1.159160", unit="GBP"),
                  xchg("0.862695")):  # the last: SrcCcy→TrgtCcy quoted the other way round, the amounts decide
        row = read(tmp_path, camt(quote, amount="998.50")).iloc[0]
        assert (row["amount"], row["currency"], row["instructed_currency"], row["instructed_amount"]) == \
            (998.5, "EUR", "GBP", 861.40)
        assert row["exchange_rate"] == pytest.approx(1.15916, abs=1e-5)
    bad = camt(xchg("abc"), amount="998.50")
    with pytest.raises(ValidationError, match="exchange rate 'abc'"):
        read(tmp_path, bad)


def test_a_converted_camt_payment_clears_a_gbp_invoice_at_the_banks_amount(tmp_path):
    # our EUR account, a GBP invoice of 861.40: the payer instructed exactly that, the bank credited EUR 998.50
    payments = read(tmp_path, camt(xchg("1.159160"), amount="998.50").replace("INV-2026-9001", "SI-104512"))
    items = pd.DataFrame([{"invoice_id": "SI-104512", "customer_id": "C2", "customer_name": "", "amount": 861.40,
                           "open_amount": 861.40, "currency": "GBP", "reference": "",
                           "invoice_date": pd.Timestamp("2026-10-01"), "due_date": pd.Timestamp("2026-10-31")}])
    customers = pd.DataFrame([{"customer_id": "C2", "customer_name": "Nordic Factoring AB", "aliases": "", "iban": "",
                               "parent_id": ""}])
    table = pd.DataFrame([{"rate_date": pd.Timestamp("2026-11-20"), "currency": "GBP", "rate": 0.80,
                           "base_currency": "EUR"}])  # a table rate that would not fit: the bank's comes first
    result = match_payments(items, payments, customers, MatchConfig(), exchange_rates=table)
    row = result.applications.iloc[0]
    assert (row["status"], row["applied_amount"], row["payment_currency"], row["item_amount"], row["item_currency"],
            row["fx_difference"]) == ("auto", 998.5, "EUR", 861.40, "GBP", 0.0)
    assert "the bank's conversion" in row["rate_source"] and result.unapplied.empty


def test_the_import_keeps_them_where_the_table_has_the_columns_and_says_so_where_not(tmp_path):
    payments = read(tmp_path, camt(INSTRUCTED + CHARGES))
    book = tmp_path / "book.xlsx"
    shutil.copy(ROOT / "workbooks" / "otc_template.xlsx", book)
    result = append_payments(book, payments)
    assert result.added == 1 and result.not_kept == ()
    ws = openpyxl.load_workbook(book)["Payments"]
    header = [c.value for c in ws[1]]
    last = [c.value for c in ws[ws.max_row]]
    values = dict(zip(header, last))
    assert values["Instructed amount"] == 1000.0 and values["Charges"] == 37.5
    assert values["Ultimate debtor"] == "Lindqvist Fördertechnik AB"
    # an older book whose Payments table has none of the three columns: the receipt goes in, the user is told
    old = tmp_path / "old.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Payments"
    sheet.append(["Payment No.", "Value date", "Amount", "Currency", "Payer", "Payer IBAN", "Remittance information"])
    wb.save(old)
    result = append_payments(old, payments)
    assert result.added == 1 and result.not_kept == ("instructed_amount", "charges", "ultimate_debtor")
    assert openpyxl.load_workbook(old)["Payments"].max_column == 7


def test_the_instructed_amount_proves_the_charges_to_cash_application(tmp_path):
    payments = read(tmp_path, camt(INSTRUCTED, ultimate="Nordic Factoring AB"))
    items = pd.DataFrame([{"invoice_id": f"INV-2026-900{k}", "customer_id": "C2", "customer_name": "", "amount": a,
                           "open_amount": a, "currency": "EUR", "reference": "",
                           "invoice_date": pd.Timestamp("2026-10-01"), "due_date": pd.Timestamp("2026-10-31")}
                          for k, a in ((1, 1000.0), (2, 962.5))])
    customers = pd.DataFrame([{"customer_id": "C2", "customer_name": "Nordic Factoring AB", "aliases": "", "iban": "",
                               "parent_id": ""}])
    result = match_payments(items, payments, customers, MatchConfig())
    applied = result.applications[["invoice_id", "applied_amount", "writeoff_amount"]].values.tolist()
    assert applied == [["INV-2026-9001", 962.5, 37.5]]
    assert "the banks took 37.50 of charges" in result.applications.iloc[0]["explanation"]


def test_the_cli_names_what_an_older_book_could_not_keep(tmp_path):
    from click.testing import CliRunner

    from otc_xl.cli import main

    statement = tmp_path / "stmt.xml"
    statement.write_text(camt(INSTRUCTED), encoding="utf-8")
    old = tmp_path / "old.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Payments"
    wb.active.append(["Payment No.", "Value date", "Amount", "Currency", "Payer", "Payer IBAN",
                      "Remittance information"])
    wb.save(old)
    run = CliRunner().invoke(main, ["import-bank", str(statement), "--into", str(old)])
    assert run.exit_code == 0, run.output
    text = " ".join(run.output.split())
    assert "1 new bank line(s) appended" in text
    assert "'Instructed amount', 'Charges', 'Ultimate debtor', but old.xlsx!Payments has no such column" in text

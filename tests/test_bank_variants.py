"""Variants real banks send, found by reading the public test files of other projects (issue 30),
each reproduced here by a small hand-written file (none of them copied from those files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from otc_xl.io.formats.bank import parse_bank_file
from otc_xl.model.problems import ValidationError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_bank_file(path)
    return "\n".join(map(str, caught.value.problems))


MT940_QUIET_DAYS = """:940:
:20:940S240105
:25:NL91ABNA0417164300 EUR
:28:00000/00
:60F:C240104EUR000000001250.40
:62F:C240105EUR000000001250.40
:20:940S240106
:25:NL91ABNA0417164300 EUR
:28:00000/00
:60F:C240105EUR000000001250.40
:62F:C240106EUR000000001250.40
"""


def test_mt940_days_without_movements_are_read_when_their_balances_say_so(tmp_path):
    """Rabobank sends a statement for every day, movements or not: two days without a ``:61:``
    whose balances stay put are a valid file with no receipts, said in a note."""
    lines = parse_bank_file(write(tmp_path, "quiet.sta", MT940_QUIET_DAYS))
    assert (len(lines.payments), lines.debits, lines.source) == (0, 0, "MT940")
    assert any("no transaction lines (:61:); the balances say nothing moved" in note for note in lines.notes)


def test_mt940_without_movements_whose_balances_differ_is_refused_with_the_figures(tmp_path):
    moved = MT940_QUIET_DAYS.replace(":62F:C240105EUR000000001250.40", ":62F:C240105EUR000000001300.40")
    message = refusal(write(tmp_path, "moved.sta", moved))
    assert ("moved.sta: statement 1 (line 2): balances do not tie: opening 1,250.40 + movements 0.00 = 1,250.40, "
            "but the closing balance (:62F:) says 1,300.40") in message


def test_mt940_with_neither_movements_nor_balances_is_refused(tmp_path):
    message = refusal(write(tmp_path, "bare.sta", ":20:940S240105\n:25:NL91ABNA0417164300\n:28C:1\n"))
    assert "bare.sta: MT940 file without transaction lines (:61:) and without balances" in message


def camt053(balances: str, entries: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2025-02-03T19:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-1</Id><Acct><Id><Othr><Id>LT000000000000000001</Id></Othr></Id><Ccy>EUR</Ccy></Acct>
{balances}{entries}</Stmt></BkToCstmrStmt></Document>"""


def balance(code: str, amount: str, day: str) -> str:  # no CdtDbtInd, as the Lithuanian statements have it
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{amount}</Amt>"
            f"<Dt><Dt>{day}</Dt></Dt></Bal>")


def undated(amount: str, sign: str, ref: str) -> str:
    return (f"<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>"
            f"<AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>12</NbOfTxs></Btch>"
            f"<TxDtls><Amt Ccy=\"EUR\">{amount}</Amt></TxDtls></NtryDtls></Ntry>")


def test_camt_entries_without_dates_take_the_one_day_their_statement_covers(tmp_path):
    """The Bank of Lithuania's camt.053 dates its balances (opening and closing on the statement's
    day) and not its entries; their balances carry no CdtDbtInd (read as credit: ISO amounts have
    no sign, and the tie proves it)."""
    text = camt053(balance("OPBD", "1000.00", "2025-02-03") + balance("CLBD", "1499.50", "2025-02-03"),
                   undated("520.00", "CRDT", "R-1") + undated("20.50", "DBIT", "R-2"))
    lines = parse_bank_file(write(tmp_path, "lt.xml", text))
    receipts = lines.payments
    assert [(str(d.date()), a, i) for d, a, i in receipts[["payment_date", "amount", "payment_id"]].values] == [
        ("2025-02-03", 520.0, "R-1")]
    assert "lt.xml: 1 credit entry carries no booking or value date; dated with the one day their statement covers" \
        in lines.notes


def test_camt_entry_without_dates_in_a_statement_of_several_days_is_refused(tmp_path):
    text = camt053(balance("OPBD", "1000.00", "2025-02-02") + balance("CLBD", "1520.00", "2025-02-03"),
                   undated("520.00", "CRDT", "R-1"))
    assert ("several.xml: statement S-1, entry 1: the entry has neither a value date nor a booking date, and its "
            "statement does not cover a single day to date it by") in refusal(write(tmp_path, "several.xml", text))


def test_camt_balance_report_without_entries_names_the_balances_it_lacks(tmp_path):
    report = camt053(balance("OPAV", "1000.00", "2025-02-03"), "").replace("camt.053", "camt.052").replace(
        "BkToCstmrStmt", "BkToCstmrAcctRpt").replace("Stmt>", "Rpt>")
    assert ("report.xml: camt.052 document without entries (Ntry) and without the booked balances (OPBD or PRCD, "
            "and CLBD) that would show it has none") in refusal(write(tmp_path, "report.xml", report))


def norma43_closing_keyed(key: str, closing: int) -> str:
    """Norma 43, one EUR account: opening 100.00, one credit of 250.00, a record 33 whose closing balance
    ``closing`` (cents) has the debit/credit key ``key`` (the OCA l10n-spain test files write 0)."""
    lines = ["11" + "2100" + "0813" + "0123456789" + "261120" + "261120" + "2" + f"{10000:014d}" + "978" + "3"
             + f"{'OTC XL TEST SL':<26}" + "   ",
             "22" + "    " + "0813" + "261120" + "261120" + "04" + "000" + "2" + f"{25000:014d}" + "0" * 38,
             "2301" + f"{'TALLERES IRIARTE SL':<38}" + f"{'FRA 2026/0451':<38}",
             "33" + "2100" + "0813" + "0123456789" + f"{0:05d}" + f"{0:014d}" + f"{1:05d}" + f"{25000:014d}" + key
             + f"{closing:014d}" + "978" + "    "]
    return "\r\n".join(lines + ["88" + "9" * 18 + f"{len(lines):06d}" + " " * 54]) + "\r\n"


def test_norma43_closing_balance_keyed_0_is_read_as_haber_when_it_ties(tmp_path):
    receipts = parse_bank_file(write(tmp_path, "key0.n43", norma43_closing_keyed("0", 35000))).payments
    assert list(receipts["amount"]) == [250.0] and list(receipts["payer_name"]) == ["TALLERES IRIARTE SL"]


def test_norma43_closing_balance_keyed_0_that_does_not_tie_as_haber_is_refused_with_the_figures(tmp_path):
    # 100.00 + 250.00 = 350.00, but the balance says 400.00 with no key: neither reading can be trusted
    message = refusal(write(tmp_path, "key0.n43", norma43_closing_keyed("0", 40000)))
    assert "key0.n43: line 4 (record 33): debit/credit key of the closing balance (column 59) is '0'" in message
    assert "read as haber, the closing balance 400.00 does not tie with opening 100.00 − debits 0.00 + " \
           "credits 250.00 = 350.00" in message
    # other keys stay refused, as before
    assert "is 'X', expected 1 (debe) or 2 (haber)" in refusal(write(tmp_path, "keyx.n43",
                                                                     norma43_closing_keyed("X", 35000)))


def test_coda_header_of_another_version_alone_is_refused_as_coda_not_as_a_spreadsheet(tmp_path):
    # a header record (0, creation date, application 05) of CODA version 1 and nothing after it, in a .txt
    header = "0" + "0000" + "201126" + "300" + "05" + " " * 18 + f"{'OTC XL TEST':<26}" + "GEBABEBB   " + "0" * 11 \
        + " " + "00000" + " " * 16 + " " * 16 + " " * 7 + "1"
    assert len(header) == 128
    message = refusal(write(tmp_path, "v1.txt", header + "\r\n"))
    assert "v1.txt: line 1 (record 00): CODA version (column 128) is '1'; only version 2 is read" in message
    assert "columns" not in message.replace("column 128", "")


def test_cfonb_previous_balance_without_currency_is_refused_as_cfonb_naming_the_columns(tmp_path):
    # record 01 with currency and decimals (columns 17-20) left blank: before, "unknown bank file format"
    opening = "01" + "30002" + "    " + "00447" + "    " + " " + "00008888999" + "  " + "201126" + " " * 50 \
        + "0000000000000{" + " " * 16
    assert len(opening) == 120
    message = refusal(write(tmp_path, "nocur.txt", opening + "\r\n"))
    assert "nocur.txt: line 1 (record 01): currency (columns 17-19) is '   ', expected an ISO 4217 code" in message
    assert "unknown bank file format" not in message


def test_a_bank_csv_header_typo_gets_a_did_you_mean(tmp_path):
    """Found by the walkthrough: workbooks say "did you mean" for a near-miss header, bank CSVs did not."""
    import otc_xl
    from otc_xl.io.formats.bank import parse_bank_file

    path = tmp_path / "extracto.csv"
    path.write_text("Fecha valor;Concepto;Impotre\n01/12/2026;FRA 123;100,00\n", encoding="utf-8")
    with pytest.raises(otc_xl.ValidationError) as caught:
        parse_bank_file(path)
    said = str(caught.value.problems[0])
    assert "no amount or credit column (found 'Fecha valor', 'Concepto', 'Impotre'); did you mean 'Impotre'? " \
           "rename it, or name them in a bank profile" in said, said

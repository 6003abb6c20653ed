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

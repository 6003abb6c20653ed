"""Issue 30: the Italian CBI account statement (flow RH, "Rendicontazione movimenti di conto
corrente") — read exactly, or refused naming the line and what was expected.

``fixtures/bank/it_cbi_rh_two_accounts.txt`` is laid out by hand like a CBI export (blank in column
1, CRLF, cp1252 text, two accounts, one of them on two days, every kind of 63 detail the reader
uses); the other files are written by ``bank_writers.cbi`` (which knows nothing of the reader) or
derived from the fixture by editing one record.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import otc_xl
from conftest import ROOT
from independent_tie import cbi as independent_cbi
from otc_xl.cli import main
from otc_xl.demo.bank_writers import Line, cbi
from otc_xl.io.formats.bank import ReadPolicy, parse_bank_file
from otc_xl.io.formats.bank.registry import READERS, detect

FIXTURE = ROOT / "tests" / "fixtures" / "bank" / "it_cbi_rh_two_accounts.txt"
CORPUS = ROOT / "tests" / "fixtures" / "bank" / "corpus"
LINES = FIXTURE.read_bytes().decode("cp1252").split("\r\n")[:-1]

EXPECTED = [  # payment_id, value date, amount, payer, payer's IBAN, remittance
    ("CBI-8201F65754A7", dt.date(2026, 11, 20), 1220.00, "CAFFÈ NERO SOCIETÀ COOPERATIVA",
     "IT78K0306901000100000004321",
     "BONIFICO SEPA A VOSTRO FAVORE SALDO FATTURA 2026/IT/0107 DEL 30/10/2026 E2E-2026-0107"),
    ("CBI-C749ED577906", dt.date(2026, 11, 21), 480.50, "PASTIFICIO D'ANGELO S.R.L.", "",
     "BONIFICO SEPA A VOSTRO FAVORE FT 2026/0112 E 2026/0113"),
    ("CBI-209A982A1CC7", dt.date(2026, 11, 23), 2500.00, "FERRAMENTA ROSSI S.R.L.", "",
     "BONIFICO SEPA A VOSTRO FAVORE ACCONTO ORDINE 4471 RIF. CLIENTE 000881"),
    ("CBI-34760162A6A2", dt.date(2026, 11, 20), 1200.00, "", "",
     "BONIFICO ESTERO A VOSTRO FAVORE ORDINANTE MÜLLER GMBH MÜNCHEN - RECHNUNG 2026-55 FATTURA 0118"),
]


def receipts(lines) -> list[tuple]:
    p = lines.payments
    return list(zip(p["payment_id"], p["payment_date"].dt.date, p["amount"], p["payer_name"], p["payer_account"],
                    p["remittance"]))


def edited(tmp_path: Path, line: int, new: str | None = None, name: str = "edited.txt",
           keep: int | None = None) -> Path:
    """The fixture with line ``line`` (1-based) replaced by ``new`` (None: removed), or cut after
    ``keep`` lines."""
    records = list(LINES)
    if keep is not None:
        records = records[:keep]
    elif new is None:
        del records[line - 1]
    else:
        records[line - 1] = new
    path = tmp_path / name
    path.write_bytes(("\r\n".join(records) + "\r\n").encode("cp1252"))
    return path


def at(record: str, column: int, text: str) -> str:
    """``record`` with ``text`` written from 1-based ``column`` on."""
    return record[:column - 1] + text + record[column - 1 + len(text):]


def refusal(path: Path, **kwargs) -> str:
    with pytest.raises(otc_xl.ValidationError) as caught:
        parse_bank_file(path, **kwargs)
    return "\n".join(map(str, caught.value.problems))


# ---------------------------------------------------------------------------- reading

def test_the_fixture_gives_its_receipts_exactly():
    lines = parse_bank_file(FIXTURE)
    assert lines.source == "CBI RH" and lines.debits == 1
    assert receipts(lines) == EXPECTED
    assert set(lines.payments["currency"]) == {"EUR"}
    assert f"{FIXTURE.name}: read as cp1252" in lines.notes
    assert receipts(parse_bank_file(FIXTURE, format="cbi")) == EXPECTED  # forced, and read again: same ids


def test_the_fixture_ties_by_the_independent_check():
    summary = independent_cbi(FIXTURE.read_bytes().decode("latin-1"))
    assert summary.ties and len(summary.statements) == 3
    assert [float(r) for r in summary.receipts] == [e[2] for e in EXPECTED]


def test_records_that_lost_their_blanks_and_crlf_read_the_same(tmp_path):
    """Editors trim trailing blanks; some exports drop the blank of column 1; LF line ends."""
    path = tmp_path / "trimmed.txt"
    path.write_bytes("\n".join(line[1:].rstrip() for line in LINES).encode("cp1252"))
    assert detect(path).name == "cbi"
    assert receipts(parse_bank_file(path)) == EXPECTED


def test_a_few_accented_capitals_are_read_as_windows_1252(tmp_path):
    """The encoding detector takes this cp1252 flow for cp1006 (Urdu); a CBI flow is Latin text."""
    path = tmp_path / "accents.txt"
    path.write_bytes(cbi([("000000001234", Decimal("0"), [
        Line(Decimal("1.00"), dt.date(2026, 11, 2), "CAFFÈ NERO", "", "èù/àAAA")])]).encode("cp1252"))
    lines = parse_bank_file(path)
    assert lines.payments[["payer_name", "remittance"]].values.tolist() == [
        ["CAFFÈ NERO", "BONIFICO A VOSTRO FAVORE èù/àAAA"]]
    assert "accents.txt: read as cp1252" in lines.notes


def test_several_accounts_and_days_and_debits_skipped(tmp_path):
    day1, day2 = dt.date(2026, 11, 20), dt.date(2026, 11, 23)
    first = [Line(Decimal("100.00"), day1, "ROSSI SPA", "IT60X0542811101000000123456", "FATT 1", "REF1"),
             Line(Decimal("-40.00"), day1, "", "", "COMMISSIONI"), Line(Decimal("0.01"), day1, "BIANCHI", "", "FATT 2")]
    second = [Line(Decimal("2500.00"), day2, "VERDI SRL", "", "FATT 3 " + "X" * 230)]
    path = tmp_path / "multi.txt"
    path.write_text(cbi([("000000001111", Decimal("-10.00"), first), ("000000001111", Decimal("50.01"), second),
                         ("000000002222", Decimal("0"), [Line(Decimal("-7.00"), day2, "", "", "BOLLO")])]),
                    encoding="latin-1")
    lines = parse_bank_file(path)
    assert lines.debits == 2
    p = lines.payments
    assert p["amount"].tolist() == [100.0, 0.01, 2500.0]
    assert p["payer_name"].tolist() == ["ROSSI SPA", "BIANCHI", "VERDI SRL"]
    assert p["payer_account"].tolist() == ["IT60X0542811101000000123456", "", ""]
    assert p["payment_date"].dt.date.tolist() == [day1, day1, day2]
    # RI1 and two free-text 63s, each record's text a word of its own (banks cut at the record's width)
    assert p["remittance"][2] == "BONIFICO A VOSTRO FAVORE FATT 3 " + "X" * 97 + " " + "X" * 107 + " " + "X" * 26
    assert p["payment_id"].is_unique


def test_two_flows_in_one_file(tmp_path):
    one = cbi([("000000001111", Decimal("0"), [Line(Decimal("5.00"), dt.date(2026, 11, 20), "A", "", "F1")])])
    two = cbi([("000000001111", Decimal("5.00"), [Line(Decimal("6.00"), dt.date(2026, 11, 21), "B", "", "F2")])],
              name="RH20261121OTCXL")
    path = tmp_path / "two.txt"
    path.write_text(one + two, encoding="latin-1")
    assert parse_bank_file(path).payments["amount"].tolist() == [5.0, 6.0]


# ---------------------------------------------------------------------------- balances

def test_a_statement_that_does_not_tie_is_refused_with_its_figures_or_accepted_by_policy(tmp_path):
    lines = [Line(Decimal("1234.56"), dt.date(2026, 11, 20), "ROSSI SPA", "", "FATT 9"),
             Line(Decimal("-34.56"), dt.date(2026, 11, 20), "", "", "COMMISSIONI")]
    path = tmp_path / "unbalanced.txt"
    path.write_text(cbi([("000000001111", Decimal("1000.00"), lines)], closing_shift=Decimal("0.01")),
                    encoding="latin-1")
    assert not independent_cbi(path.read_text(encoding="latin-1")).ties
    message = refusal(path)
    assert "line 8 (record 64): account IT60X0306909400000000001111: balances do not tie" in message
    assert "opening 1,000.00 + movements 1,200.00 = 2,200.00, but the closing balance says 2,200.01" in message
    assert "--accept-unbalanced" in message
    accepted = parse_bank_file(path, policy=ReadPolicy(accept_unbalanced=True))
    assert accepted.payments["amount"].tolist() == [1234.56]
    assert any("does not tie, off by 0.01; imported because --accept-unbalanced" in n for n in accepted.notes)


def test_an_edited_amount_breaks_the_tie_of_its_day_only(tmp_path):
    path = edited(tmp_path, 10, at(LINES[9], 27, "000000000480,49"))
    message = refusal(path)
    assert "line 14 (record 64): account IT14X0200801600000001234567: balances do not tie" in message
    assert "movements 1,350.49 = 16,350.49, but the closing balance says 16,350.50" in message
    assert "line 21" not in message and "line 25" not in message  # the other statements tie


# ---------------------------------------------------------------------------- refusals

@pytest.mark.parametrize("line, column, text, expected", [
    (3, 27, "000000001220.00", "line 3 (record 62): amount (columns 27-41) is '000000001220.00', expected 12 digits, "
                               "a comma and 2 decimals"),
    (3, 14, "321126", "line 3 (record 62): value date (columns 14-19) is '321126', not a date (DDMMYY)"),
    (3, 20, "2011 6", "line 3 (record 62): booking date (columns 20-25) is '2011 6', expected a date (DDMMYY)"),
    (3, 26, "X", "line 3 (record 62): sign of the amount (column 26) is 'X', expected C (credit, avere) or D"),
    (2, 75, "EU1", "line 2 (record 61): currency (columns 75-77) is 'EU1', expected an ISO 4217 code"),
    (2, 85, "00000001500000", "line 2 (record 61): opening balance (columns 85-99) is '000000015000000'"),
    (4, 11, "002", "line 4 (record 63): detail of movement '002' (columns 11-13), but the movement above is '001' "
                   "(line 3)"),
    (14, 11, "USD", "line 14 (record 64): currency (columns 11-13) is 'USD', the statement's is EUR "
                    "(line 2 (record 61))"),
    (3, 4, "0000002", "line 3 (record 62): belongs to statement '0000002', but the open one is 0000001"),
    (15, 33, "991326", "line 15 (record 65): date of forward balance 2 (columns 33-38) is '991326', not a date"),
    (26, 83, "0000027", "line 26 (record EF): says the flow has 27 records (RH and EF included), it has 26"),
    (26, 46, "0000002", "line 26 (record EF): says the flow has 2 statements (records 61), it has 3"),
    (26, 20, "RH2311260002UCI", "line 26 (record EF): sender, receiver, date and name (columns 4-39) are "
                                "'02008A7K3P231126RH2311260002UCI', the header's (line 1) are "
                                "'02008A7K3P231126RH2311260001UCI'"),
])
def test_a_garbled_field_is_named_with_its_line(tmp_path, line, column, text, expected):
    message = refusal(edited(tmp_path, line, at(LINES[line - 1], column, text)))
    assert expected in message and "edited.txt" in message, message


def test_a_truncated_record_is_named_with_its_line(tmp_path):
    message = refusal(edited(tmp_path, 3, LINES[2][:35]))
    assert "line 3 (record 62): amount (columns 27-41) is '000000001  " in message, message


def test_a_movement_without_its_opening_balance_is_refused(tmp_path):
    message = refusal(edited(tmp_path, 2))
    assert ("line 2 (record 62): record 62 of statement '0000001' outside a statement: no opening balance "
            "(record 61) is open") in message, message


def test_a_truncated_file_is_refused(tmp_path):
    assert "the file is truncated" in refusal(edited(tmp_path, 0, keep=10))
    assert "has no closing balance (record 64): the file is truncated" in refusal(edited(tmp_path, 0, keep=10))
    assert "the flow of line 1 has no trailer (EF): the file is truncated" in refusal(edited(tmp_path, 0, keep=25))
    missing_detail = refusal(edited(tmp_path, 5))  # a 63 lost in transfer: the EF's count says so
    assert "line 25 (record EF): says the flow has 26 records (RH and EF included), it has 25" in missing_detail


def test_unknown_records_long_lines_and_ec_flows_are_refused(tmp_path):
    assert "line 4: record type '99' (columns 2-3) is not one of 61, 62, 63, 64, 65, EC, EF, RH" in refusal(
        edited(tmp_path, 4, at(LINES[3], 2, "99")))
    assert "line 4: 121 characters, a CBI record has 120" in refusal(edited(tmp_path, 4, LINES[3] + "X"))
    ec = refusal(edited(tmp_path, 1, at(LINES[0], 2, "EC")))
    assert "line 1 (record EC): is the header of an EC flow (estratto conto, the periodic statement)" in ec
    assert "line 1 (record 61): comes before any header record (RH)" in refusal(edited(tmp_path, 1), format="cbi")


# ---------------------------------------------------------------------------- detection

OTHER_FORMATS = ["es_norma43.n43", "es_norma43_two_accounts.txt", "fr_cfonb120.txt", "fr_cfonb120_two_days.cfo",
                 "be_coda.cod", "us_bai2.bai", "mt940_crlf_blocks.sta", "camt053_v08_basic.xml", "it_intesa.csv"]


@pytest.mark.parametrize("name", OTHER_FORMATS)
def test_no_other_format_is_taken_for_cbi(name):
    from otc_xl.io.formats.bank.cbi import looks_like_cbi
    path = CORPUS / name
    assert not looks_like_cbi(path.read_bytes()[:4096])
    assert detect(path).name != "cbi"


def test_cbi_is_taken_for_no_other_format():
    head = FIXTURE.read_bytes()[:4096]
    claims = [r.name for r in READERS if r.name not in ("xlsx", "csv") and r.sniff(head, FIXTURE)]
    assert claims == ["cbi"]
    assert detect(FIXTURE).name == "cbi"


# ---------------------------------------------------------------------------- round trip

movement = st.tuples(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
                     st.booleans(), st.sampled_from(["ROSSI SPA", "CAFFÈ NERO", "D'ANGELO SRL", ""]),
                     st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /-.àèéìòù", min_size=0, max_size=250),
                     st.integers(0, 3))


@settings(max_examples=40, deadline=None)
@given(moves=st.lists(movement, min_size=1, max_size=8),
       opening=st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2),
       shift=st.sampled_from([Decimal(0), Decimal(0), Decimal("0.01"), Decimal("-12.34")]), blank=st.booleans())
def test_any_statement_we_write_is_read_as_the_independent_check_says(tmp_path_factory, moves, opening, shift, blank):
    lines = sorted((Line(a if credit else -a, dt.date(2026, 11, 2) + dt.timedelta(days=d), payer, "", text.strip())
                    for a, credit, payer, text, d in moves), key=lambda line: line.date)
    text = cbi([("000000001234", opening, lines)], closing_shift=shift, leading_blank=blank)
    path = tmp_path_factory.mktemp("cbi") / "rh.txt"
    path.write_text(text, encoding="cp1252")
    independent = independent_cbi(text)
    if not independent.ties:
        assert "balances do not tie" in refusal(path)
        return
    payments = parse_bank_file(path).payments
    credits = [line for line in lines if line.amount > 0]
    assert [Decimal(f"{a:.2f}") for a in payments["amount"]] == independent.receipts == [c.amount for c in credits]
    assert payments["payer_name"].tolist() == [c.payer for c in credits]
    assert payments["payment_date"].dt.date.tolist() == [c.date for c in credits]
    assert ["".join(r.split()) for r in payments["remittance"]] == [  # long texts span records: compared unspaced
        "".join(f"BONIFICO A VOSTRO FAVORE {c.text}".split()) for c in credits]
    assert payments["payment_id"].is_unique


# ---------------------------------------------------------------------------- the command

def test_import_bank_appends_the_receipts_once(tmp_path):
    book = tmp_path / "otc_template.xlsx"
    shutil.copy(ROOT / "workbooks" / "otc_template.xlsx", book)

    def payments() -> list:
        ws = openpyxl.load_workbook(book)["Payments"]
        return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v not in (None, "") for v in r)]

    before = len(payments())
    first = CliRunner().invoke(main, ["import-bank", str(FIXTURE), "--into", str(book), "--format", "cbi"])
    assert first.exit_code == 0, first.output
    assert "4 new bank line(s) appended" in " ".join(first.output.split()), first.output
    rows = payments()
    assert len(rows) == before + 4
    flat = [" ".join(str(v) for v in r if v is not None) for r in rows[before:]]
    assert all(e[0] in f for e, f in zip(EXPECTED, flat)), flat
    again = CliRunner().invoke(main, ["import-bank", str(FIXTURE), "--into", str(book)])
    assert again.exit_code == 0, again.output
    assert len(payments()) == before + 4


def test_import_bank_refuses_an_unbalanced_flow_unless_accepted(tmp_path):
    book = tmp_path / "otc_template.xlsx"
    shutil.copy(ROOT / "workbooks" / "otc_template.xlsx", book)
    path = edited(tmp_path, 10, at(LINES[9], 27, "000000000480,49"), name="movimenti.txt")
    refused = CliRunner().invoke(main, ["import-bank", str(path), "--into", str(book)])
    flat = " ".join(refused.output.split())
    assert refused.exit_code == 1 and "line 14 (record 64)" in flat and "--accept-unbalanced" in flat, flat
    accepted = CliRunner().invoke(main, ["import-bank", str(path), "--into", str(book), "--accept-unbalanced"])
    flat = " ".join(accepted.output.split())
    assert accepted.exit_code == 0, flat
    assert "account IT14X0200801600000001234567 of 20/11/2026 (line 14 (record 64)) does not tie, off by 0.01" in flat
    assert "4 new bank line(s) appended" in flat

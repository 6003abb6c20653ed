"""Bank statements (camt.053/054, MT940, CSV/XLSX in local conventions) → payments; safe, idempotent import."""

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import otc_xl
from builders import INVOICE_HEADERS, invoice_row
from otc_xl.cli import main
from otc_xl.io.bank_import import append_payments
from otc_xl.io.formats.bank import advice_rows, parse_bank_file, read_advice, read_bank_file
from otc_xl.io.formats.bank.mt940 import parse_details
from otc_xl.model.problems import ValidationError

FIX = Path(__file__).parent / "fixtures" / "bank"
COLUMNS = ["payment_id", "payment_date", "amount", "currency", "payer_name", "payer_account", "remittance"]


def rows(frame):
    out = frame[COLUMNS].copy()
    out["payment_date"] = out["payment_date"].dt.date.astype(str)
    return out.values.tolist()


def test_camt053_single_and_batch_entries_debits_skipped():
    frame = read_bank_file(FIX / "camt053_batch.xml")
    assert frame.attrs == {"source": "camt.053", "debits": 1}
    assert rows(frame) == [
        ["ENTRY-001", "2026-11-20", 1234.56, "EUR", "Talleres García S.L.", "ES9121000418450200051332",
         "Fra. 2026/00451"],
        ["TX-002-A", "2026-11-21", 800.0, "EUR", "Beta Forniture S.p.A.", "", "RF18539007547034"],
        ["TX-002-B", "2026-11-21", 500.0, "EUR", "Boulangerie Dupont SARL", "",
         "INV-2026-00452 Facture INV-2026-00452"],
    ]


def test_camt054_notification_newer_version():
    frame = read_bank_file(FIX / "camt054.xml")
    assert frame.attrs["source"] == "camt.054"
    assert rows(frame) == [["NTF-ENTRY-9", "2026-11-21", 250.0, "EUR", "Ferramenta Rossi S.r.l.",
                            "IT40S0542811101000000123456", "Fattura n. 2026/00453"]]


def test_mt940_two_statements_structured_and_free_details():
    frame = read_bank_file(FIX / "mt940_two_statements.sta")
    assert frame.attrs == {"source": "MT940", "debits": 1}
    assert rows(frame) == [
        ["BK123", "2026-11-20", 1234.56, "EUR", "Meyer Maschinenbau GmbH", "DE89370400440532013000",
         "Rechnung INV-2026-00451 und INV-2026-00452"],
        ["REF-7788", "2026-11-22", 99.0, "EUR", "", "", "Factura 123 ACME SL gracias"],
    ]


def test_mt940_details_subfields():
    assert parse_details("166?00GUTSCHRIFT?20SVWZ+Fra 1?21 2 3?31ES9121000418450200051332?32ACME ?33SL") == (
        "ACME SL", "ES9121000418450200051332", "Fra 1 2 3")
    assert parse_details("Pago factura 7\nACME") == ("", "", "Pago factura 7 ACME")


@pytest.mark.parametrize("name, expected, debits", [
    ("es_bank_cp1252.csv", [["2026-11-20", 1234.56, "TRANSFERENCIA DE TALLERES GARCIA SL Fra. 451"],
                            ["2026-11-21", 500.0, "TRANSF. ACME IBERICA - ABONO FACTURA 2026/00452"]], 1),
    ("it_bank_two_columns.csv", [["2026-11-20", 800.0, "BONIFICO DA BETA FORNITURE SPA FATT. 460"]], 1),
    ("fr_bank.csv", [["2026-11-21", 1234.5, "VIR SEPA BOULANGERIE DUPONT FACTURE 453"]], 1),
    ("de_bank.tsv", [["2026-11-20", 1234.56, "RG 2026-00451"]], 1),
])
def test_bank_csv_exports_in_local_conventions(name, expected, debits):
    frame = read_bank_file(FIX / name)
    assert frame.attrs == {"source": "CSV", "debits": debits}
    got = frame[["payment_date", "amount", "remittance"]].copy()
    got["payment_date"] = got["payment_date"].dt.date.astype(str)
    assert got.values.tolist() == expected
    assert frame["payment_id"].str.startswith("BANK-").all()
    assert list(read_bank_file(FIX / name)["payment_id"]) == list(frame["payment_id"]), "ids must be stable"


def test_german_export_has_payer_and_iban():
    frame = read_bank_file(FIX / "de_bank.tsv")
    assert frame[["payer_name", "payer_account", "currency"]].values.tolist() == [
        ["Meyer Maschinenbau GmbH", "DE89370400440532013000", "EUR"]]


def test_bank_spreadsheet_export(tmp_path):
    book = tmp_path / "bank.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["Statement"], [], ["Booking date", "Value date", "Details", "Money in", "Money out"],
                [dt.date(2026, 11, 20), dt.date(2026, 11, 21), "INV 2026 00451", 1234.56, None],
                [dt.date(2026, 11, 20), dt.date(2026, 11, 20), "Card", None, 20.0]):
        ws.append(row)
    wb.save(book)
    frame = read_bank_file(book)
    assert frame.attrs == {"source": "XLSX", "debits": 1}
    assert frame[["amount", "remittance"]].values.tolist() == [[1234.56, "INV 2026 00451"]]
    assert frame["payment_date"].iloc[0].date() == dt.date(2026, 11, 21), "value date wins over booking date"


def test_csv_line_ends_only_at_newline(tmp_path, monkeypatch):
    """A quoted remittance holding a form feed, a lone carriage return and a line break stays one
    cell, whichever block boundary the reader splits the text at."""
    import otc_xl.io.formats.bank.tabular_grid as tabular_grid

    body = ('Fecha;Importe;Concepto\r\n01/11/2026;10,00;"FRA 1\x0cpage\rtwo\nthree"\r\n'
            '02/11/2026;20,00;FRA 2\r\n03/11/2026;30,00;FRA\x1c3\r\n')  # unquoted: \x1c must not end the line
    path = tmp_path / "odd.csv"
    path.write_bytes(body.encode("utf-8"))
    expected = [[10.0, "FRA 1\x0cpage\rtwo\nthree"], [20.0, "FRA 2"], [30.0, "FRA\x1c3"]]
    original = tabular_grid._lines
    for block in (1, 7, 40, 1 << 20):
        monkeypatch.setattr(tabular_grid, "_lines", lambda text, block=block: original(text, block))
        assert parse_bank_file(path).payments[["amount", "remittance"]].values.tolist() == expected


def test_profile_maps_unrecognised_headers():
    lines = parse_bank_file(FIX / "unmappable.csv", profile={"amount": "Cantidad", "remittance": "Detalle"})
    assert lines.payments[["amount", "remittance"]].values.tolist() == [[10.0, "algo"]]


@pytest.mark.parametrize("name, message", [
    ("camt_truncated.xml", "not well-formed XML"),
    ("camt_wrong_namespace.xml", "unknown XML namespace 'urn:iso:std:iso:20022:tech:xsd:camt.099.001.01'"),
    ("unmappable.csv", "cannot map the columns: no amount or credit column (found 'Fecha', 'Detalle', 'Cantidad')"),
    ("camt_xxe.xml", "refused: the XML declares entities or a DTD"),
    ("camt_billion_laughs.xml", "refused: the XML declares entities or a DTD"),
])
def test_bad_files_get_clear_errors(name, message):
    with pytest.raises(ValidationError) as err:
        read_bank_file(FIX / name)
    assert message in str(err.value.problems[0]) and str(err.value.problems[0]).startswith(name)


def test_unknown_format(tmp_path):
    odd = tmp_path / "statement.pdf"
    odd.write_bytes(b"%PDF-1.7")
    with pytest.raises(ValidationError, match="unknown bank file format"):
        read_bank_file(odd)


def test_remittance_advice_joined_by_reference():
    payments = read_bank_file(FIX / "mt940_two_statements.sta")
    rows, problems = advice_rows(payments, read_advice(FIX / "advice.csv"), "advice.csv")
    assert problems == []
    by_line = dict(zip(payments["remittance"], payments["payment_id"]))
    assert rows[["payment_id", "invoice_id", "paid_amount", "deduction_amount", "reason"]].values.tolist() == [
        [by_line["Rechnung INV-2026-00451 und INV-2026-00452"], "INV-2026-00451", 1234.56, 0.0, ""],
        [by_line["Rechnung INV-2026-00451 und INV-2026-00452"], "INV-2026-00452", 0.0, 0.0, "paid separately"],
        [by_line["Factura 123 ACME SL gracias"], "123", 99.0, 1.0, "bank fee"]]
    orphan = read_advice(FIX / "advice.csv").assign(payment_reference="NOWHERE-1")
    assert [str(p) for p in advice_rows(payments, orphan, "advice.csv")[1]] == [
        "advice.csv: advice for payment reference 'NOWHERE-1' (3 line(s)): no bank line of this import or of the "
        "workbook's Payments match it; not imported"]


def workbook(make_book):
    return make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [["Payment No.", "Value date", "Payer", "Amount", "Remittance information"],
                                   ["OLD-1", dt.date(2026, 11, 1), "Someone", 10.0, "old line"]]},
                     tables={"Payments": "tblPayments"})


def test_import_appends_new_lines_once(make_book):
    book = workbook(make_book)
    payments = read_bank_file(FIX / "camt053_batch.xml")
    first = append_payments(book, payments)
    assert (first.added, first.already_there) == (3, 0)
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    again = append_payments(book, payments)
    assert (again.added, again.already_there) == (0, 3)
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest, "nothing new: the file is not rewritten"
    ws = openpyxl.load_workbook(book)["Payments"]
    values = list(ws.iter_rows(min_row=2, values_only=True))
    assert [v[0] for v in values] == ["OLD-1", "ENTRY-001", "TX-002-A", "TX-002-B"]
    assert values[1][3] == 1234.56 and ws["B3"].is_date
    assert ws.tables["tblPayments"].ref == "A1:E5"
    ledger = otc_xl.read_workbook(book)
    assert ledger.ok and len(ledger.payments) == 4


def test_import_keeps_hostile_text_as_text_and_adds_id_column(make_book, tmp_path):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [["Value date", "Amount", "Concepto"], ["01/11/2026", 5.0, "x"]]})
    hostile = pd.DataFrame({"payment_id": ["H1"], "payment_date": [pd.Timestamp("2026-11-20")], "amount": [1.0],
                            "currency": ["EUR"], "payer_name": ["@evil"], "payer_account": [""],
                            "remittance": ['=HYPERLINK("http://x","y")'], "customer_id": [""]})
    append_payments(book, hostile)
    ws = openpyxl.load_workbook(book)["Payments"]
    assert [c.value for c in ws[1]] == ["Value date", "Amount", "Concepto", "Payment No."]
    assert ws["C3"].value == '=HYPERLINK("http://x","y")' and ws["C3"].data_type == "s"
    assert ws["D3"].value == "H1"


def test_cli_import_bank_is_all_or_nothing(make_book):
    book = workbook(make_book)
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    bad = CliRunner().invoke(main, ["import-bank", str(FIX / "camt053_batch.xml"), str(FIX / "camt_truncated.xml"),
                                    "--into", str(book)])
    assert bad.exit_code == 1 and "camt_truncated.xml: not well-formed XML" in bad.output
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest
    ok = CliRunner().invoke(main, ["import-bank", str(FIX / "camt053_batch.xml"), str(FIX / "mt940_two_statements.sta"),
                                   "--into", str(book), "--advice", str(FIX / "advice.csv")])
    assert ok.exit_code == 0, ok.output
    assert "5 new bank line(s) appended" in ok.output and "0 already there" in ok.output
    assert "3 advice line(s) appended" in ok.output
    ledger = otc_xl.read_workbook(book)
    assert ledger.advices[["invoice_id", "paid_amount", "reason"]].values.tolist() == [
        ["INV-2026-00451", 1234.56, ""], ["INV-2026-00452", 0.0, "paid separately"], ["123", 99.0, "bank fee"]]
    assert set(ledger.advices["payment_id"]) <= set(ledger.payments["payment_id"])
    again = CliRunner().invoke(main, ["import-bank", str(FIX / "camt053_batch.xml"), "--into", str(book)])
    assert "0 new bank line(s) appended" in again.output and "3 already there" in again.output


def test_invalid_customer_iban_is_flagged(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Customers": [["Customer No.", "Customer name", "IBANs"],
                                    ["C1", "Acme", "ES9121000418450200051332;ES9121000418450200051333"]]})
    warnings = [str(p) for p in otc_xl.read_workbook(book).problems if p.severity == "warning"]
    assert warnings == ["Customers!C2: iban 'ES9121000418450200051333' is not a valid IBAN (invalid checksum digits); "
                        "payments from it will not be recognised"]


def test_a_new_payments_sheet_has_a_header_for_every_payments_column():
    from otc_xl.io.bank_import import LABELS
    from otc_xl.model.contracts import PAYMENTS

    assert set(PAYMENTS.column_names) <= set(LABELS)  # the columns added for #29 too
    assert all(PAYMENTS.match_header(LABELS[c]).name == c for c in PAYMENTS.column_names)


def test_a_csv_line_without_an_amount_is_refused_not_counted_as_a_debit(tmp_path):
    """A line with a date and a payer but no amount (nor credit/debit) was counted among the debits
    skipped: a receipt lost without a word."""
    path = tmp_path / "empty.csv"
    path.write_text("Date;Amount;Payer;Remittance\n01/11/2026;150,00;ACME SL;INV 1\n03/11/2026;;Delta;x\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        parse_bank_file(path)
    [problem] = raised.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("empty.csv", 3, 2)
    assert "no amount" in problem.message
    split = tmp_path / "split.csv"
    split.write_text("Fecha;Haber;Debe;Concepto\n01/11/2026;150,00;;FRA 1\n02/11/2026;;20,00;comision\n"
                     "03/11/2026;;;TRANSFERENCIA DELTA\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no amount"):
        parse_bank_file(split)


def test_quoted_commas_in_a_semicolon_csv_do_not_change_its_delimiter(tmp_path):
    """csv.Sniffer chose ',' for a ';' export whose remittances hold quoted text with commas: the
    header became one cell and the valid file was refused ('cannot map the columns')."""
    path = tmp_path / "bank.csv"
    path.write_text('Date;Amount;Payer;Remittance\n'
                    '01/11/2026;150,00;ACME SL;"=HYPERLINK(""http://a,b"",""x,y"")"\n'
                    '02/11/2026;20,00;Beta;"=HYPERLINK(""http://c,d"",""z,w"")"\n'
                    '03/11/2026;30,00;Gamma;INV 3\n', encoding="utf-8")
    frame = parse_bank_file(path).payments
    assert frame["amount"].tolist() == [150.0, 20.0, 30.0]
    assert frame["remittance"].tolist()[0] == '=HYPERLINK("http://a,b","x,y")'  # text: never written as a formula


def test_import_bank_lists_the_problems_of_every_file_at_once(tmp_path):
    """Several files, two bad: both are named in one run (it stopped at the first), nothing is written."""
    import shutil

    book = tmp_path / "book.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "workbooks" / "otc_template.xlsx", book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    (tmp_path / "bad1.csv").write_text("Date;Amount;Payer;Remittance\n03/11/2026;;Delta;x\n", encoding="utf-8")
    (tmp_path / "good.csv").write_text("Date;Amount;Payer;Remittance\n03/11/2026;10,00;Delta;x\n", encoding="utf-8")
    (tmp_path / "bad2.csv").write_text("Date;Amount;Payer;Remittance\n03/11/2026;abc;Delta;x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-bank", str(tmp_path / "bad1.csv"), str(tmp_path / "good.csv"),
                                       str(tmp_path / "bad2.csv"), "--into", str(book)])
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "bad1.csv!B2" in text and "bad2.csv!B2" in text
    assert "Stopped: 2 problem(s); nothing was written." in text
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before

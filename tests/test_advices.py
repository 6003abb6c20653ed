"""Issue 29: remittance advices as data — every format read into the same lines, joined to its bank line,
and applied invoice by invoice (discounts written off, deductions opened)."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pandas as pd
import pytest
from fpdf import FPDF

from otc_xl.io.formats.bank import advice_rows, read_advice
from otc_xl.matching import MatchConfig, match_payments
from otc_xl.model.problems import ValidationError
from test_matching import IBAN_BETA, applied, customers, invoices, payments

ISA = "ISA*00*          *00*          *ZZ*BETAFORNITURE  *ZZ*OTCXL          *261120*1200*U*00401*000000001*0*P*>~"


def edi_820() -> str:
    segments = ["GS*RA*BETA*OTCXL*20261120*1200*1*X*004010", "ST*820*0001",
                "BPR*C*1430*C*ACH*CTX*01*011000015*DA*123456789**01*021000021*DA*987654321*20261120",
                "TRN*1*TRACE-4711*1234567890", "RMR*IV*INV-2026-07301*PI*980*1000*20",
                "RMR*IV*INV-2026-07302*PI*450*500", "ADX*-50*04*DAMAGED", "SE*7*0001", "GE*1*1", "IEA*1*000000001"]
    return ISA + "~".join(segments) + "~"


def ledger():
    return invoices(("INV-2026-07301", "C2", 1000.00), ("INV-2026-07302", "C2", 500.00))


def bank_line(remittance="SEPA CT TRACE-4711"):
    return payments(("B1", 1430.00, "BETA FORNITURE SPA", remittance, IBAN_BETA))


def apply(advice: pd.DataFrame, pays: pd.DataFrame):
    rows, problems = advice_rows(pays, advice, "advice")
    assert problems == []
    return match_payments(ledger(), pays, customers(), MatchConfig(discount_days=60), advices=rows)


def expected(result):
    assert applied(result, "B1") == [("INV-2026-07301", 980.0, 20.0), ("INV-2026-07302", 450.0, 0.0)]
    d = result.deductions
    assert d[["invoice_id", "amount", "reason_code", "status"]].values.tolist() == [
        ["INV-2026-07302", 50.0, "damaged goods", "auto"]]


def test_edi_820_file(tmp_path):
    path = tmp_path / "remit.820"
    path.write_text(edi_820())
    advice = read_advice(path)
    assert advice.attrs["source"] == "EDI 820"
    assert advice[["payment_reference", "invoice_id", "amount", "deduction"]].values.tolist() == [
        ["TRACE-4711", "INV-2026-07301", 9.8e2, 20.0], ["TRACE-4711", "INV-2026-07302", 450.0, 50.0]]
    expected(apply(advice, bank_line()))


def test_edi_820_file_broken_envelope_is_named(tmp_path):
    path = tmp_path / "remit.820"
    path.write_text(edi_820()[:60])
    with pytest.raises(ValidationError, match="remit.820: not a readable EDI 820 file"):
        read_advice(path)


def nacha(trace: str) -> str:
    body = ("ISA*00~ST*820*0001~RMR*IV*INV-2026-07301*PI*980*1000*20~RMR*IV*INV-2026-07302*PI*450*500"
            "~ADX*-50*04*DAMAGED~")
    chunks = [body[i:i + 80] for i in range(0, len(body), 80)]
    records = ["101 021000021 0110000151611201200A094101BANK                   BETA FORNITURE SPA     ".ljust(94),
               ("5220BETA FORNITURE                      1234567890CTXPAYMENT   261120261120   "
                "1011000010000001").ljust(94),
               ("622" + "02100002" + "1" + "987654321".ljust(17) + "0000143000" + "INV-PAYMENT-01 " + "0002"
                + "OTC XL RECEIVER".ljust(16) + "  " + "  " + "1" + trace.rjust(15)).ljust(94)]
    records += [("705" + chunk.ljust(80) + f"{n + 1:04d}" + trace[-7:].rjust(7)).ljust(94)
                for n, chunk in enumerate(chunks)]
    records += ["822000000300021000020000000000000000000143000" + "1234567890".ljust(35) + "011000010000001",
                "9000001000001000000030002100002000000000000000000143000"]
    records = [r.ljust(94)[:94] for r in records]
    assert all(len(r) == 94 for r in records)
    return "\n".join(records) + "\n"


def test_nacha_ctx_addenda(tmp_path):
    path = tmp_path / "ach.txt"
    path.write_text(nacha("021000020000123"))
    advice = read_advice(path)
    assert advice.attrs["source"] == "ACH CTX" and set(advice["payment_reference"]) == {"021000020000123"}
    expected(apply(advice, bank_line("ACH CTX TRACE 021000020000123")))


def pdf_advice() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    for line in ("Zahlungsavis / Payment advice", "Zahlungsreferenz: AVIS-2026-1120",
                 "Rechnung        Datum        Brutto     Abzug     Gezahlt",
                 "INV-2026-07301  01.11.2026   1.000,00   20,00     980,00   Skonto",
                 "INV-2026-07302  03.11.2026   500,00     50,00     450,00   beschaedigt",
                 "Summe                                             1.430,00"):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_pdf_advice_attached_to_an_email(tmp_path):
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Zahlungsavis", "ap@beta.it", "ar@otc.example"
    message.set_content("Sehr geehrte Damen und Herren, anbei unser Zahlungsavis.")
    message.add_attachment(pdf_advice(), maintype="application", subtype="pdf", filename="avis.pdf")
    path = tmp_path / "avis.eml"
    path.write_bytes(bytes(message))
    advice = read_advice(path)
    assert advice.attrs["source"] == "e-mail advice"
    assert advice[["payment_reference", "invoice_id", "amount", "deduction"]].values.tolist() == [
        ["AVIS-2026-1120", "INV-2026-07301", 980.0, 20.0], ["AVIS-2026-1120", "INV-2026-07302", 450.0, 50.0]]
    # the bank line does not carry the advice's reference: the advice's total joins it
    expected(apply(advice.assign(payment_reference=""), bank_line("SEPA CT BETA FORNITURE")))
    result = apply(advice, bank_line("SEPA CT AVIS-2026-1120"))
    assert result.deductions["reason_code"].tolist() == ["damaged goods"]


def test_an_email_without_an_advice_line_is_refused_by_name(tmp_path):
    message = EmailMessage()
    message["Subject"] = "hello"
    message.set_content("no advice here")
    path = tmp_path / "x.eml"
    path.write_bytes(bytes(message))
    with pytest.raises(ValidationError, match="x.eml: no advice line"):
        read_advice(path)


def advice_book(make_book, paid: float, advice_reference: str):
    """A book with invoice INV-2026-07301 (1,000.00, customer C2) and bank line B1 of BETA paying ``paid``
    with ``advice_reference`` in its remittance."""
    return make_book({"Invoices": [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"],
                                   ["INV-2026-07301", "C2", dt.date(2026, 11, 1), dt.date(2026, 12, 1), 1000.0]],
                      "Payments": [["Payment No.", "Value date", "Payer", "Amount", "Remittance information"],
                                   ["B1", dt.date(2026, 11, 20), "BETA", paid, f"SEPA CT {advice_reference}"]]},
                     tables={"Payments": "tblPayments"})


def test_import_bank_appends_advice_lines_once_and_keeps_hostile_text_as_text(make_book, tmp_path):
    import openpyxl
    from click.testing import CliRunner

    import otc_xl
    from otc_xl.cli import main

    book = advice_book(make_book, 980.0, "AVIS-77")
    advice = tmp_path / "advice.csv"
    advice.write_text('Payment reference,Invoice number,Amount paid,Deduction,Reason\n'
                      'AVIS-77,INV-2026-07301,980.00,20.00,"=HYPERLINK(""http://x"",""y"")"\n')
    camt = tmp_path / "empty.csv"
    camt.write_text("Date,Amount,Text\n")
    runner = CliRunner()
    first = runner.invoke(main, ["import-bank", str(camt), "--into", str(book), "--advice", str(advice)])
    assert first.exit_code == 0, first.output
    assert "1 advice line(s) appended" in first.output
    again = runner.invoke(main, ["import-bank", str(camt), "--into", str(book), "--advice", str(advice)])
    assert "0 advice line(s) appended" in again.output and "1 already there (not added again)" in " ".join(
        again.output.split())
    ws = openpyxl.load_workbook(book)["Advices"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][:4] == ("B1", "INV-2026-07301", 980.0, 20.0)
    assert ws["E2"].data_type == "s" and ws["E2"].value.startswith("=HYPERLINK")
    ledger = otc_xl.read_workbook(book)
    assert ledger.advices[["payment_id", "invoice_id", "paid_amount"]].values.tolist() == [["B1",
                                                                                            "INV-2026-07301", 980.0]]
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("Payment reference,Invoice number,Amount paid\nNOWHERE-9,INV-2026-07301,1.00\n")
    refused = runner.invoke(main, ["import-bank", str(camt), "--into", str(book), "--advice", str(orphan)])
    assert refused.exit_code == 1 and "orphan.csv: advice for payment reference 'NOWHERE-9'" in refused.output


def test_two_advice_lines_for_one_invoice_are_one_line_of_their_sum(make_book, tmp_path):
    """Review finding: the Advices table keeps one line per payment and invoice, so the second of two lines
    naming one invoice (600.00 + 400.00) was dropped on import and cash application opened a 400.00
    deduction the customer never claimed. The lines are summed, to the cent; importing again adds nothing."""
    import openpyxl
    from click.testing import CliRunner

    from otc_xl.cli import main

    book = advice_book(make_book, 1000.0, "AVIS-78")
    advice = tmp_path / "advice.csv"
    advice.write_text("Payment reference,Invoice number,Amount paid,Deduction,Reason\n"
                      "AVIS-78,INV-2026-07301,600.10,,first part\nAVIS-78,INV-2026-07301,399.90,,second part\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("Date,Amount,Text\n")
    for _ in range(2):
        done = CliRunner().invoke(main, ["import-bank", str(empty), "--into", str(book), "--advice", str(advice)])
        assert done.exit_code == 0, done.output
    rows = list(openpyxl.load_workbook(book)["Advices"].iter_rows(min_row=2, values_only=True))
    assert [r[:5] for r in rows] == [("B1", "INV-2026-07301", 1000.0, None, "first part; second part")]

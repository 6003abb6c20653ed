"""Reconciliation with a customer: every kind of difference found and explained to the cent, in the
layouts customers really send (SAP FBL1N, Dynamics 365 BC vendor ledger entries, a Spanish
Debe/Haber ledger extract, an Italian Dare/Avere scheda fornitore, a DATEV Kontoauszug)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import INVOICE_HEADERS
from otc_xl.collecting.reconcile import AGREED, AMOUNT, ONLY_OURS, ONLY_THEIRS, reconcile_account
from otc_xl.model.money import cents
from test_cli import run
from test_collections_cli import table_rows

D = dt.date


def ours_frame(rows):
    return pd.DataFrame([{"invoice_id": i, "customer_id": "C1", "currency": "EUR", "invoice_date": pd.Timestamp(d),
                          "due_date": pd.Timestamp(d) + pd.Timedelta(days=30), "amount": a, "open_amount": a,
                          "reference": r} for i, d, a, r in rows])


def theirs_frame(rows):
    return pd.DataFrame([{"document": doc, "their_document": own, "date": pd.Timestamp(d), "signed": a,
                          "doc_type": kind, "description": text, "source_row": n + 2}
                         for n, (doc, own, d, a, kind, text) in enumerate(rows)],
                        columns=["document", "their_document", "date", "signed", "doc_type", "description",
                                 "source_row"])


RECEIPTS = pd.DataFrame({"payment_id": ["P-1", "P-2"], "payment_date": pd.to_datetime(["2026-11-10", "2026-11-20"]),
                         "amount": [500.00, 75.00], "customer_id": "C1", "currency": "EUR"})
LOOSE = pd.DataFrame({"payment_id": ["P-9"], "payment_date": pd.to_datetime(["2026-11-25"]),
                      "unapplied_amount": [321.00],
                      "payer_name": ["UNO SL"]})


def example():
    ours = ours_frame([("INV-2026-00451", "2026-09-01", 1_000.00, ""), ("INV-2026-00452", "2026-09-15", 250.00, ""),
                       ("INV-2026-00460", "2026-10-01", 99.90, ""), ("CN-2026-00012", "2026-10-05", -40.00, ""),
                       ("INV-2026-00470", "2026-11-02", 600.00, "PO 4500012345")])
    # their payables view: our invoices as negative (credits to us), their payments positive
    theirs = theirs_frame([
        ("FRA 2026/451", "5100000001", "2026-09-03", -1_000.00, "KR", "Factura"),       # agreed, written their way
        ("inv2026-00452", "5100000002", "2026-09-16", -205.00, "KR", ""),               # amount difference (45.00)
        ("", "5100000003", "2026-11-03", -600.00, "KR", "PO 4500012345"),               # found by our PO reference
        ("2026-00399", "5100000004", "2026-08-01", -130.00, "KR", "Factura"),           # only theirs: invoice
        ("", "1500000001", "2026-11-10", 500.00, "KZ", "Pago transferencia"),           # our receipt P-1
        ("", "1500000002", "2026-11-24", 321.00, "KZ", "Transferencia"),                # in unidentified cash P-9
        ("", "1500000003", "2026-11-28", 60.00, "KZ", "Pago fra 2026/460"),             # payment we cannot find
    ])
    return ours, theirs


def test_every_kind_of_difference_is_found_and_the_balances_tie():
    ours, theirs = example()
    result = reconcile_account(ours, RECEIPTS, theirs, LOOSE)
    assert result.sign == "reversed (their payables view)" and result.ties
    by_doc = {(r.our_document or r.their_document): r for r in result.lines.itertuples()}
    assert by_doc["INV-2026-00451"].status == AGREED
    assert by_doc["INV-2026-00451"].their_document == "FRA 2026/451 5100000001"
    assert (by_doc["INV-2026-00452"].status, by_doc["INV-2026-00452"].difference) == (AMOUNT, 45.00)
    assert by_doc["INV-2026-00470"].status == AGREED
    assert (by_doc["2026-00399 5100000004"].status, by_doc["2026-00399 5100000004"].code) == (ONLY_THEIRS,
                                                                                              "theirs_invoice")
    assert (by_doc["P-1"].status, by_doc["P-1"].code) == (AGREED, "agreed_payment")
    found = by_doc["1500000002"]
    assert found.code == "theirs_payment_found" and "P-9" in found.action
    assert by_doc["1500000003"].code == "theirs_payment"  # "Pago fra 2026/460" pays, it is not the invoice
    assert (by_doc["INV-2026-00460"].status, by_doc["INV-2026-00460"].code) == (ONLY_OURS, "ours_invoice")
    assert by_doc["CN-2026-00012"].code == "ours_credit"
    assert (by_doc["P-2"].status, by_doc["P-2"].code) == (ONLY_OURS, "ours_payment")
    balance = dict(zip(result.summary["item"], result.summary["amount"]))
    # ours: 1000 + 250 + 99.90 − 40 + 600 − 500 − 75 = 1,334.90;
    # theirs (turned round): 1000 + 205 + 600 + 130 − 500 − 321 − 60
    assert (balance["our balance"], balance["their balance"]) == (1_334.90, 1_054.00)
    assert balance["difference"] == 280.90 and balance["unexplained"] == 0.0
    assert round(result.lines["difference"].sum(), 2) == 280.90
    assert result.lines["status"].tolist()[0] == AMOUNT  # differences first


def test_the_same_account_in_our_own_sign_is_read_as_written():
    ours, theirs = example()
    result = reconcile_account(ours, RECEIPTS, theirs.assign(signed=-theirs["signed"]), LOOSE)
    assert result.sign == "as written" and result.ties
    assert dict(zip(result.summary["item"], result.summary["amount"]))["difference"] == 280.90


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(-500_000, 500_000).filter(bool), st.booleans(),
                          st.integers(-300, 300)), min_size=1, max_size=25),
       st.lists(st.integers(1, 200_000), max_size=5), st.booleans())
def test_the_balance_difference_always_ties_to_the_cent(rows, paid, flip):
    ours = ours_frame([(f"INV-2026-{n:05d}", "2026-09-01", c / 100, "") for n, c, _, _ in rows])
    ours = ours.drop_duplicates("invoice_id")
    sign = -1 if flip else 1
    theirs = theirs_frame([(f"2026/{n:05d}", "", "2026-09-02", sign * (c + (delta if keep else 0)) / 100, "", "")
                           for n, c, keep, delta in rows if keep or delta % 3]
                          + [("", "", "2026-11-10", -sign * p / 100, "", "payment") for p in paid])
    receipts = pd.DataFrame({"payment_id": [f"P{i}" for i in range(len(paid))],
                             "payment_date": pd.Timestamp("2026-11-11"), "amount": [p / 100 for p in paid]})
    result = reconcile_account(ours, receipts, theirs)
    ours_c = int(cents(ours["open_amount"]).sum()) - int(cents(receipts["amount"]).sum())
    balance = dict(zip(result.summary["item"], result.summary["amount"]))
    assert result.ties and cents(balance["our balance"]) == ours_c
    assert cents(result.lines["difference"]).sum() == cents(balance["our balance"]) - cents(balance["their balance"])
    assert balance["unexplained"] == 0.0
    # every line of either side appears exactly once
    assert (result.lines["their_row"].notna()).sum() == len(theirs)
    assert len(result.lines) - result.lines["their_row"].notna().sum() + \
        ((result.lines["status"] != ONLY_THEIRS) & result.lines["their_row"].notna()).sum() == len(ours) + len(receipts)


# ------------------------------------------------------------------ real layouts, through the command

def book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(INVOICE_HEADERS)
    for row in (["INV-2026-00451", "C1", "Uno", D(2026, 9, 1), D(2026, 10, 1), "EUR", 1_000.0, 1_000.0, ""],
                ["INV-2026-00452", "C1", "Uno", D(2026, 9, 15), D(2026, 10, 15), "EUR", 250.0, 250.0, ""],
                ["INV-2026-00460", "C1", "Uno", D(2026, 10, 1), D(2026, 10, 31), "EUR", 99.9, 99.9, ""],
                ["CN-2026-00012", "C1", "Uno", D(2026, 10, 5), D(2026, 10, 5), "EUR", -40.0, -40.0, ""],
                ["INV-2026-00470", "C1", "Uno", D(2026, 11, 2), D(2026, 12, 2), "EUR", 600.0, 600.0, "PO 4500012345"],
                ["INV-2026-00480", "C2", "Due", D(2026, 11, 2), D(2026, 12, 2), "EUR", 10.0, 10.0, ""]):
        ws.append(row)
    pay = wb.create_sheet("Payments")
    pay.append(["Payment No.", "Value date", "Payer", "Amount", "Currency", "Remittance information", "Customer No."])
    pay.append(["P-1", D(2026, 11, 10), "UNO SL", 500.0, "EUR", "pago a cuenta", "C1"])
    pay.append(["P-9", D(2026, 11, 25), "U.N.O. S L", 321.0, "EUR", "transferencia", ""])
    cust = wb.create_sheet("Customers")
    cust.append(["Customer No.", "Customer name", "Language", "E-mail", "Contact"])
    cust.append(["C1", "Uno S.L.", "es", "pagos@uno.es", "Lucía Gómez"])
    cust.append(["C2", "Due S.p.A.", "it", "", ""])
    cfg = wb.create_sheet("Config")
    cfg.append(["as_of", "30/11/2026"])
    wb.save(path)
    return path


THEIR_LINES = [  # (their doc, our number as they typed it, date, amount in OUR sign, kind)
    ("5100000001", "FRA 2026/451", D(2026, 9, 3), 1_000.00, "Factura"),
    ("5100000002", "inv2026-00452", D(2026, 9, 16), 205.00, "Factura"),
    ("5100000003", "2026/470", D(2026, 11, 3), 600.00, "Factura"),
    ("5100000004", "2026-00399", D(2026, 8, 1), 130.00, "Factura"),
    ("1500000001", "", D(2026, 11, 10), -500.00, "Pago transferencia"),
    ("1500000002", "", D(2026, 11, 24), -321.00, "Pago transferencia"),
]


def sage_debe_haber_xlsx(path: Path) -> Path:
    """A Spanish 'Extracto de cuenta de proveedor' (Sage/A3-style): title block, Debe/Haber, running
    balance and a totals line."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["EXTRACTO DE CUENTA"])
    ws.append(["Proveedor:", "40000123 IBERIA COMPONENTS SL"])
    ws.append(["Periodo:", "01/01/2026 - 30/11/2026"])
    ws.append([])
    ws.append(["Fecha", "Asiento", "Documento", "Concepto", "Debe", "Haber", "Saldo"])
    balance = 0.0
    for own, doc, date, amount, text in THEIR_LINES:
        debit, credit = (-amount, None) if amount < 0 else (None, amount)  # payables: invoices in Haber
        balance += amount
        ws.append([date, own, doc, text, debit, credit, round(balance, 2)])
    ws.append([None, None, None, "TOTALES", 821.0, 1_935.0, round(balance, 2)])
    wb.save(path)
    return path


def bc_vendor_ledger_csv(path: Path) -> Path:
    """Dynamics 365 Business Central 'Vendor Ledger Entries' exported to CSV (UTF-8 with BOM, comma,
    invoices negative, our number in External Document No.)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["Posting Date", "Document Type", "Document No.", "External Document No.", "Vendor No.",
                    "Description", "Currency Code", "Amount", "Remaining Amount"])
        for own, doc, date, amount, text in THEIR_LINES:
            kind = "Payment" if amount < 0 else "Invoice"
            w.writerow([date.strftime("%m/%d/%Y"), kind, own, doc, "V00123", text, "EUR", f"{-amount:.2f}",
                        f"{-amount:.2f}"])
    return path


def italian_dare_avere_csv(path: Path) -> Path:
    """An Italian 'scheda contabile fornitore': semicolon, decimal comma, thousands dot, Dare/Avere."""
    with open(path, "w", newline="", encoding="cp1252") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Data reg.", "N. protocollo", "N. documento", "Descrizione", "Dare", "Avere"])
        for own, doc, date, amount, text in THEIR_LINES:
            money = f"{abs(amount):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            w.writerow([date.strftime("%d/%m/%Y"), own, doc, text.replace("Factura", "Fattura").replace(
                "Pago transferencia", "Pagamento bonifico"), money if amount < 0 else "", money if amount > 0 else ""])
    return path


def datev_soll_haben_csv(path: Path) -> Path:
    """A DATEV-style Kontoauszug: Belegdatum, Belegfeld 1, Buchungstext, Soll, Haben (our sign kept:
    some customers send their statement from our point of view)."""
    with open(path, "w", newline="", encoding="cp1252") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Belegdatum", "Belegfeld 1", "Buchungstext", "Soll", "Haben"])
        for own, doc, date, amount, text in THEIR_LINES:
            money = f"{abs(amount):.2f}".replace(".", ",")
            w.writerow([date.strftime("%d.%m.%Y"), doc or own, text.replace("Factura", "Rechnung").replace(
                "Pago transferencia", "Zahlung Überweisung"), money if amount > 0 else "", money if amount < 0 else ""])
    return path


@pytest.mark.parametrize("writer,name", [(sage_debe_haber_xlsx, "extracto.xlsx"), (bc_vendor_ledger_csv, "vle.csv"),
                                         (italian_dare_avere_csv, "scheda.csv"), (datev_soll_haben_csv, "konto.csv")])
def test_real_layouts_reconcile_the_same(tmp_path, writer, name):
    target = book(tmp_path / "book.xlsx")
    theirs = writer(tmp_path / name)
    before = hashlib.sha256(theirs.read_bytes()).hexdigest()
    result = run("reconcile", target, "C1", theirs, "--files", tmp_path / "files")
    assert result.exit_code == 0, result.output
    balance = {r["item"]: r["amount"] for r in table_rows(target, "ReconciliationBalance")}
    # ours 1,909.90 open − 500 received (P-1) = 1,409.90; theirs 1,935 − 821 = 1,114.00
    assert (balance["our balance"], balance["their balance"], balance["difference"]) == (1_409.9, 1_114.0, 295.9)
    assert balance["unexplained"] == 0
    lines = {(r["our_document"] or r["their_document"]): r for r in table_rows(target, "Reconciliation")}
    assert lines["INV-2026-00452"]["status"] == AMOUNT and lines["INV-2026-00452"]["difference"] == 45.0
    assert lines["INV-2026-00470"]["status"] == AGREED  # written 2026/470
    assert lines["INV-2026-00460"]["action"] == "invoice not in their books: send them a copy"
    assert lines["P-1"]["status"] == AGREED
    assert any("P-9" in r["action"] for r in lines.values())  # their payment found in our unidentified cash
    assert hashlib.sha256(theirs.read_bytes()).hexdigest() == before  # their file is never touched
    letter = next((tmp_path / "files").glob("C1_EUR_reconciliation.html")).read_text(encoding="utf-8")
    assert "Conciliación de su cuenta" in letter and "Estimado/a Lucía Gómez" in letter
    assert "No figura en su contabilidad: adjuntamos copia" in letter and "1.409,90" in letter


def test_an_unknown_layout_is_refused_with_what_was_found(tmp_path):
    target = book(tmp_path / "book.xlsx")
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    odd = tmp_path / "odd.csv"
    odd.write_text("Kunde;Menge;Artikel\nC1;3;Schrauben\n", encoding="utf-8")
    result = run("reconcile", target, "C1", odd)
    assert result.exit_code == 1
    assert "odd.csv" in result.output and "unknown layout" in result.output and "'Menge'" in result.output
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    bad = tmp_path / "bad.csv"
    bad.write_text("Factura;Importe\nFRA 451;12,3x\n", encoding="utf-8")
    result = run("reconcile", target, "C1", bad)
    assert result.exit_code == 1 and "bad.csv!B2" in result.output
    unknown = run("reconcile", target, "C404", odd)
    assert unknown.exit_code == 1

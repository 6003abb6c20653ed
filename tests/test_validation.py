"""Bad input gets a clear message naming sheet, row and column — never a traceback or a silent skip."""

import datetime as dt

import pytest

import otc_xl
from builders import INVOICE_HEADERS, invoice_row

PAY_HEADERS = ["Payment No.", "Value date", "Payer", "Amount", "Remittance information"]


def messages(ledger, severity="error"):
    return [str(p) for p in ledger.problems if p.severity == severity]


def load(path, **kw):
    return otc_xl.read_workbook(path, **kw)


def test_good_workbook_has_no_problems(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1), invoice_row(2)]})
    ledger = load(book)
    assert ledger.ok and ledger.problems == []
    assert list(ledger.invoices["invoice_id"]) == ["INV-0001", "INV-0002"]
    assert ledger.invoices["open_amount"].sum() == 200.0


def test_text_in_amount_names_the_cell(make_book):
    book = make_book({"Payments": [PAY_HEADERS] + [[f"P{i}", "01/11/2026", "X", 10, ""] for i in range(12)]
                      + [["P99", "01/11/2026", "ACME", "1.234,5O", "Fra. 1"]],
                      "Invoices": [INVOICE_HEADERS, invoice_row(1)]})
    assert messages(load(book)) == [
        "Payments!D14: amount '1.234,5O' is not a number (expected e.g. 1.234,56 or 1,234.56)"]


def test_missing_required_column(make_book):
    book = make_book({"Invoices": [["Invoice No.", "Customer No.", "Amount"], ["F1", "C1", 10]]})
    errors = messages(load(book))
    assert errors[0].startswith("Invoices!1: required column invoice_date is missing (expected a header such as "
                                "'invoice date', 'date', 'fecha factura', 'data fattura'")
    assert "found 'Invoice No.', 'Customer No.', 'Amount'" in errors[0]
    assert len(errors) == 2 and "due_date is missing" in errors[1]


def test_impossible_date(make_book):
    row = invoice_row(1)
    row[4] = "31/02/2026"
    book = make_book({"Invoices": [INVOICE_HEADERS, row]})
    assert messages(load(book)) == ["Invoices!E2: due_date '31/02/2026' is an impossible date (expected DD/MM/YYYY, "
                                    "DD.MM.YYYY or YYYY-MM-DD)"]


def test_duplicate_invoice_id(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1), invoice_row(2), invoice_row(1)]})
    assert messages(load(book)) == ["Invoices!A4: invoice_id 'INV-0001' appears again (first in row 2); "
                                    "each invoice_id must be unique"]


def test_empty_sheet(make_book):
    book = make_book({"Invoices": []})
    assert messages(load(book)) == ["Invoices: the sheet is empty; expected a header row with invoice_id, "
                                    "customer_id, invoice_date, due_date, amount"]


def test_merged_header_cells(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)]}, merged={"Invoices": ["A1:B1"]})
    errors = messages(load(book))
    assert errors[0] == "Invoices!A1: header cells A1:B1 are merged; unmerge them so each column has its own header"


def test_formula_looking_text_is_kept_as_text_with_a_warning(make_book):
    row = invoice_row(1)
    row[2] = "@SUM(1+1)"
    book = make_book({"Invoices": [INVOICE_HEADERS, row]})
    ledger = load(book)
    assert ledger.ok
    assert ledger.invoices.loc[0, "customer_name"] == "@SUM(1+1)"
    assert messages(ledger, "warning") == ["Invoices!C2: customer_name '@SUM(1+1)' looks like a formula; "
                                           "it is kept and written as text"]


def test_excel_error_value(make_book):
    row = invoice_row(1)
    row[6] = "#N/A"
    book = make_book({"Invoices": [INVOICE_HEADERS, row]})
    assert messages(load(book)) == ["Invoices!G2: amount shows the Excel error #N/A; fix the formula or type the value"]


def test_required_value_empty(make_book):
    row = invoice_row(1)
    row[1] = None
    book = make_book({"Invoices": [INVOICE_HEADERS, row]})
    assert messages(load(book)) == ["Invoices!B2: customer_id is empty (a value is required)"]


def test_negative_payment(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [PAY_HEADERS, ["P1", "01/11/2026", "ACME", "-50,00", ""]]})
    assert messages(load(book)) == ["Payments!D2: amount must be a positive receipt; debits and reversals do not "
                                    "belong in Payments"]


def test_bad_currency_and_language(make_book):
    row = invoice_row(1)
    row[5] = "EURO"
    book = make_book({"Invoices": [INVOICE_HEADERS, row],
                      "Customers": [["Customer No.", "Customer name", "Language"], ["C1", "Acme", "Klingon"]]})
    assert messages(load(book)) == [
        "Invoices!F2: currency 'EURO' is not a 3-letter ISO currency code (expected e.g. EUR, USD, GBP)",
        "Customers!C2: language 'Klingon' is not a known language (expected one of en, es, it, fr, de, ro, pt)"]


def test_two_headers_for_one_column(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS + ["Importe"], invoice_row(1) + [5]]})
    assert messages(load(book)) == ["Invoices!J1: header 'Importe' means amount, which column G already provides; "
                                    "rename or delete one of them"]


def test_sub_cent_amount_is_rounded_with_a_warning(make_book):
    row = invoice_row(1, amount=10.005)
    book = make_book({"Invoices": [INVOICE_HEADERS, row]})
    ledger = load(book)
    assert ledger.ok and ledger.invoices.loc[0, "amount"] == 10.01
    assert "Invoices!G2: amount 10.005 has more than 2 decimals; rounded to 10.01" in messages(ledger, "warning")


def test_due_before_invoice_date_warns(make_book):
    row = invoice_row(1)
    row[3], row[4] = dt.date(2026, 5, 1), dt.date(2026, 4, 1)
    ledger = load(make_book({"Invoices": [INVOICE_HEADERS, row]}))
    assert messages(ledger, "warning") == ["Invoices!E2: due_date is before invoice_date"]


def test_no_invoices_anywhere(make_book):
    book = make_book({"Sheet1": [["hello"]]})
    assert messages(load(book)) == ["Invoices: no invoices found: add a sheet named Invoices or an Excel Table "
                                    "named tblInvoices"]


def test_not_a_workbook(tmp_path):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("this is not a zip")
    with pytest.raises(otc_xl.ValidationError) as err:
        load(fake)
    assert str(err.value.problems[0]).startswith("notes.xlsx: cannot be read as a workbook")
    with pytest.raises(otc_xl.ValidationError, match="file not found"):
        load(tmp_path / "missing.xlsx")
    csv = tmp_path / "x.csv"
    csv.write_text("a;b\n")
    with pytest.raises(otc_xl.ValidationError, match=r"not a workbook \(.csv\)"):
        load(csv)


def test_bad_config_value_names_the_cell(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Config": [["Setting", "Value"], ["as_of", "31/12/2026"], ["buckets", "30,20"],
                                 ["tolerance_abs", "lots"], ["colour", "blue"]]})
    ledger = load(book)
    assert messages(ledger) == [
        "Config!B3: buckets '30,20' must be increasing positive days (expected e.g. 30,60,90,120)",
        "Config!B4: tolerance_abs 'lots' is not a number (expected e.g. 1.234,56 or 1,234.56)"]
    assert messages(ledger, "warning")[0].startswith("Config!5: unknown setting 'colour' ignored")
    assert ledger.config.as_of == dt.date(2026, 12, 31)


def test_integer_column(make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Customers": [["Customer No.", "Customer name", "Payment terms"], ["C1", "Acme", "thirty"]]})
    assert messages(load(book)) == ["Customers!C2: payment_terms_days 'thirty' is not a whole number"]


def test_all_errors_of_a_sheet_are_collected(make_book):
    rows = [INVOICE_HEADERS]
    for n in range(1, 6):
        row = invoice_row(n)
        row[6] = f"x{n}"
        rows.append(row)
    errors = messages(load(make_book({"Invoices": rows})))
    assert [e.split(":")[0] for e in errors] == [f"Invoices!G{r}" for r in range(2, 7)]


def test_title_rows_and_offset_tables_are_found(make_book):
    rows = [["Open items export — ACME Spain"], [], [None, None, *INVOICE_HEADERS],
            [None, None, *invoice_row(1)], [None, None, *invoice_row(2, amount="1.234,56")]]
    ledger = load(make_book({"Partidas abiertas": rows}))
    assert ledger.ok, ledger.problems
    assert list(ledger.invoices["amount"]) == [100.0, 1234.56]
    assert list(ledger.invoices["source_row"]) == [4, 5]


def test_excel_table_by_name_wins_over_sheet_name(make_book):
    book = make_book({"Data": [INVOICE_HEADERS, invoice_row(7)], "Invoices": [INVOICE_HEADERS, invoice_row(1)]},
                     tables={"Data": "tblInvoices"})
    ledger = load(book)
    assert list(ledger.invoices["invoice_id"]) == ["INV-0007"] and ledger.found["invoices"] == "Data"


def test_spanish_export_with_defaults(make_book):
    book = make_book({"Facturas": [["Nº factura", "Cliente", "Fecha", "Vencimiento", "Importe"],
                                   ["F-1", 4711, "01.10.2026", "31/10/2026", "1.234,56"],
                                   ["A-2", 4711, "02.10.2026", "01/11/2026", "(100,00)"]]})
    ledger = load(book)
    assert ledger.ok, ledger.problems
    inv = ledger.invoices
    assert list(inv["customer_id"]) == ["4711", "4711"]
    assert list(inv["open_amount"]) == [1234.56, -100.0]
    assert list(inv["doc_type"]) == ["INV", "CRN"] and list(inv["currency"]) == ["EUR", "EUR"]
    assert inv.loc[0, "due_date"].date() == dt.date(2026, 10, 31)


def test_payment_ids_are_stable_hashes(make_book):
    rows = [["Value date", "Payer", "Amount", "Remittance information"], ["01/11/2026", "ACME", 10, "Fra 1"],
            ["01/11/2026", "ACME", 10, "Fra 1"], ["02/11/2026", "ACME", 10, "Fra 2"]]
    first = load(make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)], "Payments": rows})).payments
    again = load(make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)], "Payments": rows})).payments
    ids = list(first["payment_id"])
    assert ids == list(again["payment_id"]) and len(set(ids)) == 3
    assert ids[1] == ids[0] + "-2"


def test_unknown_customer_warns_and_names_are_filled(make_book):
    book = make_book({"Invoices": [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"],
                                   ["F1", "C1", "01/10/2026", "31/10/2026", 5],
                                   ["F2", "C9", "01/10/2026", "31/10/2026", 5]],
                      "Customers": [["Customer No.", "Customer name", "Collector"], ["C1", "Acme S.L.", "Ana"]]})
    ledger = load(book)
    assert list(ledger.invoices["customer_name"]) == ["Acme S.L.", ""]
    assert list(ledger.invoices["collector"]) == ["Ana", ""]
    assert messages(ledger, "warning") == ["Invoices!B3: customer_id 'C9' is not in Customers (1 item(s), first row 3)"]


def test_a_missing_required_header_does_not_hide_the_other_cells_problems():
    """With a required header missing, the sheet's cell errors showed only after it was fixed: two runs
    to learn what one could say."""
    from otc_xl.model.contracts import INVOICES
    from otc_xl.model.tables import RawTable, parse_table

    raw = RawTable("Facturas", ["Cliente", "Fecha factura", "Vencimeinto", "Moneda", "Importe", "Pendiente"],
                   [["C1", "01/10/2026", "31/10/2026", "EUR", "1.234,5x", "100,00"],
                    ["C2", "31/02/2026", "30/11/2026", "EUR", "50,00", "50,00"]])
    _, problems = parse_table(INVOICES, raw)
    errors = [(p.row, p.column, p.message.split(" (")[0]) for p in problems if p.severity == "error"]
    assert (1, None, "required column invoice_id is missing") in errors
    assert any(row == 2 and column == 5 and "1.234,5x" in message for row, column, message in errors)
    assert any(row == 3 and column == 2 for row, column, _ in errors)  # 31/02/2026
    assert not any("invoice_id is empty" in m for _, _, m in errors)  # said once, not once per row


def test_a_misspelt_required_header_is_named_with_the_headers_of_our_languages():
    from otc_xl.model.contracts import INVOICES
    from otc_xl.model.tables import RawTable, parse_table

    raw = RawTable("Facturas", ["Factura", "Cliente", "Fecha factura", "Vencimeinto", "Moneda", "Importe", "Pendiente"],
                   [["F1", "C1", "01/10/2026", "31/10/2026", "EUR", "100", "100"]])
    [missing] = [p.message for p in parse_table(INVOICES, raw)[1] if "is missing" in p.message]
    assert "did you mean 'Vencimeinto'?" in missing
    examples = missing.split("such as ")[1].split("; found")[0].split(", ")
    assert len(examples) == len(set(examples)) >= 4 and "'fecha vencimiento'" in examples

"""Users' headers in five languages map to canonical columns."""

import pytest

from otc_xl.model.billing import ORDER_LINES
from otc_xl.model.contracts import CONTRACTS, CUSTOMERS, INVOICES, ORDERS, PAYMENTS
from otc_xl.model.headers import header_key


@pytest.mark.parametrize("contract, header, column", [
    # English
    (INVOICES, "Invoice No.", "invoice_id"), (INVOICES, "Due Date", "due_date"),
    (INVOICES, "Open amount", "open_amount"),
    (PAYMENTS, "Value date", "payment_date"), (PAYMENTS, "Remittance information", "remittance"),
    # Spanish
    (INVOICES, "Nº factura", "invoice_id"), (INVOICES, "Número de factura", "invoice_id"),
    (INVOICES, "Importe", "amount"), (INVOICES, "Fecha de vencimiento", "due_date"),
    (INVOICES, "Razón social", "customer_name"),
    (PAYMENTS, "Ordenante", "payer_name"), (PAYMENTS, "Concepto", "remittance"), (CUSTOMERS, "Idioma", "language"),
    # Italian
    (INVOICES, "Numero fattura", "invoice_id"), (INVOICES, "Importo", "amount"),
    (INVOICES, "Data scadenza", "due_date"),
    (INVOICES, "Codice cliente", "customer_id"), (PAYMENTS, "Causale", "remittance"),
    (CUSTOMERS, "Ragione sociale", "customer_name"),
    # French
    (INVOICES, "N° facture", "invoice_id"), (INVOICES, "Montant", "amount"), (INVOICES, "Date d'échéance", "due_date"),
    (INVOICES, "Numéro client", "customer_id"), (PAYMENTS, "Libellé", "remittance"), (CUSTOMERS, "Langue", "language"),
    # German
    (INVOICES, "Rechnungsnummer", "invoice_id"), (INVOICES, "Rechnungs-Nr.", "invoice_id"),
    (INVOICES, "Betrag", "amount"),
    (INVOICES, "Fälligkeitsdatum", "due_date"), (INVOICES, "Kundennummer", "customer_id"),
    (PAYMENTS, "Verwendungszweck", "remittance"),
    (ORDERS, "Lieferdatum", "delivery_date"), (CUSTOMERS, "Sprache", "language"),
    # the buyer's electronic address (#28, BR-FR-12)
    (CUSTOMERS, "Adresse de facturation électronique", "einvoice_address"),
    (CUSTOMERS, "E-invoice address", "einvoice_address"), (CUSTOMERS, "E-Rechnungsadresse", "einvoice_address"),
    (CUSTOMERS, "Dirección de facturación electrónica", "einvoice_address"),
    (CUSTOMERS, "Indirizzo di fatturazione elettronica", "einvoice_address"),
    # case, accents, punctuation
    (INVOICES, "  NUMERO   FACTURA: ", "invoice_id"), (INVOICES, "fecha-vencimiento", "due_date"),
    (INVOICES, "invoice_id", "invoice_id"),
])
def test_synonyms(contract, header, column):
    assert contract.match_header(header).name == column


def test_unknown_header_is_not_guessed():
    assert INVOICES.match_header("Weather") is None
    assert INVOICES.match_header("") is None


def test_header_key_normalises():
    assert header_key("Nº  Factura:") == "factura"
    assert header_key("Numéro client", drop_filler=False) == "numeroclient"


@pytest.mark.parametrize("contract", [*CONTRACTS.values(), ORDER_LINES], ids=[*CONTRACTS, "order_lines"])
def test_no_exact_key_means_two_columns(contract):
    owner = {}
    for column in contract.columns:
        for key in column.exact_keys:
            assert owner.setdefault(key, column.name) == column.name, f"{key!r} means {owner[key]} and {column.name}"

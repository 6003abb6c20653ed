"""Remittance advices: the customer's list of what a payment pays (spreadsheet or CSV).

Rows of (payment reference, invoice number, amount, deduction, reason). They are joined to the bank
lines by payment reference (the bank's payment id, or a text found in the remittance) and appended
to the payment's remittance text, where the matcher reads them as references.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...model.contracts import Column, TableContract
from ...model.problems import ValidationError, errors_in
from ...model.tables import ParseOptions, parse_table
from .tabular import _raw_table, read_grid

ADVICE = TableContract(
    name="remittance advice",
    doc="Invoices and amounts one payment pays.",
    sheet_names=("Advice",),
    columns=(
        Column("payment_reference", "text", "Payment reference or bank line id.", True,
               ("payment", "payment reference", "payment id", "referencia pago", "riferimento pagamento",
                "référence paiement", "zahlungsreferenz", "end to end id")),
        Column("invoice_id", "text", "Your invoice number as the customer wrote it.", True,
               ("invoice", "invoice number", "invoice no", "factura", "nº factura", "fattura", "numero fattura",
                "facture", "n° facture", "rechnung", "rechnungsnummer", "document")),
        Column("amount", "amount", "Amount paid for it.",
               synonyms=("paid", "amount paid", "importe", "importo", "montant", "betrag")),
        Column("deduction", "amount", "Amount deducted.",
               synonyms=("discount", "deducción", "descuento", "sconto", "deduzione", "remise", "escompte",
                         "abzug", "skonto")),
        Column("reason", "text", "Why deducted.",
               synonyms=("motivo", "causa", "motif", "grund")),
    ),
)


def read_advice(path: Path, options: ParseOptions = ParseOptions()) -> pd.DataFrame:
    grid = read_grid(path)
    advice, problems = parse_table(ADVICE, _raw_table(path.name, grid, {}), options)
    if errors_in(problems):
        raise ValidationError(problems)
    return advice


def apply_advice(payments: pd.DataFrame, advice: pd.DataFrame) -> pd.DataFrame:
    """Payments with each advice's invoice list appended to their remittance (matched by reference)."""
    out = payments.copy()
    for reference, lines in advice.groupby("payment_reference"):
        listed = "; ".join(f"{r.invoice_id} {r.amount:.2f}" if pd.notna(r.amount) else r.invoice_id
                           for r in lines.itertuples())
        hit = (out["payment_id"] == reference) | out["remittance"].str.contains(reference, regex=False)
        out.loc[hit, "remittance"] = out.loc[hit, "remittance"] + f" | advice: {listed}"
    return out

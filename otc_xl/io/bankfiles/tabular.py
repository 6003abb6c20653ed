"""Bank exports as CSV (any delimiter, UTF-8/cp1252/latin-1) or spreadsheet (first sheet).

Columns are recognised by header in EN/ES/IT/FR/DE (see ``BANK_EXPORT``), or named explicitly
with a per-bank profile ``{"value_date": "F. valor", "amount": "Importe", …}`` (Config
``bank_columns``). Amounts in one signed column or in separate credit/debit columns; decimal comma
or point and day-first dates are read as for workbooks. Credits become payments; debits are counted
and skipped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import python_calamine as pc

from ...model.contracts import Column, TableContract
from ...model.headers import header_key
from ...model.problems import ValidationError, errors_in
from ...model.tables import HEADER_SEARCH_ROWS, ParseOptions, RawTable, header_row_index, parse_table
from ...model.values import is_blank
from .common import BankLines, decode_text, fail, frame, stable_id, unique_ids

BANK_EXPORT = TableContract(
    name="bank export",
    doc="A bank's account statement export.",
    sheet_names=("Bank",),
    columns=(
        Column("value_date", "date", "Value date (used when present).",
               synonyms=("value date", "valuedate", "fecha valor", "f valor", "data valuta", "date de valeur",
                         "date valeur", "valutadatum", "valuta", "wertstellung")),
        Column("booking_date", "date", "Booking or transaction date.",
               synonyms=("booking date", "transaction date", "date", "fecha operacion", "fecha", "f operacion",
                         "data operazione", "data contabile", "data", "date d'operation", "date operation",
                         "date comptable", "buchungstag", "buchungsdatum", "datum")),
        Column("amount", "amount", "Signed amount (credits positive).",
               synonyms=("importe", "importo", "montant", "betrag", "umsatz", "amount eur", "importe eur")),
        Column("credit", "amount", "Credit (money in).",
               synonyms=("credit", "credits", "haber", "ingresos", "ingreso", "avere", "entrate", "credit eur",
                         "crédit", "haben", "gutschrift", "money in", "paid in")),
        Column("debit", "amount", "Debit (money out).",
               synonyms=("debit", "debits", "debe", "cargos", "cargo", "dare", "uscite", "débit", "soll",
                         "lastschrift", "money out", "paid out")),
        Column("currency", "currency", "Currency.",
               synonyms=("ccy", "moneda", "divisa", "valuta divisa", "devise", "währung", "waehrung")),
        Column("payer_name", "text", "Ordering party.",
               synonyms=("payer", "ordering party", "counterparty", "counterparty name", "name", "ordenante",
                         "ordinante", "controparte", "tiers", "donneur d'ordre", "contrepartie", "auftraggeber",
                         "zahlungspflichtiger", "name auftraggeber", "beguenstigter/zahlungspflichtiger")),
        Column("payer_account", "text", "Ordering party's IBAN.",
               synonyms=("iban", "counterparty iban", "counterparty account", "cuenta ordenante",
                         "iban ordenante", "iban ordinante", "iban contrepartie", "iban auftraggeber",
                         "kontonummer/iban")),
        Column("remittance", "text", "Details / remittance information.",
               synonyms=("description", "details", "narrative", "remittance", "remittance information", "purpose",
                         "concepto", "observaciones", "causale", "descrizione", "libellé", "libelle", "motif",
                         "verwendungszweck", "buchungstext")),
        Column("reference", "text", "The bank's reference of the line.",
               synonyms=("bank reference", "transaction id", "referencia", "referencia banco", "riferimento",
                         "référence", "reference banque", "referenz", "bankreferenz")),
    ),
)


def read_tabular(path: Path, options: ParseOptions = ParseOptions(),
                 profile: dict[str, str] | None = None) -> BankLines:
    suffix = path.suffix.lower()
    notes: list[str] = []
    grid = _spreadsheet_grid(path) if suffix in (".xlsx", ".xlsm", ".xls", ".ods") else _csv_grid(path, notes)
    raw = _raw_table(path.name, grid, profile or {})
    mapped = {c.name for c in map(BANK_EXPORT.match_header, raw.headers) if c is not None}
    missing = [need for need, options in (("an amount or credit column", {"amount", "credit"}),
                                          ("a date column", {"value_date", "booking_date"})) if not mapped & options]
    if missing:
        found = ", ".join(repr(str(h)) for h in raw.headers if not is_blank(h)) or "none"
        raise fail(path.name, f"cannot map the columns: no {' and no '.join(m.split(' ', 1)[1] for m in missing)} "
                              f"(found {found}); name them in a bank profile, e.g. Config bank_columns = "
                              "value_date=F. valor; amount=Importe")
    lines, problems = parse_table(BANK_EXPORT, raw, options)
    if errors_in(problems):
        raise ValidationError(problems)
    lines["date"] = lines["value_date"].fillna(lines["booking_date"])
    credit = np.where(lines["credit"].notna(), lines["credit"].fillna(0), lines["amount"].fillna(0))
    debit_col = lines["debit"].fillna(0).abs()
    is_credit = (credit > 0) & ~(debit_col > 0)
    rows = []
    for rec, amount in zip(lines.loc[is_credit].itertuples(index=False), credit[is_credit]):
        rows.append({"payment_date": rec.date, "amount": float(amount), "currency": rec.currency,
                     "payer_name": rec.payer_name, "payer_account": rec.payer_account,
                     "remittance": rec.remittance, "customer_id": "",
                     "payment_id": rec.reference or stable_id("BANK", rec.date, amount, rec.payer_name,
                                                             rec.payer_account, rec.remittance)})
    payments = frame(rows)
    payments["payment_id"] = unique_ids(list(payments["payment_id"]))
    spreadsheet = suffix in (".xlsx", ".xlsm", ".xls", ".ods")
    return BankLines(payments, int((~is_credit).sum()), "XLSX" if spreadsheet else "CSV", notes)


def parse_profile(text: str) -> dict[str, str]:
    """``"value_date=F. valor; amount=Importe"`` → {"value_date": "F. valor", "amount": "Importe"}."""
    out = {}
    for part in str(text or "").split(";"):
        if "=" in part:
            key, _, header = part.partition("=")
            out[key.strip()] = header.strip()
    return out


def _csv_grid(path: Path, notes: list[str] | None = None) -> list[list[Any]]:
    """The rows of a delimited text file: encoding detected (BOM, UTF-8, else charset-normalizer),
    delimiter sniffed among ``; , TAB |``. Binary or malformed content is refused with the line."""
    text, encoding = decode_text(path.read_bytes(), path.name)
    if encoding not in ("utf-8", "ascii") and notes is not None:
        notes.append(f"{path.name}: read as {encoding}")
    if "\x00" in text:
        raise fail(path.name, f"contains NUL characters after decoding as {encoding}: not a CSV export")
    sample = "\n".join(io.StringIO(text[:65536]).readlines()[:30])

    class Dialect(csv.excel):
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        Dialect.delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=""), Dialect)
    try:
        return [row for row in reader]
    except csv.Error as exc:
        raise fail(path.name, f"line {reader.line_num}: cannot be read as CSV ({exc}); is it really a bank "
                              "export?") from None


def _spreadsheet_grid(path: Path) -> list[list[Any]]:
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
        return [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    except (pc.CalamineError, OSError, ValueError) as exc:
        raise fail(path.name, f"cannot be read as a spreadsheet ({exc})") from None


def _raw_table(name: str, grid: list[list[Any]], profile: dict[str, str]) -> RawTable:
    """The table below the header row; headers named in ``profile`` are renamed to their columns first."""
    wanted = {header_key(h): canonical for canonical, h in profile.items()}
    top = [[wanted.get(header_key(h), h) for h in row] for row in grid[:HEADER_SEARCH_ROWS]]
    best = header_row_index(top, BANK_EXPORT)
    if best is None:
        raise fail(name, "the file is empty")
    return RawTable(name, top[best], [list(r) for r in grid[best + 1:]], header_row=best + 1)

"""Bank exports as CSV (any delimiter, UTF-8/cp1252/latin-1) or spreadsheet (first sheet).

Columns are recognised by header in EN/ES/IT/FR/DE (see ``BANK_EXPORT``), or named explicitly
with a per-bank profile ``{"value_date": "F. valor", "amount": "Importe", …}`` (Config
``bank_columns``). Amounts in one signed column or in separate credit/debit columns; decimal comma
or point and day-first dates are read as for workbooks. Credits become payments; debits are counted
and skipped.
"""

from __future__ import annotations

import csv
import itertools
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import python_calamine as pc

from ....model.contracts import Column, TableContract
from ....model.headers import header_key
from ....model.problems import Problem, ValidationError, errors_in
from ....model.tables import HEADER_SEARCH_ROWS, SOURCE_ROW, ParseOptions, RawTable, header_row_index, parse_table
from ....model.values import UNCALCULATED, infer_date_order, infer_decimal_separator, is_blank, parse_text
from ...xlsx.package import scan_sheet, sheet_parts
from .common import STRICT, BankLines, ReadPolicy, decode_text, fail, frame, meaningful_reference, stable_id, with_unique_ids

BANK_EXPORT = TableContract(
    name="bank export",
    doc="A bank's account statement export.",
    sheet_names=("Bank",),
    columns=(
        Column("value_date", "date", "Value date (used when present).",
               synonyms=("value date", "valuedate", "fecha valor", "f valor", "data valuta", "date de valeur",
                         "date valeur", "valutadatum", "valuta", "wertstellung", "wertstellungsdatum", "data valor",
                         "rentedatum", "available on", "available on utc")),
        Column("booking_date", "date", "Booking or transaction date.",
               synonyms=("booking date", "transaction date", "date", "fecha operacion", "fecha", "f operacion",
                         "data operazione", "data contabile", "data", "date d'operation", "date operation",
                         "date comptable", "buchungstag", "buchungsdatum", "datum", "buchung", "posting date",
                         "created", "created utc", "data movimento", "data mov", "data lancamento",
                         "fecha contable", "boekdatum", "completed date", "started date")),
        Column("amount", "amount", "Signed amount (credits positive), or unsigned with an indicator column.",
               synonyms=("importe", "importo", "montant", "betrag", "umsatz", "amount eur", "importe eur", "betrag eur",
                         "bedrag", "bedrag eur", "montant eur", "valor", "valor eur", "montante", "gross",
                         "importo eur", "umsatz in eur", "amount gbp", "value gbp", "value", "montant euros",
                         "importo euro", "betrag euro", "bruto", "brutto", "lordo", "brut")),
        Column("credit", "amount", "Credit (money in).",
               synonyms=("credit", "credits", "haber", "ingresos", "ingreso", "avere", "entrate", "credit eur",
                         "crédit", "haben", "gutschrift", "money in", "paid in", "credito", "entrada", "entradas",
                         "credit amount", "credit gbp", "bij", "accrediti", "accredito")),
        Column("debit", "amount", "Debit (money out).",
               synonyms=("debit", "debits", "debe", "cargos", "cargo", "dare", "uscite", "débit", "soll",
                         "lastschrift", "money out", "paid out", "debito", "saida", "saidas", "debit amount",
                         "debit gbp", "af", "addebiti", "addebito")),
        Column("indicator", "text", "Credit/debit mark of an unsigned amount (H/S, C/D, CR/DR, Bij/Af, +/-).",
               synonyms=("soll/haben", "s/h", "haben/soll", "debit/credit", "credit/debit", "dr/cr", "cr/dr", "d/c",
                         "c/d", "af bij", "af/bij", "sign", "signo", "segno", "sens", "balance impact",
                         "cdtdbtind", "debit credit indicator", "credit debit indicator", "dc", "cd",
                         "impacto en el saldo", "auswirkung auf guthaben", "impatto sul saldo",
                         "impact sur le solde")),
        Column("fee", "amount", "Fee taken by a payment provider (PayPal, Stripe) from the gross amount.",
               synonyms=("fee", "fees", "comision", "commissione", "frais", "gebuhr", "gebuehr", "tariffa")),
        Column("currency", "currency", "Currency.",
               synonyms=("ccy", "moneda", "divisa", "valuta divisa", "devise", "währung", "waehrung", "moeda",
                         "munt", "currency code")),
        Column("payer_name", "text", "Ordering party.",
               synonyms=("payer", "ordering party", "counterparty", "counterparty name", "name", "ordenante",
                         "ordinante", "controparte", "tiers", "donneur d'ordre", "contrepartie", "auftraggeber",
                         "zahlungspflichtiger", "name auftraggeber", "beguenstigter/zahlungspflichtiger",
                         "auftraggeber / begünstigter", "auftraggeber/empfänger", "empfänger", "zahlungsempfänger",
                         "name zahlungsbeteiligter", "naam / omschrijving", "naam", "nome", "nom", "from",
                         "from name", "customer name", "beneficiario/ordenante", "ordenante/beneficiario",
                         "payee/payer", "payer/payee", "counter party", "nombre")),
        Column("payer_account", "text", "Ordering party's IBAN.",
               synonyms=("iban", "counterparty iban", "counterparty account", "cuenta ordenante",
                         "iban ordenante", "iban ordinante", "iban contrepartie", "iban auftraggeber",
                         "kontonummer/iban", "iban zahlungsbeteiligter", "tegenrekening", "tegenrekening iban",
                         "conta", "iban contraparte", "account number")),
        Column("remittance", "text", "Details / remittance information (several such columns are joined).",
               synonyms=("description", "details", "narrative", "remittance", "remittance information", "purpose",
                         "concepto", "observaciones", "causale", "descrizione", "libellé", "libelle", "motif",
                         "verwendungszweck", "note", "subject", "invoice number", "invoice id", "item title",
                         "memo", "message", "mitteilung", "mededelingen", "omschrijving", "comunicacion",
                         "comunicazione", "communication", "descricao", "descripcion", "reference text",
                         "payment reference", "libelle operation", "informations complementaires",
                         "transaction description", "transaction details", "numero de factura", "rechnungsnummer",
                         "numero fattura", "numero de facture", "asunto", "betreff", "oggetto", "objet", "nota",
                         "hinweis")),
        Column("booking_text", "text", "The bank's kind of booking (GUTSCHRIFT, SEPA-Überweisung, Express Checkout …).",
               synonyms=("buchungstext", "umsatzart", "vorgang", "transaction type", "type", "tipo",
                         "tipo de operacion", "tipo operazione", "type d'operation", "mutatiesoort", "code",
                         "tipo movimento", "transaction code", "typ")),
        Column("status", "text", "Status of the line (PayPal, Stripe, neobanks); pending or failed lines are skipped.",
               synonyms=("estado", "stato", "statut", "state")),
        Column("reference", "text", "The bank's reference of the line.",
               synonyms=("bank reference", "transaction id", "referencia", "referencia banco", "riferimento",
                         "référence", "reference banque", "referenz", "bankreferenz", "id", "transaction reference",
                         "numero operazione", "referentie", "id de transaccion", "transaktionscode",
                         "codice transazione", "numero de transaction")),
    ),
)
CREDIT_MARKS = frozenset({"h", "haben", "c", "cr", "crdt", "credit", "crédit", "credito", "crédito", "bij", "+",
                          "haber", "avere", "abono", "ingreso", "entrada", "in"})
DEBIT_MARKS = frozenset({"s", "soll", "d", "dr", "dbit", "debit", "débit", "debito", "débito", "af", "-", "debe",
                         "dare", "cargo", "saida", "saída", "out"})
SKIPPED_STATUS = re.compile(r"pend|denied|declin|fail|revers|cancel|reject|hold|held|unclaimed|vorgemerkt|"
                            r"bearbeitung|pendiente|sospeso|attente|in afwachting|refused|expired|ausstehend|"
                            r"rechazad|abgelehnt|storniert|in sospeso|en attente", re.I)
SKIPPED_TYPE = re.compile(r"conversion|conversi[oó]n|conversione|umrechnung|withdraw|transfer to bank|"
                          r"authori[sz]ation|hold|payout|bank deposit to pp|general currency", re.I)
"""Payment-provider lines that are not customers' payments (currency conversions, holds, payouts)."""


CHUNK_ROWS = 20_000
"""Rows validated at a time: a 600,000-line export never sits in memory as one table of cells."""


def read_tabular(path: Path, options: ParseOptions = ParseOptions(),
                 profile: dict[str, str] | None = None,
                 progress: Callable[[int, int], None] | None = None, policy: ReadPolicy = STRICT) -> BankLines:
    """Receipts of a CSV or spreadsheet export; ``progress(rows done, rows in all)`` after each chunk.

    A row with fewer fields than the header (a missing trailing field) is named and refuses the
    file; with ``policy.accept_short_rows`` it is left out, named in a note, and the rest imported."""
    suffix = path.suffix.lower()
    spreadsheet = suffix in (".xlsx", ".xlsm", ".xls", ".ods")
    notes: list[str] = []
    rows = _spreadsheet_grid(path) if spreadsheet else _csv_rows(path, notes)
    top = list(itertools.islice(iter(rows), HEADER_SEARCH_ROWS))
    header = _raw_table(path.name, top, profile or {})
    mapped = {c.name for c in map(BANK_EXPORT.match_header, header.headers) if c is not None}
    missing = [need for need, options in (("an amount or credit column", {"amount", "credit"}),
                                          ("a date column", {"value_date", "booking_date"})) if not mapped & options]
    if missing:
        found = ", ".join(repr(str(h)[:40]) for h in header.headers if not is_blank(h)) or "none"
        raise fail(path.name, f"cannot map the columns: no {' and no '.join(m.split(' ', 1)[1] for m in missing)} "
                              f"(found {found}); name them in a bank profile, e.g. Config bank_columns = "
                              "value_date=F. valor; amount=Importe")
    header, extras = _resolve_duplicates(header, notes)
    marks = _marks(profile or {})
    options = _settled_date_order(path.name, rows, header, options, notes)
    frames, problems, debits, skip = [], [], 0, header.header_row  # rows before the data: header and above
    skipped: dict[str, int] = {}
    seen: dict[str, str] = {}
    data_rows = itertools.islice(iter(rows), skip, None)
    offset = header.header_row
    total = (rows.text.count("\n") if isinstance(rows, _CsvRows) else len(rows)) - skip
    width = max((j + 1 for j, h in enumerate(header.headers) if not is_blank(h)), default=0)
    short: list[str] = []
    while True:
        chunk = list(itertools.islice(data_rows, CHUNK_ROWS))
        if not chunk:
            break
        if isinstance(rows, _CsvRows):
            problems += _short_rows(path.name, chunk, offset, width, header, policy, short)
        raw = RawTable(path.name, header.headers, chunk, header_row=offset)
        offset += len(chunk)
        if options.decimal_separator == "auto":  # settled by the first chunk whose amounts decide it
            options = _settled_decimal_separator(raw, options)
        if progress:
            progress(min(offset - header.header_row, max(total, 0)), max(total, 0))
        lines, found = parse_table(BANK_EXPORT, raw, options)
        problems += errors_in(found)
        if len(problems) >= 200:
            break
        if not errors_in(found):
            _join_extra_text(lines, chunk, raw.header_row, extras)
            receipts, chunk_debits, wrong = _receipts(lines, marks, skipped, raw, header, seen)
            problems += wrong
            frames.append(receipts)
            debits += chunk_debits
    if problems:
        raise ValidationError(problems)
    if short:
        notes.append(f"{path.name}: {len(short):,} row(s) with missing fields not imported (--accept-short-rows): "
                     + "; ".join(short[:10]) + ("; …" if len(short) > 10 else ""))
    if skipped:
        notes.append(f"{path.name}: not imported (not customers' payments): "
                     + ", ".join(f"{n:,} {why}" for why, n in sorted(skipped.items())))
    payments = frame(pd.concat(frames, ignore_index=True) if frames else [])
    payments = with_unique_ids(payments)
    return BankLines(payments, debits, "XLSX" if spreadsheet else "CSV", notes)


def _short_rows(name: str, chunk: list[list[Any]], offset: int, width: int, header: RawTable, policy: ReadPolicy,
                short: list[str]) -> list[Problem]:
    """Problems for the rows of ``chunk`` with fewer fields than the header (blank rows excepted);
    with ``policy.accept_short_rows`` they are blanked instead (left out) and listed in ``short``."""
    problems = []
    for i, row in enumerate(chunk):
        if len(row) >= width or all(is_blank(v) for v in row):
            continue
        line = offset + i + 1
        missing = ", ".join(repr(str(h)) for h in header.headers[len(row):width] if not is_blank(h))
        what = f"line {line} has {len(row)} field(s), the header has {width} (missing: {missing})"
        if policy.accept_short_rows:
            short.append(what)
            chunk[i] = []
        elif len(problems) < 20:
            problems.append(Problem(name, f"{what}; the file is refused: --accept-short-rows imports the other "
                                          "rows and leaves this one out"))
    return problems


def _receipts(lines: pd.DataFrame, marks: tuple[frozenset, frozenset], skipped: dict[str, int], raw: RawTable,
              header: RawTable, seen: dict[str, str]) -> tuple[pd.DataFrame, int, list[Problem]]:
    """(receipts in canonical payments columns, debit lines, problems) of one validated chunk.

    The amount is signed by its own sign, by separate credit/debit columns, or by an indicator
    column (H/S, C/D, CR/DR, Bij/Af …); lines a payment provider marks pending or failed, and its
    currency conversions, holds and payouts, are counted in ``skipped`` and left out."""
    problems: list[Problem] = []
    date = lines["value_date"].fillna(lines["booking_date"])
    amount = lines["amount"].fillna(0).to_numpy()
    if (lines["indicator"] != "").any():  # most exports sign the amount itself: no column to look at
        indicator = lines["indicator"].str.strip().str.lower()
        credit_marks, debit_marks = marks
        unknown = (indicator != "") & ~indicator.isin(credit_marks | debit_marks)
        column = _column_of(header, "indicator")
        for row, mark in zip(lines.loc[unknown, SOURCE_ROW], lines.loc[unknown, "indicator"]):
            problems.append(Problem(raw.sheet, f"indicator {mark!r} is neither a credit mark (H, C, CR, Bij, +, …) nor "
                                    "a debit mark (S, D, DR, Af, -, …); name them in the bank profile "
                                    "(credit_marks=…; debit_marks=…)", int(row), column))
        amount = np.where(indicator.isin(debit_marks).to_numpy(), -np.abs(amount),
                          np.where(indicator.isin(credit_marks).to_numpy(), np.abs(amount), amount))
    credit = np.where(lines["credit"].notna(), lines["credit"].fillna(0), amount)
    debit_col = lines["debit"].fillna(0).abs().to_numpy()
    is_credit = (credit > 0) & ~(debit_col > 0)
    status = lines["status"].fillna("")
    kind = lines["booking_text"].fillna("")
    bad_status, bad_kind = _matching(status, SKIPPED_STATUS), _matching(kind, SKIPPED_TYPE)
    for what, values, mask in (("status", status, bad_status), ("type", kind, bad_kind & ~bad_status)):
        for value in values[mask & is_credit]:
            skipped[f"{what} {value.strip().lower()!r}"] = skipped.get(f"{what} {value.strip().lower()!r}", 0) + 1
    keep = is_credit & ~bad_status & ~bad_kind
    sel = lines.loc[keep]
    remittance = sel["remittance"].where(sel["remittance"] != "", sel["booking_text"])
    fee = sel["fee"].abs()
    charged = fee.notna() & (fee != 0)
    if charged.any():  # most exports have no fee column: no text to build
        remittance = remittance.where(~charged, remittance + " (fee " + fee.map("{:.2f}".format) + ")")
    out = pd.DataFrame({"payment_id": sel["reference"].map(meaningful_reference).to_numpy(),
                        "payment_date": date[keep].to_numpy(),
                        "amount": credit[keep], "currency": _shared(sel["currency"], seen),
                        "payer_name": _shared(sel["payer_name"], seen),
                        "payer_account": _shared(sel["payer_account"], seen),
                        "remittance": remittance.str.strip().to_numpy(), "customer_id": ""})
    missing = np.flatnonzero((out["payment_id"] == "").to_numpy())
    if len(missing):  # one pass over plain values: a row lookup (iloc) each cost 100 µs, 8x the whole read
        ids = out["payment_id"].to_numpy(dtype=object).copy()
        rows = out.iloc[missing]
        for i, day, amount, name, account, text in zip(
                missing, rows["payment_date"], rows["amount"].tolist(), rows["payer_name"].tolist(),
                rows["payer_account"].tolist(), rows["remittance"].tolist()):
            ids[i] = stable_id("BANK", day, amount, name, account, text)
        out["payment_id"] = ids
    return out, int((~is_credit).sum()), problems


def _matching(values: pd.Series, pattern: re.Pattern) -> np.ndarray:
    """Mask of the non-empty values that contain ``pattern`` (empty columns cost nothing)."""
    out = (values != "").to_numpy(dtype=bool, copy=True)
    if out.any():
        out[out] = values[out].str.contains(pattern).to_numpy(dtype=bool)
    return out


def _column_of(header: RawTable, name: str) -> int | None:
    for j, h in enumerate(header.headers):
        c = BANK_EXPORT.match_header(h) if not is_blank(h) else None
        if c is not None and c.name == name:
            return header.first_column + j
    return None


EXTRA = "\x00extra text "
IGNORED = "\x00ignored "


def _resolve_duplicates(header: RawTable, notes: list[str]) -> tuple[RawTable, list[int]]:
    """Headers made unambiguous for a bank export: several text columns (Verwendungszweck and a
    second one, PayPal's Subject/Note/Invoice Number …) are joined into the remittance; of several
    currency columns (ING: one beside the balance, one beside the amount) the one after the amount
    is used; a repeated name, status, type or reference column is used once (the first)."""
    headers = list(header.headers)
    seen: dict[str, int] = {}
    extras: list[int] = []
    columns = [BANK_EXPORT.match_header(h) if not is_blank(h) else None for h in headers]
    amount_at = next((j for j, c in enumerate(columns) if c is not None and c.name in ("amount", "credit")), None)
    currencies = [j for j, c in enumerate(columns) if c is not None and c.name == "currency"]
    if len(currencies) > 1:
        keep = next((j for j in currencies if amount_at is not None and j > amount_at), currencies[0])
        for j in currencies:
            if j != keep:
                headers[j] = f"{IGNORED}{headers[j]}"
        seen["currency"] = keep
    for j, column in enumerate(columns):
        if column is None or str(headers[j]).startswith(IGNORED):
            continue
        if column.name in seen and seen[column.name] != j:
            if column.name == "remittance":
                extras.append(j)
                headers[j] = f"{EXTRA}{headers[j]}"
            elif column.kind == "text":
                notes.append(f"column {headers[j]!r} also means {column.name}; the first such column is used")
                headers[j] = f"{IGNORED}{headers[j]}"
        else:
            seen.setdefault(column.name, j)
    return RawTable(header.sheet, headers, header.rows, header.header_row, header.first_column, header.merged), extras


def _join_extra_text(lines: pd.DataFrame, chunk: list[list[Any]], header_row: int, extras: list[int]) -> None:
    """Append the extra text columns (see :func:`_resolve_duplicates`) to each line's remittance."""
    if not extras or lines.empty:
        return
    index = (lines[SOURCE_ROW].to_numpy() - header_row - 1).tolist()
    for j in extras:
        values = [parse_text(chunk[i][j]) if j < len(chunk[i]) else "" for i in index]
        lines["remittance"] = [f"{a} {b}".strip() if b and b not in a else a
                               for a, b in zip(lines["remittance"].tolist(), values)]


def _marks(profile: dict[str, str]) -> tuple[frozenset, frozenset]:
    """Credit and debit marks of an indicator column: the defaults, plus those the profile names."""
    def listed(key: str) -> set[str]:
        return {m.strip().lower() for m in profile.get(key, "").split(",") if m.strip()}
    credit, debit = listed("credit_marks"), listed("debit_marks")
    return frozenset((CREDIT_MARKS - debit) | credit), frozenset((DEBIT_MARKS - credit) | debit)


def _shared(values: pd.Series, seen: dict[str, str]) -> list[str]:
    """Equal strings as one object, ``seen`` holding the first of each (payer names, currencies and
    accounts repeat across thousands of lines; the CSV reader makes a new object for each)."""
    return [seen.setdefault(x, x) for x in values.tolist()]


def _settled_decimal_separator(raw: RawTable, options: ParseOptions) -> ParseOptions:
    """The decimal separator this chunk's text amounts show, fixed for the rest of the file (one
    export, one convention); the options unchanged while no amount decides it."""
    positions = [j for j, h in enumerate(raw.headers)
                 if (c := BANK_EXPORT.match_header(h)) is not None and c.kind == "amount"]
    found = infer_decimal_separator([row[j] for row in raw.rows for j in positions if j < len(row)])
    return replace(options, decimal_separator=found) if found else options


def _settled_date_order(name: str, rows, header: RawTable, options: ParseOptions, notes: list[str]) -> ParseOptions:
    """With ``date_order = auto``, one order for the whole file, decided by all its date cells (a
    file whose first weeks hold only days 1–12 is still read right); refused when they contradict."""
    if options.date_order != "auto":
        return options
    positions = [j for j, h in enumerate(header.headers)
                 if (c := BANK_EXPORT.match_header(h)) is not None and c.kind == "date"]
    values: set = set()
    width = max(positions, default=-1) + 1
    for row in itertools.islice(iter(rows), header.header_row, None):
        if len(row) >= width:
            values.update([row[j] for j in positions])
        else:
            values.update(row[j] for j in positions if j < len(row))
    order, hint, only_warning = infer_date_order(list(values), "auto")
    if hint and not only_warning:
        raise fail(name, f"dates: {hint}")
    if hint:
        notes.append(f"{name}: {hint}")
    return replace(options, date_order=order)


PROFILE_KEYS = (*BANK_EXPORT.column_names, "credit_marks", "debit_marks")


def parse_profile(text: str) -> dict[str, str]:
    """A bank layout declared in Config ``bank_columns``, without code:
    ``"value_date=F. valor; amount=Importe; remittance=Concepto+Observaciones; indicator=D/H;
    credit_marks=H; debit_marks=D"`` → {"value_date": "F. valor", …}. Each key is a column of
    :data:`BANK_EXPORT` (several headers joined with ``+``) or ``credit_marks``/``debit_marks``
    (the indicator's values, comma-separated). An unknown key is a ValueError naming the known ones."""
    out = {}
    for part in str(text or "").split(";"):
        if "=" in part:
            key, _, header = part.partition("=")
            key = key.strip()
            if key not in PROFILE_KEYS:
                raise ValueError(f"bank_columns: unknown column {key!r} (known: {', '.join(PROFILE_KEYS)})")
            out[key] = header.strip()
    return out


def _lines(text: str, block: int = 1 << 20):
    """The lines of ``text`` with their endings, split a block of about a megabyte at a time
    (``io.StringIO`` would hold a 4-byte-per-character copy of the whole file; one ``find`` per
    line costs a Python step per line). A CSV line ends only at ``\n``: a block where
    ``str.splitlines`` also broke elsewhere (a lone ``\r``, a form feed …) is split at ``\n`` alone."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + block)
        end = size if end < 0 else end + 1
        piece = text[start:end]
        lines = piece.splitlines(keepends=True)
        if len(lines) != piece.count("\n") + (not piece.endswith("\n")):
            lines = [line + "\n" for line in piece.split("\n")]
            lines[-1] = lines[-1][:-1]
            if not lines[-1]:
                lines.pop()
        yield from lines
        start = end


class _CsvRows:
    """The rows of a decoded delimited text, read afresh each time it is iterated (no list of cells
    is kept); a malformed line is refused with its number."""

    def __init__(self, name: str, text: str, dialect):
        self.name, self.text, self.dialect = name, text, dialect

    def __iter__(self):
        reader = csv.reader(_lines(self.text), self.dialect)
        try:
            yield from reader
        except csv.Error as exc:
            raise fail(self.name, f"line {reader.line_num}: cannot be read as CSV ({exc}); is it really a bank "
                                  "export?") from None


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def read_grid(path: Path, notes: list[str] | None = None) -> list[list[Any]]:
    """Every row of a CSV (encoding and delimiter detected) or of a spreadsheet's first sheet."""
    return _spreadsheet_grid(path) if path.suffix.lower() in SPREADSHEETS else _csv_grid(path, notes)


def _csv_grid(path: Path, notes: list[str] | None = None) -> list[list[Any]]:
    """All rows of a delimited text file as lists (see :func:`_csv_rows`)."""
    return list(_csv_rows(path, notes))


def _csv_rows(path: Path, notes: list[str] | None = None) -> _CsvRows:
    """The rows of a delimited text file: encoding detected (BOM, UTF-8, else charset-normalizer),
    delimiter sniffed among ``; , TAB |``. Binary or malformed content is refused with the line."""
    text, encoding = decode_text(path.read_bytes(), path.name)
    if encoding not in ("utf-8", "ascii") and notes is not None:
        notes.append(f"{path.name}: read as {encoding}")
    if "\x00" in text:
        raise fail(path.name, f"contains NUL characters after decoding as {encoding}: not a CSV export")
    sample = "".join(itertools.islice(_lines(text[:65536]), 30))

    class Dialect(csv.excel):
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        Dialect.delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        pass
    return _CsvRows(path.name, text, Dialect)


def _spreadsheet_grid(path: Path) -> list[list[Any]]:
    """The first sheet's cells; in .xlsx/.xlsm, formulas saved without their result are marked
    (calamine reads them as empty: an amount would silently vanish) and refused by the contract."""
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
        grid = [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as z:
                part = next(iter(sheet_parts(z).values()), None)
                marks = scan_sheet(z, part).uncalculated if part in z.NameToInfo else set()
            for r, c in marks:
                if r <= len(grid):
                    grid[r - 1] += [None] * (c - len(grid[r - 1]))
                    grid[r - 1][c - 1] = UNCALCULATED
        return grid
    except (pc.CalamineError, OSError, ValueError, zipfile.BadZipFile, KeyError, SyntaxError) as exc:
        raise fail(path.name, f"cannot be read as a spreadsheet ({str(exc)[:120] or type(exc).__name__})") from None


def _raw_table(name: str, grid: list[list[Any]], profile: dict[str, str]) -> RawTable:
    """The table below the header row; headers named in ``profile`` are renamed to their columns first."""
    wanted = {header_key(part): canonical for canonical, h in profile.items()
              if canonical not in ("credit_marks", "debit_marks") for part in h.split("+")}
    top = [[wanted.get(header_key(h), h) for h in row] for row in grid[:HEADER_SEARCH_ROWS]]
    best = header_row_index(top, BANK_EXPORT)
    if best is None:
        raise fail(name, "the file is empty")
    return RawTable(name, top[best], [list(r) for r in grid[best + 1:]], header_row=best + 1)

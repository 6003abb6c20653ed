"""Remittance advices: the customer's list of what a payment pays, read as data.

Every format gives the same rows (the ``ADVICE`` contract): payment reference, invoice as the
customer wrote it, amount paid, amount deducted, reason. :func:`advice_rows` joins them to the bank
lines (by payment id, by a reference written in the remittance, else by an amount only one bank
line has) and gives the rows of the workbook's ``Advices`` table, which cash application reads
line by line (:mod:`otc_xl.matching.advices`). Formats, recognised by their content:

* **CSV / XLSX** advices and **lockbox** exports (batch, item, cheque number, invoice, amount paid):
  any layout the ``ADVICE`` headers (five languages) describe;
* **EDI 820** (X12, with its ISA envelope; tokenised by the ``ansi-x12`` library): per ``TRN`` trace
  number, the ``RMR`` lines and their ``ADX`` adjustments;
* **NACHA ACH** files with **CTX** entries: the addenda records (``7``) of each entry joined into the
  EDI 820 segments they carry; the entry's trace number is the payment reference;
* **e-mails** (``.eml``) with a **PDF** advice attached (text extracted with pypdf) or the advice in the
  body: the lines with an invoice number and amounts; the reference after "payment reference",
  "Zahlungsreferenz", "referencia", "riferimento" or "référence".
"""

from __future__ import annotations

import email
import email.policy
import io
import re
from pathlib import Path
from typing import Any, cast

import pandas as pd

from ....matching.advices import ADVICE_COLUMNS, edi_lines
from ....model.contracts import Column, TableContract
from ....model.problems import Problem, ValidationError, errors_in
from ....model.tables import ParseOptions, parse_table
from .tabular import _raw_table
from .tabular_grid import read_grid

ADVICE = TableContract(
    name="remittance advice",
    doc="Invoices and amounts one payment pays.",
    sheet_names=("Advice",),
    columns=(
        Column("payment_reference", "text", "Payment reference, bank line id, cheque or trace number.", True,
               ("payment", "payment reference", "payment id", "referencia pago", "riferimento pagamento",
                "référence paiement", "zahlungsreferenz", "end to end id", "check number", "check no", "cheque number",
                "cheque no", "trace number", "numero cheque", "numero assegno", "schecknummer")),
        Column("invoice_id", "text", "Your invoice number as the customer wrote it.", True,
               ("invoice", "invoice number", "invoice no", "factura", "nº factura", "fattura", "numero fattura",
                "facture", "n° facture", "rechnung", "rechnungsnummer", "document", "stub invoice")),
        Column("amount", "amount", "Amount paid for it.",
               synonyms=("paid", "amount paid", "invoice amount paid", "importe", "importe pagado", "importo",
                         "importo pagato", "montant", "montant payé", "betrag", "zahlbetrag")),
        Column("deduction", "amount", "Amount deducted.",
               synonyms=("discount", "deducción", "descuento", "sconto", "deduzione", "remise", "escompte",
                         "abzug", "skonto", "adjustment")),
        Column("reason", "text", "Why deducted.",
               synonyms=("motivo", "causa", "motif", "grund", "reason code", "adjustment reason")),
    ),
)
_REFERENCE = re.compile(r"(?i)(?:payment\s+reference|zahlungsreferenz|referencia(?:\s+de\s+pago)?|riferimento"
                        r"(?:\s+pagamento)?|r[ée]f[ée]rence(?:\s+de\s+paiement)?|end.to.end.id)\s*[:#]?\s*"
                        r"([A-Za-z0-9][A-Za-z0-9/\-]{3,34})")
_AMOUNT = re.compile(r"(?<![\w.,])-?(?:\d{1,3}(?:[.' ]\d{3})+,\d{2}|\d{1,3}(?:[,' ]\d{3})+\.\d{2}|\d+[.,]\d{2})"
                     r"(?![\w])")
_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")
_DOCUMENT = re.compile(r"(?<![\w])([A-Za-z]{0,5}[ -]?[0-9][0-9A-Za-z/\-]{3,20})(?![\w])")
_REASON_WORDS = re.compile(r"(?i)\b(skonto|sconto|descuento|escompte|discount|fracht|freight|porto|damaged|"
                           r"besch(?:[äa]|ae)digt|price|preis|precio|prezzo|quantity|menge|return|retoure|promo\w*|bonus|"
                           r"penalty|vertragsstrafe)\b")


def read_advice(path: Path, options: ParseOptions = ParseOptions()) -> pd.DataFrame:
    """The rows of one advice file (``ADVICE`` columns; ``attrs["source"]`` names the format)."""
    path = Path(path)
    data = path.read_bytes()
    head = data[:200].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"ISA"):
        frame, source = _edi_820(path, data), "EDI 820"
    elif head.startswith(b"101") and len(data.splitlines()[0].rstrip(b"\r")) == 94:
        frame, source = _nacha(path, data), "ACH CTX"
    elif path.suffix.lower() == ".eml":
        frame, source = _email(path, data), "e-mail advice"
    else:
        grid = read_grid(path)
        frame, problems = parse_table(ADVICE, _raw_table(path.name, grid, {}), options)
        if errors_in(problems):
            raise ValidationError(problems)
        source = "advice table"
    frame.attrs["source"] = source
    return frame


def _rows(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["payment_reference", "invoice_id", "amount", "deduction", "reason"])


def _lines_rows(reference: str, text: str) -> list[dict]:
    return [{"payment_reference": reference, "invoice_id": line.reference,
             "amount": None if line.paid is None else line.paid / 100, "deduction": line.deduction / 100,
             "reason": line.reason} for line in edi_lines(text)]


def _edi_820(path: Path, data: bytes) -> pd.DataFrame:
    """Per TRN trace number, its RMR lines and ADX adjustments."""
    from x12 import X12Error, tokenize_x12

    try:
        document = tokenize_x12(data)
    except X12Error as exc:
        raise ValidationError([Problem(path.name, f"not a readable EDI 820 file: {exc}")]) from None
    rows: list[dict] = []
    segments: list[str]
    reference, segments = "", []

    def flush() -> None:
        if segments:
            rows.extend(_lines_rows(reference, "~".join(segments)))
    for segment in document.segments:
        values = [e.decode("latin-1") for e in segment.elements]
        if segment.tag == "TRN":
            flush()
            reference, segments = (values[1] if len(values) > 1 else ""), []
        elif segment.tag in ("RMR", "ADX"):
            segments.append("*".join([segment.tag, *values]))
    flush()
    if not rows:
        raise ValidationError([Problem(path.name, "the EDI file has no RMR (remittance) segment")])
    return _rows(rows)


def _nacha(path: Path, data: bytes) -> pd.DataFrame:
    """CTX entries of a NACHA file: the addenda's payment-related information (positions 4-83 of each 7
    record) joined, read as EDI 820 segments; the entry's trace number (positions 80-94) is the reference.
    Read by hand: the fixed-width layout is four fields, and the NACHA libraries on PyPI are unmaintained."""
    rows: list[dict] = []
    addenda: list[str]
    trace, addenda = "", []

    def flush() -> None:
        if addenda:
            text = "".join(addenda)
            found = _lines_rows(trace, text)
            if not found:
                raise ValidationError([Problem(path.name, f"entry {trace}: its addenda carry no RMR segment")])
            rows.extend(found)
    for number, raw in enumerate(data.decode("ascii", errors="replace").splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.strip("9") == "":
            continue
        if len(line) != 94:
            raise ValidationError([Problem(path.name, f"record is {len(line)} characters, not 94", number)])
        if line[0] == "6":
            flush()
            trace, addenda = line[79:94].strip(), []
        elif line[0] == "7" and line[1:3] == "05":
            addenda.append(line[3:83].rstrip())
    flush()
    if not rows:
        raise ValidationError([Problem(path.name, "the ACH file has no CTX addenda with remittance (RMR) segments")])
    return _rows(rows)


def _email(path: Path, data: bytes) -> pd.DataFrame:
    """The advice in an e-mail: the text of its PDF attachments (pypdf), else its text body."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    message = email.message_from_bytes(data, policy=email.policy.default)
    texts = []
    for part in message.walk():
        if part.get_content_type() == "application/pdf" or str(part.get_filename() or "").lower().endswith(".pdf"):
            try:
                reader = PdfReader(io.BytesIO(cast(bytes, part.get_payload(decode=True)) or b""))
                texts.append("\n".join(page.extract_text() or "" for page in reader.pages))
            except (PdfReadError, ValueError, OSError) as exc:
                raise ValidationError([Problem(path.name, f"attachment {part.get_filename()!r} is not a readable "
                                                          f"PDF: {exc}")]) from None
    if not texts:
        body = message.get_body(preferencelist=("plain",))
        texts.append(body.get_content() if body is not None else "")
    text = "\n".join(texts)
    subject = str(message.get("subject", ""))
    found = _REFERENCE.search(text) or _REFERENCE.search(subject)
    reference = found.group(1) if found else ""
    rows = [dict(row, payment_reference=reference) for row in advice_text_lines(text)]
    if not rows:
        raise ValidationError([Problem(path.name, "no advice line (an invoice number with amounts) found in the "
                                                  "e-mail or its PDF attachment")])
    return _rows(rows)


def advice_text_lines(text: str) -> list[dict]:
    """The lines of an advice's text that name a document and amounts: ``RG 90417702 01.11.2026 1.000,00 20,00
    980,00 Skonto`` → invoice RG 90417702, paid 980.00, deduction 20.00 (gross, deduction, paid; or gross,
    paid; or paid alone). Totals and lines without a document number are skipped."""
    out = []
    for line in text.splitlines():
        if re.search(r"(?i)\b(total|summe|totale|importe total|gesamt)\b", line):
            continue
        clean = _DATE.sub(" ", line)
        amounts = [m.group(0) for m in _AMOUNT.finditer(clean)]
        if not amounts:
            continue
        rest = _AMOUNT.sub(" ", clean)
        document = next((m.group(1).strip() for m in _DOCUMENT.finditer(rest)
                         if sum(c.isdigit() for c in m.group(1)) >= 4), None)
        if document is None:
            continue
        values = [_amount(a) for a in amounts]
        if len(values) >= 3:
            gross, deduction, paid = values[-3], abs(values[-2]), values[-1]
            if round(gross - deduction, 2) != round(paid, 2):
                gross, deduction, paid = values[-3], round(values[-3] - values[-1], 2), values[-1]
        elif len(values) == 2:
            deduction, paid = round(values[0] - values[1], 2), values[1]
        else:
            deduction, paid = 0.0, values[0]
        reason = " ".join(m.group(1) for m in _REASON_WORDS.finditer(rest))
        out.append({"invoice_id": document, "amount": paid, "deduction": max(deduction, 0.0), "reason": reason})
    return out


def _amount(text: str) -> float:
    sign = -1 if text.startswith("-") else 1
    digits = re.sub(r"[^0-9]", "", text)
    return sign * int(digits) / 100


def advice_rows(payments: pd.DataFrame, advice: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The ``Advices`` rows of one advice file: each reference joined to one bank line of ``payments`` (its
    payment id; else a bank line whose remittance contains it; else, when the advice has no reference, the
    one bank line whose amount is the advice's total). A reference no bank line matches is a problem."""
    rows, problems = [], []
    ids = payments["payment_id"].astype(str)
    texts = payments["remittance"].fillna("").astype(str).str.upper()
    amounts = (payments["amount"] * 100).round().astype("int64") if len(payments) else pd.Series(dtype="int64")
    source = f"{file} ({advice.attrs.get('source', 'advice')})"
    for reference, lines in advice.groupby("payment_reference", sort=False):
        reference = str(reference or "").strip()
        hit = ids == reference if reference else pd.Series(False, index=payments.index)
        if reference and not hit.any() and len(reference) >= 4:
            hit = texts.str.contains(reference.upper(), regex=False)
        if not hit.any() and not reference:
            total = int(round((lines["amount"].fillna(0) * 100).sum()))
            hit = amounts == total
        matched = ids[hit].unique()
        if len(matched) != 1:
            what = "no bank line" if not len(matched) else f"{len(matched)} bank lines ({', '.join(matched[:3])})"
            problems.append(Problem(file, f"advice for payment reference {reference or '(none)'!r} "
                                          f"({len(lines)} line(s)): {what} of this import or of the workbook's "
                                          "Payments match it; not imported"))
            continue
        line: Any
        for line in lines.itertuples():
            rows.append({"payment_id": matched[0], "invoice_id": str(line.invoice_id),
                         "paid_amount": line.amount, "deduction_amount": line.deduction if pd.notna(line.deduction)
                         else None, "reason": str(line.reason or ""), "source": source})
    return one_line_per_invoice(pd.DataFrame(rows, columns=ADVICE_COLUMNS)), problems


def one_line_per_invoice(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (ADVICE_COLUMNS) with the lines of one payment that name the same invoice summed, to the cent
    (paid, deduction), their reasons kept: the Advices table holds one line per payment and invoice, so a second
    line would be dropped on import and its money taken for a deduction the customer never claimed."""
    if rows.empty or not rows.duplicated(["payment_id", "invoice_id"]).any():
        return rows
    out = []
    for (payment, invoice), lines in rows.groupby(["payment_id", "invoice_id"], sort=False):
        paid = sum(int(round(v * 100)) for v in lines["paid_amount"].fillna(0))
        given = lines["deduction_amount"].dropna()
        reasons = list(dict.fromkeys(r for r in lines["reason"].astype(str) if r))
        out.append({"payment_id": payment, "invoice_id": invoice, "paid_amount": paid / 100,
                    "deduction_amount": sum(int(round(v * 100)) for v in given) / 100 if len(given) else None,
                    "reason": "; ".join(reasons), "source": lines["source"].iloc[0]})
    return pd.DataFrame(out, columns=ADVICE_COLUMNS)

"""SWIFT MT940 statements, read with the maintained ``mt-940`` package.

The ``:86:`` details are read here (the package folds the payer's IBAN into the name): German
banks' structured subfields ``?20``–``?29`` (purpose, with SEPA tags such as ``SVWZ+``), ``?31``
(payer IBAN) and ``?32``/``?33`` (payer name); other banks' free text is the remittance. Several
statements per file are read. Credits become payments; debits and reversals are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import mt940 as mt940_lib

from .common import BankLines, fail, frame, stable_id, unique_ids

_SUBFIELD = re.compile(r"\?(\d{2})")
_SEPA_TAG = re.compile(r"(?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")


def looks_like_mt940(head: bytes) -> bool:
    text = head.decode("latin-1")
    return ":20:" in text[:400] or text.lstrip().startswith(("{1:", ":20:"))


def read_mt940(path: Path) -> BankLines:
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8") if _is_utf8(raw) else raw.decode("latin-1")
    if ":61:" not in text:
        raise fail(path.name, "MT940 file without transaction lines (:61:); nothing to import")
    statements = mt940_lib.models.Transactions(processors={"post_transaction_details": []})
    try:
        statements.parse(text)
    except Exception as exc:  # the package raises plain exceptions on malformed tags
        raise fail(path.name, f"not a readable MT940 statement: {exc}") from None
    rows, debits = [], 0
    for n, tx in enumerate(statements.transactions):
        data = tx.data
        if data.get("status") != "C":  # D = debit, RC/RD = reversals
            debits += 1
            continue
        payer, account, remittance = parse_details(str(data.get("transaction_details") or ""))
        amount = data["amount"]
        value_date = data.get("date")
        bank_ref = str(data.get("bank_reference") or "")
        customer_ref = str(data.get("customer_reference") or "")
        reference = bank_ref or (customer_ref if customer_ref.upper() != "NONREF" else "")
        rows.append({"payment_date": f"{value_date.year:04d}-{value_date.month:02d}-{value_date.day:02d}",
                     "amount": float(abs(amount.amount)), "currency": str(amount.currency),
                     "payer_name": payer, "payer_account": account, "remittance": remittance, "customer_id": "",
                     "payment_id": reference or stable_id("MT940", data.get("transaction_reference"), n,
                                                          value_date, amount.amount, remittance)})
    payments = frame(rows)
    payments["payment_id"] = unique_ids(list(payments["payment_id"]))
    return BankLines(payments, debits, "MT940")


def parse_details(details: str) -> tuple[str, str, str]:
    """(payer name, payer IBAN, remittance) from a ``:86:`` field, structured or free."""
    flat = details.replace("\r", "").replace("\n", "")
    if "?" not in flat or not _SUBFIELD.search(flat):
        return "", "", " ".join(details.split())
    parts = _SUBFIELD.split(flat)
    fields: dict[int, list[str]] = {}
    for code, value in zip(parts[1::2], parts[2::2]):
        fields.setdefault(int(code), []).append(value)
    purpose = "".join(v for code in range(20, 30) for v in fields.get(code, []))
    purpose = _SEPA_TAG.sub(" ", purpose).replace("NOTPROVIDED", " ")
    name = "".join(fields.get(32, []) + fields.get(33, []))
    account = "".join(fields.get(31, [])).strip()
    return " ".join(name.split()), account, " ".join(purpose.split())


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False

"""SWIFT MT940 statements, read with the maintained ``mt-940`` package, one statement at a time.

The file is split into statements (each starts with ``:20:``); each is parsed by the package and
then checked here: it must carry its opening (``:60F:``/``:60M:``) and closing (``:62F:``/``:62M:``)
balances (a statement without its closing balance is a truncated file), and opening + credits −
debits must equal the closing balance to the cent. A statement that fails either is refused with
its figures, and nothing of the file is imported.

The ``:86:`` details are read here (the package folds the payer's IBAN into the name): German
banks' structured subfields ``?20``–``?29`` (purpose, with SEPA tags such as ``SVWZ+``), ``?31``
(payer IBAN) and ``?32``/``?33`` (payer name); other banks' free text is the remittance. Credits
become payments; debits and reversals are skipped. The package's own log output is silenced:
errors are reported once, with the statement and line.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from pathlib import Path

import mt940 as mt940_lib

from ...model.problems import Problem, ValidationError
from .common import BankLines, decode_text, fail, frame, stable_id, unique_ids

logging.getLogger("mt940").addHandler(logging.NullHandler())
logging.getLogger("mt940").propagate = False

_SUBFIELD = re.compile(r"\?(\d{2})")
_SEPA_TAG = re.compile(r"(?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_STATEMENT_START = re.compile(r"^:20:", re.M)
_TAG = re.compile(r"^:(\d{2}[A-Z]?):", re.M)


def looks_like_mt940(head: bytes) -> bool:
    for encoding in ("utf-16", "latin-1") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ("latin-1",):
        text = head.decode(encoding, errors="ignore")
        if ":20:" in text[:400] or text.lstrip().startswith(("{1:", ":20:")):
            return True
    return False


def read_mt940(path: Path) -> BankLines:
    text, encoding = decode_text(Path(path).read_bytes(), path.name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ":61:" not in text:
        raise fail(path.name, "MT940 file without transaction lines (:61:); nothing to import")
    starts = [m.start() for m in _STATEMENT_START.finditer(text)] or [0]
    rows, debits, problems, n = [], 0, [], 0
    for k, start in enumerate(starts):
        chunk = text[start:starts[k + 1] if k + 1 < len(starts) else len(text)]
        line = text.count("\n", 0, start) + 1
        try:
            statement = _parse(chunk, line)
            _check_balances(statement, chunk)
        except ValueError as exc:
            problems.append(Problem(path.name, f"statement {k + 1} (line {line}): {exc}"))
            continue
        for tx in statement.transactions:
            data = tx.data
            n += 1
            if data.get("status") != "C":  # D = debit, RC/RD = reversals
                debits += 1
                continue
            rows.append(_row(data, n))
    if problems:
        raise ValidationError(problems)
    payments = frame(rows)
    payments["payment_id"] = unique_ids(list(payments["payment_id"]))
    lines = BankLines(payments, debits, "MT940")
    if encoding not in ("utf-8", "ascii"):
        lines.notes.append(f"{path.name}: read as {encoding}")
    return lines


def _parse(chunk: str, first_line: int) -> mt940_lib.models.Transactions:
    statement = mt940_lib.models.Transactions(processors={"post_transaction_details": []})
    try:
        statement.parse(chunk)
    except Exception as exc:  # the package raises plain exceptions (with its objects) on malformed tags
        raise ValueError(_describe_failure(exc, chunk, first_line)) from None
    return statement


def _describe_failure(exc: Exception, chunk: str, first_line: int) -> str:
    """Which field and line the package could not read, without its objects or patterns."""
    args = getattr(exc, "args", ())
    value = next((a for a in reversed(args) if isinstance(a, str)), None) if len(args) > 1 else None
    tag = next((getattr(a, "id", None) for a in args if getattr(a, "id", None)), None)
    if value is not None:
        offset = chunk.find(f":{tag}:{value}") if tag else -1
        offset = offset if offset >= 0 else chunk.find(value)
        where = f"line {first_line + chunk.count(chr(10), 0, offset)}" if offset >= 0 else "a field"
        field = f":{tag}:" if tag else "a field"
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{field} at {where} ({shown!r}) does not follow the MT940 layout; is the file truncated or edited?"
    return "the statement does not follow the MT940 layout; is the file truncated or edited?"


def _signed(data: dict) -> Decimal:
    """The movement's effect on the balance: C and RD add, D and RC subtract."""
    amount = abs(Decimal(data["amount"].amount))
    return amount if data.get("status") in ("C", "RD") else -amount


def _check_balances(statement: mt940_lib.models.Transactions, chunk: str) -> None:
    tags = set(_TAG.findall(chunk))
    if not tags & {"60F", "60M"}:
        raise ValueError("no opening balance (:60F:); is the file truncated or edited?")
    if not tags & {"62F", "62M"}:
        raise ValueError("no closing balance (:62F:): the statement is incomplete (truncated file?)")
    data = statement.data
    opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
    closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
    if opening is None or closing is None or not hasattr(opening.amount, "amount"):
        raise ValueError("its opening or closing balance cannot be read")
    movements = sum((_signed(tx.data) for tx in statement.transactions), Decimal(0))
    expected = Decimal(opening.amount.amount) + movements
    if expected != Decimal(closing.amount.amount):
        raise ValueError(f"balances do not tie: opening {opening.amount.amount:,.2f} + movements {movements:,.2f} = "
                         f"{expected:,.2f}, but the closing balance (:62F:) says {closing.amount.amount:,.2f}; "
                         "a transaction is missing or the file was edited")


def _row(data: dict, n: int) -> dict:
    payer, account, remittance = parse_details(str(data.get("transaction_details") or ""))
    amount = data["amount"]
    value_date = data.get("date")
    bank_ref = str(data.get("bank_reference") or "")
    customer_ref = str(data.get("customer_reference") or "")
    reference = bank_ref or (customer_ref if customer_ref.upper() != "NONREF" else "")
    return {"payment_date": f"{value_date.year:04d}-{value_date.month:02d}-{value_date.day:02d}",
            "amount": float(abs(amount.amount)), "currency": str(amount.currency),
            "payer_name": payer, "payer_account": account, "remittance": remittance, "customer_id": "",
            "payment_id": reference or stable_id("MT940", data.get("transaction_reference"), n,
                                                 value_date, amount.amount, remittance)}


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

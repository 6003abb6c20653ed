"""SWIFT MT940 statements, read with the maintained ``mt-940`` package, one statement at a time.

The file is split into statements (each starts with ``:20:``); each is parsed by the package and
then checked here: it must carry its opening (``:60F:``/``:60M:``) and closing (``:62F:``/``:62M:``)
balances (a statement without its closing balance is a truncated file), and opening + credits −
debits must equal the closing balance to the cent. A statement that fails either is refused with
its figures, and nothing of the file is imported.

The ``:86:`` details are read here (the package folds the payer's IBAN into the name): German
banks' structured subfields ``?20``–``?29`` (purpose, with SEPA tags such as ``SVWZ+``), ``?31``
(payer IBAN) and ``?32``/``?33`` (payer name); other banks' free text is the remittance. The
instructed amount, charges and ultimate debtor (``/OCMT/``, ``/CHGS/``, ``/ULTD/``; ``OAMT+``,
``COAM+``, ``ABWA+``) go to their Payments columns (:mod:`.instructed`). Credits
become payments; debits and reversals are skipped. The package's own log output is silenced:
errors are reported once, with the statement and line.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import mt940 as mt940_lib

from ....model.problems import Problem, ValidationError
from .common import (
    STRICT,
    UNBALANCED_HINT,
    BankLines,
    ReadPolicy,
    Unbalanced,
    bank_lines,
    decode_text,
    fail,
    meaningful_reference,
    read_as,
    stable_id,
    unbalanced_note,
)
from .conversion import from_text
from .instructed import mt940_evidence

logging.getLogger("mt940").addHandler(logging.NullHandler())
logging.getLogger("mt940").propagate = False

_SUBFIELD = re.compile(r"\?(\d{2})")
_SEPA_TAG = re.compile(r"(?:EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_AMOUNT_TAG = re.compile(r"(?:OAMT|COAM)\+\s*(?:[A-Z]{3})?\s*[0-9]+(?:[,.][0-9]{1,2})?")
"""The amounts of a German purpose (original amount, compensation amount): evidence columns, not words of
the remittance (``INV-1002OAMT+GBP1000,00`` must leave ``INV-1002`` whole)."""
_STATEMENT_START = re.compile(r"^:20:", re.M)
_TAG = re.compile(r"^:(\d{2}[A-Z]?):", re.M)
_END_MARK = re.compile(r"\s*(?:^|\n)-\s*$")
"""The ``-`` that ends a statement, on its own line at the end of the last field."""
_BALANCE = re.compile(r"^[CD]\d{6}[A-Z]{3}\d[\d,]*$")
_BALANCE_NO_CURRENCY = re.compile(r"^([CD]\d{6})(\d[\d,.]*)$")
"""A balance whose bank left out the currency (``:62M:C020315105000,00``): the package would read
the first three digits of the amount as the currency."""
_BALANCE_CURRENCY = re.compile(r"^[CD]\d{6}([A-Z]{3})")
_DOT_AMOUNT_61 = re.compile(r"^(\d{6}(?:\d{4}|\s{4})?R?[CD][A-Z]?[\n ]?)(\d+)\.(\d{1,2})(?!\d)")
_DOT_AMOUNT_BALANCE = re.compile(r"^([CD]\d{6}[A-Z]{3})(\d+)\.(\d{1,2})$")
"""An amount written with a decimal point in a comma-decimal format (``482.41``): the package
would stop at the point and read 482."""
_IBAN_REFERENCE_61 = re.compile(r"^:61:\d{6}(?:\d{4})?R?[CD][A-Z]?[\d,]+[A-Z][A-Z0-9 ]{3}"
                                r"[A-Z]{2}\d{2}[A-Z0-9]{13,30}[ \t]*$", re.M)
"""ASN Bank's ``:61:``: the counterparty's IBAN (up to 34 characters) as the customer reference, its
name on the next line; the SWIFT layout allows 16."""
_OPENING = re.compile(r"^:60[FM]:", re.M)
_STATEMENT_NO = re.compile(r"^\d{1,5}(?:/\d{1,5})?$")
OPTIONAL_BALANCES = ("64", "65")
LINE_WIDTH = 65  # SWIFT x-character lines: a full line that continues was cut, not ended
_DUTCH_TAG = re.compile(r"/(TRTP|IBAN|BIC|NAME|REMI|EREF|ORDP|BENM|CSID|MARF|ADDR|CNTP|PREF|ID|ISDT|RTRN|SVCL|"
                        r"PURP|ULTC|ULTD|CDTRREF|CDTRREFTP|CD|TP|ISSR|OCMT|CHGS|EXCH)/")


def looks_like_mt940(head: bytes) -> bool:
    for encoding in ("utf-16", "latin-1") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ("latin-1",):
        text = head.decode(encoding, errors="ignore")
        if ":20:" in text[:400] or text.lstrip().startswith(("{1:", ":20:")):
            return True
    return False


def read_mt940(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    text, encoding = decode_text(Path(path).read_bytes(), path.name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ":61:" not in text and not _OPENING.search(text):
        raise fail(path.name, "MT940 file without transaction lines (:61:) and without balances; nothing to import")
    starts = [m.start() for m in _STATEMENT_START.finditer(text)] or [0]
    rows: list[dict]
    covers: set[tuple]
    rows, debits, problems, n, notes, keys, covers = [], 0, [], 0, [], [], set()
    line, counted = 1, 0
    for k, start in enumerate(starts):
        chunk = text[start:starts[k + 1] if k + 1 < len(starts) else len(text)]
        line += text.count("\n", counted, start)
        counted = start
        try:
            cleaned, cleaning_notes = _clean(chunk, line)
            statement = _parse(cleaned, line, chunk, asn=bool(_IBAN_REFERENCE_61.search(cleaned)))
            _check_balances(statement, cleaned)
        except Unbalanced as exc:
            if not policy.accept_unbalanced:
                problems.append(Problem(path.name, f"statement {k + 1} (line {line}): {exc}{UNBALANCED_HINT}"))
                continue
            notes.append(unbalanced_note(path.name, f"statement {k + 1} (line {line})", exc))
        except ValueError as exc:
            problems.append(Problem(path.name, f"statement {k + 1} (line {line}): {exc}"))
            continue
        notes += [f"{path.name}: statement {k + 1}: {note}" for note in cleaning_notes]
        account = str(statement.data.get("account_identification") or "").strip()
        first = len(rows)
        for tx in statement.transactions:
            data = tx.data
            n += 1
            if data.get("status") != "C":  # D = debit, RC/RD = reversals
                debits += 1
                continue
            rows.append(_row(data, n))
        keys += [(account, r["payment_date"]) for r in rows[first:]]
        closing = statement.data.get("final_closing_balance") or statement.data.get("intermediate_closing_balance")
        day = getattr(closing, "date", None)
        covers.update((account, d) for d in {r["payment_date"] for r in rows[first:]}
                      | ({f"{day.year:04d}-{day.month:02d}-{day.day:02d}"} if day else set()))
    if problems:
        raise ValidationError(problems)
    if ":61:" not in text:  # days without movements: their balances (checked above) say nothing moved
        notes.append(f"{path.name}: no transaction lines (:61:); the balances say nothing moved")
    kind = "MT942" if ":34F:" in text and ":60F:" not in text and ":60M:" not in text else "MT940"
    final = kind == "MT940"  # MT942 is an intraday report: not final until the day's MT940
    return bank_lines(rows, debits, kind, notes + read_as(path.name, encoding), final=final, keys=keys,
                      covers=covers if final else set())


def _fields(chunk: str) -> list[tuple[str, str, int]]:
    """(tag, value with its continuation lines, line offset in the chunk) of each field."""
    starts = list(_TAG.finditer(chunk))
    out, line, counted = [], 0, 0
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(chunk)
        line += chunk.count("\n", counted, m.start())  # counted once, field by field
        counted = m.start()
        out.append((m.group(1), chunk[m.end():end].rstrip("\n"), line))
    return out


def _clean(chunk: str, first_line: int) -> tuple[str, list[str]]:
    """The statement as the package can read it, and what was left out (said as notes).

    * ``:28C:`` variants (``0000``, `` /1``) are normalised: the number is not used;
    * an optional balance (``:64:``, ``:65:``) that does not follow the layout is skipped;
    * a ``:86:`` that does not follow a ``:61:`` is statement-level information, not a
      transaction's details (the package would glue it onto the last transaction);
    * a trailing ``-`` end marker and lines outside any field are dropped.
    """
    notes: list[str]
    out: list[str]
    notes, out, previous = [], [], ""
    fields = _fields(chunk)
    currency = next((m.group(1) for tag, value, _ in fields if tag[:2] in ("60", "62")
                     for m in [_BALANCE_CURRENCY.match(value.strip())] if m), "")
    for tag, value, offset in fields:
        line = first_line + offset
        base = tag[:2]
        value = _END_MARK.sub("", value)
        if base in ("60", "62", "64", "65"):
            value = _balance_value(value, currency, tag, line, notes)
        if tag == "61":
            value = _statement_line(value)
        if base == "28":
            compact = value.replace(" ", "").lstrip("/")
            value = compact if _STATEMENT_NO.match(compact) else "0"
        elif base in OPTIONAL_BALANCES and not _BALANCE.match(value.strip()):
            notes.append(f"optional :{tag}: field at line {line} ({value.strip()[:30]!r}) does not follow the "
                         "layout; skipped")
            continue
        elif tag == "86" and previous != "61":
            notes.append(f":86: at line {line} is statement information, not a payment's details; not imported")
            continue
        out.append(f":{tag}:{value}")
        previous = tag
    return "\n".join(out) + "\n", notes


def _balance_value(value: str, currency: str, tag: str, line: int, notes: list[str]) -> str:
    """A balance the package can read: a missing currency is taken from the statement's other
    balances (said in a note), a decimal point becomes the comma of the layout."""
    text = value.strip()
    if _BALANCE.match(text):
        return text  # the usual balance: nothing to mend
    bare = _BALANCE_NO_CURRENCY.match(text)
    if bare:
        if not currency:
            raise ValueError(f":{tag}: at line {line} ({text!r}) has no currency, and no other balance of the "
                             "statement names one")
        notes.append(f":{tag}: at line {line} has no currency; read in {currency}, the statement's")
        text = bare.group(1) + currency + bare.group(2)
    return _DOT_AMOUNT_BALANCE.sub(r"\1\2,\3", text)


def _statement_line(value: str) -> str:
    """A ``:61:`` the package can read: a decimal point in the amount becomes the layout's comma,
    and a reference wrapped onto further lines before ING's ``/TRCD/`` line is joined again (a
    ``:61:`` has at most two lines: the entry and its supplementary details)."""
    if "." not in value and value.count("\n") < 2:
        return value  # the usual line: no decimal point, no wrapped reference
    value = _DOT_AMOUNT_61.sub(r"\1\2,\3", value)
    lines = value.split("\n")
    if len(lines) > 2 and lines[-1].lstrip().startswith("/"):
        lines = ["".join(part.strip() for part in lines[:-1]), lines[-1]]
    return "\n".join(lines)


def _mark_own_transaction(transactions, tag, tag_dict, result):
    """Post-processor of every ``:61:``: the package opens a new transaction only when the previous
    one carries a transaction-type code (``NTRF``), so lines without one were merged into one."""
    if not result.get("id"):
        result["id"] = NO_TYPE_CODE
    return result


NO_TYPE_CODE = "(none)"


def _parse(cleaned: str, first_line: int, original: str, asn: bool = False) -> mt940_lib.models.Transactions:
    """The package's reading of one cleaned statement; ``asn``: a ``:61:`` carries an IBAN where the
    reference goes (ASN Bank), read with the package's ASNB layout."""
    post_statement = list(mt940_lib.models.Transactions.DEFAULT_PROCESSORS.get("post_statement", []))
    tags: dict[int | str, Any] = {}
    if asn:
        tags[61] = mt940_lib.tags.StatementASNB()
    statement = mt940_lib.models.Transactions(processors={"post_transaction_details": [],
                                                          "post_statement": post_statement + [_mark_own_transaction]},
                                              tags=tags)
    try:
        statement.parse(cleaned)
    except Exception as exc:  # the package raises plain exceptions (with its objects) on malformed tags
        raise ValueError(_describe_failure(exc, original, first_line)) from None
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
    if not tags & {"60F", "60M"} and tags & {"34F", "13D"}:  # MT942 interim report: no balances
        _check_sums(statement)
        return
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
        raise Unbalanced(f"balances do not tie: opening {opening.amount.amount:,.2f} + movements {movements:,.2f} = "
                         f"{expected:,.2f}, but the closing balance (:62F:) says {closing.amount.amount:,.2f}; "
                         "a transaction is missing or the file was edited",
                         Decimal(closing.amount.amount) - expected)


def _check_sums(statement: mt940_lib.models.Transactions) -> None:
    """MT942: the number and sum of credit (``:90C:``) and debit (``:90D:``) entries, when given, match."""
    data = statement.data
    for key, marks in (("sum_credit_entries", ("C", "RD")), ("sum_debit_entries", ("D", "RC"))):
        total = data.get(key)
        if total is None:
            continue
        mine = [tx for tx in statement.transactions if tx.data.get("status") in marks]
        amount = sum((abs(Decimal(tx.data["amount"].amount)) for tx in mine), Decimal(0))
        count = getattr(total, "number", None)
        if abs(Decimal(total.amount)) != amount or (count not in (None, "") and int(count) != len(mine)):
            raise Unbalanced(f":{'90C' if marks[0] == 'C' else '90D'}: says {count or '?'} entries totalling "
                             f"{abs(Decimal(total.amount)):,.2f}, but the report lists {len(mine)} totalling "
                             f"{amount:,.2f}; an entry is missing or the file was edited",
                             abs(Decimal(total.amount)) - amount)


def _row(data: dict, n: int) -> dict:
    payer, account, remittance = parse_details(str(data.get("transaction_details") or ""))
    amount = data["amount"]
    value_date: Any = data.get("date")
    bank_ref = meaningful_reference(str(data.get("bank_reference") or ""))
    customer_ref = meaningful_reference(str(data.get("customer_reference") or ""))
    if customer_ref and _is_counterparty_account(customer_ref, data):
        # ASN and SNS put the payer's account where the reference goes, and the payer's name on the
        # next line: an account is no payment id (every payment of that payer would share it)
        account = account or customer_ref
        payer = payer or " ".join(str(data.get("extra_details") or "").split())
        customer_ref = ""
    reference = bank_ref or customer_ref
    codes = " ".join(str(data.get(k) or "") for k in ("extra_details", "transaction_details"))
    other, instructed, rate = from_text(codes, str(amount.currency), abs(Decimal(amount.amount)))
    return {"payment_date": f"{value_date.year:04d}-{value_date.month:02d}-{value_date.day:02d}",
            "amount": float(abs(amount.amount)), "currency": str(amount.currency),
            "payer_name": payer, "payer_account": account, "remittance": remittance, "customer_id": "",
            "payment_id": reference or stable_id("MT940", data.get("transaction_reference"), n,
                                                 value_date, amount.amount, remittance),
            **mt940_evidence(str(data.get("transaction_details") or ""), str(amount.currency),
                             abs(Decimal(amount.amount))),
            # an amount instructed in another currency (and the bank's rate) replaces a same-currency one
            **({"instructed_amount": float(instructed)} if other and instructed is not None else {}),
            "instructed_currency": other, "exchange_rate": float(rate) if rate is not None else None}


_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")


def _is_counterparty_account(reference: str, data: dict) -> bool:
    """Whether a ``:61:`` customer reference is the counterparty's account (ASN, SNS): an IBAN, or
    the account number the ``:86:`` details start with."""
    details = str(data.get("transaction_details") or "").split()
    return bool(_IBAN.match(reference)) or (reference.isdigit() and bool(details) and details[0] == reference)


def parse_details(details: str) -> tuple[str, str, str]:
    """(payer name, payer IBAN, remittance) from a ``:86:`` field: German ``?``-subfields, Dutch
    ``/TAG/`` structure, or free text."""
    details = details.replace("\r", "")
    flat = details.replace("\n", "")
    if "?" in flat and _SUBFIELD.search(flat):
        return _german(flat)
    if flat.startswith("/") and len(_DUTCH_TAG.findall(flat)) >= 2:
        return _dutch(flat)
    return "", "", _unwrap(details)


def _unwrap(text: str) -> str:
    """Lines joined: a full-width line (65 characters) was cut mid-word, so the next follows it
    directly ("INV-2026-0045" + "1" → "INV-2026-00451"); other lines are joined with a space."""
    lines = text.split("\n")
    out = lines[0]
    for before, line in zip(lines, lines[1:]):
        out += ("" if len(before) >= LINE_WIDTH else " ") + line
    return " ".join(out.split())


def _german(flat: str) -> tuple[str, str, str]:
    parts = _SUBFIELD.split(flat)
    fields: dict[int, list[str]] = {}
    for code, value in zip(parts[1::2], parts[2::2]):
        fields.setdefault(int(code), []).append(value)
    purpose = "".join(v for code in (*range(20, 30), *range(60, 64)) for v in fields.get(code, []))
    purpose = _SEPA_TAG.sub(" ", _AMOUNT_TAG.sub(" ", purpose)).replace("NOTPROVIDED", " ")
    name = "".join(fields.get(32, []) + fields.get(33, []))
    account = "".join(fields.get(31, [])).strip()
    return " ".join(name.split()), account, " ".join(purpose.split())


def _dutch(flat: str) -> tuple[str, str, str]:
    """``/TRTP/SEPA OVERBOEKING/IBAN/NL91…/BIC/…/NAME/ACME BV/REMI/USTD//Factuur 12/EREF/…``
    (ABN AMRO, ING, Rabobank; ING's ``/CNTP/IBAN/BIC/NAME/CITY/``)."""
    parts = _DUTCH_TAG.split(flat)
    fields: dict[str, str] = {}
    for tag, value in zip(parts[1::2], parts[2::2]):
        fields.setdefault(tag, value.strip("/ "))
    name, account = fields.get("NAME", ""), fields.get("IBAN", "")
    if "CNTP" in fields:
        cntp = fields["CNTP"].split("/")
        account = account or (cntp[0] if cntp else "")
        name = name or (cntp[2] if len(cntp) > 2 else "")
    remittance = re.sub(r"^(?:USTD|STRD/CUR|STRD/ISO|STRD)/+", "", fields.get("REMI", ""))
    eref = meaningful_reference(fields.get("EREF", ""))
    text = " ".join(t for t in (remittance, eref if eref and eref not in remittance else "") if t)
    return " ".join(name.split()), account.strip(), " ".join(text.split())

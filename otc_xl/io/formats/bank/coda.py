"""Belgium: CODA (Coded statement of account, Febelfin, version 2), every Belgian bank's statement.

Records of 128 characters, each statement a block from ``0`` to ``9``: ``0`` header (creation
date, bank, version ``2`` in column 128), ``1`` old balance (account in one of four structures:
Belgian number, foreign, Belgian IBAN, foreign IBAN; currency; balance with 3 decimals; date),
``2.1``/``2.2``/``2.3`` a movement (sequence and detail number, bank reference, sign, amount, value
date, transaction code, communication — free, or structured such as the Belgian ``+++…+++``
reference —, then the counterparty's BIC, account and name), ``3.x`` information, ``4`` free
message, ``8`` new balance, ``9`` trailer (number of records, total debits and credits).

Read strictly (a failure refuses the file with its line and what was expected): old balance +
movements = new balance, and the trailer's record count and totals are the block's
(``--accept-unbalanced`` imports a statement that does not tie and says by how much). A movement
with a globalisation code is the total of the detail movements that follow it (detail number >
0): the total moves the balance, its details must add up to it, and each credit detail becomes a
receipt. Credits become payments: value date (else entry date), amount, communication (a
structured reference written ``+++123/4567/89012+++``), counterparty name and account; the bank's
reference (with the detail number) is the payment id.

Why not ``pycoda``: it is GPL-3, which this MIT project cannot depend on; no other maintained
Python package reads CODA.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import cast

from ....model.problems import Problem, ValidationError
from .common import (
    STRICT,
    UNBALANCED_HINT,
    BankLines,
    ReadPolicy,
    Unbalanced,
    bank_lines,
    fail,
    meaningful_reference,
    stable_id,
    unbalanced_note,
)
from .fixed import Record, RecordError, cents, date, digits, records, where

WIDTH = 128
CODES = frozenset(a + b for a in "0123489" for b in "0123456789 ")
SIGN = {"0": 1, "1": -1}


def looks_like_coda(head: bytes) -> bool:
    """A header record: ``0`` and four zeros, a creation date, application code ``05``; then an old
    balance record ``1``, or nothing but the header's full 128 columns (a file of another CODA version
    or cut short is then refused as CODA, with its reason, not as a spreadsheet without columns)."""
    lines = head.replace(b"\r", b"").split(b"\n")
    first = lines[0]
    return (first[:5] == b"00000" and first[5:11].isdigit() and first[14:16] == b"05"
            and ((len(lines) > 1 and lines[1][:1] == b"1") or len(first) == 128))


def _signed(rec: Record, sign_at: int, start: int, what: str) -> Decimal:
    sign = rec.field(sign_at, sign_at + 1)
    if sign not in SIGN:
        raise RecordError(f"sign of the {what} (column {sign_at + 1}) is {sign!r}, expected 0 (credit) or 1 (debit)")
    return SIGN[sign] * cents(digits(rec, start, start + 15, what), 3)


def _ddmmyy(rec: Record, start: int, what: str, optional: bool = False):
    if optional and rec.field(start, start + 6) in ("000000", "      "):
        return None
    return date(rec, start, "dmy", what)


class _Block:
    def __init__(self, header: Record):
        self.header = header
        if header.field(127, 128) != "2":
            raise RecordError(f"CODA version (column 128) is {header.field(127, 128)!r}; only version 2 is read")
        date(header, 5, "dmy", "creation date")
        self.duplicate = header.field(16, 17) == "D"
        self.opening: Decimal | None = None
        self.account = self.currency = ""
        self.movements = Decimal(0)
        self.totals = [Decimal(0), Decimal(0)]  # debits, credits of the movements that move the balance
        self.count = 0
        self.rows: list[dict] = []
        self.debits = 0
        self.current: dict | None = None
        self.glob: dict | None = None


def _old_balance(rec: Record, block: _Block) -> None:
    structure = rec.text[1:2]
    if structure == "0":
        block.account, block.currency = rec.text[5:17], rec.text[18:21]
    elif structure in ("1", "2", "3"):
        block.account = rec.field(5, 21 if structure == "2" else 39).strip()
        block.currency = rec.text[39:42]
    else:
        raise RecordError(f"account structure (column 2) is {structure!r}, expected 0-3")
    if not block.currency.isalpha():
        raise RecordError(f"currency is {block.currency!r}, expected an ISO 4217 code")
    block.opening = _signed(rec, 42, 43, "old balance")
    _ddmmyy(rec, 58, "old balance date")


def read_coda(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    recs, _ = records(path, WIDTH, CODES)
    if not recs:
        raise fail(path.name, "empty CODA file")
    rows, problems, notes, debits = [], [], [], 0
    block: _Block | None = None
    for rec in recs:
        try:
            kind = rec.code[0]
            if kind == "0":
                if block is not None:
                    raise RecordError("a new statement starts before the previous one ended with its trailer (9)")
                block = _Block(rec)
                continue
            if block is None:
                raise RecordError("comes before the header record (0)")
            if kind not in ("4", "9"):  # the trailer counts records 1, 2.x, 3.x and 8 (Febelfin), not 4
                block.count += 1
            if kind == "1":
                _old_balance(rec, block)
            elif block.opening is None:
                raise RecordError("comes before the old balance (record 1)")
            elif rec.code == "21":
                _close_movement(block)
                _movement(rec, block)
            elif rec.code in ("22", "23"):
                if block.current is None or rec.text[2:10] != block.current["key"]:
                    raise RecordError(f"record {rec.code[0]}.{rec.code[1]} does not continue the movement before it "
                                      f"(sequence/detail {rec.text[2:10]!r})")
                _continuation(rec, block.current)
            elif kind in ("3", "4"):
                continue  # information and free messages: nothing to book
            elif kind == "8":
                _close_movement(block)
                if block.glob is not None:
                    _close_glob(block)
                closing = _signed(rec, 41, 42, "new balance")
                _ddmmyy(rec, 57, "new balance date")
                expected = block.opening + block.movements
                if expected != closing:
                    exc = Unbalanced(f"balances do not tie: old balance {block.opening:,.2f} + movements "
                                     f"{block.movements:,.2f} = {expected:,.2f}, "
                                     f"but the new balance says {closing:,.2f}; "
                                     "a movement is missing or the file was edited", closing - expected)
                    if not policy.accept_unbalanced:
                        raise RecordError(f"account {block.account}: {exc}{UNBALANCED_HINT}")
                    notes.append(unbalanced_note(path.name, f"account {block.account} ({where(rec)})", exc))
            elif kind == "9":
                stated = digits(rec, 16, 22, "number of records")
                totals = [cents(digits(rec, 22, 37, "total debits"), 3), cents(digits(rec, 37, 52, "total credits"), 3)]
                if stated != block.count:
                    raise RecordError(f"the trailer says {stated} records, the statement has {block.count}; a record "
                                      "is missing or the file was edited")
                if totals != block.totals:
                    raise RecordError(f"the trailer says debits {totals[0]:,.2f} and credits {totals[1]:,.2f}, the "
                                      f"movements add up to {block.totals[0]:,.2f} and {block.totals[1]:,.2f}")
                if block.duplicate:
                    notes.append(f"{path.name}: the statement of account {block.account} is marked duplicate (D); "
                                 "its receipts are recognised if imported before")
                rows += block.rows
                debits += block.debits
                block = None
        except RecordError as exc:
            problems.append(Problem(path.name, f"{where(rec)}: {exc}"))
            if len(problems) >= 20:
                break
    if not problems and block is not None:
        problems.append(Problem(path.name, f"the statement that starts at {where(block.header)} has no trailer "
                                           "(record 9): the file is truncated"))
    if problems:
        raise ValidationError(problems)
    return bank_lines(rows, debits, "CODA", notes)


def _movement(rec: Record, block: _Block) -> None:
    digits(rec, 2, 10, "sequence and detail number")
    amount = _signed(rec, 31, 32, "amount")
    detail = rec.text[6:10] != "0000"
    glob = digits(rec, 124, 125, "globalisation code")
    communication = rec.text[62:115]
    structured = rec.text[61:62] == "1"
    text = _structured(communication) if structured else communication.strip()
    movement = {"key": rec.text[2:10], "seq": rec.text[2:6], "detail": detail, "amount": amount,
                "reference": rec.text[10:31].strip(), "value": _ddmmyy(rec, 47, "value date", optional=True),
                "entry": _ddmmyy(rec, 115, "entry date"), "texts": [text], "structured": structured,
                "payer": "", "account": "", "line": rec.line, "glob": glob}
    if detail:
        if block.glob is None or block.glob["seq"] != movement["seq"]:
            raise RecordError("a detail movement (detail number > 0) that follows no globalised total of its "
                              "sequence number")
        block.glob["details"].append(movement)
    else:
        if block.glob is not None:
            _close_glob(block)
        block.movements += amount
        block.totals[amount > 0] += abs(amount)
        if glob:
            movement["details"] = []
            block.glob = movement
    block.current = movement


def _continuation(rec: Record, movement: dict) -> None:
    if rec.code == "22":
        if not movement["structured"]:
            movement["texts"].append(rec.text[10:63].strip())
        movement["customer_ref"] = rec.text[63:98].strip()
    else:
        movement["account"] = rec.text[10:44].strip()
        movement["payer"] = rec.text[47:82].strip()
        if not movement["structured"]:
            movement["texts"].append(rec.text[82:125].strip())


def _close_movement(block: _Block) -> None:
    """A non-globalised movement is done when the next one starts: it becomes a receipt or a debit."""
    movement, block.current = block.current, None
    if movement is None or movement["detail"] or movement["glob"]:
        return
    _book(block, movement)


def _close_glob(block: _Block) -> None:
    """A globalised total ends: its details must add up to it; each credit detail is a receipt
    (a total without details is booked as one movement)."""
    _close_movement(block)
    glob, block.glob = cast(dict, block.glob), None
    details = glob.get("details", [])
    if not details:
        _book(block, glob)
        return
    total = sum((d["amount"] for d in details), Decimal(0))
    if total != glob["amount"]:
        raise RecordError(f"the {len(details)} detail movements of sequence {glob['seq']} (line {glob['line']}) add up "
                          f"to {total:,.2f}, not to their total {glob['amount']:,.2f}")
    for detail in details:
        _book(block, detail)


def _book(block: _Block, movement: dict) -> None:
    if movement["amount"] <= 0:
        block.debits += 1
        return
    day = movement["value"] or movement["entry"]
    remittance = " ".join(" ".join(t for t in movement["texts"] if t).split())
    reference = meaningful_reference(movement["reference"])
    if reference and movement["detail"]:
        reference = f"{reference}-{movement['key'][4:]}"
    block.rows.append({"payment_date": day.isoformat(), "amount": float(movement["amount"]),
                       "currency": block.currency, "payer_name": movement["payer"],
                       "payer_account": movement["account"], "remittance": remittance, "customer_id": "",
                       "payment_id": reference or stable_id("CODA", block.account, block.header.field(5, 11),
                                                            movement["key"], day, movement["amount"], remittance)})


def _structured(communication: str) -> str:
    """A structured communication as people write it: type 101/102 is the Belgian reference
    (``+++123/4567/89012+++``); other types are kept as their text."""
    kind, body = communication[:3], communication[3:].strip()
    if kind in ("101", "102") and body[:12].isdigit():
        ref = body[:12]
        return f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++"
    return body

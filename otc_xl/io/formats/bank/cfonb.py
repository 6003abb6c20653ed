"""France: CFONB 120, the "relevé de comptes" French banks deliver (ETEBAC, EBICS, SFTP).

Records of 120 characters: ``01`` previous balance (ancien solde), ``04`` movement, ``05``
complement of the movement above (a 3-letter qualifier and 70 characters: ``LIB`` wording, ``NPY``
payer's name, ``IPY`` payer's identifier, ``RCN`` the payer's reference, ``REF`` end-to-end
reference …), ``07`` new balance (nouveau solde). Every record repeats the bank, branch, currency,
number of decimals and account; amounts are 14 characters whose last one carries the sign and last
digit (``{`` ``A``–``I`` positive 0–9, ``}`` ``J``–``R`` negative 0–9). Dates are DDMMYY.

Read strictly (a failure refuses the file, naming line and what was expected): movements and
complements only between an ``01`` and the ``07`` of the same account, in its currency; each
statement ties (previous balance + movements = new balance, or ``--accept-unbalanced`` says by how
much). Credits become payments: value date, amount, the wording and the complements' texts as
remittance, ``NPY`` as the payer's name.

No maintained Python package reads CFONB 120 (``python-cfonb`` is LGPL and unmaintained since
2016): this is the project's own strict reader.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import cast

import pycountry

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
    read_as,
    stable_id,
    unbalanced_note,
)
from .fixed import Record, RecordError, cents, date, digits, records, where

WIDTH = 120
CODES = frozenset({"01", "04", "05", "07"})
_OVERPUNCH = {**{c: (str(i), 1) for i, c in enumerate("{ABCDEFGHI")},
              **{c: (str(i), -1) for i, c in enumerate("}JKLMNOPQR")}}
NAME_QUALIFIERS = ("NPY",)
TEXT_QUALIFIERS = ("LIB", "RCN", "REF", "LCC", "LC2", "LCS", "MMO", "IPY", "NBE", "RCD")
"""Complements whose text goes into the remittance (wording, references, identifiers)."""


def looks_like_cfonb(head: bytes) -> bool:
    """A first record ``01``/``04``/``07`` (bank code, currency letters, a decimals digit, the
    signed-amount character at column 104) or ``05``: a file that starts mid-statement is still
    recognised, and then refused for it. Currency and decimals left blank (columns 17-20) still make
    it CFONB, refused for them by name rather than as a file of no known format."""
    first = head.replace(b"\r", b"").split(b"\n")[0].rstrip()
    if not (first[:2] in (b"01", b"04", b"05", b"07") and len(first) <= WIDTH and first[2:7].isdigit()
            and ((first[16:19].isalpha() and first[19:20].isdigit()) or first[16:20] == b"    ")):
        return False
    return first[:2] == b"05" or (len(first) >= 104 and chr(first[103]) in _OVERPUNCH)


def _amount(rec: Record, decimals: int, what: str) -> Decimal:
    value = rec.text[90:104]
    last = _OVERPUNCH.get(value[-1:])
    if not value[:-1].isdigit() or last is None:
        raise RecordError(f"{what} (columns 91-104) is {value!r}, expected 13 digits and a sign character "
                          "({ A-I for +0..9, } J-R for -0..9)")
    return last[1] * cents(int(value[:-1] + last[0]), decimals)


class _Statement:
    def __init__(self, rec: Record):
        self.record = rec
        self.key = rec.text[2:7] + rec.text[11:19] + rec.text[21:32]
        self.account = rec.text[21:32]
        self.label = f"account {rec.text[2:7]} {rec.text[11:16]} {self.account}"
        currency = rec.text[16:19]
        if pycountry.currencies.get(alpha_3=currency) is None:
            raise RecordError(f"currency (columns 17-19) is {currency!r}, expected an ISO 4217 code (EUR)")
        self.currency = currency
        self.decimals = digits(rec, 19, 20, "number of decimals")
        self.day = date(rec, 34, "dmy", "date of the previous balance")
        self.opening = _amount(rec, self.decimals, "previous balance")
        self.movements = Decimal(0)
        self.rows: list[dict] = []
        self.count = 0


def read_cfonb(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    recs, encoding = records(path, WIDTH, CODES)
    if not recs:
        raise fail(path.name, "empty CFONB file")
    rows, problems, notes, debits = [], [], [], 0
    stmt: _Statement | None = None
    movement: dict | None = None

    def close_movement() -> None:
        nonlocal movement
        if movement is not None and movement["amount"] > 0:
            current = cast(_Statement, stmt)  # movements come after a statement's opening record
            current.rows.append(_row(movement, current))
        movement = None

    for rec in recs:
        try:
            if rec.code == "01":
                if stmt is not None:
                    raise RecordError(f"a new statement starts before {stmt.label} ({where(stmt.record)}) ended "
                                      "with its new balance (record 07); is the file truncated?")
                stmt = _Statement(rec)
                continue
            if stmt is None:
                raise RecordError("comes before any previous balance (record 01): the statement has no start")
            if (rec.text[21:32], rec.text[16:19]) != (stmt.account, stmt.currency):
                # the account and its currency; bank and branch codes of movements differ in files
                # banks send (the branch that booked it), so they are not compared
                raise RecordError(f"is for account {rec.text[21:32]} in {rec.text[16:19]!r}, but the open "
                                  f"statement is {stmt.label} in {stmt.currency} ({where(stmt.record)})")
            if rec.text[19:20] != str(stmt.decimals):
                raise RecordError(f"number of decimals is {rec.text[19:20]!r}, the statement's is {stmt.decimals}")
            if rec.code == "04":
                close_movement()
                movement = _movement(rec, stmt)
                stmt.movements += movement["amount"]
                debits += movement["amount"] <= 0
            elif rec.code == "05":
                if movement is None:
                    raise RecordError("a complement (record 05) that follows no movement (record 04)")
                movement["complements"].append((rec.text[45:48], rec.text[48:118].strip()))
            else:  # 07
                close_movement()
                date(rec, 34, "dmy", "date of the new balance")
                closing = _amount(rec, stmt.decimals, "new balance")
                expected = stmt.opening + stmt.movements
                if expected != closing:
                    exc = Unbalanced(f"balances do not tie: previous balance {stmt.opening:,.2f} + movements "
                                     f"{stmt.movements:,.2f} = {expected:,.2f}, "
                                     f"but the new balance says {closing:,.2f}; "
                                     "a movement is missing or the file was edited", closing - expected)
                    if not policy.accept_unbalanced:
                        raise RecordError(f"{stmt.label}: {exc}{UNBALANCED_HINT}")
                    notes.append(unbalanced_note(path.name, f"{stmt.label} ({where(rec)})", exc))
                rows += stmt.rows
                stmt = None
        except RecordError as exc:
            problems.append(Problem(path.name, f"{where(rec)}: {exc}"))
            if len(problems) >= 20:
                break
    if not problems and stmt is not None:
        problems.append(Problem(path.name, f"{stmt.label} ({where(stmt.record)}) has no new balance (record 07): "
                                           "the file is truncated"))
    if problems:
        raise ValidationError(problems)
    return bank_lines(rows, debits, "CFONB 120", notes + read_as(path.name, encoding))


def _movement(rec: Record, stmt: _Statement) -> dict:
    stmt.count += 1
    return {"amount": _amount(rec, stmt.decimals, "amount"), "booked": date(rec, 34, "dmy", "booking date"),
            "value": date(rec, 42, "dmy", "value date"), "wording": rec.text[48:79].strip(),
            "operation": rec.text[32:34], "entry": rec.text[81:88].strip(),
            "reference": rec.text[104:120].strip(), "position": stmt.count, "complements": []}


def _row(movement: dict, stmt: _Statement) -> dict:
    names = [text for qualifier, text in movement["complements"] if qualifier in NAME_QUALIFIERS and text]
    texts = [movement["wording"]] + [text for qualifier, text in movement["complements"]
                                     if qualifier in TEXT_QUALIFIERS and text]
    reference = meaningful_reference(movement["reference"])
    if reference and reference not in " ".join(texts):
        texts.append(reference)
    remittance = " ".join(" ".join(t for t in texts if t).split())
    value = movement["value"]
    return {"payment_date": value.isoformat(), "amount": float(movement["amount"]), "currency": stmt.currency,
            "payer_name": names[0] if names else "", "payer_account": "", "remittance": remittance,
            "customer_id": "", "payment_id": stable_id("CFONB", stmt.key, stmt.day, movement["position"], value,
                                                      movement["amount"], remittance)}

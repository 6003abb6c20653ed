"""Spain: AEB Norma 43 (Cuaderno 43, CSB43), the account statement every Spanish bank delivers.

Records of 80 characters: ``11`` account header (bank, branch, account, period, opening balance,
ISO 4217 numeric currency), ``22`` movement (dates, common and own concept, debit/credit key,
amount, document number, two references), ``23`` complementary concepts (up to five, 2 × 38
characters), ``24`` equivalent amount in another currency, ``33`` account end (number and total of
debits and credits, closing balance), ``88`` end of file (number of records: every record before it).

Read strictly, with the format's own checks as guards (a failure refuses the file with its line
and figures): every account has its ``33``, whose counts and totals are those of its movements and
whose closing balance is opening − debits + credits (``--accept-unbalanced`` imports a statement
whose balances do not tie and says by how much); the file ends with ``88``, whose record count is
the file's. Credits (key 2) become payments: value date, amount, the concept texts and the
references (``referencia 1/2``, document number) as remittance; for transfers (common concept
04) the first concept text is the payer's name, as Spanish banks fill it. A credit with a record
``24`` in another currency than the account's keeps that currency and amount
(``instructed_currency``, ``instructed_amount``) and the rate they imply (``exchange_rate``).

Why not a package: ``norma43`` (Apache-2.0) turns a malformed amount into 0.00 and ignores the
totals; ``csb43`` (LGPL-3) pins ``pycountry~=24.6.1``, which would downgrade the project's ISO data;
``aeb43`` (BSD-3, Tryton) checks its totals with ``assert`` (gone under ``python -O``, no figures,
no line) and does not count ``24`` records.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

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

WIDTH = 80
CODES = frozenset({"00", "11", "22", "23", "24", "33", "88"})
SIGN = {"1": -1, "2": 1}  # clave debe (1) / haber (2)
KEYLESS = "0"
"""A closing balance (record 33) keyed 0 instead of 1 or 2, as Odoo's (OCA l10n-spain) test files write
it: read as haber (the reading those importers give it) and accepted only when it then ties, to the
cent, with the opening balance and the movements, whose own keys are valid; otherwise refused."""
TRANSFER = "04"
CONCEPTS = {"01": "talones", "02": "ingresos", "03": "domiciliaciones", "04": "transferencia", "05": "amortizaciones",
            "06": "remesas de efectos", "07": "suscripciones", "08": "dividendos", "09": "bolsa", "10": "gasolina",
            "11": "cajeros", "12": "tarjetas", "13": "extranjero", "14": "devoluciones", "15": "nominas",
            "16": "timbres", "17": "intereses", "98": "anulaciones", "99": "varios"}
"""The AEB's common concepts (concepto común)."""


def looks_like_norma43(head: bytes) -> bool:
    """An account header ``11`` whose bank, branch, account and dates are digits, followed by a
    ``22``, ``33`` or ``88`` record: nothing else starts that way."""
    lines = head.replace(b"\r", b"").split(b"\n")
    first = lines[0].rstrip()
    return (len(first) <= WIDTH and first[:2] == b"11" and first[2:32].isdigit() and len(lines) > 1
            and lines[1][:2] in (b"22", b"33", b"88"))


def _currency(record: Record, start: int) -> str:
    code = record.field(start, start + 3)
    found = pycountry.currencies.get(numeric=code) if code.isdigit() else None
    if found is None:
        raise RecordError(f"currency (columns {start + 1}-{start + 3}) is {code!r}, expected an ISO 4217 numeric "
                          "code (978 for EUR)")
    return found.alpha_3


def _signed(record: Record, key_at: int, start: int, end: int, what: str) -> Decimal:
    key = record.field(key_at, key_at + 1)
    if key not in SIGN:
        raise RecordError(f"debit/credit key of the {what} (column {key_at + 1}) is {key!r}, expected 1 (debe) "
                          "or 2 (haber)")
    return SIGN[key] * cents(digits(record, start, end, what), 2)


class _Account:
    def __init__(self, record: Record):
        self.record = record
        self.key = record.field(2, 20)
        self.label = f"account {record.field(2, 6)}-{record.field(6, 10)}-{record.field(10, 20)}"
        self.start = date(record, 20, "ymd", "start date")
        date(record, 26, "ymd", "end date")
        self.opening = _signed(record, 32, 33, 47, "opening balance")
        self.currency = _currency(record, 47)
        self.credits: list[Any] = [Decimal(0), 0]  # [total, count]
        self.debits: list[Any] = [Decimal(0), 0]
        self.rows: list[dict] = []
        self.movements = 0


def read_norma43(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    recs, encoding = records(path, WIDTH, CODES)
    if not recs:
        raise fail(path.name, "empty Norma 43 file")
    rows, problems, notes, debits, counted = [], [], [], 0, 0
    account: _Account | None = None
    movement: dict | None = None
    texts: list[str] = []
    ended = False

    def close_movement() -> None:
        nonlocal movement, texts
        if movement is not None:
            _finish(movement, texts)
            movement, texts = None, []

    for rec in recs:
        try:
            if ended:
                raise RecordError("follows the end-of-file record 88")
            if rec.code != "88":
                counted += rec.code != "00"
            if rec.code == "00":
                continue
            if rec.code == "11":
                if account is not None:
                    raise RecordError(f"a new account starts before {account.label} (line {account.record.line}) "
                                      "ended with its record 33; is the file truncated?")
                account = _Account(rec)
            elif rec.code == "88":
                if account is not None:
                    raise RecordError(f"end of file before {account.label} (line {account.record.line}) ended "
                                      "with its record 33; is the file truncated?")
                if rec.text[2:20] != "9" * 18:
                    raise RecordError(f"columns 3-20 are {rec.text[2:20]!r}, expected 18 nines")
                stated = digits(rec, 20, 26, "number of records")
                if stated != counted:
                    raise RecordError(f"says the file has {stated} records, it has {counted} (before this one); "
                                      "a record is missing or the file was edited")
                ended = True
            elif account is None:
                raise RecordError("comes before any account header (record 11)")
            elif rec.code == "22":
                close_movement()
                movement = _movement(rec, account)
                texts = []
                if movement["signed"] > 0:
                    account.credits[0] += movement["signed"]
                    account.credits[1] += 1
                else:
                    account.debits[0] -= movement["signed"]
                    account.debits[1] += 1
                    debits += 1
            elif rec.code in ("23", "24"):
                if movement is None:
                    raise RecordError(f"record {rec.code} does not follow a movement (record 22)")
                if rec.code == "23":
                    digits(rec, 2, 4, "concept number")
                    texts += [rec.text[4:42].strip(), rec.text[42:80].strip()]
                else:
                    _equivalent(rec, movement)
            elif rec.code == "33":
                close_movement()
                try:
                    _check_end(rec, account)
                except Unbalanced as exc:
                    if not policy.accept_unbalanced:
                        raise RecordError(f"{exc}{UNBALANCED_HINT}") from None
                    notes.append(unbalanced_note(path.name, f"{account.label} ({where(rec)})", exc))
                rows += account.rows
                account = None
        except RecordError as exc:
            problems.append(Problem(path.name, f"{where(rec)}: {exc}"))
            if len(problems) >= 20:
                break
    if not problems and account is not None:
        problems.append(Problem(path.name, f"{account.label} (line {account.record.line}) has no account end "
                                           "(record 33): the file is truncated"))
    if not problems and not ended:
        problems.append(Problem(path.name, "no end-of-file record (88): the file is truncated"))
    if problems:
        raise ValidationError(problems)
    return bank_lines(rows, debits, "Norma 43", notes + read_as(path.name, encoding))


def _movement(rec: Record, account: _Account) -> dict:
    booked = date(rec, 10, "ymd", "operation date")
    value = date(rec, 16, "ymd", "value date")
    common = rec.text[22:24]
    digits(rec, 22, 27, "concepts")
    signed = _signed(rec, 27, 28, 42, "amount")
    account.movements += 1
    position = account.movements
    return {"signed": signed, "account": account, "position": position, "booked": booked, "value": value,
            "common": common, "document": rec.text[42:52].strip(), "ref1": rec.text[52:64].strip(),
            "ref2": rec.text[64:80].strip()}


def _equivalent(rec: Record, movement: dict) -> None:
    """Record 24 (AEB, Cuaderno 43, 2.4, "registro complementario de información de equivalencia de
    importe del apunte"): code 24 (columns 1-2), data code 01 (3-4), the ISO 4217 numeric currency the
    movement was made in (5-7), its amount in that currency (8-21, 12 integers and 2 decimals); only
    when that currency is not the account's. Kept on the movement for its Payments row."""
    if rec.field(2, 4) != "01":
        raise RecordError(f"data code (columns 3-4) is {rec.field(2, 4)!r}, expected 01")
    if "equivalent" in movement:
        raise RecordError("a second record 24 for one movement (the format has at most one)")
    movement["equivalent"] = (_currency(rec, 4), cents(digits(rec, 7, 21, "equivalent amount"), 2))


def _converted(movement: dict, currency: str) -> dict:
    """``instructed_currency``, ``instructed_amount`` and ``exchange_rate`` (units of the account's
    currency per one unit of the original one, as camt's and MT940's) of a movement with a record 24
    in another currency; empty for one without, or in the account's own currency, or of no amount."""
    original, amount = movement.get("equivalent", ("", Decimal(0)))
    if not original or original == currency or amount <= 0:
        return {}
    return {"instructed_currency": original, "instructed_amount": float(amount),
            "exchange_rate": float(movement["signed"] / amount)}


def _finish(movement: dict, texts: list[str]) -> None:
    if movement["signed"] <= 0:
        return
    account: _Account = movement["account"]
    texts = [t for t in texts if t]
    refs = [r for r in (movement["ref1"], movement["ref2"], movement["document"])
            if meaningful_reference(r) and r not in " ".join(texts)]
    payer = texts[0] if movement["common"] == TRANSFER and texts else ""
    remittance = " ".join((texts[1:] if payer else texts) + refs)
    value = movement["value"]
    account.rows.append({
        "payment_date": value.isoformat(), "amount": float(movement["signed"]), "currency": account.currency,
        "payer_name": payer, "payer_account": "", "remittance": remittance, "customer_id": "",
        "payment_id": stable_id("N43", account.key, account.start, movement["position"], value,
                                movement["signed"], remittance),
        **_converted(movement, account.currency)})


def _check_end(rec: Record, account: _Account) -> None:
    if rec.text[2:20] != account.key:
        raise RecordError(f"closes account {rec.text[2:20]!r}, but the open one is {account.key!r} "
                          f"(line {account.record.line})")
    for label, (total, count), count_at, total_at in (("debits", account.debits, 20, 25),
                                                      ("credits", account.credits, 39, 44)):
        stated_count = digits(rec, count_at, count_at + 5, f"number of {label}")
        stated_total = cents(digits(rec, total_at, total_at + 14, f"total of {label}"), 2)
        if (stated_count, stated_total) != (count, total):
            raise Unbalanced(f"says {stated_count} {label} totalling {stated_total:,.2f}, the movements hold {count} "
                             f"totalling {total:,.2f}; a movement is missing or the file was edited",
                             stated_total - total)
    keyless = rec.field(58, 59) == KEYLESS
    closing = cents(digits(rec, 59, 73, "closing balance"), 2) if keyless else _signed(
        rec, 58, 59, 73, "closing balance")
    if _currency(rec, 73) != account.currency:
        raise RecordError(f"currency {rec.text[73:76]!r} is not the account's ({account.currency})")
    expected = account.opening - account.debits[0] + account.credits[0]
    if keyless and expected != closing:
        raise RecordError(f"debit/credit key of the closing balance (column 59) is '0', expected 1 (debe) or 2 "
                          f"(haber); read as haber, the closing balance {closing:,.2f} does not tie with opening "
                          f"{account.opening:,.2f} − debits {account.debits[0]:,.2f} + credits "
                          f"{account.credits[0]:,.2f} = {expected:,.2f}")
    if expected != closing:
        raise Unbalanced(f"balances do not tie: opening {account.opening:,.2f} − debits {account.debits[0]:,.2f} + "
                         f"credits {account.credits[0]:,.2f} = {expected:,.2f}, but the closing balance says "
                         f"{closing:,.2f}; a movement is missing or the file was edited", closing - expected)

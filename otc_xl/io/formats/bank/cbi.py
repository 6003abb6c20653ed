"""Italy: CBI "Rendicontazione movimenti di conto corrente" (flow RH), the daily account statement
Italian banks deliver through the CBI network (corporate banking interbancario: UniCredit, Intesa
Sanpaolo, BPER, Banco BPM, Monte dei Paschi, Crédit Agricole Italia …).

Records of 120 characters (CBI-RND-001): column 1 blank, the record type in columns 2-3.
``RH`` header (sender ABI, receiver SIA code, creation date GGMMAA, name of the flow); per account
and day a statement (rendicontazione): ``61`` opening balance (statement number, account as CIN,
ABI, CAB and account number, country and IBAN check digits, currency, date, C/D sign, balance),
``62`` movement (value and booking dates, sign, amount, CBI causale, bank reference, the
customer's reference or description), ``63`` details of the movement above — as many as needed,
each marked by its first three characters: ``YYY`` the ordering customer (name, place), ``YY2`` the
ordering customer's address and IBAN, ``RI1``/``RI2`` reconciliation information (the remittance),
``ID1`` message and end-to-end ids, ``ZZ1``-``ZZ3`` cross-border transfers (amounts; payer;
beneficiary and reason), ``KKK`` the related account; anything else is free text —, ``64``
closing balance (accounting and available), ``65`` forward available balances; ``EF`` trailer
(number of statements and of records). Amounts are 12 digits, a comma and 2 decimals
(``000000001234,56``) with the sign in its own column (C credit, D debit).

Read strictly (a failure refuses the file, naming its line and what was expected): every
``62``/``63``/``64``/``65`` carries the number of the open statement (a movement without its
``61`` is refused); each statement ties (opening + movements = closing accounting balance, or
``--accept-unbalanced`` imports it and says by how much); the ``EF`` repeats the ``RH``'s sender,
receiver, date and name and counts the flow's statements and records (``RH`` and ``EF``
included). Several flows may follow one another in a file. Credits become payments: value date,
amount, the ordering customer (``YYY``, else ``ZZ2``) as payer, the ``YY2`` IBAN as the payer's
account, the movement's description and the ``RI1``/``RI2``, ``ZZ3`` and free-text details as
remittance, with the end-to-end id when it is a real one. An ``EC`` flow (estratto conto, the
periodic statement) repeats the daily movements and is refused with a message saying so.

Lines may have lost their trailing blanks, or the leading blank of column 1 (exports saved by
editors): they are padded back. No Python package reads CBI statements (PyPI has none; the
open-source readers found are application code): this is the project's own strict reader.
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
from .fixed import Record, RecordError, date, decode_latin, digits, where

WIDTH = 120
CODES = frozenset({"RH", "EC", "61", "62", "63", "64", "65", "EF"})
SIGN = {"C": 1, "D": -1}
SILENT_FLAGS = frozenset({"YYY", "YY2", "ZZ1", "ZZ2", "KKK", "ID1"})
"""Details that are not remittance text (names, addresses, accounts, amounts, ids)."""


def looks_like_cbi(head: bytes) -> bool:
    """A header ``RH`` (or ``EC``) in columns 2-3 after the blank of column 1 (or at the start of a
    line that lost it), a sender ABI of 5 digits and a creation date; then another CBI record (a
    broken flow is still recognised, and then refused for what is wrong)."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = head.replace(b"\r", b"").split(b"\n")
    first = lines[0].rstrip()
    if first[:1] != b" ":
        first = b" " + first
    return (len(first) <= WIDTH and first[1:3] in (b"RH", b"EC") and first[3:8].isdigit() and first[13:19].isdigit()
            and len(lines) > 1 and lines[1].lstrip(b" ")[:2] in (b"61", b"62", b"63", b"64", b"65", b"EF"))


def _records(path: Path) -> tuple[list[Record], str]:
    """(the records of ``path``, its encoding): lines padded back to 120 characters (trailing
    blanks, and the blank of column 1, may have been lost); a longer line or an unknown record
    type refuses the file."""
    text, encoding = decode_latin(Path(path).read_bytes(), path.name)
    out: list[Record]
    out, problems = [], []
    append = out.append
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if len(raw) == WIDTH and raw[0] == " " and raw[1:3] in CODES and raw[-1] != "\x1a":
            append(Record(raw, number, raw[1:3]))  # the usual record, as the specification lays it out
            continue
        line = raw.rstrip(" \x1a")
        if not line:
            continue
        if line[0] != " ":
            line = " " + line
        code = line[1:3]
        if len(line) == WIDTH and code in CODES:
            append(Record(line, number, code))
        elif len(line) > WIDTH:
            problems.append(Problem(path.name, f"line {number}: {len(line)} characters, a CBI record has {WIDTH} "
                                               "(a blank, the record type, the fields); is this really a CBI flow "
                                               "(or two records on one line)?"))
        elif code not in CODES:
            problems.append(Problem(path.name, f"line {number}: record type {code!r} (columns 2-3) is not one of "
                                               f"{', '.join(sorted(CODES))}"))
        else:
            append(Record(line.ljust(WIDTH), number, code))
        if len(problems) >= 20:
            break
    if problems:
        raise ValidationError(problems)
    return out, encoding


def _signed(rec: Record, sign_at: int, start: int, what: str) -> int:
    """The signed amount in cents: the sign (C/D) at ``sign_at``, 15 characters at ``start``."""
    sign = rec.text[sign_at]
    if sign not in SIGN:
        raise RecordError(f"sign of the {what} (column {sign_at + 1}) is {sign!r}, expected C (credit, avere) or "
                          "D (debit, dare)")
    value = rec.text[start:start + 15]
    if not (value[12] == "," and value[:12].isdigit() and value[13:].isdigit() and value.isascii()):
        raise RecordError(f"{what} (columns {start + 1}-{start + 15}) is {value!r}, expected 12 digits, a comma "
                          "and 2 decimals (000000001234,56)")
    return SIGN[sign] * int(value[:12] + value[13:])


def _money(value: int) -> str:
    return f"{Decimal(value).scaleb(-2):,.2f}"


class _Flow:
    __slots__ = ("record", "start", "statements")

    def __init__(self, rec: Record, start: int):
        digits(rec, 3, 8, "sender's ABI code")
        date(rec, 13, "dmy", "creation date")
        self.record, self.start, self.statements = rec, start, 0


class _Statement:
    __slots__ = ("record", "number", "key", "label", "currency", "day", "opening", "movements", "rows", "count")

    def __init__(self, rec: Record):
        text = rec.text
        self.record = rec
        digits(rec, 3, 10, "statement number")
        self.number = text[3:10]
        abi, cab, account = text[52:57], text[57:62], text[62:74]
        digits(rec, 52, 57, "ABI bank code")
        digits(rec, 57, 62, "CAB branch code")
        if not account.strip():
            raise RecordError("account number (columns 63-74) is blank")
        self.key = text[51] + abi + cab + account
        country, check = text[99:101], text[101:103]
        self.label = (f"account {country}{check}{self.key}" if country.isalpha() and check.isdigit()
                      else f"account ABI {abi} CAB {cab} {account.strip()}")
        currency = text[74:77]
        if pycountry.currencies.get(alpha_3=currency) is None:
            raise RecordError(f"currency (columns 75-77) is {currency!r}, expected an ISO 4217 code (EUR)")
        self.currency = currency
        self.day = date(rec, 77, "dmy", "date of the opening balance")
        self.opening = _signed(rec, 83, 84, "opening balance")
        self.rows: list[dict]
        self.movements, self.rows, self.count = 0, [], 0


def read_cbi(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    """See :func:`_read`; the cyclic garbage collector is paused while the hundreds of thousands of
    records and rows are made (none of them holds a cycle), as :func:`fixed.records` does."""
    import gc
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(path, policy)
    finally:
        if enabled:
            gc.enable()


def _read(path: Path, policy: ReadPolicy) -> BankLines:
    recs, encoding = _records(path)
    if not recs:
        raise fail(path.name, "empty CBI file")
    rows: list[dict]
    rows, problems, notes, debits = [], [], [], 0
    flow: _Flow | None = None
    stmt: _Statement | None = None
    closed: _Statement | None = None  # the statement whose 64 came last (its 65s may follow)
    movement: dict | None = None

    def close_movement() -> None:
        nonlocal movement
        if movement is not None and movement["amount"] > 0:
            inside = cast(_Statement, stmt)  # a movement is read only inside a statement
            inside.rows.append(_row(movement, inside))
        movement = None

    for index, rec in enumerate(recs):
        code = rec.code
        if code == "63" and movement is not None and rec.text[3:13] == movement["key"]:
            movement["details"].append(rec.text)  # the usual detail of the movement above: nothing to refuse
            continue
        try:
            if code == "RH":
                if flow is not None:
                    raise RecordError(f"a new flow starts before the one of line {flow.record.line} ended with its "
                                      "trailer (EF); is the file truncated?")
                flow, closed = _Flow(rec, index), None
                continue
            if code == "EC":
                raise RecordError("is the header of an EC flow (estratto conto, the periodic statement): its "
                                  "movements repeat the daily statements', so only RH flows (rendicontazione "
                                  "movimenti) are imported; ask the bank for the RH flow")
            if flow is None:
                raise RecordError("comes before any header record (RH): the flow has no start")
            if code == "61":
                if stmt is not None:
                    raise RecordError(f"a new statement starts before {stmt.label} ({where(stmt.record)}) ended with "
                                      "its closing balance (record 64); is the file truncated?")
                stmt, closed = _Statement(rec), None
                flow.statements += 1
                continue
            if code == "EF":
                if stmt is not None:
                    raise RecordError(f"the flow ends before {stmt.label} ({where(stmt.record)}) ended with its "
                                      "closing balance (record 64); is the file truncated?")
                _check_trailer(rec, flow, index - flow.start + 1)
                flow = closed = None
                continue
            if code == "65":
                if closed is None or rec.text[3:10] != closed.number:
                    raise RecordError("forward balances (record 65) that do not follow the closing balance (record 64) "
                                      f"of statement {rec.text[3:10]!r}")
                for k in range(5):
                    start = 10 + 22 * k
                    if rec.text[start:start + 22].strip():
                        date(rec, start, "dmy", f"date of forward balance {k + 1}")
                        _signed(rec, start + 6, start + 7, f"forward balance {k + 1}")
                continue
            if stmt is None:
                raise RecordError(f"record {code} of statement {rec.text[3:10]!r} outside a statement: no opening "
                                  "balance (record 61) is open")
            if rec.text[3:10] != stmt.number:
                raise RecordError(f"belongs to statement {rec.text[3:10]!r}, but the open one is {stmt.number} "
                                  f"({stmt.label}, {where(stmt.record)})")
            if code == "62":
                close_movement()
                movement = _movement(rec, stmt)
                stmt.movements += movement["amount"]
                debits += movement["amount"] <= 0
            elif code == "63":
                if movement is None:
                    raise RecordError("a detail (record 63) that follows no movement (record 62)")
                if rec.text[10:13] != movement["number"]:
                    raise RecordError(f"detail of movement {rec.text[10:13]!r} (columns 11-13), but the movement above "
                                      f"is {movement['number']!r} (line {movement['line']})")
                movement["details"].append(rec.text)
            else:  # 64
                close_movement()
                _check_close(rec, stmt)
                rows += stmt.rows
                closed, stmt = stmt, None
        except Unbalanced as exc:
            unbalanced = cast(_Statement, stmt)  # raised by _check_close, on a statement's closing balance
            if not policy.accept_unbalanced:
                problems.append(Problem(path.name, f"{where(rec)}: {unbalanced.label}: {exc}{UNBALANCED_HINT}"))
            else:
                notes.append(unbalanced_note(path.name, f"{unbalanced.label} of {unbalanced.day:%d/%m/%Y} "
                                                        f"({where(rec)})", exc))
                rows += unbalanced.rows
            closed, stmt = stmt, None
        except RecordError as exc:
            problems.append(Problem(path.name, f"{where(rec)}: {exc}"))
            if len(problems) >= 20:
                break
    if not problems and stmt is not None:
        problems.append(Problem(path.name, f"{stmt.label} ({where(stmt.record)}) has no closing balance (record 64): "
                                           "the file is truncated"))
    if not problems and flow is not None:
        problems.append(Problem(path.name, f"the flow of line {flow.record.line} has no trailer (EF): the file is "
                                           "truncated"))
    if problems:
        raise ValidationError(problems)
    return bank_lines(rows, debits, "CBI RH", notes + read_as(path.name, encoding))


def _movement(rec: Record, stmt: _Statement) -> dict:
    digits(rec, 10, 13, "movement number")
    stmt.count += 1
    text = rec.text
    return {"amount": _signed(rec, 25, 26, "amount"), "value": date(rec, 13, "dmy", "value date"),
            "booked": date(rec, 19, "dmy", "booking date"), "number": text[10:13], "key": text[3:13],
            "line": rec.line, "causale": text[41:43], "reference": text[61:77].strip(),
            "description": text[86:120].strip(), "position": stmt.count, "details": []}


def _check_close(rec: Record, stmt: _Statement) -> None:
    if rec.text[10:13] != stmt.currency:
        raise RecordError(f"currency (columns 11-13) is {rec.text[10:13]!r}, the statement's is {stmt.currency} "
                          f"({where(stmt.record)})")
    date(rec, 13, "dmy", "date of the closing balance")
    closing = _signed(rec, 19, 20, "closing accounting balance")
    if rec.text[35:51].strip():
        _signed(rec, 35, 36, "closing available balance")
    expected = stmt.opening + stmt.movements
    if expected != closing:
        raise Unbalanced(f"balances do not tie: opening {_money(stmt.opening)} + movements {_money(stmt.movements)} = "
                         f"{_money(expected)}, but the closing balance says {_money(closing)}; a movement is missing "
                         "or the file was edited", Decimal(closing - expected).scaleb(-2))


def _check_trailer(rec: Record, flow: _Flow, count: int) -> None:
    head = flow.record.text
    if rec.text[3:39] != head[3:39]:
        raise RecordError(f"sender, receiver, date and name (columns 4-39) are {rec.text[3:39].rstrip()!r}, the "
                          f"header's (line {flow.record.line}) are {head[3:39].rstrip()!r}")
    statements = digits(rec, 45, 52, "number of statements")
    if statements != flow.statements:
        raise RecordError(f"says the flow has {statements} statements (records 61), it has {flow.statements}; a "
                          "statement is missing or the file was edited")
    records = digits(rec, 82, 89, "number of records")
    if records != count:
        raise RecordError(f"says the flow has {records} records (RH and EF included), it has {count}; a "
                          "record is missing or the file was edited")


def _row(movement: dict, stmt: _Statement) -> dict:
    payer = account = end_to_end = ""
    texts = [movement["description"]]
    for detail in movement["details"]:
        flag = detail[13:16]
        if flag in SILENT_FLAGS:
            if flag == "YYY" and not payer:
                payer = detail[40:80].strip()
            elif flag == "ZZ2" and not payer:
                payer = detail[16:120].strip()
            elif flag == "YY2" and not account:
                account = detail[66:100].strip()
            elif flag == "ID1":
                end_to_end = meaningful_reference(detail[51:86])
        elif flag == "RI1":
            texts.append(detail[16:120])
        elif flag == "RI2":
            texts.append(detail[16:52])
        elif flag == "ZZ3":
            texts.append(detail[66:120])
        else:
            texts.append(detail[13:120])
    remittance = " ".join(" ".join(t for t in texts if t).split())
    if end_to_end and end_to_end not in remittance:
        remittance = f"{remittance} {end_to_end}".strip()
    value, amount = movement["value"], movement["amount"]
    # the id hashes (account, statement day, place in it, dates, amount, causale, bank reference, text) as
    # stable_id(prefix, *parts) would, the parts joined here in one string
    line = (f"{stmt.key}|{stmt.day}|{movement['position']}|{movement['booked']}|{value}|{amount}|"
            f"{movement['causale']}|{movement['reference']}|{remittance}")
    return {"payment_date": value.isoformat(), "amount": amount / 100, "currency": stmt.currency,
            "payer_name": " ".join(payer.split()), "payer_account": account.replace(" ", "") if account else "",
            "remittance": remittance, "customer_id": "", "payment_id": stable_id("CBI", line)}

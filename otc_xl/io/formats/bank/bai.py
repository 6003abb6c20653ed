"""United States: BAI2 (BAI Cash Management Balance Reporting Specifications, version 2).

Records end with ``/`` (a detail's text, its last field, may run to the end of the line) and go
on in ``88`` continuation records: ``01`` file header, ``02`` group (as-of date, currency), ``03``
account and its summary/status items (type code, amount, item count, funds type: ``010`` opening
ledger, ``015`` closing ledger, ``100`` total credits, ``400`` total debits …), ``16`` detail (type
code, amount in the currency's minor unit, funds type with its availability fields, bank
reference, customer reference, text), ``49``/``98``/``99`` trailers with control totals and record
counts.

Read strictly; every check refuses the file with its line and figures: the trailers' control
totals (the sum of the amounts of the account's ``03`` and ``16`` records, then of the accounts,
then of the groups) and record counts (physical records, ``88`` included); per account, the
opening ledger + detail credits − detail debits = the closing ledger when both are given
(``--accept-unbalanced`` imports an account that does not tie and says by how much). The ``100``
and ``400`` summaries are not compared with the details: the specification's own example reports
more credits in its ``100`` than it details. Type codes
100-399 and 920-959 are credits, 400-699 and 980-999 debits (the specification's ranges,
custom codes included). Credits become payments: value date (a value-dated detail's own date,
else the group's as-of date), amount, text and customer reference as remittance, the bank
reference as payment id when there is one.

Why not the ``bai2`` package (MIT, maintained): it refuses the specification's own example file
(a summary continued on an ``88`` record is joined without its comma: "Type code '190500000' is
not supported") and any type code missing from its table, and its errors name no line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ....model.problems import Problem, ValidationError
from .common import (
    STRICT,
    UNBALANCED_HINT,
    BankLines,
    ReadPolicy,
    Unbalanced,
    bank_lines,
    decode_text,
    meaningful_reference,
    read_as,
    stable_id,
    unbalanced_note,
)

OPENING_LEDGER, CLOSING_LEDGER = 10, 15
CODES = frozenset({"01", "02", "03", "16", "49", "88", "98", "99"})


def looks_like_bai2(head: bytes) -> bool:
    """A file header ``01,`` ended by ``/``, and a group header ``02,`` after it."""
    text = head.replace(b"\r", b"").lstrip()
    first = text.split(b"\n", 1)[0]
    return text.startswith(b"01,") and b"/" in first and b"02," in text[3:2000]


def is_credit(code: int) -> bool:
    return 100 <= code <= 399 or 920 <= code <= 959


def is_debit(code: int) -> bool:
    return 400 <= code <= 699 or 980 <= code <= 999


@dataclass
class _Record:
    code: str
    line: int
    fields: list[str]
    physical: int = 1

    def where(self) -> str:
        return f"line {self.line} (record {self.code})"


class _Bad(ValueError):
    pass


def _logical(text: str) -> list[_Record]:
    """Logical records: each ``88`` continuation joined to the record it continues (after a ``/``
    the next field starts; without one, the text field goes on)."""
    out: list[_Record] = []
    ended = True
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        code, sep, rest = line.partition(",")
        if code not in CODES or not sep:
            raise _Bad(f"line {number}: {line[:30]!r} is not a BAI2 record (expected 01, 02, 03, 16, 49, 88, 98 or 99 "
                       "and a comma)")
        body = rest.rstrip()
        closed = body.endswith("/")
        if closed:
            body = body[:-1]
        if "/" in body and code != "16" and code != "88":
            raise _Bad(f"line {number}: a record ends with '/' in the middle of the line ({line[:40]!r}); one record a "
                       "line is expected")
        if code == "88":
            if not out:
                raise _Bad(f"line {number}: a continuation (88) with no record before it")
            last = out[-1]
            parts = body.split(",")
            if ended or last.code != "16":
                last.fields += parts
            else:  # the detail's text goes on
                last.fields[-1] = f"{last.fields[-1]} {parts[0]}".strip()
                last.fields += parts[1:]
            last.physical += 1
        else:
            out.append(_Record(code, number, body.split(",")))
        ended = closed
    return out


def _int(record: _Record, k: int, what: str, signed: bool = False) -> int | None:
    value = record.fields[k].strip() if k < len(record.fields) else ""
    if value == "":
        return None
    digits = value[1:] if signed and value[:1] in "+-" else value
    if not digits.isdigit():
        raise _Bad(f"{record.where()}: {what} is {value!r}, expected {'a signed ' if signed else ''}whole number")
    return int(value)


def _date(record: _Record, k: int, what: str) -> dt.date:
    value = record.fields[k].strip() if k < len(record.fields) else ""
    try:
        return dt.datetime.strptime(value, "%y%m%d").date()
    except ValueError:
        raise _Bad(f"{record.where()}: {what} is {value!r}, expected a date (YYMMDD)") from None


def _funds(record: _Record, k: int) -> tuple[int, dt.date | None]:
    """(index after the funds type and its availability fields, value date if value-dated)."""
    kind = record.fields[k].strip().upper() if k < len(record.fields) else ""
    if kind in ("", "Z", "0", "1", "2"):
        return k + 1, None
    if kind == "S":
        for j in range(k + 1, k + 4):
            _int(record, j, "distributed availability", signed=True)
        return k + 4, None
    if kind == "V":
        value = record.fields[k + 1].strip() if k + 1 < len(record.fields) else ""
        return k + 3, (_date(record, k + 1, "value date") if value else None)
    if kind == "D":
        count = _int(record, k + 1, "number of distributions") or 0
        for j in range(count):
            _int(record, k + 3 + 2 * j, "distributed amount", signed=True)
        return k + 2 + 2 * count, None
    raise _Bad(f"{record.where()}: funds type {kind!r} is not one of Z, 0, 1, 2, S, V, D")


@dataclass
class _Account:
    record: _Record
    number: str
    currency: str
    summary: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    control: int = 0
    records: int = 1
    credits: list[tuple[int, Decimal]] = field(default_factory=list)
    debits: list[Decimal] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def _scale(currency: str) -> int:
    from babel.numbers import get_currency_precision
    return get_currency_precision(currency)


def read_bai2(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    text, encoding = decode_text(Path(path).read_bytes(), path.name)
    rows, problems, notes, debits = [], [], [], 0
    try:
        records = _logical(text)
        if not records or records[0].code != "01":
            raise _Bad("the file does not start with a file header (01)")
        version = records[0].fields[7].strip() if len(records[0].fields) > 7 else ""
        if version != "2":
            raise _Bad(f"{records[0].where()}: version {version!r}; only BAI version 2 is read")
        groups, file_control, file_records, ended = 0, 0, records[0].physical, False
        group: dict[str, Any] | None = None
        account = None
        for record in records[1:]:
            if ended:
                raise _Bad(f"{record.where()}: follows the file trailer (99)")
            file_records += record.physical
            if record.code == "99":
                if group is not None:
                    raise _Bad(f"{record.where()}: the file ends inside a group (no 98)")
                ended = True
            elif record.code == "02":
                if group is not None:
                    raise _Bad(f"{record.where()}: a group starts before the previous one ended (98)")
                as_of = _date(record, 3, "as-of date")
                currency = (record.fields[5].strip() if len(record.fields) > 5 else "") or "USD"
                status = record.fields[2].strip() if len(record.fields) > 2 else ""
                if status not in ("1", "2", "3", "4"):
                    raise _Bad(f"{record.where()}: group status {status!r} is not 1 (update), 2 (deletion), "
                               "3 (correction) or 4 (test only)")
                group = {"as_of": as_of, "currency": currency.upper(), "control": 0, "accounts": 0,
                         "records": record.physical, "record": record, "status": status}
                groups += 1
            elif group is None:
                raise _Bad(f"{record.where()}: outside any group (02 … 98)")
            elif record.code == "03":
                if account is not None:
                    raise _Bad(f"{record.where()}: an account starts before the previous one ended (49)")
                account = _open_account(record, group)
                group["records"] += record.physical
            elif record.code == "16":
                if account is None:
                    raise _Bad(f"{record.where()}: a detail outside any account (03 … 49)")
                _detail(record, account, group, path.name)
                group["records"] += record.physical
            elif record.code == "49":
                if account is None:
                    raise _Bad(f"{record.where()}: an account trailer with no account")
                account.records += record.physical
                group["records"] += record.physical
                _close_account(record, account)
                try:
                    _tie(account)
                except Unbalanced as exc:
                    where = f"account {account.number} ({account.record.where()})"
                    if not policy.accept_unbalanced:
                        raise _Bad(f"{where}: {exc}{UNBALANCED_HINT}") from None
                    notes.append(unbalanced_note(path.name, where, exc))
                if group["status"] in ("2", "4"):  # a deletion or a test: nothing of it is booked
                    notes.append(f"{path.name}: account {account.number} ({account.record.where()}) is in a group "
                                 f"marked {'deletion' if group['status'] == '2' else 'test only'}; "
                                 f"its {len(account.rows)} credit(s) were not imported")
                else:
                    rows += account.rows
                    debits += len(account.debits)
                group["control"] += _int(record, 0, "account control total", signed=True) or 0
                group["accounts"] += 1
                account = None
            elif record.code == "98":
                if account is not None:
                    raise _Bad(f"{record.where()}: the group ends before account {account.number} ended (49)")
                group["records"] += record.physical
                _trailer(record, "group", group["control"], group["accounts"], "accounts", group["records"])
                file_control += group["control"]
                group = None
        last = records[-1]
        if last.code != "99":
            if group is None:
                raise _Bad("no file trailer (99): the file is truncated")
            raise _Bad("the file ends inside a group (no 98, no 99): the file is truncated")
        _trailer(last, "file", file_control, groups, "groups", file_records)
    except _Bad as exc:
        problems.append(Problem(path.name, str(exc)))
    if problems:
        raise ValidationError(problems)
    return bank_lines(rows, debits, "BAI2", notes + read_as(path.name, encoding))


def _open_account(record: _Record, group: dict) -> _Account:
    number = record.fields[0].strip()
    currency = ((record.fields[1].strip() if len(record.fields) > 1 else "") or group["currency"]).upper()
    account = _Account(record, number, currency, records=record.physical)
    k = 2
    while k < len(record.fields):
        code = _int(record, k, "type code")
        if code is None:  # an empty field where a type code would start: banks differ on the commas
            k += 1        # around '/' and on empty summaries (",,,,"); nothing is read from it
            continue
        amount = _int(record, k + 1, f"amount of type {code:03d}", signed=True)
        count = _int(record, k + 2, f"item count of type {code:03d}")
        account.summary[code] = (amount, count)
        account.control += amount or 0
        k, _ = _funds(record, k + 3)
    return account


def _detail(record: _Record, account: _Account, group: dict, source: str) -> None:
    code = _int(record, 0, "type code")
    amount = _int(record, 1, "amount")
    if code is None or amount is None:
        raise _Bad(f"{record.where()}: a detail needs a type code and an amount")
    account.control += amount
    account.records += record.physical
    k, value_date = _funds(record, 2)
    scale = _scale(account.currency)
    money = Decimal(amount).scaleb(-scale)
    if is_debit(code):
        account.debits.append(money)
        return
    if not is_credit(code):
        raise _Bad(f"{record.where()}: type code {code:03d} is neither a credit (100-399, 920-959) nor a debit "
                   "(400-699, 980-999) detail")
    bank = meaningful_reference(record.fields[k].strip() if k < len(record.fields) else "")
    customer = meaningful_reference(record.fields[k + 1].strip() if k + 1 < len(record.fields) else "")
    text = " ".join(",".join(record.fields[k + 2:]).split())
    remittance = " ".join(t for t in (text, customer if customer and customer not in text else "") if t)
    day = value_date or group["as_of"]
    account.credits.append((code, money))
    account.rows.append({"payment_date": day.isoformat(), "amount": float(money), "currency": account.currency,
                         "payer_name": "", "payer_account": "", "remittance": remittance, "customer_id": "",
                         "payment_id": bank or stable_id("BAI2", account.number, group["as_of"], record.line,
                                                         amount, code, remittance)})


def _close_account(record: _Record, account: _Account) -> None:
    stated = _int(record, 0, "account control total", signed=True) or 0  # left blank by some banks when 0
    count = _int(record, 1, "number of records")
    if stated != account.control or count != account.records:
        raise _Bad(f"{record.where()}: account {account.number}: the trailer says control total {stated} over {count} "
                   f"records, the account has {account.control} over {account.records}; a record is missing or the "
                   "file was edited")


def _trailer(record: _Record, what: str, control: int, children: int, label: str, records: int) -> None:
    stated = (_int(record, 0, f"{what} control total", signed=True) or 0, _int(record, 1, f"number of {label}"),
              _int(record, 2, "number of records"))
    if stated != (control, children, records):
        raise _Bad(f"{record.where()}: the {what} trailer says control total {stated[0]}, {stated[1]} {label}, "
                   f"{stated[2]} records; the {what} has {control}, {children}, {records}; a record is missing or "
                   "the file was edited")


def _tie(account: _Account) -> None:
    scale = _scale(account.currency)
    credits = sum((m for _, m in account.credits), Decimal(0))
    debits = sum(account.debits, Decimal(0))
    opening = account.summary.get(OPENING_LEDGER, (None, None))[0]
    closing = account.summary.get(CLOSING_LEDGER, (None, None))[0]
    if opening is None or closing is None:
        return
    expected = Decimal(opening).scaleb(-scale) + credits - debits
    if expected != Decimal(closing).scaleb(-scale):
        raise Unbalanced(f"balances do not tie: opening ledger (010) {Decimal(opening).scaleb(-scale):,.2f} + credits "
                         f"{credits:,.2f} − debits {debits:,.2f} = {expected:,.2f}, but the closing ledger (015) says "
                         f"{Decimal(closing).scaleb(-scale):,.2f}; a detail is missing or the file was edited",
                         Decimal(closing).scaleb(-scale) - expected)

"""US: BAI lockbox transmissions, the file a bank sends of the checks its lockbox deposited that day.

Fixed-width records whose first character is the type: ``1`` immediate address header (the
transmission date), ``2`` service record, ``5`` lockbox (batch) header (batch number, lockbox number,
deposit date), ``6`` detail: one check (batch, item, amount, the remitter's bank routing (ABA) and
account numbers from the check's MICR line, check number), ``4`` overflow: the stub lines of the
check above (invoice, amount paid, deduction and reason where the layout carries them), ``7`` batch
total (its item count and amount), ``8`` service (lockbox) total, ``9`` destination trailer (the
number of records). Records 1, 2, 5, 8 and 9 may be absent (banks send as few as three record types);
every batch ends with its ``7``. A ``5`` opens a lockbox: its later batches have no header of their own
and keep its lockbox number and deposit date until the ``8``. The field positions differ from bank to
bank: they are data, one :class:`~.lockbox_layouts.LockboxLayout` per variant, tried in turn (the first
under which the file reads and ties is used).

Read strictly (a failure refuses the file, naming line, record, columns and what was expected).
The totals are checked independently of one another against the checks themselves: each batch's
count and sum against its ``7``, each lockbox's against its ``8``, the file's record count (and
count and amount, where the layout has them) against the ``9``. A file that does not tie is refused
with the figures, or with ``--accept-unbalanced`` imported with how far off each total is noted.

Each check becomes one receipt (deposit date, amount in USD, the routing and account numbers as the
payer's account ``ABA 021000021 ACCT 123456789``, which cash application reads as the IBAN is read;
lockbox, batch, item and check number as remittance) and each stub line one advice line joined to
it by payment id (:attr:`BankLines.advices`), which ``import-bank`` appends to the Advices table (one
line per check and invoice: two stub lines of one check for the same invoice are summed, to the cent).
Stub lines that pay more than their check are kept as sent and named in a note: cash application
sends such a check to review (its lines do not add up).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ....matching.advices import ADVICE_COLUMNS
from ....model.problems import Problem, ValidationError
from .advice import one_line_per_invoice
from .common import (
    STRICT,
    BankLines,
    ReadPolicy,
    Unbalanced,
    bank_lines,
    fail,
    read_as,
    stable_id,
    unbalanced_note,
)
from .fixed import Record, RecordError, date, decode_latin, digits
from .lockbox_layouts import LAYOUTS, LockboxLayout, Span, StubFields

CODES = frozenset("12456789")
LOCKBOX_HINT = ("; ask the bank for the file again — with --accept-unbalanced it is imported all the same and how "
                "far off each total is recorded")
NAMES = {"1": "immediate address header", "2": "service record", "4": "overflow", "5": "lockbox header",
         "6": "detail", "7": "batch total", "8": "service total", "9": "destination trailer"}


def looks_like_lockbox(head: bytes) -> bool:
    """Lines that all start with a lockbox record type and are no longer than the widest layout,
    with a detail record (``6``) whose amount field is digits, and a ``1`` or ``5`` first: no other
    format starts that way (Norma 43 has no ``5``/``6`` records, CFONB and CODA start with ``0``, a
    NACHA file's records are 94 characters)."""
    lines = [line.rstrip(b" \r\x1a") for line in head.split(b"\n")[:-1] or head.split(b"\n")]
    lines = [line for line in lines if line]
    widest = max(layout.width for layout in LAYOUTS)
    if not lines or lines[0][:1] not in (b"1", b"5") or any(
            line[:1].decode("latin-1") not in CODES or len(line) > widest for line in lines):
        return False
    if lines[0][:3] == b"101" and len(lines[0]) == 94:
        return False
    kinds = {line[:1] for line in lines}
    totals = any(line[:1] == b"7" and line[20:33].strip().isdigit() for line in lines)
    if b"6" not in kinds:  # a lockbox that deposited nothing: its header, a zero batch total, its trailer
        return b"5" in kinds and totals
    # a check whose amount is not digits is still a lockbox's check: the reader then names the field
    return totals or any(line[:1] == b"6" and any(line[a - 1:b].isdigit() for a, b in {lay.amount for lay in LAYOUTS})
                         for line in lines)


def read_lockbox(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    text, encoding = decode_latin(Path(path).read_bytes(), path.name)
    lines, problems, widths = [], [], {}
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.rstrip(" \x1a")
        if not line:
            continue
        widths[number] = len(raw.rstrip("\x1a"))  # as sent: trailing blanks are part of a record's width
        if line[0] not in CODES:
            problems.append(Problem(path.name, f"line {number}: record type {line[0]!r} is not one of "
                                               f"{', '.join(sorted(CODES))} (BAI lockbox)"))
            if len(problems) >= 20:
                break
        lines.append((number, line))
    if problems:
        raise ValidationError(problems)
    if not lines:
        raise fail(path.name, "empty lockbox file")
    failed: list[tuple[int, int, list[Problem]]] = []
    unbalanced: _Reading | None = None
    for rank, layout in enumerate(LAYOUTS):
        reading = _Reading(path.name, layout, widths)
        found = reading.run(lines)
        if found:
            failed.append((-_first_line(found), rank, found))
        elif not reading.ties:
            return reading.result(encoding)
        elif unbalanced is None:
            unbalanced = reading
    if unbalanced is not None:
        if not policy.accept_unbalanced:
            raise ValidationError([Problem(path.name, f"{where}: {exc}{LOCKBOX_HINT}")
                                   for where, exc in unbalanced.ties])
        unbalanced.notes += [unbalanced_note(path.name, where, exc) if exc.off_by else
                             f"{path.name}: {where} does not tie: {exc}; imported because --accept-unbalanced was "
                             "given" for where, exc in unbalanced.ties]
        return unbalanced.result(encoding)
    found = min(failed)[2]  # the layout read furthest into the file: the likeliest to be the bank's
    raise ValidationError(found)


def _first_line(problems: list[Problem]) -> int:
    return min((p.row for p in problems if isinstance(p.row, int)), default=0)


def _field(text: str, span: Span) -> str:
    return text[span[0] - 1:span[1]]


def _number(text: str) -> str:
    """A check number without the zeros that fill its field (``0000001001`` → ``1001``)."""
    text = text.strip()
    return text.lstrip("0") or text if text.isdigit() else text


class _Reading:
    """One pass over the records under one layout: receipts, stub lines, notes, totals that do not tie."""

    def __init__(self, file: str, layout: LockboxLayout, widths: dict[int, int] | None = None):
        self.file, self.layout, self.widths = file, layout, widths or {}
        self.rows: list[dict] = []
        self.advices: list[dict] = []
        self.notes: list[str] = []
        self.ties: list[tuple[str, Unbalanced]] = []
        self.header_date: dt.date | None = None
        self.batch: dict | None = None
        self.check: dict | None = None
        self.lockbox = [0, 0]  # checks and cents since the last service total (8)
        self.total = [0, 0]  # checks and cents of the file
        self.closed = {"8": False, "9": False}
        self.items: set[int] = set()
        self.totals = 0  # batch and service totals read (a file of no check is read when they say so)
        self.opened: tuple[str, dt.date | None] | None = None
        """The lockbox number and deposit date its header (5) gave: the banks send one header per lockbox,
        its batches after the first have none, until the service total (8) closes the lockbox."""

    def run(self, lines: list[tuple[int, str]]) -> list[Problem]:
        width, problems = self.layout.width, []
        handle = {"1": self._header, "2": self._service, "5": self._batch_header, "6": self._detail,
                  "4": self._overflow, "7": self._batch_total, "8": self._service_total, "9": self._trailer}
        for position, (number, line) in enumerate(lines):
            rec = Record(line if len(line) == width else line.ljust(width), number, line[0])
            try:
                if len(line) > width:
                    raise RecordError(f"is {len(line)} characters, a record of this layout has {width}")
                if self.closed["9"]:
                    raise RecordError("follows the destination trailer (record 9), which ends the file")
                handle[rec.code](rec, position + 1, len(lines))
            except RecordError as exc:
                sent = self.widths.get(number, len(line))
                short = (f"; the record is {sent} characters, shorter than the {width} of a record: cut off?"
                         if sent < width else "")
                problems.append(Problem(self.file, f"line {number} (record {rec.code}, {NAMES[rec.code]}): {exc}"
                                                   f"{short} [layout {self.layout.name}]", number))
                if len(problems) >= 20:
                    return problems
        if not problems:
            try:
                self._end()
            except RecordError as exc:
                problems.append(Problem(self.file, f"{exc} [layout {self.layout.name}]", lines[-1][0]))
        return problems

    # records ---------------------------------------------------------------------------------------

    def _header(self, rec: Record, position: int, count: int) -> None:
        if position != 1:
            raise RecordError("an immediate address header must be the file's first record")
        span = self.layout.transmission_date
        if span is not None and _field(rec.text, span).strip():
            self.header_date = date(rec, span[0] - 1, "ymd", "transmission date")

    def _service(self, rec: Record, position: int, count: int) -> None:
        if self.rows or self.batch is not None:
            raise RecordError("a service record comes before the first batch")

    def _batch_header(self, rec: Record, position: int, count: int) -> None:
        if self.batch is not None:
            self._unfinished()
        lay = self.layout
        when = _field(rec.text, lay.deposit_date)
        deposit = date(rec, lay.deposit_date[0] - 1, "ymd", "deposit date") if when.strip() else self.header_date
        self.items = set()
        self.batch = {"number": self._digits(rec, lay.batch, "batch number"), "line": rec.line,
                      "lockbox": _field(rec.text, lay.lockbox).strip(), "date": deposit, "items": 0, "cents": 0,
                      "header": True}
        self.opened = self.batch["lockbox"], deposit

    def _detail(self, rec: Record, position: int, count: int) -> None:
        lay = self.layout
        number = self._digits(rec, lay.batch, "batch number")
        if self.batch is None:  # no header of its own: the batch starts with its first check, in the open lockbox
            self.items = set()
            lockbox, deposit = self.opened or ("", self.header_date)
            self.batch = {"number": number, "line": rec.line, "lockbox": lockbox, "date": deposit,
                          "items": 0, "cents": 0, "header": False}
        elif number != self.batch["number"] and not self.batch["items"] and self.batch["header"]:
            # the header (5) was the lockbox's, its batch field not this batch's (``000`` at some banks)
            self.batch.update(number=number, line=rec.line)
        elif number != self.batch["number"]:
            raise RecordError(f"is a check of batch {number:03d} inside batch {self.batch['number']:03d} "
                              f"(line {self.batch['line']}), which has not ended with its batch total (record 7)")
        if self.batch["date"] is None:
            raise RecordError("has no deposit date: no lockbox header (record 5) before it gives one, nor an "
                              "immediate address header (record 1)")
        self._close_check()
        item = self._digits(rec, lay.item, "item number")
        if item in self.items:
            raise RecordError(f"item {item:03d} appears twice in batch {number:03d}")
        self.items.add(item)
        cents = self._digits(rec, lay.amount, "check amount")
        if cents == 0:
            raise RecordError(f"check amount (columns {lay.amount[0]}-{lay.amount[1]}) is zero")
        self.check = {"line": rec.line, "batch": number, "item": item,
                      "cents": cents, "routing": _field(rec.text, lay.routing).strip(),
                      "account": _field(rec.text, lay.account).strip(), "number": _number(_field(rec.text, lay.check)),
                      "stubs": [], "sequence": 0, "last": False, "memo": [],
                      "remitter": " ".join(_field(rec.text, lay.remitter).split()) if lay.remitter else ""}
        self.check["stubs"] += self._stubs(rec, lay.detail_stubs)
        self.batch["items"] += 1
        self.batch["cents"] += cents

    def _overflow(self, rec: Record, position: int, count: int) -> None:
        lay, check = self.layout, self.check
        if check is None:
            raise RecordError("an overflow record that follows no check (record 6)")
        batch, item = self._digits(rec, lay.batch, "batch number"), self._digits(rec, lay.item, "item number")
        if (batch, item) != (check["batch"], check["item"]):
            raise RecordError(f"is for batch {batch:03d} item {item:03d}, but follows the check of batch "
                              f"{check['batch']:03d} item {check['item']:03d} (line {check['line']})")
        if check["last"]:
            raise RecordError("follows the overflow record its check marked last (indicator 9)")
        sequence = self._digits(rec, lay.overflow_sequence, "overflow sequence number")
        if sequence != check["sequence"] + 1:
            raise RecordError(f"overflow sequence number is {sequence}, expected {check['sequence'] + 1}")
        check["sequence"] = sequence
        check["last"] = _field(rec.text, lay.overflow_last) == "9"
        check["stubs"] += self._stubs(rec, lay.overflow_stubs)
        if lay.overflow_memo is not None:
            check["memo"].append(" ".join(_field(rec.text, lay.overflow_memo).split()))

    def _batch_total(self, rec: Record, position: int, count: int) -> None:
        lay, batch = self.layout, self.batch
        number = self._digits(rec, lay.batch, "batch number")
        if batch is None:
            raise RecordError(f"a total of batch {number:03d} that no check or lockbox header opened")
        if number != batch["number"]:
            raise RecordError(f"is the total of batch {number:03d}, but batch {batch['number']:03d} (line "
                              f"{batch['line']}) is the one open")
        self._close_check()
        items = self._digits(rec, lay.batch_items, "batch item count")
        amount = self._digits(rec, lay.batch_amount, "batch amount")
        self._tie(rec, f"batch {number:03d}", "the batch total (record 7)", batch["items"], batch["cents"], items,
                  amount)
        self.lockbox[0] += batch["items"]
        self.lockbox[1] += batch["cents"]
        self.batch = None
        self.totals += 1

    def _service_total(self, rec: Record, position: int, count: int) -> None:
        lay = self.layout
        if self.batch is not None:
            self._unfinished()
        items = self._digits(rec, lay.lockbox_items, "lockbox item count")
        amount = self._digits(rec, lay.lockbox_amount, "lockbox amount")
        name = _field(rec.text, lay.lockbox).strip()
        self._tie(rec, f"lockbox {name}" if name else "lockbox", "the service total (record 8)", self.lockbox[0],
                  self.lockbox[1], items, amount)
        self.total[0] += self.lockbox[0]
        self.total[1] += self.lockbox[1]
        self.lockbox = [0, 0]
        self.opened = None
        self.closed["8"] = True

    def _trailer(self, rec: Record, position: int, count: int) -> None:
        lay = self.layout
        if self.batch is not None:
            self._unfinished()
        stated = self._digits(rec, lay.file_records, "record count")
        if stated != count:
            self.ties.append((f"line {rec.line} (record 9)", Unbalanced(
                f"the destination trailer (record 9) counts {stated:,} records, the file has {count:,}: a record "
                "is missing or the file was edited", Decimal(0))))
        checks = self.total[0] + self.lockbox[0], self.total[1] + self.lockbox[1]
        if lay.file_items is not None and lay.file_amount is not None:
            self._tie(rec, "the file", "the destination trailer (record 9)", checks[0], checks[1],
                      self._digits(rec, lay.file_items, "file item count"),
                      self._digits(rec, lay.file_amount, "file amount"))
        self.closed["9"] = True

    # helpers ---------------------------------------------------------------------------------------

    def _digits(self, rec: Record, span: Span, what: str) -> int:
        return digits(rec, span[0] - 1, span[1], what)

    def _stubs(self, rec: Record, slots: tuple[StubFields, ...]) -> list[dict]:
        out = []
        for slot in slots:
            invoice = _field(rec.text, slot.invoice).strip()
            paid_text = _field(rec.text, slot.paid)
            if not invoice and not paid_text.strip():
                continue  # an unused slot
            if not invoice:
                raise RecordError(f"a stub amount (columns {slot.paid[0]}-{slot.paid[1]}) without an invoice "
                                  f"number (columns {slot.invoice[0]}-{slot.invoice[1]})")
            paid = self._digits(rec, slot.paid, "stub amount paid")
            deduction = 0
            if slot.deduction is not None and _field(rec.text, slot.deduction).strip():
                deduction = self._digits(rec, slot.deduction, "stub deduction")
            reason = _field(rec.text, slot.reason).strip() if slot.reason is not None else ""
            out.append({"invoice": invoice, "paid": paid, "deduction": deduction, "reason": reason})
        return out

    def _tie(self, rec: Record, what: str, total: str, items: int, cents: int, stated_items: int,
             stated_cents: int) -> None:
        if (items, cents) == (stated_items, stated_cents):
            return
        off = Decimal(stated_cents - cents).scaleb(-2)
        self.ties.append((f"line {rec.line} (record {rec.code})", Unbalanced(
            f"{what}: its {items:,} check(s) sum {Decimal(cents).scaleb(-2):,.2f} but {total} says "
            f"{stated_items:,} check(s), {Decimal(stated_cents).scaleb(-2):,.2f} (off by {off:,.2f})", off)))

    def _unfinished(self) -> None:
        batch = self.batch or {}
        raise RecordError(f"batch {batch.get('number', 0):03d} (line {batch.get('line')}) has not ended with its "
                          "batch total (record 7)")

    def _close_check(self) -> None:
        check, batch = self.check, self.batch
        if check is None or batch is None:
            return
        self.check = None
        account = check["account"].lstrip("0") if check["account"].isdigit() else check["account"]
        payer = f"ABA {check['routing']} ACCT {account}" if check["routing"] or account else ""
        amount = Decimal(check["cents"]).scaleb(-2)
        where = f"BATCH {check['batch']:03d} ITEM {check['item']:03d}"
        remittance = " ".join(p for p in (f"LOCKBOX {batch['lockbox']}" if batch["lockbox"] else "", where,
                                          f"CHECK {check['number']}" if check["number"] else "", *check["memo"])
                              if p)
        pid = stable_id("LBX", batch["lockbox"], batch["date"], check["batch"], check["item"], check["number"],
                        check["routing"], check["account"], check["cents"])
        self.rows.append({"payment_date": batch["date"].isoformat(), "amount": float(amount), "currency": "USD",
                          "payer_name": check["remitter"], "payer_account": payer, "remittance": remittance,
                          "customer_id": "", "payment_id": pid})
        paid = sum(s["paid"] for s in check["stubs"])
        if paid > check["cents"]:
            self.notes.append(f"{self.file}: line {check['line']} ({where}, check {check['number'] or '?'}): its "
                              f"stub lines pay {Decimal(paid).scaleb(-2):,.2f}, more than the check's {amount:,.2f} "
                              f"(by {Decimal(paid - check['cents']).scaleb(-2):,.2f}); kept as sent, cash "
                              "application sends the check to review")
        source = f"{self.file} (lockbox stub, {where.lower()})"
        self.advices += [{"payment_id": pid, "invoice_id": s["invoice"], "paid_amount": s["paid"] / 100,
                          "deduction_amount": s["deduction"] / 100 if s["deduction"] else None,
                          "reason": s["reason"], "source": source} for s in check["stubs"]]

    def _end(self) -> None:
        if self.batch is not None:
            raise RecordError(f"batch {self.batch['number']:03d} (line {self.batch['line']}) has no batch total "
                              "(record 7): the file is truncated")
        if not self.rows:
            if not self.totals:
                raise RecordError("the file holds no check (record 6) and no total that says it deposited none")
            self.notes.append(f"{self.file}: no check deposited; its totals (records 7, 8) say so")
        if not self.closed["8"] and not self.closed["9"]:
            self.notes.append(f"{self.file}: no service total (record 8) nor destination trailer (record 9): only "
                              "the batch totals (record 7) were checked")
        elif not self.closed["8"] and self.lockbox[0] and self.layout.file_items is None:
            self.notes.append(f"{self.file}: no service total (record 8) and a trailer without totals: only the "
                              "batch totals (record 7) and the record count were checked")

    def result(self, encoding: str) -> BankLines:
        lines = bank_lines(self.rows, 0, f"BAI lockbox ({self.layout.name})", self.notes + read_as(self.file,
                                                                                                  encoding))
        # bank_lines may renumber ids (in the rows' order): the stub lines follow their check's new id; two
        # checks alike in every field would share stub lines, so such a file is refused
        renamed = dict(zip([r["payment_id"] for r in self.rows], lines.payments["payment_id"]))
        if len(renamed) != len(self.rows):
            raise fail(self.file, "two checks with the same lockbox, batch, item, check number, account and amount")
        # Advices keeps one line per check and invoice: two stub lines for one invoice are summed
        advices = one_line_per_invoice(pd.DataFrame(self.advices, columns=ADVICE_COLUMNS))
        advices["payment_id"] = advices["payment_id"].map(renamed)
        lines.advices = advices
        return lines

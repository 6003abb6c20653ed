"""A writer of BAI lockbox transmissions in the default layout (80 characters, one stub per overflow
record), for the lockbox benchmark and the round-trip tests. Like the statement writers in
:mod:`otc_xl.demo.bank_writers`, it knows nothing of otc_xl's reader: the columns below are written
from the layout table in docs/bank-formats.md, and what it writes is the expectation the reader is
checked against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Stub:
    invoice: str
    paid: Decimal
    deduction: Decimal = Decimal(0)
    reason: str = ""


@dataclass
class Check:
    amount: Decimal
    routing: str
    account: str
    number: str
    stubs: list[Stub] = field(default_factory=list)


def _cents(value: Decimal, width: int) -> str:
    text = str(int(value * 100))
    if value < 0 or len(text) > width:
        raise ValueError(f"{value} does not fit {width} digits")
    return text.rjust(width, "0")


def _record(*parts: tuple[int, str]) -> str:
    """An 80-character record from (first column, text) parts."""
    out = [" "] * 80
    for column, text in parts:
        out[column - 1:column - 1 + len(text)] = list(text)
    return "".join(out)


def lockbox(deposits: list[tuple[str, dt.date, list[list[Check]]]], header: bool = True, trailer: bool = True,
            service_totals: bool = True, sep: str = "\n") -> str:
    """A transmission of ``(lockbox number, deposit date, batches)``, each batch a list of checks.

    Records: ``1`` (transmission date, columns 24-29), ``2``, per lockbox its batches (``5`` header:
    batch 2-4, lockbox 8-14, deposit date 15-20; ``6`` per check: batch 2-4, item 5-7, amount 8-17,
    routing 18-26, account 27-36, check number 37-46; ``4`` per stub: batch, item, ``6`` in 8,
    sequence 9-10, ``9`` in 11 on the last, invoice 12-27, paid 28-37, deduction 38-47, reason
    48-80; ``7`` total: item count 21-23, amount 24-33), then ``8`` (count 21-24, amount 25-34) and
    ``9`` (number of records 2-7)."""
    first = deposits[0][1] if deposits else dt.date(2026, 11, 20)
    out = []
    if header:
        out += [_record((1, "1"), (2, "01"), (4, "0000OTCXL1"), (14, "0210000210"), (24, f"{first:%y%m%d}"),
                        (30, "0600")),
                _record((1, "2"), (2, "0000OTCXL1"), (12, "0210000210"), (32, "400"), (35, "080"))]
    for number, day, batches in deposits:
        items, total = 0, Decimal(0)
        for b, checks in enumerate(batches, start=1):
            out.append(_record((1, "5"), (2, f"{b:03d}"), (5, "000"), (8, number.rjust(7, "0")),
                               (15, f"{day:%y%m%d}")))
            for i, check in enumerate(checks, start=1):
                out.append(_record((1, "6"), (2, f"{b:03d}"), (5, f"{i:03d}"), (8, _cents(check.amount, 10)),
                                   (18, check.routing), (27, check.account.rjust(10, "0")),
                                   (37, check.number.rjust(10, "0"))))
                for s, stub in enumerate(check.stubs, start=1):
                    out.append(_record((1, "4"), (2, f"{b:03d}"), (5, f"{i:03d}"), (8, "6"), (9, f"{s:02d}"),
                                       (11, "9" if s == len(check.stubs) else "0"), (12, stub.invoice[:16]),
                                       (28, _cents(stub.paid, 10)),
                                       (38, _cents(stub.deduction, 10) if stub.deduction else ""),
                                       (48, stub.reason[:33])))
            amount = sum((c.amount for c in checks), Decimal(0))
            out.append(_record((1, "7"), (2, f"{b:03d}"), (5, "999"), (8, number.rjust(7, "0")),
                               (15, f"{day:%y%m%d}"), (21, f"{len(checks):03d}"), (24, _cents(amount, 10))))
            items, total = items + len(checks), total + amount
        if service_totals:
            out.append(_record((1, "8"), (2, "000"), (5, "000"), (8, number.rjust(7, "0")), (15, f"{day:%y%m%d}"),
                               (21, f"{items:04d}"), (25, _cents(total, 10))))
    if trailer:
        out.append(_record((1, "9"), (2, f"{len(out) + 1:06d}")))
    return sep.join(out) + sep

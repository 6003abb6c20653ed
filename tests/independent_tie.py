"""An independent tie check of bank statements, written apart from otc_xl's readers (and sharing
no code with them): for each statement, the opening balance, every movement and the closing
balance, read with the plainest rules of each format, and whether they tie.

Used by the public corpus test: a file whose statements all tie must be read with exactly these
receipts; a file where one does not tie (or that this check cannot read at all) must be refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Statement:
    opening: Decimal
    closing: Decimal | None
    movements: list[Decimal] = field(default_factory=list)

    @property
    def ties(self) -> bool:
        return self.closing is not None and self.opening + sum(self.movements, Decimal(0)) == self.closing


@dataclass
class Summary:
    statements: list[Statement]
    readable: bool = True
    """False when the file breaks the format's structure (no statement can be checked)."""
    credits: list[Decimal] | None = None
    """The receipts, where they are not simply the positive movements (camt: reversals, batches)."""
    intact: bool = True
    """False when one of the format's own control figures other than the balances (a trailer's
    record count, the account a closing record names) disagrees with the file: it was edited."""

    @property
    def ties(self) -> bool:
        return self.readable and self.intact and all(s.ties for s in self.statements)

    @property
    def receipts(self) -> list[Decimal]:
        if self.credits is not None:
            return self.credits
        return [m for s in self.statements for m in s.movements if m > 0]


def _mt_amount(text: str) -> Decimal:
    whole, _, cents = text.replace(".", ",").partition(",")
    return Decimal(f"{whole or 0}.{(cents or '0'):0<2}")


_MT_BALANCE = re.compile(r"^:6([02])[FM]?:([CD])\d{6}([A-Z]{3})?(\d+[,.]?\d*)", re.M)
_MT_LINE = re.compile(r"^:61:\d{6}(?:\d{4})?\s*(R?[CD])[A-Z]?\n?(\d+[,.]\d*|\d+)", re.M)


def mt940(text: str) -> Summary:
    """Statements of an MT940 text: each ``:60x:`` opens one, ``:61:`` lines move it, ``:62x:``
    closes it. Reversal marks follow SWIFT: RC is a debit, RD a credit. MT942 (no balances) is
    not checked here (readable False)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    events = sorted([(m.start(), "bal", m) for m in _MT_BALANCE.finditer(text)]
                    + [(m.start(), "line", m) for m in _MT_LINE.finditer(text)], key=lambda e: e[0])
    statements: list[Statement] = []
    current: Statement | None = None
    for _, kind, m in events:
        if kind == "bal":
            amount = _mt_amount(m.group(4)) * (1 if m.group(2) == "C" else -1)
            if m.group(1) == "0":
                current = Statement(amount, None)
                statements.append(current)
            elif current is not None:
                current.closing, current = amount, None
        elif current is not None:
            sign = 1 if m.group(1) in ("C", "RD") else -1
            current.movements.append(sign * _mt_amount(m.group(2)))
    if not statements:  # MT942: no balances; its :90C:/:90D: sums stand for them
        sums = {m.group(1): _mt_amount(m.group(2)) for m in re.finditer(r"^:90([CD]):\d+[A-Z]{3}(\d+,\d*)", text, re.M)}
        lines = [(1 if m.group(1) in ("C", "RD") else -1) * _mt_amount(m.group(2)) for m in _MT_LINE.finditer(text)]
        if sums and lines:
            statements = [Statement(Decimal(0), sums.get("C", Decimal(0)) - sums.get("D", Decimal(0)), lines)]
    return Summary(statements, readable=bool(statements))


def norma43(text: str) -> Summary:
    """11 opens an account (sign at column 33, 14 digits), 22 moves it (sign at 28, 14 digits),
    33 closes it (sign at 59, 14 digits; bank, branch and account in 3-20, those of its 11). 88
    ends the file: columns 21-26 count the records before it (AEB, Cuaderno 43, 2.6: "número total
    de registros que contiene el fichero, excluyéndose a sí mismo")."""
    statements, current, opened, records, intact = [], None, "", 0, True
    for line in text.replace("\r", "").split("\n"):
        try:
            if line.startswith("88"):
                intact = intact and int(line[20:26]) == records
            elif line[:2] in ("11", "22", "23", "24", "33"):
                records += 1
            if line.startswith("11"):
                current = Statement((-1 if line[32] == "1" else 1) * Decimal(int(line[33:47])) / 100, None)
                opened = line[2:20]
                statements.append(current)
            elif line.startswith("22") and current is not None:
                current.movements.append((-1 if line[27] == "1" else 1) * Decimal(int(line[28:42])) / 100)
            elif line.startswith("33") and current is not None:
                current.closing = (-1 if line[58] == "1" else 1) * Decimal(int(line[59:73])) / 100
                intact = intact and line[2:20] == opened
                current = None
        except (ValueError, IndexError):
            return Summary(statements, readable=False)
    return Summary(statements, readable=bool(statements) and current is None
                   and any(line.startswith("88") for line in text.split("\n")), intact=intact)


_SIGNS = {**{c: (i, 1) for i, c in enumerate("{ABCDEFGHI")}, **{c: (i, -1) for i, c in enumerate("}JKLMNOPQR")}}


def _cfonb_amount(line: str) -> Decimal:
    digit, sign = _SIGNS[line[103]]
    return sign * Decimal(int(line[90:103] + str(digit))) / Decimal(10) ** int(line[19])


def cfonb120(text: str) -> Summary:
    """01 opens a statement, 04 moves it, 07 closes it (amount in columns 91-104, overpunched)."""
    statements, current = [], None
    for line in text.replace("\r", "").split("\n"):
        if not line.strip():
            continue
        try:
            if len(line.rstrip()) > 120:
                return Summary(statements, readable=False)
            if line.startswith("01"):
                if current is not None:
                    return Summary(statements, readable=False)
                current = Statement(_cfonb_amount(line), None)
                statements.append(current)
            elif line.startswith("04"):
                if current is None:
                    return Summary(statements, readable=False)
                current.movements.append(_cfonb_amount(line))
            elif line.startswith("07"):
                if current is None:
                    return Summary(statements, readable=False)
                current.closing, current = _cfonb_amount(line), None
            elif line.startswith("05") and current is None:
                return Summary(statements, readable=False)
        except (ValueError, KeyError, IndexError):
            return Summary(statements, readable=False)
    return Summary(statements, readable=bool(statements) and current is None)


CHECKS = {"mt940": mt940, "norma43": norma43, "cfonb120": cfonb120}


def bai2(text: str) -> Summary:
    """Records joined with their 88 continuations; per 03 account the 010 opening and 015 closing
    ledger (when both are there), the 16 details (100-399 credits, 400-699 debits, in cents) and
    the 49 control total (the sum of every amount of the account). Other records' structure is not
    checked here: an account without both ledgers counts as tied when its control total adds up."""
    joined: list[list[str]] = []
    for raw in text.replace("\r", "").split("\n"):
        line = raw.strip()
        if not line:
            continue
        code, _, rest = line.partition(",")
        if code not in ("01", "02", "03", "16", "49", "88", "98", "99"):
            return Summary([], readable=False)
        fields = rest.rstrip("/").split(",")
        if code == "88" and joined:
            joined[-1] += fields
        else:
            joined.append([code] + fields)
    statements, control, current = [], 0, None
    for record in joined:
        try:
            if record[0] == "03":
                items = [f for f in record[3:]]
                summary, k = {}, 0
                while k + 1 < len(items):
                    if items[k].strip().isdigit() and len(items[k].strip()) == 3:
                        summary[items[k].strip()] = items[k + 1].strip()
                        control += int(items[k + 1]) if items[k + 1].strip() else 0
                        k += 4
                    else:
                        k += 1
                opening = Decimal(int(summary.get("010") or 0)) / 100
                closing = Decimal(int(summary["015"])) / 100 if summary.get("015") else None
                current = Statement(opening, closing if "010" in summary else None)
                current.has_ledgers = "010" in summary and "015" in summary
                statements.append(current)
            elif record[0] == "16" and current is not None:
                code, amount = int(record[1]), int(record[2])
                control += amount
                if 100 <= code <= 399:
                    current.movements.append(Decimal(amount) / 100)
                elif 400 <= code <= 699:
                    current.movements.append(-Decimal(amount) / 100)
            elif record[0] == "49" and current is not None:
                stated = int(record[1]) if record[1].strip() else 0
                if stated != control:
                    current.closing = Decimal("NaN")
                if not current.has_ledgers and stated == control:
                    current.closing = current.opening + sum(current.movements, Decimal(0))
                current, control = None, 0
        except (ValueError, IndexError, KeyError):
            return Summary(statements, readable=False)
    return Summary(statements, readable=bool(statements))


CHECKS["bai2"] = bai2


def coda(text: str) -> Summary:
    """Per statement: the old balance (record 1), every movement of detail number 0000 (record
    2.1: sign at column 32, amount in 33-47 with three decimals), the new balance (record 8).
    Receipts: the credit movements; a globalised one (code in column 125) whose details (the same
    sequence number in 3-6, detail numbers after 0000) add up to it stands for its credit details.
    The trailer (record 9) counts, in columns 17-22, the statement's records 1, 2.x, 3.x and 8
    (Febelfin, CODA 2: not the free messages 4)."""
    statements, current, receipts, group, records, intact = [], None, [], [], 0, True

    def close_group() -> None:
        total, details = (group[0], group[1:]) if group else (Decimal(0), [])
        if details and sum(details, Decimal(0)) == total:
            receipts.extend(d for d in details if d > 0)
        elif total > 0:
            receipts.append(total)
        group.clear()

    for line in text.replace("\r", "").split("\n"):
        try:
            if line[:1] in ("1", "2", "3", "8"):
                records += 1
            elif line.startswith("9"):
                intact, records = intact and int(line[16:22]) == records, 0
            if line.startswith("1"):
                current = Statement((-1 if line[42] == "1" else 1) * Decimal(int(line[43:58])) / 1000, None)
                statements.append(current)
            elif line.startswith("21") and current is not None:
                amount = (-1 if line[31] == "1" else 1) * Decimal(int(line[32:47])) / 1000
                if line[6:10] == "0000":
                    close_group()
                    current.movements.append(amount)
                    group.append(amount)
                    if line[124] == "0":  # not globalised: no details of its own to stand for it
                        close_group()
                elif group:
                    group.append(amount)
            elif line.startswith("8") and current is not None:
                close_group()
                current.closing = (-1 if line[41] == "1" else 1) * Decimal(int(line[42:57])) / 1000
                current = None
        except (ValueError, IndexError):
            return Summary(statements, readable=False)
    return Summary(statements, readable=bool(statements) and current is None, credits=receipts, intact=intact)


CHECKS["coda"] = coda


def ofx(text: str) -> Summary:
    """OFX has no opening balance: nothing ties or fails to. Here: every bank statement's
    (``<STMTRS>``, not a card's) transactions found by their ``<TRNAMT>``, ``<DTPOSTED>`` and
    ``<FITID>`` tags; the file counts as readable when each has the three, a plain number and a
    real date, and the server status is 0."""
    upper = text.upper()
    codes = re.findall(r"<CODE>\s*(\d+)", upper)
    if any(c != "0" for c in codes):
        return Summary([], readable=False)
    statements = []
    for body in re.findall(r"<STMTRS>(.*?)</STMTRS>", text, re.S | re.I):
        statement = Statement(Decimal(0), None)
        for tx in re.findall(r"<STMTTRN>(.*?)</STMTTRN>", body, re.S | re.I):
            amount = re.search(r"<TRNAMT>\s*([^<\s]*)", tx, re.I)
            posted = re.search(r"<DTPOSTED>\s*(\d{8})", tx, re.I)
            fitid = re.search(r"<FITID>\s*([^<\s]+)", tx, re.I)
            curdef = re.search(r"<CURDEF>\s*([A-Z]{3})\b", body, re.I)
            if not (amount and posted and fitid and curdef) or not re.fullmatch(r"[+-]?\d+(\.\d+)?", amount.group(1)):
                return Summary([], readable=False)
            import datetime as _dt
            try:
                _dt.date(int(posted.group(1)[:4]), int(posted.group(1)[4:6]), int(posted.group(1)[6:]))
            except ValueError:
                return Summary([], readable=False)
            statement.movements.append(Decimal(amount.group(1)))
        statement.closing = sum(statement.movements, Decimal(0))  # no balance to tie: recorded as tied
        statements.append(statement)
    for _ in re.findall(r"<CCSTMTRS>", text, re.I):  # a card's statement: readable, no receipts of ours
        statements.append(Statement(Decimal(0), Decimal(0)))
    return Summary(statements, readable=bool(statements))


CHECKS["ofx"] = ofx


def _it_amount(sign: str, text: str) -> Decimal:
    if sign not in ("C", "D"):
        raise ValueError(sign)
    return (1 if sign == "C" else -1) * Decimal(text.strip().replace(",", "."))


def cbi(text: str) -> Summary:
    """CBI RH, columns counted from the blank of column 1 (added back where a line lost it): 61
    opens a statement (sign in column 84, balance in 85-99, decimal comma), 62 moves it (sign 26,
    amount 27-41), 64 closes it (sign 20, balance 21-35); the flow ends with EF."""
    statements, current, ended = [], None, False
    for raw in text.replace("\r", "").split("\n"):
        line = raw if raw.startswith(" ") else " " + raw
        kind = line[1:3]
        try:
            if len(line.rstrip()) > 120:
                return Summary(statements, readable=False)
            if kind == "61":
                if current is not None:
                    return Summary(statements, readable=False)
                current = Statement(_it_amount(line[83], line[84:99]), None)
                statements.append(current)
            elif kind == "62":
                if current is None:
                    return Summary(statements, readable=False)
                current.movements.append(_it_amount(line[25], line[26:41]))
            elif kind == "64":
                if current is None:
                    return Summary(statements, readable=False)
                current.closing, current = _it_amount(line[19], line[20:35]), None
            elif kind == "EF":
                ended = True
        except (ValueError, ArithmeticError, IndexError):
            return Summary(statements, readable=False)
    return Summary(statements, readable=bool(statements) and current is None and ended)


CHECKS["cbi"] = cbi


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _kids(element, name: str) -> list:
    return [c for c in element if _local(c) == name] if element is not None else []


def _kid(element, *names: str):
    for name in names:
        found = _kids(element, name)
        element = found[0] if found else None
    return element


def _kid_text(element, *names: str) -> str:
    found = _kid(element, *names)
    return (found.text or "").strip() if found is not None else ""


def camt(text: str) -> Summary:
    """ISO 20022 camt.052/053/054 (any version, namespaces ignored): per ``Stmt``/``Rpt``/``Ntfctn``
    the opening (``OPBD``, else ``PRCD``) and closing (``CLBD``) balances and every booked entry
    (``Sts`` or ``Sts/Cd`` BOOK, or none), signed by its ``CdtDbtInd`` alone. A report without both
    balances has nothing to tie (recorded as tied). Receipts: booked credit entries that are not
    reversals (``RvslInd``), split into their transactions when two or more each carry an amount.
    A document with no entry at all (booked or not) and no statement giving both balances proves
    nothing (unreadable)."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(text.encode("latin-1"))
    except Exception:
        return Summary([], readable=False)
    statements, receipts = [], []
    for message in root:
        for report in [c for c in message if _local(c) in ("Stmt", "Rpt", "Ntfctn")]:
            balances: dict[str, Decimal] = {}
            for bal in _kids(report, "Bal"):
                code = _kid_text(bal, "Tp", "CdOrPrtry", "Cd")
                amount = Decimal(_kid_text(bal, "Amt"))
                # ISO amounts carry no sign: a balance without its indicator is taken as a credit
                balances.setdefault(code, -amount if _kid_text(bal, "CdtDbtInd") == "DBIT" else amount)
            opening = balances.get("OPBD", balances.get("PRCD"))
            statement = Statement(opening if opening is not None else Decimal(0), balances.get("CLBD"))
            for entry in _kids(report, "Ntry"):
                status = (_kid_text(entry, "Sts", "Cd") or _kid_text(entry, "Sts") or "BOOK").upper()
                if status != "BOOK":
                    continue
                amount = Decimal(_kid_text(entry, "Amt"))
                credit = _kid_text(entry, "CdtDbtInd") == "CRDT"
                statement.movements.append(amount if credit else -amount)
                if credit and _kid_text(entry, "RvslInd").lower() not in ("true", "1"):
                    parts = [_kid_text(tx, "Amt") or _kid_text(tx, "AmtDtls", "TxAmt", "Amt")
                             for tx in _kids(_kid(entry, "NtryDtls"), "TxDtls")]
                    receipts += [Decimal(p) for p in parts] if len(parts) > 1 and all(parts) else [amount]
            if opening is None or statement.closing is None:
                statement.closing = statement.opening + sum(statement.movements, Decimal(0))
            statements.append(statement)
    proven = any(_kids(r, "Ntry") for m in root for r in m) or any(
        {"CLBD"} <= {_kid_text(b, "Tp", "CdOrPrtry", "Cd") for b in _kids(r, "Bal")}
        and {"OPBD", "PRCD"} & {_kid_text(b, "Tp", "CdOrPrtry", "Cd") for b in _kids(r, "Bal")}
        for m in root for r in m if _local(r) in ("Stmt", "Rpt", "Ntfctn"))
    return Summary(statements, readable=bool(statements) and proven, credits=receipts)


CHECKS["camt"] = camt


def lockbox(text: str) -> Summary:
    """BAI lockbox, the columns every layout here shares: each batch is a statement opening at 0,
    its checks (record 6, amount in columns 8-17, cents) the movements, its total (record 7, columns
    24-33) the closing; a lockbox total (record 8, 25-34) must equal its batches' checks and a trailer
    (record 9, 2-7) must count the records, else the file is not intact."""
    statements, current, intact, since = [], None, True, Decimal(0)
    records = [line.rstrip() for line in text.replace("\r", "").split("\n") if line.strip()]
    try:
        for line in records:
            kind = line[0]
            if kind == "6":
                if current is None:
                    current = Statement(Decimal(0), None)
                    statements.append(current)
                current.movements.append(Decimal(int(line[7:17])) / 100)
            elif kind == "7":
                if current is None:  # a batch of no check
                    current = Statement(Decimal(0), None)
                    statements.append(current)
                current.closing = Decimal(int(line[23:33])) / 100
                since += sum(current.movements, Decimal(0))
                current = None
            elif kind == "8":
                intact &= Decimal(int(line[24:34])) / 100 == since
                since = Decimal(0)
            elif kind == "9":
                intact &= int(line[1:7]) == len(records)
            elif kind not in "1245":
                return Summary(statements, readable=False)
    except (ValueError, IndexError):
        return Summary(statements, readable=False)
    return Summary(statements, readable=bool(statements) and current is None, intact=intact)


CHECKS["lockbox"] = lockbox

"""ISO 20022 bank-to-customer reports (camt.052), statements (camt.053) and notifications (camt.054).

A file with a DTD is parsed by defusedxml, so an external entity or an entity-expansion bomb is
refused before anything is expanded; a UTF-8 file without one (it cannot declare entities) is
parsed by the standard library's C parser. Entries are processed as they are read and freed. Any
message version is read (``.001.02`` … ``.001.10``).

Each booked credit entry becomes one payment; a batch entry with several transaction details
(``TxDtls``) becomes one payment per transaction, each with its own amount: ``TxDtls/Amt``, else
``AmtDtls/TxAmt/Amt``, else ``AmtDtls/InstdAmt/Amt`` in the entry's currency. Debits, reversals
and entries not booked (``Sts`` PDNG, INFO) are counted and skipped.

Guards (a failure refuses the file, naming statement, entry and figures):

* amounts are ISO 20022 amounts (digits, a point, no sign) and dates real dates;
* the transactions of a batch entry add up to the entry's amount, in the entry's currency;
* a statement that carries its opening (``OPBD``/``PRCD``) and closing (``CLBD``) balances ties:
  opening + booked credits − booked debits = closing (``CdtDbtInd`` is the direction of the
  booking, reversals included: ``RvslInd`` marks a reversal, it does not flip the sign);
* every receipt is in the entry's currency, and the entry's currency is the account's when the
  account states one.

Payment ids are the bank's own reference of the transaction or entry (``AcctSvcrRef``) when it
is meaningful; stand-ins for no reference (``NONREF``, ``NOTPROVIDED``, empty) never count, and the id is then
derived from the statement id, position, value date, amount and text, so the same file always
gives the same ids and the next day's file never collides with today's. The ultimate debtor
(``UltmtDbtr``: often the real customer when a parent company or a payment provider pays) is
added to the remittance text. A payment the bank converted keeps the amount instructed in the other currency
and the bank's rate (``instructed_currency``, ``instructed_amount``, ``exchange_rate``; see ``conversion.py``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as StdElementTree
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree

from ....model.problems import Problem, ValidationError
from ....model.values import parse_iso_amount
from .common import (
    STRICT,
    UNBALANCED_HINT,
    BankLines,
    ReadPolicy,
    Unbalanced,
    fail,
    frame,
    meaningful_reference,
    stable_id,
    unbalanced_note,
    with_unique_ids,
)
from .conversion import conversion

KINDS = {"camt.052": ("BkToCstmrAcctRpt", "Rpt", "report"),
         "camt.053": ("BkToCstmrStmt", "Stmt", "statement"),
         "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification")}
OPENING, CLOSING = ("OPBD", "PRCD"), ("CLBD",)


def looks_like_camt(head: bytes) -> bool:
    return b"<" in head[:200] and (b"camt.05" in head or b"BkToCstmr" in head)


def _events(data: bytes, name: str):
    """(event, element) pairs of the document, parsed safely.

    A document that declares a DTD (``<!DOCTYPE``/``<!ENTITY``: the only carriers of entity
    expansion and external-entity attacks), or is not in an ASCII-compatible encoding, is parsed by
    defusedxml, which refuses entities. A UTF-8 document without a DTD cannot define entities, so
    it is parsed by the standard library's C-accelerated parser (1.5× faster on large statements).
    """
    head = data[:4]
    ascii_compatible = not (head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head)
    safe_parser = ascii_compatible and b"<!DOCTYPE" not in data and b"<!ENTITY" not in data
    try:
        if safe_parser:
            yield from StdElementTree.iterparse(io.BytesIO(data), events=("start", "end"))
        else:
            yield from DefusedElementTree.iterparse(io.BytesIO(data), events=("start", "end"))
    except DefusedXmlException as exc:
        raise fail(name, f"refused: the XML declares entities or a DTD ({type(exc).__name__}); bank files "
                         "never need them") from None
    except ParseError as exc:
        raise fail(name, f"not well-formed XML ({exc}); is the file truncated?") from None


def read_camt(path: Path, policy: ReadPolicy = STRICT) -> BankLines:
    data = Path(path).read_bytes()
    events = _events(data, path.name)
    _, root = next(events, (None, None))
    if root is None:
        raise fail(path.name, "empty XML document")
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    kind = next((k for k in KINDS if f":xsd:{k}." in namespace), None)
    if kind is None:
        raise fail(path.name, f"unknown XML namespace {namespace or '(none)'!r}; expected an ISO 20022 "
                              "camt.052, camt.053 or camt.054 document")
    q = _Names(namespace)
    group, element, label = KINDS[kind]
    statement_tag, entry_tag = q.tag(element), q.tag("Ntry")
    rows: list[dict]
    covers: set[tuple]
    rows, debits, problems, balanced, notes, keys, covers, first_row = [], 0, [], 0, [], [], set(), 0
    stmt, s, n, movements, statement_id, account_ccy, statement_day = None, 0, 0, Decimal(0), "", "", ""
    undated = 0
    for event, node in events:
        if event == "start":
            if node.tag == statement_tag:
                stmt, s, n, movements, first_row = node, s + 1, 0, Decimal(0), len(rows)
            elif node.tag == entry_tag and stmt is not None and n == 0:
                # Id, Acct and Bal come before the first entry (the schema's order)
                statement_id, account_ccy = q.text(stmt, "Id"), q.text(stmt, "Acct", "Ccy")
                statement_day = _single_day(q, stmt)
            continue
        if node.tag == entry_tag and stmt is not None:
            where = f"{label} {statement_id or s}, entry {n + 1}"
            try:
                signed, entry_rows = _entry(q, node, statement_id, n, account_ccy, statement_day)
                undated += bool(entry_rows) and q.child(node, "BookgDt") is None and q.child(node, "ValDt") is None
                movements += signed
                if entry_rows:
                    rows += entry_rows
                else:
                    debits += 1
            except ValueError as exc:
                problems.append(Problem(path.name, f"{where}: {exc}"))
            n += 1
            try:
                stmt.remove(node)  # entries are done with: a 200,000-entry statement never sits whole in memory
            except ValueError:  # an entry that is not a child of the statement (a damaged file): emptied instead
                node.clear()
        elif node.tag == statement_tag:
            try:
                balanced += _check_balances(q, node, movements)
            except Unbalanced as exc:
                if policy.accept_unbalanced:
                    notes.append(unbalanced_note(path.name, f"{label} {statement_id or s}", exc))
                    balanced += 1
                else:
                    problems.append(Problem(path.name, f"{label} {statement_id or s}: {exc}{UNBALANCED_HINT}"))
            except ValueError as exc:
                problems.append(Problem(path.name, f"{label} {statement_id or s}: {exc}"))
            account = q.text(node, "Acct", "Id", "IBAN") or q.text(node, "Acct", "Id", "Othr", "Id")
            days = {r["payment_date"] for r in rows[first_row:]}
            keys += [(account, r["payment_date"]) for r in rows[first_row:]]
            covers.update((account, day) for day in days | _statement_days(q, node))
            node.clear()
            stmt, statement_id, account_ccy = None, "", ""
    if problems:
        raise ValidationError(problems)
    if undated:
        notes.append(f"{path.name}: {undated} credit entr{'y carries' if undated == 1 else 'ies carry'} no booking or "
                     "value date; dated with the one day their statement covers")
    if not s:
        raise fail(path.name, f"{kind} document without a {label} ({element})")
    if not rows and not debits:
        if not balanced:
            raise fail(path.name, f"{kind} document without entries (Ntry) and without the booked balances "
                                  "(OPBD or PRCD, and CLBD) that would show it has none")
        notes.append(f"{path.name}: no entries; the balances say nothing moved")
    final = kind != "camt.052"  # an intraday report: its receipts are not final until the day's camt.053
    return BankLines(with_unique_ids(frame(rows)), debits, kind, notes, final, keys, covers if final else set())


def _single_day(q: _Names, stmt: Element) -> str:
    """The one day a statement covers, by its ``FrToDt`` period, else by the dates of its opening and
    closing booked balances; "" when they name none or more than one. Some banks (the Bank of
    Lithuania's statements) date the statement, not its entries."""
    period = {(q.text(stmt, "FrToDt", "FrDtTm") or q.text(stmt, "FrToDt", "FrDt"))[:10],
              (q.text(stmt, "FrToDt", "ToDtTm") or q.text(stmt, "FrToDt", "ToDt"))[:10]} - {""}
    if not period:
        tag = q.tag("Bal")
        period = {(q.text(b, "Dt", "Dt") or q.text(b, "Dt", "DtTm"))[:10] for b in stmt if b.tag == tag
                  and q.text(b, "Tp", "CdOrPrtry", "Cd") in OPENING + CLOSING} - {""}
    return period.pop() if len(period) == 1 else ""


def _statement_days(q: _Names, stmt: Element) -> set[str]:
    """The days a statement reports in full: its ``FrToDt`` period, else its closing balance's date."""
    start = (q.text(stmt, "FrToDt", "FrDtTm") or q.text(stmt, "FrToDt", "FrDt"))[:10]
    end = (q.text(stmt, "FrToDt", "ToDtTm") or q.text(stmt, "FrToDt", "ToDt"))[:10]
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        tag = q.tag("Bal")
        closing = [q.text(b, "Dt", "Dt") or q.text(b, "Dt", "DtTm")[:10] for b in stmt if b.tag == tag
                   and q.text(b, "Tp", "CdOrPrtry", "Cd") in CLOSING]
        return {d for d in closing if d}
    if not 0 <= (last - first).days <= 366:
        return set()
    return {(first + dt.timedelta(days=k)).isoformat() for k in range((last - first).days + 1)}


class _Names:
    """Namespaced look-ups by walking children directly (ElementPath's ``find`` with a namespace
    map costs several times more per call, and a statement makes millions of them)."""

    def __init__(self, namespace: str):
        self.prefix = f"{{{namespace}}}" if namespace else ""
        self._tags: dict[str, str] = {}

    def tag(self, name: str) -> str:
        tag = self._tags.get(name)
        if tag is None:
            tag = self._tags[name] = self.prefix + name
        return tag

    def child(self, node: Element | None, *names: str) -> Element | None:
        for name in names:
            if node is None:
                return None
            node = node.find(self.tag(name))  # a plain qualified tag: Element.find's C fast path
        return node

    def first(self, node: Element | None, *paths: tuple[str, ...]) -> Element | None:
        for path in paths:
            found = self.child(node, *path)
            if found is not None:
                return found
        return None

    def text(self, node: Element | None, *names: str) -> str:
        found = self.child(node, *names)
        return (found.text or "").strip() if found is not None else ""

    def texts(self, node: Element | None, *names: str) -> list[str]:
        """Texts of every element at the path (any level may repeat)."""
        level = [node] if node is not None else []
        for name in names:
            tag = self.tag(name)
            level = [c for n in level for c in n if c.tag == tag]
        return [(e.text or "").strip() for e in level if (e.text or "").strip()]


def _iso_date(text: str, what: str) -> str:
    """``text`` when it is a real ISO date (YYYY-MM-DD), else ValueError naming ``what``."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date (expected YYYY-MM-DD)") from None


def _status(q: _Names, entry: Element) -> str:
    """BOOK, PDNG, INFO … (``Sts`` is a code up to v08, ``Sts/Cd`` from v09); empty means booked."""
    return (q.text(entry, "Sts", "Cd") or q.text(entry, "Sts") or "BOOK").upper()


def _entry(q: _Names, entry: Element, statement_id: str, position: int,
           account_ccy: str, statement_day: str = "") -> tuple[Decimal, list[dict]]:
    """(the entry's signed effect on the booked balance, its receipts); ValueError on bad content.
    ``statement_day``: the one day the statement covers, the date of an entry that carries none."""
    amount_node = q.child(entry, "Amt")
    if amount_node is None:
        raise ValueError("the entry has no amount (Amt)")
    amount = parse_iso_amount(amount_node.text)
    currency = amount_node.get("Ccy", "")
    if account_ccy and currency and currency != account_ccy:
        raise ValueError(f"the entry is in {currency} but the account's currency is {account_ccy}; otc_xl does "
                         "not mix currencies silently")
    credit = q.text(entry, "CdtDbtInd")
    if credit not in ("CRDT", "DBIT"):
        raise ValueError(f"credit/debit indicator {credit or '(empty)'!r} is neither CRDT nor DBIT")
    reversal = q.text(entry, "RvslInd").lower() in ("true", "1")
    booked = _status(q, entry) == "BOOK"
    # CdtDbtInd is the direction of the booking itself, reversals included (a reversed credit is
    # booked as DBIT with RvslInd): RvslInd never flips the sign
    signed = (amount if credit == "CRDT" else -amount) if booked else Decimal(0)
    if credit != "CRDT" or reversal or not booked:
        return signed, []
    booking = q.text(entry, "BookgDt", "Dt") or q.text(entry, "BookgDt", "DtTm")[:10]
    value = q.text(entry, "ValDt", "Dt") or q.text(entry, "ValDt", "DtTm")[:10] or booking or statement_day
    if not value:
        raise ValueError("the entry has neither a value date nor a booking date, and its statement does not cover "
                         "a single day to date it by")
    if booking:
        _iso_date(booking, "booking date")
    value = _iso_date(value, "value date")
    entry_ref = meaningful_reference(q.text(entry, "AcctSvcrRef") or q.text(entry, "NtryRef"))
    dtls = q.child(entry, "NtryDtls")
    tx_tag = q.tag("TxDtls")
    details: list[Any] = [c for c in dtls if c.tag == tx_tag] if dtls is not None else []
    details = details or [None]
    amounts: list[Any] = [_tx_amount(q, tx, currency) for tx in details]
    if len(details) == 1:
        amounts = [amount]
    elif any(a is None for a in amounts):
        missing = [k + 1 for k, a in enumerate(amounts) if a is None]
        raise ValueError(f"batch of {len(details)} transactions, but transaction(s) {missing} carry no amount in "
                         f"{currency}; the entry's {amount:,.2f} cannot be split")
    elif sum(amounts, Decimal(0)) != amount:
        raise ValueError(f"the {len(details)} transactions add up to {sum(amounts, Decimal(0)):,.2f}, not to the "
                         f"entry's {amount:,.2f}")
    rows = []
    for k, (tx, tx_amount) in enumerate(zip(details, amounts)):
        rows.append(_row(q, tx, entry, tx_amount, currency, value, statement_id, position, k, entry_ref,
                         len(details)))
    return signed, rows


def _tx_amount(q: _Names, tx: Element | None, currency: str) -> Decimal | None:
    """A transaction's own amount in the entry's currency, or None when it has none."""
    if tx is None:
        return None
    for path in (("Amt",), ("AmtDtls", "TxAmt", "Amt"), ("AmtDtls", "InstdAmt", "Amt"),
                 ("AmtDtls", "CntrValAmt", "Amt")):
        node = q.child(tx, *path)
        if node is not None and (node.get("Ccy", currency) == currency):
            return parse_iso_amount(node.text)
    return None


def _row(q: _Names, tx: Element | None, entry: Element, amount: Decimal, currency: str, value: str,
         statement_id: str, position: int, k: int, entry_ref: str, batch: int) -> dict:
    parties = q.child(tx, "RltdPties")
    debtor = q.first(parties, ("Dbtr", "Pty"), ("Dbtr",))
    ultimate = q.first(parties, ("UltmtDbtr", "Pty"), ("UltmtDbtr",))
    text = q.texts(tx, "RmtInf", "Ustrd")
    structured = q.texts(tx, "RmtInf", "Strd", "CdtrRefInf", "Ref") + q.texts(tx, "RmtInf", "Strd", "RfrdDocInf", "Nb")
    extra = q.texts(tx, "AddtlTxInf")
    remittance = " ".join(dict.fromkeys(structured + text + extra)) or q.text(entry, "AddtlNtryInf")
    payer = q.text(debtor, "Nm")
    iban = q.text(parties, "DbtrAcct", "Id", "IBAN")
    own_ref = meaningful_reference(q.text(tx, "Refs", "AcctSvcrRef"))
    reference = own_ref or (f"{entry_ref}-{k + 1}" if entry_ref and batch > 1 else entry_ref)
    # the same parts, in the same order, as every earlier version: a file imported before gets the same ids
    derived = stable_id("CAMT", statement_id, position, k, value, float(amount), remittance)
    on_behalf = q.text(ultimate, "Nm")
    if on_behalf and on_behalf != payer:
        remittance = f"{remittance} | on behalf of: {on_behalf}".strip(" |")
    instructed, charges = _instructed_and_charges(q, tx, currency, amount)
    other, converted, rate = conversion(q, tx, currency, amount)
    if other:  # the bank converted the payment: what was instructed is in the other currency
        instructed = converted
    return {"payment_date": value, "amount": float(amount), "currency": currency, "payer_name": payer,
            "payer_account": iban, "remittance": remittance, "customer_id": "",
            "payment_id": reference or derived,
            "ultimate_debtor": on_behalf if on_behalf != payer else "",
            "instructed_amount": float(instructed) if instructed is not None else None,
            "charges": float(charges) if charges else None, "instructed_currency": other,
            "exchange_rate": float(rate) if rate is not None else None}


def _instructed_and_charges(q: _Names, tx: Element | None, currency: str,
                            amount: Decimal) -> tuple[Decimal | None, Decimal]:
    """What the payer instructed (``AmtDtls/InstdAmt``, in the entry's currency and more than was
    credited) and the charges the banks took from the payment (``Chrgs``: the records included in
    the amount, ``ChrgInclInd`` true, or version 2's single ``Chrgs/Amt``). When only one of the
    two is given the other follows from the credited amount; when they disagree the instructed
    amount is kept and the charges are what it leaves (cash application decides on it)."""
    if tx is None:
        return None, Decimal(0)
    node = q.child(tx, "AmtDtls", "InstdAmt", "Amt")
    instructed = None
    if node is not None and node.get("Ccy", currency) == currency and node.text:
        given = parse_iso_amount(node.text)
        instructed = given if given > amount else None
    charges = Decimal(0)
    block = q.child(tx, "Chrgs")
    if block is not None:
        records = [c for c in block if c.tag == q.tag("Rcrd")]
        if records:
            for record in records:
                included = q.text(record, "ChrgInclInd").lower() in ("true", "1")
                amt = q.child(record, "Amt")
                if included and amt is not None and amt.get("Ccy", currency) == currency and amt.text:
                    charges += parse_iso_amount(amt.text)
        else:
            amt = q.child(block, "Amt")
            if amt is not None and amt.get("Ccy", currency) == currency and amt.text:
                charges = parse_iso_amount(amt.text)
    if instructed is not None:
        return instructed, instructed - amount
    if charges > 0:
        return amount + charges, charges
    return None, Decimal(0)


def _balance(q: _Names, stmt: Element, codes: tuple[str, ...]) -> Decimal | None:
    tag = q.tag("Bal")
    for bal in (c for c in stmt if c.tag == tag):
        if q.text(bal, "Tp", "CdOrPrtry", "Cd") in codes:
            amount = parse_iso_amount(q.text(bal, "Amt"))
            return amount if q.text(bal, "CdtDbtInd") != "DBIT" else -amount
    return None


def _check_balances(q: _Names, stmt: Element, movements: Decimal) -> int:
    """1 when the statement carries opening and closing balances and they tie, 0 when it carries
    none; ValueError with the figures when they do not tie."""
    opening, closing = _balance(q, stmt, OPENING), _balance(q, stmt, CLOSING)
    if opening is None or closing is None:
        return 0
    if opening + movements != closing:
        raise Unbalanced(f"balances do not tie: opening {opening:,.2f} + booked movements {movements:,.2f} = "
                         f"{opening + movements:,.2f}, but the closing balance (CLBD) says {closing:,.2f}; an entry "
                         "is missing or the file was edited", closing - (opening + movements))
    return 1

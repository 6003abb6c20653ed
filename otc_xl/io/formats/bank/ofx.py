"""OFX / QFX (Open Financial Exchange) bank statements, as small-business banking downloads them.

OFX 1.x is SGML (a header of ``NAME:value`` lines, then tags whose values are not closed); OFX 2.x
is XML. Both are read into one tree: the SGML by a strict tokenizer of this module (a leaf's value
runs to the next tag; an aggregate must be closed), the XML by defusedxml (entities refused). QFX
is OFX with Intuit's extra tags.

Each bank statement (``STMTRS``) gives its currency (``CURDEF``), account (``BANKACCTFROM/ACCTID``)
and transactions (``BANKTRANLIST/STMTTRN``: ``TRNTYPE``, ``DTPOSTED``, ``TRNAMT`` signed, ``FITID``
the bank's unique id, ``NAME``, ``MEMO``). Credits become payments: posting date (``DTUSER`` is
the customer's date, not the bank's), amount, ``NAME`` as payer, ``MEMO`` as remittance, ``FITID``
as payment id (OFX's own key for recognising a transaction downloaded twice).

Guards (a failure refuses the file with the statement and what was expected): a server status
other than 0 (an error message instead of a statement), an amount that is not a number, a date
that is no date, a transaction without ``FITID`` or ``DTPOSTED`` or ``TRNAMT``, a file with no bank
statement. OFX carries no opening balance (only the ledger balance at the end), so its
statements cannot be checked to tie; that is said in a note. Credit-card statements
(``CCSTMTRS``) hold no customers' payments and are counted, not imported; investment statements
are refused.

Why not a package: ``ofxtools`` is GPL-3 (this project is MIT); ``ofxparse`` (MIT) was last
released in 2021 and parses with BeautifulSoup, which accepts malformed documents silently.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree

from ....model.problems import Problem, ValidationError
from .common import BankLines, bank_lines, decode_text, fail, meaningful_reference, read_as, stable_id

_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)>([^<]*)", re.S)
_AMOUNT = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.\d+)?)?)?(?:\[[^\]]*\])?$")
CREDIT_CARD = "CCSTMTRS"


def looks_like_ofx(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2000].upper()
    return text.startswith(b"OFXHEADER:") or (text.startswith(b"<?XML") and b"OFXHEADER" in text) or \
        text.startswith(b"<OFX>")


class Node:
    __slots__ = ("tag", "text", "children")

    def __init__(self, tag: str, text: str = "", children: list[Node] | tuple = ()):
        self.children: Any  # a list, or the shared empty tuple of a leaf
        self.tag, self.text, self.children = tag, text, children  # a leaf keeps the shared empty tuple

    def find(self, *path: str) -> Node | None:
        node: Node | None = self
        for tag in path:
            node = next((c for c in node.children if c.tag == tag), None) if node is not None else None
        return node

    def value(self, *path: str) -> str:
        node = self.find(*path)
        return node.text.strip() if node is not None else ""

    def all(self, tag: str) -> list[Node]:
        """Every descendant named ``tag``, in document order."""
        out, stack = [], [self]
        while stack:
            node = stack.pop()
            if node is not self and node.tag == tag:
                out.append(node)
            stack.extend(reversed(node.children))
        return out


def _sgml(body: str, source: str) -> Node:
    """The tree of an OFX 1 body: a tag followed by a value is a leaf (closed or not); a tag
    without a value opens an aggregate, which its closing tag must close."""
    root = Node("#root", "", [])
    stack = [root]
    for m in _TOKEN.finditer(body):
        closing, tag, text = m.groups()
        tag = tag.upper()
        if closing:
            if stack[-1].tag == tag:
                stack.pop()
            elif stack[-1].children and stack[-1].children[-1].tag == tag and not stack[-1].children[-1].children:
                continue  # the closing tag of a leaf (allowed in SGML)
            elif any(n.tag == tag for n in stack[1:]):
                while stack[-1].tag != tag:  # nodes opened on the way were empty leaves (<MEMO> with no value):
                    node = stack.pop()        # what followed them belongs to their parent
                    stack[-1].children.extend(node.children)
                    node.children = ()
                stack.pop()
            else:
                raise fail(source,
                           f"</{tag}> closes nothing open (open: {'/'.join(n.tag for n in stack[1:]) or 'none'}); "
                           "the file is truncated or edited")
        elif text.strip():
            text = text.strip()
            stack[-1].children.append(Node(tag, _unescape(text) if "&" in text else text))
        else:
            node = Node(tag, "", [])
            stack[-1].children.append(node)
            stack.append(node)
    if len(stack) > 1 and any(n.children for n in stack[1:]):
        unclosed = [n for n in stack[1:] if n.children]
        raise fail(source, f"<{unclosed[0].tag}> is never closed: the file is truncated")
    return root


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&nbsp;", " ")


def _xml(body: str, source: str) -> Node:
    try:
        element = DefusedElementTree.fromstring(body.encode("utf-8"))
    except DefusedXmlException as exc:
        raise fail(source, f"refused: the XML declares entities or a DTD ({type(exc).__name__})") from None
    except DefusedElementTree.ParseError as exc:
        raise fail(source, f"not well-formed OFX XML ({exc}); is the file truncated?") from None

    def convert(e) -> Node:
        return Node(e.tag.upper(), (e.text or ""), [convert(c) for c in e])
    root = Node("#root", "", [])
    root.children.append(convert(element))
    return root


def parse_tree(text: str, source: str) -> Node:
    """The document as a tree of :class:`Node` (hundreds of thousands of small objects: the
    cyclic garbage collector, which they would set off again and again, is paused meanwhile)."""
    import gc
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_tree(text, source)
    finally:
        if enabled:
            gc.enable()


def _parse_tree(text: str, source: str) -> Node:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:5].lower() == "<?xml":
        try:
            return _xml(stripped, source)
        except ValidationError as exc:
            if "not well-formed" not in str(exc.problems[0]):
                raise
            # an XML prolog over an SGML body (leaves not closed): some banks write it; read as SGML
            start = stripped.upper().find("<OFX>")
            if start < 0:
                raise
            return _sgml(stripped[start:], source)
    start = stripped.upper().find("<OFX>")
    if start < 0:
        raise fail(source, "no <OFX> element after the header: not an OFX file")
    return _sgml(stripped[start:], source)


def _amount(text: str, where: str) -> Decimal:
    if not _AMOUNT.match(text):
        raise ValueError(f"{where}: TRNAMT {text!r} is not an amount")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{where}: TRNAMT {text!r} is not an amount") from None


def _date(text: str, where: str, what: str) -> dt.date:
    m = _DATE.match(text)
    try:
        if not m:
            raise ValueError
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"{where}: {what} {text!r} is not a date (YYYYMMDD…)") from None


def _responses(ofx: Node, tag: str) -> list[Node]:
    """The statements ``tag`` (STMTRS, CCSTMTRS) of every message set's transaction responses:
    ``OFX/*MSGSRSV1/*TRNRS/tag``, where the specification puts them."""
    return [r for messages in ofx.children if messages.tag.endswith("MSGSRSV1")
            for response in messages.children if response.tag.endswith("TRNRS")
            for r in response.children if r.tag == tag]


def _statuses(ofx: Node) -> list[Node]:
    """The server's status of the sign-on and of each transaction response."""
    out = []
    for messages in ofx.children:
        for response in messages.children:
            out += [c for c in response.children if c.tag == "STATUS"]
    return out


def read_ofx(path: Path, policy=None) -> BankLines:
    text, encoding = decode_text(Path(path).read_bytes(), path.name)
    tree = parse_tree(text, path.name)
    ofx = tree.find("OFX")
    if ofx is None:
        raise fail(path.name, "no OFX element: not an OFX file")
    problems: list[Problem] = []
    for status in _statuses(ofx):
        code = status.value("CODE")
        if code not in ("", "0"):
            problems.append(Problem(path.name, f"the bank answered with status {code} ({status.value('SEVERITY')}): "
                                               f"{status.value('MESSAGE') or 'no message'}; "
                                               "the file holds no statement"))
    if problems:
        raise ValidationError(problems)
    statements, cards = _responses(ofx, "STMTRS"), _responses(ofx, CREDIT_CARD)
    if not statements and not cards:
        kinds = sorted({n.tag for n in ofx.children})
        raise fail(path.name,
                   f"no bank statement (STMTRS) in this OFX file (it holds {', '.join(kinds) or 'nothing'}); "
                   "investment and account-list files are not bank statements")
    rows, notes, debits = [], [], 0
    for s, stmt in enumerate(statements, start=1):
        currency = stmt.value("CURDEF").upper()
        account = stmt.value("BANKACCTFROM", "ACCTID")
        label = f"statement {s} (account {account or '?'})"
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(Problem(path.name, f"{label}: CURDEF {currency!r} is not an ISO currency code"))
            continue
        transactions = stmt.find("BANKTRANLIST")
        listed = [c for c in transactions.children if c.tag == "STMTTRN"] if transactions is not None else []
        for k, tx in enumerate(listed, start=1):
            where = f"{label}, transaction {k}"
            values = {c.tag: c.text.strip() for c in tx.children if not c.children}
            try:
                for needed in ("TRNAMT", "DTPOSTED", "FITID"):
                    if not values.get(needed):
                        raise ValueError(f"{where}: no {needed}")
                amount = _amount(values["TRNAMT"], where)
                posted = _date(values["DTPOSTED"], where, "DTPOSTED")
            except ValueError as exc:
                problems.append(Problem(path.name, str(exc)))
                continue
            if amount <= 0:
                debits += 1
                continue
            name = values.get("NAME") or tx.value("PAYEE", "NAME")
            memo = values.get("MEMO", "")
            fitid = meaningful_reference(values["FITID"])
            check = values.get("CHECKNUM", "")
            remittance = " ".join(t for t in (memo, check and f"check {check}", values.get("REFNUM", "")) if t)
            rows.append({"payment_date": posted.isoformat(), "amount": float(amount), "currency": currency,
                         "payer_name": name, "payer_account": "", "remittance": remittance, "customer_id": "",
                         "payment_id": fitid or stable_id("OFX", account, posted, k, amount, name, memo)})
        if len(problems) >= 20:
            break
    if problems:
        raise ValidationError(problems)
    notes.append(f"{path.name}: OFX carries no opening balance, so its statements cannot be checked to tie; "
                 "FITIDs recognise transactions imported before")
    if cards:
        count = sum(len(c.all("STMTTRN")) for c in cards)  # cards are few and small: a full walk is cheap
        notes.append(f"{path.name}: {len(cards)} credit-card statement(s) with {count} transaction(s) not imported "
                     "(a card account receives no customers' payments)")
    return bank_lines(rows, debits, "OFX", notes + read_as(path.name, encoding))

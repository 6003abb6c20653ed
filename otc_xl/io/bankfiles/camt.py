"""ISO 20022 bank-to-customer reports (camt.052), statements (camt.053) and notifications (camt.054).

Parsed with defusedxml: a file with a DTD, an external entity or an entity-expansion bomb is
refused before anything is expanded. Any message version is read (``.001.02`` … ``.001.10``).

Each booked credit entry becomes one payment; a batch entry with several transaction details
(``TxDtls``) becomes one payment per transaction, each with its own amount: ``TxDtls/Amt``, else
``AmtDtls/TxAmt/Amt``, else ``AmtDtls/InstdAmt/Amt`` in the entry's currency. Debits, reversals
and entries not booked (``Sts`` PDNG, INFO) are counted and skipped.

Guards (a failure refuses the file, naming statement, entry and figures):

* amounts are ISO 20022 amounts (digits, a point, no sign) and dates real dates;
* the transactions of a batch entry add up to the entry's amount, in the entry's currency;
* a statement that carries its opening (``OPBD``/``PRCD``) and closing (``CLBD``) balances ties:
  opening + booked credits − booked debits = closing (reversals move the other way);
* every receipt is in the entry's currency, and the entry's currency is the account's when the
  account states one.

Payment ids are the bank's own reference of the transaction or entry (``AcctSvcrRef``) when it
is meaningful; placeholders (``NONREF``, ``NOTPROVIDED``, empty) never count, and the id is then
derived from the statement id, position, value date, amount and text, so the same file always
gives the same ids and the next day's file never collides with today's. The ultimate debtor
(``UltmtDbtr``: often the real customer when a parent company or a payment provider pays) is
added to the remittance text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ...model.problems import Problem, ValidationError
from ...model.values import parse_iso_amount
from .common import BankLines, fail, frame, meaningful_reference, stable_id, with_unique_ids

KINDS = {"camt.052": ("BkToCstmrAcctRpt", "Rpt", "report"),
         "camt.053": ("BkToCstmrStmt", "Stmt", "statement"),
         "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn", "notification")}
OPENING, CLOSING = ("OPBD", "PRCD"), ("CLBD",)


def looks_like_camt(head: bytes) -> bool:
    return b"<" in head[:200] and (b"camt.05" in head or b"BkToCstmr" in head)


def read_camt(path: Path) -> BankLines:
    data = Path(path).read_bytes()
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise fail(path.name, f"refused: the XML declares entities or a DTD ({type(exc).__name__}); bank files "
                              "never need them") from None
    except ParseError as exc:
        raise fail(path.name, f"not well-formed XML ({exc}); is the file truncated?") from None
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    kind = next((k for k in KINDS if f":xsd:{k}." in namespace), None)
    if kind is None:
        raise fail(path.name, f"unknown XML namespace {namespace or '(none)'!r}; expected an ISO 20022 "
                              "camt.052, camt.053 or camt.054 document")
    ns = {"c": namespace}
    group, element, label = KINDS[kind]
    rows, debits, problems = [], 0, []
    for s, stmt in enumerate(root.findall(f"c:{group}/c:{element}", ns), start=1):
        statement_id = _text(stmt, "c:Id", ns)
        account_ccy = _text(stmt, "c:Acct/c:Ccy", ns)
        where_stmt = f"{label} {statement_id or s}"
        movements = Decimal(0)
        for n, entry in enumerate(stmt.findall("c:Ntry", ns)):
            where = f"{where_stmt}, entry {n + 1}"
            try:
                signed, entry_rows = _entry(entry, ns, statement_id, n, account_ccy)
            except ValueError as exc:
                problems.append(Problem(path.name, f"{where}: {exc}"))
                continue
            movements += signed
            if entry_rows:
                rows += entry_rows
            else:
                debits += 1
        try:
            _check_balances(stmt, ns, movements)
        except ValueError as exc:
            problems.append(Problem(path.name, f"{where_stmt}: {exc}"))
    if problems:
        raise ValidationError(problems)
    if not rows and not debits:
        raise fail(path.name, f"{kind} document without entries (Ntry)")
    payments = frame(rows)
    payments = with_unique_ids(payments)
    return BankLines(payments, debits, kind)


def _text(node: Element | None, path: str, ns: dict) -> str:
    found = node.find(path, ns) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _first(node: Element | None, ns: dict, *paths: str) -> Element | None:
    """The first of ``paths`` that exists (Elements without children are falsy: never use ``or``)."""
    for path in paths:
        found = node.find(path, ns) if node is not None else None
        if found is not None:
            return found
    return None


def _all(node: Element, path: str, ns: dict) -> list[str]:
    return [(e.text or "").strip() for e in node.findall(path, ns) if (e.text or "").strip()]


def _iso_date(text: str, what: str) -> str:
    """``text`` when it is a real ISO date (YYYY-MM-DD), else ValueError naming ``what``."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date (expected YYYY-MM-DD)") from None


def _status(entry: Element, ns: dict) -> str:
    """BOOK, PDNG, INFO … (``Sts`` is a code up to v08, ``Sts/Cd`` from v09); empty means booked."""
    return (_text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns) or "BOOK").upper()


def _entry(entry: Element, ns: dict, statement_id: str, position: int,
           account_ccy: str) -> tuple[Decimal, list[dict]]:
    """(the entry's signed effect on the booked balance, its receipts); ValueError on bad content."""
    amount_node = entry.find("c:Amt", ns)
    if amount_node is None:
        raise ValueError("the entry has no amount (Amt)")
    amount = parse_iso_amount(amount_node.text)
    currency = amount_node.get("Ccy", "")
    if account_ccy and currency and currency != account_ccy:
        raise ValueError(f"the entry is in {currency} but the account's currency is {account_ccy}; otc_xl does "
                         "not mix currencies silently")
    credit = _text(entry, "c:CdtDbtInd", ns)
    if credit not in ("CRDT", "DBIT"):
        raise ValueError(f"credit/debit indicator {credit or '(empty)'!r} is neither CRDT nor DBIT")
    reversal = _text(entry, "c:RvslInd", ns).lower() in ("true", "1")
    booked = _status(entry, ns) == "BOOK"
    signed = (amount if credit == "CRDT" else -amount) * (-1 if reversal else 1) if booked else Decimal(0)
    if credit != "CRDT" or reversal or not booked:
        return signed, []
    booking = _text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns)[:10]
    value = _text(entry, "c:ValDt/c:Dt", ns) or _text(entry, "c:ValDt/c:DtTm", ns)[:10] or booking
    if not value:
        raise ValueError("the entry has neither a value date nor a booking date")
    if booking:
        _iso_date(booking, "booking date")
    value = _iso_date(value, "value date")
    entry_ref = meaningful_reference(_text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns))
    details = entry.findall("c:NtryDtls/c:TxDtls", ns) or [None]
    amounts = [_tx_amount(tx, ns, currency) for tx in details]
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
        rows.append(_row(tx, ns, entry, tx_amount, currency, value, statement_id, position, k, entry_ref,
                         len(details)))
    return signed, rows


def _tx_amount(tx: Element | None, ns: dict, currency: str) -> Decimal | None:
    """A transaction's own amount in the entry's currency, or None when it has none."""
    if tx is None:
        return None
    for path in ("c:Amt", "c:AmtDtls/c:TxAmt/c:Amt", "c:AmtDtls/c:InstdAmt/c:Amt", "c:AmtDtls/c:CntrValAmt/c:Amt"):
        node = tx.find(path, ns)
        if node is not None and (node.get("Ccy", currency) == currency):
            return parse_iso_amount(node.text)
    return None


def _row(tx: Element | None, ns: dict, entry: Element, amount: Decimal, currency: str, value: str,
         statement_id: str, position: int, k: int, entry_ref: str, batch: int) -> dict:
    parties = "c:RltdPties"
    debtor = _first(tx, ns, f"{parties}/c:Dbtr/c:Pty", f"{parties}/c:Dbtr")
    ultimate = _first(tx, ns, f"{parties}/c:UltmtDbtr/c:Pty", f"{parties}/c:UltmtDbtr")
    text = [] if tx is None else _all(tx, "c:RmtInf/c:Ustrd", ns)
    structured = [] if tx is None else (_all(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
                                        + _all(tx, "c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb", ns))
    extra = [] if tx is None else _all(tx, "c:AddtlTxInf", ns)
    remittance = " ".join(dict.fromkeys(structured + text + extra)) or _text(entry, "c:AddtlNtryInf", ns)
    payer = _text(debtor, "c:Nm", ns)
    iban = (_text(tx, f"{parties}/c:DbtrAcct/c:Id/c:IBAN", ns) if tx is not None else "")
    own_ref = meaningful_reference(_text(tx, "c:Refs/c:AcctSvcrRef", ns)) if tx is not None else ""
    reference = own_ref or (f"{entry_ref}-{k + 1}" if entry_ref and batch > 1 else entry_ref)
    # the same parts, in the same order, as every earlier version: a file imported before gets the same ids
    derived = stable_id("CAMT", statement_id, position, k, value, float(amount), remittance)
    on_behalf = _text(ultimate, "c:Nm", ns)
    if on_behalf and on_behalf != payer:
        remittance = f"{remittance} | on behalf of: {on_behalf}".strip(" |")
    return {"payment_date": value, "amount": float(amount), "currency": currency, "payer_name": payer,
            "payer_account": iban, "remittance": remittance, "customer_id": "",
            "payment_id": reference or derived}


def _balance(stmt: Element, ns: dict, codes: tuple[str, ...]) -> Decimal | None:
    for bal in stmt.findall("c:Bal", ns):
        code = _text(bal, "c:Tp/c:CdOrPrtry/c:Cd", ns)
        if code in codes:
            amount = parse_iso_amount(_text(bal, "c:Amt", ns))
            return amount if _text(bal, "c:CdtDbtInd", ns) != "DBIT" else -amount
    return None


def _check_balances(stmt: Element, ns: dict, movements: Decimal) -> None:
    opening, closing = _balance(stmt, ns, OPENING), _balance(stmt, ns, CLOSING)
    if opening is None or closing is None:
        return
    if opening + movements != closing:
        raise ValueError(f"balances do not tie: opening {opening:,.2f} + booked movements {movements:,.2f} = "
                         f"{opening + movements:,.2f}, but the closing balance (CLBD) says {closing:,.2f}; an entry "
                         "is missing or the file was edited")

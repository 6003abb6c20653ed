"""ISO 20022 bank-to-customer statements (camt.053) and notifications (camt.054).

Parsed with defusedxml: a file with a DTD, an external entity or an entity-expansion bomb is
refused before anything is expanded. Any message version is read (``camt.053.001.02`` … ``.08``).
Each credit entry becomes one payment; a batch entry with several transaction details becomes
one payment per transaction. Debits are counted and skipped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ...model.problems import Problem, ValidationError
from ...model.values import parse_iso_amount
from .common import BankLines, fail, frame, stable_id, unique_ids

KINDS = {"camt.053": ("BkToCstmrStmt", "Stmt"), "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}


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
                              "camt.053 or camt.054 document")
    ns = {"c": namespace}
    group, statement = KINDS[kind]
    rows, debits, problems = [], 0, []
    for s, stmt in enumerate(root.findall(f"c:{group}/c:{statement}", ns), start=1):
        statement_id = _text(stmt, "c:Id", ns)
        for n, entry in enumerate(stmt.findall("c:Ntry", ns)):
            where = f"{statement.replace('Ntfctn', 'notification').replace('Stmt', 'statement')} " \
                    f"{statement_id or s}, entry {n + 1}"
            if _text(entry, "c:CdtDbtInd", ns) != "CRDT" or _text(entry, "c:RvslInd", ns) == "true":
                debits += 1
                continue
            try:
                rows += _entry_rows(entry, ns, statement_id, n)
            except ValueError as exc:
                problems.append(Problem(path.name, f"{where}: {exc}"))
    if problems:
        raise ValidationError(problems)
    if not rows and not debits:
        raise fail(path.name, f"{kind} document without entries (Ntry)")
    payments = frame(rows)
    payments["payment_id"] = unique_ids(list(payments["payment_id"]))
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


def _entry_rows(entry: Element, ns: dict, statement_id: str, position: int) -> list[dict]:
    """One row per transaction of a credit entry; ValueError (what, where) for a bad amount or date."""
    amount = entry.find("c:Amt", ns)
    if amount is None:
        raise ValueError("the entry has no amount (Amt)")
    booked = _text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns)[:10]
    value = _text(entry, "c:ValDt/c:Dt", ns) or _text(entry, "c:ValDt/c:DtTm", ns)[:10] or booked
    if not value:
        raise ValueError("the entry has neither a value date nor a booking date")
    if booked:
        _iso_date(booked, "booking date")
    value = _iso_date(value, "value date")
    entry_ref = _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
    details = entry.findall("c:NtryDtls/c:TxDtls", ns) or [None]
    rows = []
    for k, tx in enumerate(details):
        tx_amount = _first(tx, ns, "c:Amt", "c:AmtDtls/c:TxAmt/c:Amt")
        if tx_amount is None or len(details) == 1:
            tx_amount = amount
        debtor = _first(tx, ns, "c:RltdPties/c:Dbtr/c:Pty", "c:RltdPties/c:Dbtr")
        text = [] if tx is None else _all(tx, "c:RmtInf/c:Ustrd", ns)
        structured = [] if tx is None else (_all(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
                                            + _all(tx, "c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb", ns))
        extra = [] if tx is None else _all(tx, "c:AddtlTxInf", ns)
        own_ref = _text(tx, "c:Refs/c:AcctSvcrRef", ns) if tx is not None else ""
        remittance = " ".join(dict.fromkeys(structured + text + extra)) or _text(entry, "c:AddtlNtryInf", ns)
        row = {"payment_date": value, "amount": float(parse_iso_amount(tx_amount.text)),
               "currency": tx_amount.get("Ccy", ""),
               "payer_name": _text(debtor, "c:Nm", ns), "payer_account": _text(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns)
               if tx is not None else "", "remittance": remittance, "customer_id": ""}
        reference = own_ref or (f"{entry_ref}-{k + 1}" if entry_ref and len(details) > 1 else entry_ref)
        row["payment_id"] = reference or stable_id("CAMT", statement_id, position, k, value, row["amount"],
                                                   remittance)
        rows.append(row)
    return rows

"""The demo's bank statement: a camt.053 with receipts not yet in the demo workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

import pandas as pd

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
HOUSE_IBAN = "ES7921000813610123456789"


def write_camt053(path: str | Path, payments: pd.DataFrame, debits: list[tuple[str, float, str]],
                  as_of: dt.date) -> Path:
    """One statement with a credit entry per payment row and the given (reference, amount, text) debits."""
    doc = Element("Document", xmlns=NS)
    root = SubElement(doc, "BkToCstmrStmt")
    header = SubElement(root, "GrpHdr")
    SubElement(header, "MsgId").text = f"OTC-DEMO-{as_of:%Y%m%d}"
    SubElement(header, "CreDtTm").text = f"{as_of:%Y-%m-%d}T18:00:00"
    stmt = SubElement(root, "Stmt")
    SubElement(stmt, "Id").text = f"OTC-DEMO-{as_of:%Y%m%d}-1"
    SubElement(SubElement(SubElement(stmt, "Acct"), "Id"), "IBAN").text = HOUSE_IBAN
    row: Any
    for row in payments.itertuples(index=False):
        entry = _entry(stmt, row.amount, row.currency, "CRDT", row.payment_date.date(), row.payment_id)
        tx = SubElement(SubElement(entry, "NtryDtls"), "TxDtls")
        parties = SubElement(tx, "RltdPties")
        SubElement(SubElement(parties, "Dbtr"), "Nm").text = row.payer_name
        if row.payer_account:
            SubElement(SubElement(SubElement(parties, "DbtrAcct"), "Id"), "IBAN").text = row.payer_account
        if row.remittance:
            SubElement(SubElement(tx, "RmtInf"), "Ustrd").text = row.remittance
    for reference, amount, text in debits:
        entry = _entry(stmt, amount, "EUR", "DBIT", as_of, reference)
        SubElement(entry, "AddtlNtryInf").text = text
    indent(doc)
    Path(path).write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(doc, encoding="utf-8") + b"\n")
    return Path(path)


def _entry(stmt: Element, amount: float, currency: str, sign: str, day: dt.date, reference: str) -> Element:
    entry = SubElement(stmt, "Ntry")
    SubElement(entry, "Amt", Ccy=currency).text = f"{amount:.2f}"
    SubElement(entry, "CdtDbtInd").text = sign
    SubElement(entry, "Sts").text = "BOOK"
    SubElement(SubElement(entry, "BookgDt"), "Dt").text = day.isoformat()
    SubElement(SubElement(entry, "ValDt"), "Dt").text = day.isoformat()
    SubElement(entry, "AcctSvcrRef").text = reference
    return entry

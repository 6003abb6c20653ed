"""SEPA payment files: credit transfers (pain.001, refunds) and direct debits (pain.008, payment plans).

The XML is written by the maintained ``sepaxml`` library, which also validates every file against
the official ISO 20022 XSD it ships (through ``xmlschema``) before handing it over; a file that
does not validate is never written. Amounts are integer cents end to end. The group header's
message id is ours and deterministic (``OTC-RFD-20261130-1A2B3C4D``), so the same refunds always
make the same batch name.

:func:`issued_end_to_end_ids` reads back the files already in a folder: the second guard against
paying twice, independent of whether the workbook holding the RefundLog was saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring as safe_fromstring
from defusedxml.ElementTree import parse as safe_parse

from ...model.company import Company
from ...model.problems import Problem, ValidationError


@dataclass(frozen=True)
class Transfer:
    """One payment to or collection from a customer."""

    end_to_end_id: str
    name: str
    iban: str
    cents: int
    text: str
    bic: str = ""
    mandate_id: str = ""
    mandate_date: dt.date | None = None
    sequence: str = "RCUR"
    """Direct debits: FRST for a mandate's first collection, RCUR after."""


def message_id(kind: str, on: dt.date, ids: list[str]) -> str:
    """Deterministic message id: kind, date and a digest of the end-to-end ids (≤ 35 characters)."""
    digest = hashlib.sha1("\n".join(sorted(ids)).encode("utf-8")).hexdigest()[:8].upper()
    return f"OTC-{kind}-{on:%Y%m%d}-{digest}"


def credit_transfer(payer: Company, transfers: list[Transfer], execution: dt.date, version: str,
                    msg_id: str) -> bytes:
    """A pain.001 file paying ``transfers`` from ``payer``'s account (its name, IBAN and BIC) on
    ``execution``, XSD-validated."""
    from sepaxml import SepaTransfer

    sepa = SepaTransfer(_ours(payer, version, "pain.001.001.03", "pain.001.001.09"), schema=version, clean=True)
    for t in transfers:
        payment = {"name": t.name, "IBAN": t.iban, "amount": int(t.cents), "execution_date": execution,
                   "description": t.text, "endtoend_id": t.end_to_end_id}
        if t.bic:
            payment["BIC"] = t.bic
        sepa.add_payment(payment)
    return _export(sepa, msg_id)


def direct_debit(creditor: Company, debits: list[Transfer], collection: dt.date, version: str, msg_id: str) -> bytes:
    """A pain.008 file collecting ``debits`` (each with its mandate) into ``creditor``'s account, under
    its SEPA creditor id."""
    from sepaxml import SepaDD

    config = _ours(creditor, version, "pain.008.001.02", "pain.008.001.08")
    sepa = SepaDD({**config, "creditor_id": creditor.creditor_id, "instrument": "CORE"}, schema=version, clean=True)
    for d in debits:
        payment = {"name": d.name, "IBAN": d.iban, "amount": int(d.cents), "type": d.sequence,
                   "collection_date": collection, "mandate_id": d.mandate_id, "mandate_date": d.mandate_date,
                   "description": d.text, "endtoend_id": d.end_to_end_id}
        if d.bic:
            payment["BIC"] = d.bic
        sepa.add_payment(payment)
    return _export(sepa, msg_id)


def _ours(party: Company, version: str, needs_bic: str, current: str) -> dict:
    """sepaxml's configuration of our side; the 2009 formats name the bank by its BIC, so there it is required."""
    config = {"name": party.name, "IBAN": party.iban, "batch": True, "currency": "EUR"}
    if party.bic:
        config["BIC"] = party.bic
    elif version == needs_bic:
        raise ValidationError([Problem("Config", f"company_bic is needed for {version} files (that format names "
                                                 f"the bank by its BIC); add it, or use {current}")])
    return config


def _export(sepa, msg_id: str) -> bytes:
    """Set our message id, then export and validate against the version's XSD (sepaxml does both)."""
    from sepaxml.validation import ValidationError as SchemaError

    sepa.msg_id = msg_id
    header = sepa._xml.find(sepa.root_el).find("GrpHdr").find("MsgId")
    header.text = msg_id
    try:
        return sepa.export(validate=True, pretty_print=True)
    except SchemaError as exc:
        cause = exc.__cause__ or exc
        raise ValidationError([Problem("SEPA file", f"the {sepa.schema} file does not validate against its "
                                                    f"XSD, so it was not written: {cause}")]) from None


def totals(xml: bytes) -> tuple[int, int]:
    """(number of transactions, control sum in cents) from a pain file's group header."""
    root = safe_fromstring(xml)
    ns = root.tag.split("}")[0] + "}"
    header: Any = root[0].find(f"{ns}GrpHdr")  # a file we wrote, XSD-valid: the header and its fields are there
    count = int(header.find(f"{ns}NbOfTxs").text)
    whole, _, frac = header.find(f"{ns}CtrlSum").text.partition(".")
    return count, int(whole) * 100 + int((frac + "00")[:2])


def issued_end_to_end_ids(folder: Path) -> dict[str, str]:
    """End-to-end id → file name, for every pain.001/pain.008 XML file already in ``folder``."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*.xml")):
        try:
            root = cast(Element, safe_parse(str(path)).getroot())  # a parsed document has its root
        except Exception:  # noqa: BLE001 - not ours or damaged: it cannot hold our ids
            continue
        if "pain.00" not in root.tag:
            continue
        for node in root.iter():
            if node.tag.endswith("}EndToEndId") and node.text:
                found.setdefault(node.text.strip(), path.name)
    return found

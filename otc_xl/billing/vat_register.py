"""Customers' VAT numbers against VIES, the EU's register: which numbers to ask, and the VatChecks table.

Pure: the answers come in as data (asked by :class:`otc_xl.io.vies.ViesClient`, or any object with the
same fields), so the table is the same whoever asked. A number is asked only when it is an EU member
state's (or Northern Ireland's, XI) and its check digits are right (:func:`~.identifiers.vat_problem`);
each number once, however many customers carry it.

Why it matters to an associate: an invoice without VAT to another member state (category K, reverse
charge AE) is exempt only if the buyer's number is registered on the day of supply; the consultation
number VIES returns (when the company's own number is sent as requester) is the evidence for it.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import pandas as pd
from rapidfuzz import fuzz

from ..model.problems import Problem
from .identifiers import split_vat, vat_problem

VIES_CODES = {"GR": "EL"}
"""ISO country → VIES' member-state code."""
MEMBER_STATES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI"
                          .split())
"""Whose numbers VIES knows: the EU member states and Northern Ireland (XI)."""
COLUMNS = ["customer_id", "name", "vat_id", "check_digits", "vies", "vies_name", "vies_address", "name_match",
           "consultation", "checked_on", "note"]
NAME_MATCH_BELOW = 70
"""A VIES name scoring below this against the customer's name is pointed out (legal forms and word
order do not lower the score: token-set comparison)."""


class Answer(Protocol):
    status: str
    name: str
    address: str
    consultation: str
    checked_on: str
    reason: str


def vies_key(vat_id: str, country: str = "") -> tuple[str, str] | None:
    """(VIES code, number) when ``vat_id`` is an EU (or XI) number with right check digits, else None."""
    iso, number = split_vat(vat_id, country)
    if iso not in MEMBER_STATES or not number or vat_problem(vat_id, country):
        return None
    return VIES_CODES.get(iso, iso), number


def to_ask(customers: pd.DataFrame, seller_vat_id: str = "", seller_country: str = "") -> list[tuple[str, str]]:
    """The numbers to ask VIES, each once, in the order of the sheet (the company's own first)."""
    keys = [vies_key(seller_vat_id, seller_country)] if seller_vat_id else []
    for r in customers.itertuples():
        if str(getattr(r, "vat_id", "") or "").strip():
            keys.append(vies_key(str(r.vat_id), str(getattr(r, "country", "") or "")))
    return list(dict.fromkeys(k for k in keys if k))


def _plain(name: str) -> str:
    return re.sub(r"[^\w]+", " ", str(name or "").casefold()).strip()


def _row(who: str, name: str, vat_id: str, country: str, answers: dict[tuple[str, str], Answer]) -> dict:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(customer_id=who, name=name, vat_id=vat_id, name_match=None)
    wrong = vat_problem(vat_id, country)
    iso, _ = split_vat(vat_id, country)
    row["check_digits"] = f"wrong: must be {wrong}" if wrong else "right"
    key = vies_key(vat_id, country)
    if wrong:
        row["vies"] = "not asked (fix the check digits first)"
    elif key is None:
        row["vies"] = f"not asked: {iso or 'no country'} is not an EU member state (VIES knows EU and XI numbers)"
    elif key not in answers:
        row["vies"] = "not asked"
    else:
        answer = answers[key]
        row.update(vies=answer.status, vies_name=answer.name, vies_address=answer.address,
                   consultation=answer.consultation, checked_on=answer.checked_on)
        if answer.status == "not checked":
            row["note"] = answer.reason
        elif answer.status == "not registered":
            row["note"] = ("not registered on the day VIES answered: no VAT-exempt intra-community supply to it; "
                           "ask the customer for their number")
        if answer.name and name:
            score = round(fuzz.token_set_ratio(_plain(name), _plain(answer.name)))
            row["name_match"] = score
            if score < NAME_MATCH_BELOW:
                row["note"] = f"VIES holds another name ({answer.name}): is this the customer's number?"
    return row


def vat_checks(customers: pd.DataFrame, answers: dict[tuple[str, str], Answer], seller_vat_id: str = "",
               seller_country: str = "", seller_name: str = "") -> tuple[pd.DataFrame, list[Problem]]:
    """``VatChecks``: one row per customer with a VAT number (the company's own first), what its check
    digits and VIES say; and a warning naming the Customers cell of each number VIES says is not
    registered or holds under another name."""
    rows, problems = [], []
    if seller_vat_id:
        rows.append(_row("(company)", seller_name, seller_vat_id, seller_country, answers))
        if rows[0]["vies"] == "not registered":
            problems.append(Problem("Config", f"company_vat_id {seller_vat_id}: VIES says it is not registered; "
                                              "check the number", severity="warning"))
    sheet = customers.attrs.get("sheet", "Customers")
    columns = customers.attrs.get("excel_columns", {})
    for r in customers.itertuples():
        vat_id = str(getattr(r, "vat_id", "") or "").strip()
        if not vat_id:
            continue
        row = _row(str(r.customer_id), str(getattr(r, "customer_name", "") or ""), vat_id,
                   str(getattr(r, "country", "") or ""), answers)
        rows.append(row)
        if row["vies"] == "not registered" or row["note"].startswith("VIES holds another name"):
            what = "is not registered" if row["vies"] == "not registered" else \
                f"is registered to {row['vies_name']!r}, not to {row['name']!r}"
            source = getattr(r, "source_row", None)
            problems.append(Problem(sheet, f"customer {r.customer_id}: VIES says {vat_id} {what} "
                                           f"(answer of {row['checked_on'] or 'today'})",
                                    int(source) if source is not None and pd.notna(source) else None,
                                    columns.get("vat_id"), severity="warning"))
    return pd.DataFrame(rows, columns=COLUMNS), problems

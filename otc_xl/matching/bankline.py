"""What one bank line shows (:class:`_Seen`), read from the payment's columns and its text: the amount
the payer instructed before bank charges, the customer paid for (customer number, ultimate debtor)
and its advice lines."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model.coded_amounts import CHARGES, INSTRUCTED, coded_amount
from ..model.money import cents
from .names import CustomerDirectory, Identification
from .outcome import _fmt, _Outcome
from .references import Hit

_ON_BEHALF = re.compile(r"(?:ON BEHALF OF:?|ABWA\+|ULTMTDBTR:?|ORDENANTE FINAL:?)"
                        r"\s*([^|+/]{3,70}?)\s*(?=\||[A-Z]{4}\+|/|$)")
_CUSTOMER_NUMBER = re.compile(r"(?<![A-Z])(?:KUNDEN?(?:-?NR|NUMMER)?|KD\.?-?NR|KDNR|"
                              r"CUSTOMER(?:\s?(?:NO|NR|NUMBER|ID))?|"
                              r"CUST(?:OMER)?\.?\s?(?:NO|#|ID)|N\.?\s?CLIENTE|COD(?:ICE)?\.?\s?CLIENTE|CLIENTE|"
                              r"NO\.?\s?CLIENT|CLIENT|DEBITOR(?:EN)?(?:-?NR|NUMMER)?|ACCOUNT\s?(?:NO|NR|#)|ACCT)"
                              r"\.?\s*[:#]?\s*([A-Z0-9][A-Z0-9\-]{2,14})(?![A-Z0-9])")


def _instructed(pays: pd.DataFrame, texts: list[str]) -> list[int]:
    """Per payment, the cents the payer instructed when the bank took charges from them (0 when unknown): the
    ``instructed_amount`` column, else ``amount`` + ``charges``, else /OCMT/ or :33B: (and /CHGS/, :71F:) in the
    text, in the payment's currency."""
    out = [0] * len(pays)
    amounts = cents(pays["amount"])
    given = cents(pays["instructed_amount"].fillna(0)) if "instructed_amount" in pays else None
    if given is not None and "instructed_currency" in pays:  # an amount instructed in another currency: no charges
        other = pays["instructed_currency"].astype(object).fillna("").astype(str).str.strip()
        given = given * ((other == "") | (other == pays["currency"].astype(str))).to_numpy()
    charged = cents(pays["charges"].fillna(0)) if "charges" in pays else None
    currencies = pays["currency"].astype(str).tolist()
    for i, text in enumerate(texts):
        if given is not None and given[i] > amounts[i]:
            out[i] = int(given[i])
        elif charged is not None and charged[i] > 0:
            out[i] = int(amounts[i] + charged[i])
        elif "/OCMT/" in text or ":33B:" in text or "/CHGS/" in text or ":71F:" in text:
            m, c = coded_amount(text, INSTRUCTED), coded_amount(text, CHARGES)
            if m and m.currency in ("", currencies[i]):
                out[i] = int(m.amount * 100)
            elif c and c.currency in ("", currencies[i]):
                out[i] = int(amounts[i]) + int(c.amount * 100)
    return out


def _less_charges(outcome: _Outcome, charges: int) -> _Outcome:
    """An outcome decided on the instructed amount, less the bank's ``charges`` (written off on its largest line)."""
    if not outcome.lines:
        return outcome
    j = max(range(len(outcome.lines)), key=lambda n: outcome.lines[n][1])
    k, applied, writeoff = outcome.lines[j]
    if applied < charges:
        return outcome
    outcome.lines[j] = (k, applied - charges, writeoff + charges)
    outcome.why = (outcome.why.rstrip(".")
                   + f"; the payer instructed {_fmt(sum(a for _, a, _ in outcome.lines) + charges)}"
                   f" and the banks took {_fmt(charges)} of charges, written off.")
    return outcome


def _on_behalf(pays: pd.DataFrame, texts: list[str], who: list[Identification],
               directory: CustomerDirectory) -> list[Identification]:
    """The customer a payment is made for, when the bank line says so: a customer number written in the
    remittance (Kd-Nr 10045, customer no, cliente …) that is a customer id, or the ultimate debtor (column
    ``ultimate_debtor``, camt's "on behalf of:", SEPA ``ABWA+``) whose name identifies a customer. Either
    takes the place of a payer recognised by name or not at all (an IBAN or a given id is kept)."""
    out = list(who)
    names = ([str(v) if isinstance(v, str) else "" for v in pays["ultimate_debtor"].tolist()]
             if "ultimate_debtor" in pays else [""] * len(pays))
    wanted: dict[int, str] = {}
    for i, text in enumerate(texts):
        if out[i].method in ("iban", "given", "alias"):
            continue
        upper = text.upper()
        number = next((m.group(1) for m in _CUSTOMER_NUMBER.finditer(upper) if m.group(1) in directory.names), None)
        if number:
            out[i] = Identification(number, 99.0, "alias", f"the remittance gives the customer number {number}")
            continue
        name = names[i].strip()
        if not name:
            m = _ON_BEHALF.search(upper)
            name = m.group(1).strip() if m else ""
        if name:
            wanted[i] = name
    if wanted:
        probe = pd.DataFrame({"payer_name": list(wanted.values()), "payer_account": "", "customer_id": "",
                              "remittance": ""})
        for i, found in zip(wanted, directory.identify(probe)):
            if found.customer_id:
                out[i] = dataclasses.replace(found, detail=f"paid on behalf of {wanted[i]!r} (ultimate debtor): "
                                                           f"{found.detail}")
    return out


@dataclass
class _Seen:
    """What one bank line shows: amount (cents), currency, the open items its text names, who paid, and
    the rest of the evidence."""

    amount: int
    currency: str
    hits: list[Hit]
    who: Identification
    payer: str
    paid_on: Any
    text: str
    cleared: list[Hit]
    """Strong references to cleared items (positions in ``_Book.cleared``)."""
    unknown: list[str]
    """Numbers of five digits or more written as document numbers that name no item."""
    advice: list[Any]
    """Advice lines of this payment (:class:`otc_xl.matching.advices.AdviceLine`)."""
    charges: int = 0
    """Bank charges included in ``amount`` (the instructed amount proves them): not received."""
    bank: Any = None
    """The bank's conversion of the payment (:class:`otc_xl.matching.rates.BankConversion`), when converted."""


def _advice_lines(advices: pd.DataFrame | None, pays: pd.DataFrame, texts: list[str]) -> dict[int, list[Any]]:
    """Payment position → its advice lines: from ``advices`` (joined by payment id) and from EDI 820
    segments written in the remittance itself (ACH CTX addenda)."""
    from .advices import lines_by_payment

    return lines_by_payment(advices, pays["payment_id"].astype(str).tolist(), texts)

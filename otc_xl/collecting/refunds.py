"""Refunds: credit balances nothing can be allocated to, paid back to the customer — once.

A credit is proposed for refund when, after this run's allocation proposals (``CreditsLeft``), it
still holds money and is at least ``min_days`` old. Only what is *left* is refunded, so an amount
proposed for allocation is never also refunded. A credit whose group has a disputed invoice open in
the same currency is held (the dispute may still need it), as is a customer handed over to legal.

Each proposal says whether it can be paid (``status``):

* ``ready`` — EUR, one valid IBAN (typed in the proposal's ``iban`` column, or the only one on the
  customer's master record);
* ``no bank details`` — a letter asks the customer to confirm them;
* ``choose IBAN`` — several on file: type the one to pay into in ``iban``;
* ``IBAN not valid: …``, ``IBAN outside SEPA: …`` (a GB, CH … account is in SEPA; a country outside the
  scheme cannot be paid by a pain.001), ``not EUR: …``, ``held: …`` — nothing is paid.

A refund is identified by its credit (``refund_id``); a credit in the ``RefundLog`` is never proposed
again. Approvals are carried over by ``refund_id`` while the amount is the one approved.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

from ..config import Config
from ..model.contracts import CUSTOMERS
from ..model.money import cents, from_cents
from ..model.tables import empty_frame
from ..model.values import iban_problem, sepa_problem
from .credits import groups_of
from .writeoffs import carry_approvals, is_approved

COLUMNS = ["refund_id", "credit_id", "customer_id", "customer_name", "currency", "amount", "credit_date", "days",
           "iban", "bic", "status", "approved", "approved_by"]
READY, NO_BANK, CHOOSE = "ready", "no bank details", "choose IBAN"
NOT_SEPA = "IBAN outside SEPA"


def refund_id(credit_id: str) -> str:
    """The refund's id, also its SEPA end-to-end id (at most 35 characters, the SEPA limit)."""
    candidate = f"RFD-{credit_id}"
    if len(candidate) <= 35 and candidate.isascii():
        return candidate
    return "RFD-" + hashlib.sha1(credit_id.encode("utf-8")).hexdigest()[:31].upper()


def refund_proposals(left: pd.DataFrame, invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date,
                     min_days: int = Config.refund_min_days, approvals: pd.DataFrame | None = None,
                     refunded: set[str] | frozenset[str] = frozenset(),
                     held: dict[str, str] | None = None) -> pd.DataFrame:
    """Proposals (``COLUMNS``) for the credits in ``left`` (``CreditsLeft``) still holding money.

    ``approvals``: earlier ``Refunds`` rows (``refund_id``, ``amount``, ``iban``, ``approved``,
    ``approved_by``); ``refunded``: credit ids in the RefundLog; ``held``: customer_id → reason
    (e.g. handed over to legal)."""
    keep = left.loc[(cents(left["left"]) < 0) & ~left["credit_id"].isin(set(refunded))]
    dates = invoices.drop_duplicates("invoice_id").set_index("invoice_id")["invoice_date"]
    master = (customers if customers is not None else empty_frame(CUSTOMERS)).drop_duplicates(
        "customer_id").set_index("customer_id")
    out = pd.DataFrame({"credit_id": keep["credit_id"].to_numpy(), "customer_id": keep["customer_id"].to_numpy(),
                        "currency": keep["currency"].to_numpy(),
                        "amount": from_cents(-cents(keep["left"]))})
    out["refund_id"] = out["credit_id"].map(refund_id)
    out["credit_date"] = pd.to_datetime(out["credit_id"].map(dates)) if len(out) else pd.Series(dtype="datetime64[ns]")
    out["days"] = (pd.Timestamp(as_of) - out["credit_date"]).dt.days.astype("Int64")
    out = out.loc[out["days"].fillna(0) >= min_days].reset_index(drop=True)
    out["customer_name"] = out["customer_id"].map(master["customer_name"]).astype(object).fillna("")
    earlier = (approvals.drop_duplicates("refund_id").set_index("refund_id")
               if approvals is not None and len(approvals) else pd.DataFrame())
    typed = (out["refund_id"].map(earlier["iban"]).astype(object).fillna("") if "iban" in earlier
             else pd.Series("", index=out.index))
    on_file = out["customer_id"].map(master["iban"]).astype(object).fillna("")
    disputes = _disputed(invoices, customers)
    rows = [_bank(str(t), str(f)) for t, f in zip(typed, on_file)]
    out["iban"] = [iban for iban, _ in rows]
    out["bic"] = [_bic_of(iban) for iban in out["iban"]]
    held = held or {}
    out["status"] = [
        held[c] if c in held
        else f"held: dispute open on {disputes(c, cur)}" if disputes(c, cur)
        else f"not EUR: SEPA pays EUR only; refund {cur} another way" if cur != "EUR"
        else status
        for c, cur, (_, status) in zip(out["customer_id"], out["currency"], rows)]
    out = carry_approvals(out, approvals, "refund_id")
    return out[COLUMNS].sort_values(["customer_id", "credit_id"], kind="stable", ignore_index=True)


def approved_ready(proposals: pd.DataFrame) -> pd.DataFrame:
    """The proposals that are approved and can be paid now."""
    if proposals.empty:
        return proposals
    return proposals.loc[proposals["approved"].map(is_approved).astype(bool) & (proposals["status"] == READY)]


def _bank(typed: str, on_file: str) -> tuple[str, str]:
    """(IBAN to pay into, status) from the IBAN typed on the proposal or those on the master record."""
    if typed.strip():
        iban = "".join(typed.split()).upper()
        reason = iban_problem(iban)
        if reason:
            return iban, f"IBAN not valid: {reason}"
        outside = sepa_problem(iban)
        return (iban, f"{NOT_SEPA}: {outside}") if outside else (iban, READY)
    found = list(dict.fromkeys("".join(i.split()).upper() for i in on_file.split(";") if i.strip()))
    valid = [i for i in found if not iban_problem(i)]
    if len(valid) == 1:
        outside = sepa_problem(valid[0])
        return (valid[0], f"{NOT_SEPA}: {outside}") if outside else (valid[0], READY)
    if len(valid) > 1:
        return "", f"{CHOOSE}: {len(valid)} on file; type one in iban"
    return "", NO_BANK if not found else "IBAN not valid on file: ask the customer"


def _bic_of(iban: str) -> str:
    """The BIC of an IBAN's bank where schwifty's bank registry knows it (optional in pain.001.001.09)."""
    if not iban:
        return ""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return ""
    return str(bic) if bic else ""


def _disputed(invoices: pd.DataFrame, customers: pd.DataFrame | None):
    """A function (customer_id, currency) → a disputed open invoice of the customer's group in that
    currency, or ``""``."""
    parent = groups_of(customers)
    hits = invoices.loc[(invoices["dispute_code"] != "") & (cents(invoices["open_amount"]) > 0)]
    by_group = {(parent.get(c, c), cur): i for c, cur, i in zip(hits["customer_id"], hits["currency"],
                                                                hits["invoice_id"])}
    return lambda customer_id, currency: by_group.get((parent.get(customer_id, customer_id), currency), "")

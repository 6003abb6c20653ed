"""Account reconciliation with a customer: their view of the account against ours, line by line.

*Our side* is the customer's open items (invoices positive, credit notes negative) and the money
received from them that no ERP posting has absorbed yet (this run's receipts, negative). *Their
side* is the file they sent, read by :mod:`otc_xl.io.formats.customer_statement`.

1. Documents: each of their lines is looked up in our items with the same reference index as cash
   application (numbers as they wrote them: ``FRA 2026/451``, ``inv2026-00451``, OCR slips); a
   strong hit wins, preferring the item with the same amount; a weak one (last digit group) counts
   only with the same amount.
2. Sign: customers book our invoices as credits in their payables. The convention under which most
   matched lines agree with ours is taken, and said (``sign``).
   An item partly paid in our ERP (its ``amount`` more than its ``open_amount``) agrees with their line
   for the whole amount: it is shown at that amount, and the part already paid becomes one of our
   payments (applied in the ERP) for their payment lines to meet.
3. Payments: their unmatched payment lines are paired with our receipts of the same amount within
   ``days`` days, then with the payments our ERP already applied to partly paid items (same amount);
   what is left is searched in the unidentified unapplied cash (payer not known).
4. Everything left is a difference, with the action it calls for.

Every line is in exactly one status, and its ``difference`` is ours − theirs, so
Σ difference = our balance − their balance, to the cent (``summary`` proves it).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from ..matching.references import ReferenceIndex
from ..model.money import cents
from ..model.values import strip_accents

COLUMNS = ["status", "code", "action", "our_document", "their_document", "our_date", "their_date", "our_amount",
           "their_amount", "difference", "their_row"]
AGREED, AMOUNT, ONLY_OURS, ONLY_THEIRS = "agreed", "amount difference", "only ours", "only theirs"
STATUS_ORDER = [AMOUNT, ONLY_OURS, ONLY_THEIRS, AGREED]
_CREDIT_NOTE = re.compile(r"\b(credit|abono|rectificativ|nota (di )?credito|nc|avoir|gutschrift|storno|cn|crn)\b")
_PAYMENT = re.compile(r"\b(payment|pago|cobro|transferencia|pagamento|bonifico|paiement|virement|reglement|"
                      r"zahlung|uberweisung|ueberweisung|remittance|transfer)\b")


@dataclass
class Reconciliation:
    lines: pd.DataFrame
    """One row per line of either side (``COLUMNS``), differences first."""
    summary: pd.DataFrame
    """(item, amount): our balance, their balance, the difference and what explains it; ``ties``."""
    sign: str
    """How their amounts were read: "as written" or "reversed (their payables view)"."""
    ties: bool


@dataclass(frozen=True)
class ReconLine:
    """One line of the reconciliation (amounts in cents; ``difference`` = ours − theirs is added at the end)."""

    status: str
    code: str
    action: str
    our_document: str = ""
    their_document: str = ""
    our_date: Any = pd.NaT
    their_date: Any = pd.NaT
    our_amount: int = 0
    their_amount: int = 0
    their_row: Any = pd.NA


def reconcile_account(ours: pd.DataFrame, receipts: pd.DataFrame, theirs: pd.DataFrame,
                      unidentified: pd.DataFrame | None = None, tolerance: float = 0.0,
                      days: int = 15) -> Reconciliation:
    """Match ``theirs`` (their lines: ``document``, ``their_document``, ``date``, ``signed``,
    ``doc_type``, ``description``, ``source_row``) to ``ours`` (the customer's open items, one
    currency) and ``receipts`` (``payment_id``, ``payment_date``, ``amount`` received); search
    ``unidentified`` (``payment_id``, ``payment_date``, ``unapplied_amount``, ``payer_name``) for
    their payments we cannot place. ``tolerance``: an amount gap up to this is agreed (and kept in
    ``difference`` so the balances still tie)."""
    work = _Accounts(ours, receipts, theirs, unidentified)
    pairs = work.pair_documents()
    flip = work.read_their_sign(pairs)
    lines = work.document_lines(pairs, round(tolerance * 100))
    lines += work.payment_lines([t for t in range(len(work.their)) if t not in pairs], days)
    lines += work.ours_left(set(pairs.values()))
    return _finish(lines, int(work.our_c.sum()) - int(cents(receipts["amount"]).sum()), int(work.their_c.sum()), flip)


class _Accounts:
    """Both sides of one account, and what is left to pair as the phases go."""

    def __init__(self, ours: pd.DataFrame, receipts: pd.DataFrame, theirs: pd.DataFrame,
                 unidentified: pd.DataFrame | None):
        self.items = ours.loc[cents(ours["open_amount"]) != 0].reset_index(drop=True)
        self.their = theirs.reset_index(drop=True)
        self.our_c = cents(self.items["open_amount"])
        self.full_c = cents(self.items["amount"])
        self.their_c = cents(self.their["signed"])
        self.receipts = receipts.assign(_c=-cents(receipts["amount"]), _used=False).reset_index(drop=True)
        loose = pd.DataFrame(columns=["payment_id", "payment_date", "unapplied_amount", "payer_name"]) \
            if unidentified is None else unidentified.reset_index(drop=True)
        self.loose = loose.assign(_c=-cents(loose["unapplied_amount"]), _used=False)
        self.cleared = pd.DataFrame(columns=["_o", "_c", "_used"])
        """Parts of our partly paid items our ERP already applied (item position, −cents), for their payments."""

    def pair_documents(self) -> dict[int, int]:
        """Their line → our item: found with cash application's reference index; a strong hit wins,
        preferring the item with the same amount (open, or whole when partly paid)."""
        index = ReferenceIndex(self.items)
        their, our_c, full_c, their_c = self.their, self.our_c, self.full_c, self.their_c
        labels = (their["doc_type"].astype(str) + " " + their["description"].astype(str)).map(
            lambda t: strip_accents(t).lower())
        used: set[int] = set()
        pairs: dict[int, int] = {}
        for k in range(len(their)):
            if _PAYMENT.search(labels[k]) and not _CREDIT_NOTE.search(labels[k]):
                continue  # "Pago fra. 2026/451" pays an invoice; it is not the invoice
            document, reference = cast(str, their.at[k, "document"]), cast(str, their.at[k, "their_document"])
            found = index.find(f"{document} {reference}") or index.find(str(their.at[k, "description"]))
            hits = [h for h in found if h.position not in used]
            same = [h for h in hits if abs(their_c[k]) in (abs(our_c[h.position]), abs(full_c[h.position]))]
            strong = [h for h in hits if h.strong]
            pick = next(iter([h for h in same if h.strong] or strong or same), None)
            if pick is not None:
                pairs[k] = pick.position
                used.add(pick.position)
        return pairs

    def read_their_sign(self, pairs: dict[int, int]) -> bool:
        """Turn their amounts round when most paired lines disagree in sign (their payables view)."""
        signed = [t for t in pairs if self.their_c[t]]
        agree = sum(np.sign(self.our_c[pairs[t]]) == np.sign(self.their_c[t]) for t in signed)
        flip = agree < len(signed) - agree
        if flip:
            self.their_c = -self.their_c
        return flip

    def document_lines(self, pairs: dict[int, int], tolerance_c: int) -> list[ReconLine]:
        """The paired documents: agreed, agreed within tolerance, an amount difference, or agreed whole
        while partly paid (the paid part then waits for their payment)."""
        lines, cleared = [], []
        for t, o in pairs.items():
            item, line, ours, theirs = self.items.loc[o], self.their.loc[t], int(self.our_c[o]), int(self.their_c[t])
            if theirs != ours and theirs == int(self.full_c[o]) != ours:
                paid = theirs - ours
                cleared.append((o, -paid))
                lines.append(_ours_and_theirs(AGREED, "agreed_partly_paid", f"partly paid: {paid / 100:,.2f} of it "
                                              "already applied in our ERP", item, line, theirs, theirs))
                continue
            gap = ours - theirs
            if abs(gap) <= tolerance_c:
                lines.append(_ours_and_theirs(AGREED, "agreed",
                                              "" if gap == 0 else f"within tolerance ({gap / 100:+.2f})",
                                              item, line, ours, theirs))
            else:
                lines.append(_ours_and_theirs(AMOUNT, "amount", _amount_action(gap), item, line, ours, theirs))
        self.cleared = pd.DataFrame({"_o": [o for o, _ in cleared], "_c": [c for _, c in cleared], "_used": False},
                                    columns=["_o", "_c", "_used"])
        return lines

    def payment_lines(self, left: list[int], days: int) -> list[ReconLine]:
        """Their lines no document took: our receipts of the same amount within ``days``, then the payments
        our ERP applied to partly paid items, then the unidentified unapplied cash; else only theirs."""
        lines = []
        for t in left:
            line, amount = self.their.loc[t], int(self.their_c[t])
            receipt = _closest(self.receipts, amount, line["date"], days)
            known: pd.Index | list[Any] = (self.cleared.index[~self.cleared["_used"] & (self.cleared["_c"] == amount)]
                                           if amount < 0 else [])
            if receipt is None and len(known):
                self.cleared.at[known[0], "_used"] = True
                document = self.items.loc[int(cast(int, self.cleared.at[known[0], "_o"]))]["invoice_id"]
                lines.append(ReconLine(AGREED, "agreed_payment_applied", f"payment already applied to {document} "
                                       "in our ERP", our_document=document, our_amount=amount, **_theirs(line, amount)))
                continue
            if receipt is not None:
                self.receipts.at[receipt, "_used"] = True
                r: Any = self.receipts.loc[receipt]
                lines.append(ReconLine(AGREED, "agreed_payment", "payment we received, not yet applied in our ERP",
                                       our_document=r["payment_id"], our_date=r["payment_date"],
                                       our_amount=int(r["_c"]), **_theirs(line, amount)))
                continue
            kind = _kind(line, amount)
            found = _closest(self.loose, amount, line["date"], days) if kind == "payment" else None
            if found is not None:
                self.loose.at[found, "_used"] = True
                f: Any = self.loose.loc[found]
                action = (f"their payment is in our unapplied cash as {f['payment_id']} of "
                          f"{pd.Timestamp(f['payment_date']):%Y-%m-%d} (payer {f['payer_name'] or 'unknown'}): "
                          "identify it to this customer and apply it")
            else:
                action = {"payment": "payment we cannot find in our bank: ask for the remittance or proof of payment",
                          "credit": "credit note we do not show open: check it was issued by us and not used",
                          "invoice": "invoice we do not show open (paid, cancelled or not ours): check and tell "
                                     "them"}[kind]
            code = f"theirs_{kind}_found" if found is not None else f"theirs_{kind}"
            lines.append(ReconLine(ONLY_THEIRS, code, action, **_theirs(line, amount)))
        return lines

    def ours_left(self, paired: set[int]) -> list[ReconLine]:
        """Our items, applied parts and receipts their file does not show."""
        lines = []
        for o in range(len(self.items)):
            if o in paired:
                continue
            item, ours = self.items.loc[o], int(self.our_c[o])
            action = ("invoice not in their books: send them a copy" if ours > 0
                      else "credit note not in their books: send them a copy")
            lines.append(ReconLine(ONLY_OURS, "ours_invoice" if ours > 0 else "ours_credit", action,
                                   our_document=item["invoice_id"], our_date=item["invoice_date"], our_amount=ours))
        unmet = self.cleared.loc[~self.cleared["_used"]]
        for o, paid in zip(unmet["_o"], unmet["_c"]):
            document = self.items.loc[int(o)]["invoice_id"]
            lines.append(ReconLine(ONLY_OURS, "ours_payment_applied", f"payment applied to {document} in our ERP that "
                                   "they do not show: tell them the date and amount", our_document=document,
                                   our_amount=int(paid)))
        for r in self.receipts.loc[~self.receipts["_used"]].to_dict("records"):
            lines.append(ReconLine(ONLY_OURS, "ours_payment", "payment we received that they do not show: tell them "
                                   "the date and amount", our_document=r["payment_id"], our_date=r["payment_date"],
                                   our_amount=int(r["_c"])))
        return lines


def _ours_and_theirs(status: str, code: str, action: str, item, line, our_c: int, their_c: int) -> ReconLine:
    return ReconLine(status, code, action, our_document=item["invoice_id"], our_date=item["invoice_date"],
                     our_amount=int(our_c), **_theirs(line, their_c))


def _theirs(line, their_c) -> dict:
    written = " ".join(x for x in (str(line["document"]), str(line["their_document"])) if x)
    return {"their_document": written, "their_date": line["date"], "their_amount": int(their_c),
            "their_row": int(line["source_row"])}


def _amount_action(gap: int) -> str:
    return (f"we show {gap / 100:,.2f} more: check price, quantity, discount or a partial payment"
            if gap > 0 else f"they show {-gap / 100:,.2f} more: check their booking")


def _kind(line, their_c: int) -> str:
    text = strip_accents(f"{line['doc_type']} {line['description']}").lower()
    if their_c > 0:
        return "invoice"
    if _CREDIT_NOTE.search(text):
        return "credit"
    if _PAYMENT.search(text) or their_c < 0:
        return "payment"
    return "invoice"


def _closest(pool: pd.DataFrame, amount_c: int, date, days: int) -> int | None:
    """The unused row of ``pool`` with ``_c`` equal to ``amount_c`` and the nearest date within ``days``."""
    if pool.empty or amount_c >= 0:
        return None
    same = pool.loc[~pool["_used"] & (pool["_c"] == amount_c)]
    if same.empty:
        return None
    if pd.isna(date):
        return int(same.index[0])
    gap = (pd.to_datetime(same["payment_date"]) - pd.Timestamp(date)).abs().dt.days
    gap = gap.loc[gap <= days]
    return int(cast(int, gap.idxmin())) if len(gap) else None


def _finish(rows: list[ReconLine], ours_c: int, theirs_c: int, flip: bool) -> Reconciliation:
    lines = pd.DataFrame([asdict(r) for r in rows], columns=COLUMNS)
    lines["difference"] = lines["our_amount"].astype("int64") - lines["their_amount"].astype("int64")
    explained = {status: int(lines.loc[lines["status"] == status, "difference"].sum()) for status in STATUS_ORDER}
    ties = sum(explained.values()) == ours_c - theirs_c
    for column in ("our_amount", "their_amount", "difference"):
        lines[column] = lines[column].astype("int64") / 100.0
    lines["_order"] = lines["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    lines = lines.sort_values(["_order", "our_document", "their_document"], kind="stable", ignore_index=True)
    summary = pd.DataFrame([("our balance", ours_c), ("their balance", theirs_c), ("difference", ours_c - theirs_c),
                            *((f"explained by {s}", explained[s]) for s in STATUS_ORDER),
                            ("unexplained", ours_c - theirs_c - sum(explained.values()))], columns=["item", "amount"])
    summary["amount"] = summary["amount"].astype("int64") / 100.0
    return Reconciliation(lines.drop(columns="_order"), summary,
                          "reversed (their payables view)" if flip else "as written", ties)

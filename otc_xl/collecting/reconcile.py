"""Account reconciliation with a customer: their view of the account against ours, line by line.

*Our side* is the customer's open items (invoices positive, credit notes negative) and the money
received from them that no ERP posting has absorbed yet (this run's receipts, negative). *Their
side* is the file they sent, read by :mod:`otc_xl.io.customer_file`.

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
from dataclasses import dataclass

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


def reconcile_account(ours: pd.DataFrame, receipts: pd.DataFrame, theirs: pd.DataFrame,
                      unidentified: pd.DataFrame | None = None, tolerance: float = 0.0,
                      days: int = 15) -> Reconciliation:
    """Match ``theirs`` (their lines: ``document``, ``their_document``, ``date``, ``signed``,
    ``doc_type``, ``description``, ``source_row``) to ``ours`` (the customer's open items, one
    currency) and ``receipts`` (``payment_id``, ``payment_date``, ``amount`` received); search
    ``unidentified`` (``payment_id``, ``payment_date``, ``unapplied_amount``, ``payer_name``) for
    their payments we cannot place. ``tolerance``: an amount gap up to this is agreed (and kept in
    ``difference`` so the balances still tie)."""
    items = ours.loc[cents(ours["open_amount"]) != 0].reset_index(drop=True)
    their = theirs.reset_index(drop=True)
    index = ReferenceIndex(items)
    our_c = cents(items["open_amount"])
    full_c = cents(items["amount"]) if "amount" in items else our_c
    their_c = cents(their["signed"])
    used: set[int] = set()
    pairs: dict[int, int] = {}
    labels = (their["doc_type"].astype(str) + " " + their["description"].astype(str)).map(
        lambda t: strip_accents(t).lower())
    for k in range(len(their)):
        if _PAYMENT.search(labels[k]) and not _CREDIT_NOTE.search(labels[k]):
            continue  # "Pago fra. 2026/451" pays an invoice; it is not the invoice
        found = index.find(f"{their.at[k, 'document']} {their.at[k, 'their_document']}") \
            or index.find(str(their.at[k, "description"]))
        hits = [h for h in found if h.position not in used]
        same = [h for h in hits if abs(their_c[k]) in (abs(our_c[h.position]), abs(full_c[h.position]))]
        strong = [h for h in hits if h.strong]
        pick = next(iter([h for h in same if h.strong] or strong or same), None)
        if pick is not None:
            pairs[k] = pick.position
            used.add(pick.position)
    agree = sum(np.sign(our_c[o]) == np.sign(their_c[t]) for t, o in pairs.items() if their_c[t])
    flip = agree < len([t for t in pairs if their_c[t]]) - agree
    if flip:
        their_c = -their_c
    rows = []
    cleared = []  # (item position, cents already paid in our ERP): partly paid items shown whole
    for t, o in pairs.items():
        if their_c[t] != our_c[o] and their_c[t] == full_c[o] != our_c[o]:
            paid = int(full_c[o] - our_c[o])
            cleared.append((o, paid))
            rows.append({**_row(AGREED, f"partly paid: {paid / 100:,.2f} of it already applied in our ERP",
                                items.loc[o], their.loc[t], full_c[o], their_c[t]), "code": "agreed_partly_paid"})
            continue
        gap = int(our_c[o] - their_c[t])
        status = AGREED if abs(gap) <= round(tolerance * 100) else AMOUNT
        action = ("" if gap == 0 else f"within tolerance ({gap / 100:+.2f})") if status == AGREED else \
            _amount_action(gap)
        rows.append({**_row(status, action, items.loc[o], their.loc[t], our_c[o], their_c[t]),
                     "code": "agreed" if status == AGREED else "amount"})
    # payments: their lines not matched to an item, against our receipts, then the unidentified cash
    left_theirs = [t for t in range(len(their)) if t not in pairs]
    pool = receipts.assign(_c=-cents(receipts["amount"]), _used=False).reset_index(drop=True)
    loose = pd.DataFrame(columns=["payment_id", "payment_date", "unapplied_amount", "payer_name"]) \
        if unidentified is None else unidentified.reset_index(drop=True)
    loose = loose.assign(_c=-cents(loose["unapplied_amount"]), _used=False)
    applied = pd.DataFrame({"_o": [o for o, _ in cleared], "_c": [-paid for _, paid in cleared],
                            "_used": False}, columns=["_o", "_c", "_used"])
    for t in left_theirs:
        line = their.loc[t]
        receipt = _closest(pool, their_c[t], line["date"], days)
        known = applied.index[~applied["_used"] & (applied["_c"] == their_c[t])] if their_c[t] < 0 else []
        if receipt is None and len(known):
            applied.at[known[0], "_used"] = True
            item = items.loc[int(applied.at[known[0], "_o"])]
            rows.append({"status": AGREED, "code": "agreed_payment_applied",
                         "action": f"payment already applied to {item['invoice_id']} in our ERP",
                         "our_document": item["invoice_id"], "our_date": pd.NaT, "our_amount": their_c[t],
                         **_theirs(line, their_c[t])})
            continue
        if receipt is not None:
            pool.at[receipt, "_used"] = True
            r = pool.loc[receipt]
            rows.append({"status": AGREED, "code": "agreed_payment",
                         "action": "payment we received, not yet applied in our ERP",
                         "our_document": r["payment_id"], "our_date": r["payment_date"], "our_amount": r["_c"],
                         **_theirs(line, their_c[t])})
            continue
        kind = _kind(line, their_c[t])
        found = _closest(loose, their_c[t], line["date"], days) if kind == "payment" else None
        code = f"theirs_{kind}_found" if found is not None else f"theirs_{kind}"
        if found is not None:
            loose.at[found, "_used"] = True
            f = loose.loc[found]
            action = (f"their payment is in our unapplied cash as {f['payment_id']} of "
                      f"{pd.Timestamp(f['payment_date']):%Y-%m-%d} (payer {f['payer_name'] or 'unknown'}): "
                      "identify it to this customer and apply it")
        else:
            action = {"payment": "payment we cannot find in our bank: ask for the remittance or proof of payment",
                      "credit": "credit note we do not show open: check it was issued by us and not used",
                      "invoice": "invoice we do not show open (paid, cancelled or not ours): check and tell them"}[kind]
        rows.append({"status": ONLY_THEIRS, "code": code, "action": action, "our_document": "", "our_date": pd.NaT,
                     "our_amount": 0, **_theirs(line, their_c[t])})
    for o in range(len(items)):
        if o in used:
            continue
        item = items.loc[o]
        action = ("invoice not in their books: send them a copy" if our_c[o] > 0
                  else "credit note not in their books: send them a copy")
        rows.append({"status": ONLY_OURS, "code": "ours_invoice" if our_c[o] > 0 else "ours_credit",
                     "action": action, "our_document": item["invoice_id"],
                     "our_date": item["invoice_date"], "our_amount": int(our_c[o]), "their_document": "",
                     "their_date": pd.NaT, "their_amount": 0, "their_row": pd.NA})
    unmet = applied.loc[~applied["_used"]]
    for o, paid in zip(unmet["_o"], unmet["_c"]):
        item = items.loc[int(o)]
        rows.append({"status": ONLY_OURS, "code": "ours_payment_applied",
                     "action": f"payment applied to {item['invoice_id']} in our ERP that they do not show: tell them "
                               "the date and amount", "our_document": item["invoice_id"], "our_date": pd.NaT,
                     "our_amount": int(paid), "their_document": "", "their_date": pd.NaT, "their_amount": 0,
                     "their_row": pd.NA})
    for _, r in pool.loc[~pool["_used"]].iterrows():
        rows.append({"status": ONLY_OURS, "code": "ours_payment",
                     "action": "payment we received that they do not show: tell them the "
                                                    "date and amount", "our_document": r["payment_id"],
                     "our_date": r["payment_date"], "our_amount": int(r["_c"]), "their_document": "",
                     "their_date": pd.NaT, "their_amount": 0, "their_row": pd.NA})
    return _finish(rows, int(our_c.sum()) + int(cents(receipts["amount"]).sum() * -1), int(their_c.sum()), flip)


def _row(status, action, item, line, our_c, their_c) -> dict:
    return {"status": status, "action": action, "our_document": item["invoice_id"], "our_date": item["invoice_date"],
            "our_amount": int(our_c), **_theirs(line, their_c)}


def _theirs(line, their_c) -> dict:
    written = " ".join(x for x in (str(line["document"]), str(line["their_document"])) if x)
    return {"their_document": written, "their_date": line["date"], "their_amount": int(their_c),
            "their_row": int(line["source_row"]) if "source_row" in line else pd.NA}


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
    return int(gap.idxmin()) if len(gap) else None


def _finish(rows: list[dict], ours_c: int, theirs_c: int, flip: bool) -> Reconciliation:
    lines = pd.DataFrame(rows, columns=COLUMNS)
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

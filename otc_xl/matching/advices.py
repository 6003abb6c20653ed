"""Remittance advices as data: what a payment pays, invoice by invoice.

An advice line says which invoice (as the customer wrote it), how much is paid for it, how much is
deducted and why. Lines come from the ``Advices`` table (CSV/XLSX advices, lockbox stubs, EDI 820
files and PDF advices are read into it by :mod:`otc_xl.io.formats.bank.advice`) or from EDI 820
segments written in the bank line itself (ACH CTX addenda: ``RMR*IV*4711**980.00*1000.00*20.00~``).

A payment with an advice is decided line by line (:func:`by_advice`): every line must name one open
item (of the payer's group when the payer is known), the lines must add up to the payment (a
difference within the tolerance is the bank's charges), and each line's shortfall is an
early-payment discount (its rate, inside the customer's or the configured window: written off),
bank charges or cents within the tolerance (written off), or a deduction (opened, never written
off). A line naming a cleared item, a line that names nothing, or lines that do not add up send the
payment to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model.money import cents
from .deductions import DISCOUNT, SHORT_PAYMENT, reason_code

ADVICE_COLUMNS = ["payment_id", "invoice_id", "paid_amount", "deduction_amount", "reason", "source"]
_ADX_WORDS = (
    "pricing error", "allowance/charge error", "extension error", "item not accepted - damaged",
    "item not accepted - quality", "quantity contested", "incorrect product", "substitute product",
    "terms of sale error", "pallet/container charge error", "returns - damage", "returns - quality",
    "returns - dating", "returns - promotion", "returns - recall", "non-invoice related allowance/charge",
    "required data missing", "not company bill", "duplicate billing", "balance due declined",
    "shipment method of payment incorrect", "weight error", "special charge not authorized", "incorrect discount",
    "item not accepted", "invoice cancelled", "product transfers subject to charge back", "rebated shipments",
    "fee incorrect", "delivery charge incorrect", "pickup charge incorrect", "oversize premium invalid",
    "currency exchange incorrect", "declared value incorrect", "commodity code incorrect", "scale no. incorrect",
    "dimensions incorrect", "service incorrect", "shipper/consignee ref. no. missing", "address incorrect",
    "item not accepted - delay", "item not accepted - loss", "missing discount", "required documents missing",
    "stale bill over 180 days old", "transportation charge incorrect", "advanced charge incorrect",
    "service charge", "processing charge", "late charge", "interest penalty charge",
    "credit for previous overpayment", "remittance for previous underpayment", "freight deducted")
ADX_REASONS = {f"{code:02d}": words for code, words in enumerate(_ADX_WORDS, start=1)}
"""X12 adjustment reason codes (ADX02, data element 426) 01-54 in words, as the X12 code list names them;
other codes are kept as ``ADX <code>``."""
_SEGMENTS = re.compile(r"[~\n]")


@dataclass(frozen=True)
class AdviceLine:
    reference: str
    """The invoice as the customer wrote it."""
    paid: int | None
    """Cents paid for it (None: not said)."""
    deduction: int = 0
    """Cents deducted (discount or deduction), as the customer says."""
    reason: str = ""
    invoiced: int | None = None
    """The invoice's amount as the customer has it (EDI RMR05), when given."""


def edi_lines(text: str) -> list[AdviceLine]:
    """Advice lines from EDI 820 segments (``RMR``, each with the ``ADX`` adjustments after it) written in a
    bank line or an advice file: reference RMR02, paid RMR04, invoice amount RMR05, discount RMR06."""
    lines: list[AdviceLine] = []
    for segment in _SEGMENTS.split(str(text or "")):
        segment = segment.strip()
        start = max(segment.rfind("RMR*"), segment.rfind("ADX*"))
        if start < 0:
            continue
        elements = segment[start:].split("*")
        tag = elements[0]
        def get(j: int, elements: list[str] = elements) -> str:
            return elements[j].strip() if len(elements) > j else ""
        if tag == "RMR" and get(2):
            paid, invoiced, discount = (_edi_amount(get(4)), _edi_amount(get(5)), _edi_amount(get(6)))
            lines.append(AdviceLine(get(2), paid, abs(discount or 0), "early-payment discount" if discount else "",
                                    invoiced))
        elif tag == "ADX" and lines and get(1):
            amount = abs(_edi_amount(get(1)) or 0)
            words = get(3) if get(3) and not get(3).isdigit() else ADX_REASONS.get(get(2), f"ADX {get(2)}".strip())
            last = lines[-1]
            reason = "; ".join(r for r in (last.reason if last.deduction and last.reason else "", words) if r)
            lines[-1] = AdviceLine(last.reference, last.paid, last.deduction + amount, reason, last.invoiced)
    return lines


def _edi_amount(text: str) -> int | None:
    """An X12 amount element (``1934.5``, ``-15``, ``20.00``) in cents; None when empty or not a number."""
    try:
        return round(float(text) * 100) if text else None
    except ValueError:
        return None


def lines_by_payment(advices: pd.DataFrame | None, payment_ids: list[str], texts: list[str]) -> dict[int, list[Any]]:
    """Payment position → its advice lines: the ``advices`` rows joined by payment id, else the EDI 820
    segments written in the payment's remittance."""
    out: dict[int, list[AdviceLine]] = {}
    if advices is not None and len(advices):
        where = {pid: i for i, pid in enumerate(payment_ids)}
        frame = advices.reindex(columns=ADVICE_COLUMNS)
        paid = frame["paid_amount"]
        deducted = frame["deduction_amount"]
        paid_c = pd.Series(cents(paid.fillna(0)), index=frame.index).where(paid.notna())
        deducted_c = cents(deducted.fillna(0))
        for pid, ref, amount, cut, why in zip(frame["payment_id"].astype(str), frame["invoice_id"],
                                              paid_c, deducted_c, frame["reason"].fillna("")):
            i = where.get(pid)
            if pd.notna(amount) and int(amount) == 0 and not cut:
                continue  # "paid separately": a line this payment does not pay
            if i is not None and str(ref or "").strip():
                out.setdefault(i, []).append(AdviceLine(str(ref).strip(), None if pd.isna(amount) else int(amount),
                                                        abs(int(cut)), str(why)))
    for i, text in enumerate(texts):
        if i not in out and "RMR*" in text.upper():
            found = edi_lines(text.upper())
            if found:
                out[i] = found
    return out


def by_advice(seen: Any, who: Any, group: set[str], book: Any, config: Any, notes: list[str]) -> Any:
    """The outcome of a payment with advice lines (see the module doc), or None when no line names any of
    our items (the payment is then decided on its bank line alone)."""
    from .allowances import _discount, _outside_window, _tolerance
    from .confidence import CONFIDENCE, CONFLICT_CAP, _confidence
    from .outcome import _fmt, _Outcome, _sentence

    index, n_open = book.index, len(book.ids)
    chosen: list[tuple[Any, int]] = []
    cleared, missing = [], []
    for line in seen.advice:
        found = [h for h in index.find(line.reference) if h.strong]
        if any(h.position >= n_open for h in found) and not any(h.position < n_open for h in found):
            cleared.append(line.reference)
            continue
        items = [h.position for h in found if h.position < n_open and book.currency[h.position] == seen.currency]
        if len(items) > 1 and group:
            items = [k for k in items if book.customer[k] in group] or items
        if len(items) > 1:
            fits = [k for k in items if line.paid is not None and int(book.left[k]) == line.paid + line.deduction]
            items = fits if len(fits) == 1 else items
        if len(items) == 1 and items[0] not in [k for _, k in chosen]:
            chosen.append((line, items[0]))
        else:
            missing.append(line.reference)
    if not chosen:
        return None
    lines, deductions, words = [], [], []
    unearned = False
    for line, k in chosen:
        left = int(book.left[k])
        paid = line.paid if line.paid is not None else left - line.deduction
        if left <= 0:
            missing.append(f"{line.reference} (not open)")
            continue
        applied = min(paid, left)
        short = left - applied
        writeoff = 0
        if short > 0:
            code = reason_code(line.reason) if line.reason else ""
            rate = _discount(applied, left, 1, config, book.terms_of(k))
            if (code == DISCOUNT or (not line.reason and line.deduction == short)) and rate is not None:
                late = _outside_window([k], book, config, seen.paid_on, book.terms_of(k))
                if late:
                    unearned = True
                    words.append(f"{book.ids[k]}: {_fmt(short)} taken as a discount, but {late}")
                else:
                    writeoff = short
                    words.append(f"{book.ids[k]}: {rate:.0%} discount {_fmt(short)} written off")
            elif line.deduction and code != DISCOUNT:
                rest = short - line.deduction
                if rest < 0:
                    missing.append(f"{line.reference} (deducts {_fmt(line.deduction)} of {_fmt(short)} short)")
                    continue
                deductions.append((k, line.deduction, code or "other", line.reason))
                words.append(f"{book.ids[k]}: deduction {_fmt(line.deduction)} ({line.reason or 'no reason given'})")
                if rest <= _tolerance(left, config):
                    writeoff = rest
                else:
                    deductions.append((k, rest, SHORT_PAYMENT, ""))
            elif short <= _tolerance(left, config):
                writeoff = short
            elif rate is not None and not _outside_window([k], book, config, seen.paid_on, book.terms_of(k)):
                writeoff = short
                words.append(f"{book.ids[k]}: {rate:.0%} discount {_fmt(short)} written off")
            else:
                deductions.append((k, short, SHORT_PAYMENT, line.reason))
                words.append(f"{book.ids[k]}: {_fmt(short)} short, opened as a deduction")
        lines.append((k, applied, writeoff))
    total = sum(a for _, a, _ in lines)
    why = [f"the advice lists {len(seen.advice)} invoice(s); {len(lines)} found open"]
    confidence = _confidence("reference+advice", who)
    reason = ""
    foreign = [k for k, _, _ in lines if group and book.customer[k] not in group]
    owners = {book.customer[k] for k, _, _ in lines}
    if foreign:
        confidence = min(confidence, 75)
        why.append(f"but {', '.join(book.ids[k] for k in foreign)} belong to another customer than the payer")
    elif not group and len(owners) > 1:
        confidence = min(confidence, 75)
        why.append(f"but the items belong to {len(owners)} customers and the payer is not known")
    if cleared:
        confidence = min(confidence, CONFLICT_CAP)
        reason = "duplicate"
        why.append(f"but it names {', '.join(cleared)}, already cleared (paid twice?)")
    if missing:
        confidence = min(confidence, CONFLICT_CAP)
        why.append(f"but these lines name no open item of ours: {', '.join(missing)}")
    if unearned:
        confidence = min(confidence, CONFIDENCE["reference+unearned_discount"])
        reason = reason or "unearned_discount"
    if total != seen.amount:
        difference = seen.amount - total
        if 0 < -difference <= _tolerance(total, config) and lines:
            largest = max(range(len(lines)), key=lambda j: lines[j][1])
            k, a, w = lines[largest]
            lines[largest] = (k, a + difference, w - difference)
            why.append(f"the payment is {_fmt(-difference)} less than the lines: bank charges, written off")
        elif difference > 0 and not missing and not cleared:
            reason = reason or "overpayment"
            why.append(f"the payment is {_fmt(difference)} more than the lines: the rest stays unapplied")
        else:
            confidence = min(confidence, CONFLICT_CAP)
            why.append(f"but the lines add up to {_fmt(total)}, not the {_fmt(seen.amount)} received: for review")
    return _Outcome(lines, "reference+advice", confidence, _sentence(notes + [who.detail] + why + words[:20]),
                    reason, who.customer_id or book.customer[lines[0][0]] if lines else who.customer_id,
                    deductions=deductions)

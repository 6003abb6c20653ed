"""Cash application: which open items does each received payment pay?

For every payment, in order of the strength of its evidence (references first):

1. **Who paid** — IBAN, learned alias, given customer id, or fuzzy payer name (``names``).
2. **What it names** — our document numbers, customer references and RF references found in
   the remittance (``references``). Strong hits are whole numbers; weak hits (a bare ``451``)
   count only for the identified customer. References to items of another customer or to
   closed items are never trusted alone; items in another currency are never applied.
3. **Does the amount fit** — exactly; short by bank fees within tolerance (written off); less an
   early-payment discount at a configured rate (written off); more than the items (they are
   closed, the rest stays unapplied); less on purpose (partial application); or, with no
   reference, exactly one open item of the customer, or exactly one subset of them.
4. **Decide** — each outcome has a confidence (0-100, see ``CONFIDENCE``; measured precision per
   level is in docs/cash-application.md). At or above ``auto_threshold`` the applications are
   ``auto``; below, ``review``. Two equally good candidates are never applied automatically.

Since issue 29: a remittance naming an item of the ERP's cleared items (``cleared``), or one of the
payer's numbers that is not open, is never applied automatically (``duplicate``: refund or keep on
account); a deduction the customer claims, or a shortfall beyond tolerance up to
``deduction_max_pct``, is applied as paid and opened as a deduction (``MatchResult.deductions``),
never written off; advice lines (``advices``, and EDI 820 segments in the bank line) are decided
line by line (:mod:`otc_xl.matching.advices`); an exact subset, or the named items less one unnamed
open credit note, comes before any write-off; the instructed amount proves bank charges.

Money is handled in integer cents; an item's open amount is reduced as payments are applied, so
several payments to one item never apply more than is open. For every payment
Σ applied (auto) + unapplied = amount, exactly.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA

from ..model.money import cents
from ..config import Config
from .deductions import DEDUCTION_COLUMNS, SHORT_PAYMENT, claims, is_partial, mentions_discount
from .names import CustomerDirectory, Identification
from .references import REFERENCE_FIELDS, Hit, ReferenceIndex, named_documents, year_qualified
from .subsets import MAX_NODES, MAX_SIZE, exact_subsets, expected_coincidences

APPLICATION_COLUMNS = ["payment_id", "invoice_id", "customer_id", "applied_amount", "writeoff_amount",
                       "confidence", "method", "status", "explanation"]
UNAPPLIED_COLUMNS = ["payment_id", "payer_name", "amount", "unapplied_amount", "reason", "suggested_customer_id",
                     "explanation"]

# Confidence of each outcome before adjustments (see _confidence). Calibrated on the benchmark.
CONFIDENCE = {
    "reference+amount": 99, "reference+writeoff": 97, "reference+discount": 96, "reference+overpayment": 95,
    "reference+partial": 94, "reference+subset": 93, "reference+oldest_first": 80,
    "reference+remainder": 92, "reference+remainder_subset": 90, "reference+near_miss": 85,
    "reference+credit_note": 97, "iban+credit_note": 94, "name+credit_note": 91,
    "iban+amount": 96, "name+amount": 93, "iban+subset": 93, "name+subset": 91,
    "iban+writeoff": 90, "name+writeoff": 88, "iban+discount": 89, "name+discount": 87,
    "reference+unearned_discount": 70, "iban+unearned_discount": 65, "name+unearned_discount": 60,
    "reference+deduction": 94, "reference+credit_unnamed": 92, "reference+advice": 97,
}


@dataclass
class MatchConfig:
    """Settings of :func:`match_payments`: the matching part of :class:`otc_xl.Config`, whose defaults
    (documented there and in the README) these are, plus the search limits that only matching has."""

    tolerance_abs: float = Config.tolerance_abs
    """Short payment written off up to this amount, in the payment's currency…"""
    tolerance_pct: float = Config.tolerance_pct
    """…and up to this percentage of the items paid (both limits apply)."""
    discount_rates: tuple[float, ...] = Config.discount_rates
    """Early-payment discounts accepted as deliberate deductions…"""
    discount_days: int = Config.discount_days
    """…when the payment is dated at most this many days after the invoice date (0: no window)."""
    auto_threshold: float = Config.auto_threshold
    """Applications at or above this confidence are ``auto``; below, ``review``."""
    name_cutoff: float = Config.name_cutoff
    """Minimum payer-name similarity (0-100) to identify a customer by name."""
    name_margin: float = 5.0
    """…and how far the best customer must lead the second (else it is a tie)."""
    max_subset_size: int = MAX_SIZE
    """Largest number of items one payment is matched to without references."""
    max_subset_nodes: int = MAX_NODES
    """Search budget per payment for subsets; a search cut short is not unique."""
    deduction_max_pct: float = Config.deduction_max_pct
    """A payment short of its one named invoice beyond the tolerance by at most this percentage, without
    saying why, opens a deduction; a larger shortfall is a partial payment."""

    @classmethod
    def from_config(cls, config: Any) -> MatchConfig:
        """From an :class:`otc_xl.Config` (the workbook's Config sheet)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in dataclasses.asdict(config).items() if k in names})


@dataclass
class MatchResult:
    applications: pd.DataFrame
    """One row per (payment, invoice): APPLICATION_COLUMNS."""
    unapplied: pd.DataFrame
    """One row per payment with money not applied automatically: UNAPPLIED_COLUMNS."""
    config: MatchConfig = field(default_factory=MatchConfig)
    deductions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DEDUCTION_COLUMNS))
    """One row per deduction found (DEDUCTION_COLUMNS): opened when its application is ``auto``."""
    directory: CustomerDirectory | None = field(default=None, repr=False, compare=False)
    """Who is who, as this run identified payers (the alias suggestions reuse it)."""

    def summary(self) -> dict[str, int]:
        auto = self.applications.loc[self.applications["status"] == "auto"]
        return {"applications auto": len(auto), "applications to review": int((self.applications["status"] == "review").sum()),
                "payments fully applied": int(auto["payment_id"].nunique() - self.unapplied["payment_id"].isin(auto["payment_id"]).sum()),
                "payments with money unapplied": len(self.unapplied)}


@dataclass
class _Outcome:
    """What one payment does: lines of (item position, applied cents, write-off cents), and why."""

    lines: list[tuple[int, int, int]]
    method: str
    confidence: float
    why: str
    reason: str = ""
    """Why money is left over, when it is (overpayment, partial, ambiguous, no_match)."""
    suggested: str = ""
    proposal_only: bool = False
    """Decided after other payments' proposals reserved items: never applied automatically."""
    deductions: list[tuple[int, int, str, str]] = field(default_factory=list)
    """(item position, cents, reason code, the customer's words) of each deduction opened."""


CLEARED_COLUMNS = ["invoice_id", "customer_id", "currency", "amount", "clearing_date", "clearing_document", "reference"]
_NOT_DIGIT = re.compile(r"[^0-9]")


def _cleared_frame(cleared: pd.DataFrame | None, open_ids: set[str]) -> pd.DataFrame:
    if cleared is None or not len(cleared):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CLEARED_COLUMNS})
    frame = cleared.reindex(columns=CLEARED_COLUMNS).reset_index(drop=True)
    frame["invoice_id"] = frame["invoice_id"].astype(str)
    frame = frame.loc[~frame["invoice_id"].isin(open_ids)].drop_duplicates("invoice_id", keep="last")
    for column in ("customer_id", "currency", "clearing_document", "reference"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame.reset_index(drop=True)


class _Book:
    """The open items being paid: cents left per item, by customer and currency; and the cleared items."""

    def __init__(self, invoices: pd.DataFrame, cleared: pd.DataFrame | None = None):
        self.items = invoices.reset_index(drop=True)
        self.ids = self.items["invoice_id"].astype(str).tolist()
        self.customer = self.items["customer_id"].astype(str).tolist()
        self.currency = self.items["currency"].astype(str).tolist()
        self.initial = cents(self.items["open_amount"])
        self.invoiced = cents(self.items["amount"]) if "amount" in self.items else self.initial
        self.left = self.initial.copy()
        due = self.items["due_date"] if "due_date" in self.items else pd.Series(pd.NaT, index=self.items.index)
        self.due = due.fillna(pd.Timestamp.max).to_numpy()
        issued = self.items["invoice_date"] if "invoice_date" in self.items else pd.Series(pd.NaT, index=self.items.index)
        self.issued = pd.to_datetime(issued).to_numpy()  # datetime64: no Timestamp object per item
        self.by_customer: dict[tuple[str, str], list[int]] = {}
        for k, (c, cur) in enumerate(zip(self.customer, self.currency)):
            self.by_customer.setdefault((c, cur), []).append(k)
        self.credits_of = self._credits_naming(self.items["reference"].tolist() if "reference" in self.items else [])
        self.cleared = _cleared_frame(cleared, set(self.ids))
        """The ERP's cleared items that are not open (an id both open and cleared is open: partly paid)."""
        self._shapes: dict[str, set[tuple[int, str]]] | None = None
        self.terms: dict[str, tuple[tuple[float, ...], int]] = {}
        """Customer → its own early-payment discount (rates, days) from the customer master."""
        self.index: ReferenceIndex | None = None

    def terms_of(self, k: int) -> tuple[tuple[float, ...], int] | None:
        return self.terms.get(self.customer[k])

    def shapes(self, customers: set[str]) -> set[tuple[int, str]]:
        """(digit count, first three digits) of the numbers of ``customers``' items, open and cleared:
        what a number of theirs looks like. Worked out per customer when first asked (most payers
        never need it), so its cost follows the payments, not the size of the ledger."""
        if self._shapes is None:
            self._shapes = {}
            self._numbers: dict[str, list[str]] = {}
            for cid, number in [*zip(self.customer, self.ids),
                                *zip(self.cleared["customer_id"], self.cleared["invoice_id"])]:
                self._numbers.setdefault(cid, []).append(number)
        out: set[tuple[int, str]] = set()
        for cid in customers:
            found = self._shapes.get(cid)
            if found is None:
                found = set()
                for number in self._numbers.get(cid, ()):
                    digits = _NOT_DIGIT.sub("", number)
                    if len(digits) >= 5:
                        found.add((len(digits), digits[:3]))
                    year = year_qualified(number)
                    if year:
                        found.add(("Y", year.split("/")[1]))
                self._shapes[cid] = found
            out |= found
        return out

    def _credits_naming(self, references: list) -> dict[int, list[int]]:
        """Invoice position → the open credits (credit notes, money on account) of the same customer and
        currency whose reference names it: a customer pays such an invoice net of them."""
        credits = [k for k in range(len(self.ids)) if self.initial[k] < 0 and k < len(references) and references[k]]
        if not credits:
            return {}
        invoices = {(self.customer[k], self.currency[k], self.ids[k].upper()): k
                    for k in range(len(self.ids)) if self.initial[k] > 0}
        out: dict[int, list[int]] = {}
        for c in credits:
            for token in dict.fromkeys(named_documents(references[c])):
                k = invoices.get((self.customer[c], self.currency[c], token))
                if k is not None:
                    out.setdefault(k, []).append(c)
        return out

    def linked_credits(self, items: list[int]) -> list[int]:
        """The open credits naming any of ``items`` (not among them)."""
        return [c for k in items for c in self.credits_of.get(k, ()) if self.left[c] < 0 and c not in items]

    def open_of(self, customers: set[str], currency: str) -> list[int]:
        return sorted(k for c in customers for k in self.by_customer.get((c, currency), ()) if self.left[k] != 0)


def match_payments(invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame | None = None,
                   config: MatchConfig | None = None, aliases: pd.DataFrame | None = None,
                   cleared: pd.DataFrame | None = None, advices: pd.DataFrame | None = None) -> MatchResult:
    """Apply ``payments`` to the open ``invoices`` (canonical frames; optional columns may be missing).

    ``customers`` (customer_id, customer_name, aliases, iban, parent_id) identifies payers;
    ``aliases`` (payer → customer_id, learned from confirmed applications; payer may be a name or an
    IBAN) takes precedence over fuzzy names. ``cleared`` (the ERP's cleared items: invoice_id,
    customer_id, amount, clearing_date, clearing_document) tells a payment of an item already paid
    (never applied automatically: a duplicate, to refund or keep on account). ``advices`` (remittance
    advice lines: payment_id, invoice_id as written, paid_amount, deduction_amount, reason; see
    :mod:`otc_xl.matching.advices`) say per invoice what a payment pays. Returns
    :class:`MatchResult`; see the module docstring.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small sets and tuples, no cycles: the collector's passes cost superlinear time
    try:
        return _match(invoices, payments, customers, config, aliases, cleared, advices)
    finally:
        if collecting:
            gc.enable()


def _match(invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame | None,
           config: MatchConfig | None, aliases: pd.DataFrame | None, cleared: pd.DataFrame | None,
           advices: pd.DataFrame | None) -> MatchResult:
    config = config or MatchConfig()
    book = _Book(invoices, cleared)
    n_open = len(book.ids)
    indexed = book.items.reindex(columns=["invoice_id", *(name for name, _ in REFERENCE_FIELDS)]).astype(object)
    if len(book.cleared):
        indexed = pd.concat([indexed, book.cleared[["invoice_id", "reference"]]], ignore_index=True)
    index = ReferenceIndex(indexed.where(indexed.notna(), ""))
    book.index = index
    book.terms = _discount_terms(customers)
    directory = CustomerDirectory(customers, aliases, config.name_cutoff, config.name_margin)
    pays = payments.reset_index(drop=True)
    for column, default in (("payer_name", ""), ("payer_account", ""), ("remittance", ""), ("currency", "EUR")):
        if column not in pays:
            pays = pays.assign(**{column: default})
    identities = directory.identify(pays) if len(pays) else []
    texts = [str(text or "") for text in pays["remittance"]]
    identities = _on_behalf(pays, texts, identities, directory)
    instructed = _instructed(pays, texts)
    lines_of = _advice_lines(advices, pays, texts)
    scans = [index.scan(text) for text in texts]
    hits = [[h for h in found if h.position < n_open] for found, _ in scans]
    paid_before = [[dataclasses.replace(h, position=h.position - n_open) for h in found
                    if h.position >= n_open and h.strong] for found, _ in scans]
    unknown = [numbers for _, numbers in scans]
    amounts = cents(pays["amount"])
    strength = [0 if i in lines_of or any(h.strong for h in hs) else 1 if hs else 2 for i, hs in enumerate(hits)]
    ids, currencies = pays["payment_id"].astype(str).tolist(), pays["currency"].astype(str).tolist()
    payers = [str(p or "") for p in pays["payer_name"].tolist()]
    paid_on = (pd.to_datetime(pays["payment_date"]).to_numpy().view("int64").tolist() if "payment_date" in pays
               else [0] * len(pays))
    order = sorted(range(len(pays)), key=lambda i: (strength[i], paid_on[i], ids[i]))
    outcomes: dict[int, _Outcome] = {}

    dates = pd.to_datetime(pays["payment_date"]).to_numpy() if "payment_date" in pays else [pd.NaT] * len(pays)

    def decide(i: int) -> _Outcome:
        charges = instructed[i] - int(amounts[i]) if instructed[i] > amounts[i] else 0
        seen = _Seen(int(amounts[i]) + charges, currencies[i], hits[i], identities[i], payers[i], dates[i], texts[i],
                     paid_before[i], unknown[i], lines_of.get(i, []))
        outcome = _decide(seen, book, directory, config)
        return _less_charges(outcome, charges) if charges else outcome

    def reserve(outcome: _Outcome) -> None:
        for position, applied, writeoff in outcome.lines:
            book.left[position] -= applied + writeoff

    # Pass 1: only confident outcomes take money off items, so a guess never makes another
    # payment's match look unique. Pass 2: the rest are decided again on what is left, and their
    # proposals reserve among themselves (no item is proposed twice beyond its open amount).
    for i in order:
        outcome = decide(i)
        if outcome.lines and outcome.confidence >= config.auto_threshold:
            reserve(outcome)
            outcomes[i] = outcome
    for i in order:
        if i not in outcomes:
            outcome = decide(i)
            if outcome.lines and outcome.confidence >= config.auto_threshold:
                outcome.why = outcome.why.rstrip(".") + "; other proposals on these items came first, so: for review."
            outcome.proposal_only = True
            reserve(outcome)
            outcomes[i] = outcome
    return replace(_result(pays, amounts, outcomes, book, config), directory=directory)


_OCMT = re.compile(r"(?:/OCMT/|:33B:)\s*([A-Z]{3})?\s*([0-9]+(?:[.,][0-9]{1,2})?)")
_CHGS = re.compile(r"(?:/CHGS/|:71F:)\s*([A-Z]{3})?\s*([0-9]+(?:[.,][0-9]{1,2})?)")
_ON_BEHALF = re.compile(r"(?:ON BEHALF OF:?|ABWA\+|ULTMTDBTR:?|ORDENANTE FINAL:?)\s*([^|+/]{3,70}?)\s*(?=\||[A-Z]{4}\+|/|$)")
_CUSTOMER_NUMBER = re.compile(r"(?<![A-Z])(?:KUNDEN?(?:-?NR|NUMMER)?|KD\.?-?NR|KDNR|CUSTOMER(?:\s?(?:NO|NR|NUMBER|ID))?|"
                              r"CUST(?:OMER)?\.?\s?(?:NO|#|ID)|N\.?\s?CLIENTE|COD(?:ICE)?\.?\s?CLIENTE|CLIENTE|"
                              r"NO\.?\s?CLIENT|CLIENT|DEBITOR(?:EN)?(?:-?NR|NUMMER)?|ACCOUNT\s?(?:NO|NR|#)|ACCT)"
                              r"\.?\s*[:#]?\s*([A-Z0-9][A-Z0-9\-]{2,14})(?![A-Z0-9])")


def _money(text: str) -> int:
    whole, _, decimals = text.replace(",", ".").partition(".")
    return int(whole) * 100 + int((decimals + "00")[:2])


def _instructed(pays: pd.DataFrame, texts: list[str]) -> list[int]:
    """Per payment, the cents the payer instructed when the bank took charges from them (0 when unknown): the
    ``instructed_amount`` column, else ``amount`` + ``charges``, else /OCMT/ or :33B: (and /CHGS/, :71F:) in the
    text, in the payment's currency."""
    out = [0] * len(pays)
    amounts = cents(pays["amount"])
    given = cents(pays["instructed_amount"].fillna(0)) if "instructed_amount" in pays else None
    charged = cents(pays["charges"].fillna(0)) if "charges" in pays else None
    currencies = pays["currency"].astype(str).tolist()
    for i, text in enumerate(texts):
        if given is not None and given[i] > amounts[i]:
            out[i] = int(given[i])
        elif charged is not None and charged[i] > 0:
            out[i] = int(amounts[i] + charged[i])
        elif "/OCMT/" in text or ":33B:" in text or "/CHGS/" in text or ":71F:" in text:
            upper = text.upper()
            m = _OCMT.search(upper)
            c = _CHGS.search(upper)
            if m and (not m.group(1) or m.group(1) == currencies[i]):
                out[i] = _money(m.group(2))
            elif c and (not c.group(1) or c.group(1) == currencies[i]):
                out[i] = int(amounts[i]) + _money(c.group(2))
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
    outcome.why = (outcome.why.rstrip(".") + f"; the payer instructed {_fmt(sum(a for _, a, _ in outcome.lines) + charges)}"
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


def _discount_terms(customers: pd.DataFrame | None) -> dict[str, tuple[tuple[float, ...], int]]:
    """Customer → (its early-payment discount rate, its days) where the master gives both."""
    if customers is None or "early_discount_pct" not in customers or "early_discount_days" not in customers:
        return {}
    out = {}
    for cid, pct, days in zip(customers["customer_id"].astype(str), customers["early_discount_pct"],
                              customers["early_discount_days"]):
        if pd.notna(pct) and pd.notna(days) and float(pct) > 0:
            out[cid] = ((float(pct) / 100,), int(days))
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


# ---------------------------------------------------------------------------- decisions

def _decide(seen: _Seen, book: _Book, directory: CustomerDirectory, config: MatchConfig) -> _Outcome:
    amount, currency, hits, who, payer, paid_on = (seen.amount, seen.currency, seen.hits, seen.who, seen.payer,
                                                   seen.paid_on)
    group = directory.group(who.customer_id) if who.customer_id else set()
    usable, notes = _usable_hits(hits, currency, who, group, book, amount)
    owners = {book.customer[h.position] for h in usable}
    # a cleared item counts when it is the payer's (or, payer unknown, of the customer whose items are named)
    mine = group or owners
    cleared = [h for h in seen.cleared if not mine or str(book.cleared.at[h.position, "customer_id"]) in mine]
    duplicate = _paid_before(cleared, book)
    if usable and not who.customer_id and who.candidates:
        # customers of the same name: a reference to the items of exactly one of them decides
        if len(owners) == 1 and next(iter(owners)) in who.candidates:
            cid = next(iter(owners))
            who = dataclasses.replace(who, customer_id=cid, method="name", score=who.score - SIBLING_PENALTY,
                                      detail=f"{who.detail}; the reference names items of {cid} only")
            group = directory.group(cid)
    if seen.advice:
        from .advices import by_advice

        outcome = by_advice(seen, who, group, book, config, notes)
        if outcome is not None:
            return _also_paid_before(outcome, duplicate)
    if usable:
        conflict = ""
        if not who.customer_id and payer:
            if all(directory.conflicts(payer, c) for c in owners):
                conflict = (f"but the payer {payer!r} resembles none of {', '.join(sorted(owners))}, whose items they "
                            "are: conflicting evidence")
        return _also_paid_before(_by_reference(amount, usable, who, group, book, config, notes, conflict, paid_on,
                                               seen.text), duplicate)
    if duplicate:
        owner = who.customer_id or str(book.cleared.at[cleared[0].position, "customer_id"])
        return _Outcome([], "", 0, _sentence(notes + [who.detail, duplicate]), "duplicate", owner)
    if who.customer_id:
        outcome = _by_customer(amount, currency, who, group, book, config, notes, paid_on)
        if any(h.strong and amount in (book.invoiced[h.position], book.initial[h.position])
               for h in hits if book.left[h.position] == 0):
            # the text names an item already cleared for exactly this amount: it was paid elsewhere
            # (cheque, netting); another item that happens to fit must not take this money
            outcome.confidence = min(outcome.confidence, CONFLICT_CAP)
            outcome.why = outcome.why.rstrip(".") + "; but the remittance names an item already closed for this " \
                                                    "amount (paid elsewhere?): for review."
        ours = _numbers_of(seen.unknown, group, book)
        if outcome.lines and ours:
            # the customer wrote which document it pays, and it is not open: paid already, or a slip of
            # a digit (90422615 for 90422815); an item that happens to fit the amount must not take it
            close = [book.ids[k] for k, _, _ in outcome.lines
                     if any(OSA.distance(_NOT_DIGIT.sub("", book.ids[k]), n) <= 1 for n in ours)]
            outcome.confidence = min(outcome.confidence, CONFLICT_CAP)
            shown = [f"a number of {2000 + int(n[1:])}" if n.startswith("Y") else n for n in ours]
            outcome.why = (outcome.why.rstrip(".") + f"; but the remittance names {', '.join(shown)}, which is no open "
                           "item of the payer (paid already?" + (f" a slip for {', '.join(close)}?" if close else "")
                           + "): for review.")
        return outcome
    if who.candidates:
        sibling = _sibling_by_amount(amount, currency, who, book, directory, notes)
        if sibling is not None:
            ours = _numbers_of(seen.unknown, {c for x in who.candidates for c in directory.group(x)}, book)
            if ours:
                sibling.confidence = min(sibling.confidence, CONFLICT_CAP)
                sibling.why = (sibling.why.rstrip(".") + f"; but the remittance names {', '.join(ours)}, which is no "
                               "open item of theirs (paid already?): for review.")
            return sibling
    reason = "ambiguous" if who.runner_up else "no_match"
    why = who.detail or "no customer could be identified from the IBAN or payer name"
    return _Outcome([], "", 0, _sentence(notes + [why]), reason)


def _paid_before(cleared: list[Hit], book: _Book) -> str:
    """One phrase on the cleared items a remittance names ("" when none): a payment of them is paid twice."""
    if not cleared:
        return ""
    items = book.cleared
    parts = []
    for hit in cleared:
        row = items.iloc[hit.position]
        when = row["clearing_date"]
        when = f" on {pd.Timestamp(when):%d/%m/%Y}" if pd.notna(when) and str(when) != "" else ""
        doc = f" by document {row['clearing_document']}" if row["clearing_document"] else ""
        amount = f" ({float(row['amount']):,.2f})" if pd.notna(row["amount"]) else ""
        parts.append(f"{row['invoice_id']} (written {hit.written!r}), cleared{when}{doc}{amount}")
    return (f"the remittance names {'; '.join(parts)}: already paid, so this looks like a duplicate payment — "
            "refund or keep on account")


def _also_paid_before(outcome: _Outcome, duplicate: str) -> _Outcome:
    """A payment that also names a cleared item is never applied automatically."""
    if duplicate:
        outcome.confidence = min(outcome.confidence, CONFLICT_CAP)
        outcome.why = outcome.why.rstrip(".") + f"; but {duplicate}: for review."
        outcome.reason = outcome.reason or "duplicate"
    return outcome


def _numbers_of(numbers: list[str], group: set[str], book: _Book) -> list[str]:
    """The ``numbers`` written in a remittance that look like the numbers of ``group``'s items (same digit
    count, same first three digits) but name none of them."""
    if not numbers or not group:
        return []
    shapes = book.shapes(group)
    lengths = {shape[0] for shape in shapes}
    out = []
    for written in numbers:
        said, n = written.startswith("#"), written.lstrip("#")
        if n.startswith("Y"):
            ours = ("Y", n[1:]) in shapes
        else:  # after an invoice keyword, the digit count of the payer's numbers is enough
            ours = (len(n), n[:3]) in shapes or (said and len(n) in lengths)
        if ours:
            out.append(n)
    return out


def _sibling_by_amount(amount: int, currency: str, who: Identification, book: _Book, directory: CustomerDirectory,
                       notes: list[str]) -> _Outcome | None:
    """Siblings the name cannot tell apart ("Talleres Iriarte SL" / "… SA"): exactly one open item
    among all of theirs whose open amount is the payment decides, with the chance of such a fit by
    luck counted over all their items. Otherwise None (the payment stays for review)."""
    if len(who.candidates) > MAX_SIBLINGS:
        return None  # a name many customers share is no pair of siblings: the amount decides nothing
    items = [k for c in who.candidates for k in book.open_of(directory.group(c), currency)]
    same = [k for k in items if int(book.left[k]) == amount]
    if len(same) != 1:
        return None
    k = same[0]
    values = [int(book.left[j]) for j in items if book.left[j] > 0]
    chosen = dataclasses.replace(who, customer_id=book.customer[k], method="name", score=who.score - SIBLING_PENALTY)
    confidence = _confidence("name+amount", chosen) - _luck_penalty(expected_coincidences(values, amount, range(1, 2)))
    why = (f"{_fmt(amount)} equals the open amount of {book.ids[k]} of {book.customer[k]}, the only such item among "
           f"the {len(who.candidates)} customers the name fits")
    return _Outcome([(k, amount, 0)], "name+amount", confidence, _sentence(notes + [who.detail, why]), "",
                    book.customer[k])


def _usable_hits(hits: list[Hit], currency: str, who: Identification, group: set[str],
                 book: _Book, amount: int) -> tuple[list[Hit], list[str]]:
    usable, notes = [], []
    for hit in hits:
        k = hit.position
        name = f"{book.ids[k]} (written {hit.written!r})"
        if book.initial[k] == 0 or book.left[k] == 0:
            notes.append(f"the remittance names {name}, which is already closed")
        elif book.currency[k] != currency:
            notes.append(f"the remittance names {name}, which is in {book.currency[k]}, not {currency}")
        elif not hit.strong and not (group and book.customer[k] in group):
            continue  # a bare number is evidence only for the payer's own items
        else:
            usable.append(hit)
    return _one_scheme(usable, group, book, amount, notes), notes


def _one_scheme(hits: list[Hit], group: set[str], book: _Book, amount: int, notes: list[str]) -> list[Hit]:
    """A number written once that is the number of items of several customers (two numbering
    schemes: ``FV-2026-004471`` and ``2026/FV/4471``) is decided by the payer, else by the one item
    whose open amount is the payment, else it is no evidence at all."""
    by_span: dict[tuple[int, int], list[Hit]] = {}
    for hit in hits:
        by_span.setdefault(hit.span, []).append(hit)
    keep = []
    for span, same in by_span.items():
        if len(same) > 1 and any(book.left[h.position] > 0 for h in same):
            # a number written once is the invoice, not a credit note of another series with its digits
            same = [h for h in same if book.left[h.position] > 0]
        owners = {book.customer[h.position] for h in same}
        if len(owners) < 2:
            keep += same
            continue
        mine = [h for h in same if group and book.customer[h.position] in group]
        fits = [h for h in same if int(book.left[h.position]) == amount]
        chosen = mine or (fits if len(fits) == 1 else [])
        if chosen:
            keep += chosen
        else:
            notes.append(f"{same[0].written!r} is the number of items of several customers "
                         f"({', '.join(sorted(owners))}): ambiguous, not used")
    order = {id(h): n for n, h in enumerate(hits)}
    return sorted(keep, key=lambda h: order[id(h)])


def _outside_window(items: list[int], book: _Book, config: MatchConfig, paid: Any,
                    terms: tuple[tuple[float, ...], int] | None = None) -> str:
    """Why an early-payment discount on ``items`` paid on ``paid`` is not earned ("" when it is): paid
    more than the window (the customer's own ``early_discount_days``, else ``discount_days``) after an
    invoice's date, or a date unknown so the window cannot be checked."""
    window = terms[1] if terms else config.discount_days
    if not window:
        return ""
    for k in items:
        issued = book.issued[k]
        if paid is None or pd.isna(paid) or pd.isna(issued):
            return f"the dates needed to check the {window}-day discount window are missing"
        days = (pd.Timestamp(paid) - pd.Timestamp(issued)).days
        if days > window:
            return (f"it was paid {days} days after {book.ids[k]} was issued (window: {window} days"
                    + (", the customer's terms)" if terms else ")"))
    return ""


def _tolerance(total: int, config: MatchConfig) -> int:
    return int(min(config.tolerance_abs * 100, abs(total) * config.tolerance_pct / 100))


def _discount(amount: int, total: int, count: int, config: MatchConfig,
              terms: tuple[tuple[float, ...], int] | None = None) -> float | None:
    """The early-payment discount rate ``amount`` is ``total`` less (within ``count`` cents of rounding): the
    customer's own rate when its master has one, else one of ``discount_rates``."""
    for rate in (terms[0] if terms else config.discount_rates):
        if total > 0 and abs(amount - round(total * (1 - rate))) <= count:
            return rate
    return None


def _by_reference(amount: int, hits: list[Hit], who: Identification, group: set[str], book: _Book,
                  config: MatchConfig, notes: list[str], conflict: str = "", paid_on: Any = None,
                  text: str = "") -> _Outcome:
    items = [h.position for h in hits]
    left = [int(book.left[k]) for k in items]
    total = sum(left)
    foreign = [k for k in items if group and book.customer[k] not in group]
    weak = any(not h.strong for h in hits)
    named = ", ".join(f"{book.ids[h.position]}" + (f" (as {h.written!r})" if h.written.replace(" ", "") !=
                                                    book.ids[h.position].replace("-", "") else "") for h in hits)
    cited = f"the remittance names {named}"

    def outcome(method: str, lines, why: str, reason: str = "", deductions=()) -> _Outcome:
        confidence = _confidence(method, who, weak=weak, foreign=bool(foreign))
        extra = [conflict] if conflict else []
        if "; the reference names items of" in who.detail:  # say how a tie between same-name customers was settled
            extra.append(who.detail)
        if conflict:  # an amount that fits exactly is a second witness; a partial or surplus is not
            confidence = (confidence - CONFLICT_PENALTY if method in EXACT_FITS else min(confidence, CONFLICT_CAP))
        elif not who.customer_id and method not in EXACT_FITS and not method.endswith("remainder"):
            # a reference alone, and an amount that does not fit: nothing says this payer owes that item
            confidence = min(confidence, UNCONFIRMED_CAP)
            extra.append("nothing but the reference links this payment to the item and the amount does not fit "
                         "it: for review")
        if foreign:
            extra.append(f"but {', '.join(book.ids[k] for k in foreign)} belongs to another customer than "
                         f"the payer ({who.customer_id}), so it is not trusted alone")
        if not who.customer_id:
            extra.append("the payer itself was not recognised")
        return _Outcome(lines, method, confidence, _sentence(notes + [cited, why] + extra), reason,
                        book.customer[items[0]], deductions=list(deductions))

    if amount == total:
        return outcome("reference+amount", _full(items, left), f"the amount {_fmt(amount)} equals what is open on them")
    credits = book.linked_credits(items)
    if credits and amount == total + sum(int(book.left[c]) for c in credits):
        return outcome("reference+credit_note", _full(items + credits, left + [int(book.left[c]) for c in credits]),
                       f"the amount {_fmt(amount)} equals what is open on them ({_fmt(total)}) less the credit "
                       f"{', '.join(book.ids[c] for c in credits)} that names them "
                       f"({_fmt(-sum(int(book.left[c]) for c in credits))}): both are cleared")
    tolerance = _tolerance(total, config)
    claimed = claims(text)
    if claimed and len(items) == 1 and amount < total:
        # a deduction the customer claims is opened, never written off (tolerance is for charges and cents)
        rest = total - amount - sum(c.amount for c in claimed)
        if 0 <= rest <= tolerance:
            k = items[0]
            return outcome("reference+deduction", [(k, amount, rest)],
                           f"{_fmt(amount)} of the {_fmt(total)} open is paid; the customer deducts "
                           f"{_fmt(total - amount - rest)} ({'; '.join(c.text for c in claimed)}): a deduction is "
                           "opened" + (f", {_fmt(rest)} of bank charges written off" if rest else ""),
                           deductions=[(k, c.amount, c.code, c.text) for c in claimed])
    if len(items) > 1 and amount < total:
        # an exact subset of what is named comes before any write-off (a PO's deliveries, not its residual)
        found = exact_subsets(left, amount, min_size=1, max_size=min(len(items), config.max_subset_size),
                              max_nodes=config.max_subset_nodes).unique
        if found is not None:
            chosen = [items[j] for j in found]
            return outcome("reference+subset", _full(chosen, [left[j] for j in found]),
                           f"the amount {_fmt(amount)} equals exactly {', '.join(book.ids[k] for k in chosen)}")
    if amount < total:
        # an open credit note the payer did not name, that makes the amount exact, before any write-off
        owners = group or {book.customer[k] for k in items}
        credits = [c for c in book.open_of(owners, book.currency[items[0]]) if book.left[c] < 0 and c not in items]
        fits = [c for c in credits if total + int(book.left[c]) == amount]
        if len(fits) == 1:
            c = fits[0]
            return outcome("reference+credit_unnamed", _full(items + [c], left + [int(book.left[c])]),
                           f"the amount {_fmt(amount)} equals what is open on them ({_fmt(total)}) less the open "
                           f"credit {book.ids[c]} ({_fmt(-int(book.left[c]))}), not named but the only one that "
                           "fits exactly: both are cleared")
    if not claimed and 0 < total - amount <= tolerance:
        return outcome("reference+writeoff", _with_writeoff(items, left, total - amount),
                       f"{_fmt(total - amount)} short of {_fmt(total)}, within tolerance, written off")
    terms = book.terms_of(items[0]) if len({book.customer[k] for k in items}) == 1 else None
    rate = _discount(amount, total, len(items), config, terms)
    if rate is not None:
        late = _outside_window(items, book, config, paid_on, terms)
        if late:
            return outcome("reference+unearned_discount", _oldest_first(items, amount, book),
                           f"{_fmt(total - amount)} less than {_fmt(total)} looks like a {rate:.0%} early-payment "
                           f"discount, but {late}: unearned, not written off, for review", "unearned_discount")
        return outcome("reference+discount", _with_writeoff(items, left, total - amount),
                       f"{_fmt(total - amount)} less than {_fmt(total)}: a {rate:.0%} early-payment discount, written off")
    remainder_note = ""
    if amount > total:
        remainder = _remainder(amount - total, items, book, group or {book.customer[k] for k in items}, config)
        if remainder is not None:
            extra_items, chance = remainder
            method = "reference+remainder" if len(extra_items) == 1 else "reference+remainder_subset"
            found = outcome(method, _full(items + extra_items, left + [int(book.left[k]) for k in extra_items]),
                            f"they are {_fmt(total)}; the remaining {_fmt(amount - total)} equals exactly "
                            f"{', '.join(book.ids[k] for k in extra_items)} of the same customer, not named")
            found.confidence -= _luck_penalty(chance)
            if found.confidence >= config.auto_threshold:
                return found
            # a surplus that equals an open item by luck is common (round amounts): close what is
            # named, and say which item the rest may be for
            remainder_note = (f"the remaining {_fmt(amount - total)} may be for "
                              f"{', '.join(book.ids[k] for k in extra_items)} (not applied: such a fit is often luck)")
    if len(items) == 1 and amount != total:
        near = _near_miss(items[0], amount, book)
        if near is not None:
            return outcome("reference+near_miss", [(near, amount, 0)],
                           f"{_fmt(amount)} does not fit {book.ids[items[0]]} ({_fmt(total)} open) but equals "
                           f"{book.ids[near]}, one keystroke away: a slipped digit? for review")
    if amount > total:
        return outcome("reference+overpayment", _full(items, left),
                       f"the payment is {_fmt(amount - total)} more than the {_fmt(total)} open: they are closed "
                       "and the rest stays unapplied" + (f"; {remainder_note}" if remainder_note else ""),
                       "overpayment")
    if len(items) == 1:
        short = total - amount
        if mentions_discount(text) and not claimed and short * 100 <= total * config.deduction_max_pct:
            return outcome("reference+unearned_discount", [(items[0], amount, 0)],
                           f"{_fmt(short)} less than {_fmt(total)} is called a discount, but it is not the customer's "
                           "rate or was taken outside its window: unearned, not written off, for review",
                           "unearned_discount")
        if not is_partial(text) and short * 100 <= total * config.deduction_max_pct:
            k = items[0]
            words = "; ".join(c.text for c in claimed)
            return outcome("reference+deduction", [(k, amount, 0)],
                           f"{_fmt(amount)} of the {_fmt(total)} open is paid; the {_fmt(short)} short "
                           + (f"(the remittance says {words!r}, which does not add up to it) " if words else "")
                           + "is opened as a deduction, not written off",
                           deductions=[(k, short, claimed[0].code if len(claimed) == 1 else SHORT_PAYMENT,
                                        words)])
        return outcome("reference+partial", [(items[0], amount, 0)],
                       f"{_fmt(amount)} of the {_fmt(total)} open is paid; the rest stays open")
    return outcome("reference+oldest_first", _oldest_first(items, amount, book),
                   f"{_fmt(amount)} does not match their {_fmt(total)}; applied oldest due first for review",
                   "partial")


def _remainder(rest: int, items: list[int], book: _Book, customers: set[str],
               config: MatchConfig) -> tuple[list[int], float] | None:
    """The one open item (or the one combination of up to three) of ``customers`` (the payer's
    group, else the named items' customers) in the items' currency, not among ``items``, whose open
    amount is exactly ``rest``; with the chance of such a fit by luck. None when there is none or more
    than one."""
    currency = book.currency[items[0]]
    others = [k for k in book.open_of(customers, currency) if k not in items and book.left[k] > 0]
    values = [int(book.left[k]) for k in others]
    same = [k for k, v in zip(others, values) if v == rest]
    if len(same) == 1:
        return [same[0]], expected_coincidences(values, rest, range(1, 2))
    if same:
        return None
    search = exact_subsets(values, rest, min_size=2, max_size=min(3, config.max_subset_size),
                           max_nodes=config.max_subset_nodes // 10)
    if search.unique is None:
        return None
    return [others[j] for j in search.unique], expected_coincidences(values, rest, range(2, 4))


def _near_miss(named: int, amount: int, book: _Book) -> int | None:
    """The one open item of the same customer whose number is one keystroke (a slipped, missing,
    extra or transposed digit) from the named one and whose open amount is exactly ``amount``."""
    fits = [k for k in book.open_of({book.customer[named]}, book.currency[named])
            if k != named and int(book.left[k]) == amount and OSA.distance(book.ids[k], book.ids[named]) == 1]
    return fits[0] if len(fits) == 1 else None


def _by_customer(amount: int, currency: str, who: Identification, group: set[str], book: _Book,
                 config: MatchConfig, notes: list[str], paid_on: Any = None) -> _Outcome:
    source = "iban" if who.method in ("iban", "alias", "given") else "name"
    candidates = book.open_of(group, currency)
    left = {k: int(book.left[k]) for k in candidates}

    positives = [k for k in candidates if left[k] > 0]
    values = [left[k] for k in positives]

    def outcome(kind: str, lines, why: str, chance: float, reason: str = "") -> _Outcome:
        """``chance``: expected number of other items/combinations fitting as well by luck."""
        method = f"{source}+{kind}"
        confidence = _confidence(method, who) - _luck_penalty(chance)
        if chance > LUCK_NOTED:
            why += f" (but with {len(values)} open items such a fit happens by chance: for review)"
        return _Outcome(lines, method, confidence, _sentence(notes + [who.detail, why]), reason, who.customer_id)

    same = [k for k in candidates if left[k] == amount]
    if len(same) == 1:
        return outcome("amount", [(same[0], amount, 0)],
                       f"{_fmt(amount)} equals the open amount of {book.ids[same[0]]}, the only such item",
                       expected_coincidences(values, amount, range(1, 2)))
    if not same:
        net = [(k, book.linked_credits([k])) for k in positives]
        net = [(k, cs) for k, cs in net if cs and left[k] + sum(int(book.left[c]) for c in cs) == amount]
        if len(net) == 1:
            k, cs = net[0]
            return outcome("credit_note", [(k, left[k], 0)] + [(c, int(book.left[c]), 0) for c in cs],
                           f"{_fmt(amount)} equals {book.ids[k]} ({_fmt(left[k])}) less the credit "
                           f"{', '.join(book.ids[c] for c in cs)} that names it: both are cleared",
                           expected_coincidences(values, amount, range(1, 2)))
    if len(same) > 1:
        ids = ", ".join(book.ids[k] for k in same[:4])
        first = min(same, key=lambda k: (book.due[k], book.ids[k]))
        return _Outcome([(first, amount, 0)], f"{source}+amount", min(_confidence(f"{source}+amount", who), 50),
                        _sentence(notes + [who.detail, f"{_fmt(amount)} equals several open items ({ids}); the "
                                                        "oldest is suggested, never applied automatically"]),
                        "ambiguous", who.customer_id)
    sizes = range(2, config.max_subset_size + 1)
    chance = expected_coincidences(values, amount, sizes)
    # where a fit would be luck anyway (never automatic), a short search for a proposal is enough
    budget = config.max_subset_nodes if chance <= HOPELESS else config.max_subset_nodes // 40
    search = exact_subsets(values, amount, max_size=config.max_subset_size, max_nodes=budget)
    if search.unique is not None:
        chosen = [positives[j] for j in search.unique]
        return outcome("subset", _full(chosen, [left[k] for k in chosen]),
                       f"{_fmt(amount)} equals exactly {', '.join(book.ids[k] for k in chosen)}, the only combination",
                       chance)
    short = [k for k in positives if 0 < left[k] - amount <= _tolerance(left[k], config)]
    if len(short) == 1:
        k = short[0]
        return outcome("writeoff", [(k, amount, left[k] - amount)],
                       f"{_fmt(left[k] - amount)} short of {book.ids[k]}, within tolerance, written off",
                       expected_coincidences(values, amount + _tolerance(left[k], config) // 2, range(1, 2),
                                             window=_tolerance(left[k], config)))
    discounted = [k for k in positives if _discount(amount, left[k], 1, config, book.terms_of(k)) is not None]
    late = _outside_window(discounted, book, config, paid_on, book.terms_of(discounted[0])) \
        if len(discounted) == 1 else ""
    if late:
        k = discounted[0]
        return outcome("unearned_discount", [(k, min(amount, left[k]), 0)],
                       f"{_fmt(left[k] - amount)} less than {book.ids[k]} looks like an early-payment discount, but "
                       f"{late}: unearned, not written off, for review",
                       expected_coincidences(values, amount, range(1, 2), window=3), "unearned_discount")
    if len(discounted) == 1:
        k = discounted[0]
        return outcome("discount", [(k, amount, left[k] - amount)],
                       f"{_fmt(left[k] - amount)} less than {book.ids[k]}: an early-payment discount, written off",
                       sum(expected_coincidences(values, round(amount / (1 - r)), range(1, 2), window=3)
                           for r in config.discount_rates))
    why = ("several combinations of open items fit the amount" if len(search.solutions) > 1 else
           "the amount fits no open item or combination" if search.complete else
           "too many open items to find a combination safely")
    return _Outcome([], "", 0, _sentence(notes + [who.detail, why + "; left on account"]),
                    "ambiguous" if len(search.solutions) > 1 else "no_match", who.customer_id)


MAX_SIBLINGS = 6
"""Customers a name may tie between for the amount to tell them apart (siblings, not a common name)."""
SIBLING_PENALTY = 6.0
"""Name score lost when the amount, not the name, told two sibling customers apart."""
CONFLICT_CAP = 80.0
"""Highest confidence of a reference whose items belong to a customer the named payer does not
resemble, when the amount does not fit them exactly (partial, over-payment, oldest first)."""
UNCONFIRMED_CAP = 88.0
"""Highest confidence of a partial or surplus payment whose only link to the item is the reference."""
CONFLICT_PENALTY = 6.0
"""…and what such a conflict costs when the amount does fit exactly (or within tolerance/discount)."""
EXACT_FITS = ("reference+amount", "reference+writeoff", "reference+discount", "reference+subset",
              "reference+credit_note")
LUCK_NOTED = 0.002
HOPELESS = 0.05  # expected chance fits above which a subset could never be applied automatically


def _luck_penalty(chance: float) -> float:
    """Confidence lost when a fit without reference could be luck (0 below 1 in 2,000; up to 30)."""
    if chance <= 0.0005:
        return 0.0
    return min(30.0, 5.0 * (math.log10(chance / 0.0005) + 1))


def _confidence(method: str, who: Identification, weak: bool = False, foreign: bool = False) -> float:
    score = float(CONFIDENCE[method])
    if method.startswith("reference"):
        if weak:
            score -= 4  # a bare number, trusted because it belongs to the payer
        if not who.customer_id:
            score -= 2
        elif who.method in ("iban", "alias", "given"):
            score += 1
    elif who.method == "name":
        score -= max(0.0, (97 - who.score) / 3)  # weaker name evidence, lower confidence
    if foreign:
        score = min(score, 75)
    return float(min(score, 100))


def _oldest_first(items: list[int], amount: int, book: _Book) -> list[tuple[int, int, int]]:
    """``amount`` spread over ``items``, oldest due date first, never more than an item has open."""
    lines, rest = [], amount
    for k in sorted(items, key=lambda k: (book.due[k], book.ids[k])):
        take = min(rest, int(book.left[k]))
        if take > 0:
            lines.append((k, take, 0))
            rest -= take
    return lines


def _full(items: list[int], left: list[int]) -> list[tuple[int, int, int]]:
    return [(k, a, 0) for k, a in zip(items, left)]


def _with_writeoff(items: list[int], left: list[int], writeoff: int) -> list[tuple[int, int, int]]:
    """All items closed; the difference written off on the largest one."""
    largest = max(range(len(items)), key=lambda j: left[j])
    return [(k, a - (writeoff if j == largest else 0), writeoff if j == largest else 0)
            for j, (k, a) in enumerate(zip(items, left))]


def _fmt(value: int) -> str:
    return f"{value / 100:,.2f}"


def _sentence(parts: list[str]) -> str:
    text = "; ".join(p for p in parts if p)
    return (text[:1].upper() + text[1:] + ".") if text else ""


# ---------------------------------------------------------------------------- result

def _advice_lines(advices: pd.DataFrame | None, pays: pd.DataFrame, texts: list[str]) -> dict[int, list[Any]]:
    """Payment position → its advice lines: from ``advices`` (joined by payment id) and from EDI 820
    segments written in the remittance itself (ACH CTX addenda)."""
    from .advices import lines_by_payment

    return lines_by_payment(advices, pays["payment_id"].astype(str).tolist(), texts)


def _result(pays: pd.DataFrame, amounts: np.ndarray, outcomes: dict[int, _Outcome], book: _Book,
            config: MatchConfig) -> MatchResult:
    apps, left_over, deductions = [], [], []
    dates = pd.to_datetime(pays["payment_date"]).to_numpy() if "payment_date" in pays else [pd.NaT] * len(pays)
    ids, payers = pays["payment_id"].astype(str).tolist(), pays["payer_name"].tolist()
    for i in range(len(pays)):
        outcome = outcomes[i]
        status = ("auto" if outcome.lines and outcome.confidence >= config.auto_threshold
                  and not outcome.proposal_only else "review")
        pid = ids[i]
        for k, applied, writeoff in outcome.lines:
            apps.append({"payment_id": pid, "invoice_id": book.ids[k], "customer_id": book.customer[k],
                         "applied_amount": applied / 100, "writeoff_amount": writeoff / 100,
                         "confidence": round(outcome.confidence, 1), "method": outcome.method, "status": status,
                         "explanation": outcome.why})
        for k, amount, code, words in outcome.deductions:
            deductions.append({"deduction_id": f"{pid}>{book.ids[k]}", "payment_id": pid, "invoice_id": book.ids[k],
                               "customer_id": book.customer[k], "currency": book.currency[k], "amount": amount / 100,
                               "reason_code": code, "reason": words, "status": status, "found_on": dates[i],
                               "explanation": outcome.why})
        applied = sum(a for _, a, _ in outcome.lines) if status == "auto" else 0
        rest = int(amounts[i]) - applied
        if rest > 0:
            reason = outcome.reason or ("review" if outcome.lines else "no_match")
            if status == "review" and outcome.lines and reason not in ("ambiguous", "unearned_discount", "duplicate"):
                reason = "review"
            left_over.append({"payment_id": pid, "payer_name": str(payers[i]),
                              "amount": int(amounts[i]) / 100, "unapplied_amount": rest / 100, "reason": reason,
                              "suggested_customer_id": outcome.suggested, "explanation": outcome.why})
    return MatchResult(pd.DataFrame(apps, columns=APPLICATION_COLUMNS),
                       pd.DataFrame(left_over, columns=UNAPPLIED_COLUMNS), config,
                       deductions=pd.DataFrame(deductions, columns=DEDUCTION_COLUMNS))

"""Cash application: which open items does each received payment pay?

For every payment, in order of the strength of its evidence (references first):

1. **Who paid** — IBAN, learned alias, given customer id, or fuzzy payer name (``names``).
2. **What it names** — our document numbers, customer references and RF references found in
   the remittance (``references``). Strong hits are whole numbers; weak hits (a bare ``451``)
   count only for the identified customer. References to items of another customer or to
   closed items are never trusted alone; items in another currency only with a rate (see below).
3. **Does the amount fit** — exactly; short by bank fees within tolerance (written off); less an
   early-payment discount at a configured rate (written off); more than the items (they are
   closed, the rest stays unapplied); less on purpose (partial application); or, with no
   reference, exactly one open item of the customer, or exactly one subset of them.
4. **Decide** — each outcome has a confidence (0-100, see ``confidence.CONFIDENCE``; measured precision per
   level is in docs/cash-application.md). At or above ``auto_threshold`` the applications are
   ``auto``; below, ``review``. Two equally good candidates are never applied automatically.

Since issue 29: a remittance naming an item of the ERP's cleared items (``cleared``), or one of the
payer's numbers that is not open, is never applied automatically (``duplicate``: refund or keep on
account); a deduction the customer claims, or a shortfall beyond tolerance up to
``deduction_max_pct``, is applied as paid and opened as a deduction (``MatchResult.deductions``),
never written off; advice lines (``advices``, and EDI 820 segments in the bank line) are decided
line by line (:mod:`otc_xl.matching.advices`); an exact subset, or the named items less one unnamed
open credit note, comes before any write-off; the instructed amount proves bank charges; a payment in another
currency than the items it names is converted at the bank's rate or the ExchangeRates table's and clears them
within ``fx_tolerance_pct``, the exchange difference recorded apart (:mod:`otc_xl.matching.across`).

Money is handled in integer cents; an item's open amount is reduced as payments are applied, so
several payments to one item never apply more than is open. For every payment
Σ applied (auto) + unapplied = amount, exactly.
"""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import replace

import pandas as pd

from ..model.money import cents
from .bankline import _advice_lines, _instructed, _less_charges, _on_behalf, _Seen
from .book import _Book, _discount_terms
from .decide import _decide
from .names import CustomerDirectory
from .outcome import _Outcome
from .rates import Rates, bank_conversions
from .references import REFERENCE_FIELDS, ReferenceIndex
from .result import MatchResult, _result
from .settings import MatchConfig


def match_payments(invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame | None = None,
                   config: MatchConfig | None = None, aliases: pd.DataFrame | None = None,
                   cleared: pd.DataFrame | None = None, advices: pd.DataFrame | None = None,
                   exchange_rates: pd.DataFrame | None = None) -> MatchResult:
    """Apply ``payments`` to the open ``invoices`` (canonical frames; optional columns may be missing).

    ``customers`` (customer_id, customer_name, aliases, iban, parent_id) identifies payers;
    ``aliases`` (payer → customer_id, learned from confirmed applications; payer may be a name or an
    IBAN) takes precedence over fuzzy names. ``cleared`` (the ERP's cleared items: invoice_id,
    customer_id, amount, clearing_date, clearing_document) tells a payment of an item already paid
    (never applied automatically: a duplicate, to refund or keep on account). ``advices`` (remittance
    advice lines: payment_id, invoice_id as written, paid_amount, deduction_amount, reason; see
    :mod:`otc_xl.matching.advices`) say per invoice what a payment pays. ``exchange_rates`` (rate_date,
    currency, rate, base_currency: the ExchangeRates table) converts payments in another currency than the items
    they name, unless the payment carries the bank's own conversion (:mod:`otc_xl.matching.across`). Returns
    :class:`MatchResult`; see the module docstring.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small sets and tuples, no cycles: the collector's passes cost superlinear time
    try:
        return _match(invoices, payments, customers, config, aliases, cleared, advices, exchange_rates)
    finally:
        if collecting:
            gc.enable()


def _match(invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame | None,
           config: MatchConfig | None, aliases: pd.DataFrame | None, cleared: pd.DataFrame | None,
           advices: pd.DataFrame | None, exchange_rates: pd.DataFrame | None = None) -> MatchResult:
    config = config or MatchConfig()
    book = _Book(invoices, cleared)
    book.rates = Rates(exchange_rates, config.home_currency, config.fx_rate_max_days)
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
    banks = bank_conversions(pays, amounts, texts)
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
                     paid_before[i], unknown[i], lines_of.get(i, []), charges, banks[i])
        outcome = _decide(seen, book, directory, config)
        return _less_charges(outcome, charges) if charges and outcome.rate is None else outcome

    def reserve(outcome: _Outcome) -> None:
        for position, taken in outcome.taken():
            book.left[position] -= taken

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

"""Booking: the one state of the accounts that every command reads on a day.

In the spirit of beancount's *loader → booking → reports*: :func:`otc_xl.ledger.load_ledger` reads
and validates the workbook's tables; :class:`Booked` books them once, in a fixed order, into the
state every job reads; the jobs (``otc_xl.workflows``) only report on it or act on it. Nothing a
job computes depends on which other job ran before it, and every shared result is a typed, cached
property here, computed at most once.

The booking, step by step (each a pure function of the steps before; see docs/lifecycle.md):

1. **Posted items** — the ERP's open items (``Invoices``) plus what otc_xl posted that the ERP
   export does not show yet: invoices billed (``BillingLog``, and the ``.billing.json`` records
   found beside the workbook), credit allocations posted (``CreditPostings``) and refunds paid
   (``RefundLog``), each applied until the export reflects it.
2. **Today's cash** — cash application of the ``Payments`` on the posted items (with the ERP's
   ``ClearedItems`` and the remittance ``Advices``); the automatic applications (and what they write
   off within tolerance) count as paid: :attr:`Booked.open_items` is the account *after today's
   cash*. Applications for review do not. The deductions found (:attr:`Booked.deductions`, with those
   on record) leave their amount open on the invoice, disputed: never written off.
3. **Evidence** — the dunning history (notices whose letters were produced), the legal cases on
   record (with their case files), the contact log with each promise judged against today's receipts.
4. **The day's decisions**, each once: dunning notices due, legal hand-overs due, calls, credit
   allocations, and the reports' shared figures (ageing, unapplied cash, unbilled revenue, KPIs).

:meth:`Booked.ties` proves the booking to the cent: Σ ERP open items + invoices posted − refunds paid
(awaiting the ERP) − cash applied today − written off today = Σ booked open items, per currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import pandas as pd

from .collecting.credits import credit_allocations
from .collecting.dunning import DunningResult, dunning_run
from .collecting.legal import blocked_customers, blocked_items, legal_cases
from .collecting.policy import DunningPolicy
from .collecting.postings import apply_postings, posting_status
from .collecting.promises import file_outcomes, judge_promises
from .collecting.statements import customer_receipts
from .ledger import Ledger
from .matching import MatchConfig, MatchResult, match_payments
from .model.billing import BILLING_LOG
from .model.money import cents, from_cents
from .model.problems import Problem, ValidationError
from .reports import ageing, ar_kpis, unapplied_cash, unbilled_revenue

POSTED_ROW = 0
"""``source_row`` of the open items otc_xl adds for posted invoices (a sheet's rows start at 2)."""
LOG_COLUMNS = [c.name for c in BILLING_LOG.columns]
TIE_COLUMNS = ["check", "currency", "expected", "actual", "difference", "ok"]


@dataclass(frozen=True)
class Evidence:
    """Documents earlier commands wrote beside the workbook, found by the door (the book may not have
    been saved after they were written)."""

    billed: pd.DataFrame | None = None
    """BillingLog rows of the ``<invoice>.billing.json`` records found (invoices posted)."""
    issued: dict[str, str] = field(default_factory=dict)
    """End-to-end ids already in SEPA files → the file (refunds paid, debits collected)."""
    folders: tuple = ()
    """The folders those documents were found in (the workbook's letters folder, ``--files``): where
    ``invoice --check`` reads the e-invoices written."""


@dataclass(frozen=True)
class Request:
    """What one command asks for beyond the workbook (read by the door)."""

    customer_ids: list[str] | None = None
    """Customers statements are asked for (None: all)."""
    their_account: Any = None
    """What a customer sent for reconciliation (``workflows.reconciling.TheirAccount``)."""
    vat_register: Any = None
    """Asks VIES about one VAT number: ``(member state, number) → answer`` (the file door passes
    :meth:`otc_xl.io.vies.ViesClient.check`); None: VIES is not asked."""


# ---------------------------------------------------------------------------- step 1: posted items

def with_credit_postings(ledger: Ledger) -> Ledger:
    """``ledger`` whose open items have the credit postings and refunds still awaiting the ERP
    applied, and whose ``credit_postings`` and ``refund_log`` records carry each one's status (see
    :mod:`otc_xl.collecting.postings`)."""
    postings = posting_status(ledger.records["credit_postings"], ledger.invoices)
    refunds = ledger.records["refund_log"]
    refunds = posting_status(refunds.assign(invoice_id="", invoice_open_erp=float("nan")), ledger.invoices)
    invoices = apply_postings(apply_postings(ledger.invoices, postings), refunds)
    return replace(ledger, invoices=invoices, records={**ledger.records, "credit_postings": postings,
                                                       "refund_log": refunds.drop(columns=["invoice_id",
                                                                                           "invoice_open_erp"])})


def billed_open_items(log: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    """The documents in ``log`` (BillingLog) that ``invoices`` (the ERP export) does not have: open items to add."""
    if log.empty:
        return invoices.iloc[0:0]
    orders = log.groupby("invoice_id")["order_id"].agg(lambda o: o.iloc[0] if o.nunique() == 1 else "")
    docs = log.drop_duplicates("invoice_id").loc[lambda f: ~f["invoice_id"].isin(set(invoices["invoice_id"]))]
    docs = docs.assign(order_id=docs["invoice_id"].map(orders))  # one order, or none when it bills several
    rows = pd.DataFrame({
        "invoice_id": docs["invoice_id"], "customer_id": docs["customer_id"], "customer_name": "",
        "invoice_date": docs["invoice_date"], "due_date": docs["due_date"].fillna(docs["invoice_date"]),
        "currency": docs["currency"], "amount": docs["gross"], "open_amount": docs["gross"],
        "reference": docs["payment_reference"].fillna(""), "doc_type": docs["doc_type"],
        "order_id": docs["order_id"], "dispute_code": "", "collector": "", "dispute_date": pd.NaT,
        "notes": "posted by otc_xl, awaiting the ERP export", "source_row": POSTED_ROW})
    return rows.reindex(columns=invoices.columns)


def with_billed_invoices(ledger: Ledger, billed_files: pd.DataFrame | None = None) -> Ledger:
    """``ledger`` whose BillingLog includes the invoices found written next to the workbook
    (``billed_files``: a book closed without saving still knows what it billed), and whose open items
    include the posted invoices the ERP export does not show yet."""
    log = ledger.records["billing_log"]
    if billed_files is not None and len(billed_files):
        extra = billed_files.loc[~billed_files["invoice_id"].isin(set(log["invoice_id"]))]
        log = pd.concat([log.reindex(columns=LOG_COLUMNS), extra.reindex(columns=LOG_COLUMNS)], ignore_index=True)
    added = billed_open_items(log, ledger.invoices)
    if added.empty and log is ledger.records["billing_log"]:
        return ledger
    names = (dict(zip(ledger.customers["customer_id"], ledger.customers["customer_name"])) if len(ledger.customers)
             else {})
    added = added.assign(customer_name=added["customer_id"].map(names).astype(object).fillna(""))
    invoices = pd.concat([ledger.invoices, added], ignore_index=True) if len(added) else ledger.invoices
    return replace(ledger, invoices=invoices, records={**ledger.records, "billing_log": log})


# ---------------------------------------------------------------------------- the booked state

@dataclass(frozen=True)
class LegalState:
    """Legal cases on a day: ``cases`` (the record, refreshed with today's open amounts, plus the
    hand-overs due today), and which of them are due today (not recorded yet)."""

    cases: pd.DataFrame
    due: pd.DataFrame

    @property
    def recorded(self) -> pd.DataFrame:
        return self.cases.loc[~self.cases["invoice_id"].isin(set(self.due["invoice_id"]))]

    def blocked_items(self) -> pd.Series:
        """invoice_id → why dunning leaves it alone: recorded cases not returned."""
        return blocked_items(self.recorded)

    def blocked_customers(self) -> dict[str, str]:
        """customer_id → the recorded case that stops calls and refunds."""
        return blocked_customers(self.recorded)

    def due_customers(self) -> dict[str, str]:
        """customer_id → why it is due for hand-over today (its calls say so; refunds wait)."""
        return {c: f"case {k}: {r}" for c, k, r in zip(self.due["customer_id"], self.due["case_id"],
                                                       self.due["reason"])}


class Booked:
    """The booked state of one ledger on its as-of date (see the module doc). Built by :func:`book`."""

    def __init__(self, ledger: Ledger, evidence: Evidence | None = None, request: Request | None = None):
        self.evidence = evidence or Evidence()
        self.request = request or Request()
        self.erp = ledger.invoices
        """The open items as the ERP exported them (``ledger.invoices`` has otc_xl's postings applied)."""
        self.ledger = with_billed_invoices(with_credit_postings(ledger), self.evidence.billed)
        """The ledger with the posted items (step 1); its records are those read (postings with status)."""
        self.config = self.ledger.config
        self.as_of: dt.date = self.config.resolved_as_of()

    # ------------------------------------------------------------------ inputs
    @property
    def customers(self) -> pd.DataFrame | None:
        return self.ledger.customers if len(self.ledger.customers) else None

    @property
    def records(self) -> dict[str, pd.DataFrame]:
        return self.ledger.records

    @cached_property
    def policy(self) -> DunningPolicy:
        return DunningPolicy.from_config(self.config)

    # ------------------------------------------------------------------ step 2: today's cash
    @cached_property
    def match(self) -> MatchResult:
        """Cash application of ``Payments`` on the posted items."""
        ledger = self.ledger
        aliases = ledger.aliases if len(ledger.aliases) else None
        cleared = ledger.cleared_items if len(ledger.cleared_items) else None
        advices = ledger.advices if len(ledger.advices) else None
        rates = ledger.exchange_rates if len(ledger.exchange_rates) else None
        return match_payments(ledger.invoices, ledger.payments, self.customers, MatchConfig.from_config(self.config),
                              aliases=aliases, cleared=cleared, advices=advices, exchange_rates=rates)

    @property
    def applications(self) -> pd.DataFrame:
        return self.match.applications

    @cached_property
    def paid_today(self) -> pd.Series:
        """Amount per invoice_id that today's automatic cash application takes off the item, in the item's currency
        (applied — converted, across currencies: ``item_amount`` — plus written off within tolerance)."""
        apps = self.applications
        auto = apps.loc[apps["status"] == "auto"]
        return auto.assign(_c=cents(auto["item_amount"]) + cents(auto["writeoff_amount"])) \
            .groupby("invoice_id")["_c"].sum() / 100

    @cached_property
    def in_review(self) -> pd.Series:
        """invoice_id → the payment waiting in review that names it (its reference, or an advice line): the
        customer paid it, the associate has not applied it yet, so it is neither dunned nor called about.
        Proposals on the amount or the name alone hold nothing."""
        apps = self.applications
        named = apps.loc[(apps["status"] == "review") & apps["method"].astype(str).str.startswith("reference")
                         & (apps["invoice_id"].astype(str) != "")]
        said = [f"payment {p} ({c} {a:,.2f}) names it and waits in review: apply or reject it first"
                for p, c, a in zip(named["payment_id"], named["payment_currency"], named["applied_amount"])]
        waiting = self.match.waiting  # named, but not even proposed: no rate, items in several currencies
        said += [f"payment {p} ({c} {a:,.2f}) names it and waits in review ({r}): apply or reject it first"
                 for p, c, a, r in zip(waiting["payment_id"], waiting["payment_currency"], waiting["unapplied_amount"],
                                       waiting["reason"])]
        items = [*named["invoice_id"], *waiting["invoice_id"]]
        return pd.Series(said, index=items, dtype=object).groupby(level=0).first()

    @cached_property
    def deductions(self) -> pd.DataFrame:
        """The Deductions record (DEDUCTIONS columns) with today's: those on record keep what the user typed
        (status, note); the deductions of today's automatic applications not on record are added, open."""
        from .model.records import DEDUCTIONS

        columns = [c.name for c in DEDUCTIONS.columns]
        recorded = self.records.get("deductions")
        recorded = recorded.reindex(columns=columns) if recorded is not None and len(recorded) else \
            pd.DataFrame(columns=columns)
        found = self.match.deductions
        found = found.loc[(found["status"] == "auto") & ~found["deduction_id"].isin(set(recorded["deduction_id"]))]
        new = found.assign(status="open", note="").reindex(columns=columns)
        frames = [f for f in (recorded, new) if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    def with_deductions(self, items: pd.DataFrame) -> pd.DataFrame:
        """``items`` whose open deductions mark them disputed (``deduction: <reason>``, since the payment date),
        unless a dispute code is already there: dunning, calls and legal leave the short amount alone."""
        found = self.deductions
        if found.empty:
            return items
        live = found.loc[found["status"].fillna("").astype(str).str.strip().str.lower().isin(("", "open"))]
        live = live.drop_duplicates("invoice_id", keep="last").set_index("invoice_id")
        code = items["invoice_id"].map("deduction: " + live["reason_code"].fillna("other").astype(str))
        mark = code.notna() & (items["dispute_code"] == "") & (cents(items["open_amount"]) != 0)
        if not mark.any():
            return items
        since = items["invoice_id"].map(live["found_on"])
        return items.assign(dispute_code=items["dispute_code"].where(~mark, code),
                            dispute_date=items["dispute_date"].where(~mark, pd.to_datetime(since)))

    @cached_property
    def open_items(self) -> pd.DataFrame:
        """The posted items after today's cash: what the account is, for every report and action (items with
        an open deduction disputed). Refused, with the figures, if the booking does not tie to the cent
        (:meth:`ties`)."""
        items = self.ledger.invoices
        paid = self.paid_today
        after = items
        if not paid.empty:
            taken = items["invoice_id"].map(pd.Series(cents(paid), index=paid.index)).fillna(0).astype("int64")
            after = items.assign(open_amount=from_cents(cents(items["open_amount"]) - taken.to_numpy()))
        wrong = self._ties(after).loc[lambda f: ~f["ok"]]
        if len(wrong):
            raise ValidationError([Problem("otc_xl", f"the booking does not tie in {r.currency}: ERP open items, "
                                                     f"postings and today's cash give {r.expected:,.2f} but the "
                                                     f"booked open items are {r.actual:,.2f} "
                                                     f"(difference {r.difference:,.2f}); "
                                                     "nothing was written — please report this")
                                   for r in wrong.itertuples()])
        return self.with_deductions(after)

    @cached_property
    def receipts(self) -> pd.DataFrame:
        """Money received per customer in Payments (applied to its items today, or on its account)."""
        return customer_receipts(self.ledger.payments, self.applications)

    @cached_property
    def unapplied(self) -> pd.DataFrame:
        """Unapplied cash per receipt (the report's frame)."""
        return unapplied_cash(self.ledger.payments, self.applications, self.as_of, self.config.buckets,
                              details=self.match.unapplied)

    # ------------------------------------------------------------------ step 3: evidence
    @property
    def history(self) -> pd.DataFrame:
        """DunningHistory as recorded: notices whose letters were produced."""
        return self.records["dunning_history"]

    @cached_property
    def legal(self) -> LegalState:
        """Legal cases on record (refreshed) and the hand-overs due today, after today's cash."""
        cfg, policy = self.config, self.policy
        last = len(policy.levels)
        cases = legal_cases(self.open_items, self.customers, self.as_of, self.history, last, cfg.legal_min_days,
                            self.records["legal_cases"], policy.deadline(last))
        earlier = set(self.records["legal_cases"]["invoice_id"])
        return LegalState(cases, cases.loc[~cases["invoice_id"].isin(earlier)])

    @cached_property
    def contact_log(self) -> pd.DataFrame:
        """Every contact outcome on record (the last Worklist's filed), promises judged against today's
        receipts and what is still overdue after today's cash."""
        log = file_outcomes(self.records["contact_log"], self.records["worklist"])
        inv = self.open_items
        overdue = inv.loc[(inv["due_date"] < pd.Timestamp(self.as_of)) & (inv["dispute_code"] == "")]
        overdue_c = overdue.assign(_c=cents(overdue["open_amount"])).groupby("customer_id")["_c"].sum()
        return judge_promises(log, self.receipts, overdue_c, self.as_of)

    # ------------------------------------------------------------------ step 4: the day's decisions
    @cached_property
    def dunning(self) -> DunningResult:
        """Today's dunning notices (recorded in the history only by the command that produces the letters)."""
        return dunning_run(self.with_deductions(self.ledger.invoices), self.customers, self.as_of, self.policy,
                           self.history, self.paid_today, self.legal.blocked_items(), self.in_review)

    @cached_property
    def credits(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(credit allocation proposals, what each credit keeps)."""
        return credit_allocations(self.ledger.invoices, self.customers, self.paid_today,
                                  self.records["credit_approvals"],
                                  set(self.records["credit_postings"]["allocation_id"]))

    @cached_property
    def ageing(self) -> pd.DataFrame:
        """Ageing per customer and currency of the open items after today's cash."""
        cfg = self.config
        return ageing(self.open_items, self.as_of, cfg.buckets, cfg.ageing_basis)

    @cached_property
    def unbilled(self) -> pd.DataFrame:
        ledger = self.ledger
        return unbilled_revenue(ledger.orders, self.as_of, ledger.invoices, self.config.buckets,
                                customers=ledger.customers)

    @cached_property
    def kpis(self) -> pd.DataFrame:
        cfg, ledger = self.config, self.ledger
        sales = ledger.sales if len(ledger.sales) else None
        opening = {cfg.home_currency: cfg.opening_ar} if cfg.opening_ar is not None else None
        return ar_kpis(self.open_items, ledger.payments, sales, self.as_of, cfg.kpi_period_days, opening)

    # ------------------------------------------------------------------ the proof
    def ties(self) -> pd.DataFrame:
        """The booking's proof (see :meth:`_ties`) on :attr:`open_items`."""
        return self._ties(self.open_items)

    def _ties(self, after: pd.DataFrame) -> pd.DataFrame:
        """Per currency: Σ ERP open items + invoices posted awaiting the ERP − refunds awaiting the ERP −
        cash applied today (in the items' currency: ``item_amount``) − written off today = Σ booked open items,
        to the cent (``TIE_COLUMNS``).
        Credit allocations move two items of one currency by the same amount and add nothing."""
        erp, items = self.erp, self.ledger.invoices
        posted = items.loc[items["source_row"] == POSTED_ROW]
        refunds = self.records["refund_log"]
        refunds = refunds.loc[refunds.get("status", pd.Series(dtype=object)) == "awaiting ERP"] \
            if len(refunds) else refunds
        apps = self.applications.loc[self.applications["status"] == "auto"]
        currency_of = dict(zip(items["invoice_id"], items["currency"]))
        rows = []
        for currency in sorted(set(erp["currency"]) | set(after["currency"])):
            def total(frame: pd.DataFrame, column: str, currency: str = currency) -> int:
                return int(cents(frame.loc[frame["currency"] == currency, column]).sum()) if len(frame) else 0
            mine = apps.loc[apps["invoice_id"].map(currency_of) == currency]
            expected = (total(erp, "open_amount") + total(posted, "open_amount")
                        + (total(refunds, "amount") if "currency" in refunds else 0)
                        - int(cents(mine["item_amount"]).sum()) - int(cents(mine["writeoff_amount"]).sum()))
            actual = total(after, "open_amount")
            rows.append({"check": "booked open AR = ERP + posted − refunds − cash applied − written off",
                         "currency": currency, "expected": expected / 100, "actual": actual / 100,
                         "difference": (actual - expected) / 100, "ok": actual == expected})
        return pd.DataFrame(rows, columns=TIE_COLUMNS)


def book(ledger: Ledger, evidence: Evidence | None = None, request: Request | None = None) -> Booked:
    """Book ``ledger`` (validated, without errors) on its as-of date. Each step is computed when a job
    first needs it, once; the open items refuse, with the figures, if they do not tie to the cent."""
    return Booked(ledger, evidence, request)

"""What cash application returns (:class:`MatchResult`): the applications, the money left unapplied
and the deductions, as frames built from each payment's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .across import REASONS as FX_REASONS
from .book import _Book
from .deductions import DEDUCTION_COLUMNS
from .names import CustomerDirectory
from .outcome import _Outcome
from .settings import MatchConfig

APPLICATION_COLUMNS = ["payment_id", "invoice_id", "customer_id", "applied_amount", "writeoff_amount",
                       "confidence", "method", "status", "explanation", "payment_currency", "item_currency",
                       "item_amount", "exchange_rate", "rate_source", "rate_date", "fx_difference"]
"""``applied_amount`` is in the payment's currency (``payment_currency``), ``writeoff_amount`` too (it is never
made across currencies); ``item_amount`` is what the line clears on the item, in ``item_currency``: the applied
amount itself, or, across currencies, the item's open amount cleared, with the ``exchange_rate`` used (units of
the item's currency per one of the payment's), where it comes from (``rate_source``: bank or ExchangeRates, and
``rate_date``) and ``fx_difference``: the applied amount converted at that rate less ``item_amount``, in the
item's currency — the realised exchange gain (+) or loss (−), never a write-off."""
WAITING_COLUMNS = ["payment_id", "invoice_id", "payment_currency", "unapplied_amount", "reason"]
UNAPPLIED_COLUMNS = ["payment_id", "payer_name", "amount", "unapplied_amount", "reason", "suggested_customer_id",
                     "explanation"]


@dataclass
class MatchResult:
    applications: pd.DataFrame
    """One row per (payment, invoice): APPLICATION_COLUMNS."""
    unapplied: pd.DataFrame
    """One row per payment with money not applied automatically: UNAPPLIED_COLUMNS."""
    config: MatchConfig = field(default_factory=MatchConfig)
    deductions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DEDUCTION_COLUMNS))
    """One row per deduction found (DEDUCTION_COLUMNS): opened when its application is ``auto``."""
    waiting: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WAITING_COLUMNS))
    """Items a payment names but could not even be proposed for (across currencies without a rate, or in several
    currencies), one row per payment and item (WAITING_COLUMNS): the payment waits in review for them."""
    directory: CustomerDirectory | None = field(default=None, repr=False, compare=False)
    """Who is who, as this run identified payers (the alias suggestions reuse it)."""

    def summary(self) -> dict[str, int]:
        auto = self.applications.loc[self.applications["status"] == "auto"]
        return {"applications auto": len(auto),
                "applications to review": int((self.applications["status"] == "review").sum()),
                "payments fully applied": int(auto["payment_id"].nunique()
                                              - self.unapplied["payment_id"].isin(auto["payment_id"]).sum()),
                "payments with money unapplied": len(self.unapplied)}


def _result(pays: pd.DataFrame, amounts: np.ndarray, outcomes: dict[int, _Outcome], book: _Book,
            config: MatchConfig) -> MatchResult:
    apps, left_over, deductions, waiting = [], [], [], []
    dates = pd.to_datetime(pays["payment_date"]).to_numpy() if "payment_date" in pays else [pd.NaT] * len(pays)
    ids, payers = pays["payment_id"].astype(str).tolist(), pays["payer_name"].tolist()
    currencies = pays["currency"].astype(str).tolist()
    for i in range(len(pays)):
        outcome = outcomes[i]
        status = ("auto" if outcome.lines and outcome.confidence >= config.auto_threshold
                  and not outcome.proposal_only else "review")
        pid = ids[i]
        rate = outcome.rate
        for j, (k, applied, writeoff) in enumerate(outcome.lines):
            apps.append({"payment_id": pid, "invoice_id": book.ids[k], "customer_id": book.customer[k],
                         "applied_amount": applied / 100, "writeoff_amount": writeoff / 100,
                         "confidence": round(outcome.confidence, 1), "method": outcome.method, "status": status,
                         "explanation": outcome.why, "payment_currency": currencies[i],
                         "item_currency": book.currency[k],
                         "item_amount": (outcome.cleared[j] if rate is not None else applied) / 100,
                         # the amounts are worked out in cents at the exact rate; the sheet shows 8 places
                         "exchange_rate": round(float(rate.value), 8) if rate is not None else float("nan"),
                         "rate_source": rate.detail if rate is not None else "",
                         "rate_date": rate.on if rate is not None and rate.on is not None else
                         (dates[i] if rate is not None else pd.NaT),
                         "fx_difference": outcome.fx[j] / 100 if rate is not None else 0.0})
        for k, amount, code, words in outcome.deductions:
            deductions.append({"deduction_id": f"{pid}>{book.ids[k]}", "payment_id": pid, "invoice_id": book.ids[k],
                               "customer_id": book.customer[k], "currency": book.currency[k], "amount": amount / 100,
                               "reason_code": code, "reason": words, "status": status, "found_on": dates[i],
                               "explanation": outcome.why})
        applied = sum(a for _, a, _ in outcome.lines) if status == "auto" else 0
        rest = int(amounts[i]) - applied
        if rest > 0:
            reason = outcome.reason or ("review" if outcome.lines else "no_match")
            if status == "review" and outcome.lines and reason not in ("ambiguous", "unearned_discount", "duplicate",
                                                                         *FX_REASONS):
                reason = "review"
            left_over.append({"payment_id": pid, "payer_name": str(payers[i]),
                              "amount": int(amounts[i]) / 100, "unapplied_amount": rest / 100, "reason": reason,
                              "suggested_customer_id": outcome.suggested, "explanation": outcome.why})
            waiting += [{"payment_id": pid, "invoice_id": book.ids[k], "payment_currency": currencies[i],
                         "unapplied_amount": rest / 100, "reason": reason} for k in outcome.named]
    return MatchResult(pd.DataFrame(apps, columns=APPLICATION_COLUMNS),
                       pd.DataFrame(left_over, columns=UNAPPLIED_COLUMNS), config,
                       deductions=pd.DataFrame(deductions, columns=DEDUCTION_COLUMNS),
                       waiting=pd.DataFrame(waiting, columns=WAITING_COLUMNS))

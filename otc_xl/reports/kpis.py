"""Receivables KPIs: DSO (standard and count-back), best possible DSO, ADD, CEI, % current, % over 90.

Formulas (AR = open items dated on or before ``as_of``; "current" = not yet due):

* DSO = AR / credit sales of the period × days in the period.
  Worked example: AR 15,000, credit sales 10,000 over 30 days → DSO = 15,000 / 10,000 × 30 = 45.
* Count-back DSO: walk back month by month from ``as_of``; each month whose credit sales AR still
  covers adds its days and its sales are taken off AR; the first month AR does not cover adds
  ``remaining AR / month's sales × month's days``. Needs sales by date (the Sales table).
* Best possible DSO = current AR / credit sales × days in the period.
* ADD (average days delinquent) = DSO − best possible DSO.
* CEI (collection effectiveness index, N months) =
  (opening AR + credit sales / N − closing total AR) / (opening AR + credit sales / N − closing current AR) × 100.
  Needs the opening AR of the period; N = the period in months (given, or period_days / 30).
* % current = current AR / AR × 100;  % over 90 = AR more than 90 days past due / AR × 100.

KPIs are computed per currency: amounts in different currencies are never added.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..model.money import cents
from .buckets import age_in_days

COLUMNS = ["currency", "kpi", "value", "unit", "formula"]


def ar_kpis(invoices: pd.DataFrame, payments: pd.DataFrame | None = None, sales: pd.DataFrame | float | None = None,
            as_of: dt.date | None = None, period_days: int = 90, opening_ar: float | dict | None = None,
            months: int | None = None) -> pd.DataFrame:
    """KPIs per currency as a long table: ``currency, kpi, value, unit, formula``.

    ``sales``: credit sales of the period — a number (single-currency ledgers), or a frame with
    ``date``, ``amount`` and optionally ``currency`` (one row per month or per document), which
    also gives the count-back DSO. Without it, sales are estimated from the ``amount`` of the
    invoices dated in the period (which understates sales when paid invoices are not listed;
    the formula column says so). ``payments`` adds cash received in the period.
    ``opening_ar`` (number, or {currency: number}) enables CEI over ``months`` months.
    """
    if as_of is None:
        raise ValueError("as_of is required")
    start = pd.Timestamp(as_of) - pd.Timedelta(days=period_days)
    items = invoices.loc[invoices["invoice_date"] <= pd.Timestamp(as_of)]
    currencies = sorted(set(items["currency"]) | _sales_currencies(sales))
    if isinstance(sales, (int, float)) and len(currencies) > 1:
        raise ValueError("sales given as one number but the ledger has several currencies; give a sales table "
                         "with a currency column")
    months = months or max(1, round(period_days / 30))
    rows = []
    for currency in currencies:
        mine = items.loc[items["currency"] == currency]
        open_c = cents(mine["open_amount"])
        days = age_in_days(mine["due_date"], as_of)
        ar, current, over90 = int(open_c.sum()), int(open_c[days <= 0].sum()), int(open_c[days > 90].sum())
        credit, source = _credit_sales(sales, invoices, currency, start, as_of)
        dso = ar / credit * period_days if credit else np.nan
        best = current / credit * period_days if credit else np.nan
        add = [
            ("open_ar", ar / 100, currency, "Σ open_amount of items dated ≤ as_of"),
            ("current_ar", current / 100, currency, "Σ open_amount not yet due"),
            ("overdue_ar", (ar - current) / 100, currency, "open AR − current AR"),
            ("credit_sales", credit / 100, currency, f"credit sales in the {period_days} days to as_of ({source})"),
            ("dso", dso, "days", f"open AR / credit sales × {period_days}"),
            ("count_back_dso", _count_back(ar, sales, currency, as_of), "days",
             "months walked back from as_of until their credit sales cover open AR (needs dated sales)"),
            ("best_possible_dso", best, "days", f"current AR / credit sales × {period_days}"),
            ("average_days_delinquent", dso - best, "days", "DSO − best possible DSO"),
            ("cei", _cei(opening_ar, currency, credit, ar, current, months), "%",
             f"(opening AR + sales/{months} − closing AR) / (opening AR + sales/{months} − closing current AR) "
             f"× 100, N = {months} months" + _cei_missing(opening_ar, currency)),
            ("pct_current", current / ar * 100 if ar else np.nan, "%", "current AR / open AR × 100"),
            ("pct_over_90", over90 / ar * 100 if ar else np.nan, "%", "AR > 90 days past due / open AR × 100"),
        ]
        if payments is not None and len(payments):
            mine_p = payments.loc[(payments["currency"] == currency) & (payments["payment_date"] > start)
                                  & (payments["payment_date"] <= pd.Timestamp(as_of))]
            add.append(("cash_received", int(cents(mine_p["amount"]).sum()) / 100, currency,
                        f"Σ payments in the {period_days} days to as_of"))
        rows += [{"currency": currency, "kpi": k, "value": v, "unit": u, "formula": f} for k, v, u, f in add]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["value"] = frame["value"].astype("float64").round(2)
    return frame


def _sales_currencies(sales) -> set[str]:
    if isinstance(sales, pd.DataFrame) and "currency" in sales:  # optional: ar_kpis takes a sales frame without it
        return set(sales["currency"])
    return set()


def _credit_sales(sales, invoices: pd.DataFrame, currency: str, start: pd.Timestamp,
                  as_of: dt.date) -> tuple[int, str]:
    if isinstance(sales, (int, float)):
        return int(round(sales * 100)), "given"
    if isinstance(sales, pd.DataFrame):
        mine = _sales_of(sales, currency)
        mine = mine.loc[(mine["date"] > start) & (mine["date"] <= pd.Timestamp(as_of))]
        return int(cents(mine["amount"]).sum()), "Sales table"
    mine = invoices.loc[(invoices["currency"] == currency) & (invoices["invoice_date"] > start)
                        & (invoices["invoice_date"] <= pd.Timestamp(as_of))]
    return int(cents(mine["amount"]).sum()), "estimated from the invoices listed; add a Sales table for exact DSO"


def _sales_of(sales: pd.DataFrame, currency: str) -> pd.DataFrame:
    return sales.loc[sales["currency"] == currency] if "currency" in sales else sales  # as in _sales_currencies


def _count_back(ar: int, sales, currency: str, as_of: dt.date) -> float:
    if not isinstance(sales, pd.DataFrame) or ar <= 0:
        return np.nan
    mine = _sales_of(sales, currency)
    end = pd.Timestamp(as_of)
    earliest = mine["date"].min() if len(mine) else end
    total_days, remaining = 0.0, ar
    while end > earliest:
        begin = end - pd.DateOffset(months=1)
        month = int(cents(mine.loc[(mine["date"] > begin) & (mine["date"] <= end), "amount"]).sum())
        days = (end - begin).days
        if month > 0 and remaining <= month:
            return round(total_days + remaining / month * days, 2)
        total_days += days
        remaining -= max(month, 0)
        end = begin
    return np.nan  # sales history too short to cover AR


def _cei_missing(opening_ar, currency: str) -> str:
    """Why CEI is empty for ``currency``, as a note to its formula ("" when it can be computed)."""
    if opening_ar is None:
        return ("; EMPTY: needs the open AR at the start of the period — set opening_ar on the Config sheet "
                "(home currency)")
    if isinstance(opening_ar, dict) and opening_ar.get(currency) is None:
        return f"; EMPTY: opening_ar is given for {', '.join(opening_ar)} only"
    return ""


def _cei(opening_ar, currency: str, credit: int, ar: int, current: int, months: int) -> float:
    if opening_ar is None:
        return np.nan
    opening = opening_ar.get(currency) if isinstance(opening_ar, dict) else opening_ar
    if opening is None:
        return np.nan
    base = opening * 100 + credit / months
    denominator = base - current
    return (base - ar) / denominator * 100 if denominator else np.nan

"""Exchange rates for cash application: where the rate of a payment in another currency than the items it
pays comes from, never made up.

In order of preference (:meth:`Rates.of`):

1. **The bank's own conversion**, on the payment row: ``instructed_currency`` and ``instructed_amount`` (camt
   ``AmtDtls/InstdAmt``, MT940 ``/OCMT/GBP861,40/``) in the items' currency — what the payer instructed is the
   converted amount itself, exactly; else ``exchange_rate`` (camt ``CcyXchg``: units of the payment's currency
   per one unit of ``instructed_currency``) when that currency is the items'.
2. **The ExchangeRates table** (e.g. the ECB's reference rates pasted by the user: units of ``currency`` per
   one unit of ``base_currency``, empty base → Config ``home_currency``): the rate of the payment's date or the
   latest before it, at most ``fx_rate_max_days`` old. A pair is read directly (base = payment currency), the
   other way round (1 / rate), or across the common base both are quoted against (GBP → CHF as CHF per EUR /
   GBP per EUR, as the ECB's own cross rates are made), each leg at its latest date.

A :class:`Rate` is always *units of the item's currency per one unit of the payment's currency* (multiply), kept
as an exact :class:`~decimal.Decimal`; amounts are converted to whole cents, half up.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..model.coded_amounts import INSTRUCTED, coded_amount

_DAY = 86_400 * 10**9  # nanoseconds


@dataclass(frozen=True)
class Rate:
    """Units of the item's currency per one unit of the payment's currency, and where it comes from."""

    value: Decimal
    source: str
    """``bank`` (the bank's conversion on the payment row) or ``ExchangeRates``."""
    on: pd.Timestamp | None
    """The rate's date (None for the bank's own conversion: it is the payment's)."""
    detail: str
    """How it was found, as the explanation says it."""
    instructed: int | None = None
    """The payer's instructed amount in the item's currency, in cents, when the bank gives it: the converted
    amount itself (no rounding, no rate needed)."""

    def convert(self, cents: int) -> int:
        """``cents`` of the payment's currency in the item's currency, whole cents, half up."""
        return int((Decimal(cents) * self.value).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def shown(self, paid: str, item: str) -> str:
        """``1 GBP = 1.160900 EUR``: the rate as people read it."""
        return f"1 {paid} = {_digits(self.value)} {item}"


def _digits(value: Decimal) -> str:
    """A rate with six decimals, trailing zeros dropped (0.8614, 1.160901)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _decimal(value: float) -> Decimal:
    """A rate typed in a cell (float) as the decimal it shows: 0.8614, not 0.86139999…"""
    return Decimal(repr(float(value)))


class Rates:
    """The ExchangeRates table, indexed by (base, currency), and the rule of which rate a payment gets."""

    def __init__(self, table: pd.DataFrame | None, home: str = "EUR", max_days: int = 7):
        self.home, self.max_days = home, max_days
        self._quotes: dict[tuple[str, str], tuple[list[int], list[Decimal], list[str]]] = {}
        if table is None or not len(table):
            return
        frame = table.reindex(columns=["rate_date", "currency", "rate", "base_currency", "source"])
        frame = frame.loc[frame["rate"].notna() & (frame["rate"] > 0) & frame["rate_date"].notna()]
        base = frame["base_currency"].astype(object).fillna("").astype(str).replace("", home)
        days = pd.to_datetime(frame["rate_date"]).to_numpy().astype("datetime64[ns]").view("int64") // _DAY
        rows = sorted(zip(base, frame["currency"].astype(str), days.tolist(), frame["rate"].tolist(),
                          frame["source"].astype(object).fillna("").astype(str)), key=lambda r: (r[0], r[1], r[2]))
        for b, c, day, rate, source in rows:
            dates, values, sources = self._quotes.setdefault((b, c), ([], [], []))
            if dates and dates[-1] == day:  # the same day twice: the last row typed counts
                values[-1], sources[-1] = _decimal(rate), source
                continue
            dates.append(int(day))
            values.append(_decimal(rate))
            sources.append(source)

    def __bool__(self) -> bool:
        return bool(self._quotes)

    def _quote(self, base: str, currency: str, day: int) -> tuple[Decimal, int, str] | None:
        """The rate of ``currency`` per ``base`` on ``day`` or the latest before it, within ``max_days``."""
        found = self._quotes.get((base, currency))
        if not found:
            return None
        dates, values, sources = found
        j = bisect_right(dates, day) - 1
        if j < 0 or day - dates[j] > self.max_days:
            return None
        return values[j], dates[j], sources[j]

    def table_rate(self, paid: str, item: str, when: Any) -> Rate | None:
        """Units of ``item`` per one ``paid`` on the date ``when`` from the table, or None."""
        if not self._quotes or when is None or pd.isna(when):
            return None
        day = int(pd.Timestamp(when).value // _DAY)
        direct = self._quote(paid, item, day)
        if direct:
            return self._rate(direct[0], [direct], f"1 {paid} = {direct[0]} {item}")
        inverse = self._quote(item, paid, day)
        if inverse:
            return self._rate(1 / inverse[0], [inverse], f"1 {item} = {inverse[0]} {paid}")
        bases = {b for b, c in self._quotes if c == paid} & {b for b, c in self._quotes if c == item}
        for base in sorted(bases, key=lambda b: (b != self.home, b)):
            leg_paid, leg_item = self._quote(base, paid, day), self._quote(base, item, day)
            if leg_paid and leg_item:
                return self._rate(leg_item[0] / leg_paid[0], [leg_item, leg_paid],
                                  f"1 {base} = {leg_item[0]} {item} and {leg_paid[0]} {paid}")
        return None

    @staticmethod
    def _rate(value: Decimal, legs: list[tuple[Decimal, int, str]], how: str) -> Rate:
        oldest = min(day for _, day, _ in legs)
        on = pd.Timestamp(np.datetime64(oldest, "D"))
        sources = ", ".join(dict.fromkeys(s for _, _, s in legs if s))
        return Rate(value, "ExchangeRates", on, f"ExchangeRates of {on:%d/%m/%Y}: {how}"
                                                + (f", {sources}" if sources else ""))

    def of(self, paid: str, item: str, when: Any, bank: BankConversion | None) -> Rate | None:
        """The rate of a payment in ``paid`` for items in ``item`` on ``when``: the bank's conversion when it
        names ``item``, else the table's; None when there is neither."""
        if bank is not None and bank.currency == item:
            if bank.instructed and bank.amount:
                value = Decimal(bank.instructed) / Decimal(bank.amount)
                given = f", rate {bank.rate}" if bank.rate else ""
                return Rate(value, "bank", None, f"the bank's conversion: the payer instructed {item} "
                                                 f"{bank.instructed / 100:,.2f}, credited as {paid} "
                                                 f"{bank.amount / 100:,.2f}{given}", instructed=bank.instructed)
            if bank.rate:
                return Rate(1 / bank.rate, "bank", None, f"the bank's rate on the payment: 1 {item} = {bank.rate} "
                                                         f"{paid}")
        return self.table_rate(paid, item, when)


@dataclass(frozen=True)
class BankConversion:
    """What the bank says about a conversion on one payment row: the instructed currency, the amount instructed
    in it (cents, 0 when unknown), the payment's own amount (cents) and the bank's rate (units of the payment's
    currency per one instructed unit; None when not given)."""

    currency: str
    instructed: int
    amount: int
    rate: Decimal | None


def bank_conversions(pays: pd.DataFrame, amounts: np.ndarray, texts: list[str]) -> list[BankConversion | None]:
    """Per payment, the bank's conversion (None when the payment was not converted): the columns
    ``instructed_currency``, ``instructed_amount``, ``exchange_rate``, else ``/OCMT/`` or ``:33B:`` with another
    currency than the payment's in the bank line's text."""
    n = len(pays)
    given = (pays["instructed_currency"].astype(object).fillna("").astype(str).str.strip().str.upper().tolist()
             if "instructed_currency" in pays else [""] * n)
    instructed = (pays["instructed_amount"].tolist() if "instructed_amount" in pays else [np.nan] * n)
    rates = pays["exchange_rate"].tolist() if "exchange_rate" in pays else [np.nan] * n
    currencies = pays["currency"].astype(str).tolist()
    out: list[BankConversion | None] = [None] * n
    for i in range(n):
        currency, rate = given[i], rates[i]
        cents = int(round(float(instructed[i]) * 100)) if pd.notna(instructed[i]) else 0
        if not currency and ("/OCMT/" in texts[i] or ":33B:" in texts[i]):
            found = coded_amount(texts[i], INSTRUCTED)
            if found and found.currency not in ("", currencies[i]):
                currency, cents = found.currency, int(found.amount * 100)
        if not currency or currency == currencies[i]:
            continue
        good = rate is not None and pd.notna(rate) and float(rate) > 0
        out[i] = BankConversion(currency, cents, int(amounts[i]), _decimal(rate) if good else None)
    return out

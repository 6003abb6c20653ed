"""The open items being paid (:class:`_Book`): cents left per item, by customer and currency; the
credits that name an invoice; the cleared items; the customers' own discount terms."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..model.money import cents
from .references import ReferenceIndex, named_documents, year_qualified

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
        issued = (self.items["invoice_date"] if "invoice_date" in self.items
                  else pd.Series(pd.NaT, index=self.items.index))
        self.issued = pd.to_datetime(issued).to_numpy()  # datetime64: no Timestamp object per item
        self.by_customer: dict[tuple[str, str], list[int]] = {}
        for k, (c, cur) in enumerate(zip(self.customer, self.currency)):
            self.by_customer.setdefault((c, cur), []).append(k)
        self.credits_of = self._credits_naming(self.items["reference"].tolist() if "reference" in self.items else [])
        self.cleared = _cleared_frame(cleared, set(self.ids))
        """The ERP's cleared items that are not open (an id both open and cleared is open: partly paid)."""
        self._shapes: dict[str, set[tuple[int | str, str]]] | None = None
        self.terms: dict[str, tuple[tuple[float, ...], int]] = {}
        """Customer → its own early-payment discount (rates, days) from the customer master."""
        self.index: ReferenceIndex | None = None
        self.rates: Any = None
        """The exchange rates (:class:`otc_xl.matching.rates.Rates`) for payments in another currency."""
        self._currencies: dict[str, set[str]] | None = None

    def currencies_of(self, customers: set[str]) -> set[str]:
        """The currencies ``customers`` have items in."""
        if self._currencies is None:
            self._currencies = {}
            for c, cur in self.by_customer:
                self._currencies.setdefault(c, set()).add(cur)
        return {cur for c in customers for cur in self._currencies.get(c, ())}

    def terms_of(self, k: int) -> tuple[tuple[float, ...], int] | None:
        return self.terms.get(self.customer[k])

    def shapes(self, customers: set[str]) -> set[tuple[int | str, str]]:
        """(digit count, first three digits) of the numbers of ``customers``' items, open and cleared:
        what a number of theirs looks like. Worked out per customer when first asked (most payers
        never need it), so its cost follows the payments, not the size of the ledger."""
        if self._shapes is None:
            self._shapes = {}
            self._numbers: dict[str, list[str]] = {}
            for cid, number in [*zip(self.customer, self.ids),
                                *zip(self.cleared["customer_id"], self.cleared["invoice_id"])]:
                self._numbers.setdefault(cid, []).append(number)
        out: set[tuple[int | str, str]] = set()
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


def _discount_terms(customers: pd.DataFrame | None) -> dict[str, tuple[tuple[float, ...], int]]:
    """Customer → (its early-payment discount rate, its days) where the master gives both."""
    if customers is None or "early_discount_pct" not in customers or "early_discount_days" not in customers:
        return {}
    out: dict[str, tuple[tuple[float, ...], int]] = {}
    for cid, pct, days in zip(customers["customer_id"].astype(str), customers["early_discount_pct"],
                              customers["early_discount_days"]):
        if pd.notna(pct) and pd.notna(days) and float(pct) > 0:
            out[cid] = ((float(pct) / 100,), int(days))
    return out

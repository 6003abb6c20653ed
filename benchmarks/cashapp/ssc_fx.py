"""Payments in another currency than the items they pay, added to the ``ssc`` generator's data (issue 29).

Written apart from the engine: its own random stream (the ssc data it is added to are unchanged), its own rates.
The rates are an ECB-style table (units of GBP, CHF, USD per EUR, working days only, a random walk of about
0.3 % a day) returned as ``exchange_rates``; the bank's conversion is on the rows of the ``fx_bank`` class.

Classes (the amounts are what a payer's bank would send, with its spread of up to ±1.5 %):

* ``fx_ref`` — a EUR invoice paid in GBP, CHF or USD (or a GBP/USD invoice paid in EUR) naming the invoice, from
  the customer's name or IBAN: should be applied automatically;
* ``fx_multi`` — two or three invoices named, paid together in another currency: all of them;
* ``fx_bank`` — a GBP or USD invoice paid into our EUR account; the bank's camt says what the payer instructed in
  the invoice's currency (exactly the invoice) and its rate: should be applied automatically;
* ``fx_beyond`` — the invoice named, but 80-94 % of it paid (a partial payment converted): must not be automatic;
* ``fx_amount_only`` — no reference, the customer's IBAN, the converted amount fits one item: must not be;
* ``fx_no_rate`` — paid in SEK, which the table does not have: must not be.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

AS_OF = dt.date(2026, 11, 30)
MUST_NOT_AUTO = ("fx_beyond", "fx_amount_only", "fx_no_rate")
CLASSES = {"fx_ref": 40, "fx_multi": 10, "fx_bank": 20, "fx_beyond": 10, "fx_amount_only": 10, "fx_no_rate": 10}
START = {"GBP": 0.8614, "CHF": 0.9312, "USD": 1.0825}


def _rates(rng: random.Random) -> pd.DataFrame:
    rows, level = [], dict(START)
    day = AS_OF - dt.timedelta(days=45)
    while day <= AS_OF:
        if day.weekday() < 5:
            for currency in level:
                level[currency] *= 1 + rng.gauss(0, 0.003)
                rows.append({"rate_date": pd.Timestamp(day), "currency": currency, "rate": round(level[currency], 4),
                             "base_currency": "EUR", "source": "ECB"})
        day += dt.timedelta(days=1)
    return pd.DataFrame(rows)


def _per_eur(table: pd.DataFrame, currency: str, day: dt.date) -> float:
    if currency == "EUR":
        return 1.0
    mine = table.loc[(table["currency"] == currency) & (table["rate_date"] <= pd.Timestamp(day))]
    return float(mine.iloc[-1]["rate"])


def add_fx(data: dict, seed: int, count: int) -> dict:
    """``data`` (from :func:`ssc.make_ssc`) with ``count`` payments across currencies added, their truth, and
    ``exchange_rates``."""
    rng = random.Random(seed * 7919 + 29)
    table = _rates(rng)
    invoices, customers = data["invoices"], data["customers"].set_index("customer_id")
    taken = set(data["truth"]["invoice_id"]) | set(data["advices"].get("invoice_id", []))
    free: dict[str, list[int]] = {}
    for k, (cid, doc, left) in enumerate(zip(invoices["customer_id"], invoices["invoice_id"],
                                             invoices["open_amount"])):
        if left > 0 and doc not in taken:
            free.setdefault(cid, []).append(k)
    owners = [c for c, ks in free.items() if ks]
    pays, truth = [], []
    names, weights = list(CLASSES), list(CLASSES.values())
    n = 0
    while len(pays) < count and n < count * 10:
        n += 1
        kind = rng.choices(names, weights)[0]
        cid = rng.choice(owners)
        mine = free[cid]
        if not mine:
            continue
        k = mine.pop(rng.randrange(len(mine)))
        rows = [k]
        item_ccy = invoices.at[k, "currency"]
        paid_on = AS_OF - dt.timedelta(days=rng.randint(0, 5))
        name = str(customers.at[cid, "customer_name"]).upper()[:35]
        iban = str(customers.at[cid, "iban"] or "")
        pay_ccy = rng.choice(["GBP", "CHF", "USD"]) if item_ccy == "EUR" else "EUR"
        text, account, extra = f"INV {invoices.at[k, 'invoice_id']}", iban if rng.random() < 0.5 else "", {}
        if kind == "fx_multi":
            more = [mine.pop(rng.randrange(len(mine))) for _ in range(min(len(mine), rng.randint(1, 2)))]
            if not more:
                continue
            rows += more
            text = " ".join(invoices.at[x, "invoice_id"] for x in rows)
        elif kind == "fx_bank":
            if item_ccy == "EUR":
                continue
            pay_ccy = "EUR"
        elif kind == "fx_amount_only":
            if not iban:
                continue
            text, account = rng.choice(["", "PAYMENT", "ZAHLUNG"]), iban
        elif kind == "fx_no_rate":
            pay_ccy = "SEK"
        total = round(sum(float(invoices.at[x, "open_amount"]) for x in rows), 2)
        if pay_ccy == "SEK":
            amount = round(total * 11.42 * (1 + rng.uniform(-0.01, 0.01)), 2)
        else:
            mid = _per_eur(table, pay_ccy, paid_on) / _per_eur(table, item_ccy, paid_on)  # pay units per item unit
            spread = 1 + rng.uniform(-0.015, 0.015)
            if kind == "fx_beyond":
                spread = rng.uniform(0.80, 0.94)
            amount = round(total * mid * spread, 2)
            if kind == "fx_bank":
                extra = {"instructed_currency": item_ccy, "instructed_amount": total,
                         "exchange_rate": round(amount / total, 6)}
        if amount <= 0:
            continue
        pid = f"FX{n:06d}"
        pays.append({"payment_id": pid, "payment_date": pd.Timestamp(paid_on), "amount": amount,
                     "currency": pay_ccy, "payer_name": name if rng.random() < 0.8 else name.title(),
                     "payer_account": account, "remittance": text, "customer_id": "", **extra})
        if kind in MUST_NOT_AUTO:
            truth.append({"payment_id": pid, "invoice_id": "", "amount": 0.0, "class": kind})
        else:
            truth += [{"payment_id": pid, "invoice_id": invoices.at[x, "invoice_id"],
                       "amount": float(invoices.at[x, "open_amount"]), "class": kind} for x in rows]
    out = dict(data)
    out["payments"] = pd.concat([data["payments"], pd.DataFrame(pays)], ignore_index=True)
    out["truth"] = pd.concat([data["truth"], pd.DataFrame(truth)], ignore_index=True)
    out["exchange_rates"] = table
    return out

"""Report engines at scale: ageing + unapplied + unbilled on 1,000,000 items each (pure engines, no I/O),
next to DuckDB SQL computing the same ageing buckets; both results are checked equal to the cent.

    python benchmarks/reports/bench_reports.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import duckdb
import numpy as np
import pandas as pd

from otc_xl.reports import ageing, unapplied_cash, unbilled_revenue

AS_OF = dt.date(2026, 11, 30)


def ledger(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    as_of = np.datetime64(AS_OF, "ns")
    issued = as_of - rng.integers(0, 400, n).astype("timedelta64[D]")
    amount = np.round(rng.lognormal(7, 1.2, n), 2) * np.where(rng.random(n) < 0.05, -1, 1)
    customers = np.array([f"C{i:06d}" for i in range(20000)])
    invoices = pd.DataFrame({
        "invoice_id": [f"INV-{i:08d}" for i in range(n)],
        "customer_id": customers[rng.integers(0, len(customers), n)],
        "invoice_date": issued, "due_date": issued + rng.choice([30, 60, 90], n).astype("timedelta64[D]"),
        "currency": rng.choice(["EUR", "EUR", "EUR", "GBP", "USD"], n), "amount": amount, "open_amount": amount,
    })
    invoices["customer_name"] = "Name " + invoices["customer_id"]
    payments = pd.DataFrame({
        "payment_id": [f"P{i:08d}" for i in range(n)],
        "payment_date": as_of - rng.integers(0, 200, n).astype("timedelta64[D]"),
        "amount": np.abs(amount) + 1, "currency": invoices["currency"].to_numpy(), "payer_name": "payer",
    })
    applied = payments.sample(frac=0.6, random_state=seed)
    applications = pd.DataFrame({"payment_id": applied["payment_id"],
                                 "applied_amount": np.round(applied["amount"] / 2, 2),
                                 "status": "auto"})
    orders = pd.DataFrame({
        "order_id": [f"SO{i:08d}" for i in range(n)], "customer_id": invoices["customer_id"].to_numpy(),
        "delivery_date": issued, "amount": np.abs(amount),
        "billed_amount": np.round(np.abs(amount) * rng.choice([0, 0.5, 1], n), 2),
        "currency": invoices["currency"].to_numpy(), "project": "",
    })
    return invoices, payments, applications, orders


SQL = """
SELECT customer_id, customer_name, currency,
  SUM(CASE WHEN age <= 0 THEN c ELSE 0 END) AS "Current",
  SUM(CASE WHEN age BETWEEN 1 AND 30 THEN c ELSE 0 END) AS "1-30",
  SUM(CASE WHEN age BETWEEN 31 AND 60 THEN c ELSE 0 END) AS "31-60",
  SUM(CASE WHEN age BETWEEN 61 AND 90 THEN c ELSE 0 END) AS "61-90",
  SUM(CASE WHEN age BETWEEN 91 AND 120 THEN c ELSE 0 END) AS "91-120",
  SUM(CASE WHEN age > 120 THEN c ELSE 0 END) AS "Over 120",
  SUM(c) AS "Total"
FROM (SELECT *, date_diff('day', due_date::DATE, DATE '2026-11-30') AS age,
             CAST(round(open_amount * 100) AS BIGINT) AS c
      FROM invoices WHERE invoice_date <= DATE '2026-11-30' AND round(open_amount * 100) <> 0)
GROUP BY ALL ORDER BY customer_id, customer_name, currency
"""


def best_of(repeat: int, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    invoices, payments, applications, orders = ledger(args.rows)
    print(f"{args.rows:,} open items, {args.rows:,} payments ({len(applications):,} applications), "
          f"{args.rows:,} order lines; best of {args.repeat}")
    t_age, aged = best_of(args.repeat, lambda: ageing(invoices, AS_OF))
    t_unapp, _ = best_of(args.repeat, lambda: unapplied_cash(payments, applications, AS_OF))
    t_unb, _ = best_of(args.repeat, lambda: unbilled_revenue(orders, AS_OF))
    print(f"otc_xl ageing (per customer x currency, {len(aged):,} rows)  {t_age:6.2f} s")
    print(f"otc_xl unapplied_cash                                 {t_unapp:6.2f} s")
    print(f"otc_xl unbilled_revenue                               {t_unb:6.2f} s")
    print(f"otc_xl total (target <= 2 s)                          {t_age + t_unapp + t_unb:6.2f} s")
    con = duckdb.connect()
    con.register("invoices", invoices)
    t_duck, duck = best_of(args.repeat, lambda: con.execute(SQL).df())
    print(f"DuckDB SQL, same ageing buckets                       {t_duck:6.2f} s")
    ours = aged.sort_values(["customer_id", "customer_name", "currency"]).reset_index(drop=True)
    theirs = duck.loc[(duck.iloc[:, 3:] != 0).any(axis=1)].reset_index(drop=True)
    labels = ["Current", "1-30", "31-60", "61-90", "91-120", "Over 120", "Total"]
    same = (np.rint(ours[labels].to_numpy() * 100).astype(np.int64) == theirs[labels].to_numpy().astype(np.int64)).all()
    print(f"results equal to the cent: {bool(same) and len(ours) == len(theirs)}")


if __name__ == "__main__":
    main()

"""camt.053 and MT940 statements of 200,000 transactions read into receipts (`otc-xl import-bank`'s
reading step), with the receipts count and total checked against what was written.

    python -m benchmarks.io.bench_bank_statements [--transactions 200000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
import resource
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from bank_writers import Line, camt, mt940  # noqa: E402  (the writers the fixture corpus is made with)

from otc_xl.io.bankfiles import parse_bank_file  # noqa: E402

PAYERS = ["Meyer Maschinenbau GmbH", "Talleres Iriarte SL", "Ferramenta Rossi S.r.l.", "Boulangerie Dupont SARL",
          "De Vries BV", "Smith & Jones Ltd"]


def statements(transactions: int, per_statement: int, seed: int = 3):
    rng = random.Random(seed)
    out, credits, total = [], 0, Decimal(0)
    for s in range(0, transactions, per_statement):
        lines = []
        for i in range(s, min(s + per_statement, transactions)):
            amount = Decimal(rng.randint(100, 5_000_000)) / 100
            credit = rng.random() < 0.7
            day = dt.date(2026, 1, 1) + dt.timedelta(days=i * 365 // transactions)
            lines.append(Line(amount if credit else -amount, day, rng.choice(PAYERS), "", f"INV-2026-{i:06d}"))
            if credit:
                credits, total = credits + 1, total + amount
        out.append((f"S{s // per_statement:05d}", Decimal("1000.00"), lines))
    return out, credits, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for form, per, write in (("camt.053", 2_000, lambda s: camt(s)), ("MT940", 500, lambda s: mt940(s))):
            stmts, credits, total = statements(args.transactions, per)
            path = Path(tmp) / ("s.xml" if form == "camt.053" else "s.sta")
            path.write_text(write(stmts), encoding="utf-8")
            start = time.perf_counter()
            payments = parse_bank_file(path).payments
            seconds = time.perf_counter() - start
            got = Decimal(int((payments["amount"] * 100).round().astype("int64").sum())) / 100
            assert (len(payments), got) == (credits, total), (form, len(payments), got, credits, total)
            print(f"{form:<9} {args.transactions:,} transactions in {len(stmts):,} statements "
                  f"({path.stat().st_size / 2**20:.0f} MiB): {seconds:6.2f} s, {credits:,} receipts tie "
                  f"(max RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()

"""Statements of 200,000 transactions in each format (camt.053, MT940, Norma 43, CFONB 120, CBI RH, CODA, BAI2, OFX,
and a BAI lockbox transmission: each credit a check with one stub line, the debits left out)
read into receipts (`otc-xl import-bank`'s reading step), with the receipts count and total
checked against what was written; with ``--end-to-end``, also the whole `otc-xl import-bank FILE
--into BOOK` command on a copy of the demo workbook (wall time, its own peak RSS, rows counted).

    python -m benchmarks.io.bench_bank_statements [--transactions 200000] [--formats norma43,cfonb120,cbi]
                                                  [--end-to-end]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from otc_xl.demo.bank_writers import Line, bai2, camt, cbi, cfonb120, coda, mt940, norma43, ofx  # the corpus' writers
from otc_xl.demo.lockbox_writer import Check, Stub, lockbox
from otc_xl.io.formats.bank import parse_bank_file

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


FORMATS = {  # name: (transactions per statement, suffix, writer)
    "camt.053": (2_000, ".xml", lambda s: camt(s)),
    "MT940": (500, ".sta", lambda s: mt940(s)),
    "norma43": (2_000, ".n43", lambda s: norma43([(f"{k:010d}", o, ls) for k, (_, o, ls) in enumerate(s)])),
    "cfonb120": (2_000, ".txt", lambda s: cfonb120([(f"{k:011d}", o, ls) for k, (_, o, ls) in enumerate(s)])),
    "cbi": (2_000, ".txt", lambda s: cbi([(f"{k:012d}", o, ls) for k, (_, o, ls) in enumerate(s)])),
    "coda": (2_000, ".cod", lambda s: coda([(f"BE{k:014d}", o, ls) for k, (_, o, ls) in enumerate(s)])),
    "bai2": (2_000, ".bai", lambda s: bai2([(f"{k:09d}", o, ls) for k, (_, o, ls) in enumerate(s)])),
    "ofx": (2_000, ".ofx", lambda s: ofx([(f"{k:012d}", o, ls) for k, (_, o, ls) in enumerate(s)])),
    "lockbox": (2_000, ".txt", lambda s: _lockbox(s)),
}


def _lockbox(stmts) -> str:
    """One lockbox per statement (its deposit date the first line's), batches of 250 checks."""
    deposits = []
    for k, (_, _, lines) in enumerate(stmts):
        checks = [Check(line.amount, "021000021", f"{1000 + n % 997}", f"{n}", [Stub(line.text, line.amount)])
                  for n, line in enumerate(lines) if line.amount > 0]
        deposits.append((f"{k:07d}", lines[0].date, [checks[i:i + 250] for i in range(0, len(checks), 250)]))
    return lockbox(deposits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ", ".join(FORMATS))
    parser.add_argument("--end-to-end", action="store_true", help="also run otc-xl import-bank into a workbook")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        for form in args.formats.split(","):
            per, suffix, write = FORMATS[form]
            stmts, credits, total = statements(args.transactions, per)
            path = Path(tmp) / f"s{suffix}"
            path.write_text(write(stmts), encoding="utf-8")
            start = time.perf_counter()
            payments = parse_bank_file(path).payments
            seconds = time.perf_counter() - start
            got = Decimal(int((payments["amount"] * 100).round().astype("int64").sum())) / 100
            assert (len(payments), got) == (credits, total), (form, len(payments), got, credits, total)
            print(f"{form:<9} {args.transactions:,} transactions in {len(stmts):,} statements "
                  f"({path.stat().st_size / 2**20:.0f} MiB): read {seconds:6.2f} s, {credits:,} receipts tie "
                  f"(max RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; "
                  f"load {os.getloadavg()[0]:.2f})")
            del payments
            if args.end_to_end:
                _end_to_end(path, Path(tmp), credits, stubs=credits if form == "lockbox" else 0)
            path.unlink()


def _end_to_end(path: Path, tmp: Path, credits: int, stubs: int = 0) -> None:
    import python_calamine as pc
    book = tmp / "book.xlsx"
    shutil.copy(Path(__file__).resolve().parents[2] / "workbooks" / "otc_demo.xlsx", book)
    before = len(pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Payments").to_python())
    # the command is started by a small helper process: a child forked from this (large) process
    # would inherit its resident-set high-water mark, and the peak reported would be ours
    helper = ("import os, subprocess, sys, time; t = time.perf_counter(); "
              "c = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
              "_, s, u = os.wait4(c.pid, 0); print(time.perf_counter() - t, u.ru_maxrss, s); "
              "sys.stderr.write(c.stderr.read().decode()[-2000:])")
    run = subprocess.run([sys.executable, "-c", helper, sys.executable, "-m", "otc_xl.cli", "import-bank", str(path),
                          "--into", str(book)], capture_output=True, text=True)
    seconds, peak, status = run.stdout.split()
    seconds, peak, status = float(seconds), int(peak), int(status)
    assert status == 0, run.stderr
    rows = len(pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Payments").to_python())
    assert rows - before == credits, (rows, before, credits)
    if stubs:  # a lockbox file's stub lines go to the Advices table in the same command
        advices = len(pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Advices").to_python()) - 1
        assert advices == stubs, (advices, stubs)
    print(f"{'':<9} otc-xl import-bank FILE --into BOOK: {seconds:6.2f} s, {peak / 1024:.0f} MiB max RSS, "
          f"{rows - before:,} rows appended{f', {stubs:,} advice lines' if stubs else ''} "
          f"(load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()

"""`otc-xl run` as a nightly job runs it: a ledger of 50,000 open items, 8,000 bank lines and 2,500
customers, end to end, next to the pieces it is made of, measured side by side in one run.

    python -m benchmarks.io.bench_run [--invoices 50000] [--payments 8000] [--customers 2500]

Prints:
* ``otc-xl run BOOK --out REPORT`` wall time and the command's own peak RSS (``os.wait4``);
* the same with ``--in-place`` on a copy of the book (run twice: the second run replaces the
  sheets the first one added);
* the reference: ``match_payments`` on the same tables + python-calamine's bare read of the
  input + xlsxwriter's bare write of the same output cells (constant memory, no formats) + 2 s,
  and the ratio of the run to it (target ≤ 1.3);
* otc_xl's report writer on the same sheets vs xlsxwriter's bare write (target ≤ 1.5×).
Targets (issue #15): run ≤ 10 s wall and ≤ 400 MB on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import python_calamine as pc
import xlsxwriter

from otc_xl.config import Config
from otc_xl.demo.synth import make_dataset
from otc_xl.demo.workbooks import _config_sheet, _input_sheet, _write, collections_demo
from otc_xl.io.xlsx.reader import XlsxSource
from otc_xl.ledger import load_ledger
from otc_xl.matching.engine import MatchConfig, match_payments
from otc_xl.model.contracts import CONTRACTS


def write_book(path: Path, invoices: int, payments: int, customers: int) -> None:
    data = make_dataset(seed=7, customers=customers, invoices=invoices, payments=payments, orders=2000)
    customers_frame, invoices_frame = collections_demo(data)
    frames = {"invoices": invoices_frame, "payments": data.payments, "customers": customers_frame,
              "orders": data.orders, "sales": data.sales}
    sheets = [_config_sheet(Config(as_of=data.as_of))]
    sheets += [_input_sheet(CONTRACTS[name], frame) for name, frame in frames.items()]
    _write(path, sheets)


def timed(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one command, its own rusage only."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def calamine_read(path: Path) -> int:
    cells = 0
    with pc.CalamineWorkbook.from_path(str(path)) as book:
        for name in book.sheet_names:
            cells += sum(len(r) for r in book.get_sheet_by_name(name).to_python())
    return cells


def output_cells(report: Path) -> dict[str, list[list]]:
    with pc.CalamineWorkbook.from_path(str(report)) as book:
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def bare_write(path: Path, sheets: dict[str, list[list]]) -> None:
    """xlsxwriter's plain write of the same cells: constant memory, no formats, tables or charts."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value)
                else:
                    ws.write(r, c, value)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--payments", type=int, default=8_000)
    parser.add_argument("--customers", type=int, default=2_500)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "otc_xl.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "ledger.xlsx"
        write_book(book, args.invoices, args.payments, args.customers)
        print(f"ledger: {args.invoices:,} open items, {args.payments:,} bank lines, {args.customers:,} customers "
              f"({book.stat().st_size / 2**20:.1f} MiB)")
        report = Path(tmp) / "report.xlsx"
        run_s, run_mb = timed([*cli, "run", str(book), "--out", str(report)])
        print(f"{'otc-xl run BOOK --out REPORT':<52} {run_s:7.2f} s  {run_mb:6.0f} MiB max RSS")
        copy = Path(tmp) / "copy.xlsx"
        shutil.copy(book, copy)
        for n in (1, 2):
            s, mb = timed([*cli, "run", str(copy), "--in-place"])
            print(f"{f'otc-xl run BOOK --in-place (run {n})':<52} {s:7.2f} s  {mb:6.0f} MiB max RSS")

        # The pieces, in this process, one after the other.
        start = time.perf_counter()
        calamine_read(book)
        read_s = time.perf_counter() - start
        ledger = load_ledger(XlsxSource(book))
        start = time.perf_counter()
        match_payments(ledger.invoices, ledger.payments, ledger.customers if len(ledger.customers) else None,
                       MatchConfig.from_config(ledger.config), aliases=ledger.aliases if len(ledger.aliases) else None)
        match_s = time.perf_counter() - start
        sheets = output_cells(report)
        cells = sum(1 for rows in sheets.values() for row in rows for v in row if v not in ("", None))
        start = time.perf_counter()
        bare_write(Path(tmp) / "bare.xlsx", sheets)
        bare_s = time.perf_counter() - start
        reference = match_s + read_s + bare_s + 2.0
        print(f"{'reference: match_payments':<52} {match_s:7.2f} s")
        print(f"{'reference: calamine read of the input':<52} {read_s:7.2f} s")
        print(f"{f'reference: xlsxwriter bare write ({cells:,} cells, {len(sheets)} sheets)':<52} {bare_s:7.2f} s")
        print(f"run / (match + read + bare write + 2 s) = {run_s:.2f} / {reference:.2f} = {run_s / reference:.2f}"
              "  (target ≤ 1.3)")

        from otc_xl.io.xlsx.report_writer import write_new_workbook
        from otc_xl.workflows import RUN_ALL, run_jobs
        result, _ = run_jobs(ledger, RUN_ALL)
        start = time.perf_counter()
        write_new_workbook(Path(tmp) / "ours.xlsx", result.sheets)
        ours_s = time.perf_counter() - start
        print(f"{'otc_xl report writer, same sheets':<52} {ours_s:7.2f} s  = {ours_s / bare_s:.2f} × bare xlsxwriter "
              "(target ≤ 1.5)")


if __name__ == "__main__":
    main()

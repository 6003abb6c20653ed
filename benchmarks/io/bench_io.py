"""Reader/writer benchmark: 200,000 invoice rows read and a 200,000-row report written.

Prints seconds and peak memory for otc_xl next to the raw libraries it builds on:
python-calamine's plain read of the same sheet, and xlsxwriter's plain write of the same data.

    python benchmarks/io/bench_io.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
import python_calamine as pc
import xlsxwriter

from otc_xl.demo.synth import make_dataset
from otc_xl.demo.workbooks import _input_sheet
from otc_xl.io.xlsx.reader import XlsxSource
from otc_xl.io.xlsx.report_writer import write_new_workbook
from otc_xl.ledger import load_ledger
from otc_xl.model.contracts import INVOICES


def _child(fn, queue) -> None:
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        result = fn()
    except BaseException as exc:  # the parent must not wait forever for a child that failed
        queue.put(exc)
        raise
    seconds = time.perf_counter() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
    queue.put((seconds, grown, result))


def measure(label: str, fn):
    """Run ``fn`` in a forked child; print wall time and how much its peak RSS grew."""
    queue = multiprocessing.get_context("fork").SimpleQueue()
    child = multiprocessing.get_context("fork").Process(target=_child, args=(fn, queue))
    child.start()
    outcome = queue.get()
    child.join()
    if isinstance(outcome, BaseException):
        raise SystemExit(f"{label}: failed ({type(outcome).__name__}: {outcome})")
    seconds, grown_kib, result = outcome
    print(f"{label:<56} {seconds:7.2f} s   +{grown_kib / 1024:6.0f} MiB peak RSS")
    return result


def invoices(rows: int) -> pd.DataFrame:
    base = make_dataset(seed=7, customers=2000, invoices=20000, payments=10, orders=10).invoices
    frame = pd.concat([base] * (rows // len(base) + 1), ignore_index=True).head(rows)
    frame["invoice_id"] = [f"INV-{i:07d}" for i in range(rows)]
    return frame


def xlsxwriter_write(path: Path, frame: pd.DataFrame) -> None:
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = book.add_worksheet("Invoices")
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, list(frame.columns))
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            if isinstance(value, pd.Timestamp):
                ws.write_datetime(r, c, value.to_pydatetime(), date)
            elif isinstance(value, float):
                if value == value:  # NaN: an empty cell, as otc_xl writes it
                    ws.write_number(r, c, value, money)
            else:
                ws.write_string(r, c, str(value))
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    frame = invoices(args.rows)
    sheet = _input_sheet(INVOICES, frame)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "invoices.xlsx"
        print(f"{args.rows:,} invoice rows x {len(sheet.frame.columns)} columns")
        measure("write: otc_xl report table (xlsxwriter layout + streamed rows)",
                lambda: str(write_new_workbook(book, [sheet])))
        measure("write: xlsxwriter raw (constant_memory)",
                lambda: xlsxwriter_write(Path(tmp) / "raw.xlsx", sheet.frame))
        print(f"file size: {book.stat().st_size / 2**20:.1f} MiB")
        measure("read: python-calamine raw (to_python)",
                lambda: len(pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Invoices").to_python()))
        rows = measure("read: otc_xl read + validate + coerce (canonical frame)",
                       lambda: _checked_rows(book))
        assert rows == args.rows


def _checked_rows(book: Path) -> int:
    ledger = load_ledger(XlsxSource(book))
    assert ledger.ok, ledger.errors[:3]
    return len(ledger.invoices)


if __name__ == "__main__":
    main()

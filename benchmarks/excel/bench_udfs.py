"""Worksheet-function benchmark (#27): a column of FINDINVOICES formulas over one invoice-id range, as
Excel recalculates it — every formula calls the function with its own remittance text and the whole
id range (target: 1,000 formulas over 2,000 ids in under 2 s).

    python -m benchmarks.excel.bench_udfs [--formulas 1000] [--ids 2000]

Measured: the Python function as xlwings calls it once the cells are converted (lists of values),
with the reference index cached per content of the id range (cold: the first formula builds it),
next to the same column with the index built in every call (what the function did before). The
conversion of the range by xlwings itself (COM on Windows, JSON in Lite) comes on top and cannot be
measured without Excel.
"""

from __future__ import annotations

import argparse
import time

from otc_xl.excel import udfs


def column(formulas: int, ids: list[list], numeric: bool) -> tuple[float, list]:
    started = time.perf_counter()
    results = []
    for i in range(formulas):
        number = (i * 7) % len(ids) + 1
        text = f"Pago fra {4500000 + number}" if numeric else f"Pago factura 26/{number:05d} gracias"
        results.append(udfs.findinvoices([[text]], ids))
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formulas", type=int, default=1000)
    parser.add_argument("--ids", type=int, default=2000)
    args = parser.parse_args()
    for numeric in (False, True):
        ids = [[float(4500000 + i)] if numeric else [f"INV-2026-{i:05d}"] for i in range(1, args.ids + 1)]
        kind = "whole-number ids (4500001.0 …)" if numeric else "text ids (INV-2026-00001 …)"
        udfs._reference_index.cache_clear()
        cached, results = column(args.formulas, ids, numeric)
        assert all(r[0][0] != udfs.NOT_FOUND for r in results), "every remittance names an existing id"
        sample = max(1, args.formulas // 10)
        started = time.perf_counter()
        for _ in range(sample):  # the former behaviour: the index rebuilt in every call
            udfs._reference_index.cache_clear()
            udfs.findinvoices([["Pago factura 26/00001"]], ids)
        rebuilt = (time.perf_counter() - started) / sample
        print(f"{kind}: {args.formulas:,} formulas over {args.ids:,} ids: {cached:.2f} s "
              f"({cached / args.formulas * 1000:.2f} ms per formula, index cached per range content; target < 2 s); "
              f"index rebuilt in every call: {rebuilt * 1000:.1f} ms per formula "
              f"(≈ {rebuilt * args.formulas:.1f} s for the column)")


if __name__ == "__main__":
    main()

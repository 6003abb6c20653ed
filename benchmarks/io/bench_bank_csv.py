"""Bank CSV import at scale: a ~60 MB Spanish-style export (decimal comma, day-first dates,
cp1252, ';'), read into receipts, then the whole `otc-xl import-bank FILE --into BOOK` command.

    python -m benchmarks.io.bench_bank_csv [--lines 597000] [--shape reference|plain|both]

Two shapes: ``reference`` (the bank's reference per line: the payment id) and ``plain`` (date;
concept;amount, the usual shape of Spanish and Italian exports: every receipt gets a stable id
hashed from its content).

Prints the seconds and peak memory (RSS growth of a forked child for the read; the command's own
maximum RSS for the end-to-end run), and checks the receipts count and total against the
generator's own, and the rows that landed in the workbook.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from otc_xl.io.formats.bank import parse_bank_file

WORDS = ["PAGO FACTURA", "TRANSFERENCIA", "ABONO", "RECIBO", "LIQUIDACION", "COMISION", "ADEUDO SEPA"]
NAMES = ["TALLERES IRIARTE SL", "FERRETERÍA GÓMEZ SA", "DISTRIBUCIONES NÚÑEZ", "ACME IBÉRICA SL",
         "CONSTRUCCIONES PEÑA", "GRUPO ALBÉNIZ"]


def write_export(path: Path, lines: int, seed: int = 5, shape: str = "reference") -> tuple[int, Decimal]:
    """Write the export; returns (receipts, total of receipts)."""
    rng = random.Random(seed)
    receipts, total = 0, Decimal(0)
    with open(path, "w", encoding="cp1252", newline="") as out:
        out.write("F. Operación;F. Valor;Concepto;Ordenante;Importe;Saldo;Referencia\r\n" if shape == "reference"
                  else "Fecha;Concepto;Importe\r\n")
        balance = Decimal("100000.00")
        for i in range(lines):
            cents = rng.randint(100, 2_000_000)
            amount = Decimal(cents) / 100 * (1 if rng.random() < 0.6 else -1)
            balance += amount
            day = 1 + i % 28
            text = f"{rng.choice(WORDS)} FRA-2026-{rng.randint(1, 99999):05d} {rng.randint(100, 999)}"
            shown = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            saldo = f"{balance:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            if shape == "reference":
                out.write(f"{day:02d}/11/2026;{day:02d}/11/2026;{text};{rng.choice(NAMES)};{shown};{saldo};"
                          f"R{i:09d}\r\n")
            else:  # no reference: the payer is part of the concept, as these banks write it
                out.write(f"{day:02d}/11/2026;{text} {rng.choice(NAMES)} {i:09d};{shown}\r\n")
            if amount > 0:
                receipts, total = receipts + 1, total + amount
    return receipts, total


def main() -> None:
    from benchmarks.io.bench_io import measure  # needs the bench extra (xlsxwriter); the generator above does not

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=597_000)
    parser.add_argument("--shape", choices=["reference", "plain", "both"], default="both")
    args = parser.parse_args()
    for shape in (["reference", "plain"] if args.shape == "both" else [args.shape]):
        _bench(args.lines, shape, measure)


def _bench(lines: int, shape: str, measure) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "extracto.csv"
        receipts, total = write_export(path, lines, shape=shape)
        print(f"[{shape}] {lines:,} lines, {path.stat().st_size / 2**20:.1f} MiB, {receipts:,} receipts")
        got = measure("import-bank read: CSV → receipts", lambda: _read(path))
        assert got == (receipts, total), (got, receipts, total)
        print("receipts and total tie with the generator")
        book = Path(tmp) / "book.xlsx"
        shutil.copy(Path(__file__).resolve().parents[2] / "workbooks" / "otc_demo.xlsx", book)
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "otc_xl.cli", "import-bank", str(path), "--into", str(book)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)  # this command's own peak, not the read benchmark's child
        seconds = time.perf_counter() - start
        assert os.waitstatus_to_exitcode(status) == 0, child.stderr.read().decode()
        peak = usage.ru_maxrss / 1024
        print(f"{'otc-xl import-bank FILE --into BOOK (end to end)':<56} {seconds:7.2f} s   {peak:7.0f} MiB max RSS")
        import python_calamine as pc
        rows = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Payments").to_python()
        print(f"Payments rows in the book after import: {len(rows) - 1:,}")


def _read(path: Path) -> tuple[int, Decimal]:
    lines = parse_bank_file(path)
    cents = (lines.payments["amount"] * 100).round().astype("int64").sum()
    return len(lines.payments), Decimal(int(cents)) / 100


if __name__ == "__main__":
    main()

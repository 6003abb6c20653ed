"""`otc-xl team FOLDER` on a team of 20 associates with 20,000 open items each (issue #17: ≤ 30 s).

    python -m benchmarks.reports.bench_team [--associates 20] [--invoices 20000] [--runs 2]

Each associate's workbook is a different seed of the synthetic ledger (invoice numbers made unique
per associate, the same entity), written once to a temporary folder; the command is then timed end
to end, with its own peak RSS (``os.wait4``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from otc_xl.config import Config
from otc_xl.demo.synth import make_dataset
from otc_xl.demo.workbooks import _config_sheet, _input_sheet, _write, collections_demo
from otc_xl.model.contracts import CONTRACTS

from ..io.bench_run import timed


def write_associate(path: Path, seed: int, invoices: int) -> None:
    data = make_dataset(seed=seed, customers=max(50, invoices // 40), invoices=invoices, payments=10, orders=10)
    customers, frame = collections_demo(data)
    prefix = f"A{seed:02d}-"
    frame["invoice_id"] = prefix + frame["invoice_id"]
    frame["customer_id"] = prefix + frame["customer_id"]
    customers["customer_id"] = prefix + customers["customer_id"]
    customers["parent_id"] = customers["parent_id"].where(customers["parent_id"] == "", prefix + customers["parent_id"])
    config = Config(as_of=data.as_of, company_name="Iberia Components S.L.")
    _write(path, [_config_sheet(config), _input_sheet(CONTRACTS["invoices"], frame),
                  _input_sheet(CONTRACTS["customers"], customers)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--associates", type=int, default=20)
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "team"
        folder.mkdir()
        for k in range(args.associates):
            write_associate(folder / f"associate{k + 1:02d}.xlsx", 100 + k, args.invoices)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        print(f"team: {args.associates} workbooks × {args.invoices:,} open items ({size:.1f} MiB)")
        out = Path(tmp) / "team_report.xlsx"
        for run in range(1, args.runs + 1):
            seconds, mib = timed([sys.executable, "-m", "otc_xl.cli", "team", str(folder), "--out", str(out),
                                  "--as-of", "30/11/2026"])
            print(f"otc-xl team FOLDER (run {run})  {seconds:8.2f} s  {mib:8.0f} MiB max RSS  (target ≤ 30 s)")


if __name__ == "__main__":
    main()

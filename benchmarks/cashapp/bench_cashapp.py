"""Cash-application benchmark: synthetic bank lines with ground truth, scored per payment class.

The data come from ``otc_xl.demo.synth`` (noise model: see docs/cash-application.md): references
mangled the ways customers mangle them, payer names with bank prefixes and truncated at 35
characters, fee short-pays, discounts, partial and over-payments, credit notes netted, payments
without references, unidentifiable payers, and same-amount twins.

Printed per class:
- straight-through: payments whose automatic applications are exactly the truth (for classes
  with nothing to apply: no automatic application at all);
- pair precision: automatic (payment, invoice) pairs that are true;
- false autos: automatic applications that are not true; for the unknowable classes
  (unidentified payer; no reference and two open items of the same amount) any automatic
  application counts as false, even if it happens to hit the invoice really paid;
and the wall time of ``match_payments`` alone.

    python benchmarks/cashapp/bench_cashapp.py [--payments 8000] [--invoices 50000] [--seed 11]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from otc_xl.demo.synth import make_dataset
from otc_xl.matching import MatchConfig, match_payments


UNKNOWABLE = ("unidentified", "ambiguous")
"""Classes where nothing can be known from the data: the right answer is no automatic application."""


BANDS = ((0, 60), (60, 80), (80, 90), (90, 95), (95, 101))


def score(truth: pd.DataFrame, applications: pd.DataFrame, unknowable: tuple[str, ...] = UNKNOWABLE) -> dict:
    """Print per class (worst straight-through first) and return the totals."""
    UNKNOWABLE = unknowable  # noqa: N806 - the classes whose right answer is no automatic application
    classes = truth.groupby("payment_id")["class"].first()
    knowable = truth.loc[(truth["invoice_id"] != "") & ~truth["class"].isin(UNKNOWABLE)]
    expected = knowable.groupby("payment_id")["invoice_id"].agg(frozenset)
    true_pairs = set(zip(truth["payment_id"], truth["invoice_id"]))
    auto = applications.loc[applications["status"] == "auto"]
    got = auto.groupby("payment_id")["invoice_id"].agg(frozenset)
    rows = []
    for name, ids in classes.groupby(classes):
        payments = ids.index
        stp = sum(got.get(p, frozenset()) == expected.get(p, frozenset()) for p in payments)
        mine = auto.loc[auto["payment_id"].isin(payments)]
        correct = 0 if name in UNKNOWABLE else sum((p, i) in true_pairs for p, i in zip(mine["payment_id"],
                                                                                         mine["invoice_id"]))
        rows.append({"class": name, "payments": len(payments), "straight-through": stp / len(payments),
                     "auto pairs": len(mine), "pair precision": correct / len(mine) if len(mine) else float("nan"),
                     "false autos": len(mine) - correct})
    frame = pd.DataFrame(rows).sort_values(["straight-through", "payments"], ascending=[True, False])
    total = {"class": "ALL", "payments": frame["payments"].sum(),
             "straight-through": (frame["straight-through"] * frame["payments"]).sum() / frame["payments"].sum(),
             "auto pairs": frame["auto pairs"].sum(), "false autos": frame["false autos"].sum()}
    total["pair precision"] = 1 - total["false autos"] / total["auto pairs"]
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    pd.set_option("display.width", 160)
    print(frame.to_string(index=False, formatters={"straight-through": "{:.1%}".format,
                                                    "pair precision": "{:.2%}".format}))
    unknowable = frame.loc[frame["class"].isin(UNKNOWABLE), "false autos"].sum()
    must_not = int(frame.loc[frame["class"].isin(UNKNOWABLE), "payments"].sum())
    print(f"false automatic applications on payments that must not be auto-applied ({', '.join(UNKNOWABLE)}): "
          f"{unknowable} of {must_not} ({unknowable / max(must_not, 1):.2%})")
    total["false auto rate"] = unknowable / max(must_not, 1)
    print("\ncalibration: precision of all proposed pairs (auto and review) by confidence band")
    for low, high in BANDS:
        sel = applications.loc[(applications["confidence"] >= low) & (applications["confidence"] < high)]
        ok = sum((p, i) in true_pairs for p, i in zip(sel["payment_id"], sel["invoice_id"]))
        print(f"  [{low:3d}, {min(high, 100):3d}{']' if high > 100 else ')'}: {len(sel):6,} pairs, "
              f"precision {ok / len(sel):.2%}" if len(sel) else f"  [{low:3d}, {high:3d}): none")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=8000)
    parser.add_argument("--invoices", type=int, default=50000)
    parser.add_argument("--customers", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--generator", choices=["synth", "independent"], default="synth",
                        help="synth: otc_xl.demo.synth (the engine was built with it); independent: "
                             "benchmarks/cashapp/independent.py (written apart, other vocabularies and traps)")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.generator == "independent":
        from independent import MUST_NOT_AUTO, make_independent
        invoices, payments, customers, truth = make_independent(args.seed, args.customers, args.invoices,
                                                                args.payments)
        unknowable = MUST_NOT_AUTO
    else:
        data = make_dataset(seed=args.seed, customers=args.customers, invoices=args.invoices,
                            payments=args.payments, orders=10)
        invoices, payments, customers, truth, unknowable = (data.invoices, data.payments, data.customers,
                                                            data.truth, UNKNOWABLE)
    print(f"{args.generator} generator, seed {args.seed}: {len(payments):,} payments x {len(invoices):,} open "
          f"items ({len(customers):,} customers) in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    result = match_payments(invoices, payments, customers, MatchConfig())
    seconds = time.perf_counter() - start
    print(f"match_payments: {seconds:.2f} s wall\n")
    score(truth, result.applications, unknowable)


if __name__ == "__main__":
    main()

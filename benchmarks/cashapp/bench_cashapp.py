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
and the wall time of ``match_payments`` alone (and its peak memory with ``--memory``).

Three generators: ``synth`` (``otc_xl.demo.synth``, the engine's own), ``independent``
(``independent.py``, written apart for issue 13) and ``ssc`` (``ssc.py``, a multi-company
shared-services centre written for issue 29: cleared items, advices, deductions, US and European
formats; its deduction rows are scored too). ``--scale 10`` multiplies payments, open items and
customers by ten. ``--sweep`` runs once with every proposal automatic and prints the pair
precision at each threshold (to choose ``auto_threshold`` on one seed and check it on others).
``--repeat N`` times ``match_payments`` N times, each cold, with the load average before each run
(the machine is shared: report the range and the load). ``--without cleared|advices|both`` runs
the ssc data without its cleared items and/or advices. ``--fx N`` adds N payments in another currency than
their items to the ssc data (``ssc_fx.py``: ECB-style ExchangeRates, the bank's conversion on some rows).

    python benchmarks/cashapp/bench_cashapp.py [--generator synth|independent|ssc] [--seed 11] [--scale 1]
"""

from __future__ import annotations

import argparse
import os
import resource
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


def score_deductions(expected: pd.DataFrame, found: pd.DataFrame) -> None:
    """Deduction rows opened automatically against the ones that should be: (payment, invoice, amount)."""
    auto = found.loc[found["status"] == "auto"]
    want = set(zip(expected["payment_id"], expected["invoice_id"], (expected["amount"] * 100).round().astype(int)))
    got = set(zip(auto["payment_id"], auto["invoice_id"], (auto["amount"] * 100).round().astype(int)))
    right = len(want & got)
    print(f"\ndeductions opened automatically: {len(got):,}; right {right:,} (precision "
          f"{right / max(len(got), 1):.2%}); of the {len(want):,} expected, found {right / max(len(want), 1):.2%}")


def sweep(truth: pd.DataFrame, applications: pd.DataFrame, unknowable: tuple[str, ...]) -> None:
    """Pair precision of the proposals at or above each threshold (with every proposal made automatic)."""
    true_pairs = set(zip(truth["payment_id"], truth["invoice_id"]))
    bad_payments = set(truth.loc[truth["class"].isin(unknowable), "payment_id"])
    print("\nthreshold sweep (auto_threshold 0: every proposal counted): pair precision at or above")
    for threshold in (80, 85, 88, 90, 92, 94):
        sel = applications.loc[applications["confidence"] >= threshold]
        ok = sum((p, i) in true_pairs and p not in bad_payments for p, i in zip(sel["payment_id"], sel["invoice_id"]))
        print(f"  {threshold}: {len(sel):7,} pairs, precision {ok / max(len(sel), 1):.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=8000)
    parser.add_argument("--invoices", type=int, default=50000)
    parser.add_argument("--customers", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--generator", choices=["synth", "independent", "ssc"], default="synth",
                        help="synth: otc_xl.demo.synth (the engine was built with it); independent: "
                             "benchmarks/cashapp/independent.py (written apart, other vocabularies and traps); ssc: "
                             "benchmarks/cashapp/ssc.py (multi-company shared-services centre, issue 29)")
    parser.add_argument("--scale", type=int, default=1, help="multiply payments, open items and customers")
    parser.add_argument("--sweep", action="store_true", help="print the pair precision per threshold")
    parser.add_argument("--memory", action="store_true", help="print the process's peak memory")
    parser.add_argument("--without", choices=["cleared", "advices", "both"],
                        help="ssc: leave out the cleared items and/or the advices (what the engine does without them)")
    parser.add_argument("--fx", type=int, default=0,
                        help="ssc: add this many payments in another currency than their items (ssc_fx.py) and "
                             "its ExchangeRates table")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time match_payments this many times (each with the load average: the machine is shared)")
    args = parser.parse_args()
    args.payments, args.invoices, args.customers = (args.payments * args.scale, args.invoices * args.scale,
                                                    args.customers * args.scale)
    start = time.perf_counter()
    extra: dict = {}
    expected_deductions = None
    if args.generator == "ssc":
        from ssc import MUST_NOT_AUTO as SSC_MUST_NOT
        from ssc import make_ssc
        data = make_ssc(args.seed, args.customers, args.invoices, args.payments)
        invoices, payments, customers, truth = data["invoices"], data["payments"], data["customers"], data["truth"]
        extra = {"cleared": data["cleared"], "advices": data["advices"]}
        for name in {"cleared": ("cleared",), "advices": ("advices",), "both": ("cleared", "advices")}.get(
                args.without, ()):
            extra.pop(name)
        expected_deductions, unknowable = data["deductions"], SSC_MUST_NOT
        if args.fx:
            from ssc_fx import MUST_NOT_AUTO as FX_MUST_NOT
            from ssc_fx import add_fx
            data = add_fx(data, args.seed, args.fx * args.scale)
            payments, truth = data["payments"], data["truth"]
            extra["exchange_rates"] = data["exchange_rates"]
            unknowable = (*unknowable, *FX_MUST_NOT)
    elif args.generator == "independent":
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
    config = MatchConfig(auto_threshold=0.01) if args.sweep else MatchConfig()
    times = []
    from otc_xl.matching.names import legal_forms, normalise_name

    for _ in range(max(args.repeat, 1)):
        normalise_name.cache_clear()  # each run starts cold, as a command does
        legal_forms.cache_clear()
        load = os.getloadavg()[0]
        start = time.perf_counter()
        result = match_payments(invoices, payments, customers, config, **extra)
        times.append(time.perf_counter() - start)
        if args.repeat > 1:
            print(f"  match_payments {times[-1]:.2f} s (load average {load:.2f} before)")
    seconds = min(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"match_payments: {seconds:.2f} s wall" + (f" (best of {len(times)}; {min(times):.2f}-{max(times):.2f})"
                                                     if len(times) > 1 else "")
          + (f"; peak memory of the process {peak:,.0f} MiB" if args.memory else "") + "\n")
    if args.sweep:
        sweep(truth, result.applications, unknowable)
        return
    score(truth, result.applications, unknowable)
    if expected_deductions is not None:
        score_deductions(expected_deductions, result.deductions)


if __name__ == "__main__":
    main()

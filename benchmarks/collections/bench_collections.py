"""Collections at shared-service-centre scale: 5,000 customers, 100,000 open items, 8,000 bank lines.

Times the dunning run (with a history of two earlier runs), the worklist, disputes, write-offs,
statement lines for every customer, and rendering + e-mail drafts for every dunning notice and 500
statements; checks that statements tie and instalment plans sum exactly. Target: the whole
collections cycle (sheets) under 10 s, letters at 100+ per second, on 2 cores.

    .venv/bin/python benchmarks/collections/bench_collections.py [--customers N] [--invoices N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

from otc_xl.collecting import DunningPolicy, dunning_run
from otc_xl.collecting.disputes import dispute_items, disputes_summary
from otc_xl.collecting.statements import customer_receipts, statement_lines, statement_totals
from otc_xl.collecting.worklist import worklist
from otc_xl.collecting.writeoffs import writeoff_proposals
from otc_xl.config import Config
from otc_xl.demo.synth import make_dataset
from otc_xl.demo.workbooks import collections_demo
from otc_xl.letters import dunning_letters, email_draft, statements
from otc_xl.letters.render import environment, script_line
from otc_xl.matching import MatchConfig, match_payments
from otc_xl.reports.buckets import bucket_labels


def timed(label: str, fn, results: list):
    start = time.perf_counter()
    value = fn()
    results.append((label, time.perf_counter() - start))
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=8000)
    args = parser.parse_args()
    as_of = dt.date(2026, 11, 30)
    print(f"building {args.customers:,} customers, {args.invoices:,} items, {args.payments:,} bank lines …")
    data = make_dataset(seed=7, customers=args.customers, invoices=args.invoices, payments=args.payments, orders=10,
                        as_of=as_of)
    master, invoices = collections_demo(data)
    policy = DunningPolicy.from_config(Config())
    history = None
    for days in (35, 14):
        history = dunning_run(invoices, master, as_of - dt.timedelta(days=days), policy, history).history
    apps = match_payments(invoices, data.payments, master, MatchConfig()).applications
    t: list = []
    receipts = timed("customer receipts", lambda: customer_receipts(data.payments, apps), t)
    result = timed("dunning run", lambda: dunning_run(invoices, master, as_of, policy, history), t)
    env = environment("")
    calls = timed("worklist (with script lines)", lambda: worklist(
        invoices, master, as_of, None, result.notices.set_index(["customer_id", "currency"])["level"],
        lambda ctx: script_line(env, ctx["language"] or "en", {**ctx, "company": "Acme"})), t)
    found = timed("disputes + summary", lambda: disputes_summary(dispute_items(invoices, as_of, 30)), t)
    offs = timed("write-off proposals", lambda: writeoff_proposals(invoices, as_of), t)
    lines = timed("statement lines, every customer", lambda: statement_lines(invoices, as_of, receipts), t)
    totals = statement_totals(lines)
    sheets_total = sum(s for _, s in t)
    letters = timed("dunning letters (HTML)", lambda: dunning_letters(result, master, as_of, "Acme"), t)
    timed(".eml drafts", lambda: [email_draft(d) for d in letters], t)
    some = lines.loc[lines["customer_id"].isin(lines["customer_id"].drop_duplicates().head(500))]
    docs = timed("500 customers' statements (HTML)",
                 lambda: statements(some, master, as_of, bucket_labels((30, 60, 90, 120))), t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(f"\n{'step':<36}{'seconds':>9}")
    for label, seconds in t:
        print(f"{label:<36}{seconds:>9.2f}")
    send = result.to_send
    print(f"\nnotices {len(send):,} of {len(result.notices):,} accounts; levels "
          f"{ {int(k): int(v) for k, v in send['level'].value_counts().sort_index().items()} }; "
          f"worklist {len(calls):,} calls; "
          f"disputes {len(found):,} reason rows; write-offs {len(offs):,}")
    print(f"sheets (receipts→statement lines): {sheets_total:.2f} s; "
          f"letters {len(letters) / dict(t)['dunning letters (HTML)']:.0f}/s; "
          f"statements {len(docs) / t[-1][1]:.0f}/s")
    print(f"statements tie: {bool(totals['ties'].all())} ({len(totals):,} customer-currency accounts); "
          f"peak memory (whole process) {peak / 2**20:,.0f} MiB")
    assert totals["ties"].all()


if __name__ == "__main__":
    main()

"""Billing benchmark (#16): 10,000 invoice drafts of 5 lines each prepared (target ≤ 10 s, documents
excluded), and documents per second (PDF page; Factur-X PDF/A-3 with its XML; UBL XML + PDF).

    python -m benchmarks.billing.bench_billing [--drafts 10000] [--documents 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from otc_xl.billing import BillingSettings, number_drafts, prepare_drafts
from otc_xl.billing.documents import customer_mail, invoice_files
from otc_xl.letters.render import records
from otc_xl.model.billing import BILLING_LOG, InvoiceDoc, Line, VatTotal
from otc_xl.model.company import Company
from otc_xl.model.tables import empty_frame

DAY = dt.date(2026, 11, 30)
SELLER = Company("Iberia Components S.L.", "ESB86412578", "Calle de Alcalá 120", "28009", "Madrid", "Madrid", "ES",
                 "ES9121000418450200051332", "CAIXESBBXXX")


def book(drafts: int, seed: int = 16):
    rng = np.random.default_rng(seed)
    n = drafts * 5
    countries = rng.choice(["FR", "DE", "BE"], 1000)
    valid_vat = {"FR": "FR40303265045", "DE": "DE136695976", "BE": "BE0403170701"}  # check digits hold (#28)
    customers = pd.DataFrame({"customer_id": [f"C{k:05d}" for k in range(1000)],
                              "customer_name": [f"Customer {k}" for k in range(1000)],
                              "country": countries, "vat_id": [valid_vat[c] for c in countries],
                              "peppol_id": "0088:5790000436101", "language": rng.choice(["fr", "de", "en"], 1000),
                              "payment_terms_days": 30, "einvoice_format": "", "source_row": range(2, 1002)})
    order = np.repeat(np.arange(drafts), 5)
    lines = pd.DataFrame({
        "order_id": [f"SO-{k}" for k in order], "line": np.tile(np.arange(1, 6), drafts),
        "customer_id": [f"C{k % 1000:05d}" for k in order], "item": "ITEM", "description": "Item",
        "quantity": rng.integers(1, 50, n).astype(float), "unit": "C62",
        "unit_price": rng.integers(100, 100_000, n) / 100, "discount_pct": rng.choice([np.nan, 5.0], n),
        "vat_category": "K", "vat_rate": 0.0, "vat_note": "", "delivered_quantity": np.nan, "returned_quantity": np.nan,
        "delivery_date": pd.Timestamp(DAY), "billed_quantity": np.nan, "currency": "EUR", "customer_reference": "",
        "source_row": np.arange(2, n + 2)})
    lines["delivered_quantity"] = lines["quantity"]
    return lines, customers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=50)
    args = parser.parse_args()
    lines, customers = book(args.drafts)
    start = time.perf_counter()
    result = prepare_drafts(lines, customers, empty_frame(BILLING_LOG), BillingSettings(DAY))
    number_drafts(result, {})
    took = time.perf_counter() - start
    print(f"prepared {len(result.drafts):,} drafts / {len(result.lines):,} lines in {took:.2f} s "
          f"(target ≤ 10 s)")
    master = {r["customer_id"]: r for r in records(customers)}
    lines_of = {k: [Line.from_record(x) for x in records(g)] for k, g in result.lines.groupby("draft")
                if k <= args.documents}
    totals_of = {k: [VatTotal.from_record(t) for t in records(g)] for k, g in result.totals.groupby("draft")
                 if k <= args.documents}
    for fmt in ("pdf", "facturx", "ubl"):
        docs = [InvoiceDoc.from_record(dict(d, format=fmt)) for d in records(result.drafts.head(args.documents))]
        start = time.perf_counter()
        for doc in docs:
            files = invoice_files(doc, lines_of[doc.draft], totals_of[doc.draft], master[doc.customer_id], SELLER)
            customer_mail([doc], files, master[doc.customer_id], SELLER)
        took = time.perf_counter() - start
        print(f"{fmt:8} documents: {len(docs) / took:.1f} per second ({len(docs)} invoices, PDF + e-mail"
              f"{'' if fmt == 'pdf' else ' + XML'})")


if __name__ == "__main__":
    main()

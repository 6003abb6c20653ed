"""The documents beside a workbook read back as evidence: an invoice record written by an older
version (fewer fields) still says what was billed."""

import json

import pandas as pd

from otc_xl.io.evidence import MANIFEST, billed_in_folder, evidence_beside


def test_an_invoice_record_without_some_fields_is_read_not_dropped(tmp_path):
    folder = tmp_path / "book_letters" / "2026-11-30"
    folder.mkdir(parents=True)
    rows = [{"invoice_id": "FV-2026-01201", "customer_id": "C1", "order_id": "SO-1", "order_line": 1,
             "invoice_date": "2026-11-30", "net": 100.0, "gross": 121.0}]  # no posted_on, vat, payment_reference…
    (folder / f"FV-2026-01201{MANIFEST}").write_text(json.dumps(rows), encoding="utf-8")
    billed = billed_in_folder(tmp_path / "book_letters")
    assert billed is not None and billed["invoice_id"].tolist() == ["FV-2026-01201"]
    assert billed.loc[0, "gross"] == 121.0 and pd.isna(billed.loc[0, "vat"]) and pd.isna(billed.loc[0, "posted_on"])
    assert billed.loc[0, "payment_reference"] == "" and billed.loc[0, "invoice_date"] == pd.Timestamp("2026-11-30")
    evidence = evidence_beside(tmp_path / "book.xlsx")
    assert evidence.billed is not None and evidence.billed["invoice_id"].tolist() == ["FV-2026-01201"]

"""The demo's billing: customers with what an invoice needs, delivered order lines to bill, and the
drafts a user has approved (all but one; one draft is blocked by a line without a price)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import numpy as np
import pandas as pd

from ..billing import BillingSettings, parse_series, prepare_drafts
from ..model.billing import BILLING_LOG
from ..model.report import ReportSheet
from ..model.tables import empty_frame

APPROVER = "M. López"
VAT_DIGITS = {"ES": ("B", 8), "FR": ("", 11), "DE": ("", 9), "IT": ("", 11), "RO": ("", 8), "GB": ("", 9)}
PER_COUNTRY = {"ES": 3, "FR": 3, "DE": 2, "IT": 2, "RO": 1, "GB": 2}
ITEMS = [("BRK-220", "Brake pad set, ceramic", "C62", 48.90), ("FLT-015", "Oil filter cartridge", "C62", 7.35),
         ("HOS-300", "Hydraulic hose 3/8\", per metre", "MTR", 12.4567),
         ("SRV-001", "Technician, on-site hour", "HUR", 65.00),
         ("LUB-005", "Lubricant 5 l", "C62", 23.10)]


def valid_vat(country: str, rng: np.random.Generator) -> str:
    """A made-up VAT number of ``country`` whose check digits are right (python-stdnum validates it)."""
    from ..billing.identifiers import vat_problem

    prefix, digits = VAT_DIGITS[country]
    while True:
        body = "".join(str(d) for d in rng.integers(0, 10, digits))
        if country == "IT":  # the office code (digits 8-10) must be a province's: 001-100
            body = f"{body[:7]}{int(rng.integers(1, 101)):03d}{body[10]}"
        if country == "FR":  # FR + a two-digit key + the SIREN
            candidates = (f"FR{key:02d}{body[2:]}" for key in range(100))
        else:  # the last digit is the check digit
            candidates = (f"{country}{prefix}{body[:-1]}{check}" for check in range(10))
        for number in candidates:
            if vat_problem(number) is None:
                return number


def billing_customers(customers: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """``customers`` with VAT ids, address parts and e-invoice routing for the ones billed in the
    demo (a few per country; one French customer receives UBL through Peppol); their ids."""
    rng = np.random.default_rng(seed + 16)
    out = customers.copy()
    for column in ("vat_id", "street", "postal_code", "city", "province", "einvoice_format", "peppol_id", "sdi_code",
                   "pec", "dir3_accounting_office", "dir3_management_body", "dir3_processing_unit"):
        out[column] = ""
    out["early_discount_pct"], out["early_discount_days"] = np.nan, pd.array([None] * len(out), dtype="Int64")
    chosen: list[str] = []
    for country, count in PER_COUNTRY.items():
        for i in out.index[(out["country"] == country) & (out["dunning_block"] == "")
                           & (out["insolvency"] == "")][:count]:
            prefix, digits = VAT_DIGITS[country]
            street, _, town = str(out.at[i, "address"]).partition(";")
            postal, _, city = town.strip().partition(" ")
            out.loc[i, ["vat_id", "street", "postal_code", "city"]] = [
                valid_vat(country, rng), street.strip(), postal,
                city or "Madrid"]
            out.at[i, "province"] = {"ES": city, "IT": city[:2].upper()}.get(country, "")
            if country == "IT":
                out.at[i, "sdi_code"] = "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), 7))
            chosen.append(cast(str, out.at[i, "customer_id"]))
    french = [c for c in chosen if c in set(out.loc[out["country"] == "FR", "customer_id"])]
    ubl = out.index[out["customer_id"] == french[0]][0]
    out.at[ubl, "einvoice_format"], out.at[ubl, "peppol_id"] = "ubl", f"0009:{rng.integers(10**13, 10**14)}"
    early = out.index[out["customer_id"] == chosen[0]][0]
    out.at[early, "early_discount_pct"], out.at[early, "early_discount_days"] = 2.0, 10
    return out, chosen


def order_lines(customers: pd.DataFrame, chosen: list[str], as_of: dt.date, seed: int) -> pd.DataFrame:
    """Delivered order lines of the chosen customers: domestic VAT for Spain (21 %, 10 % reduced),
    intra-EU supplies (K) for the EU, exports (G) for the UK; one line without a price."""
    rng = np.random.default_rng(seed + 17)
    country = dict(zip(customers["customer_id"], customers["country"]))
    rows = []
    for k, customer in enumerate(chosen):
        order = f"SO-{70100 + k}"
        for n in range(1, int(rng.integers(2, 5)) + 1):
            code, text, unit, price = ITEMS[int(rng.integers(0, len(ITEMS)))]
            quantity = float(rng.integers(1, 40)) if unit != "MTR" else float(rng.integers(5, 80)) + 0.5
            category, rate = {"ES": ("S", 21.0) if n != 2 else ("AA", 10.0), "GB": ("G", 0.0)}.get(
                country[customer], ("K", 0.0))
            rows.append({"order_id": order, "line": n * 10, "customer_id": customer, "item": code, "description": text,
                         "quantity": quantity, "unit": unit, "unit_price": price,
                         "discount_pct": 5.0 if n == 1 and k % 3 == 0 else np.nan, "vat_category": category,
                         "vat_rate": rate, "vat_note": "", "delivered_quantity": quantity, "returned_quantity": np.nan,
                         "delivery_date": pd.Timestamp(as_of - dt.timedelta(days=int(rng.integers(1, 12)))),
                         "billed_quantity": np.nan, "currency": "EUR",
                         "customer_reference": f"PO-{int(rng.integers(10000, 99999))}" if k % 2 else ""})
    frame = pd.DataFrame(rows)
    frame.loc[frame.index[-1], "unit_price"] = np.nan  # the last order is blocked: a line without a price
    return frame


def billing_demo(customers: pd.DataFrame, as_of: dt.date, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, ReportSheet]:
    """(customers with invoicing data, the order lines, InvoiceDrafts with the approvals typed)."""
    customers, chosen = billing_customers(customers, seed)
    lines = order_lines(customers, chosen, as_of, seed).assign(net_amount=np.nan)
    canonical = lines.assign(source_row=range(2, len(lines) + 2))
    result = prepare_drafts(canonical, customers, empty_frame(BILLING_LOG),
                            BillingSettings(as_of, parse_series("FV"), parse_series("AB")))
    drafts = result.drafts
    ready = drafts.index[drafts["status"] == "ready"]
    drafts["approved"], drafts["approved_by"] = "", ""
    drafts.loc[ready[:-1], "approved"], drafts.loc[ready[:-1], "approved_by"] = "yes", APPROVER  # one left to approve
    return customers, lines, ReportSheet("InvoiceDrafts", "tblInvoiceDrafts",
                                         drafts[["draft_key", "customer_id", "order_id", "gross", "status", "approved",
                                                 "approved_by"]], {"gross": "money"})

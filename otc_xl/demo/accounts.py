"""The demo's account work, typed as an associate would have typed it before today's run.

Two credit allocations approved, one refund approved (with the IBAN chosen among the two on file),
a payment plan with a SEPA mandate whose first instalments are approved, and a Spanish customer's
supplier-ledger extract (``otc_demo_customer_statement.xlsx``) to reconcile, with one difference of
each kind. All derived from the demo ledger with fixed choices, so the files are reproducible.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import openpyxl
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from ..collecting.credits import credit_allocations
from ..collecting.plans import payment_plan
from ..collecting.refunds import CHOOSE, refund_proposals
from ..model.money import cents
from ..model.report import ReportSheet

APPROVER = "Marta Ruiz"
COMPANY_IBAN = "ES8021000418424502000513"
COMPANY_BIC = "CAIXESBBXXX"
CREDITOR_ID = "ES97ZZZB12345678"
RECONCILED_CUSTOMER_ROW = 2
"""Which Spanish customer with open invoices sends its ledger extract (by position)."""


def accounts_demo(customers: pd.DataFrame, invoices: pd.DataFrame, as_of: dt.date,
                  pending: pd.Series | None = None) -> list[ReportSheet]:
    """CreditAllocations with two approvals, Refunds with one, PaymentPlans with a mandated plan
    (``pending``: what the run's cash application will apply, so these are the run's proposals)."""
    allocations, left = credit_allocations(invoices, customers, pending)
    stable = allocations.loc[(cents(allocations["amount"]) == -cents(allocations["credit_open"]))
                             & (cents(allocations["invoice_open"]) >= 2 * cents(allocations["amount"]))
                             & (allocations["customer_id"] == allocations["invoice_customer_id"])]
    chosen = stable.index[:2]
    allocations.loc[chosen, "approved"], allocations.loc[chosen, "approved_by"] = "yes", APPROVER
    refunds = refund_proposals(left, invoices, customers, as_of, 30)
    pick = refunds.index[refunds["status"].str.startswith(CHOOSE)][:1]
    on_file = dict(zip(customers["customer_id"], customers["iban"]))
    for i in pick:
        refunds.at[i, "iban"] = on_file[refunds.at[i, "customer_id"]].split(";")[0].strip()
        refunds.at[i, "status"], refunds.at[i, "approved"], refunds.at[i, "approved_by"] = "ready", "sí", APPROVER
    plan_customer = customers.loc[customers["dunning_block"] != ""].iloc[0]
    plan = payment_plan(2_400.00, 6, as_of + dt.timedelta(days=3), every_months=1)
    plans = plan.assign(plan_id=f"PLAN-{plan_customer['customer_id']}-{as_of + dt.timedelta(days=3):%Y%m%d}",
                        customer_id=plan_customer["customer_id"], currency="EUR",
                        mandate_id=f"MNDT-{plan_customer['customer_id']}-01", mandate_date=pd.Timestamp("2026-10-20"),
                        iban=str(plan_customer["iban"]).split(";")[0].strip() or COMPANY_IBAN,
                        approved=["yes", "yes"] + [""] * (len(plan) - 2),
                        approved_by=[APPROVER] * 2 + [""] * (len(plan) - 2))
    plan_columns = ["plan_id", "customer_id", "instalment", "due_date", "amount", "currency", "mandate_id",
                    "mandate_date", "iban", "approved", "approved_by"]
    return [ReportSheet("CreditAllocations", "tblCreditAllocations", allocations),
            ReportSheet("Refunds", "tblRefunds", refunds),
            ReportSheet("PaymentPlans", "tblPaymentPlans", plans[plan_columns],
                        {"amount": "money", "instalment": "integer"})]


def reconciled_customer(customers: pd.DataFrame, invoices: pd.DataFrame) -> str:
    """The Spanish customer whose extract the demo reconciles: one with several open EUR invoices and
    no insolvency (fixed by position, so the demo is the same every time); "" when the book has none
    (a book of the user's given with ``demo --book``)."""
    open_items = invoices.loc[(cents(invoices["open_amount"]) > 0) & (invoices["currency"] == "EUR")]
    counts = open_items.groupby("customer_id").size()
    spanish = customers.loc[(customers["language"] == "es") & (customers["insolvency"] == "")
                            & (customers["dunning_block"] == "")]
    candidates = [c for c in spanish["customer_id"] if counts.get(c, 0) >= 5]
    return candidates[min(RECONCILED_CUSTOMER_ROW, len(candidates) - 1)] if candidates else ""


def customer_statement_book(customers: pd.DataFrame, invoices: pd.DataFrame, as_of: dt.date,
                            paid: pd.DataFrame | None = None) -> openpyxl.Workbook:
    """The customer's 'Extracto de cuenta de proveedor' (Debe/Haber, their payables view) as of the demo
    date: our open invoices as they booked them, with one not received, one booked at a different
    amount, one they still show open that we do not, their transfers the bank has brought us (``paid``:
    ``payment_date``, ``amount``) and a payment they made that we have not found."""
    customer = reconciled_customer(customers, invoices)
    mine = invoices.loc[(invoices["customer_id"] == customer) & (invoices["currency"] == "EUR")
                        & (cents(invoices["open_amount"]) != 0)].sort_values(["invoice_date", "invoice_id"])
    wb = openpyxl.Workbook()
    ws = cast(Worksheet, wb.active)
    ws.title = "Extracto"
    name = customers.set_index("customer_id").at[customer, "customer_name"]
    ws.append(["EXTRACTO DE CUENTA DE PROVEEDOR"])
    ws.append(["Empresa:", name])
    ws.append(["Proveedor:", "400001 IBERIA COMPONENTS S.L."])
    ws.append(["Periodo:", f"01/01/2026 - {as_of:%d/%m/%Y}"])
    ws.append([])
    ws.append(["Fecha", "Asiento", "Documento", "Concepto", "Debe", "Haber", "Saldo"])
    balance = 0.0
    entries = []
    item: Any
    for k, item in enumerate(mine.itertuples()):
        if k == 1:
            continue  # never received: only on our side
        amount = round(item.open_amount * (0.9 if k == 2 else 1.0), 2)  # booked 10 % lower: amount difference
        number = item.invoice_id.replace("INV-", "FRA ").replace("-", "/")
        entries.append((item.invoice_date.date(), number, "Factura" if amount > 0 else "Abono", amount))
    entries.append((dt.date(2026, 6, 30), "FRA 2026/00007", "Factura", 412.30))  # settled long ago in our books
    payment: Any
    for k, payment in enumerate((paid if paid is not None else pd.DataFrame(columns=["payment_date", "amount"]))
                                .itertuples()):
        entries.append((payment.payment_date.date() - dt.timedelta(days=1), f"TRF-{k + 1:03d}", "Pago transferencia",
                        -round(payment.amount, 2)))
    entries.append((as_of - dt.timedelta(days=2), "TRF-" + customer, "Pago transferencia", -1_000.00))
    entries.sort(key=lambda e: e[0])
    for n, (date, document, text, amount) in enumerate(entries, start=1):
        balance += amount
        ws.append([date, f"2026/{1000 + n}", document, text, -amount if amount < 0 else None,
                   amount if amount > 0 else None, round(balance, 2)])
    ws.append([None, None, None, "TOTALES", None, None, round(balance, 2)])
    for row in ws.iter_rows(min_row=7, max_col=1):
        row[0].number_format = "DD/MM/YYYY"
    return wb

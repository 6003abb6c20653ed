"""Report commands: run, match, ageing, unapplied, unbilled, kpis."""

from __future__ import annotations

from ..workflows import RUN_ALL
from .core import _book_command


_book_command("run", RUN_ALL, """Run every job on BOOK and write the report workbook.

Reads Invoices (required), Payments, Customers, Orders, Sales and Config; validates them (all
problems are listed with sheet, row and column); applies cash (Applications, AliasSuggestions),
then writes Inputs, Ageing, AgeingSummary,
AgeingDetail, PivotData, CreditBalances, Unapplied, Unbilled, KPIs (with reconciliation
controls), Dunning, DunningItems, DunningHistory, Worklist, ContactLog, Disputes, DisputeItems and
WriteOffs, plus otc_messages when there are warnings. Letters and statements are written by the
dunning and statement commands.""")
_book_command("match", ["match", "unapplied"], """Apply the bank's cash to open invoices (cash application).

Reads Payments, Invoices, Customers and Aliases; finds invoice numbers in remittances (any
language, mangled, OCR slips, ranges, RF references), identifies payers by IBAN, alias or fuzzy
name, and fits amounts (exact, fees and discounts within tolerance, partial, over-payment, exact
combinations). Writes Applications (auto and review, with confidence and a one-line why),
Unapplied, and AliasSuggestions. Input sheets are not changed.""", require=("invoices", "payments"))
_book_command("ageing", ["ageing", "kpis"], """Age open items into buckets (Config buckets, ageing_basis).

Writes Ageing (per customer and currency), AgeingSummary (per currency, with a bar chart),
AgeingDetail (per document), PivotData (long format for PivotTables), CreditBalances, and KPIs
with the controls (Σ buckets = Σ open items).""")
_book_command("unapplied", ["match", "unapplied"], """List receipts not (fully) applied, aged since the payment date.

Applies cash first (as `match` does: Applications, AliasSuggestions), then writes Unapplied:
payment, payer, amount, applied, unapplied, days, bucket, reason, remittance.""",
              require=("invoices", "payments"))
_book_command("unbilled", ["unbilled"], """List delivered order lines not (fully) invoiced (unbilled revenue).

Writes Unbilled: billed amount from the Orders billed_amount column, or else summed from
invoices with the same order_id; aged since delivery.""", require=("orders",))
_book_command("kpis", ["kpis"], """Compute DSO, count-back DSO, best possible DSO, ADD, CEI, % current, % over 90.

Credit sales come from the Sales sheet when present (else estimated from the invoices listed);
CEI needs Config opening_ar. Writes KPIs with the reconciliation controls.""")

"""The records otc_xl writes into a workbook and reads back on the next run.

These sheets are written by otc_xl (history, outcomes the collector types in, approvals, postings)
and read again by the next run, so dunning escalates instead of repeating, promises are followed
up, approvals are kept and nothing is posted, refunded or handed over twice. They use the same
:class:`~otc_xl.model.contracts.TableContract` as the input tables.
"""

from __future__ import annotations

from typing import Final

from .contracts import Column, TableContract

DUNNING_HISTORY = TableContract(
    name="dunning_history",
    doc="Every dunning notice sent: one row per item and run, written only by the command that produces the "
        "letters (otc-xl dunning, the Dunning and Letters buttons), with the letter's file name: the evidence "
        "every later level, call and legal hand-over rests on. Rows without a letter (typed or imported from the "
        "ERP) count as notices sent.",
    sheet_names=("DunningHistory",),
    columns=(
        Column("dunned_on", "date", "Date of the dunning run (its as_of date).", True),
        Column("customer_id", "id", "Customer account.", True),
        Column("invoice_id", "id", "Item reminded.", True),
        Column("level", "integer", "Dunning level the item was reminded at.", True),
        Column("currency", "currency", "Currency of the item."),
        Column("open_amount", "amount", "Open amount when reminded."),
        Column("fee", "amount", "Fee charged on the notice (on its first item)."),
        Column("interest", "amount", "Interest charged on this item."),
        Column("letter", "text", "The letter produced for the notice (file name in the letters folder of that date)."),
    ),
)

WORKLIST = TableContract(
    name="worklist",
    doc="Today's calls (written by the Worklist job); the collector types outcome, promise date and amount, "
        "and the next run files them in ContactLog.",
    sheet_names=("Worklist",),
    columns=(
        Column("customer_id", "id", "Customer account.", True),
        Column("worklist_date", "date", "Date of the worklist the row belongs to."),
        Column("currency", "currency", "Currency of the amounts."),
        Column("outcome", "text", "What happened: promised, no answer, dispute, paid, call back…",
               synonyms=("result", "resultado", "esito", "résultat", "ergebnis")),
        Column("promise_date", "date", "Date the customer promised to pay by.",
               synonyms=("promise to pay date", "ptp date", "fecha compromiso", "data promessa",
                         "date promesse", "zahlungszusage datum")),
        Column("promise_amount", "amount", "Amount the customer promised to pay.",
               synonyms=("promise to pay amount", "ptp amount", "importe compromiso", "importo promesso",
                         "montant promis", "zugesagter betrag")),
        Column("note", "text", "Collector's note.", synonyms=("comment", "nota", "remarque", "notiz")),
    ),
)

CONTACT_LOG = TableContract(
    name="contact_log",
    doc="Every contact outcome ever recorded on the Worklist (written by the Worklist job).",
    sheet_names=("ContactLog",),
    columns=WORKLIST.columns,
)

APPROVAL_COLUMNS = (
    Column("approved", "text", "yes / no, typed by the approver.",
           synonyms=("approval", "aprobado", "approvato", "approuvé", "genehmigt")),
    Column("approved_by", "text", "Who approved.", synonyms=("approver", "aprobado por", "approvato da",
                                                              "approuvé par", "genehmigt von")),
)
"""The approval columns of otc_xl's proposal sheets, kept when the proposals are rewritten."""
WRITEOFF_APPROVALS = TableContract(
    name="writeoff_approvals",
    doc="Write-off proposals (written by the WriteOffs job) with the approval the user types in; "
        "approvals are carried over when the sheet is rewritten.",
    sheet_names=("WriteOffs",),
    unique="invoice_id",
    columns=(
        Column("invoice_id", "id", "Item proposed for write-off.", True),
        *APPROVAL_COLUMNS,
    ),
)

CREDIT_APPROVALS = TableContract(
    name="credit_approvals",
    doc="Credit allocations proposed by the credits job, with the approval the user types in; approvals "
        "are carried over (by allocation_id, credit>invoice) when the sheet is rewritten.",
    sheet_names=("CreditAllocations",),
    unique="allocation_id",
    columns=(
        Column("allocation_id", "id", "The credit and the invoice it is allocated to (CRN-1>INV-7).", True),
        Column("amount", "amount", "The amount proposed when it was approved (an approval is kept only while "
                                   "the proposal's amount is the same)."),
        *APPROVAL_COLUMNS,
    ),
)

CREDIT_POSTINGS = TableContract(
    name="credit_postings",
    doc="Approved credit allocations posted by the credits command: the audit trail, and what every run applies "
        "to the open items until the ERP export shows it (see otc_xl.collecting.postings).",
    sheet_names=("CreditPostings",),
    unique="allocation_id",
    columns=(
        Column("allocation_id", "id", "The credit and the invoice (CRN-1>INV-7), posted once.", True),
        Column("credit_id", "id", "The credit note or payment on account.", True),
        Column("invoice_id", "id", "The invoice it pays.", True),
        Column("customer_id", "id", "The credit's customer."),
        Column("invoice_customer_id", "id", "The invoice's customer (another account of the group, or the same)."),
        Column("currency", "currency", "Currency of both items."),
        Column("amount", "amount", "Amount moved off both items.", True),
        Column("posted_on", "date", "Date of the run that posted it.", True),
        *APPROVAL_COLUMNS,
        Column("credit_open_erp", "amount", "The credit's open amount in the ERP export when posted.", True),
        Column("invoice_open_erp", "amount", "The invoice's open amount in the ERP export when posted.", True),
        Column("status", "text", "awaiting ERP / in ERP / check in ERP (recomputed on every run)."),
    ),
)
REFUND_APPROVALS = TableContract(
    name="refund_approvals",
    doc="Refund proposals (written by the refunds job) with what the user types: the IBAN to pay into when "
        "several or none are on file, and the approval; carried over by refund_id while the amount is the same.",
    sheet_names=("Refunds",),
    unique="refund_id",
    columns=(
        Column("refund_id", "id", "RFD- and the credit refunded; also the SEPA end-to-end id.", True),
        Column("amount", "amount", "The amount proposed when it was approved."),
        Column("iban", "text", "IBAN to pay the refund into (typed, or the only one on the customer's record)."),
        *APPROVAL_COLUMNS,
    ),
)

REFUND_LOG = TableContract(
    name="refund_log",
    doc="Every refund put in a SEPA credit-transfer file (written by the refunds command): a credit in it is never "
        "refunded again, and every run takes it off the open items until the ERP export shows it.",
    sheet_names=("RefundLog",),
    unique="refund_id",
    columns=(
        Column("refund_id", "id", "RFD- and the credit refunded; the SEPA end-to-end id.", True),
        Column("credit_id", "id", "The credit refunded.", True),
        Column("customer_id", "id", "Customer account."),
        Column("customer_name", "text", "Payee name in the file."),
        Column("currency", "currency", "Always EUR (SEPA)."),
        Column("amount", "amount", "Amount paid back.", True),
        Column("iban", "text", "Account paid into.", True),
        Column("bic", "text", "Its bank's BIC, when known."),
        Column("refunded_on", "date", "Date of the run that wrote the file.", True),
        Column("batch", "text", "Message id of the SEPA file (its file name without .xml).", True),
        *APPROVAL_COLUMNS,
        Column("credit_open_erp", "amount", "The credit's open amount in the ERP export when refunded.", True),
        Column("status", "text", "awaiting ERP / in ERP (recomputed on every run)."),
    ),
)

LEGAL_CASES = TableContract(
    name="legal_cases",
    doc="Items handed over to legal action or an insolvency claim (recorded only by the legal command, with the "
        "case file written for them): they stay there, "
        "blocking dunning and calls, until their status says returned; uncollectable ones are proposed for write-off.",
    sheet_names=("LegalCases",),
    unique="invoice_id",
    columns=(
        Column("case_id", "id", "LGL- and the customer.", True),
        Column("customer_id", "id", "Customer account.", True),
        Column("customer_name", "text", "Customer name."),
        Column("invoice_id", "id", "Item handed over.", True),
        Column("currency", "currency", "Currency of the item."),
        Column("handed_over_amount", "amount", "Open amount when handed over."),
        Column("due_date", "date", "Due date of the item."),
        Column("handed_over_on", "date", "Date of the run that handed it over.", True),
        Column("reason", "text", "Why: customer insolvency, or last dunning level and days overdue."),
        Column("status", "text", "Yours: open, with lawyer, claim filed…; returned (back to collections) or "
                                 "uncollectable (proposed for write-off).",
               synonyms=("estado", "stato", "statut")),
        Column("note", "text", "Lawyer, file number, hearing dates…", synonyms=("nota", "remarque", "notiz")),
        Column("case_file", "text", "The case file written when the item was handed over (file name in the letters "
                                    "folder of that date)."),
    ),
)

PAYMENT_PLANS = TableContract(
    name="payment_plans",
    doc="Agreed payment plans, one row per instalment (written by otc-xl plan --into, or typed), with the SEPA "
        "mandate when the customer pays by direct debit; approved instalments are collected by otc-xl debits.",
    sheet_names=("PaymentPlans",),
    columns=(
        Column("plan_id", "id", "The plan (PLAN-<customer>-<first date>).", True),
        Column("customer_id", "id", "Customer account.", True),
        Column("instalment", "integer", "Number of the instalment in the plan.", True),
        Column("due_date", "date", "Date the instalment is due (collected then).", True),
        Column("amount", "amount", "Instalment amount.", True),
        Column("currency", "currency", "Currency (SEPA: EUR)."),
        Column("mandate_id", "text", "SEPA mandate reference signed by the customer.",
               synonyms=("mandate", "mandate reference", "referencia mandato", "riferimento mandato",
                         "référence unique de mandat", "rum", "mandatsreferenz")),
        Column("mandate_date", "date", "Date the customer signed the mandate.",
               synonyms=("date of signature", "fecha firma mandato", "data firma mandato", "date de signature",
                         "unterschriftsdatum")),
        Column("iban", "text", "IBAN to debit."),
        *APPROVAL_COLUMNS,
    ),
)

DEBIT_LOG = TableContract(
    name="debit_log",
    doc="Every instalment put in a SEPA direct-debit file (written by otc-xl debits): never collected twice.",
    sheet_names=("DebitLog",),
    unique="debit_id",
    columns=(
        Column("debit_id", "id", "DD-<plan>-<instalment>; the SEPA end-to-end id.", True),
        Column("plan_id", "id", "The plan.", True),
        Column("instalment", "integer", "The instalment."),
        Column("customer_id", "id", "Customer account."),
        Column("amount", "amount", "Amount collected.", True),
        Column("collection_date", "date", "Date asked of the bank.", True),
        Column("mandate_id", "text", "Mandate it was collected under.", True),
        Column("sequence", "text", "FRST (a mandate's first collection) or RCUR."),
        Column("batch", "text", "Message id of the SEPA file (its file name without .xml).", True),
        Column("collected_on", "date", "Date of the run that wrote the file.", True),
    ),
)

DEDUCTIONS = TableContract(
    name="deductions",
    doc="Deductions found by cash application: a customer paid an invoice less an amount it claims (freight, damaged "
        "goods, pricing …) or short beyond the tolerance without saying why. The paid amount is applied; the deducted "
        "amount stays open on the invoice, disputed, for the disputes job; never written off by cash application. "
        "Written by the commands that write Deductions (disputes, run, match), read back so a deduction found on one "
        "day is still known when the ERP export shows the item short; status and note are yours.",
    sheet_names=("Deductions",),
    unique="deduction_id",
    columns=(
        Column("deduction_id", "id", "The payment and the invoice (PAY-1>INV-7).", True),
        Column("payment_id", "id", "The bank line that paid short."),
        Column("invoice_id", "id", "The invoice deducted from.", True),
        Column("customer_id", "id", "Customer account."),
        Column("currency", "currency", "Currency of the invoice."),
        Column("amount", "amount", "Amount deducted (left open on the invoice).", True),
        Column("reason_code", "text", "Root cause: freight, damaged goods, pricing, quantity, promotion, returns, "
                                      "penalty, short payment, other."),
        Column("reason", "text", "The customer's words (remittance or advice)."),
        Column("found_on", "date", "Date of the payment."),
        Column("status", "text", "Yours: open (default), accepted (credit note to issue), rejected (to collect), "
                                 "resolved; only open deductions keep the item disputed.",
               synonyms=("estado", "stato", "statut")),
        Column("note", "text", "Yours.", synonyms=("nota", "remarque", "notiz")),
    ),
)

_N: Final = "amount"  # two-decimal numbers: money, days and percentages alike
HISTORY = TableContract(
    name="history",
    doc="One snapshot per run date (written by the history job): per currency for the whole ledger (collector "
        "(all)) and per collector; a re-run on the same date replaces that date's rows.",
    sheet_names=("History",),
    columns=(
        Column("snapshot_date", "date", "Date of the run (its as_of).", True),
        Column("entity", "text", "The company the ledger is of (Config company_name)."),
        Column("collector", "text", "(all), or the collector.", True),
        Column("currency", "currency", "Currency."),
        *(Column(name, _N, doc) for name, doc in (
            ("open_ar", "Open AR."), ("current", "Not yet due."), ("overdue", "Past due."),
            ("overdue_pct", "Overdue ÷ open AR, %."), ("over_90", "More than 90 days past due."),
            ("disputed", "Open amount of disputed items."), ("unapplied", "Unapplied cash ((all) rows)."),
            ("unbilled", "Unbilled revenue ((all) rows)."), ("dso", "DSO, days."),
            ("count_back_dso", "Count-back DSO, days."), ("best_possible_dso", "Best possible DSO, days."),
            ("average_days_delinquent", "ADD, days."), ("cei", "CEI, %."),
            ("promises_kept_pct", "Promises kept ÷ judged, %."))),
        Column("items", "integer", "Open items."),
        Column("customers", "integer", "Customers with open items."),
    ),
)

HISTORY_BUCKETS = TableContract(
    name="history_buckets",
    doc="The ageing buckets of each History snapshot, one row per bucket (written by the history job).",
    sheet_names=("HistoryBuckets",),
    columns=(
        Column("snapshot_date", "date", "Date of the run.", True),
        Column("collector", "text", "(all), or the collector.", True),
        Column("currency", "currency", "Currency."),
        Column("bucket", "text", "Bucket label (Current, 1-30 …).", True),
        Column("amount", "amount", "Open amount in the bucket.", True),
    ),
)

RECORDS: dict[str, TableContract] = {c.name: c for c in (DUNNING_HISTORY, WORKLIST, CONTACT_LOG,
                                                          WRITEOFF_APPROVALS, CREDIT_APPROVALS, CREDIT_POSTINGS,
                                                          REFUND_APPROVALS, REFUND_LOG, LEGAL_CASES,
                                                          PAYMENT_PLANS, DEBIT_LOG, HISTORY, HISTORY_BUCKETS,
                                                          DEDUCTIONS)}
"""Sheets otc_xl writes and reads back on the next run (never required; absent → empty)."""

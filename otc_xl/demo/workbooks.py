"""The shipped workbooks: ``otc_template.xlsx`` (empty tables to fill) and ``otc_demo.xlsx``.

Both are generated (``python workbooks/generate.py``) and committed; a test checks the committed
files equal what this code generates. Output is byte-for-byte reproducible: fixed seed, fixed
document timestamps, fixed zip entry times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..config import Config
from ..io.xlsx.writer import fill_sheet
from ..model.billing import ORDER_LINES
from ..model.contracts import CONTRACTS, TableContract
from ..model.report import Format, ReportSheet
from ..model.values import LANGUAGES
from .accounts import COMPANY_BIC, COMPANY_IBAN, CREDITOR_ID, accounts_demo, customer_statement_book
from .bankfile import write_camt053
from .billing import billing_demo
from .synth import PLACES, make_dataset

FIXED_TIME = dt.datetime(2026, 1, 1)
DEMO_AS_OF = dt.date(2026, 11, 30)
COMPANY_VAT_ID = "ESB86412574"
TEMPLATE_ROWS = 500  # rows that carry data validation in the template

# The header each column gets in our workbooks (all are synonyms the reader accepts).
LABELS = {
    "invoice_id": "Invoice No.", "customer_id": "Customer No.", "customer_name": "Customer name",
    "invoice_date": "Invoice date", "due_date": "Due date", "currency": "Currency", "amount": "Amount",
    "open_amount": "Open amount", "reference": "Reference", "doc_type": "Document type", "order_id": "Order No.",
    "dispute_code": "Dispute reason", "collector": "Collector", "payment_id": "Payment No.",
    "payment_date": "Value date", "payer_name": "Payer", "payer_account": "Payer IBAN",
    "remittance": "Remittance information", "aliases": "Aliases", "iban": "IBANs", "language": "Language",
    "email": "E-mail", "credit_limit": "Credit limit", "payment_terms_days": "Payment terms", "country": "Country",
    "parent_id": "Parent account", "delivery_date": "Delivery date", "billed_amount": "Billed amount",
    "project": "Project", "date": "Month", "payer": "Payer", "note": "Note",
    "clearing_date": "Clearing date", "clearing_document": "Clearing document", "paid_amount": "Paid amount",
    "deduction_amount": "Deduction", "reason": "Reason", "source": "Source",
    "creditor_reference": "RF reference", "billing_document": "Billing document",
    "accounting_document": "Accounting document", "instructed_amount": "Instructed amount", "charges": "Charges",
    "ultimate_debtor": "Ultimate debtor", "instructed_currency": "Instructed currency",
    "exchange_rate": "Exchange rate",
    "rate_date": "Rate date", "rate": "Rate", "base_currency": "Base currency",
    "dispute_date": "Disputed on", "notes": "Notes", "contact": "Contact", "phone": "Phone", "address": "Address",
    "dunning_block": "Dunning block", "insolvency": "Insolvency", "vat_id": "VAT number", "street": "Street",
    "postal_code": "Postal code", "city": "City", "province": "Province", "einvoice_format": "E-invoice format",
    "peppol_id": "Peppol ID", "einvoice_address": "E-invoice address", "leitweg_id": "Leitweg-ID",
    "sdi_code": "Codice destinatario", "pec": "PEC", "dir3_accounting_office":
    "Oficina contable", "dir3_management_body": "Órgano gestor", "dir3_processing_unit": "Unidad tramitadora",
    "early_discount_pct": "Cash discount %", "early_discount_days": "Cash discount days",
    # OrderLines
    "line": "Line", "item": "Item", "description": "Description", "quantity": "Quantity", "unit": "Unit",
    "unit_price": "Unit price", "discount_pct": "Discount %", "net_amount": "Net amount",
    "vat_category": "VAT category", "vat_rate": "VAT rate", "vat_note": "Exemption reason",
    "delivered_quantity": "Delivered quantity", "returned_quantity": "Returned quantity",
    "billed_quantity": "Billed quantity", "customer_reference": "Customer PO",
}
INPUTS = [*CONTRACTS.values(), ORDER_LINES]
"""The tables a user fills: every input contract, and the order lines to invoice."""


def _input_sheet(contract: TableContract, frame: pd.DataFrame) -> ReportSheet:
    frame = frame.reindex(columns=contract.column_names)
    kinds: dict[str, Format] = {"amount": "money", "date": "date", "integer": "integer", "number": "number"}
    formats: dict[str, Format] = {LABELS[c.name]: kinds.get(c.kind, "text") for c in contract.columns}
    return ReportSheet(contract.sheet_names[0], contract.excel_table,
                       frame.rename(columns=LABELS), formats=formats)


def _config_sheet(config: Config) -> ReportSheet:
    docs = _field_docs()
    rows = []
    for field in dataclasses.fields(Config):
        value = getattr(config, field.name)
        if isinstance(value, tuple):
            value = ",".join(str(x) for x in value)
        rows.append({"Setting": field.name, "Value": value, "Description": docs.get(field.name, "")})
    frame = pd.DataFrame(rows)
    frame["Value"] = frame["Value"].map(lambda x: "" if x is None
                                        else x.isoformat() if isinstance(x, dt.date) else str(x))
    return ReportSheet("Config", "tblConfig", frame)


def _field_docs() -> dict[str, str]:
    """Config field docstrings (the string literal after each field in config.py)."""
    source = Path(__file__).resolve().parent.parent.joinpath("config.py").read_text(encoding="utf-8")
    return dict(re.findall(r"^    (\w+): [^\n]+\n    \"\"\"(.+?)\"\"\"", source, flags=re.M))


def _readme_sheet(title: str) -> ReportSheet:
    rows = []
    for contract in INPUTS:
        for column in contract.columns:
            rows.append({"Sheet": contract.sheet_names[0], "Header": LABELS[column.name], "Column": column.name,
                         "Required": "yes" if column.required else "", "Meaning": column.doc,
                         "Also accepted": ", ".join(column.synonyms[:8])})
    frame = pd.DataFrame(rows)
    notes = (title, "Fill the tables (or paste your ERP export with its own headers: Spanish, Italian, French and",
             "German headers are recognised). Settings are on the Config sheet.",
             "Amounts: 1.234,56 or 1,234.56; dates: Excel dates, 31/12/2026, 31.12.2026 or 2026-12-31.",
             "Run:  otc-xl run THIS_FILE.xlsx   (or the OTC ribbon buttons in Excel)")
    return ReportSheet("Read me", "tblDataDictionary", frame, notes=notes)


def _validations(ws, contract: TableContract) -> None:
    last = TEMPLATE_ROWS + 1
    for j, column in enumerate(contract.columns, start=1):
        col = get_column_letter(j)
        rule = None
        if column.kind == "date":
            rule = DataValidation(type="date", operator="greaterThan", formula1="32874",
                                  error="Enter a date, e.g. 31/12/2026", errorTitle="Date expected")
        elif column.kind in ("amount", "number"):
            rule = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000",
                                  error="Enter an amount, e.g. 1234.56", errorTitle="Amount expected")
        elif column.kind == "language":
            rule = DataValidation(type="list", formula1=f'"{",".join(LANGUAGES)}"', error="Choose a language code")
        elif column.kind == "currency":
            rule = DataValidation(type="textLength", operator="equal", formula1="3",
                                  error="Enter a 3-letter ISO code such as EUR", errorTitle="Currency code")
        if rule is not None:
            rule.showErrorMessage = True
            rule.add(f"{col}2:{col}{last}")
            ws.data_validations.append(rule)


def _save_reproducibly(book: openpyxl.Workbook, path: Path) -> None:
    book.properties.creator = "otc_xl"
    book.properties.created = FIXED_TIME
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    tmp.unlink()


def _write(path: Path, sheets: list[ReportSheet], validate: bool = False) -> Path:
    book = openpyxl.Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.sheet)
        contract = next((c for c in INPUTS if c.excel_table == sheet.table), None)
        if validate and contract is not None:
            _validations(ws, contract)
        fill_sheet(ws, sheet)
    _save_reproducibly(book, Path(path))
    return Path(path)


def write_template_workbook(path: str | Path) -> Path:
    """Empty input tables with headers, data validation, a Config sheet and a data dictionary, and
    the report PivotTables over the (still empty) PivotData and Unapplied tables: the Excel buttons
    fill those tables in place, and Refresh All fills the pivots."""
    from ..io.xlsx.package import sheet_parts
    from ..io.xlsx.pivots import pivot_package_parts
    from ..io.xlsx.sheet_append import write_package
    from ..reports.pivot import COLUMNS as PIVOT_COLUMNS
    from ..reports.unapplied import COLUMNS as UNAPPLIED_COLUMNS
    from ..workflows.reports import PIVOT_DATA_PIVOTS, UNAPPLIED_PIVOTS

    pivots = [ReportSheet("PivotData", "tblPivotData", pd.DataFrame(columns=PIVOT_COLUMNS), pivots=PIVOT_DATA_PIVOTS),
              ReportSheet("Unapplied", "tblUnapplied", pd.DataFrame(columns=UNAPPLIED_COLUMNS),
                          pivots=UNAPPLIED_PIVOTS)]
    sheets = [_readme_sheet("otc_xl workbook template"), _config_sheet(Config())]
    sheets += [_input_sheet(c, pd.DataFrame(columns=c.column_names)) for c in INPUTS]
    path = _write(Path(path), sheets + pivots, validate=True)
    with zipfile.ZipFile(path) as z:
        changed, added = pivot_package_parts(z.read, set(z.NameToInfo), pivots, sheet_parts(z))
    scratch = path.with_suffix(".pivots.xlsx")
    write_package(path, str(scratch), changed, added)
    scratch.replace(path)
    return path


IN_WORKBOOK = 260  # bank lines already in the demo workbook; the rest arrive with the demo camt.053
ALREADY_IMPORTED = 5  # lines in both, to show that importing is idempotent


def write_demo_bank_file(path: str | Path, seed: int = 2026) -> Path:
    """``otc_demo_camt053.xml``: the demo's last 40 receipts, 5 lines already in the workbook, 2 debits."""
    data = make_dataset(seed=seed, as_of=DEMO_AS_OF)
    lines = data.payments.iloc[IN_WORKBOOK - ALREADY_IMPORTED:]
    debits = [("DEMO-FEE-1", 12.50, "Comisión mantenimiento"), ("DEMO-TAX-1", 480.00, "Pago impuestos")]
    return write_camt053(path, lines, debits, DEMO_AS_OF)


def write_demo_workbook(path: str | Path, seed: int = 2026) -> Path:
    """A realistic multilingual ledger: ~120 customers, 2,000 open items, 260 bank lines (40 more in the
    demo camt.053), 150 orders, 12 months of credit sales."""
    data = make_dataset(seed=seed, as_of=DEMO_AS_OF)
    every_payment = data.payments
    data.payments = data.payments.iloc[:IN_WORKBOOK]
    sheets = [_readme_sheet("otc_xl demo workbook: synthetic data, any resemblance is coincidental"),
              _config_sheet(Config(as_of=DEMO_AS_OF, company_name="Iberia Components S.L. – Credit & Collections",
                                   company_iban=COMPANY_IBAN, company_bic=COMPANY_BIC, sepa_creditor_id=CREDITOR_ID,
                                   legal_min_days=270, company_legal_name="Iberia Components S.L.",
                                   company_vat_id=COMPANY_VAT_ID, company_street="Calle de Alcalá 120",
                                   company_postal_code="28009", company_city="Madrid", company_province="Madrid",
                                   company_country="ES", invoice_start_numbers="FV-2026=1200"))]
    customers, invoices = collections_demo(data)
    customers, order_lines, drafts = billing_demo(customers, DEMO_AS_OF, seed)
    frames = {"invoices": invoices, "payments": data.payments, "customers": customers,
              "orders": data.orders, "sales": data.sales,
              "aliases": pd.DataFrame(columns=["payer", "customer_id", "note"])}
    sheets += [_input_sheet(CONTRACTS[name], frame) for name, frame in frames.items()]
    sheets += _records_demo(customers, invoices)
    sheets += accounts_demo(customers, invoices, DEMO_AS_OF, _pending_after_import(invoices, every_payment, customers))
    sheets += [_input_sheet(ORDER_LINES, order_lines), drafts]
    return _write(Path(path), sheets)


def _pending_after_import(invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame) -> pd.Series:
    """What the demo run's cash application will apply once the demo camt.053 is imported: the
    approvals typed in the demo are for the proposals the run will make."""
    from ..matching import MatchConfig, match_payments
    from ..model.money import cents

    apps = match_payments(invoices, payments, customers, MatchConfig.from_config(Config())).applications
    auto = apps.loc[apps["status"] == "auto"]
    return (auto.assign(_c=cents(auto["item_amount"]) + cents(auto["writeoff_amount"]))  # as Booked.paid_today
            .groupby("invoice_id")["_c"].sum() / 100)


def write_demo_customer_statement(path: str | Path, seed: int = 2026) -> Path:
    """``otc_demo_customer_statement.xlsx``: a Spanish customer's ledger extract to reconcile."""
    from ..collecting.statements import customer_receipts
    from ..matching import MatchConfig, match_payments
    from .accounts import reconciled_customer

    data = make_dataset(seed=seed, as_of=DEMO_AS_OF)
    customers, invoices = collections_demo(data)
    apps = match_payments(invoices, data.payments, customers, MatchConfig.from_config(Config())).applications
    receipts = customer_receipts(data.payments, apps)
    paid = receipts.loc[receipts["customer_id"] == reconciled_customer(customers, invoices)]
    book = customer_statement_book(customers, invoices, DEMO_AS_OF, paid)
    _save_reproducibly(book, Path(path))
    return Path(path)


STREETS = {"es": "Calle Mayor", "it": "Via Roma", "fr": "Rue de la République", "en": "High Street",
           "de": "Hauptstraße", "ro": "Strada Principală"}
CONTACTS = {"es": ["Lucía Gómez", "Javier Ortega"], "it": ["Giulia Fontana", "Luca Moretti"],
            "fr": ["Camille Petit", "Julien Robert"], "en": ["Sarah Hughes", "Tom Fletcher"],
            "de": ["Anna Krüger", "Lukas Braun"], "ro": ["Elena Marin", "Andrei Pop"]}
DISPUTE_NOTES = {"PRICING": "Price list 2026 not applied", "QUANTITY": "Delivered 40, invoiced 48",
                 "DAMAGED": "Two pallets damaged on arrival", "DUPLICATE": "Same delivery invoiced twice",
                 "MISSING_PO": "Customer needs PO number on invoice", "TAX": "Wrong VAT rate"}


def collections_demo(data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer contacts, a dunning block, an insolvent customer, dispute notes and dates, and a few small residuals,
    added to the synthetic ledger with their own seed (the matching data is not disturbed)."""
    import itertools
    import random
    rng = random.Random(611)
    customers, invoices = data.customers.copy(), data.invoices.copy()
    places = {lang: itertools.cycle(rng.sample(names, len(names))) for lang, names in PLACES.items()}
    customers["contact"] = [rng.choice(CONTACTS[lang]) if rng.random() < 0.7 else "" for lang in customers["language"]]
    customers["phone"] = [f"+{rng.randint(30, 49)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}"
                          for _ in range(len(customers))]
    customers["address"] = [f"{STREETS[lang]} {rng.randint(1, 120)}; {rng.randint(10000, 99999)} {next(places[lang])}"
                            for lang in customers["language"]]
    customers["dunning_block"], customers["insolvency"] = "", ""
    customers.loc[customers.index[7], "dunning_block"] = "Payment plan agreed"
    customers.loc[customers.index[23], "insolvency"] = "Insolvency proceedings opened 2026-10-12"
    disputed = invoices["dispute_code"] != ""
    invoices["notes"] = invoices["dispute_code"].map(DISPUTE_NOTES).fillna("")
    invoices["dispute_date"] = pd.NaT
    invoices.loc[disputed, "dispute_date"] = [d + pd.Timedelta(days=rng.randint(0, 20))
                                              for d in invoices.loc[disputed, "due_date"]]
    paid = set(data.truth["invoice_id"])
    candidates = invoices.loc[(invoices["doc_type"] == "INV") & ~disputed & ~invoices["invoice_id"].isin(paid)
                              & (invoices["due_date"] < pd.Timestamp(data.as_of) - pd.Timedelta(days=45))]
    for i in candidates.index[3::97][:8]:  # residuals: short payments and rounding left behind
        invoices.at[i, "open_amount"] = round(rng.uniform(0.01, 4.99), 2)
    return customers, invoices


def _records_demo(customers: pd.DataFrame, invoices: pd.DataFrame) -> list[ReportSheet]:
    """A dunning history of four earlier runs, each with its letters (so today's run escalates, and the
    oldest debts have had their last notice and its deadline), and a contact log with promises."""
    from ..collecting import DunningPolicy, dunning_run
    from ..model.records import CONTACT_LOG, DUNNING_HISTORY

    policy = DunningPolicy.from_config(Config())
    history: Any = None
    for days_ago in (63, 49, 35, 21):
        history = dunning_run(invoices, customers, DEMO_AS_OF - dt.timedelta(days=days_ago), policy, history).history
    history["letter"] = history["customer_id"] + "_" + history["currency"] + "_dunning.html"
    overdue = invoices.loc[(invoices["due_date"] < pd.Timestamp(DEMO_AS_OF)) & (invoices["dispute_code"] == "")]
    callers = overdue.groupby("customer_id")["open_amount"].sum().sort_values(ascending=False).index[:6]
    log = pd.DataFrame({
        "customer_id": list(callers), "worklist_date": pd.Timestamp(DEMO_AS_OF - dt.timedelta(days=12)),
        "currency": [overdue.loc[overdue["customer_id"] == c, "currency"].iloc[0] for c in callers],
        "outcome": ["promised", "promised", "promised", "no answer", "promised", "call back"],
        # None is read as NaT
        "promise_date": pd.to_datetime([DEMO_AS_OF - dt.timedelta(days=6),  # type: ignore[arg-type]
                                        DEMO_AS_OF - dt.timedelta(days=4),
                                        DEMO_AS_OF + dt.timedelta(days=5), None, DEMO_AS_OF + dt.timedelta(days=9),
                                        None]),
        "promise_amount": [2500.0, 1200.0, 4000.0, None, 800.0, None],
        "note": ["CFO confirmed transfer", "", "waiting for customer's payment run", "voicemail", "", "after 3 pm"]})
    return [ReportSheet("DunningHistory", DUNNING_HISTORY.excel_table, history[list(DUNNING_HISTORY.column_names)]),
            ReportSheet("ContactLog", CONTACT_LOG.excel_table, log[list(CONTACT_LOG.column_names)])]

"""Billing jobs: invoice drafts for review (Prepare invoices), and the approved ones posted with
their documents (Post invoices).

Posted invoices live in ``BillingLog``. The booking (:mod:`otc_xl.booking`) adds those the Invoices
table (the ERP's export) does not show yet to the open items, so matching, ageing, dunning,
statements and the team report see them at once, exactly once: when the ERP export has the invoice,
the export's row is used instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..billing import READY, BillingSettings, last_numbers, number_drafts, parse_series, prepare_drafts
from ..billing.documents import customer_mail, invoice_files
from ..billing.formats import FORMATS
from ..billing.france import siren_of
from ..billing.numbering import back_dated, last_posted
from ..billing.routing import country_code
from ..collecting.writeoffs import carry_approvals, is_approved
from ..config import exchange_rates
from ..io.evidence import MANIFEST, billing_manifest
from ..letters.render import records
from ..model.billing import BILLING_LOG, InvoiceDoc, Line, VatTotal
from ..model.company import Company
from ..model.money import cents
from ..model.problems import Problem, ValidationError
from ..model.report import ReportSheet
from .collections import _sent_on
from .common import JobResult, Run, _amounts, _formats

LOG_COLUMNS = [c.name for c in BILLING_LOG.columns]


def seller(run: Run) -> Company:
    cfg = run.ledger.config
    missing = [n for n in ("company_name", "company_vat_id", "company_country") if not getattr(cfg, n)]
    if missing:
        raise ValidationError([Problem("Config", f"{' and '.join(missing)} must be set to invoice: every invoice "
                                                 "names the seller, its VAT number and country")])
    return Company.from_config(cfg)


def _numbers_used(run: Run, posted_now: pd.Series | None = None) -> dict[str, int]:
    """The last number used per series and year: Config start numbers, the ERP's invoices, the log
    (with the invoices found written next to the book), and ``posted_now``."""
    ledger = run.ledger
    used = list(run.erp["invoice_id"]) + list(ledger.records["billing_log"]["invoice_id"])
    used += list(posted_now) if posted_now is not None else []
    return last_numbers(used, ledger.config.invoice_start_numbers)


def _drafts(run: Run):
    """This run's drafts with their approvals carried over and the numbers they would take."""
    ledger, cfg = run.ledger, run.config
    siren = siren_of(cfg.company_siren, cfg.company_registration_id, cfg.company_vat_id)
    settings = BillingSettings(run.as_of, parse_series(cfg.invoice_series), parse_series(cfg.credit_note_series),
                               cfg.invoice_grouping, cfg.vat_rounding, cfg.language,
                               seller_country=cfg.company_country, vat_rates=cfg.vat_rates,
                               seller_vat_id=cfg.company_vat_id, exchange_rates=exchange_rates(cfg.vat_exchange_rates),
                               seller_siren=siren,
                               seller_einvoice_address=cfg.company_einvoice_address,
                               seller_billing_mode=cfg.fr_billing_mode,
                               seller_contact=(cfg.company_contact_name, cfg.company_contact_phone,
                                               cfg.company_contact_email),
                               seller_address=(cfg.company_city, cfg.company_postal_code), seller_iban=cfg.company_iban)
    result = prepare_drafts(ledger.records["order_lines"], ledger.customers, ledger.records["billing_log"],
                            settings, sheet=ledger.found.get("order_lines", "OrderLines"))
    carry_approvals(result.drafts, ledger.records["invoice_approvals"], "draft_key", "gross")
    number_drafts(result, _numbers_used(run))
    return result


def invoice_job(run: Run, post: bool = False) -> JobResult:
    """``InvoiceDrafts`` (one row per draft invoice or credit note, its number-to-be, totals, format,
    status and approval columns), ``InvoiceLines`` and ``InvoiceVAT`` (per rate, with the exemption
    mention), and ``BillingLog``. With ``post`` (the invoice --post command, button Post invoices):
    the approved ready drafts get their final numbers, their PDF, e-invoice and e-mail draft, and
    go to the BillingLog (and so to the open items)."""
    ledger = run.ledger
    result = _drafts(run)
    run.ledger.problems.extend(result.problems)
    log = ledger.records["billing_log"].reindex(columns=LOG_COLUMNS)
    files: dict[str, bytes] = {}
    lines: list[tuple[str, str]] = []
    if post:
        log, files, lines = _post(run, result, log)
    drafts = result.drafts
    ready = drafts["status"] == READY
    sheets = [
        ReportSheet("InvoiceDrafts", "tblInvoiceDrafts", drafts,
                    _formats(drafts, ["net", "vat", "gross"], ("draft", "lines")),
                    notes=("Delivered, not yet billed order lines (and billed lines returned since). invoice_id is "
                           "the number the draft takes if every ready draft above it is posted.",
                           "Type yes in approved and your name in approved_by; Post invoices numbers the approved "
                           "ready ones, writes their documents and adds them to the open items.")),
        ReportSheet("InvoiceLines", "tblInvoiceLines", result.lines,
                    _formats(result.lines, ["net", "vat"], ("draft", "line", "order_line"))),
        ReportSheet("InvoiceVAT", "tblInvoiceVAT", result.totals, _formats(result.totals, ["net", "vat"], ("draft",))),
        ReportSheet("BillingLog", "tblBillingLog", log, _formats(log, ["net", "vat", "gross"], ("order_line",)),
                    notes=("Every order line billed: never billed again. Do not delete rows.",))]
    summary = [("invoice drafts", f"{int(ready.sum()):,} ready, {int((~ready).sum()):,} blocked")]
    summary += _amounts("ready to invoice", drafts.loc[ready], "gross") if ready.any() else []
    return JobResult(sheets, summary + lines, files)


def post_invoices_job(run: Run) -> JobResult:
    """:func:`invoice_job` posting the approved drafts (the invoice --post command and button)."""
    return invoice_job(run, post=True)


def _refuse_back_dated(run: Run, approved: pd.DataFrame) -> None:
    """Numbers must follow dates within a series (FR, ES, IT): posting dated before the series' last
    invoice (ERP export, BillingLog, documents beside the book) is refused, naming it."""
    erp, log = run.erp, run.records["billing_log"]
    last = last_posted([*zip(erp["invoice_id"], erp["invoice_date"]), *zip(log["invoice_id"], log["invoice_date"])])
    drafts: Iterable[Any] = approved.itertuples()
    reasons = dict.fromkeys(why for r in drafts if (why := back_dated(last, r.series, r.invoice_date)))
    if reasons:
        raise ValidationError([Problem("InvoiceDrafts", f"{why}; nothing was posted") for why in reasons])


def _refuse_shared_file_names(run: Run, approved: pd.DataFrame, me: Company) -> None:
    """Two invoices of a format whose receiver names the file (FatturaPA: its 5-character progressive is
    derived from the number) never share a file name: SdI would discard the second as a duplicate (00002)."""
    log = run.records["billing_log"]
    for fmt in FORMATS:
        if fmt.file_name is None:
            continue
        earlier = log.loc[log["format"] == fmt.name, "invoice_id"].drop_duplicates().tolist()
        now = approved.loc[approved["format"] == fmt.name, "draft"].tolist()
        if not now:
            continue
        numbers = approved.set_index("draft")["invoice_id"]
        taken: dict[str, str] = {fmt.file_name(me.vat_id, i): i for i in earlier}
        for draft in now:
            invoice_id = numbers[draft]
            name = fmt.file_name(me.vat_id, invoice_id)
            if taken.get(name, invoice_id) != invoice_id:
                raise ValidationError([Problem("InvoiceDrafts", f"{fmt.label} {invoice_id} would be sent as {name}, "
                                                                f"the file name of {taken[name]} (SdI discards a "
                                                                "second file of that name); nothing was posted: post "
                                                                "it with the next number (leave this draft "
                                                                "unapproved)")])
            taken[name] = invoice_id


def _facturae_certificate(run: Run, approved: pd.DataFrame):
    """The certificate Config ``facturae_certificate`` names, opened, when Facturae files are to be posted
    (None: not configured, they go out unsigned as before). A certificate that cannot sign (missing file,
    password variable not set or wrong, expired) refuses the posting, naming the setting."""
    cfg = run.config
    if not cfg.facturae_certificate or not (approved["format"] == "facturae").any():
        return None
    from ..billing.einvoices.xades import certificate_from_config

    books = [f.parent for f in run.evidence.folders if f.name.endswith("_letters")]  # <book>_letters: its folder
    return certificate_from_config(cfg.facturae_certificate, cfg.facturae_certificate_password_env,
                                   books[0] if books else None)


def _signer(certificate):
    from ..billing.einvoices.xades import sign_facturae

    return lambda xml: sign_facturae(xml, certificate)


def _post(run: Run, result, log: pd.DataFrame):
    drafts = result.drafts
    approved = drafts["approved"].map(is_approved).astype(bool) & (drafts["status"] == READY)
    stuck = drafts["approved"].map(is_approved).astype(bool) & (drafts["status"] != READY)
    for r in drafts.loc[stuck].itertuples():
        run.ledger.problems.append(Problem("InvoiceDrafts", f"draft {r.draft_key} is approved but was not posted: "
                                                            f"{r.status}", severity="warning"))
    if not approved.any():
        why = ("there is no draft: nothing delivered is waiting to be invoiced (OrderLines), or it was billed "
               "already" if drafts.empty else
               "no draft is approved: type yes in InvoiceDrafts approved (and your name in approved_by), then post"
               if not stuck.any() else "the approved drafts are blocked (see the warnings)")
        return log, {}, [("invoices posted now", f"0 — {why}")]
    _refuse_back_dated(run, drafts.loc[approved])
    me = seller(run)
    certificate = _facturae_certificate(run, drafts.loc[approved])  # refused here, before anything is written
    signers = {"facturae": _signer(certificate)} if certificate is not None else {}
    number_drafts(result, _numbers_used(run), approved)  # final numbers: the approved ones only, no gap
    _refuse_shared_file_names(run, drafts.loc[approved], me)
    master = {r["customer_id"]: r for r in records(run.ledger.customers)}
    files: dict[str, bytes] = {}
    rows = []
    posted = drafts.loc[approved]
    lines_of = {k: [Line.from_record(x) for x in records(g)] for k, g in result.lines.groupby("draft")}
    totals_of = {k: [VatTotal.from_record(t) for t in records(g)] for k, g in result.totals.groupby("draft")}
    folder = run.ledger.config.templates_folder
    by_customer: dict[tuple[str, str], list[tuple[InvoiceDoc, dict[str, bytes]]]] = {}
    notes: list[str] = []  # text a document could not carry as typed (font glyphs, Latin-1 formats)
    for doc in map(InvoiceDoc.from_record, records(posted)):
        customer = {**master[doc.customer_id], "country": country_code(master[doc.customer_id])}
        own = invoice_files(doc, lines_of[doc.draft], totals_of[doc.draft], customer, me, folder, notes, signers)
        files.update(own)
        by_customer.setdefault((doc.customer_id, doc.currency), []).append((doc, own))
        for x in lines_of[doc.draft]:
            rows.append({"invoice_id": doc.invoice_id, "doc_type": doc.doc_type, "invoice_date":
                         doc.invoice_date, "customer_id": doc.customer_id, "order_id": x.order_id,
                         "order_line": x.order_line, "quantity": x.quantity, "net": x.net, "vat": x.vat,
                         "gross": doc.gross, "due_date": doc.due_date if doc.doc_type == "INV" else pd.NaT,
                         "currency": doc.currency, "original_invoice": doc.original_invoice,
                         "payment_reference": doc.payment_reference, "format": doc.format,
                         "posted_on": pd.Timestamp(run.as_of), "approved": doc.approved,
                         "approved_by": doc.approved_by})
    for (customer_id, _), sent in by_customer.items():  # one e-mail per customer, its documents attached
        name, mail = customer_mail([d for d, _ in sent], {n: b for _, f in sent for n, b in f.items()},
                                   master[customer_id], me, folder, _sent_on(run), signed=signers.keys())
        files[name] = mail
    new = pd.DataFrame(rows, columns=LOG_COLUMNS)
    for invoice_id, part in new.groupby("invoice_id"):  # the folder's record: a book not saved still knows
        files[f"{invoice_id}{MANIFEST}"] = billing_manifest(part)
    log = pd.concat([log, new], ignore_index=True)
    result.drafts = drafts.drop(index=posted.index).reset_index(drop=True)  # what stays to approve
    kept = result.drafts["draft"]
    result.lines = result.lines.loc[result.lines["draft"].isin(kept)].reset_index(drop=True)
    result.totals = result.totals.loc[result.totals["draft"].isin(kept)].reset_index(drop=True)
    number_drafts(result, _numbers_used(run, new["invoice_id"]))
    summary = [("invoices posted now", f"{int((posted['doc_type'] == 'INV').sum()):,} invoice(s), "
                                       f"{int((posted['doc_type'] == 'CRN').sum()):,} credit note(s): "
                                       f"{', '.join(posted['invoice_id'])}"[:300])]
    summary += _amounts("posted now", posted, "gross")
    formats = posted["format"].value_counts()
    summary.append(("e-invoices", ", ".join(f"{n} {f}" for f, n in formats.items())))
    summary += [("text changed", note) for note in notes]
    signed = posted.loc[posted["format"].isin(list(signers)), "invoice_id"].tolist()
    if signed and certificate is not None:
        summary.append(("signed", f"{len(signed)} Facturae file(s) signed XAdES-EPES (policy v3.1) by "
                                  f"{certificate.subject}, certificate valid until "
                                  f"{certificate.cert.not_valid_after_utc:%Y-%m-%d}"))
    unsigned = posted.loc[posted["format"].isin([f.name for f in FORMATS if f.unsigned and f.name not in signers]),
                          "invoice_id"].tolist()
    if unsigned:  # FACe and Spanish receivers reject an unsigned Facturae: say it where the user looks
        said = (f"{len(unsigned)} Facturae file(s) are NOT signed ({', '.join(unsigned)[:200]}): sign each with the "
                "company's certificate (AutoFirma, your e-invoicing platform) before sending, or set Config "
                "facturae_certificate to have otc_xl sign them; the e-mail drafts say so in their subject")
        summary.append(("unsigned", said))
        notes.append(said)
    run.ledger.problems.extend(Problem("InvoiceDrafts", note, severity="warning") for note in notes)
    logged, approved_total = cents(new.drop_duplicates("invoice_id")["gross"]).sum(), cents(posted["gross"]).sum()
    if int(logged) != int(approved_total) or new["invoice_id"].nunique() != len(posted):
        raise ValidationError([Problem("BillingLog", f"the log would hold {new['invoice_id'].nunique()} documents for "
                                                     f"{logged / 100:.2f} but {len(posted)} for "
                                                     f"{approved_total / 100:.2f} were approved; nothing was written")])
    return log, files, summary


CHECK_COLUMNS = ["document", "format", "fatal", "warnings", "rules_fired", "rule_sets_run", "not_run"]


def check_invoices_job(run: Run) -> JobResult:
    """``InvoiceChecks`` (``otc-xl invoice --check``): every e-invoice written beside the workbook (its
    letters folder, every date, and the ``--files`` folder) checked with the rule sets of its format
    (:mod:`otc_xl.billing.einvoices.check`): per document, the rule ids that fire and how often, fatal
    ones first. Nothing is posted or changed."""
    from ..billing.einvoices.check import Report, check_folder

    seen: dict[str, Report] = {}
    rules = os.environ.get("OTC_EINVOICE_RULES") or None  # official rule files no package ships (docs/billing.md)
    for folder in run.evidence.folders:
        for report in check_folder(folder, Path(rules) if rules else None) if folder.is_dir() else []:
            seen.setdefault(report.document, report)
    rows: list[dict[str, Any]] = []
    for report in seen.values():
        fired: dict[tuple[str, str], int] = {}
        for f in sorted(report.findings, key=lambda f: f.flag != "fatal"):
            fired[(f.flag, f"{f.rule_set} {f.rule}")] = fired.get((f.flag, f"{f.rule_set} {f.rule}"), 0) + 1
        shown = report.kind + (f" ({report.profile})" if report.profile else "")
        rows.append({"document": report.document, "format": shown, "fatal": len(report.fatal),
                     "warnings": len(report.findings) - len(report.fatal),
                     "rules_fired": "; ".join(f"{rule}{f' ×{n}' if n > 1 else ''}" + (" (warning)" if flag != "fatal"
                                                                                     else "")
                                              for (flag, rule), n in fired.items()),
                     "rule_sets_run": "; ".join(report.ran), "not_run": "; ".join(report.not_run)})
        for f in report.fatal:
            run.ledger.problems.append(Problem("InvoiceChecks", f.line(), severity="warning"))
    table = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    sheet = ReportSheet("InvoiceChecks", "tblInvoiceChecks", table, _formats(table, [], ("fatal", "warnings")),
                        notes=("Each e-invoice written beside this workbook, checked with the official rule sets of "
                               "its format (fatal: the receiver rejects it). See docs/billing.md for what each "
                               "check covers and what is still yours to do.",))
    fatal = int(table["fatal"].sum()) if len(table) else 0
    summary = [("e-invoices checked", f"{len(table):,} document(s), "
                                      f"{int((table['fatal'] > 0).sum()) if len(table) else 0:,}"
                                      f" with fatal findings ({fatal:,} in all)")]
    summary += [(r["document"], f"{r['fatal']} fatal: {r['rules_fired']}" if r["fatal"] or r["warnings"]
                 else "passes " + r["rule_sets_run"]) for r in rows]
    not_run = sorted({n for r in rows for n in r["not_run"].split("; ") if n})
    summary += [("not run", n) for n in not_run]
    return JobResult([sheet], summary)


def vat_check_job(run: Run) -> JobResult:
    """``VatChecks`` (``otc-xl vat-check``): every customer's VAT number (and Config company_vat_id) by
    its check digits and, for EU numbers, by VIES (:mod:`otc_xl.billing.vat_register`), each number
    asked once through ``run.request.vat_register``; a warning names the Customers cell of each number
    VIES says is not registered or holds under another name. Nothing is changed in the workbook's
    tables."""
    from ..billing.vat_register import to_ask, vat_checks

    cfg = run.config
    customers = run.customers if run.customers is not None else pd.DataFrame(columns=["customer_id", "vat_id"])
    ask = run.request.vat_register
    keys = to_ask(customers, cfg.company_vat_id, cfg.company_country)
    answers = {key: ask(*key) for key in keys} if ask else {}
    table, problems = vat_checks(customers, answers, cfg.company_vat_id, cfg.company_country,
                                 cfg.company_legal_name or cfg.company_name)
    run.ledger.problems.extend(problems)
    counts = table["vies"].value_counts()
    not_checked = [r for r in table.itertuples() if r.vies == "not checked"]
    sheet = ReportSheet("VatChecks", "tblVatChecks", table, _formats(table, [], ("name_match",)),
                        notes=("Each VAT number by its check digits and by VIES, the EU's register, on the date "
                               "shown. Keep the consultation number: it is the evidence that the number was "
                               "checked (intra-community supplies). Not registered or another name: ask the "
                               "customer before invoicing without VAT.",))
    summary = [("VAT numbers", f"{len(table):,} ({int((table['check_digits'] != 'right').sum()):,} with wrong "
                               f"check digits)"),
               ("VIES", ", ".join(f"{n:,} {status}" for status, n in counts.items()
                                  if status in ("registered", "not registered", "not checked")) or "not asked")]
    if not ask:
        summary.append(("VIES", "not asked: this door cannot reach it"))
    if not_checked:
        summary.append(("not checked", f"{len(not_checked):,}: {not_checked[0].note}"))
    return JobResult([sheet], summary)

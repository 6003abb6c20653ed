"""Dunning letters and statements for customers, and their e-mail drafts (.eml).

Everything here is pure: frames in, :class:`~otc_xl.letters.render.Document` objects and bytes
out. Writing the files is the adapters' job.
"""

from __future__ import annotations

import datetime as dt
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import cast

import pandas as pd

from ..collecting.dunning import DunningResult
from ..collecting.statements import SECTIONS
from ..model.money import money_sum
from ..model.values import parse_emails
from .render import Document, customer_context, environment, records, render


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _signer(collector: object, contact: str) -> str:
    """Who the letter names and signs: the account's collector, else the company's contact (Config
    company_contact_name; the caller passes the company name when that is empty), never a blank."""
    text = str(collector).strip() if isinstance(collector, str) else ""  # empty, None or NaN: no collector
    return text or contact


def _master(customers: pd.DataFrame | None) -> dict[str, dict]:
    if customers is None or customers.empty:
        return {}
    return {row["customer_id"]: row for row in customers.to_dict("records")}


def dunning_letters(result: DunningResult, customers: pd.DataFrame | None, as_of: dt.date,
                    company: str = "", default_language: str = "en", templates_folder: str = "",
                    contact: str = "") -> list[Document]:
    """One letter per notice to send (``result.to_send``), in the customer's language; ``contact`` is
    named where the account has no collector."""
    env = environment(templates_folder)
    master = _master(customers)
    letters = []
    dunned = result.items.loc[result.items["status"] == "dunned"]
    by_account = dict(tuple(dunned.groupby(["customer_id", "currency"], sort=False)))
    for notice in records(result.to_send):
        customer = master.get(notice["customer_id"], {})
        items = by_account[(notice["customer_id"], notice["currency"])]
        rows = [("overdue_amount", notice["overdue_amount"])]
        rows += [(key, notice[key]) for key in ("fee", "interest") if notice[key]]
        rows.append(("total_due", notice["total_due"]))
        context = {"company": company, "collector": _signer(notice["collector"], contact), "reply_to": "",
                   "as_of": as_of,
                   "customer": customer_context(customer, notice["customer_id"], notice["customer_name"]),
                   "notice": notice, "items": records(items), "currency": notice["currency"],
                   "tone": notice["tone"], "pay_by": pd.Timestamp(notice["pay_by"]).date(),
                   "reminders": int(notice.get("notices_before") or 0), "summary_rows": rows}
        language = notice["language"] or default_language
        subject, html = render(env, "dunning", language, context)
        letters.append(Document("dunning", notice["customer_id"], notice["currency"], language, subject, html,
                                to=str(customer.get("email", "") or "")))
    return letters


def statements(lines: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date, buckets: list[str],
               company: str = "", default_language: str = "en", templates_folder: str = "",
               contact: str = "") -> list[Document]:
    """One statement per customer and currency in ``lines`` (from ``statement_lines``); ``contact`` is
    named where the customer has no collector."""
    env = environment(templates_folder)
    master = _master(customers)
    docs = []
    for key, group in lines.groupby(["customer_id", "currency"], sort=True):
        customer_id, currency = cast(tuple[str, str], key)
        customer = master.get(customer_id, {})
        section = {name: group.loc[group["section"] == name] for name in SECTIONS}
        items = section["open item"]
        opening = money_sum(section["opening balance"]["open_amount"])
        closing = money_sum(section["closing balance"]["open_amount"])
        received = -money_sum(section["payment received"]["open_amount"])
        period = round(closing + received - opening, 2)
        totals = items.groupby("bucket", observed=True)["open_amount"].sum()
        context = {"company": company, "collector": _signer(customer.get("collector"), contact), "as_of": as_of,
                   "customer": customer_context(customer, customer_id, group["customer_name"].iloc[0]),
                   "currency": currency, "period_start": section["opening balance"]["date"].iloc[0],
                   "summary_rows": [("opening_balance", opening), ("period_items", period),
                                    ("unapplied", -received), ("closing_balance", closing)],
                   "items": records(items),
                   "payments": [{"payment_id": p["document"], "payment_date": p["date"], "amount": p["amount"]}
                                for p in records(section["payment received"])],
                   "buckets": [(label, float(totals.get(label, 0.0))) for label in buckets]}
        language = customer.get("language") or default_language
        subject, html = render(env, "statement", language, context)
        docs.append(Document("statement", customer_id, currency, language, subject, html,
                             to=str(customer.get("email", "") or "")))
    return docs


def bank_details_requests(proposals: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date,
                          company: str = "", default_language: str = "en",
                          templates_folder: str = "", contact: str = "") -> list[Document]:
    """One letter per customer and currency asking for the account to refund ``proposals`` into
    (the refund proposals passed in: those without bank details)."""
    env = environment(templates_folder)
    master = _master(customers)
    docs = []
    for key, group in proposals.groupby(["customer_id", "currency"], sort=True):
        customer_id, currency = cast(tuple[str, str], key)
        customer = master.get(customer_id, {})
        context = {"company": company, "collector": _signer(customer.get("collector"), contact), "as_of": as_of,
                   "customer": customer_context(customer, customer_id, group["customer_name"].iloc[0]),
                   "currency": currency, "items": records(group), "total": money_sum(group["amount"])}
        language = customer.get("language") or default_language
        subject, html = render(env, "refund", language, context)
        docs.append(Document("refund", customer_id, currency, language, subject, html,
                             to=str(customer.get("email", "") or "")))
    return docs


def reconciliation_letter(lines: pd.DataFrame, balances: dict[str, float], customers: pd.DataFrame | None,
                          customer_id: str, currency: str, as_of: dt.date, company: str = "",
                          default_language: str = "en", templates_folder: str = "", contact: str = "") -> Document:
    """The reply to a customer's statement of account: both balances, the difference and each line
    that makes it up (``lines`` from :func:`otc_xl.collecting.reconcile.reconcile_account`)."""
    env = environment(templates_folder)
    customer = _master(customers).get(customer_id, {})
    differences = lines.loc[lines["status"] != "agreed"]
    rows = [{**row, "date": row["our_date"] if pd.notna(row["our_date"]) else row["their_date"]}
            for row in records(differences)]
    context = {"company": company, "collector": _signer(customer.get("collector"), contact), "as_of": as_of,
               "customer": customer_context(customer, customer_id), "currency": currency, "rows": rows,
               "agreed": int((lines["status"] == "agreed").sum()), **balances}
    language = customer.get("language") or default_language
    subject, html = render(env, "reconciliation", language, context)
    return Document("reconciliation", customer_id, currency, language, subject, html,
                    to=str(customer.get("email", "") or ""))


def recipients(value: str) -> tuple[list[str], str]:
    """(addresses, why refused): the valid addresses in ``value``, or none and the reason."""
    try:
        return parse_emails(value), ""
    except ValueError as exc:
        return [], str(exc)


def email_draft(doc: Document, sender: str = "", sent_on: dt.datetime | None = None,
                attachments: dict[str, bytes] | None = None) -> bytes:
    """An unsent e-mail (.eml) with ``doc`` as its HTML body and the ``attachments`` (file name →
    bytes); Outlook opens it as a draft to send.

    ``To`` is the customer's e-mail from the master (one or more addresses), left empty when it
    has none or one is refused (:func:`recipients`); header values are kept on one line so text
    from the workbook cannot add headers.
    """
    message = EmailMessage()
    message["Subject"] = _one_line(doc.subject)
    if sender:
        message["From"] = _one_line(sender)
    to, _ = recipients(doc.to)
    if to:
        message["To"] = [Address(addr_spec=a) for a in to]
    message["Date"] = format_datetime(sent_on or dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    message["X-Unsent"] = "1"  # Outlook: open as a draft
    message.set_content(doc.html, subtype="html", charset="utf-8")
    message["Content-Language"] = doc.language
    for name, data in (attachments or {}).items():  # invoices: the PDF and the e-invoice XML
        kind = ("application", "pdf") if name.lower().endswith(".pdf") else ("application", "xml")
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return bytes(message)

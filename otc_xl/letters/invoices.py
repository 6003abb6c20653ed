"""Invoices and credit notes as people read them: the page (HTML for the PDF) and the e-mail they
go out with, in the customer's language (``templates/invoice.html.j2``, ``invoice_mail.html.j2``
and ``<lang>/invoice_words.j2``; a ``templates_folder`` overrides them like every letter).
Pure: typed invoices in (:mod:`otc_xl.model.billing`; the templates get them as dicts), strings out;
the PDF and e-invoice files are made by :mod:`otc_xl.billing.documents`."""

from __future__ import annotations

from typing import Any, cast

import jinja2
import pandas as pd

from ..model.billing import InvoiceDoc, Line, VatTotal
from . import formatting as fmt
from .render import Document, environment

FALLBACK = "en"
PDF_TEXT_MAX = 400
"""Longest line description the PDF page prints (the rest is cut, ending in …): a table row of the page
cannot run onto the next page (fpdf2 refuses it). The e-invoice XML carries the text up to its format's
own limit."""
PARTY = ("customer_name", "street", "postal_code", "city", "province", "country", "vat_id")


def _party(record: dict) -> dict:
    """The record with every address field the page prints (empty when missing)."""
    return {**record, **{k: record.get(k) or "" for k in PARTY}}


def _language(env: jinja2.Environment, language: str) -> str:
    try:
        env.get_template(f"{language}/invoice_words.j2")
        return language
    except jinja2.TemplateNotFound:
        return FALLBACK


def _discount(doc: InvoiceDoc, lang: str, env: jinja2.Environment) -> str:
    terms = doc.early_discount
    if terms is None:
        return ""
    words: Any = env.get_template(f"{lang}/invoice_words.j2").module
    return words.early.replace("{pct}", fmt.quantity(terms[0], lang)).replace("{date}", fmt.short_date(terms[1], lang))


def payment_terms(doc: InvoiceDoc, templates_folder: str = "") -> str:
    """The early-payment discount line (empty when the customer has none), in the document's language."""
    env = environment(templates_folder)
    return _discount(doc, _language(env, doc.language), env)


def _word(env: jinja2.Environment, lang: str, name: str) -> str:
    """A word of ``<lang>/invoice_words.j2``; English when a template of one's own lacks it."""
    found = getattr(env.get_template(f"{lang}/invoice_words.j2").module, name, None)
    return found if isinstance(found, str) else getattr(env.get_template("en/invoice_words.j2").module, name)


def payment_terms_text(doc: InvoiceDoc, templates_folder: str = "") -> str:
    """The payment terms in the document's language (EN 16931 BT-20): days, due date and the
    early-payment discount when there is one."""
    env = environment(templates_folder)
    lang = _language(env, doc.language)
    days = (pd.Timestamp(doc.due_date) - pd.Timestamp(doc.invoice_date)).days
    text = _word(env, lang, "terms").replace("{days}", str(days)).replace("{due}", fmt.short_date(doc.due_date, lang))
    discount = _discount(doc, lang, env)
    return f"{text}; {discount}" if discount else text


def supply_dates(doc: InvoiceDoc, lines: list[Line], lang: str, templates_folder: str = "") -> str:
    """"Date of supply: …" when the lines were delivered on another day than the invoice's (a date, or
    first – last), in ``lang``; "" when it is the invoice date (Art. 226(7) VAT Directive)."""
    from ..billing.einvoices import delivery_dates

    first, last = delivery_dates(lines, doc)
    if first == last == pd.Timestamp(doc.invoice_date).date():
        return ""
    env = environment(templates_folder)
    when = fmt.short_date(first, lang) if first == last else \
        f"{fmt.short_date(first, lang)} – {fmt.short_date(last, lang)}"
    return f"{_word(env, _language(env, lang), 'supplied')}: {when}"


def _cut(text, limit: int = PDF_TEXT_MAX):
    """``text`` up to ``limit`` characters, cut at a space where one is near, ending in …"""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    head = text[:limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit * 0.8 else head).rstrip() + "…"


def invoice_page(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: dict,
                 templates_folder: str = "") -> str:
    """The invoice (or credit note, amounts shown positive) as fpdf2-ready HTML."""
    env = environment(templates_folder)
    lang = _language(env, doc.language)
    sign = -1 if doc.doc_type == "CRN" else 1
    shown = {**doc.as_dict(), "net": sign * doc.net, "vat": sign * doc.vat, "gross": sign * doc.gross}
    shown_lines = [{**x.as_dict(), "quantity": sign * x.quantity, "net": sign * x.net,
                    "description": _cut(x.description), "item": _cut(x.item)} for x in lines]
    shown_totals = [{**t.as_dict(), "net": sign * t.net, "vat": sign * t.vat} for t in totals]
    return env.get_template("invoice.html.j2").render(
        lang=lang, currency=doc.currency, doc=shown, lines=shown_lines, totals=shown_totals, customer=_party(customer),
        seller=seller,
        discount=_discount(doc, lang, env), supplied=supply_dates(doc, lines, lang, templates_folder),
        terms=payment_terms_text(doc, templates_folder) if doc.doc_type == "INV" else "",
        tax_currency=_tax_currency(doc, lang))


def _tax_currency(doc: InvoiceDoc, lang: str) -> str:
    """The VAT total in the seller's national currency, for an invoice in another one ("" otherwise)."""
    if not doc.tax_currency or doc.tax_currency == doc.currency:
        return ""
    sign = -1 if doc.doc_type == "CRN" else 1
    return fmt.money(sign * cast(float, doc.tax_currency_vat), doc.tax_currency, lang)  # set with tax_currency


def invoice_mail(docs: list[InvoiceDoc], einvoices: list[str], customer: dict, seller: dict,
                 templates_folder: str = "") -> Document:
    """The e-mail a customer's documents of the day go out with (one per customer: its body names
    each document; their PDF and e-invoice are attached by the caller). ``einvoices``: per document,
    the name of the e-invoice format attached ("" for none)."""
    env = environment(templates_folder)
    first = docs[0]
    lang = _language(env, first.language)
    words: Any = env.get_template(f"{lang}/invoice_words.j2").module
    titles = [words.title_crn if d.doc_type == "CRN" else words.title_inv for d in docs]
    subject = (f"{titles[0]} {first.invoice_id}" if len(docs) == 1 else
               f"{', '.join(dict.fromkeys(titles))}: {', '.join(d.invoice_id for d in docs)}") + f" - {seller['name']}"
    shown = [{**d.as_dict(), "einvoice": label, "gross": (-1 if d.doc_type == "CRN" else 1) * d.gross}
             for d, label in zip(docs, einvoices)]
    html = env.get_template("invoice_mail.html.j2").render(
        lang=lang, currency=first.currency, docs=shown, seller=seller, subject=subject)
    return Document("invoices", first.customer_id, first.currency, lang, subject, html,
                    to=str(customer.get("email", "") or ""))

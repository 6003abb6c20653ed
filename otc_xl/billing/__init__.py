"""Billing: invoice and credit-note drafts from order lines, numbered without gaps, VAT exact per
rate, with a structured creditor reference the bank carries back, and the e-invoice format each
customer gets.

The engines (``drafts``, ``numbering``, ``references``, ``routing``, ``vatrates``, ``mentions``,
``identifiers``) are pure, like ``collecting``: frames in, frames out. The package also owns what an
invoice becomes: :mod:`.documents` (the PDF page and the e-mail draft, bytes out) and
:mod:`.einvoices` (one builder per e-invoice format, and :mod:`.einvoices.check`, the I/O edge that
reads written files and runs their rule sets). Which documents are written where, and when, is the
jobs' business: :mod:`otc_xl.workflows.billing`.
"""

from .drafts import READY, BillingSettings, DraftResult, number_drafts, prepare_drafts
from .numbering import last_numbers, parse_series
from .references import rf_reference
from .routing import choose_format

__all__ = ["READY", "BillingSettings", "DraftResult", "choose_format", "last_numbers", "number_drafts",
           "parse_series", "prepare_drafts", "rf_reference"]

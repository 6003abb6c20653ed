"""Billing: invoice and credit-note drafts from order lines, numbered without gaps, VAT exact per
rate, with a structured creditor reference the bank carries back, and the e-invoice format each
customer gets.

Pure engines, like ``collecting``: frames in, frames out. Documents (PDF, e-invoice XML, e-mail)
are written by :mod:`otc_xl.workflows.invoice_files`; the jobs are in :mod:`otc_xl.workflows.billing`.
"""

from .drafts import READY, BillingSettings, DraftResult, number_drafts, prepare_drafts
from .numbering import last_numbers, parse_series
from .references import rf_reference
from .routing import choose_format

__all__ = ["READY", "BillingSettings", "DraftResult", "choose_format", "last_numbers", "number_drafts",
           "parse_series", "prepare_drafts", "rf_reference"]

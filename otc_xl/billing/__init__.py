"""Billing (issue #16, in progress): invoice drafts from delivered order lines, numbered without
gaps, VAT exact per rate, with a structured creditor reference the bank carries back.

Pure engines, like ``collecting``: frames in, frames out. Not yet wired to a command or button.
"""

from .drafts import DraftResult, prepare_drafts
from .references import rf_reference

__all__ = ["DraftResult", "prepare_drafts", "rf_reference"]

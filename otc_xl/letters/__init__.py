"""Letters, statements and e-mails from jinja2 templates, formatted per language with Babel."""

from .documents import bank_details_requests, dunning_letters, email_draft, reconciliation_letter, statements
from .formatting import long_date, money, short_date
from .render import Document, environment, script_line

__all__ = ["Document", "bank_details_requests", "dunning_letters", "email_draft", "reconciliation_letter",
           "environment", "long_date", "money", "script_line",
           "short_date", "statements"]

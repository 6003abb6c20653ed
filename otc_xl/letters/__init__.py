"""Letters, statements and e-mails from jinja2 templates, formatted per language with Babel."""

from .documents import bank_details_requests, dunning_letters, email_draft, statements
from .formatting import long_date, money, short_date
from .render import Document, environment, script_line

__all__ = ["Document", "bank_details_requests", "dunning_letters", "email_draft", "environment", "long_date", "money", "script_line",
           "short_date", "statements"]

"""Rendering letters, statements and call scripts from jinja2 templates, per language.

Templates live in ``otc_xl/letters/templates/<lang>/`` (``dunning.html.j2``, ``statement.html.j2``,
``script.txt.j2``, ``words.j2``) around a shared layout (``base.html.j2``, ``macros.html.j2``).
A ``templates_folder`` (Config) with the same layout overrides any of them, file by file.
A language without templates falls back to English. HTML is autoescaped: a customer called
``<script>`` is printed, never run. Rendering is pure: strings in, strings out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd

from . import formatting as fmt

FALLBACK = "en"
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Document:
    """One rendered document for one customer (and currency)."""

    kind: str
    """``dunning``, ``statement``, ``refund`` (bank details request) or ``reconciliation`` (reply)."""
    customer_id: str
    currency: str
    language: str
    subject: str
    html: str
    to: str = ""
    reply_to: str = ""

    @property
    def stem(self) -> str:
        """File name without extension: ``C10001_EUR_dunning`` (customer and currency through
        :func:`otc_xl.io.files.safe_stem`: no id leaves the folder or shares another's file)."""
        from ..io.files import safe_stem
        return f"{safe_stem(self.customer_id)}_{safe_stem(self.currency)}_{self.kind}"


@jinja2.pass_context
def _money(ctx, amount, currency=None):
    return fmt.money(amount, currency or ctx["currency"], ctx["lang"])


def _in_language(write):
    """A template filter writing a value as the document's language does (``write(value, lang)``)."""
    @jinja2.pass_context
    def apply(ctx, value):
        return write(value, ctx["lang"])
    return apply


@lru_cache(maxsize=8)
def environment(templates_folder: str = "") -> jinja2.Environment:
    """The jinja2 environment: the user's folder first (if any), then the built-in templates."""
    loaders = [jinja2.FileSystemLoader(templates_folder)] if templates_folder else []
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.FileSystemLoader(str(TEMPLATES))]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=False, keep_trailing_newline=False)
    env.filters.update(money=_money, date=_in_language(fmt.short_date), long_date=_in_language(fmt.long_date),
                       qty=_in_language(fmt.quantity), price=_in_language(fmt.price))
    return env


def _template_name(language: str, kind: str) -> str:
    return f"{language}/script.txt.j2" if kind == "script" else f"{language}/{kind}.html.j2"


def language_for(language: str, env: jinja2.Environment, kind: str = "dunning") -> str:
    """``language`` when templates exist for it, else English."""
    try:
        env.get_template(_template_name(language, kind))
        return language
    except jinja2.TemplateNotFound:
        return FALLBACK


def render(env: jinja2.Environment, kind: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, html) of document ``kind`` in ``language`` (or English)."""
    lang = language_for(language, env, kind)
    template = env.get_template(_template_name(lang, kind))
    full = {**context, "lang": lang}
    page = single_stops(template.render(full))
    subject = single_stops("".join(template.blocks["subject"](template.new_context(full))).strip())
    return html.unescape(subject), page


_DOUBLE_STOP = re.compile(r"(?<=\w\.)\.(?!\.)")


def single_stops(text: str) -> str:
    """A sentence that ends in a name ending in a full stop ends there: ``… de Iberia Components S.L.``,
    not ``S.L..`` (an ellipsis ``...`` is left alone)."""
    return _DOUBLE_STOP.sub("", text)


def customer_context(customer: dict, customer_id: str, name: str = "") -> dict:
    """What templates know of a customer: id, name, contact, address lines, e-mail."""
    address = str(customer.get("address", "") or "")
    lines = [part.strip() for part in address.replace("\n", ";").split(";") if part.strip()]
    return {"id": customer_id, "name": customer.get("customer_name") or name, "contact": customer.get("contact", ""),
            "address_lines": lines, "email": customer.get("email", "")}


def script_line(env: jinja2.Environment, language: str, context: dict) -> str:
    """The collector's opening line for a call, in the customer's language (plain text)."""
    lang = language_for(language, env, "script")
    return single_stops(env.get_template(_template_name(lang, "script")).render({**context, "lang": lang}).strip())


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts for templates (NaN → None)."""
    return [{k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]

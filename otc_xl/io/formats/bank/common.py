"""What every bank-file reader returns, and the few rules they share."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ....model.contracts import PAYMENTS
from ....model.problems import Problem, ValidationError
from ....model.values import MAX_AMOUNT

PAYMENT_COLUMNS = [c for c in PAYMENTS.column_names]


@dataclass
class BankLines:
    """Receipts read from one bank file, in canonical ``payments`` columns, plus what was skipped."""

    payments: pd.DataFrame
    debits: int = 0
    """Debit lines (and reversals) seen and skipped: only receipts become payments."""
    source: str = ""
    """Format read: camt.053, camt.054, MT940, CSV, XLSX."""
    notes: list[str] = field(default_factory=list)
    final: bool = True
    """False for intraday reports (camt.052, MT942): their receipts are not final until the day's
    statement (camt.053, MT940) replaces them."""
    keys: list[tuple[str, str]] = field(default_factory=list)
    """(account, ISO day) of each receipt, in the order of ``payments``, where the format names the
    account (camt, MT940); empty otherwise."""
    covers: set[tuple[str, str]] = field(default_factory=set)
    """(account, ISO day) pairs a final statement reports in full: intraday receipts of those days
    are replaced by it."""
    advices: pd.DataFrame | None = None
    """Advice lines the file itself carries (lockbox stubs), already joined to ``payments`` by payment
    id (the ``Advices`` columns); None for formats without them."""


def frame(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Canonical payments frame from reader rows or a frame (missing columns empty, dates as datetime64)."""
    out = pd.DataFrame(rows, columns=PAYMENT_COLUMNS)
    for column in PAYMENT_COLUMNS:
        if column == "payment_date":
            out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
        elif column in ("amount", "instructed_amount", "charges"):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64").round(2)
        elif column == "exchange_rate":  # a rate keeps its decimals
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        else:
            out[column] = out[column].astype("object").fillna("").astype("str")
    return out


PLACEHOLDERS = frozenset({"", "NONREF", "NOTPROVIDED", "NOT PROVIDED", "NONE", "N/A", "NA", "0", "-", "KREF+",
                          "EREF+", "MREF+", "NOREF", "NO REF", "NOTAVAILABLE", "UNKNOWN"})
"""References banks write when there is none: never a payment id (they would collide)."""


def meaningful_reference(value: str) -> str:
    """``value`` stripped, or "" when it is a stand-in for no reference (``NONREF``, ``NOTPROVIDED``, ``EREF+`` …)."""
    text = (value or "").strip()
    key = text.upper()
    if key in PLACEHOLDERS or key.rstrip("+") in PLACEHOLDERS or set(key) <= set("0 -"):
        return ""
    return text


def stable_id(prefix: str, *parts: object) -> str:
    """An id from a line's content: the same line read again gets the same id."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:12].upper()
    return f"{prefix}-{digest}"


def unique_ids(ids: list[str]) -> list[str]:
    """Number repeats (``X``, ``X-2`` …) so identical lines in one file stay distinct and stable."""
    seen: dict[str, int] = {}
    out = []
    for value in ids:
        seen[value] = seen.get(value, 0) + 1
        out.append(value if seen[value] == 1 else f"{value}-{seen[value]}")
    return out


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


LATIN_PAGES = ("cp1252", "cp1250", "iso8859_15", "iso8859_2", "cp850", "cp1257", "iso8859_13", "latin_1")
"""Single-byte code pages of the Latin script our users' banks export in, most likely first."""
OTHER_LATIN = ("cp1254", "cp1258", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_14", "iso8859_16",
               "hp_roman8", "cp437", "cp775", "cp857", "cp858", "cp860", "cp863", "cp865")
"""Latin-script pages the detector may propose for such files; they trigger the choice among ``LATIN_PAGES``."""
_GLUED = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f\w\s]|[^\x00-\x7f\w\s](?=[^\W\d_])")


def _oddities(text: str) -> int:
    """Non-ASCII symbols touching a letter: a sign the text was decoded with the wrong code page."""
    return len(_GLUED.findall(text[:200_000]))


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """(text, encoding) of a text file: a byte-order mark, else UTF-8, else what the maintained
    ``charset-normalizer`` detects (cp1252, cp1250, ISO-8859-2, UTF-16 without BOM …).
    Binary content is refused with a message naming the file."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:200_000]))
    best = matches[0] if matches else None
    if best is not None and (best.encoding in LATIN_PAGES + OTHER_LATIN or best.encoding.startswith("mac_")):
        # The detector cannot tell Latin code pages apart on a short export with few accents (it
        # offers cp1250 for Spanish "NÚÑEZ", cp1252 for Polish "Łódzka"): take the one whose text
        # has the fewest non-letter symbols glued to letters ("Zap³ata" vs "Zapłata"); on a tie,
        # Windows-1252, Western Europe's.
        sample, scored = data[:200_000], []
        for rank, encoding in enumerate(LATIN_PAGES):  # scored on a sample: each decoding is a copy
            try:
                scored.append((_oddities(sample.decode(encoding)), rank, encoding))
            except UnicodeDecodeError:
                continue
        for _, _, encoding in sorted(scored):  # the whole file once, with the best that decodes it
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    if best is not None and (best.chaos < 0.3 or best.encoding.startswith("utf")):
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise fail(source, "is not a text file in any encoding otc_xl can recognise (binary content?); "
                       "expected a bank statement export (CSV, MT940) or camt XML")


def with_unique_ids(payments: pd.DataFrame) -> pd.DataFrame:
    """``payments`` with repeated ids numbered (:func:`unique_ids`); the column stays text even
    when there are no rows (a file of debits only)."""
    payments["payment_id"] = pd.Series(unique_ids(list(payments["payment_id"])), index=payments.index, dtype="str")
    return payments


def read_as(name: str, encoding: str) -> list[str]:
    """The note naming the encoding a text file was read in, when it is not UTF-8 or ASCII."""
    return [] if encoding in ("utf-8", "ascii") else [f"{name}: read as {encoding}"]


def bank_lines(rows: list[dict], debits: int, source: str, notes: list[str], **more: Any) -> BankLines:
    """The :class:`BankLines` of a reader's rows: canonical columns, repeated ids numbered."""
    return BankLines(with_unique_ids(frame(rows)), debits, source, notes, **more)


@dataclass(frozen=True)
class ReadPolicy:
    """What the user allowed for this import (never the default): statements whose balances do not
    tie (``--accept-unbalanced``), CSV rows with fewer fields than the header (``--accept-short-rows``)."""

    accept_unbalanced: bool = False
    accept_short_rows: bool = False


STRICT = ReadPolicy()

UNBALANCED_HINT = ("; if your bank sends partial statements by design, --accept-unbalanced imports them and "
                   "records how far off each one is")


class Unbalanced(ValueError):
    """A statement whose balances do not tie: refused, unless the user accepts unbalanced statements."""

    def __init__(self, message: str, off_by: object):
        super().__init__(message)
        self.off_by = off_by


def unbalanced_note(source: str, where: str, exc: Unbalanced) -> str:
    """The note an accepted unbalanced statement leaves in the summary and the ImportLog."""
    return (f"{source}: {where} does not tie, off by {exc.off_by:,.2f}; imported because --accept-unbalanced "
            f"was given ({exc})")


def fail(source: str, message: str) -> ValidationError:
    return ValidationError([Problem(source, message)])


def receipt_problems(payments: pd.DataFrame, source: str, unique: bool = True) -> list[Problem]:
    """What the Payments contract would refuse in ``payments`` (checked before anything is appended):
    an amount that is not a finite positive number below ``MAX_AMOUNT``, a missing date, a currency
    that is not a 3-letter code, an empty payment id, or (``unique``) one that repeats."""
    problems = []
    amount = payments["amount"].to_numpy(dtype="float64", na_value=np.nan)
    bad_amount = ~np.isfinite(amount) | (amount <= 0) | (np.abs(amount) >= float(MAX_AMOUNT))
    currency = payments["currency"].astype(str)
    codes = [c for c in currency.unique() if re.fullmatch(r"[A-Z]{3}", c)]  # a few distinct values: check each once
    for what, bad in (("amount {amount!r} is not a positive receipt below " f"{MAX_AMOUNT:,.0f}", bad_amount),
                      ("has no date", payments["payment_date"].isna().to_numpy()),
                      ("currency {currency!r} is not a 3-letter ISO code", ~currency.isin(codes).to_numpy()),
                      ("has no payment id", (payments["payment_id"].astype(str).str.strip() == "").to_numpy()),
                      ("payment id {payment_id!r} appears twice",
                       payments["payment_id"].duplicated().to_numpy() & unique)):
        for i in np.flatnonzero(bad)[:20]:
            rec = payments.iloc[i]
            problems.append(Problem(source, f"receipt {i + 1} ({rec['payment_id'] or 'no id'}): " + what.format(
                amount=float(rec["amount"]), currency=rec["currency"], payment_id=rec["payment_id"])))
    return problems

"""Finding our document numbers inside remittance text, whatever customers did to them.

Every open item gets index *keys*: its number reduced to letters+digits (``INV-2026-00451`` →
``INV202600451``), its digits (``202600451``), with a two-digit year (``2600451``), without leading
zeros, and — as *weak* keys, trusted only with other evidence — its last number group (``451``,
``00451``). Customer references (PO numbers, RF creditor references) are keys too.

A remittance is cut into alphanumeric tokens after undoing OCR slips inside numbers (O→0, I→1,
S→5, B→8, Z→2); single tokens and runs of two or three adjacent tokens are looked up, so
``26/00451``, ``2026 00451``, ``inv2026-00451`` and ``INV 2O26 00451`` all find the same item.
Ranges (``FT 2026/0123-0125``) are expanded, RF references (ISO 11649) are checked with mod-97 (the
longest valid one is taken, so a name glued to it is not part of it). Year-qualified numbers
(Italian ``87/26``, Spanish ``26/0412``) are looked up as (year, serial) of numbers that carry a year.

What is *not* a reference: dates, amounts (also the decimal amounts of EDI elements such as
``RMR*IV*77120*PI*1934.50``), IBANs, numbers after words naming other documents or positions
(order, delivery, customer, lockbox batch/item, cheque…), and digits joined across a word
(``004 ITEM 017`` is not ``004017``). In EDI 820 segments written in a remittance only the
reference elements (``RMR02``, ``REF02``) are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import pandas as pd

from ..model.values import strip_accents

OCR_DIGITS = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
KEYWORDS = frozenset("""FRA FRAS FACT FACTURA FACTURAS FACTURE FACTURES FAC FV FT FATT FATTURA FATTURE FF INV INVOICE
INVOICES RG RE RECHNUNG RECHNUNGEN RGNR NR REF NO N NUM NUMERO DOC""".split())
OTHER_DOCUMENTS = frozenset("""ORDER ORDERS ORD PO PURCHASE ORDINE ORDINI ORDEN PEDIDO PEDIDOS COMMANDE CDE BDC
BESTELLUNG BESTELLNR AUFTRAG AUFTRAGSNR ALBARAN ALBARANES LIEFERSCHEIN DDT BOLLA DELIVERY DN BL CUSTOMER
CLIENT CLIENTE KUNDE KUNDENNR KD KDNR CONTRACT CONTRATO CONTRATTO VERTRAG ACCOUNT CUENTA CONTO KONTO MANDATE MANDAT
LOCKBOX LBX BATCH ITEM SEQ SEQUENCE CHECK CHK CHEQUE SCHECK ASSEGNO TRACE""".split())
"""Words naming another kind of document or a position: the number after them is an order, delivery,
customer or contract number, or a lockbox batch / item / cheque number — never one of our invoice
numbers (it may be a customer reference, e.g. a PO)."""
NUMBER_WORDS = frozenset({"NR", "NO", "N", "NUM", "NUMERO", "NUMMER"})
_TOKEN = re.compile(r"[0-9A-Z]+")
_BLOCKED = re.compile(
    r"(?<![0-9A-Z])(?:"
    r"(?:0?[1-9]|[12][0-9]|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)?[0-9]{2}"          # 25/11/2026, 25.11.26
    r"|(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"                    # 2026-11-25
    r"|[0-9]{1,3}(?:[.' ][0-9]{3})+,[0-9]{2}|[0-9]{1,3}(?:[,' ][0-9]{3})+\.[0-9]{2}"      # 1.234,56  1,234.56
    r"|[0-9]+,[0-9]{2}(?:\s*(?:EUR|€|EURO|USD|GBP))"                                       # 250,50 EUR
    r"|(?:EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON)\s?[0-9][0-9.,']*[.,][0-9]{2}"          # GBP1032.49
    r"|(?!RF)[A-Z]{2}[0-9]{2}(?:\s?[0-9A-Z]{4}){3,7}(?:\s?[0-9A-Z]{1,3})?"                 # an IBAN (RF: a reference)
    r"|(?<=\*)[0-9]+\.[0-9]{1,2}(?=\s*(?:[*~]|$))"                                          # EDI element 1934.50
    r")(?![0-9A-Z])")
"""Dates, amounts and IBANs written in a remittance: their digits are not document numbers."""
_RANGE = re.compile(r"(?<![0-9A-Z])([0-9]{2,})\s*(?:-|–|TO|AL|A|AU|BIS)\s*([0-9]{2,})(?![0-9A-Z])")
_RF = re.compile(r"RF[0-9]{2}")
_RF_BODY = re.compile(r" ?[0-9A-Z]+(?: [0-9A-Z]+)*")
_EDI_SEGMENT = re.compile(r"(?<![0-9A-Z])(RMR|REF|ADX|BPR|TRN|DTM|ENT|N1|NTE|RMT|IT1|CUR)\*([^~\n]*)~?")
_YEAR_QUALIFIED = re.compile(r"(?<![0-9A-Z/.\-])([0-9]{1,6})/([0-9]{1,6})(?![0-9A-Z/]|[.\-][0-9])")
_DIGITS = re.compile(r"[0-9]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_NOT_DIGIT = re.compile(r"[^0-9]")
_YEAR = re.compile(r"(19|20)\d\d")
_LETTERS = re.compile(r"^[A-Z]*")
_SERIES = re.compile(r"[^A-Z]")
_RF_WHOLE = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")
MAX_RANGE = 30
MAX_WEAK = 200
"""A bare number shared by more items than this (a year, a common serial) is no evidence at all."""


REFERENCE_FIELDS = (("reference", False), ("creditor_reference", False), ("order_id", False),
                    ("billing_document", True), ("accounting_document", True))
"""The other fields of an item a remittance may name: the customer's reference (PO) and the payment
reference (RF/QR) and sales order, read as customer references (whole, or six digits and more, also
after order words); our billing and accounting document numbers, read as our own numbers."""


@dataclass(frozen=True)
class Hit:
    """One item found in a remittance: which, how it was written, and how strong the evidence is."""

    position: int
    """Row position of the item in the indexed frame."""
    written: str
    """The text as the customer wrote it (for explanations)."""
    strong: bool
    """True for a whole document number or reference; False for a bare last group such as 451."""
    keyword: bool = False
    """A keyword such as Fra./Fatt./Rechnung stands right before it."""
    span: tuple[int, int] = (0, 0)
    """Where it was written in the (upper-cased) remittance."""


def _upper(text: str) -> str:
    return text.upper() if text.isascii() else strip_accents(text).upper()


def reference_keys(reference: str, ours: bool = True) -> tuple[set[str], set[str]]:
    """(strong keys, weak keys) for one of our document numbers (``ours``) or a customer reference.

    A customer reference (PO number…) only gives its whole letters+digits form, and its digits
    when there are at least 6: short numbers of other numbering schemes collide with ours.
    """
    if not reference:
        return set(), set()
    text = _upper(reference)
    groups = _DIGITS.findall(text)
    alnum = _NOT_ALNUM.sub("", text)
    digits = "".join(groups)
    strong: set[str] = set()
    weak: set[str] = set()
    if len(alnum) >= 4 and groups:
        strong.add(alnum)
    if not ours:
        if len(digits) >= 6:
            strong.add(digits)
        return strong, weak
    if len(digits) >= 5:
        strong |= {digits, digits.lstrip("0")}
        if len(groups) >= 2 and _YEAR.fullmatch(groups[0]):
            strong |= {groups[0][2:] + "".join(groups[1:]),                             # 26 00451
                       groups[0] + "".join(g.lstrip("0") for g in groups[1:])}         # 2026 451
    if groups:
        last = groups[-1]
        if len(groups) >= 2 and _YEAR.fullmatch(last):
            last = groups[-2]  # FT 87/2026: the serial is the number, not the year
        if len(last.lstrip("0")) >= 3:
            weak |= {last, last.lstrip("0")}
    return strong, weak - strong


def year_key(year: int, serial: int) -> str:
    """The key of a year-qualified number: serial 87 of 2026 → ``87/26``."""
    return f"{serial}/{year % 100:02d}"


def year_qualified(reference: str) -> str | None:
    """The year-qualified key of one of our numbers that carries a year and a serial (``FT 87/2026``,
    ``F2026-0412``, ``INV-2026-00451``), else None."""
    groups = _DIGITS.findall(reference)
    if len(groups) < 2:
        return None
    years = [j for j, g in enumerate(groups) if len(g) == 4 and _plausible_year(g)]
    if len(years) != 1:
        return None
    rest = [g for j, g in enumerate(groups) if j != years[0]]
    if len(rest) != 1 or not rest[0].lstrip("0"):
        return None
    return year_key(int(groups[years[0]]), int(rest[0]))


def _plausible_year(text: str) -> int | None:
    value = int(text)
    if len(text) == 4:
        return value if 2010 <= value <= 2040 else None
    return 2000 + value if 10 <= value <= 40 else None


def edi_references(text: str) -> str:
    """``text`` with every EDI 820 segment replaced by what names a document in it: the reference of an
    ``RMR`` (after ``INV`` when its qualifier says invoice) or ``REF`` segment; amounts, dates, trace
    numbers and codes are dropped. Text without EDI segments is returned as it is."""
    if "*" not in text:
        return text

    def keep(m: re.Match) -> str:
        elements = m.group(2).split("*")
        if m.group(1) in ("RMR", "REF") and len(elements) >= 2 and elements[1].strip():
            word = {"IV": "INV", "PO": "PO", "CR": "INV", "OI": "INV", "R7": "INV"}.get(elements[0].strip(), "REF")
            return f" {word} {elements[1].strip()} "
        return " "
    return _EDI_SEGMENT.sub(keep, text)


class ReferenceIndex:
    """Look-up from keys to the items of a canonical invoices frame (by row position)."""

    def __init__(self, invoices: pd.DataFrame):
        self.strong: dict[str, set[int]] = {}
        self.weak: dict[str, set[int]] = {}
        self.theirs: dict[str, set[int]] = {}
        """Strong keys that come from customers' own references (PO numbers, RF references)."""
        self.years: dict[str, set[int]] = {}
        """Year-qualified keys (``87/26``) of our numbers that carry a year."""
        self.series = [_SERIES.sub("", _upper(str(v or ""))) for v in invoices["invoice_id"].tolist()]
        """The letters of each number (its series: ``FACT``, ``AV``), to tell two series with the same digits apart."""
        for position, value in enumerate(invoices["invoice_id"].tolist()):
            key = year_qualified(str(value or ""))
            if key:
                self.years.setdefault(key, set()).add(position)
        columns = [(invoices["invoice_id"], True)]
        for name, ours in REFERENCE_FIELDS:
            if name in invoices:
                columns.append((invoices[name], ours))
        for column, ours in columns:
            for position, value in enumerate(column.tolist()):
                if not value or value != value:  # empty or NaN: nothing to index (most optional cells)
                    continue
                strong, weak = reference_keys(str(value), ours)
                for key in strong:
                    self.strong.setdefault(key, set()).add(position)
                    if not ours:
                        self.theirs.setdefault(key, set()).add(position)
                for key in weak:
                    self.weak.setdefault(key, set()).add(position)

    def find(self, remittance: str) -> list[Hit]:
        """Items the remittance refers to, strongest evidence first, each item once."""
        return self.scan(remittance)[0]

    def scan(self, remittance: str) -> tuple[list[Hit], list[str]]:
        """(:meth:`find`'s hits, the numbers of five digits or more written as document numbers that
        name no item): a number of ours that is not open is evidence too (paid already? a typo?).
        Each number is its digits (a number written in parts: all of them), ``#`` first when an invoice
        keyword stands before it; a year-qualified number of no item is ``Y`` and its year."""
        text = edi_references(_upper(remittance or ""))
        hits: dict[int, Hit] = {}

        def add(positions, written: str, strong: bool, keyword: bool, span: tuple[int, int]) -> None:
            for p in positions:
                old = hits.get(p)
                if old is None or (strong and not old.strong) or (keyword and not old.keyword and
                                                                   strong == old.strong):
                    hits[p] = Hit(p, written, strong, keyword, span)

        for m in _RF.finditer(text):
            body = _RF_BODY.match(text, m.end())
            glued = text[m.start():m.end()] + (body.group(0).replace(" ", "") if body else "")
            for length in range(min(len(glued), 25), 4, -1):  # the longest valid reference: a name may follow
                if glued[:length] in self.strong and is_valid_rf(glued[:length]):
                    add(self.strong[glued[:length]], glued[:length], True, True, (m.start(), m.start() + length))
                    break
        raw = [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]
        tokens = [_fix_ocr(t) for t, _ in raw]
        lettered = [t[:1].isalpha() for t in tokens]
        lettered_only = [not any(c.isdigit() for c in t) for t in tokens]
        blocked = [m.span() for m in _BLOCKED.finditer(text)]
        inside = [any(a <= start and start + len(t) <= b for a, b in blocked) for t, start in raw]
        other = _after_other_document(tokens)
        numbers: list[tuple[str, tuple[int, int]]] = []
        for width in (1, 2, 3):  # narrowest spans first: they are what the customer wrote
            for i in range(len(tokens) - width + 1):
                keyword = i > 0 and tokens[i - 1] in KEYWORDS or tokens[i] in KEYWORDS
                joined = "".join(tokens[i:i + width])
                span = (raw[i][1], raw[i + width - 1][1] + len(raw[i + width - 1][0]))
                written = text[span[0]:span[1]]
                if any(inside[i:i + width]):
                    continue  # digits of a date, an amount or an IBAN
                if other[i] or any(t in OTHER_DOCUMENTS for t in tokens[i:i + width]):
                    # "ORDINE 55120", "PO 4500012345": only a customer's own reference counts
                    for key in _candidates(joined):
                        if key in self.theirs:
                            add(self.theirs[key], written, True, keyword, span)
                    continue
                # digits are never joined across a word ("004 ITEM 017" is not 004017) nor into the next
                # number of a list ("FV2026-001004 FV2026-001083": 001004 + FV2026 is not FT 1004/2026)
                keys = _candidates(joined) if not any(lettered[i + 1:i + width]) else {joined}
                found = False
                for key in keys:
                    if key in self.strong:
                        add(self.strong[key], written, True, keyword, span)
                        found = True
                if width == 1:
                    digits = _NOT_DIGIT.sub("", joined)
                    for key in {digits, digits.lstrip("0")}:
                        if key in self.weak and len(self.weak[key]) <= MAX_WEAK:
                            add(self.weak[key], written, False, keyword, span)  # evidence for the payer's only
                    if not found and len(digits) >= 5:
                        said = keyword or (i > 1 and tokens[i - 2] in KEYWORDS and lettered_only[i - 1])  # INV SI-1
                        numbers.append((("#" if said else "") + digits, span))
        for m in _YEAR_QUALIFIED.finditer(text):
            a, b = m.group(1), m.group(2)
            keyword = any(t in KEYWORDS for t in _TOKEN.findall(text[max(0, m.start() - 12):m.start()]))
            for serial, year in ((a, b), (b, a)):
                y = _plausible_year(year) if len(year) in (2, 4) else None
                if y is None or any(a0 <= m.start() and m.end() <= b0 for a0, b0 in blocked):
                    continue
                key = year_key(y, int(serial))
                if key in self.years and int(serial):
                    add(self.years[key], m.group(0), keyword or len(serial.lstrip("0")) >= 3 or len(year) == 4,
                        keyword, m.span())
                elif int(serial) and (keyword or len(year) == 4):
                    numbers.append((f"#Y{y % 100:02d}", m.span()))  # a year-qualified number of no item
        for start, end, written, span in _ranges(text):
            for n in range(start, end + 1):
                for key in (str(n), f"{n:0{len(written)}d}"):
                    add(self.weak.get(key, ()), text[span[0]:span[1]], False, True, span)
        found_hits = self._one_series(_outermost(sorted(hits.values(), key=lambda h: (not h.strong, not h.keyword,
                                                                                     h.position))), text)
        # a document number written in parts (FV2026-009999, NL26-00012) is one number too
        run: list[int] = []
        for j in range(len(tokens) + 1):
            joined_on = (j < len(tokens) and run and not lettered_only[j]
                         and text[raw[j - 1][1] + len(raw[j - 1][0]):raw[j][1]] in ("-", "/", "."))
            if joined_on:
                run.append(j)
                continue
            if len(run) > 1 and not any(inside[k] or other[k] for k in run):
                digits = "".join(_NOT_DIGIT.sub("", tokens[k]) for k in run)
                if len(digits) >= 5:
                    said = run[0] > 0 and tokens[run[0] - 1] in KEYWORDS
                    numbers.append((("#" if said else "") + digits,
                                    (raw[run[0]][1], raw[run[-1]][1] + len(raw[run[-1]][0]))))
            run = [j] if j < len(tokens) and not lettered_only[j] else []
        covered = [h.span for h in found_hits if h.strong]
        unknown = [d for d, (a, b) in numbers if not any(c < b and a < e for c, e in covered)]
        return found_hits, list(dict.fromkeys(unknown))


    def _one_series(self, hits: list[Hit], text: str) -> list[Hit]:
        """One written number is one document: when it is the digits of items of two series
        (``FACT 26000137`` and the credit note ``AV26000137``), the series whose letters are written with
        it (``V/FACT 26000137``) is the one meant."""
        spans: dict[tuple[int, int], list[Hit]] = {}
        for hit in hits:
            spans.setdefault(hit.span, []).append(hit)
        drop: set[int] = set()
        for span, same in spans.items():
            if len(same) < 2:
                continue
            around = set(_TOKEN.findall(text[max(0, span[0] - 16):span[1]]))
            around |= {t[:len(t) - len(t.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))] for t in list(around)}
            written = [h for h in same if self.series[h.position] and self.series[h.position] in around]
            if 0 < len(written) < len(same):
                drop |= {id(h) for h in same if h not in written}
        return [h for h in hits if id(h) not in drop]


def _after_other_document(tokens: list[str]) -> list[bool]:
    """For each token: does a word naming another document (order, delivery, customer …) stand at
    most three tokens before it, with no invoice keyword in between?"""
    out, since = [], 99
    for token in tokens:
        if token in KEYWORDS and token not in NUMBER_WORDS:  # "Kd-Nr.": NR after KD does not end it
            since = 99
        out.append(since <= 3 and token not in OTHER_DOCUMENTS)
        since = 1 if token in OTHER_DOCUMENTS else since + 1
    return out


def _fix_ocr(token: str) -> str:
    """Undo OCR slips in the numeric part of a token: ``INV2O26`` → ``INV2026``, ``Z026`` → ``2026``."""
    if not any(c.isdigit() for c in token):
        return token
    letters = cast(re.Match[str], _LETTERS.match(token)).group(0)
    if letters and not any(c.isdigit() for c in letters) and len(letters) < len(token):
        rest = token[len(letters):]
        # a leading letter that is really a digit ("Z026") belongs to the number
        if len(letters) == 1 and letters in "OQILSBZ" and rest[:1].isdigit() and len(rest) >= 3:
            return (letters + rest).translate(OCR_DIGITS)
        return letters + rest.translate(OCR_DIGITS)
    return token.translate(OCR_DIGITS)


def _candidates(joined: str) -> set[str]:
    digits = _NOT_DIGIT.sub("", joined)
    out = {joined}
    if len(digits) >= 5:
        out |= {digits, digits.lstrip("0")}
    return out


def _ranges(text: str) -> list[tuple[int, int, str, tuple[int, int]]]:
    found = []
    for m in _RANGE.finditer(text):
        a, b = m.group(1), m.group(2)
        if len(a) == len(b) and 0 < int(b) - int(a) <= MAX_RANGE:
            found.append((int(a), int(b), a, m.span()))
    return found


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Drop hits written strictly inside a strong hit of another item ("27262" inside "2026-27262"):
    part of a number the customer wrote is not a second reference."""
    strong = [h for h in hits if h.strong]
    return [h for h in hits
            if not any(o.position != h.position and o.span[0] <= h.span[0] and h.span[1] <= o.span[1]
                       and (o.span[1] - o.span[0]) > (h.span[1] - h.span[0]) for o in strong)]


def is_valid_rf(reference: str) -> bool:
    """ISO 11649 creditor reference check (``RF18539007547034`` → True)."""
    ref = reference.replace(" ", "").upper()
    if not _RF_WHOLE.fullmatch(ref):
        return False
    rearranged = ref[4:] + ref[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


_DOCUMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/.]*[A-Za-z0-9]|[A-Za-z0-9]")


def named_documents(text: str) -> list[str]:
    """The whole tokens of ``text`` that can be a document number (``FV-2026/17``, ``INV-1``), upper
    case: how a credit note's reference names the invoice it corrects, for cash application and the
    credit allocations alike."""
    return [t.upper() for t in _DOCUMENT.findall(str(text or ""))]

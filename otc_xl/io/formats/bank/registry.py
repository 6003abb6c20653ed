"""One list of bank-file formats: detection, ``import-bank --format`` and the docs read it.

Each :class:`Reader` names its format, says how to recognise it from the first bytes of a file
(``sniff``), reads a file (``read``) and says which banks send it. Detection tries the readers in
the order of :data:`READERS` (spreadsheets by their container first, the delimited-text fallback
last); a new format is one more entry, not another branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from ....model.tables import ParseOptions
from .common import STRICT, BankLines, ReadPolicy

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class ReadContext:
    """Everything a reader may need besides the path: CSV parse options and bank profile (Config),
    a progress callback, and what the user allowed (:class:`ReadPolicy`)."""

    options: ParseOptions = ParseOptions()
    profile: dict[str, str] | None = None
    progress: Callable[[int, int], None] | None = None
    policy: ReadPolicy = STRICT


@dataclass(frozen=True)
class Reader:
    name: str
    """The ``--format`` value."""
    title: str
    sniff: Callable[[bytes, Path], bool]
    """Whether a file whose first 4,096 bytes are given is of this format."""
    read: Callable[[Path, ReadContext], BankLines]
    banks: str
    """Who sends it (for ``--help`` and the docs)."""


def _sniff(module: str, function: str) -> Callable[[bytes, Path], bool]:
    """``module.function(head)``, the module imported on first use (the command line starts
    without loading every reader and its parser package)."""
    return lambda head, path: getattr(import_module(f"{__package__}.{module}"), function)(head)


def _read(module: str, function: str) -> Callable[[Path, ReadContext], BankLines]:
    """A reader taking (path, policy), its module imported on first use."""
    return lambda path, ctx: getattr(import_module(f"{__package__}.{module}"), function)(path, ctx.policy)


def _tabular(path: Path, ctx: ReadContext) -> BankLines:
    from .tabular import read_tabular
    return read_tabular(path, ctx.options, ctx.profile, ctx.progress, ctx.policy)


READERS: tuple[Reader, ...] = (
    Reader("xlsx", "spreadsheet export (.xlsx, .xlsm, .xls, .ods)",
           lambda head, path: path.suffix.lower() in SPREADSHEETS,
           _tabular, "online banking exports saved as spreadsheets"),
    Reader("camt", "ISO 20022 camt.052 / camt.053 / camt.054 XML",
           lambda head, path: _sniff("camt", "looks_like_camt")(head, path) or (
               head.lstrip().startswith(b"<") and not _sniff("ofx", "looks_like_ofx")(head, path)),
           _read("camt", "read_camt"),
           "SEPA banks (end-of-day camt.053; intraday camt.052; notifications camt.054)"),
    Reader("mt940", "SWIFT MT940 / MT942", _sniff("mt940", "looks_like_mt940"), _read("mt940", "read_mt940"),
           "most European banks (German, Dutch, Polish, Swiss …; MT942 intraday)"),
    Reader("norma43", "AEB Norma 43 (Cuaderno 43)", _sniff("norma43", "looks_like_norma43"),
           _read("norma43", "read_norma43"),
           "every Spanish bank (Santander, BBVA, CaixaBank, Sabadell, Bankinter …)"),
    Reader("cfonb120", "CFONB 120 relevé de comptes", _sniff("cfonb", "looks_like_cfonb"),
           _read("cfonb", "read_cfonb"),
           "French banks (BNP Paribas, Société Générale, Crédit Agricole, LCL, CIC …)"),
    Reader("cbi", "CBI RH rendicontazione movimenti di c/c (Italy)", _sniff("cbi", "looks_like_cbi"),
           _read("cbi", "read_cbi"),
           "Italian banks through CBI (UniCredit, Intesa Sanpaolo, BPER, Banco BPM, Monte dei Paschi …)"),
    Reader("coda", "CODA (Febelfin coded statement of account, version 2)", _sniff("coda", "looks_like_coda"),
           _read("coda", "read_coda"), "Belgian banks (BNP Paribas Fortis, KBC, Belfius, ING Belgium …)"),
    Reader("bai2", "BAI2 (Cash Management Balance Reporting, version 2)", _sniff("bai", "looks_like_bai2"),
           _read("bai", "read_bai2"), "US banks (JPMorgan Chase, Bank of America, Wells Fargo, Citi, SVB …)"),
    Reader("lockbox", "BAI lockbox transmission (checks and their stubs, fixed width)",
           _sniff("lockbox", "looks_like_lockbox"), _read("lockbox", "read_lockbox"),
           "US banks' wholesale lockbox services (Wells Fargo, KeyBank, JPMorgan Chase, Bank of America …)"),
    Reader("ofx", "OFX / QFX (Open Financial Exchange 1.x SGML, 2.x XML)", _sniff("ofx", "looks_like_ofx"),
           _read("ofx", "read_ofx"), "US, UK and Canadian small-business online banking, Quicken/QuickBooks "
           "downloads"),
    Reader("csv", "CSV / delimited text export",
           lambda head, path: path.suffix.lower() in TEXT_SUFFIXES, _tabular,
           "online banking and payment-provider exports (PayPal, Stripe) in local conventions"),
)
BY_NAME = {r.name: r for r in READERS}
FORMAT_NAMES = tuple(r.name for r in READERS)


def detect(path: Path) -> Reader | None:
    """The reader of ``path`` by its content (spreadsheets and delimited text by their suffix),
    or None."""
    head = b"" if path.suffix.lower() in SPREADSHEETS else path.read_bytes()[:4096]
    return next((r for r in READERS if r.sniff(head, path)), None)


def describe() -> str:
    """The formats, one a line, for ``--help`` and error messages."""
    return "\n".join(f"{r.name}: {r.title} ({r.banks})" for r in READERS)

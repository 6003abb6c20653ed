"""Settings: documented defaults, overridden by the workbook's ``Config`` sheet, a TOML file and
command-line flags (in that order).

The ``Config`` sheet is two columns, ``Setting`` and ``Value`` (a third, ``Description``, is
ignored); keys are matched ignoring case, spaces and punctuation (``As of`` = ``as_of``).
A TOML file holds the same keys at top level or under ``[otc_xl]``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .model import values as v
from .model.headers import header_key
from .model.problems import Problem
from .model.tables import ParseOptions, RawTable

CONFIG_SHEETS = ("Config", "Settings", "Configuración", "Configurazione", "Paramètres", "Einstellungen")
"""Sheet names the Config table may have (an Excel Table named tblConfig also works)."""


@dataclass(frozen=True)
class Config:
    """Every setting otc_xl reads, with its default. See README "Configuration"."""

    as_of: dt.date | None = None
    """Reporting date for ageing and reports; empty → today."""
    buckets: tuple[int, ...] = (30, 60, 90, 120)
    """Upper bounds in days of the overdue buckets: 30,60,90,120 → Current, 1-30, …, Over 120."""
    ageing_basis: str = "due_date"
    """Age measured from ``due_date`` or ``invoice_date``."""
    tolerance_abs: float = 25.00
    """Short-payment written off automatically up to this amount (payment currency)."""
    tolerance_pct: float = 0.5
    """…and up to this percentage of the invoice (both limits apply)."""
    discount_rates: tuple[float, ...] = (0.01, 0.02, 0.03)
    """Early-payment discount rates accepted as deliberate deductions."""
    discount_days: int = 10
    """…only when paid within this many days of the invoice date ("2/10 net 30"); later deductions go to review."""
    deduction_max_pct: float = 10.0
    """A payment short of its one named invoice beyond the tolerance by at most this % of the invoice, without
    saying why, is applied and opens a deduction (Deductions sheet); a larger shortfall is a partial payment."""
    fx_tolerance_pct: float = 2.0
    """A payment in another currency than the items it names clears them when, converted at the bank's rate or
    the ExchangeRates table's, it is within this % of what is open; the difference is an exchange gain or loss."""
    fx_rate_max_days: int = 7
    """An ExchangeRates rate is used for payments up to this many days after its date (7: weekends and bank
    holidays; 31 for monthly book rates); older rates are no rate."""
    auto_threshold: float = 90.0
    """Confidence (0-100) at or above which a match is applied automatically."""
    name_cutoff: float = 85.0
    """Minimum payer-name similarity (0-100) to identify a customer by name."""
    home_currency: str = "EUR"
    """Currency of rows whose currency is empty."""
    language: str = "en"
    """Language for customers without one (letters, statements)."""
    decimal_separator: str = "auto"
    """How to read amounts typed as text: auto, "," or "."."""
    date_order: str = "auto"
    """How to read dates typed as text like 03/04/2026: DMY (3 April), MDY (4 March), or auto: per column,
    as its values decide (25/11 is day-first, 11/25 month-first); undecided columns are read DMY with a warning."""
    kpi_period_days: int = 90
    """Days of credit sales behind DSO and CEI."""
    opening_ar: float | None = None
    """Open AR at the start of the KPI period, home currency (enables CEI)."""
    bank_columns: str = ""
    """Bank CSV profile when headers are not recognised: value_date=F. valor; amount=Importe; remittance=Concepto."""
    dunning_days: tuple[int, ...] = (1, 15, 30, 60)
    """Days overdue at which each dunning level starts: 1,15,30,60 → reminder, second notice, final notice, legal."""
    dunning_min_amount: tuple[float, ...] = (0.0,)
    """Per level: least overdue amount worth a notice (one value applies to every level)."""
    dunning_min_percent: tuple[float, ...] = (0.0,)
    """Per level: least overdue share of the account's open balance, e.g. 0,0,5%,5%."""
    dunning_fees: tuple[float, ...] = (0.0, 0.0, 10.0, 40.0)
    """Per level: fee added to the notice."""
    dunning_interest: tuple[float, ...] = (0.0, 0.0, 0.08, 0.08)
    """Per level: yearly late-payment interest; interest = open × rate / 365 × days overdue."""
    dunning_grace_days: int = 3
    """Items are dunned only when more than this many days overdue."""
    dunning_interval_days: int = 7
    """Least days between two notices to the same customer."""
    dunning_deadline_days: tuple[int, ...] = (10, 7)
    """Days each level's letter gives to pay (10,7: 10 for the first reminder, 7 for later notices); the next
    notice, and a legal hand-over after the last one, wait until that pay-by date has passed."""
    dispute_escalation_days: int = 30
    """Disputes open longer than this are flagged for escalation."""
    writeoff_threshold: float = 5.0
    """Residuals (partly paid items) open for at most this amount are proposed for write-off."""
    writeoff_min_days: int = 30
    """…once they are at least this many days overdue."""
    company_name: str = ""
    """Sender shown on letters, statements and e-mails; the payer / creditor name in SEPA files."""
    company_iban: str = ""
    """Our bank account: refunds are paid from it (pain.001), direct debits collected into it (pain.008)."""
    company_bic: str = ""
    """BIC of that account (optional for SEPA files in pain.001.001.09 / pain.008.001.08)."""
    sepa_creditor_id: str = ""
    """SEPA creditor identifier (e.g. ES12ZZZB12345678), needed for direct-debit files."""
    refund_min_days: int = 30
    """A credit nothing can be allocated to is proposed for refund once it is this many days old."""
    sepa_version: str = "pain.001.001.09"
    """Refund file format: pain.001.001.09 (current), or pain.001.001.03 for banks not yet migrated."""
    debit_version: str = "pain.008.001.08"
    """Direct-debit file format: pain.008.001.08 (current), or pain.008.001.02 for banks not yet migrated."""
    reconcile_tolerance: float = 0.0
    """Reconciliation with a customer: an amount gap up to this is agreed (rounding), and still shown."""
    debit_lead_days: int = 5
    """Direct debits: instalments due within this many days are collected by the debits command."""
    team_folder: str = ""
    """Team leader's workbook: the folder of the associates' workbooks the Team button consolidates."""
    legal_min_days: int = 120
    """Items at the last dunning level and at least this many days overdue go to the legal list."""
    templates_folder: str = ""
    """Folder with your own letter templates (same names as otc_xl/letters/templates); empty → built-in."""
    company_legal_name: str = ""
    """The seller's legal name on invoices (empty → company_name)."""
    company_vat_id: str = ""
    """Our VAT number with its country prefix (ESB12345678): every invoice and e-invoice carries it."""
    company_street: str = ""
    """Our address on invoices: street and number."""
    company_postal_code: str = ""
    """Our address on invoices: postal code."""
    company_city: str = ""
    """Our address on invoices: town."""
    company_province: str = ""
    """Our address on invoices: province (Facturae and FatturaPA print it)."""
    company_country: str = ""
    """Our country, ISO code (ES, IT, FR, DE…): decides which invoices are domestic."""
    company_tax_regime: str = "RF01"
    """FatturaPA RegimeFiscale of the seller (RF01 ordinary; RF18 other, e.g. a foreign seller)."""
    invoice_series: str = "FV"
    """Invoice number series: one (FV), or per customer country (ES=FVE; IT=FVI; *=FV); gap-free per year."""
    credit_note_series: str = "AB"
    """Series of credit notes for returned or cancelled lines (same form as invoice_series)."""
    invoice_start_numbers: str = ""
    """The last number already used per series and year before otc_xl took over (FV-2026=1200; …)."""
    invoice_grouping: str = "order"
    """One invoice per customer and order (order), or per customer (customer)."""
    vat_rounding: str = "line"
    """VAT rounded per line (line: each line's VAT to the cent) or once per rate on the total (total)."""
    vat_rates: tuple[float, ...] = ()
    """The VAT rates (%) the seller bills (21;10;4); empty: the known rates of company_country."""
    vat_exchange_rates: str = ""
    """Rates for invoices in a foreign currency (USD=0.9234; GBP=1.1712: units of our national currency per unit):
    their VAT total is also stated in the national currency (BT-6/BT-111, VAT Directive art. 230)."""
    company_registration_id: str = ""
    """Our company registration number (SIREN, Handelsregister, REA …; EN 16931 BT-30): invoices outside the scope
    of VAT (category O) must identify the seller without its VAT number."""
    facturae_certificate: str = ""
    """Company certificate (.p12/.pfx path, or relative to the workbook) signing Facturae; empty → unsigned."""
    facturae_certificate_password_env: str = "OTC_XL_FACTURAE_PASSWORD"
    """Environment variable holding that certificate's password (never type the password in the workbook)."""
    company_siren: str = ""
    """France: our SIREN (BT-30, scheme 0002); empty → the 9 digits of company_registration_id (SIREN or SIRET),
    else the SIREN inside a valid French company_vat_id."""
    company_einvoice_address: str = ""
    """Our electronic address scheme:id (BT-34): France 0225:<SIREN> as the French directory gives it; XRechnung
    EM:rechnung@example.de, 9930:<USt-IdNr.> …"""
    company_contact_name: str = ""
    """The seller's contact point on e-invoices, a person or department (BT-41); XRechnung requires it."""
    company_contact_phone: str = ""
    """The seller contact's telephone number (BT-42); XRechnung requires it."""
    company_contact_email: str = ""
    """The seller contact's e-mail address (BT-43); XRechnung requires it (and takes it as the seller's electronic
    address EM:… when company_einvoice_address is empty)."""
    fr_billing_mode: str = "B1"
    """France: the billing mode (cadre de facturation, BT-23): B1 goods, S1 services, M1 both …"""
    fr_note_pmt: str = ""
    """France: the note on the 40 € recovery indemnity (PMT); empty → the built-in French wording (L441-10)."""
    fr_note_pmd: str = ""
    """France: the note on late-payment penalties (PMD); empty → ECB rate + 10 points (L441-10)."""
    fr_note_aab: str = ""
    """France: the note on early payment (AAB) without a discount; empty → "Pas d'escompte pour paiement anticipé."."""

    def resolved_as_of(self) -> dt.date:
        return self.as_of or dt.date.today()

    def parse_options(self) -> ParseOptions:
        return ParseOptions(self.home_currency, self.language, self.decimal_separator, self.date_order)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **{k: val for k, val in changes.items() if val is not None})


def _buckets(value: Any) -> tuple[int, ...]:
    parts = [p for p in str(value).replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        bounds = tuple(int(float(p)) for p in parts)
    except ValueError:
        raise ValueError(f"{value!r} is not a list of days (expected e.g. 30,60,90,120)") from None
    if not bounds or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(f"{value!r} must be increasing positive days (expected e.g. 30,60,90,120)")
    return bounds


def _rates(value: Any) -> tuple[float, ...]:
    parts = [p for p in str(value).replace(";", " ").replace(",", " ").split() if p]
    rates = tuple(float(p.rstrip("%")) / (100 if p.endswith("%") or float(p.rstrip("%")) >= 1 else 1)
                  for p in parts)
    if any(not 0 <= r < 1 for r in rates):
        raise ValueError(f"{value!r} must be rates such as 0.02 or 2%")
    return rates


def _numbers(value: Any, kind=float) -> tuple:
    parts = [p for p in str(value).replace(";", " ").replace(",", " ").split() if p]
    try:
        numbers = tuple(kind(float(p)) for p in parts)
    except ValueError:
        raise ValueError(f"{value!r} is not a list of numbers (expected e.g. 0;0;10;40)") from None
    if not numbers or any(n < 0 for n in numbers):
        raise ValueError(f"{value!r} must be numbers of zero or more (expected e.g. 0;0;10;40)")
    return numbers


def _days(value: Any) -> tuple[int, ...]:
    days = _numbers(value, int)
    if list(days) != sorted(set(days)) or days[0] < 1:
        raise ValueError(f"{value!r} must be increasing days overdue from 1 (expected e.g. 1,15,30,60)")
    return days


def _deadlines(value: Any) -> tuple[int, ...]:
    days = _numbers(value, int)
    if any(d < 0 or d > 366 for d in days):
        raise ValueError(f"{value!r} must be days to pay, 0 to 366 per level (expected e.g. 10,7)")
    return days


def _percents(value: Any) -> tuple[float, ...]:
    return tuple(r * 100 for r in _rates(value)) if str(value).strip() not in ("", "0") else (0.0,)


def _count(value: Any) -> int:
    number = v.parse_integer(value)
    if number < 0:
        raise ValueError(f"{value!r} must be zero or more days")
    return number


def _choice(*allowed: str):
    def parse(value: Any) -> str:
        text = v.parse_text(value)
        match = next((a for a in allowed if a.lower() == text.lower()), None)
        if match is None:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return match
    return parse


def _iban(value: Any) -> str:
    text = "".join(v.parse_text(value).split()).upper()
    reason = v.iban_problem(text)
    if reason:
        raise ValueError(f"{text!r} is not a valid IBAN ({reason})")
    return text


def _bic(value: Any) -> str:
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    text = "".join(v.parse_text(value).split()).upper()
    try:
        BIC(text)
    except SchwiftyException as exc:
        raise ValueError(f"{text!r} is not a valid BIC ({str(exc).rstrip('.').lower()})") from None
    return text


def _series(value: Any) -> str:
    """``FV`` or ``ES=FVE; IT=FVI; *=FV``: letters and digits only, so numbers fit a creditor reference."""
    text = v.parse_text(value)
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name = part.split("=", 1)[-1].strip()
        if not re.fullmatch(r"[A-Za-z0-9]{1,6}", name):
            raise ValueError(f"series {name!r} must be 1 to 6 letters or digits (expected e.g. FV or ES=FVE; *=FV)")
    return text


def _start_numbers(value: Any) -> str:
    text = v.parse_text(value)
    for part in filter(None, (p.strip() for p in text.split(";"))):
        if not re.fullmatch(r"[A-Za-z0-9]{1,6}-\d{4}\s*=\s*\d+", part):
            raise ValueError(f"{part!r} is not series-year=last number (expected e.g. FV-2026=1200)")
    return text


def _exchange_rates(text: str) -> str:
    """``USD=0.9234; GBP=1.1712`` checked (ISO currency, a rate above 0) and returned as typed."""
    for part in filter(None, (p.strip() for p in text.split(";"))):
        currency, _, rate = part.partition("=")
        if not v.is_iso_currency(currency.strip().upper()):
            raise ValueError(f"{currency.strip()!r} is not an ISO 4217 currency (expected e.g. USD=0.9234; GBP=1.1712)")
        try:
            if float(v.parse_amount(rate)) <= 0:
                raise ValueError
        except ValueError:
            raise ValueError(f"{part!r}: the rate must be a number above 0 (expected e.g. USD=0.9234)") from None
    return text


def exchange_rates(text: str) -> dict:
    """``USD=0.9234; GBP=1.1712`` → ``{"USD": Decimal("0.9234"), …}`` (checked by the Config reader)."""
    from decimal import Decimal

    out = {}
    for part in filter(None, (p.strip() for p in str(text or "").split(";"))):
        currency, _, rate = part.partition("=")
        out[currency.strip().upper()] = Decimal(repr(float(v.parse_amount(rate))))
    return out


def _variable(text: str) -> str:
    """An environment variable's name: letters, digits and _, not a digit first (not a password typed here)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ValueError(f"must name an environment variable (letters, digits, _; e.g. OTC_XL_FACTURAE_PASSWORD), "
                         f"found {len(text)} character(s) that are not one: never type the password here")
    return text


def _number(value: Any) -> float:
    return float(v.parse_amount(value))


PARSERS = {
    "as_of": v.parse_date,
    "buckets": _buckets,
    "ageing_basis": _choice("due_date", "invoice_date"),
    "tolerance_abs": _number,
    "tolerance_pct": _number,
    "discount_rates": _rates,
    "discount_days": _count,
    "deduction_max_pct": _number,
    "fx_tolerance_pct": _number,
    "fx_rate_max_days": _count,
    "auto_threshold": _number,
    "name_cutoff": _number,
    "home_currency": v.parse_currency,
    "language": v.parse_language,
    "decimal_separator": _choice("auto", ",", "."),
    "date_order": _choice("auto", "DMY", "MDY"),
    "kpi_period_days": v.parse_integer,
    "opening_ar": _number,
    "bank_columns": v.parse_text,
    "dunning_days": _days,
    "dunning_min_amount": _numbers,
    "dunning_min_percent": _percents,
    "dunning_fees": _numbers,
    "dunning_interest": _rates,
    "dunning_grace_days": _count,
    "dunning_interval_days": _count,
    "dunning_deadline_days": _deadlines,
    "dispute_escalation_days": _count,
    "writeoff_threshold": _number,
    "writeoff_min_days": _count,
    "company_name": v.parse_text,
    "company_iban": _iban,
    "company_bic": _bic,
    "sepa_creditor_id": v.parse_text,
    "refund_min_days": _count,
    "sepa_version": _choice("pain.001.001.09", "pain.001.001.03"),
    "debit_version": _choice("pain.008.001.08", "pain.008.001.02"),
    "legal_min_days": _count,
    "team_folder": v.parse_text,
    "debit_lead_days": _count,
    "reconcile_tolerance": _number,
    "templates_folder": v.parse_text,
    "company_legal_name": v.parse_text,
    "company_vat_id": lambda x: "".join(v.parse_text(x).split()).upper(),
    "company_street": v.parse_text,
    "company_postal_code": v.parse_text,
    "company_city": v.parse_text,
    "company_province": v.parse_text,
    "company_country": lambda x: v.parse_text(x).upper(),
    "company_tax_regime": v.parse_text,
    "invoice_series": _series,
    "credit_note_series": _series,
    "invoice_start_numbers": _start_numbers,
    "invoice_grouping": _choice("order", "customer"),
    "vat_rounding": _choice("line", "total"),
    "vat_rates": lambda x: () if v.is_blank(x) or not str(x).strip() else _numbers(x, float),
    "vat_exchange_rates": lambda x: _exchange_rates(v.parse_text(x)),
    "company_registration_id": v.parse_text,
    "facturae_certificate": v.parse_text,
    "facturae_certificate_password_env": lambda x: _variable(v.parse_text(x)),
    "company_siren": lambda x: "".join(v.parse_text(x).split()),
    "company_einvoice_address": lambda x: "".join(v.parse_text(x).split()),
    "company_contact_name": v.parse_text,
    "company_contact_phone": v.parse_text,
    "company_contact_email": lambda x: "".join(v.parse_text(x).split()),
    "fr_billing_mode": lambda x: v.parse_text(x).upper() or "B1",
    "fr_note_pmt": v.parse_text,
    "fr_note_pmd": v.parse_text,
    "fr_note_aab": v.parse_text,
}
RANGES: dict[str, tuple[float, float, str]] = {
    "tolerance_abs": (0, 1e9, "an amount written off; cannot be negative"),
    "tolerance_pct": (0, 100, "a percentage of the invoice"),
    "auto_threshold": (1, 100, "a confidence from 1 to 100; 100 applies only certain matches"),
    "name_cutoff": (1, 100, "a name similarity from 1 to 100"),
    "kpi_period_days": (1, 3660, "days of credit sales"),
    "discount_days": (0, 366, "days after the invoice date"),
    "deduction_max_pct": (0, 100, "a percentage of the invoice"),
    "fx_tolerance_pct": (0, 20, "a percentage of the items paid in another currency"),
    "fx_rate_max_days": (0, 366, "days after a rate's date"),
    "opening_ar": (-1e13, 1e13, "an amount"),
    "writeoff_threshold": (0, 1e9, "an amount; cannot be negative"),
    "dunning_grace_days": (0, 3660, "days"),
    "dunning_interval_days": (0, 3660, "days"),
    "dispute_escalation_days": (0, 3660, "days"),
    "writeoff_min_days": (0, 3660, "days"),
    "refund_min_days": (0, 3660, "days"),
    "legal_min_days": (0, 36600, "days overdue"),
    "debit_lead_days": (0, 366, "days before the due date"),
    "reconcile_tolerance": (0, 1e6, "an amount; cannot be negative"),
}
"""Settings with a range: (least, most, what the value is)."""


def _out_of_range(name: str, value: Any) -> str | None:
    if name not in RANGES or value is None:
        return None
    low, high, what = RANGES[name]
    if not low <= value <= high:
        return f"{name} {value:g} is out of range: expected {low:g} to {high:g} ({what})"
    return None


PER_LEVEL = ("dunning_min_amount", "dunning_min_percent", "dunning_fees", "dunning_interest")
"""Settings with one value per dunning level (or a single value for every level)."""


def _consistency(config: Config) -> list[str]:
    levels = len(config.dunning_days)
    return [f"{name} has {len(getattr(config, name))} values but dunning_days defines {levels} levels "
            f"(give one value, or one per level)" for name in PER_LEVEL
            if len(getattr(config, name)) not in (1, levels)]
_KEYS = {header_key(f.name): f.name for f in fields(Config)}
PERCENT_SETTINGS = frozenset({"tolerance_pct", "deduction_max_pct", "fx_tolerance_pct", "vat_rates"})
"""Settings written as a percentage's number (0.5 for 0.5 %): a cell in a percent format counts as what it
shows. The rate settings (discount_rates, dunning_interest …) read 0.02 and 2 % alike already."""


def _apply(settings: dict[str, Any], base: Config, sheet: str, rows: dict[str, int] | None = None,
           column: int | None = None) -> tuple[Config, list[Problem]]:
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in settings.items():
        row = (rows or {}).get(key)
        name = _KEYS.get(header_key(key))
        if name is None:
            problems.append(Problem(sheet, f"unknown setting {key!r} ignored (known: {', '.join(PARSERS)})", row,
                                    severity="warning"))
            continue
        if v.is_blank(value):
            continue
        if name in PERCENT_SETTINGS:  # 0.5 % typed in a percent format is stored 0.005: read what it shows
            value = v.percent_value(value)
        try:
            parsed = PARSERS[name](value)
        except ValueError as exc:
            problems.append(Problem(sheet, f"{name} {exc}", row, column))
            continue
        wrong = _out_of_range(name, parsed)
        if wrong:
            problems.append(Problem(sheet, wrong, row, column))
            continue
        changes[name] = parsed
    config = dataclasses.replace(base, **changes)
    problems += [Problem(sheet, message) for message in _consistency(config)]
    return config, problems


def config_from_sheet(raw: RawTable | None, base: Config = Config()) -> tuple[Config, list[Problem]]:
    """Read the key/value ``Config`` sheet (header row optional)."""
    if raw is None:
        return base, []
    settings: dict[str, Any] = {}
    rows: dict[str, int] = {}
    lines = [raw.headers, *raw.rows]
    for i, line in enumerate(lines):
        if len(line) < 1 or v.is_blank(line[0]):
            continue
        key = v.parse_text(line[0])
        if i == 0 and header_key(key) in {"setting", "key", "parametro", "parametre", "einstellung", "clave"}:
            continue
        settings[key] = line[1] if len(line) > 1 else None
        rows[key] = raw.header_row + i
    return _apply(settings, base, raw.sheet, rows, raw.first_column + 1)


def config_from_toml(path: Path, base: Config = Config()) -> tuple[Config, list[Problem]]:
    """Read settings from a TOML file (top level or an ``[otc_xl]`` table)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return base, [Problem(str(path), f"cannot read the settings file: {exc}")]
    data = data.get("otc_xl", data)
    settings = {k: (",".join(map(str, val)) if isinstance(val, list) else val) for k, val in data.items()}
    return _apply(settings, base, Path(path).name)

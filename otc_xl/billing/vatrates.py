"""VAT rates a seller may bill at home: which rates are known for its country.

A rate is typed by hand on every order line, and a slip is silent: 21 % typed in a percent format
arrives as 0.21 (read as 21 now, see :class:`otc_xl.model.values.Percent`), 2.1 for 21, 12 for 21.
A line whose rate is not one of the seller's country's rates is blocked, naming the cell and the
rates expected, unless Config ``vat_rates`` lists the rates the seller bills (replacing this list:
for a country not listed here, a special territory, or a rate changed after this list was written).

No maintained Python package carries the current EU rates (pyvat 1.3.18 has only standard rates,
several out of date: EE 22, FI 24, RO 19), so the list below is ours. It holds the standard,
reduced and special rates in force in 2026 for the countries otc_xl's users bill from, with the
regional rates (Corsica, French overseas departments, Madeira and the Azores, Jungholz) and the
Romanian rates before 1 August 2025 (19, 9, 5: deliveries before that date). Sources: the
European Commission's "VAT rates applied in the Member States" and the national tax agencies.
"""

from __future__ import annotations

from decimal import Decimal

KNOWN_RATES: dict[str, tuple[str, ...]] = {
    "AT": ("20", "19", "13", "10"),
    "BE": ("21", "12", "6"),
    "DE": ("19", "7"),
    "ES": ("21", "10", "4"),
    "FR": ("20", "13", "10", "8.5", "5.5", "2.1", "1.05", "0.9"),
    "IE": ("23", "13.5", "9", "4.8"),
    "IT": ("22", "10", "5", "4"),
    "LU": ("17", "14", "8", "3"),
    "NL": ("21", "9"),
    "PL": ("23", "8", "5"),
    "PT": ("23", "22", "16", "13", "12", "9", "6", "5", "4"),
    "RO": ("21", "19", "11", "9", "5"),
}
"""Country → the VAT rates (%) in force there, as text (exact decimals)."""


def allowed_rates(country: str, configured: tuple[float, ...] = ()) -> tuple[Decimal, ...] | None:
    """The rates a seller in ``country`` may bill: Config ``vat_rates`` when given, else the known
    rates of the country; None when neither is known (the rate is then only checked to be a
    percentage above 1, see :func:`rate_problem`)."""
    if configured:
        return tuple(Decimal(repr(float(r))) for r in configured)
    known = KNOWN_RATES.get(str(country or "").strip().upper())
    return tuple(Decimal(r) for r in known) if known else None


def _shown(rates) -> str:
    return ", ".join(f"{r.normalize():f}" for r in rates)


def rate_problem(rate: Decimal, country: str, allowed: tuple[Decimal, ...] | None) -> str | None:
    """What is wrong with a standard or reduced VAT ``rate`` (%) for a seller in ``country``, or None."""
    if allowed is not None:
        if any(rate == r for r in allowed):
            return None
        hint = ""
        if any(rate * 100 == r for r in allowed):
            hint = f" ({rate.normalize():f} looks like {(rate * 100).normalize():f} % written as a fraction)"
        where = f"of {country}" if country else "of Config vat_rates"
        return (f"a VAT rate {where} ({_shown(allowed)} %), found {rate.normalize():f}{hint}; if the rate is right, "
                "list the rates you bill in Config vat_rates")
    if rate < 1:
        return (f"a VAT rate in % (21 for 21 %), found {rate.normalize():f}, which looks like a fraction; if it is "
                "right, list the rates you bill in Config vat_rates")
    return None

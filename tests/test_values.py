"""Amounts, dates and codes as European and American spreadsheets write them."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otc_xl.model.money import cents, from_cents, money_sum
from otc_xl.model.values import (
    parse_amount,
    parse_currency,
    parse_date,
    parse_integer,
    parse_language,
    parse_text,
    plain_amount_cents,
    to_cents,
)


@pytest.mark.parametrize("text, expected", [
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("(100.00)", "-100.00"), ("100-", "-100"),
    ("€ 1 234,56", "1234.56"), ("1\u00a0234,56 €", "1234.56"), ("-1.234,56 €", "-1234.56"),
    ("EUR 1.234,56", "1234.56"), ("1'234.56", "1234.56"), ("12,5", "12.5"), ("1.234.567,89", "1234567.89"),
    ("1,234,567.89", "1234567.89"), ("1.234", "1234"), ("0,50", "0.50"), (",50", "0.50"), ("+12.00", "12.00"),
    ("USD -5.00", "-5.00"), ("12 345,67 EUR", "12345.67"), ("\u22127,00", "-7.00"), ("1234", "1234"),
])
def test_amount_text_formats(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("value, expected", [(12.5, "12.5"), (3, "3"), (0.1 + 0.2, "0.30000000000000004")])
def test_amount_numbers(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("text", ["1.234,5O", "12.34.56", "--5", "1,23,4", "abc", "", "1.2.3,4.5", "(12", "12,34,5",
                                  "1,234.567,89", "1.234,567.89"])
def test_amount_rejects_non_numbers(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_amount(text)


def test_amount_separator_setting_resolves_ambiguity():
    assert parse_amount("1.234") == Decimal("1234")
    assert parse_amount("1.234", decimal_separator=".") == Decimal("1.234")
    assert parse_amount("1,234", decimal_separator=",") == Decimal("1.234")


@pytest.mark.parametrize("value, expected", [
    ("2026-12-31", dt.date(2026, 12, 31)), ("31/12/2026", dt.date(2026, 12, 31)),
    ("31.12.2026", dt.date(2026, 12, 31)), ("31-12-26", dt.date(2026, 12, 31)), ("2026/12/31", dt.date(2026, 12, 31)),
    ("20261231", dt.date(2026, 12, 31)), (20261231, dt.date(2026, 12, 31)), (46387, dt.date(2026, 12, 31)),
    (46387.75, dt.date(2026, 12, 31)), ("46387", dt.date(2026, 12, 31)), ("2026-12-31T10:30:00", dt.date(2026, 12, 31)),
    (dt.datetime(2026, 12, 31, 13, 5), dt.date(2026, 12, 31)), (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ("3/4/2026", dt.date(2026, 4, 3)),
])
def test_dates(value, expected):
    assert parse_date(value) == expected


def test_month_first_setting():
    assert parse_date("3/4/2026", date_order="MDY") == dt.date(2026, 3, 4)
    assert parse_date("12/31/2026", date_order="MDY") == dt.date(2026, 12, 31)


@pytest.mark.parametrize("value, message", [
    ("31/02/2026", "impossible date"), ("12/31/2026", "looks like month/day"), ("tomorrow", "is not a date"),
    (0, "is not a date"), (True, "is not a date"), ("2026-13-01", "impossible date"),
])
def test_bad_dates(value, message):
    with pytest.raises(ValueError, match=message):
        parse_date(value)


def test_codes_and_text():
    assert parse_currency("eur") == "EUR" and parse_currency("€") == "EUR"
    assert parse_language("es-ES") == "es" and parse_language("Español") == "es" and parse_language("Deutsch") == "de"
    assert parse_text(10023.0) == "10023" and parse_text("  A-1 ") == "A-1"
    assert parse_text(dt.datetime(2026, 1, 2)) == "2026-01-02"
    assert parse_integer("30") == 30 and parse_integer(60.0) == 60
    for bad, parse in (("EURO", parse_currency), ("klingon", parse_language), ("30.5", parse_integer)):
        with pytest.raises(ValueError):
            parse(bad)


def test_cents_are_exact():
    assert to_cents(Decimal("0.005")) == 1 and to_cents(Decimal("-0.005")) == -1
    assert list(cents([0.1 + 0.2, -0.005, 1234.56])) == [30, -1, 123456]
    assert money_sum([0.1] * 10) == 1.0
    assert list(from_cents([123456])) == [1234.56]


@given(st.integers(min_value=-10**11, max_value=10**11))
def test_amount_round_trip_european_and_english(c):
    sign = "-" if c < 0 else ""
    whole, frac = divmod(abs(c), 100)
    eu = f"{sign}{whole:,}".replace(",", ".") + f",{frac:02d}"
    en = f"{sign}{whole:,}.{frac:02d}"
    assert to_cents(parse_amount(eu)) == c
    assert to_cents(parse_amount(en)) == c


def _shown(c: int, decimal: str) -> str:
    text = f"{c / 100:,.2f}" if abs(c) < 2**52 else f"{'-' if c < 0 else ''}{abs(c) // 100:,}.{abs(c) % 100:02d}"
    return text if decimal == "." else text.replace(",", "X").replace(".", ",").replace("X", ".")


@given(st.lists(st.tuples(st.integers(min_value=-10**15 + 1, max_value=10**15 - 1), st.sampled_from(",.")),
                max_size=30),
       st.lists(st.sampled_from(["", " ", "100-", "(5,00)", "€ 7", "1.5", "1.234", "12,34,5", "1,234.567,89",
                                 "abc", "+3,00", "1234,5"]), max_size=5),
       st.sampled_from(["auto", ",", "."]))
def test_plain_amounts_in_one_pass_agree_with_one_by_one(amounts, others, separator):
    """Every plain amount whose decimal separator the setting allows is read in the one pass, to
    the cent parse_amount gives; any other text is left to parse_amount."""
    texts = [_shown(c, d) for c, d in amounts] + others
    found, plain = plain_amount_cents(texts, separator)
    for (c, decimal), got, ok in zip(amounts, found, plain):
        assert ok == (separator in ("auto", decimal))
        if ok:
            assert got == c == to_cents(parse_amount(_shown(c, decimal), separator))
    assert not plain[len(amounts):].any()


def test_plain_amounts_refuse_the_unsafe():
    found, plain = plain_amount_cents(["99.999.999.999.999,00", "9.999.999.999,99", "1,50\n2,50", "3,00"], ",")
    assert list(plain) == [False, False, False, False]  # beyond MAX_AMOUNT; a line break in a cell: one by one
    found, plain = plain_amount_cents(["9.999.999.999,99", "-0,05", "1.234.567,89"], ",")
    assert list(found) == [999999999999, -5, 123456789] and plain.all()


def test_one_cent_rounding_rule_for_columns_and_single_values():
    """money.cents (columns) and money.to_cents (one value) round alike: half away from zero on the
    amount as written, also where the binary value lies a hair below the half cent (277820.915)."""
    from hypothesis import given
    from hypothesis import strategies as st

    from otc_xl.model.money import cents, to_cents
    from otc_xl.model.values import to_cents as values_to_cents

    assert values_to_cents is to_cents
    assert to_cents(277820.915) == 27782092 and cents(277820.915).item() == 27782092
    assert list(cents([1.005, -1.005, 2.675, 0.1 + 0.2, 1e12 + 0.005, 4398046511.105])) == [
        101, -101, 268, 30, 100000000000001, 439804651111]  # the last found by hypothesis

    @given(st.integers(-10**13, 10**13))
    def agree(thousandths):
        value = thousandths / 1000
        assert cents([value])[0] == to_cents(value) == to_cents(Decimal(repr(value)))
    agree()

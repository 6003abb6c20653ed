"""Issue 30: the lockbox field positions checked against a parser written apart from otc_xl.

FundersClub's ``bai-lockbox`` (PyPI, LGPL-3, a test dependency only) was written to its bank's BAI
lockbox specification and tested with that bank's files. A transmission in that bank's layout is read
by both; the checks must agree field by field (amount, check number, routing and account numbers,
remitter, memo). That confirms the positions otc_xl's layouts share with it (records 1, 5, 6, 7, 8
and 9: batch, item, amount, routing, account, check number, deposit date, totals) by a reading that
is not ours."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

import otc_xl
from otc_xl.io.formats.bank import parse_bank_file

parser = pytest.importorskip("lockbox.parser", reason="bai-lockbox (the test extra) is not installed")


def rec(width: int, *parts: tuple[int, str]) -> str:
    """A record of ``width`` characters from (first column, 1-based, text) parts."""
    out = [" "] * width
    for column, text in parts:
        out[column - 1:column - 1 + len(text)] = list(text)
    return "".join(out)


# bai-lockbox adds dollars as floats and compares them exactly (44,560.94 would fail its own check):
# amounts in quarters keep its sums exact; otc_xl counts cents.
CHECKS = [  # batch, item, cents, routing, account, check number, check date MMDDYY, remitter, memo lines
    (1, 1, 125000, "021000021", "0123456789", "0000010231", "111826", "ACME HARDWARE INC", ["INV 90417702",
                                                                                          "INV 90417703 LESS FREIGHT"]),
    (1, 2, 9975, "026009593", "0000987654", "0000000055", "111926", "J. SMITH AND CO", []),
    (2, 1, 4321050, "111000025", "5550001112", "0000700001", "112026", "NORTHWIND TRADERS LLC", ["PO 4500012345"]),
]


def transmission(batch_total_cents: dict[int, int] | None = None) -> str:
    lines = [rec(104, (1, "1"), (2, "01"), (4, "0000ACMEUS"), (14, "0210000210"), (24, "261120"), (30, "0600")),
             rec(104, (1, "2"), (2, "ACMEUS    BANKOFTEST"), (22, "0000012345"), (32, "400"), (35, "104"),
                 (38, "0000"), (42, "1"))]
    # one lockbox header (5) for the lockbox's batches, as the banks' specifications have it
    lines.append(rec(104, (1, "5"), (2, "001"), (5, "000"), (8, "1234567"), (15, "261119"),
                     (21, "ACMEUS    BANKOFTEST")))
    for batch in (1, 2):
        checks = [c for c in CHECKS if c[0] == batch]
        for _, item, cents, routing, account, number, when, remitter, memo in checks:
            lines.append(rec(160, (1, "6"), (2, f"{batch:03d}"), (5, f"{item:03d}"), (8, f"{cents:010d}"),
                             (18, routing), (27, account), (37, number), (47, when), (53, remitter.ljust(30)),
                             (83, "ACME SUPPLY CORP")))
            for k, text in enumerate(memo, start=1):
                lines.append(rec(104, (1, "4"), (2, f"{batch:03d}"), (5, f"{item:03d}"), (8, "6"), (9, f"{k:02d}"),
                                 (11, "9" if k == len(memo) else "0"), (12, text.ljust(30))))
        total = (batch_total_cents or {}).get(batch, sum(c[2] for c in checks))
        lines.append(rec(104, (1, "7"), (2, f"{batch:03d}"), (5, "999"), (8, "1234567"), (15, "261120"),
                         (21, f"{len(checks):03d}"), (24, f"{total:010d}")))
    lines.append(rec(104, (1, "8"), (2, "000"), (5, "000"), (8, "1234567"), (15, "261120"),
                     (21, f"{len(CHECKS):04d}"), (25, f"{sum(c[2] for c in CHECKS):010d}")))
    lines.append(rec(104, (1, "9"), (2, f"{len(lines) + 1:06d}")))
    return "\r\n".join(lines) + "\r\n"


def test_both_parsers_read_the_same_checks(tmp_path):
    text = transmission()
    theirs = parser.LockboxFile.from_file(io.StringIO(text)).checks
    path = tmp_path / "lockbox_1234567_261120.txt"
    path.write_text(text, encoding="latin-1")
    ours = parse_bank_file(path).payments
    expected = sorted((Decimal(f"{c.amount:.2f}"), str(c.number), c.sender_routing_number,
                       c.sender_account_number.lstrip("0"), c.sender) for c in theirs)
    got = sorted((Decimal(f"{r.amount:.2f}"), r.remittance.split("CHECK ")[1].split()[0],
                  r.payer_account.split()[1], r.payer_account.split()[3], r.payer_name) for r in ours.itertuples())
    assert len(theirs) == 3 and got == expected
    assert sum(e[0] for e in expected) == Decimal("44560.25")
    # every batch of the lockbox: its number and the deposit date of its header (5), not the transmission's (1)
    assert set(ours["payment_date"].astype(str).str[:10]) == {"2026-11-19"}
    assert ours["remittance"].str.startswith("LOCKBOX 1234567 BATCH").all()
    memo = {c.sender: c.memo for c in theirs}  # theirs joins the memo lines without a space
    acme = ours.loc[ours["payer_name"] == "ACME HARDWARE INC", "remittance"].iloc[0]
    assert acme.endswith(" INV 90417702 INV 90417703 LESS FREIGHT")
    assert memo["ACME HARDWARE INC"].replace(" ", "") == "INV90417702INV90417703LESSFREIGHT"


def test_a_batch_that_does_not_tie_is_refused_with_its_figures(tmp_path):
    path = tmp_path / "lockbox.txt"
    path.write_text(transmission({2: 4321099}), encoding="latin-1")
    with pytest.raises(otc_xl.ValidationError) as caught:
        parse_bank_file(path)
    said = "\n".join(map(str, caught.value.problems))
    assert "batch 002: its 1 check(s) sum 43,210.50 but the batch total (record 7) says 1 check(s), 43,210.99 " \
           "(off by 0.49)" in said, said

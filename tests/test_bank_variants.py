"""Variants real banks send, found by reading the public test files of other projects (issue 30),
each reproduced here by a small hand-written file (none of them copied from those files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from otc_xl.io.formats.bank import parse_bank_file
from otc_xl.model.problems import ValidationError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_bank_file(path)
    return "\n".join(map(str, caught.value.problems))


MT940_QUIET_DAYS = """:940:
:20:940S240105
:25:NL91ABNA0417164300 EUR
:28:00000/00
:60F:C240104EUR000000001250.40
:62F:C240105EUR000000001250.40
:20:940S240106
:25:NL91ABNA0417164300 EUR
:28:00000/00
:60F:C240105EUR000000001250.40
:62F:C240106EUR000000001250.40
"""


def test_mt940_days_without_movements_are_read_when_their_balances_say_so(tmp_path):
    """Rabobank sends a statement for every day, movements or not: two days without a ``:61:``
    whose balances stay put are a valid file with no receipts, said in a note."""
    lines = parse_bank_file(write(tmp_path, "quiet.sta", MT940_QUIET_DAYS))
    assert (len(lines.payments), lines.debits, lines.source) == (0, 0, "MT940")
    assert any("no transaction lines (:61:); the balances say nothing moved" in note for note in lines.notes)


def test_mt940_without_movements_whose_balances_differ_is_refused_with_the_figures(tmp_path):
    moved = MT940_QUIET_DAYS.replace(":62F:C240105EUR000000001250.40", ":62F:C240105EUR000000001300.40")
    message = refusal(write(tmp_path, "moved.sta", moved))
    assert ("moved.sta: statement 1 (line 2): balances do not tie: opening 1,250.40 + movements 0.00 = 1,250.40, "
            "but the closing balance (:62F:) says 1,300.40") in message


def test_mt940_with_neither_movements_nor_balances_is_refused(tmp_path):
    message = refusal(write(tmp_path, "bare.sta", ":20:940S240105\n:25:NL91ABNA0417164300\n:28C:1\n"))
    assert "bare.sta: MT940 file without transaction lines (:61:) and without balances" in message

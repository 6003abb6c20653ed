"""Shared fixtures: small hand-made workbooks, the shipped demo workbook, LibreOffice."""

from __future__ import annotations

import os

# xlwings' remote engine (xw.Book(json=...)) is licensed for non-commercial use, as in this open-source
# test suite; XLWINGS_ON_SERVER makes @xw.func register UDFs as xlwings Server does. Both must be set
# before xlwings is first imported.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ["XLWINGS_ON_SERVER"] = "true"

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "workbooks" / "otc_demo.xlsx"

def write_book(path: Path, sheets: dict[str, list[list]], tables: dict[str, str] | None = None,
               merged: dict[str, list[str]] | None = None) -> Path:
    """Write ``sheets`` ({name: rows}) to ``path``; ``tables`` maps sheet → Excel Table name."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:  # text that starts with "=" is text in users' files, not a formula
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for cell_range in (merged or {}).get(name, []):
            ws.merge_cells(cell_range)
        if tables and name in tables and rows:
            ws.add_table(Table(displayName=tables[name], ref=ws.dimensions))
    book.save(path)
    return path


@pytest.fixture
def make_book(tmp_path):
    counter = iter(range(1000))

    def make(sheets, **kwargs) -> Path:
        return write_book(tmp_path / f"book{next(counter)}.xlsx", sheets, **kwargs)

    return make


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A private copy of the shipped demo workbook."""
    target = tmp_path / "otc_demo.xlsx"
    shutil.copy(DEMO, target)
    return target


LIBREOFFICE_CHECKS = ("LibreOffice", "UNO bridge")
"""Words in the skip reason of the tests that need LibreOffice (needs_libreoffice, needs_writer, needs_uno)."""


def pytest_collection_modifyitems(config, items):
    """Tests that need LibreOffice carry the ``libreoffice`` marker, so ``pytest`` alone leaves them out
    (``-m ""``, the README's command and .ci/run, runs them)."""
    for item in items:
        reasons = [m.kwargs.get("reason", "") for m in item.iter_markers("skipif")]
        if any(word in reason for reason in reasons for word in LIBREOFFICE_CHECKS):
            item.add_marker(pytest.mark.libreoffice)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed; "
                                       ".ci/run installs libreoffice-calc-nogui")


def libreoffice_has(library: str) -> bool:
    """Whether LibreOffice's program folder holds ``library`` (``libswlo`` = Writer, ``libsclo`` = Calc):
    Calc can be installed without Writer, and then HTML cannot be printed to PDF."""
    if soffice() is None:
        return False
    program = Path(os.path.realpath(soffice())).parent
    return any(program.glob(f"{library}.*"))


needs_writer = pytest.mark.skipif(not libreoffice_has("libswlo"), reason="LibreOffice Writer is not installed "
                                  "(it prints the HTML letters to PDF); .ci/run installs libreoffice-writer-nogui")


def libreoffice_convert(source: Path, fmt: str, outdir: Path, sheet: int | None = None) -> Path:
    """Open ``source`` in LibreOffice headless and convert it; fails the test on any error."""
    target_fmt = fmt
    if fmt == "csv" and sheet is not None:  # LibreOffice ≥7.2: choose the sheet, UTF-8, all text as shown
        target_fmt = f'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}'
    profile = outdir / "lo_profile"
    result = subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                             "--convert-to", target_fmt, "--outdir", str(outdir), str(source)],
                            capture_output=True, text=True, timeout=180)
    produced = sorted(outdir.glob(f"{source.stem}*.{fmt}"))
    assert result.returncode == 0 and produced, f"LibreOffice failed: {result.stdout}\n{result.stderr}"
    return produced[0]


# ---------------------------------------------------------------------------- LibreOffice through UNO

SYSTEM_PYTHON = "/usr/bin/python3"
LO_UNO = Path(__file__).parent / "lo_uno.py"


def _uno_missing() -> str:
    if not shutil.which("soffice"):
        return "LibreOffice (soffice) is not installed"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True) if Path(
        SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode:
        return "the system python3 has no LibreOffice UNO bridge (apt-get install python3-uno)"
    return ""


needs_uno = pytest.mark.skipif(bool(_uno_missing()), reason=_uno_missing() or "the LibreOffice UNO bridge is there")
"""The reason names LibreOffice even when the bridge is there, so pytest_collection_modifyitems marks the
test ``libreoffice`` (with "ok" the UNO tests ran in the default run)."""


def uno(tmp_path: Path, *args) -> str:
    result = subprocess.run([SYSTEM_PYTHON, str(LO_UNO), *map(str, args), str(tmp_path / "lo_profile")],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout

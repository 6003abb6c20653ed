"""Report sheets written into the user's own workbook, touching nothing that is not ours.

The reports are laid out by xlsxwriter in a scratch package (:mod:`otc_xl.io.xlsx.report_writer`);
their parts are then spliced, at zip level, into a copy of the user's package that is renamed
over the original:

* a report sheet already in the workbook (it holds the report's Excel Table, e.g. ``tblAgeing``)
  keeps its part name, its place among the sheets, its sheet id and its VBA code name (an .xlsm's
  document module is tied to it); its contents and its own table, drawing and chart parts are
  replaced;
* a new report sheet is added after the others;
* the cell formats and conditional-format styles the new sheets use are found or appended in the
  workbook's ``styles.xml`` (the user's styles keep their indices); text xlsxwriter stored as
  shared strings becomes inline text, so ``sharedStrings.xml`` is not touched;
* every other part — the user's sheets, charts, pictures, shapes, form controls, slicers, pivot
  tables and caches, data validations, conditional formats, defined names, the VBA project,
  custom XML, external links — is copied byte for byte. Only ``workbook.xml``, its
  relationships and ``[Content_Types].xml`` change when a sheet is added, and ``calcChain.xml``
  (Excel's cache of formula order, rebuilt by Excel) is dropped when it lists a replaced sheet.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from defusedxml import ElementTree

from ...model.problems import Problem, ValidationError
from ...model.report import ReportSheet
from ..files import replace_atomically
from .package import NS, sheet_parts
from .pivots import pivot_package_parts
from .report_writer import lay_out
from .sheet_append import write_package
from .splice_plan import _Plan
from .splice_xml import own_sheets


def backup_path(book: Path) -> Path:
    """``ledger.bak.xlsx`` beside ``ledger.xlsx``: the one backup kept of the previous file."""
    return book.with_name(f"{book.stem}.bak{book.suffix}")


def replace_report_sheets(book_path: str | Path, reports: list[ReportSheet], target: str | Path | None = None,
                          on_sheet: Callable[[str], None] | None = None, backup: bool = True) -> Path:
    """Write ``reports`` into the workbook ``book_path`` (saved as ``target``, default itself),
    replacing only otc_xl's own report sheets; keep the previous file as ``NAME.bak.xlsx``
    (``backup``). Refused, with nothing written, when a same-named sheet is not ours (a sheet is
    otc_xl's when it holds the report's Excel Table, e.g. ``tblAgeing``), a report's table name is
    taken by another sheet, or the workbook is not .xlsx/.xlsm."""
    source = Path(book_path)
    target = Path(target) if target else source
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValidationError([Problem(source.name, "report sheets can be written into .xlsx and .xlsm workbooks "
                                                    "only; write them to a new file with --out")])
    try:
        with zipfile.ZipFile(source) as z:
            old = _check(z, reports)
        with tempfile.TemporaryDirectory(prefix="otc_xl_") as tmp:
            scratch = Path(tmp) / "layout.xlsx"
            layouts = lay_out(scratch, reports, on_sheet)
            with zipfile.ZipFile(scratch) as z:  # our PivotTables travel with their sheets
                pivot_changed, pivot_added = pivot_package_parts(z.read, set(z.NameToInfo), reports, sheet_parts(z))
            if pivot_added:
                with_pivots = Path(tmp) / "pivots.xlsx"
                write_package(scratch, str(with_pivots), pivot_changed, pivot_added)
                scratch = with_pivots
            with zipfile.ZipFile(source) as user, zipfile.ZipFile(scratch) as ours:
                plan = _Plan(user, ours, old)
                for layout in layouts:
                    plan.add_sheet(layout)
                changed, added, removed = plan.finish()
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError) as exc:
        raise ValidationError([Problem(source.name, f"otc_xl cannot write into this workbook safely ({exc}); "
                                                    "nothing was written: write the reports to a new file with "
                                                    "--out")]) from None
    # the new sheets' rows are streamed from the report frames while the package is copied
    if backup and target == source:
        replace_atomically(backup_path(source), lambda t: shutil.copyfile(source, t))
    replace_atomically(target, lambda t: write_package(source, t, changed, added, removed))
    return target


def _defined_names(z: zipfile.ZipFile) -> list[str]:
    """The workbook's defined names (Name Manager), which share one namespace with table names."""
    root = ElementTree.fromstring(z.read("xl/workbook.xml"))
    return [e.get("name", "") for e in root.iter(f"{{{NS['m']}}}definedName")]


def _check(z: zipfile.ZipFile, reports: list[ReportSheet]) -> set[str]:
    """The report sheets already in the workbook (to be replaced); ValidationError when a sheet or
    table name is taken by something that is not ours. Names are compared as Excel compares them,
    ignoring case: a sheet ``kpis`` is the sheet ``KPIs``, a table ``TBLAGEING`` or a defined name
    ``tblageing`` takes the table name ``tblAgeing`` (two such names make Excel report the file as
    damaged)."""
    tables = own_sheets(z)
    names = _defined_names(z)
    problems, old = [], set()
    for report in reports:
        table, sheet_key = report.table.casefold(), report.sheet.casefold()
        for sheet, held in tables.items():
            if sheet == report.sheet:
                continue
            for name in held:
                if name.casefold() == table:
                    problems.append(Problem(sheet, f"already has a table named {name}, the name of otc_xl's table "
                                                   f"{report.table} (Excel ignores case in table names); rename it"))
        for name in names:
            if name.casefold() == table:
                problems.append(Problem(report.sheet, f"the workbook has a defined name {name}, the name of otc_xl's "
                                                      f"table {report.table} (tables and names share one list in "
                                                      "Excel, ignoring case); rename it in Formulas > Name Manager"))
        twin = next((sheet for sheet in tables if sheet.casefold() == sheet_key and sheet != report.sheet), None)
        if twin is not None:
            problems.append(Problem(twin, f"this sheet's name is otc_xl's sheet {report.sheet} in other letter case "
                                          "(Excel ignores case in sheet names); rename it so otc_xl can write its "
                                          "report"))
        elif report.sheet in tables:
            if report.table not in tables[report.sheet]:
                problems.append(Problem(report.sheet, f"this sheet was not written by otc_xl (it has no table "
                                                      f"{report.table}); rename it so otc_xl can write its report"))
            else:
                old.add(report.sheet)
    if problems:
        raise ValidationError(problems)
    return old

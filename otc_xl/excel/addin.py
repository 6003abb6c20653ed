"""Building the OTC add-in (``OTC.xlam``) and a button-ready workbook (``otc_workbook.xlsm``) on any OS
(installing the add-in: :mod:`otc_xl.excel.addin_install`).

The text files in ``macros/`` are the source of truth: ``customUI14.xml`` (the OTC ribbon tab), the
``.bas`` modules (ribbon callbacks and sheet-button macros, which call ``RunPython``) and
``OTC_UDFs.vba`` (the hand-written part of the worksheet functions' module). Both packages embed
xlwings' own VBA, taken from the installed xlwings, so no xlwings add-in or reference to it is
needed, each the variant xlwings ships for its kind of file:

* ``OTC.xlam`` embeds ``xlwings_custom_addin.bas`` (what ``xlwings quickstart --addin`` uses):
  ``RunPython`` passes the *active* workbook (``--wb=ActiveWorkbook.Name``, ``BOOK_CALLER =
  ActiveWorkbook``), so ``xw.Book.caller()`` is the associate's workbook, not the add-in;
* ``otc_workbook.xlsm`` embeds ``xlwings.bas`` (``xlwings quickstart --standalone``): its buttons
  run on the workbook itself.

In both, xlwings' ``PROJECT_NAME`` is ``otc_xl`` (:mod:`otc_xl.excel.xlwings_vba`), the only line
changed: the VBA reads its settings from ``otc_xl.conf``
(:func:`~otc_xl.excel.addin_install.project_config_file`) and never from the user's global
``xlwings.conf``, which other xlwings workbooks use. The add-in also carries ``OTC_UDFs``: xlwings'
own wrapper generator (``xlwings.udfs.generate_vba_wrapper``, what "Import Functions" runs) applied
to :mod:`otc_xl.excel.udfs` as classic xlwings decorates it, with two documented edits per function
(:mod:`otc_xl.excel.udf_vba`), so formulas need no "Import Functions".

The VBA project (``vbaProject.bin``) is written from those modules with the ``ms-ovba`` package
(:mod:`otc_xl.excel.vba_project`) — source only, no compiled p-code, which Excel compiles when it
opens the file — and the Office package is assembled from an openpyxl workbook plus the VBA and
ribbon parts. Verified here with oletools (the modules and their source read back), an independent
VBA grammar (every module of both files parses, Windows and macOS branches) and LibreOffice (the
package opens); loading in Excel itself can only be checked on Windows/macOS.
"""

from __future__ import annotations

import html
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import cast

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from ..io.xlsx.writer import set_cell
from .macro_sources import SHEET_BUTTONS, _screentips, button_captions, default_macros_dir, sheet_button_macros
from .udf_vba import classic_udf_module, udf_names, udf_wrappers
from .vba_project import vba_project
from .xlwings_vba import PROJECT_NAME, dictionary_class, xlwings_vba, xlwings_version

VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MAIN_CONTENT_TYPES = {
    "xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


BUILT_WITH = "otc_xl {otc}; VBA of xlwings {xlwings}"
"""The package description (docProps/core.xml) of both files: which xlwings VBA is embedded."""


ADDIN_THIS_WORKBOOK = ["Option Explicit", "", "Private Sub Workbook_Open()",
                       "    OTC_RegisterFunctions ' the function wizard's descriptions (OTC_UDFs)", "End Sub"]
"""Code of the add-in's ThisWorkbook module."""


def _standalone_project(macros: Path, kind: str) -> bytes:
    """Our modules, xlwings' module for ``kind`` (:func:`xlwings_vba`) and its Dictionary class. The
    add-in carries the worksheet functions' wrappers and not the sheet-button macros (``Ageing``
    the button and ``AGEING`` the formula would be the same name in one project); the workbook
    carries the buttons."""
    with tempfile.TemporaryDirectory() as tmp:
        ours = [m for m in sorted(macros.glob("*.bas")) if not (kind == "xlam" and m.name == SHEET_BUTTONS)]
        embedded = Path(tmp) / "xlwings.bas"
        embedded.write_bytes(xlwings_vba(kind).encode("ascii"))
        modules = [*ours, embedded]
        if kind == "xlam":
            wrappers = Path(tmp) / "OTC_UDFs.bas"
            wrappers.write_bytes(udf_wrappers(macros).encode("ascii"))
            modules.append(wrappers)
        return vba_project(modules, [dictionary_class()], ADDIN_THIS_WORKBOOK if kind == "xlam" else [])


def help_lines(macros: Path) -> list[str]:
    """The add-in's Help sheet (the ribbon's Help button copies it into a new workbook): the buttons,
    how to lay out the workbook, the formulas, where settings and problems go."""
    from .. import __version__
    from ..model.contracts import CONTRACTS

    lines = [f"otc_xl {__version__} - Order-to-Cash toolkit (OTC add-in, VBA of xlwings {xlwings_version()})", "",
             "The OTC tab of the ribbon runs otc_xl on the active workbook (the one you are looking at):"]
    lines += [f"  {label}: {tip}" for label, tip in _screentips(macros)]
    lines += ["", "How to lay out the workbook: one sheet (or Excel Table) per input, the header row among the "
                  "first 15 rows; headers in English, Spanish, Italian, French or German.",
              "Required columns (others are optional; see the data dictionary of otc-xl template):"]
    lines += [f"  {c.sheet_names[0]}: {', '.join(col.name for col in c.required)}" for c in CONTRACTS.values()]
    lines += ["  Config: two columns, Setting and Value (optional).", "",
              "Problems are listed on the otc_messages sheet of your workbook and in the status bar; "
              "letters and files go to <workbook>_letters/<date>/ beside a saved workbook.", "",
              "Formulas (Excel for Windows; in xlwings Lite they are =OTC.AGEBUCKET(...) and so on):"]
    module = classic_udf_module()
    for name in udf_names():
        xlfunc = getattr(module, name).__xlfunc__
        arguments = ", ".join(f"[{a['name']}]" if "optional" in a else a["name"] for a in xlfunc["args"])
        lines.append(f"  ={name.upper()}({arguments}): {' '.join(xlfunc['ret']['doc'].split())}")
    lines += ["", "Results of several cells spill in Excel 365/2021; older Excel shows the first value and a note.",
              f"Settings (the Python interpreter) are in {PROJECT_NAME}.conf, written by otc-xl addin install.",
              "Installation, first run in a company and troubleshooting: the otc_xl README "
              "(also its package description)."]
    return lines


def _addin_book(macros: Path) -> bytes:
    """The add-in's workbook: one sheet, ``Help`` (copied by the ribbon's Help button)."""
    from .. import __version__

    book = openpyxl.Workbook()
    book.code_name = "ThisWorkbook"
    book.properties.description = BUILT_WITH.format(otc=__version__, xlwings=xlwings_version())
    ws = cast(Worksheet, book.active)  # a new workbook's one sheet
    ws.title = "Help"
    ws.sheet_properties.codeName = "Sheet1"
    for i, line in enumerate(help_lines(macros), start=1):
        set_cell(ws, i, 2, line)
    ws.column_dimensions["B"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _patch(xml: bytes, pattern: bytes, insert: bytes) -> bytes:
    return xml.replace(pattern, insert + pattern, 1)


def build_package(target: str | Path, kind: str = "xlam", macros_dir: Path | None = None) -> Path:
    """Write ``OTC.xlam`` to ``target`` (``kind="xlam"``; ``"xlsm"`` is :func:`build_workbook`)."""
    if kind == "xlsm":
        return build_workbook(target, macros_dir)
    if kind != "xlam":
        raise ValueError(f"kind must be one of {', '.join(MAIN_CONTENT_TYPES)}")
    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    vba = _standalone_project(macros, "xlam")
    ribbon = (macros / "customUI14.xml").read_bytes()
    target = Path(target)
    with zipfile.ZipFile(io.BytesIO(_addin_book(macros))) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(SHEET_MAIN.encode(), MAIN_CONTENT_TYPES[kind].encode())
                data = _patch(data, b"<Override",
                              f'<Default Extension="bin" ContentType="{VBA_CONTENT_TYPE}"/>'.encode())
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = _patch(data, b"</Relationships>",
                              f'<Relationship Id="rIdVBA" Type="{VBA_RELATIONSHIP}" Target="vbaProject.bin"/>'.encode())
            elif info.filename == "_rels/.rels":
                data = _patch(data, b"</Relationships>",
                              f'<Relationship Id="rIdUI" Type="{UI_RELATIONSHIP}" '
                              f'Target="customUI/customUI14.xml"/>'.encode())
            elif info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
        dst.writestr(zipfile.ZipInfo("xl/vbaProject.bin", FIXED_TIME), vba, zipfile.ZIP_DEFLATED)
        dst.writestr(zipfile.ZipInfo("customUI/customUI14.xml", FIXED_TIME), ribbon, zipfile.ZIP_DEFLATED)
    return target


def build_workbook(target: str | Path, macros_dir: Path | None = None) -> Path:
    """``otc_workbook.xlsm``: a Dashboard sheet with one form button per otc_xl action, each
    assigned to its macro and captioned as on the ribbon, and the VBA project. No ribbon: the OTC
    tab comes from ``OTC.xlam`` (a ribbon here too would show a second OTC tab). Written with
    xlsxwriter, which writes VBA projects and macro buttons; reproducible (fixed dates)."""
    import datetime as dt

    import xlsxwriter

    from .. import __version__

    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    vba = _standalone_project(macros, "xlsm")
    captions = button_captions(macros)
    target = Path(target)
    book = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False})
    book.set_properties({"title": "otc_xl", "created": dt.datetime(2026, 1, 1),
                         "comments": BUILT_WITH.format(otc=__version__, xlwings=xlwings_version())})
    book.add_vba_project(io.BytesIO(vba), is_stream=True)
    book.set_vba_name("ThisWorkbook")
    ws = book.add_worksheet("Dashboard")
    ws.set_vba_name("Sheet1")
    ws.set_column("B:B", 26)
    ws.set_column("D:D", 70)
    bold = book.add_format({"bold": True, "font_size": 14})
    ws.write_string(0, 1, "otc_xl — Order-to-Cash toolkit", bold)
    ws.write_string(1, 1, "Each button runs otc_xl on this workbook's input tables (Invoices, Payments, Customers, "
                          "Orders, Sales, Aliases, Config — see the README).")
    ws.write_string(2, 1, "Needs Python with otc_xl installed and otc-xl addin install run once (it writes the "
                          f"interpreter into {PROJECT_NAME}.conf); the xlwings add-in is not needed. The OTC tab of "
                          "the ribbon comes from OTC.xlam.")
    for i, (macro, action) in enumerate(sheet_button_macros(macros)):
        row = 4 + 2 * i
        ws.insert_button(row, 1, {"macro": macro, "caption": captions[action], "width": 180, "height": 30})
        ws.write_string(row, 3, f"macro {macro} → otc_xl.excel.buttons.{action}()")
    book.close()
    return target


def build_all(out_dir: str | Path, macros_dir: Path | None = None) -> list[Path]:
    """``OTC.xlam`` (ribbon add-in) and ``otc_workbook.xlsm`` (sheet buttons) in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [build_package(out / "OTC.xlam", "xlam", macros_dir), build_workbook(out / "otc_workbook.xlsm", macros_dir)]


def built_with(path: Path) -> str | None:
    """The xlwings version whose VBA a package built by otc_xl embeds (its core description), or None."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(r"VBA of xlwings ([\w.+-]+)", html.unescape(core))
    return found.group(1) if found else None

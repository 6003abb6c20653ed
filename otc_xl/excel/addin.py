"""Building the OTC add-in (``OTC.xlam``) and a button-ready workbook (``otc_workbook.xlsm``) on any OS.

The text files in ``macros/`` are the source of truth: ``customUI14.xml`` (the OTC ribbon tab) and
the ``.bas`` modules (ribbon callbacks and sheet-button macros, which call the xlwings add-in's
``RunPython``). The VBA project (``vbaProject.bin``) is written from those modules with the
``ms-ovba`` package — source only, no compiled p-code, which Excel compiles when it opens the
file — and the Office package is assembled from an openpyxl workbook plus the VBA and ribbon
parts. Verified here with oletools (the modules and their source read back) and LibreOffice
(the package opens); loading in Excel itself can only be checked on Windows/macOS.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

import openpyxl

from ..assets import asset, asset_dir
from ..io.xlsx_writer import set_cell
from .buttons import ACTIONS

VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MAIN_CONTENT_TYPES = {
    "xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def default_macros_dir() -> Path:
    """``macros/`` of the repository, or the copy installed with the wheel (see :mod:`otc_xl.assets`)."""
    return asset_dir("macros")


def _fix_copytoken_limit() -> None:
    """ms-ovba-compression 1.0.1 computes a copy token's maximum length as ``0xFFFF << (bits + 3)``
    instead of MS-OVBA 2.4.1.3.19.3's ``(0xFFFF >> bits) + 3``, so long repeats (many similar
    ``Public Sub`` lines) overflow into the offset bits and the module reads back garbled."""
    from ms_ovba_compression.ms_ovba import MsOvba

    original = MsOvba.__dict__["copytoken_help"].__func__
    if getattr(original, "otc_fixed", False):
        return

    def copytoken_help(difference: int) -> dict:
        help = original(difference)
        help["maxLength"] = (0xFFFF >> help["bitCount"]) + 3
        return help
    copytoken_help.otc_fixed = True
    MsOvba.copytoken_help = staticmethod(copytoken_help)


def vba_project(bas_files: list[Path]) -> bytes:
    """``vbaProject.bin`` holding ThisWorkbook, Sheet1 and the given standard modules."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.project_ole_file import ProjectOleFile

    _fix_copytoken_limit()
    blank = Path(sys.modules["ms_ovba"].__file__).parent / "blank_files"
    with tempfile.TemporaryDirectory() as work, contextlib.chdir(work):  # ms-ovba writes next to its inputs
        project = VbaProject()
        project.project_id = "{9E394C0B-697E-4AEE-9FA6-446F51FB30DC}"
        for name, guid in (("Sheet1", "0002082000000000C000000000000046"),
                           ("ThisWorkbook", "0002081900000000C000000000000046")):
            module = DocModule(name)
            shutil.copy(blank / f"{name}.cls", f"{name}.cls")
            module.add_file(f"{name}.cls")
            module.add_guid(uuid.UUID(guid))
            module.normalize_file()
            project.add_module(module)
        for source in bas_files:
            shutil.copy(source, source.name)
            module = StdModule(source.stem)
            module.add_file(source.name)
            module.normalize_file()
            project.add_module(module)
        stdole = LibidReference(uuid.UUID("0002043000000000C000000000000046"), "2.0", "0",
                                "C:\\Windows\\System32\\stdole2.tlb", "OLE Automation")
        office = LibidReference(uuid.UUID("2DF8D04C5BFA101BBDE500AA0044DE52"), "2.0", "0",
                                r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
                                "Microsoft Office 16.0 Object Library")
        project.add_reference(Reference(ReferenceRegistered(stdole), "stdole"))
        project.add_reference(Reference(ReferenceRegistered(office), "Office"))
        state = random.getstate()  # the protection fields (CMG/DPB/GC) use a random seed: fix it, then restore
        random.seed(2026)
        try:
            ProjectOleFile.write_file(project)
        finally:
            random.setstate(state)
        return Path("vbaProject.bin").read_bytes()


def _dashboard(kind: str) -> bytes:
    book = openpyxl.Workbook()
    book.code_name = "ThisWorkbook"
    ws = book.active
    ws.title = "Dashboard"
    ws.sheet_properties.codeName = "Sheet1"
    lines = ["otc_xl — Order-to-Cash toolkit",
             "The OTC tab of the ribbon runs otc_xl on the active workbook:" if kind == "xlam" else
             "Use the OTC tab of the ribbon, or draw buttons here and assign these macros:",
             ""]
    lines += [f"  {name}: macro {''.join(p.title() for p in name.split('_'))}" for name in ACTIONS]
    lines += ["", "Needs Python with otc_xl installed and the xlwings add-in (xlwings addin install).",
              "Input tables: Invoices, Payments, Customers, Orders, Sales, Aliases, Config (see the README)."]
    for i, line in enumerate(lines, start=1):
        set_cell(ws, i, 2, line)
    ws.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _patch(xml: bytes, pattern: bytes, insert: bytes) -> bytes:
    return xml.replace(pattern, insert + pattern, 1)


def build_package(target: str | Path, kind: str = "xlam", macros_dir: Path | None = None) -> Path:
    """Write ``OTC.xlam`` (``kind="xlam"``) or ``otc_workbook.xlsm`` (``kind="xlsm"``) to ``target``."""
    if kind not in MAIN_CONTENT_TYPES:
        raise ValueError(f"kind must be one of {', '.join(MAIN_CONTENT_TYPES)}")
    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    modules = sorted(macros.glob("*.bas"))
    vba = vba_project(modules)
    ribbon = (macros / "customUI14.xml").read_bytes()
    target = Path(target)
    with zipfile.ZipFile(io.BytesIO(_dashboard(kind))) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(SHEET_MAIN.encode(), MAIN_CONTENT_TYPES[kind].encode())
                data = _patch(data, b"<Override", f'<Default Extension="bin" ContentType="{VBA_CONTENT_TYPE}"/>'.encode())
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


def sheet_button_macros(macros_dir: Path | None = None) -> list[tuple[str, str]]:
    """(VBA macro, otc_xl button) of every sheet-button macro in ``OTC_SheetButtons.bas``."""
    source = ((Path(macros_dir) if macros_dir else default_macros_dir()) / "OTC_SheetButtons.bas").read_text()
    return re.findall(r'Public Sub (\w+)\(\)\s+RunOTC "(\w+)"', source)


def build_workbook(target: str | Path, macros_dir: Path | None = None) -> Path:
    """``otc_workbook.xlsm``: a Dashboard sheet with one form button per otc_xl action, each
    assigned to its macro, and the VBA project. No ribbon: the OTC tab comes from ``OTC.xlam``
    (a ribbon here too would show a second OTC tab). Written with xlsxwriter, which writes VBA
    projects and macro buttons; reproducible (fixed dates)."""
    import datetime as dt

    import xlsxwriter

    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    vba = vba_project(sorted(macros.glob("*.bas")))
    target = Path(target)
    book = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False})
    book.set_properties({"title": "otc_xl", "created": dt.datetime(2026, 1, 1)})
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
    ws.write_string(2, 1, "Needs Python with otc_xl installed and the xlwings add-in (xlwings addin install); "
                          "the OTC tab of the ribbon comes from OTC.xlam (otc-xl addin install).")
    for i, (macro, action) in enumerate(sheet_button_macros(macros)):
        row = 4 + 2 * i
        ws.insert_button(row, 1, {"macro": macro, "caption": action.replace("_", " ").capitalize(),
                                  "width": 180, "height": 30})
        ws.write_string(row, 3, f"macro {macro} → otc_xl.excel.buttons.{action}()")
    book.close()
    return target


def build_all(out_dir: str | Path, macros_dir: Path | None = None) -> list[Path]:
    """``OTC.xlam`` (ribbon add-in) and ``otc_workbook.xlsm`` (sheet buttons) in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [build_package(out / "OTC.xlam", "xlam", macros_dir), build_workbook(out / "otc_workbook.xlsm", macros_dir)]


def excel_startup_dir() -> Path:
    """Where Excel loads add-ins from at start (XLSTART)."""
    if sys.platform.startswith("win"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return (Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel")
    raise OSError("Excel add-ins are installed on Windows or macOS; on other systems use --target DIR")


def user_config_file(platform: str | None = None, home: Path | None = None) -> Path:
    """Where xlwings reads its user settings (as ``xlwings.USER_CONFIG_FILE`` says): inside Excel's
    sandbox container on macOS, ``~/.xlwings/xlwings.conf`` elsewhere."""
    platform, home = platform or sys.platform, home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def interpreter_keys(platform: str | None = None) -> tuple[str, ...]:
    """The xlwings settings naming the Python interpreter on this platform."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ("INTERPRETER_WIN",)
    if platform == "darwin":
        return ("INTERPRETER_MAC",)
    return ("INTERPRETER_WIN", "INTERPRETER_MAC")  # a folder named with --target, for another machine


def install(addin: Path | None = None, target: Path | None = None, platform: str | None = None,
            interpreter: str | None = None) -> list[str]:
    """Copy the add-in to Excel's start-up folder and register otc_xl with xlwings.

    ``addin``: default the ``OTC.xlam`` shipped with otc_xl (works from any directory). The user's
    xlwings config (:func:`user_config_file`, or ``target/xlwings.conf``) gets ``UDF MODULES`` =
    ``otc_xl.excel.udfs`` and the interpreter of this environment (``INTERPRETER_WIN`` or
    ``INTERPRETER_MAC``, as ``xlwings config create`` writes them); its other settings are kept.
    Returns what was done, one line each.
    """
    addin = Path(addin) if addin else asset("OTC.xlam")
    done = []
    folder = Path(target) if target else excel_startup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(addin, folder / addin.name)
    done.append(f"copied {addin.name} to {folder}")
    conf = Path(target) / "xlwings.conf" if target else user_config_file(platform)
    conf.parent.mkdir(parents=True, exist_ok=True)
    settings = {"UDF MODULES": "otc_xl.excel.udfs"}
    settings.update({key: interpreter or sys.executable for key in interpreter_keys(platform)})
    keys = {f'"{k}"' for k in settings}
    lines = [line for line in (conf.read_text(encoding="utf-8").splitlines() if conf.exists() else [])
             if line.split(",", 1)[0].strip().upper() not in keys]
    lines += [f'"{k}","{v}"' for k, v in settings.items()]
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done.append(f"set {', '.join(f'{k} = {v}' for k, v in settings.items())} in {conf}")
    return done

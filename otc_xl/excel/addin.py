"""Building the OTC add-in (``OTC.xlam``) and a button-ready workbook (``otc_workbook.xlsm``) on any OS,
and installing the add-in.

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

In both, xlwings' ``PROJECT_NAME`` is ``otc_xl`` (:data:`PROJECT_NAME`), the only line changed: the
VBA reads its settings from ``otc_xl.conf`` (:func:`project_config_file`) and never from the
user's global ``xlwings.conf``, which other xlwings workbooks use. The add-in also carries
``OTC_UDFs``: xlwings' own wrapper generator (``xlwings.udfs.generate_vba_wrapper``, what
"Import Functions" runs) applied to :mod:`otc_xl.excel.udfs` as classic xlwings decorates it, with
two documented edits per function (:func:`udf_wrappers`), so formulas need no "Import Functions".

The VBA project (``vbaProject.bin``) is written from those modules with the ``ms-ovba`` package —
source only, no compiled p-code, which Excel compiles when it opens the file — and the Office
package is assembled from an openpyxl workbook plus the VBA and ribbon parts. Verified here with
oletools (the modules and their source read back), an independent VBA grammar (every module of both
files parses, Windows and macOS branches) and LibreOffice (the package opens); loading in Excel
itself can only be checked on Windows/macOS.
"""

from __future__ import annotations

import contextlib
import functools
import html
import importlib.util
import io
import os
import random
import re
import shutil
import sys
import tempfile
import types
import uuid
import zipfile
from pathlib import Path

import openpyxl

from ..assets import asset_dir
from ..io.files import replace_atomically
from ..io.xlsx.writer import set_cell
from ..model.problems import Problem, ValidationError

VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MAIN_CONTENT_TYPES = {
    "xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)

PROJECT_NAME = "otc_xl"
"""xlwings' ``PROJECT_NAME`` in both packages: settings come from ``otc_xl.conf`` (or a sheet named
``otc_xl.conf``), never from the ``xlwings.conf`` that other xlwings workbooks read."""
XLWINGS_VARIANTS = {"xlam": "xlwings_custom_addin.bas", "xlsm": "xlwings.bas"}
"""xlwings' VBA module per kind of file: its add-in variant (active workbook) and its standalone one."""
BUILT_WITH = "otc_xl {otc}; VBA of xlwings {xlwings}"
"""The package description (docProps/core.xml) of both files: which xlwings VBA is embedded."""


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


def xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def xlwings_vba(kind: str) -> str:
    """xlwings' own VBA module for ``kind`` (:data:`XLWINGS_VARIANTS`), from the installed xlwings,
    with ``PROJECT_NAME`` set to :data:`PROJECT_NAME` — the one line that differs from xlwings' file."""
    source = (xlwings_dir() / XLWINGS_VARIANTS[kind]).read_text(encoding="utf-8")
    lines = source.splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith("Public Const PROJECT_NAME As String = ")]
    if len(at) != 1:
        raise RuntimeError(f"xlwings {xlwings_version()}'s {XLWINGS_VARIANTS[kind]} has no single PROJECT_NAME line")
    lines[at[0]] = f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"'
    return "\r\n".join(lines) + "\r\n"


def dictionary_class() -> Path:
    """The ``Dictionary`` class xlwings' module needs on macOS."""
    return xlwings_dir() / "addin" / "Dictionary.cls"


def applescript() -> Path:
    """The AppleScript file the embedded VBA calls on macOS (``AppleScriptTask("xlwings-<version>.applescript")``)."""
    return xlwings_dir() / f"xlwings-{xlwings_version()}.applescript"


# ---------------------------------------------------------------------------- the worksheet functions

UDF_MODULE = "otc_xl.excel.udfs"
UDF_HELPERS = "OTC_UDFs.vba"
"""The hand-written part of ``OTC_UDFs`` (``macros/``): OTC_Result, the Mac message, the registration."""
WINDOWS_ONLY = "Windows only: otc_xl formulas run in Excel for Windows; on a Mac use them in xlwings Lite"
"""What a formula shows on macOS, where classic xlwings has no worksheet functions (no KERNEL32)."""


class _StubPywin32:
    """Names ``xlwings/udfs.py`` imports from pywin32 at module level; none is called to generate VBA."""

    @staticmethod
    def modules() -> dict[str, types.ModuleType]:
        pythoncom, pywintypes = types.ModuleType("pythoncom"), types.ModuleType("pywintypes")
        win32com, client = types.ModuleType("win32com"), types.ModuleType("win32com.client")
        pythoncom.CoInitialize = lambda: None
        pywintypes.com_error = type("com_error", (Exception,), {})
        client.Dispatch = None
        win32com.client = client
        return {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com, "win32com.client": client}


@functools.lru_cache(maxsize=1)
def classic_xlwings_udfs() -> types.ModuleType:
    """xlwings' classic UDF module (``xlwings/udfs.py``: ``xlfunc``, ``xlarg``, ``generate_vba_wrapper``).

    On Windows it is imported as it is. Elsewhere it cannot be (it imports pywin32 at module
    level), so a private copy is loaded with stand-ins for the pywin32 names it imports; the
    functions used here (the decorators and the VBA generator) never call them."""
    missing = [name for name in ("pythoncom", "pywintypes", "win32com")
               if name not in sys.modules and importlib.util.find_spec(name) is None]
    if not missing:
        import xlwings.udfs
        return xlwings.udfs
    spec = importlib.util.spec_from_file_location("xlwings._otc_classic_udfs", xlwings_dir() / "udfs.py")
    module = importlib.util.module_from_spec(spec)
    stubs = _StubPywin32.modules()
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update({name: stub for name, stub in stubs.items() if saved[name] is None})
    try:
        spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
    return module


@functools.lru_cache(maxsize=1)
def classic_udf_module() -> types.ModuleType:
    """:mod:`otc_xl.excel.udfs` as classic xlwings on Windows sees it: a fresh copy of the module
    executed with ``xw.func``/``xw.arg``/``xw.ret`` being xlwings' classic decorators, so every
    function carries the ``__xlfunc__`` that "Import Functions" reads, on any OS."""
    import xlwings

    importlib.import_module(UDF_MODULE)  # its imports loaded with the real xlwings, outside the switch below
    classic = classic_xlwings_udfs()
    shim = types.ModuleType("xlwings")
    shim.__dict__.update(xlwings.__dict__)
    shim.func, shim.arg, shim.ret, shim.sub = classic.xlfunc, classic.xlarg, classic.xlret, classic.xlsub
    spec = importlib.util.find_spec(UDF_MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["xlwings"] = shim
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules["xlwings"] = xlwings
    return module


class _AddinBook:
    """What ``generate_vba_wrapper`` asks of the workbook: its name (an ``.xlam`` → ``ActiveWorkbook``)."""

    Name = "OTC.xlam"


def generated_wrappers() -> list[str]:
    """xlwings' own ``generate_vba_wrapper`` output for :mod:`otc_xl.excel.udfs`, unchanged (its lines)."""
    buffer = io.StringIO()
    classic_xlwings_udfs().generate_vba_wrapper(UDF_MODULE, classic_udf_module(), buffer, _AddinBook)
    return buffer.getvalue().splitlines()


def udf_names() -> list[str]:
    """The worksheet functions of :mod:`otc_xl.excel.udfs` (the ``@xw.func`` ones), in xlwings' order."""
    module = classic_udf_module()
    return [name for name in dir(module) if hasattr(getattr(module, name), "__xlfunc__")]


def _vba_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _edit_wrappers(lines: list[str]) -> list[str]:
    """The two edits to each of xlwings' wrappers: a macOS guard first in the function (a message
    instead of KERNEL32's), and on Excel the result passed through ``OTC_Result`` (real error
    values; the first value and a note where Excel has no dynamic arrays). Every function gets
    each edit exactly once, or the build stops: xlwings' generator changed shape."""
    out: list[str] = []
    name, edits = None, {}
    for line in lines:
        header = re.match(r"^Function (\w+)\(", line)
        if header:
            name = header.group(1)
            edits[name] = 0
            out += [line, "    #If Mac Then", f"        {name} = {_vba_string(WINDOWS_ONLY)}", "        Exit Function",
                    "    #End If"]
            continue
        call = re.match(rf"^(\s+){name} = (XLPy\.CallUDF\(.*, ActiveWorkbook, Application\.Caller\))$", line) \
            if name else None
        if call:
            line = f"{call.group(1)}{name} = OTC_Result({call.group(2)})"
            edits[name] += 1
        out.append(line)
    if not edits or any(count != 1 for count in edits.values()):
        raise RuntimeError(f"xlwings {xlwings_version()}'s generate_vba_wrapper output has an unexpected shape: {edits}")
    return out


def _registration(module: types.ModuleType) -> list[str]:
    """``OTC_RegisterFunctions``: the function wizard's descriptions, with the values xlwings'
    "Import Functions" passes to ``Application.MacroOptions`` (description and argument
    descriptions cut to 255 characters, category); run when the add-in opens."""
    lines = ["Public Sub OTC_RegisterFunctions()",
             "    ' Function wizard descriptions, as xlwings' Import Functions sets them (Application.MacroOptions);",
             "    ' called by Workbook_Open. Excel versions that refuse them simply show none.",
             "    On Error Resume Next"]
    for name in dir(module):
        xlfunc = getattr(getattr(module, name), "__xlfunc__", None)
        if xlfunc is None:
            continue
        description = " ".join(xlfunc["ret"]["doc"].split())[:255]
        arguments = [" ".join(a["doc"].split())[:255] for a in xlfunc["args"] if not a["vba"]]
        lines += [f"    Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!{name}\", _",
                  f"        Description:={_vba_string(description)}, _",
                  f"        Category:={_vba_string(str(xlfunc['category']))}, _",
                  "        ArgumentDescriptions:=Array(" + ", _\n            ".join(map(_vba_string, arguments)) + ")"]
    lines += ["    ThisWorkbook.Saved = True", "End Sub"]
    return "\n".join(lines).split("\n")


def udf_wrappers(macros_dir: Path | None = None) -> str:
    """The ``OTC_UDFs`` module of the add-in: the header xlwings' "Import Functions" writes, xlwings'
    own wrappers (:func:`generated_wrappers`) with :func:`_edit_wrappers`' edits, the hand-written
    ``macros/OTC_UDFs.vba`` and :func:`_registration`. ASCII only (the VBA project's code page is
    1252), checked."""
    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    lines = ['Attribute VB_Name = "OTC_UDFs"',
             "' Generated by otc-xl addin build: xlwings' generate_vba_wrapper output for otc_xl.excel.udfs",
             "' (with a macOS guard and OTC_Result in each function), then macros/OTC_UDFs.vba.",
             '#Const App = "Microsoft Excel" \'Adjust when using outside of Excel', ""]
    lines += _edit_wrappers(generated_wrappers())
    lines += (macros / UDF_HELPERS).read_text(encoding="utf-8").splitlines()
    lines += ["", *_registration(classic_udf_module()), ""]
    text = "\r\n".join(lines)
    if not text.isascii():
        raise RuntimeError("the OTC_UDFs module must be ASCII (a docstring or doc= of otc_xl.excel.udfs is not)")
    return text


# ---------------------------------------------------------------------------- the VBA project

ADDIN_THIS_WORKBOOK = ["Option Explicit", "", "Private Sub Workbook_Open()",
                       "    OTC_RegisterFunctions ' the function wizard's descriptions (OTC_UDFs)", "End Sub"]
"""Code of the add-in's ThisWorkbook module."""


def vba_project(bas_files: list[Path], classes: list[Path] = (), this_workbook: list[str] = ()) -> bytes:
    """``vbaProject.bin`` holding ThisWorkbook (with ``this_workbook`` as its code), Sheet1, the
    given standard modules and class modules."""
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
            module.normalize_file()  # the attributes, Customizable last
            if name == "ThisWorkbook" and this_workbook:  # code goes after them
                with open(f"{name}.cls.new", "a", newline="\r\n", encoding="ascii") as code:
                    code.write("\n".join(this_workbook) + "\n")
            project.add_module(module)
        for source in bas_files:
            Path(source.name).write_bytes(source.read_bytes())
            module = StdModule(source.stem)
            module.add_file(source.name)
            module.normalize_file()
            project.add_module(module)
        for source in classes:
            Path(source.name).write_text(_class_source(source.read_text(encoding="utf-8")), encoding="utf-8")
            module = _class_module(StdModule)(source.stem)
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


CLASS_BASE = '0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}'
"""The base every VBA class module names (``Attribute VB_Base``), as Excel stores class modules."""


def _class_source(exported: str) -> str:
    """An exported ``.cls`` file as a class module is stored in a project: without the
    ``VERSION``/``BEGIN … END`` header, with ``VB_Base`` after ``VB_Name`` and the
    ``TemplateDerived``/``Customizable`` attributes after the others."""
    lines = exported.splitlines()
    if lines and lines[0].startswith("VERSION"):
        lines = lines[lines.index("END") + 1:]
    attributes = [line for line in lines if line.startswith("Attribute VB_")]
    code = lines[len(attributes):] if lines[:len(attributes)] == attributes else lines
    name = next(a for a in attributes if a.startswith("Attribute VB_Name"))
    others = [a for a in attributes if a != name and not a.startswith("Attribute VB_Description")]
    header = [name, f'Attribute VB_Base = "{CLASS_BASE}"', *others, "Attribute VB_TemplateDerived = False",
              "Attribute VB_Customizable = False"]
    return "\n".join(header + code) + "\n"


def _class_module(std_module):
    """ms-ovba writes standard and document modules; a class module is a standard one listed as
    ``Class=`` in the PROJECT stream whose MODULETYPE record is 0x0022 (MS-OVBA 2.3.4.2.3.2.8)."""
    from ms_ovba.Models.Fields.packed_data import PackedData

    class ClassModule(std_module):
        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.type = "Class"

        def pack(self, endien: str, cp_name: str) -> bytes:
            packed = super().pack(endien, cp_name)  # … MODULETYPE (6 bytes), then the 6-byte terminator
            return packed[:-12] + PackedData("HI", 0x0022, 0).pack(endien) + packed[-6:]
    return ClassModule


SHEET_BUTTONS = "OTC_SheetButtons.bas"
RIBBON_MODULE = "OTC_Ribbon.bas"


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


# ---------------------------------------------------------------------------- what the sheets say

def button_captions(macros_dir: Path | None = None) -> dict[str, str]:
    """otc_xl button → its label on the OTC ribbon (``customUI14.xml`` → ``OTC_Ribbon.bas``), so a
    sheet button and the ribbon name an action alike ("KPIs", not "Kpis")."""
    from defusedxml.ElementTree import fromstring

    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    callbacks = dict(re.findall(r'Public Sub (\w+)\(control As IRibbonControl\)\s+RunOTC "(\w+)"',
                                (macros / RIBBON_MODULE).read_text(encoding="utf-8")))
    ribbon = fromstring((macros / "customUI14.xml").read_bytes())
    return {callbacks[e.get("onAction")]: e.get("label") for e in ribbon.iter()
            if e.get("onAction") in callbacks}


def _screentips(macros: Path) -> list[tuple[str, str]]:
    from defusedxml.ElementTree import fromstring

    ribbon = fromstring((macros / "customUI14.xml").read_bytes())
    return [(e.get("label"), e.get("screentip")) for e in ribbon.iter() if e.get("onAction")]


def help_lines(macros: Path) -> list[str]:
    """The add-in's Help sheet (the ribbon's Help button copies it into a new workbook): the buttons,
    how to lay out the workbook, the formulas, where settings and problems go."""
    from ..model.contracts import CONTRACTS
    from .. import __version__

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
              "Installation, first run in a company and troubleshooting: the otc_xl README (also its package description)."]
    return lines


def _addin_book(macros: Path) -> bytes:
    """The add-in's workbook: one sheet, ``Help`` (copied by the ribbon's Help button)."""
    from .. import __version__

    book = openpyxl.Workbook()
    book.code_name = "ThisWorkbook"
    book.properties.description = BUILT_WITH.format(otc=__version__, xlwings=xlwings_version())
    ws = book.active
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
    source = ((Path(macros_dir) if macros_dir else default_macros_dir()) / SHEET_BUTTONS).read_text()
    return re.findall(r'Public Sub (\w+)\(\)\s+RunOTC "(\w+)"', source)


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


# ---------------------------------------------------------------------------- installing

def excel_startup_dir() -> Path:
    """Where Excel loads add-ins from at start (XLSTART)."""
    if sys.platform.startswith("win"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return (Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel")
    raise OSError("Excel add-ins are installed on Windows or macOS; on other systems use --target DIR")


def project_config_file(platform: str | None = None, home: Path | None = None) -> Path:
    """Where the embedded VBA reads its settings (xlwings' ``GetConfigFilePath`` with ``PROJECT_NAME =
    otc_xl``): ``%USERPROFILE%\\.otc_xl\\otc_xl.conf`` on Windows, ``otc_xl.conf`` in Excel's sandbox
    container on macOS (``GetMacDir("$HOME")``). Not the global ``xlwings.conf``."""
    platform, home = platform or sys.platform, home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{PROJECT_NAME}.conf"
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def applescript_dir(home: Path | None = None) -> Path:
    """Where ``xlwings runpython install`` puts xlwings' AppleScript on macOS."""
    return (home or Path.home()) / "Library" / "Application Scripts" / "com.microsoft.Excel"


def interpreter_keys(platform: str | None = None) -> tuple[str, ...]:
    """The xlwings settings naming the Python interpreter on this platform."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ("INTERPRETER_WIN",)
    if platform == "darwin":
        return ("INTERPRETER_MAC",)
    return ("INTERPRETER_WIN", "INTERPRETER_MAC")  # a folder named with --target, for another machine


def config_encoding(platform: str | None = None) -> str:
    """How the config file must be encoded for the VBA that reads it (``Open … For Input``, ``Input #``).

    Windows VBA reads text files in the ANSI code page, so the file is written in it, as xlwings'
    ``config create`` does (Python's locale encoding there; ``mbcs``, the ANSI code page itself,
    also under Python's UTF-8 mode). Built elsewhere for Windows: cp1252, the Western European
    code page. macOS: UTF-8, as xlwings writes it there."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "utf-8"
    if sys.platform.startswith("win"):
        return "mbcs"
    return "cp1252"


def _config_bytes(existing: bytes, settings: dict[str, str], encoding: str, newline: bytes) -> bytes:
    """``existing`` with each of ``settings`` replaced (one ``"KEY","VALUE"`` line each, added at the
    end), every other line kept byte for byte; empty lines dropped, as xlwings does."""
    keys = {f'"{k}"'.upper() for k in settings}
    kept = [line.rstrip(b"\r") for line in existing.split(b"\n")]
    kept = [line for line in kept if line.strip() and line.split(b",", 1)[0].strip().decode("latin-1").upper()
            not in keys]
    added = [f'"{k}","{v}"'.encode(encoding) for k, v in settings.items()]
    return newline.join(kept + added) + newline


def _check_encodable(value: str, encoding: str, what: str) -> None:
    try:
        value.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = "".join(sorted(set(value[exc.start:exc.end])))
        raise ValidationError([Problem(what, f"{value!r} has characters ({bad}) that the {encoding} code page "
                                             "cannot hold; Excel's VBA reads the setting in that code page and "
                                             "could not start this Python. Install Python (or create the virtual "
                                             "environment) in a folder whose path has none of them, e.g. "
                                             "C:\\Python311, and run otc-xl addin install from there")]) from None


def _write_addin(target: Path, write) -> None:
    """Write the add-in whole or not at all: into a temporary file beside it, then renamed over it.
    Windows refuses the rename while Excel has the add-in open (it locks its files): then the
    installed add-in is left as it was and the message says to quit Excel."""
    fd, tmp = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        try:
            write(tmp)
        except PermissionError:
            raise ValidationError([Problem(target.name, f"cannot write in {target.parent} (permission denied); "
                                                        "nothing was installed")]) from None
        try:
            os.replace(tmp, target)
        except PermissionError:
            raise ValidationError([Problem(target.name, f"{target} is open in Excel, which locks it: quit Excel "
                                                        "(every window), then run otc-xl addin install again. "
                                                        "The installed add-in was not changed")]) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def install(addin: Path | None = None, target: Path | None = None, platform: str | None = None,
            interpreter: str | None = None, home: Path | None = None) -> list[str]:
    """Put the add-in into Excel's start-up folder and point its settings at this Python.

    ``addin``: by default ``OTC.xlam`` is built here from the macros installed with otc_xl and the
    VBA of the installed xlwings, so the embedded xlwings module always matches the xlwings Python
    package it talks to (works from any directory); a given file must have been built with this
    xlwings (its description says which). The add-in's own settings file
    (:func:`project_config_file`, or ``target/otc_xl.conf``) gets the interpreter of this
    environment (``INTERPRETER_WIN`` / ``INTERPRETER_MAC``), encoded as the VBA reads it
    (:func:`config_encoding`); its other lines are kept byte for byte, and xlwings' global
    ``xlwings.conf`` is not touched. On macOS, xlwings' AppleScript goes where ``xlwings runpython
    install`` puts it (:func:`applescript_dir`); with a ``target`` folder, into that folder.
    Each file is written whole or not at all. Returns what was done, one line each.
    """
    platform = platform or sys.platform
    version = xlwings_version()
    settings = {key: interpreter or sys.executable for key in interpreter_keys(platform)}
    encoding = config_encoding(platform)
    for key, value in settings.items():
        _check_encodable(value, encoding, key)
    if addin:
        shipped_with = built_with(Path(addin))
        if shipped_with not in (None, version):
            raise ValidationError([Problem(Path(addin).name, f"was built with the VBA of xlwings {shipped_with}, but "
                                                             f"xlwings {version} is installed: its RunPython would "
                                                             "look for another xlwings' DLL and AppleScript. Run "
                                                             "otc-xl addin install without --addin (it builds the "
                                                             "add-in for this xlwings)")])
    done = []
    folder = Path(target) if target else excel_startup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if addin:
        name = Path(addin).name
        _write_addin(folder / name, lambda tmp: shutil.copyfile(addin, tmp))
        done.append(f"copied {name} to {folder}")
    else:
        _write_addin(folder / "OTC.xlam", lambda tmp: build_package(tmp, "xlam"))
        done.append(f"built OTC.xlam (VBA of xlwings {version} embedded) in {folder}")
    conf = Path(target) / f"{PROJECT_NAME}.conf" if target else project_config_file(platform, home)
    existing = conf.read_bytes() if conf.exists() else b""
    newline = b"\r\n" if platform.startswith("win") else b"\n"
    content = _config_bytes(existing, settings, encoding, newline)
    replace_atomically(conf, lambda tmp: Path(tmp).write_bytes(content))
    done.append(f"set {', '.join(f'{k} = {v}' for k, v in settings.items())} in {conf} (the add-in's own "
                "settings; xlwings.conf is not touched)")
    if platform == "darwin" or target:
        scripts = folder if target else applescript_dir(home)
        source = applescript()
        replace_atomically(scripts / source.name, lambda tmp: shutil.copyfile(source, tmp))
        done.append(f"copied {source.name} to {scripts} (enables RunPython on macOS, as xlwings runpython install"
                    + ("; on a Mac it goes to ~/Library/Application Scripts/com.microsoft.Excel)" if target else ")"))
    return done

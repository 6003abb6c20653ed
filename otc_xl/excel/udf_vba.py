"""The add-in's ``OTC_UDFs`` module: xlwings' own wrapper generator (``generate_vba_wrapper``, what
"Import Functions" runs) applied to :mod:`otc_xl.excel.udfs` as classic xlwings decorates it, on any
OS, with two documented edits per function, the hand-written ``macros/OTC_UDFs.vba`` and the
function wizard's descriptions."""

from __future__ import annotations

import functools
import importlib.util
import io
import re
import sys
import types
from importlib.abc import Loader
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any, cast

from .macro_sources import default_macros_dir
from .xlwings_vba import xlwings_dir, xlwings_version

UDF_MODULE = "otc_xl.excel.udfs"
UDF_HELPERS = "OTC_UDFs.vba"
"""The hand-written part of ``OTC_UDFs`` (``macros/``): OTC_Result, the Mac message, the registration."""
WINDOWS_ONLY = "Windows only: otc_xl formulas run in Excel for Windows; on a Mac use them in xlwings Lite"
"""What a formula shows on macOS, where classic xlwings has no worksheet functions (no KERNEL32)."""


class _StubPywin32:
    """Names ``xlwings/udfs.py`` imports from pywin32 at module level; none is called to generate VBA."""

    @staticmethod
    def modules() -> dict[str, types.ModuleType]:
        pythoncom: Any
        pywintypes: Any
        win32com: Any
        client: Any
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
    # a file location ending in .py always has a spec, with its source loader
    spec = cast(ModuleSpec, importlib.util.spec_from_file_location("xlwings._otc_classic_udfs",
                                                                   xlwings_dir() / "udfs.py"))
    module = importlib.util.module_from_spec(spec)
    stubs = _StubPywin32.modules()
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update({name: stub for name, stub in stubs.items() if saved[name] is None})
    try:
        cast(Loader, spec.loader).exec_module(module)
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
    shim: Any = types.ModuleType("xlwings")
    shim.__dict__.update(xlwings.__dict__)
    shim.func, shim.arg, shim.ret, shim.sub = classic.xlfunc, classic.xlarg, classic.xlret, classic.xlsub
    spec = cast(ModuleSpec, importlib.util.find_spec(UDF_MODULE))  # imported just above
    module = importlib.util.module_from_spec(spec)
    sys.modules["xlwings"] = shim
    try:
        cast(Loader, spec.loader).exec_module(module)
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
        raise RuntimeError(f"xlwings {xlwings_version()}'s generate_vba_wrapper output has an unexpected shape: "
                           f"{edits}")
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

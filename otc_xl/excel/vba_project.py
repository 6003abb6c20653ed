"""Writing a VBA project (``vbaProject.bin``) from source modules with the ``ms-ovba`` package: source
only, no compiled p-code; class modules, and a fix to ms-ovba-compression's copy tokens."""

from __future__ import annotations

import contextlib
import random
import shutil
import sys
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast


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
    cast(Any, copytoken_help).otc_fixed = True
    cast(Any, MsOvba).copytoken_help = staticmethod(copytoken_help)  # the fix, on the class


def vba_project(bas_files: list[Path], classes: Sequence[Path] = (), this_workbook: Sequence[str] = ()) -> bytes:
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
    blank = Path(cast(str, sys.modules["ms_ovba"].__file__)).parent / "blank_files"
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

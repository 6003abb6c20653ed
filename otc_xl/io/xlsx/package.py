"""Small look-ups inside an .xlsx/.xlsm package (a zip of XML parts), parsed with defusedxml."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple, cast

from defusedxml import ElementTree
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>\s*(?:<f[^>]*(?:/>|>.*?</f>)\s*)?<v>([^<]*)</v>', re.S)
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*)>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*'
                           rb'(<v>([^<]*)</v>|<v\s*/>)?', re.S)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_NUM_FMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELL_XFS = re.compile(rb'<cellXfs\b[^>]*>(.*?)</cellXfs>', re.S)
_XF = re.compile(rb'<xf\b([^>]*)')
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
PERCENT_BUILTIN = {9, 10}
"""Excel's built-in percent formats: ``0%`` and ``0.00%``."""


def percent_styles(z: zipfile.ZipFile) -> set[int]:
    """Indices of the cell formats (``s="N"`` on a cell) that show a number as a percentage: the built-in
    ``0%`` / ``0.00%`` or a custom format with ``%`` outside quotes (Excel stores 21 % as 0.21)."""
    if "xl/styles.xml" not in z.NameToInfo:
        return set()
    data = z.read("xl/styles.xml")
    percent = set(PERCENT_BUILTIN)
    for number, code in _NUM_FMT.findall(data):
        text = code.decode("utf-8", "replace").replace("&quot;", '"')
        if "%" in _QUOTED.sub("", text):
            percent.add(int(number))
    xfs = _CELL_XFS.search(data)
    out = set()
    for k, attrs in enumerate(_XF.findall(xfs.group(1)) if xfs else []):
        m = re.search(rb'numFmtId="(\d+)"', attrs)
        if m and int(m.group(1)) in percent:
            out.add(k)
    return out


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part (``xl/worksheets/sheet1.xml``)."""
    rels: dict[Any, Any] = {e.get("Id"): e.get("Target") for e in
            ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("pr:Relationship", NS)}
    parts: dict[str, str] = {}
    sheets = ElementTree.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS)
    for sheet in sheets if sheets is not None else []:
        target = rels.get(sheet.get(f"{{{NS['r']}}}id"), "")
        parts[cast(str, sheet.get("name"))] = (target.lstrip("/") if target.startswith("/")
                                               else str(PurePosixPath("xl", target)))
    return parts


class Relationship(NamedTuple):
    id: str
    type: str
    """The full relationship type URI; its last path segment (``table``, ``drawing`` …) is the kind."""
    target: str
    """The target part's path inside the package (as written, for an external target)."""
    external: bool


def rels_part(part: str) -> str:
    """``xl/worksheets/_rels/sheet1.xml.rels`` for ``xl/worksheets/sheet1.xml``."""
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / f"{path.name}.rels")


def resolve(base: str, target: str) -> str:
    """A relationship target of part ``base`` as a path inside the package."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in f"{PurePosixPath(base).parent}/{target}".split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def part_relationships(z: zipfile.ZipFile, part: str) -> list[Relationship]:
    """The relationships of one part (none when it has no ``.rels``)."""
    name = rels_part(part)
    if name not in z.NameToInfo:
        return []
    out = []
    for r in ElementTree.fromstring(z.read(name)).findall("pr:Relationship", NS):
        external = r.get("TargetMode") == "External"
        target = r.get("Target", "")
        out.append(Relationship(r.get("Id", ""), r.get("Type", ""), target if external else resolve(part, target),
                                external))
    return out


def relationships(z: zipfile.ZipFile, part: str) -> list[str]:
    """Relationship types (last path segment, e.g. ``drawing``) of one part."""
    return [r.type.rsplit("/", 1)[-1] for r in part_relationships(z, part)]


def related_parts(z: zipfile.ZipFile, part: str, kind: str) -> list[str]:
    """Paths of the parts one part relates to with relationships of ``kind`` (e.g. ``table``)."""
    return [r.target for r in part_relationships(z, part) if not r.external and r.type.rsplit("/", 1)[-1] == kind]


@dataclass
class SheetScan:
    """What calamine does not tell: error cells (``#N/A`` …, read by it as empty) and merged ranges."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column), 1-based → the error Excel shows."""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged ranges as 1-based (first_row, first_col, last_row, last_col)."""
    uncalculated: set[tuple[int, int]] = field(default_factory=set)
    """(row, column), 1-based, of formulas saved without their result (read by calamine as empty)."""
    percent: set[tuple[int, int]] = field(default_factory=set)
    """(row, column), 1-based, of number cells shown as a percentage (21 % is stored as 0.21)."""


def scan_sheet(z: zipfile.ZipFile, part: str, percent: set[int] | None = None) -> SheetScan:
    """One pass over a sheet part's XML bytes for error cells, merged ranges and, with ``percent``
    (:func:`percent_styles`), the number cells in a percent format."""
    data = z.read(part)
    scan = SheetScan()
    if percent and b' s="' in data:
        styled = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?\bs="(?:' + b"|".join(b"%d" % k for k in sorted(percent))
                            + rb')"[^>]*)>')
        for col, row, attrs in styled.findall(data):
            kind = re.search(rb'\bt="([^"]*)"', attrs)
            if kind is None or kind.group(1) == b"n":
                scan.percent.add((int(row), column_index_from_string(col.decode())))
    if b't="e"' in data:
        scan.errors = {(int(row), column_index_from_string(col.decode())): value.decode()
                       for col, row, value in _ERROR_CELL.findall(data)}
    if b"<f" in data:
        for col, row, attrs, v, value in _FORMULA_CELL.findall(data):
            text_result = b't="str"' in attrs or b't="s"' in attrs or b't="inlineStr"' in attrs
            if not v or (not value and not text_result):
                scan.uncalculated.add((int(row), column_index_from_string(col.decode())))
    tail = data.rfind(b"</sheetData>")
    for ref in _MERGE.findall(data, max(tail, 0)):
        first, _, last = ref.decode().partition(":")
        (c1, r1), (c2, r2) = coordinate_from_string(first), coordinate_from_string(last or first)
        scan.merged.append((r1, column_index_from_string(c1), r2, column_index_from_string(c2)))
    return scan

"""The plan of a splice (:class:`_Plan`): the parts to change, add and remove to put laid-out report
sheets into the user's package — the replaced sheets' own parts, free part names, styles and table
and pivot-cache ids mapped into the user's, new sheets and pivot caches listed in the workbook."""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from typing import Any, cast
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

from .package import NS, part_relationships, rels_part, sheet_parts
from .pivots import PIVOT_CACHE_TYPE, with_pivot_caches
from .splice_xml import (
    _code_name,
    _content_types,
    _inline,
    _prefix_of,
    _shared_strings,
    _sheets,
    _update_types,
    _with_code_name,
    own_sheets,
)
from .styles import StyleBook

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
CALC_CHAIN_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
OWNED_KINDS = ("table", "drawing", "chart", "chartStyle", "chartColorStyle", "printerSettings", "comments",
               "vmlDrawing", "image", "pivotTable")
"""Parts a report sheet may own; removed with it when nothing else refers to them."""
_SHARED = re.compile(rb'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="s"><v>(\d+)</v></c>')
_STYLE = re.compile(rb'(<c r="[A-Z]+\d+" s=")(\d+)(")')
_DXF = re.compile(rb'(\bdxfId=")(\d+)(")')
_TABLE_ID = re.compile(rb'(<table\b[^>]*?\bid=")(\d+)(")')


OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _relative(base: str, target: str) -> str:
    """``target`` as a path relative to the folder of ``base`` (``../tables/table3.xml``)."""
    here, there = PurePosixPath(base).parent.parts, PurePosixPath(target).parts
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + list(there[common:]))


class _Plan:
    """The parts to change, add and remove to put the laid-out report sheets into the user's package."""

    def __init__(self, user: zipfile.ZipFile, ours: zipfile.ZipFile, old: set[str]):
        self.user, self.ours = user, ours
        self.user_parts, self.our_parts = sheet_parts(user), sheet_parts(ours)
        self.styles = StyleBook(user.read("xl/styles.xml"))
        self.our_styles = StyleBook(ours.read("xl/styles.xml"))
        self.strings = _shared_strings(ours)
        self.changed: dict[str, Any] = {}
        self.added: dict[str, Any] = {}
        self.removed = self._owned_by({self.user_parts[name] for name in old})
        self.taken = set(user.NameToInfo) - self.removed
        self.types = _content_types(ours)
        self.new_types: dict[str, str] = {}
        self.new_sheets: list[tuple[str, str]] = []
        self.table_id = max([0, *(int(m.group(2)) for n in self.taken if n.startswith("xl/tables/")
                                  for m in [_TABLE_ID.search(user.read(n))] if m)])
        self.replaced_ids = self._sheet_ids(old)
        ours_before = {rid for rid, kind, target, _ in part_relationships(user, "xl/workbook.xml")
                       if kind == PIVOT_CACHE_TYPE and target in self.old_caches}
        self.cache_id = max([0, *(int(cid) for cid, rid in re.findall(
            rb'<(?:\w+:)?pivotCache\b[^>]*?\bcacheId="(\d+)"[^>]*?\bid="([^"]*)"', user.read("xl/workbook.xml"))
            if rid.decode() not in ours_before)])  # ours get the same ids again on a re-run
        self.new_caches: list[tuple[str, int]] = []
        self._next_cache = 0

    def _owned_by(self, sheets: set[str]) -> set[str]:
        """The sheets' parts and what they alone refer to (tables, drawings, charts …)."""
        owned, todo = set(), list(sheets)
        while todo:
            part = todo.pop()
            for r in part_relationships(self.user, part):
                if not r.external and r.type.rsplit("/", 1)[-1] in OWNED_KINDS and r.target not in owned:
                    owned.add(r.target)
                    todo.append(r.target)
        # a part another (kept) part still refers to stays
        kept = [n for n in self.user.NameToInfo if n.endswith(".rels")]
        for rels in kept:
            owner = rels.replace("_rels/", "").removesuffix(".rels")
            if owner in owned or owner in sheets:
                continue
            owned -= {r.target for r in part_relationships(self.user, owner)}
        # our pivot tables' caches go with them, although the workbook lists them too
        self.old_caches = {r.target for t in owned if t.startswith("xl/pivotTables/")
                           for r in part_relationships(self.user, t) if r.type == PIVOT_CACHE_TYPE}
        owned |= self.old_caches | {r.target for c in self.old_caches for r in part_relationships(self.user, c)
                                    if not r.external}
        owned = {p for p in owned if p in self.user.NameToInfo}
        return owned | {rels_part(p) for p in owned | sheets if rels_part(p) in self.user.NameToInfo}

    def _sheet_ids(self, names: set[str]) -> set[str]:
        return {s.get("sheetId") for s in _sheets(self.user.read("xl/workbook.xml")) if s.get("name") in names}

    def _free(self, folder: str, stem: str, ext: str = "xml") -> str:
        k = 1
        while f"{folder}/{stem}{k}.{ext}" in self.taken:
            k += 1
        name = f"{folder}/{stem}{k}.{ext}"
        self.taken.add(name)
        return name

    def _fix(self, xml: bytes) -> bytes:
        """What xlsxwriter wrote, in the user's terms: its styles mapped, its shared strings inline,
        the sheet not selected (the user's selected sheet stays the one shown)."""
        xml = _SHARED.sub(lambda m: _inline(m, self.strings), xml)
        xml = _STYLE.sub(lambda m: m.group(1) + str(self.styles.import_xf(self.our_styles, int(m.group(2)))).encode()
                         + m.group(3), xml)
        xml = _DXF.sub(lambda m: m.group(1) + str(self.styles.import_dxf(self.our_styles, int(m.group(2)))).encode()
                       + m.group(3), xml)
        return xml.replace(b' tabSelected="1"', b"")

    def add_sheet(self, layout) -> None:
        name = layout.report.sheet
        ours = self.our_parts[name]
        part = self.user_parts.get(name) or self._free("xl/worksheets", "sheet")
        if name not in self.user_parts:
            self.new_sheets.append((name, part))
            self.new_types[part] = self.types[ours]
        xml = self.ours.read(ours)
        if name in self.user_parts:  # the VBA project may know the sheet by its code name: keep it
            xml = _with_code_name(xml, _code_name(self.user.read(part)))
        self._store(part, layout.sheet_xml(xml, self.styles, self._fix))
        self._copy_related(ours, part)

    def _store(self, part: str, data: Any) -> None:
        """New contents for ``part``: a part of the user's package (kept or freed) is rewritten in
        its place, any other is added at the end."""
        if part in self.user.NameToInfo:
            self.changed[part] = data
            self.removed.discard(part)
        else:
            self.added[part] = data

    def _copy_related(self, ours: str, part: str) -> None:
        """Our part's related parts (table, drawing → chart …) under free names, and its relationships."""
        rels = []
        for rid, kind, target, external in part_relationships(self.ours, ours):
            if external:
                rels.append((rid, kind, target, "External"))
                continue
            stem = re.sub(r"\d+$", "", PurePosixPath(target).stem)
            new = self._free(str(PurePosixPath(target).parent), stem, PurePosixPath(target).suffix.lstrip("."))
            data = self.ours.read(target)
            if kind.endswith("/table"):
                self.table_id += 1
                data = _TABLE_ID.sub(lambda m: m.group(1) + str(self.table_id).encode() + m.group(3), data, count=1)
            if kind.endswith("/pivotTable"):  # a cache id of its own in the user's workbook
                self.cache_id += 1
                self._next_cache = self.cache_id
                data = re.sub(rb'\bcacheId="\d+"', f'cacheId="{self.cache_id}"'.encode(), data, count=1)
            if kind == PIVOT_CACHE_TYPE:
                self.new_caches.append((new, self._next_cache))
            self._store(new, data)
            self.new_types[new] = self.types.get(target, "")
            self._copy_related(target, new)
            rels.append((rid, kind, _relative(part, new), ""))
        rels_name = rels_part(part)
        if rels:
            xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id={quoteattr(i)} Type={quoteattr(k)} Target={quoteattr(t)}'
                             + (f' TargetMode="{m}"' if m else "") + "/>" for i, k, t, m in rels)
                   + "</Relationships>").encode()
            self._store(rels_name, xml)
        elif rels_name in self.user.NameToInfo:
            self.removed.add(rels_name)

    def finish(self) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
        self.changed["xl/styles.xml"] = self.styles.xml
        workbook_rels = self.user.read("xl/_rels/workbook.xml.rels")
        workbook = self.user.read("xl/workbook.xml")
        calc_chain = next((r.target for r in part_relationships(self.user, "xl/workbook.xml")
                           if r.type == CALC_CHAIN_TYPE), None)
        if calc_chain in self.user.NameToInfo and self.replaced_ids and re.search(
                rb'\bi="(' + b"|".join(re.escape(i.encode()) for i in self.replaced_ids) + rb')"',
                self.user.read(calc_chain)):
            self.removed.add(calc_chain)
            workbook_rels = re.sub(rb'<Relationship\b[^>]*?calcChain[^>]*/>', b"", workbook_rels)
        if self.new_sheets:
            next_id = max(int(s.get("sheetId")) for s in _sheets(workbook)) + 1
            rids = {r.get("Id") for r in ElementTree.fromstring(workbook_rels).findall("pr:Relationship", NS)}
            entries, rels = [], []
            for k, (name, part) in enumerate(self.new_sheets):
                rid = next(f"rIdOtc{n}" for n in range(1, 10**6) if f"rIdOtc{n}" not in rids)
                rids.add(rid)
                entries.append(f'<sheet xmlns:r="{OFFICE_REL}" name={quoteattr(name)} sheetId="{next_id + k}" '
                               f'r:id="{rid}"/>')
                rels.append(f'<Relationship Id="{rid}" Type="{WORKSHEET_TYPE}" '
                            f'Target={quoteattr(_relative("xl/workbook.xml", part))}/>')
            # r is declared on each new element: a workbook may declare it only on its own <sheet>s (openpyxl
            # with lxml does), and a prefix declared there is not in scope next to them
            entries_xml = "".join(entries).encode()
            main = _prefix_of(workbook, "http://schemas.openxmlformats.org/spreadsheetml/2006/main")
            if main:
                entries_xml = entries_xml.replace(b"<sheet ", f"<{main}:sheet ".encode())
            sheets_end = workbook.find(f"</{main}:sheets>".encode() if main else b"</sheets>")
            if sheets_end < 0:
                raise ValueError("its workbook.xml lists its sheets in a form otc_xl does not know")
            workbook = workbook[:sheets_end] + entries_xml + workbook[sheets_end:]
            end = workbook_rels.rfind(b"</Relationships>")
            workbook_rels = workbook_rels[:end] + "".join(rels).encode() + workbook_rels[end:]
            self.changed["xl/workbook.xml"] = workbook
        workbook, workbook_rels = self._pivot_caches(self.changed.get("xl/workbook.xml", workbook), workbook_rels)
        if workbook != self.user.read("xl/workbook.xml"):
            self.changed["xl/workbook.xml"] = workbook
        if workbook_rels != self.user.read("xl/_rels/workbook.xml.rels"):
            self.changed["xl/_rels/workbook.xml.rels"] = workbook_rels
        self._refresh_pivots_on_our_sheets()
        types = self.user.read("[Content_Types].xml")
        updated = _update_types(types, self.new_types, self.removed - set(self.new_types))
        if updated != types:
            self.changed["[Content_Types].xml"] = updated
        self.changed = {k: v for k, v in self.changed.items() if k not in self.removed}
        return self.changed, self.added, self.removed


    def _pivot_caches(self, workbook: bytes, workbook_rels: bytes) -> tuple[bytes, bytes]:
        """The workbook's pivot-cache list without our old caches and with our new ones."""
        rels = ElementTree.fromstring(workbook_rels).findall("pr:Relationship", NS)
        gone = {rid for rid, kind, target, _ in part_relationships(self.user, "xl/workbook.xml")
                if kind == PIVOT_CACHE_TYPE and target in self.old_caches}
        for rid in gone:
            workbook = re.sub(rb'<(?:\w+:)?pivotCache\b[^>]*?\b(?:\w+:)?id="' + re.escape(rid.encode()) + rb'"[^>]*/>',
                              b"", workbook)
            workbook_rels = re.sub(rb'<Relationship\b[^>]*?\bId="' + re.escape(rid.encode()) + rb'"[^>]*/>', b"",
                                   workbook_rels)
        workbook = re.sub(rb"<((?:\w+:)?)pivotCaches>\s*</\1pivotCaches>", b"", workbook)  # none left: no element
        if not self.new_caches:
            return workbook, workbook_rels
        ids = {r.get("Id") for r in rels} - gone
        entries, added = [], []
        for part, cache_id in self.new_caches:
            rid = next(f"rIdOtcCache{n}" for n in range(1, 10**6) if f"rIdOtcCache{n}" not in ids)
            ids.add(rid)
            entries.append(f'<pivotCache xmlns:r="{OFFICE_REL}" cacheId="{cache_id}" r:id="{rid}"/>')
            added.append(f'<Relationship Id="{rid}" Type="{PIVOT_CACHE_TYPE}" '
                         f'Target={quoteattr(_relative("xl/workbook.xml", part))}/>')
        end = workbook_rels.rfind(b"</Relationships>")
        return (with_pivot_caches(workbook, "".join(entries)),
                workbook_rels[:end] + "".join(added).encode() + workbook_rels[end:])

    def _refresh_pivots_on_our_sheets(self) -> None:
        """A pivot table whose source is one of our report sheets (a team leader's pivot over
        PivotData) is marked to refresh when the workbook is opened; pivots over the user's own
        data are left untouched."""
        sheets = set(self.our_parts)
        tables = set().union(*own_sheets(self.ours).values()) if self.our_parts else set()
        for name in self.user.NameToInfo:
            if not (name.startswith("xl/pivotCache/pivotCacheDefinition") and name.endswith(".xml")):
                continue
            xml = self.user.read(name)
            source = _WORKSHEET_SOURCE.search(xml)
            if source is None:
                continue
            attrs = dict(re.findall(rb'(\w+)="([^"]*)"', source.group(0)))
            on_ours = (attrs.get(b"sheet", b"").decode() in sheets or attrs.get(b"name", b"").decode() in tables)
            if on_ours and not re.search(rb'<pivotCacheDefinition\b[^>]*\brefreshOnLoad="(1|true)"', xml):
                # the part holding that <worksheetSource> has its <pivotCacheDefinition> root
                head = cast(re.Match[bytes], re.search(rb"<pivotCacheDefinition\b[^>]*?(/?>)", xml))
                without = re.sub(rb'\srefreshOnLoad="[^"]*"', b"", head.group(0))
                self.changed[name] = xml[:head.start()] + without.replace(
                    b"<pivotCacheDefinition", b'<pivotCacheDefinition refreshOnLoad="1"', 1) + xml[head.end():]


_WORKSHEET_SOURCE = re.compile(rb"<worksheetSource\b[^>]*/?>")

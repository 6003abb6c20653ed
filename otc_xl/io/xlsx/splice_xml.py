"""The XML edits of splicing report sheets into a package: which Excel Tables each sheet holds, a
sheet's VBA code name, the workbook's sheet list and namespace prefixes, shared strings made inline
text, and the Overrides of ``[Content_Types].xml``."""

from __future__ import annotations

import re
import zipfile
from typing import cast
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

from .package import NS, related_parts, sheet_parts

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def own_sheets(z: zipfile.ZipFile) -> dict[str, set[str]]:
    """Sheet name → names of the Excel Tables it holds."""
    out = {}
    for name, part in sheet_parts(z).items():
        out[name] = {_table_name(z.read(t)) for t in related_parts(z, part, "table") if t in z.NameToInfo}
    return out


def _table_name(xml: bytes) -> str:
    root = ElementTree.fromstring(xml)
    return root.get("displayName") or root.get("name") or ""


_CODE_NAME = re.compile(rb'<(?:\w+:)?sheetPr\b[^>]*?\bcodeName="([^"]*)"')


def _code_name(sheet_xml: bytes) -> bytes | None:
    """The sheet's VBA code name (``Sheet5``), which the workbook's VBA document module is tied to."""
    m = _CODE_NAME.search(sheet_xml[:4096])
    return m.group(1) if m else None


def _with_code_name(sheet_xml: bytes, code_name: bytes | None) -> bytes:
    """``sheet_xml`` carrying ``code_name`` on its ``<sheetPr>`` (added as the first child of
    ``<worksheet>`` when there is none): Excel pairs an .xlsm's document modules with sheets by it."""
    if code_name is None:
        return sheet_xml
    attribute = b' codeName="' + code_name + b'"'
    m = re.search(rb"<sheetPr\b([^>]*?)(/?)>", sheet_xml)
    if m:
        attrs = re.sub(rb'\s+codeName="[^"]*"', b"", m.group(1))
        return sheet_xml[:m.start()] + b"<sheetPr" + attrs + attribute + m.group(2) + b">" + sheet_xml[m.end():]
    root = cast(re.Match[bytes], re.search(rb"<worksheet\b[^>]*>", sheet_xml))  # our own sheet: no prefix
    return sheet_xml[:root.end()] + b"<sheetPr" + attribute + b"/>" + sheet_xml[root.end():]


def _sheets(workbook_xml: bytes) -> list:
    """The ``<sheet>`` entries of ``workbook.xml``; ValueError for a form otc_xl does not know
    (e.g. Strict OOXML's namespace)."""
    sheets = ElementTree.fromstring(workbook_xml).find("m:sheets", NS)
    if sheets is None or not len(sheets):
        raise ValueError("its workbook.xml lists its sheets in a form otc_xl does not know")
    return list(sheets)


def _prefix_of(xml: bytes, namespace: str) -> str:
    """The prefix ``xml`` binds to ``namespace`` ("" for the default namespace)."""
    m = re.search(rb'xmlns:(\w+)="' + re.escape(namespace.encode()) + b'"', xml)
    return m.group(1).decode() if m else ""


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in z.NameToInfo:
        return []
    root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
    main = NS["m"]
    return ["".join(t.text or "" for t in si.iter(f"{{{main}}}t")) for si in root.findall("m:si", NS)]


def _inline(m: re.Match, strings: list[str]) -> bytes:
    text = strings[int(m.group(3))]
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return (f'<c r="{m.group(1).decode()}"{m.group(2).decode()} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
            ).encode()


def _content_types(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name (without the leading /) → content type, from the Overrides of ``[Content_Types].xml``."""
    root = ElementTree.fromstring(z.read("[Content_Types].xml"))
    return {o.get("PartName", "").lstrip("/"): o.get("ContentType", "") for o in root.findall(f"{{{CT_NS}}}Override")}


def _update_types(xml: bytes, new: dict[str, str], removed: set[str]) -> bytes:
    """``[Content_Types].xml`` with Overrides for ``new`` parts added and for ``removed`` parts dropped
    (the others kept as they are, byte for byte)."""
    for part in removed:
        xml = re.sub(rb'<Override PartName="/' + re.escape(part.encode()) + rb'"[^>]*/>', b"", xml)
    existing = set(re.findall(rb'<Override PartName="/([^"]+)"', xml))
    additions = "".join(f'<Override PartName="/{p}" ContentType={quoteattr(t)}/>' for p, t in new.items()
                        if t and p.encode() not in existing).encode()
    end = xml.rfind(b"</Types>")
    return xml[:end] + additions + xml[end:]

"""Cell styles in a package's ``xl/styles.xml``, found or added without disturbing the others.

Rows that otc_xl streams into a sheet's XML need style indices (``s="3"``) for their number
formats and for the quote prefix that keeps text from being taken for a formula. A
:class:`StyleBook` finds an existing ``<xf>`` with exactly those properties or appends one (and its
``<numFmt>``) at the end of its list, so every style already there keeps its index and its bytes,
and asking twice adds nothing.
"""

from __future__ import annotations

import re
from typing import cast
from xml.sax.saxutils import escape, unescape

BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "mm-dd-yy": 14, "@": 49}
"""Number formats every spreadsheet program knows by index (ECMA-376 §18.8.30)."""

_NUMFMTS = re.compile(rb'<numFmts count="(\d+)"\s*>(.*?)</numFmts>', re.S)
_NUMFMT = re.compile(rb'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"\s*/>')
_CELLXFS = re.compile(rb'<cellXfs count="(\d+)"\s*>')
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


class StyleBook:
    """The cell formats of one ``styles.xml`` (bytes), extended on demand; ``xml`` is the result."""

    def __init__(self, xml: bytes):
        head = _CELLXFS.search(xml)
        if head is None:
            raise ValueError("styles.xml has no cellXfs")
        end = xml.find(b"</cellXfs>", head.end())
        self._xfs = _XF.findall(xml, head.end(), end)
        if len(self._xfs) != int(head.group(1)):
            raise ValueError("styles.xml: cellXfs count does not match its entries")
        self.xml = xml
        found = _NUMFMTS.search(self.xml)
        self._formats = {unescape(code.decode(), {"&quot;": '"'}): int(i)
                         for i, code in _NUMFMT.findall(found.group(2))} if found else {}

    def xf(self, number_format: str | None = None, quote: bool = False) -> int:
        """Index of the cell format with this number format (default font, fill and border), with
        Excel's quote prefix when ``quote``; added when the book has none."""
        fmt = self._number_format(number_format or "General")
        for i, xf in enumerate(self._xfs):
            attrs = dict(_ATTR.findall(xf[:xf.find(b">")]))
            if (attrs.get(b"numFmtId") == str(fmt).encode() and attrs.get(b"fontId", b"0") == b"0"
                    and attrs.get(b"fillId", b"0") == b"0" and attrs.get(b"borderId", b"0") == b"0"
                    and (attrs.get(b"quotePrefix") in (b"1", b"true")) == quote and b"<alignment" not in xf
                    and b"<protection" not in xf):
                return i
        new = (f'<xf numFmtId="{fmt}" fontId="0" fillId="0" borderId="0" xfId="0"'
               + (' applyNumberFormat="1"' if fmt else "") + (' quotePrefix="1"' if quote else "") + "/>").encode()
        return self._add_xf(new)

    def _add_xf(self, new: bytes) -> int:
        """Index of ``new`` (an ``<xf>``), appended to ``cellXfs`` when no identical one is there."""
        if new in self._xfs:
            return self._xfs.index(new)
        head = cast(re.Match[bytes], _CELLXFS.search(self.xml))  # a styles part has its cellXfs
        end = self.xml.find(b"</cellXfs>", head.end())
        self._xfs.append(new)
        self.xml = (self.xml[:head.start()] + f'<cellXfs count="{len(self._xfs)}">'.encode()
                    + self.xml[head.end():end] + new + self.xml[end:])
        return len(self._xfs) - 1

    def _number_format(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code in self._formats:
            return self._formats[code]
        fmt = max([163, *self._formats.values()]) + 1
        entry = f'<numFmt numFmtId="{fmt}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'.encode()
        found = _NUMFMTS.search(self.xml)
        if found:
            self.xml = (self.xml[:found.start()] + f'<numFmts count="{len(self._formats) + 1}">'.encode()
                        + found.group(2) + entry + b"</numFmts>" + self.xml[found.end():])
        else:  # numFmts comes first in styleSheet (an empty <numFmts count="0"/> gives way)
            self.xml = self.xml.replace(b'<numFmts count="0"/>', b"", 1)
            start = self.xml.find(b">", self.xml.find(b"<styleSheet")) + 1
            self.xml = self.xml[:start] + b'<numFmts count="1">' + entry + b"</numFmts>" + self.xml[start:]
        self._formats[code] = fmt
        return fmt

    # ------------------------------------------------------------------------ styles of another book

    def import_xf(self, other: StyleBook, index: int) -> int:
        """Index here of the cell format ``other`` has at ``index`` (its number format, font, fill
        and border found or added here); the default font, fill and border stay this book's own."""
        if index == 0:  # the default format: this book's own (its font, e.g. the user's)
            return 0
        xf = other._xfs[index]
        end = xf.find(b">")
        attrs = dict(_ATTR.findall(xf[:end]))
        code = other._code(int(attrs.get(b"numFmtId", b"0")))
        ids = {"numFmtId": self._number_format(code)}
        for tag, default in (("font", 0), ("fill", 1), ("border", 0)):
            i = int(attrs.get(f"{tag}Id".encode(), b"0"))
            ids[f"{tag}Id"] = i if i <= default else self._component(tag, other._items(tag)[i])
        flags = "".join(f' {k.decode()}="{v.decode()}"' for k, v in attrs.items()
                        if k.startswith(b"apply") or k == b"quotePrefix")
        inner = xf[end + 1:xf.rfind(b"</xf>")] if not xf[:end].endswith(b"/") else b""
        new = (f'<xf numFmtId="{ids["numFmtId"]}" fontId="{ids["fontId"]}" fillId="{ids["fillId"]}" '
               f'borderId="{ids["borderId"]}" xfId="0"{flags}').encode() + (b">" + inner + b"</xf>" if inner else b"/>")
        return self._add_xf(new)

    def import_dxf(self, other: StyleBook, index: int) -> int:
        """Index here of the differential format (conditional formatting) ``other`` has at ``index``."""
        return self._component("dxf", other._items("dxf")[index])

    def _code(self, number_format: int) -> str:
        for code, i in (*BUILTIN_FORMATS.items(), *self._formats.items()):
            if i == number_format:
                return code
        return "General"

    def _items(self, tag: str) -> list[bytes]:
        found = _section(tag).search(self.xml)
        return _item(tag).findall(found.group(2)) if found and found.group(2) else []

    def _component(self, tag: str, item: bytes) -> int:
        """Index of ``item`` (a ``<font>``, ``<fill>``, ``<border>`` or ``<dxf>``) here, appended when new."""
        items = self._items(tag)
        if item in items:
            return items.index(item)
        found = _section(tag).search(self.xml)
        section = f'<{tag}s count="{len(items) + 1}">'.encode() + b"".join(items) + item + f"</{tag}s>".encode()
        if found:
            self.xml = self.xml[:found.start()] + section + self.xml[found.end():]
        else:  # no such list yet: it goes before the parts that follow it in a styleSheet
            at = min((i for i in (self.xml.find(t) for t in _AFTER[tag]) if i >= 0),
                     default=self.xml.rfind(b"</styleSheet>"))
            self.xml = self.xml[:at] + section + self.xml[at:]
        return len(items)


_AFTER = {"dxf": (b"<tableStyles", b"<colors", b"<extLst", b"</styleSheet>")}


def _section(tag: str) -> re.Pattern:
    """``<fonts …>…</fonts>`` (or ``<dxfs count="0"/>``): group 2 holds the items."""
    return re.compile(rf"<{tag}s\b([^>]*?)(?:/>|>(.*?)</{tag}s>)".encode(), re.S)


def _item(tag: str) -> re.Pattern:
    return re.compile(rf"<{tag}\b[^>]*?(?:/>|>.*?</{tag}>)".encode(), re.S)

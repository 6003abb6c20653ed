"""Cell styles in a package's ``xl/styles.xml``, found or added without disturbing the others.

Rows that otc_xl streams into a sheet's XML need style indices (``s="3"``) for their number
formats and for the quote prefix that keeps text from being taken for a formula. A
:class:`StyleBook` finds an existing ``<xf>`` with exactly those properties or appends one (and its
``<numFmt>``) at the end of its list, so every style already there keeps its index and its bytes,
and asking twice adds nothing.
"""

from __future__ import annotations

import re
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
        self.xml = xml.replace(b'<numFmts count="0"/>', b"")
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
        head = _CELLXFS.search(self.xml)
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
        else:  # numFmts comes first in styleSheet
            start = self.xml.find(b">", self.xml.find(b"<styleSheet")) + 1
            self.xml = self.xml[:start] + b'<numFmts count="1">' + entry + b"</numFmts>" + self.xml[start:]
        self._formats[code] = fmt
        return fmt

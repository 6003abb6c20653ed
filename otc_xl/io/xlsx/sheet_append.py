"""Appending rows to one sheet of an .xlsx/.xlsm package without loading the workbook.

The new rows are spliced into the sheet's XML just before ``</sheetData>``; the sheet's
``<dimension>`` and the Excel Table that starts at the header row are extended; the few cell
styles the rows need (date, money, text that could be taken for a formula) are reused from the
last existing row, or added at the end of ``styles.xml``'s ``cellXfs``. Every other part of the
package (other sheets, charts, pictures, controls, pivot caches, the VBA project …) is copied
unchanged, so this is both much faster than an openpyxl load/save and lossless.

It declines (returns ``None``) when the layout is not the plain one it knows how to extend: rows
already present below the insertion point, a table with a totals row or calculated columns,
prefixed XML, a sheet that is not found. The caller then uses the openpyxl path.
"""

from __future__ import annotations

import itertools
import queue
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import pandas as pd
from openpyxl.utils import get_column_letter, range_boundaries

from .cell_xml import column_cells
from .package import related_parts, sheet_parts
from .styles import StyleBook

_LAST_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_STYLE = re.compile(rb'<c r="([A-Z]+)\d+"(?=[^>]*?\bs="(\d+)")')
DIMENSION = re.compile(rb'<dimension ref="([A-Z]+\d+)(?::([A-Z]+)(\d+))?"\s*/>')
_TABLE_REF = re.compile(rb'(<table\b[^>]*?\bref=")([A-Z]+\d+:[A-Z]+\d+)(")')
_AUTOFILTER_REF = re.compile(rb'(<autoFilter\b[^>]*?\bref=")([A-Z]+\d+:[A-Z]+\d+)(")')
BUILTIN = {"date": "mm-dd-yy", "money": "#,##0.00"}  # built-in formats 14 and 4: short date in the user's locale


def _style(values: pd.Series, kind: str, styles: dict[str, int]) -> int | None:
    """A column's style: dates and money take theirs; other numbers and text none."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return styles["date"]
    return styles["money"] if kind == "money" else None


def _rows_xml(frame: pd.DataFrame, start_row: int, columns: dict[str, int], kinds: dict[str, str],
              styles: dict[str, int], quote: int | None, chunk: int = 20_000):
    """The new ``<row>`` elements as UTF-8 byte chunks, built column by column."""
    ordered = sorted(columns.items(), key=lambda kv: kv[1])
    for first in range(0, len(frame), chunk):
        part = frame.iloc[first:first + chunk]
        rows = [str(start_row + first + i) for i in range(len(part))]
        cells = [column_cells(get_column_letter(c), rows, values, _style(values, kinds.get(name, ""), styles), quote)
                 for name, c in ordered
                 for values in [part[name] if name in part else pd.Series([None] * len(part), dtype=object)]]
        yield "".join(f'<row r="{r}">{"".join(rec)}</row>' for r, rec in zip(rows, zip(*cells))).encode("utf-8")


def _styles(styles_xml: bytes | None, last_row_xml: bytes, columns: dict[str, int],
            needed: set[str]) -> tuple[dict[str, int], int | None, bytes | None] | None:
    """(style index per kind in ``needed``, quote-prefix style, new styles.xml or None when unchanged).

    A kind takes the style of the last existing row's cell in its column, else a matching
    ``<xf>`` found or appended by :class:`~otc_xl.io.xlsx.styles.StyleBook` (so repeated appends add
    nothing); None when ``styles.xml`` has a layout it cannot extend."""
    found = {m.group(1).decode(): int(m.group(2)) for m in _CELL_STYLE.finditer(last_row_xml)}
    styles: dict[str, int] = {}
    for kind, name in (("date", "payment_date"), ("money", "amount")):
        letter = get_column_letter(columns[name]) if name in columns else None
        if kind in needed and letter in found:
            styles[kind] = found[letter]
    if styles_xml is None:
        return None
    try:
        book = StyleBook(styles_xml)
    except ValueError:
        return None
    for kind in sorted(needed - set(styles)):
        styles[kind] = book.xf(BUILTIN[kind])
    quote = book.xf(None, quote=True)
    return styles, quote, (book.xml if book.xml != styles_xml else None)


def append_rows(path: Path, sheet: str, header_row: int, start_row: int, columns: dict[str, int],
                frame: pd.DataFrame, kinds: dict[str, str],
                base: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """New contents of the parts to change (sheet — as an iterable of byte chunks —, its table,
    styles) to append the rows of ``frame`` from ``start_row`` on, or None when this sheet's layout
    needs the openpyxl path.

    ``columns`` maps a column of ``frame`` to its 1-based sheet column; ``kinds`` marks columns
    that are ``money`` (number with the money format); dates are recognised by dtype. ``base``
    holds parts another append already changed for the same write (its ``styles.xml`` is built on).
    """
    base = base or {}
    needed = {"money"} & set(kinds.values()) | {"date" for name in columns if name in frame
                                                 and pd.api.types.is_datetime64_any_dtype(frame[name].dtype)}
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z).get(sheet)
        if part is None or part not in z.NameToInfo or part in base:
            return None
        xml = z.read(part)
        if xml.count(b"</sheetData>") != 1 and xml.count(b"<sheetData/>") != 1:
            return None
        end = xml.find(b"</sheetData>")
        empty = end < 0
        if empty:
            end = xml.find(b"<sheetData/>")
        rows = list(_LAST_ROW.finditer(xml, 0, end))
        if rows and int(rows[-1].group(1)) >= start_row:
            return None  # rows (even empty, formatted ones) below the table: splice would collide
        last_row_xml = xml[rows[-1].start():end] if rows else b""
        tables = [t for t in related_parts(z, part, "table") if t in z.NameToInfo]
        table_xml = {t: z.read(t) for t in tables}
        styles_xml = base.get("xl/styles.xml") or (z.read("xl/styles.xml") if "xl/styles.xml" in z.NameToInfo else None)
        styled = _styles(styles_xml, last_row_xml, columns, needed)
        if styled is None:
            return None
        styles, quote, new_styles = styled
    last = start_row + len(frame) - 1
    last_col = max(columns.values())
    head, tail = (xml[:end] + b"<sheetData>", b"</sheetData>" + xml[end + len(b"<sheetData/>"):]) if empty else (
        xml[:end], xml[end:])
    head = DIMENSION.sub(lambda m: extend_dimension(m, last, last_col), head, count=1)
    body = _rows_xml(frame, start_row, columns, kinds, styles, quote)
    changed: dict[str, Any] = {part: itertools.chain([head], body, [tail])}
    for name, txml in table_xml.items():
        m = _TABLE_REF.search(txml)
        if m is None:
            return None
        c1, r1, c2, r2 = cast("tuple[int, int, int, int]", range_boundaries(m.group(2).decode()))
        if r1 != header_row:
            continue
        if (b"totalsRowCount" in txml and not re.search(rb'totalsRowCount="0"', txml)
                or b"calculatedColumnFormula" in txml):
            return None
        if last_col > c2:
            return None  # a column would have to join the table: the openpyxl path adds its definition
        ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{max(r2, last)}".encode()
        def with_ref(m: re.Match[bytes], ref: bytes = ref) -> bytes:
            return m.group(1) + ref + m.group(3)
        txml = _TABLE_REF.sub(with_ref, txml, count=1)
        txml = _AUTOFILTER_REF.sub(with_ref, txml, count=1)
        changed[name] = txml
    if new_styles is not None:
        changed["xl/styles.xml"] = new_styles
    return changed


def extend_dimension(m: re.Match, last_row: int, last_col: int) -> bytes:
    """The ``<dimension>`` of a ``DIMENSION`` match grown to cover ``last_row`` and ``last_col``."""
    first = m.group(1).decode()
    ref = first + (f":{m.group(2).decode()}{m.group(3).decode()}" if m.group(2) else "")
    c1, r1, c2, r2 = cast("tuple[int, int, int, int]", range_boundaries(ref))
    return (f'<dimension ref="{first}:{get_column_letter(max(c2, last_col))}{max(r2, last_row)}"/>').encode()


def write_package(source: Path, target: str, changed: dict[str, Any], added: dict[str, Any] | None = None,
                  removed: frozenset[str] | set[str] = frozenset()) -> None:
    """Copy the package ``source`` to ``target`` with ``changed`` parts replaced (bytes, or an
    iterable of byte chunks written as they come), ``removed`` parts left out and ``added`` parts
    appended; every other part keeps its bytes, name, order, date and compression."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            if info.filename in removed:
                continue
            data = changed.get(info.filename)
            _write_part(zout, info, zin.read(info.filename) if data is None else data)
        for name, data in (added or {}).items():
            _write_part(zout, zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def _write_part(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data: Any, compress: int | None = None) -> None:
    compress = info.compress_type if compress is None else compress
    if isinstance(data, bytes):
        zout.writestr(info, data, compress_type=compress)
        return
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type, out.external_attr = compress, info.external_attr
    with zout.open(out, "w", force_zip64=True) as handle:
        for chunk in ahead(data):
            handle.write(chunk)


def ahead(chunks: Iterable[bytes], depth: int = 2) -> Iterator[bytes]:
    """The chunks, built by a second thread while this one compresses and writes the previous ones
    (zlib releases the GIL: on two cores building and compressing overlap). An error while building
    is raised here; if the consumer stops early, the builder stops at its next chunk."""
    handoff: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    done = object()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def build() -> None:
        try:
            for chunk in chunks:
                if not offer(chunk):
                    return
            offer(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            offer(exc)

    builder = threading.Thread(target=build, name="otc-xl-xml", daemon=True)
    builder.start()
    try:
        while (item := handoff.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        builder.join(timeout=5)

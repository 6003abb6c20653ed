"""Native PivotTables over our report Tables, written as OOXML parts (xlsxwriter and openpyxl cannot).

Each :class:`~otc_xl.model.report.Pivot` of a report sheet becomes a pivot table to the right of
that sheet's table, with its own pivot cache whose source is the sheet's Excel Table *by name*
(``<worksheetSource name="tblPivotData"/>``), so Data → Refresh All recomputes it over however many
rows the table has after the next run. The cache is written without records and marked
``refreshOnLoad`` (Excel rebuilds it on open); its fields and the axis fields' items are those of
the data written, so the definition is complete as it stands. Sums are per currency: currency is
always the first row field of a pivot over amounts.

:func:`pivot_package_parts` returns what to add to a package laid out by the report writer: the
pivot table and cache parts, the sheet's relationships, the workbook's ``<pivotCaches>`` and
relationships, and the content types.
"""

from __future__ import annotations

import math
import re
from typing import cast
from xml.sax.saxutils import quoteattr

import pandas as pd
from openpyxl.utils import get_column_letter

from ...model.report import Pivot, ReportSheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PIVOT_TABLE_TYPE = f"{REL}/pivotTable"
PIVOT_CACHE_TYPE = f"{REL}/pivotCacheDefinition"
PIVOT_TABLE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml"
PIVOT_CACHE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value) -> str:
    return _ILLEGAL.sub("", "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value))


def _bucket_order(label: str) -> tuple[int, int]:
    digits = re.findall(r"\d+", label)
    return (0 if not digits else 2 if label.lower().startswith("over") else 1, int(digits[0]) if digits else 0)


def _is_axis(pivot: Pivot, column: str) -> bool:
    return column in pivot.rows or column in pivot.columns


def cache_xml(pivot: Pivot, frame: pd.DataFrame, table: str) -> tuple[bytes, dict[str, list[str]]]:
    """The cache definition (no records: ``saveData="0"``, ``refreshOnLoad="1"``) and the items of
    each axis field in cache order. ``refreshedBy`` names the pivot, so two caches over one table are
    never equal: openpyxl merges equal caches when it saves a workbook and leaves the second pivot
    table pointing at a cache id that no longer exists (Excel then repairs the file, openpyxl cannot
    open it again)."""
    fields, items = [], {}
    for column in frame.columns:
        values = frame[column]
        if _is_axis(pivot, column):
            unique = list(dict.fromkeys(_text(v) for v in values))
            if isinstance(values.dtype, pd.CategoricalDtype):
                present = set(unique)
                unique = [c for c in map(_text, values.cat.categories) if c in present]
            elif column == "bucket":  # Current, 1-30, 31-60 … Over 120, whatever the data's order
                unique.sort(key=_bucket_order)
            items[column] = unique
            shared = f'<sharedItems count="{len(unique)}">' + "".join(f"<s v={quoteattr(u)}/>" for u in unique) \
                + "</sharedItems>"
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = pd.to_numeric(values, errors="coerce").dropna()
            integer = ' containsInteger="1"' if len(numbers) and (numbers % 1 == 0).all() else ""
            bounds = f' minValue="{numbers.min():g}" maxValue="{numbers.max():g}"' if len(numbers) else ""
            blank = ' containsBlank="1"' if numbers.size < len(values) else ""
            shared = (f'<sharedItems containsSemiMixedTypes="0" containsString="0" containsNumber="1"{integer}'
                      f"{blank}{bounds}/>")
        elif pd.api.types.is_datetime64_any_dtype(values):
            dates = values.dropna()
            bounds = (f' minDate="{dates.min():%Y-%m-%dT%H:%M:%S}" maxDate="{dates.max():%Y-%m-%dT%H:%M:%S}"'
                      if len(dates) else "")
            blank = ' containsBlank="1"' if dates.size < len(values) else ""
            shared = (f'<sharedItems containsSemiMixedTypes="0" containsNonDate="0" containsDate="1" '
                      f'containsString="0"{blank}{bounds}/>')
        else:
            shared = "<sharedItems/>"
        fields.append(f'<cacheField name={quoteattr(_text(column))} numFmtId="0">{shared}</cacheField>')
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition xmlns="{MAIN}" '
           f'xmlns:r="{REL}" saveData="0" refreshOnLoad="1" refreshedBy={quoteattr("otc_xl " + pivot.name)} '
           f'createdVersion="3" refreshedVersion="3" minRefreshableVersion="3" recordCount="{len(frame)}">'
           f'<cacheSource type="worksheet">'
           f'<worksheetSource name={quoteattr(table)}/></cacheSource><cacheFields count="{len(fields)}">'
           + "".join(fields) + "</cacheFields></pivotCacheDefinition>")
    return xml.encode("utf-8"), items


def table_xml(pivot: Pivot, frame: pd.DataFrame, items: dict[str, list[str]], cache_id: int,
              anchor: tuple[int, int]) -> bytes:
    """The pivot table definition at ``anchor`` (0-based row, column)."""
    columns = list(frame.columns)
    fields = []
    for column in columns:
        if column in pivot.rows or column in pivot.columns:
            axis = "axisRow" if column in pivot.rows else "axisCol"
            listed = "".join(f'<item x="{k}"/>' for k in range(len(items[column])))
            subtotal = column == pivot.rows[0] and len(pivot.rows) > 1  # a total per currency, never across
            fields.append(f'<pivotField axis="{axis}" compact="0" outline="0" showAll="0"'
                          + ("" if subtotal else ' defaultSubtotal="0"') + '>'
                          f'<items count="{len(items[column]) + subtotal}">{listed}'
                          + ('<item t="default"/>' if subtotal else "") + "</items></pivotField>")
        elif column == pivot.value:
            fields.append('<pivotField dataField="1" compact="0" outline="0" showAll="0"/>')
        else:
            fields.append('<pivotField compact="0" outline="0" showAll="0"/>')
    width = len(pivot.rows) + (len(items[pivot.columns[0]]) + 1 if pivot.columns else 1)
    height = 2 + len(frame.drop_duplicates(list(pivot.rows))) + 1 if len(frame) else 3
    top, left = anchor
    ref = f"{get_column_letter(left + 1)}{top + 1}:{get_column_letter(left + width)}{top + height}"
    rows = "".join(f'<field x="{columns.index(c)}"/>' for c in pivot.rows)
    cols = "".join(f'<field x="{columns.index(c)}"/>' for c in pivot.columns)
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotTableDefinition xmlns="{MAIN}" '
           f'name={quoteattr(pivot.name)} cacheId="{cache_id}" applyNumberFormats="0" applyBorderFormats="0" '
           f'applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" '
           f'dataCaption="Values" updatedVersion="3" minRefreshableVersion="3" createdVersion="3" '
           f'useAutoFormatting="1" itemPrintTitles="1" indent="0" outline="0" outlineData="0" compact="0" '
           f'compactData="0" gridDropZones="1" rowGrandTotals="0">'
           f'<location ref="{ref}" firstHeaderRow="1" firstDataRow="2" '
           f'firstDataCol="{len(pivot.rows)}"/><pivotFields count="{len(fields)}">{"".join(fields)}</pivotFields>'
           f'<rowFields count="{len(pivot.rows)}">{rows}</rowFields>'
           + (f'<colFields count="{len(pivot.columns)}">{cols}</colFields>' if pivot.columns else "")
           + f'<dataFields count="1"><dataField name={quoteattr(pivot.caption)} fld="{columns.index(pivot.value)}" '
           f'baseField="0" baseItem="0" numFmtId="4"/></dataFields>'
           f'<pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" showColHeaders="1" '
           f'showRowStripes="0" showColStripes="0" showLastColumn="1"/></pivotTableDefinition>')
    return xml.encode("utf-8")


def placed(report: ReportSheet) -> list[tuple[Pivot, tuple[int, int]]]:
    """Each pivot of ``report`` with its anchor (0-based row 2, below its title in row 1), side by
    side to the right of the table and its notes, two columns apart."""
    column = len(report.frame.columns) + (3 if report.notes else 1)
    out = []
    for pivot in report.pivots:
        out.append((pivot, (2, column)))
        width = len(pivot.rows) + (report.frame[pivot.columns[0]].nunique() + 1 if pivot.columns else 1)
        column += width + 2
    return out


def pivot_package_parts(read, names: set[str], reports: list[ReportSheet], sheet_of: dict[str, str],
                        first_cache_id: int = 1) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(changed, added) parts that put the pivots of ``reports`` into a package whose parts are read
    with ``read(name)`` (``names``: the parts it has; ``sheet_of``: sheet name → part)."""
    from .package import rels_part

    changed: dict[str, bytes] = {}
    added: dict[str, bytes] = {}
    caches, workbook_rels, overrides = [], [], []
    k = 0
    for report in reports:
        if not report.pivots:
            continue
        part = sheet_of[report.sheet]
        sheet_rels = rels_part(part)
        rels = read(sheet_rels) if sheet_rels in names else _EMPTY_RELS
        for pivot, anchor in placed(report):
            k += 1
            cache_id = first_cache_id + k - 1
            cache_name, table_name = f"xl/pivotCache/pivotCacheDefinition{k}.xml", f"xl/pivotTables/pivotTable{k}.xml"
            cache, items = cache_xml(pivot, report.frame, report.table)
            added[cache_name] = cache
            added[table_name] = table_xml(pivot, report.frame, items, cache_id, anchor)
            added[rels_part(table_name)] = _rels([("rId1", PIVOT_CACHE_TYPE,
                                                   f"../pivotCache/pivotCacheDefinition{k}.xml")])
            rels = _with_rel(rels, f"rIdOtcPivot{k}", PIVOT_TABLE_TYPE, f"../pivotTables/pivotTable{k}.xml")
            workbook_rels.append((f"rIdOtcPivotCache{k}", PIVOT_CACHE_TYPE, f"pivotCache/pivotCacheDefinition{k}.xml"))
            caches.append(f'<pivotCache xmlns:r="{REL}" cacheId="{cache_id}" r:id="rIdOtcPivotCache{k}"/>')
            overrides += [(f"/{cache_name}", PIVOT_CACHE_CT), (f"/{table_name}", PIVOT_TABLE_CT)]
        (changed if sheet_rels in names else added)[sheet_rels] = rels
    if not k:
        return changed, added
    wb_rels = read("xl/_rels/workbook.xml.rels")
    for rid, kind, target in workbook_rels:
        wb_rels = _with_rel(wb_rels, rid, kind, target)
    changed["xl/_rels/workbook.xml.rels"] = wb_rels
    changed["xl/workbook.xml"] = with_pivot_caches(read("xl/workbook.xml"), "".join(caches))
    types = read("[Content_Types].xml")
    extra = "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides).encode()
    end = types.rfind(b"</Types>")
    changed["[Content_Types].xml"] = types[:end] + extra + types[end:]
    return changed, added


_EMPTY_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
               b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')


def _rels(entries: list[tuple[str, str, str]]) -> bytes:
    rels = _EMPTY_RELS
    for rid, kind, target in entries:
        rels = _with_rel(rels, rid, kind, target)
    return rels


def _with_rel(rels: bytes, rid: str, kind: str, target: str) -> bytes:
    entry = f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'.encode()
    if rels.rstrip().endswith(b"/>") and b"</Relationships>" not in rels:  # <Relationships .../>
        rels = rels.rstrip()[:-2] + b"></Relationships>"
    end = rels.rfind(b"</Relationships>")
    return rels[:end] + entry + rels[end:]


_AFTER = (rb"</(?:\w+:)?customWorkbookViews>", rb"<(?:\w+:)?oleSize\b[^>]*/>", rb"<(?:\w+:)?calcPr\b[^>]*/>",
          rb"</(?:\w+:)?calcPr>", rb"</(?:\w+:)?definedNames>", rb"</(?:\w+:)?sheets>")


def with_pivot_caches(workbook: bytes, entries: str) -> bytes:
    """``workbook.xml`` with ``entries`` (``<pivotCache …/>``) in its ``<pivotCaches>`` (created where
    the schema puts it: after customWorkbookViews, oleSize, calcPr, definedNames or sheets — the
    first of these found)."""
    existing = re.search(rb"</(?:(\w+):)?pivotCaches>", workbook)
    main = cast(re.Match[bytes], re.search(rb"<(?:(\w+):)?workbook\b", workbook)).group(1)
    pre = (main.decode() + ":") if main else ""
    body = entries.replace("<pivotCache ", f"<{pre}pivotCache ").encode()
    if existing:
        return workbook[:existing.start()] + body + workbook[existing.start():]
    block = f"<{pre}pivotCaches>".encode() + body + f"</{pre}pivotCaches>".encode()
    for pattern in _AFTER:
        matches = list(re.finditer(pattern, workbook))
        if matches:
            end = matches[-1].end()
            return workbook[:end] + block + workbook[end:]
    raise ValueError("workbook.xml has no <sheets>")

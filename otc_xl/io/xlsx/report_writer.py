"""Report workbooks written fast: xlsxwriter lays out each sheet, the bulk rows are streamed in.

xlsxwriter writes every report sheet's frame into a scratch package: the header, the Excel Table
(stable name, style, totals row with ``SUBTOTAL`` formulas and their cached results), number formats,
widths, the frozen header, conditional highlights, the notes to the right and the native chart. The
data rows — nearly all the cells — are then built column by column as XML (:func:`row_chunks`) and
spliced into the sheet's ``<sheetData>`` while the package is copied to its target. Cells are what
xlsxwriter would write: numbers and dates with the column's number format, text as an inline string
that is never a formula (with Excel's quote prefix when it could be taken for one), control characters
replaced, text cut at 32,767.

:func:`build_package` leaves the result in a scratch file, which :func:`write_new_workbook` renames
over the target and the in-place writer (:mod:`otc_xl.io.xlsx.report_splice`) splices into a user's
workbook.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pandas as pd
import xlsxwriter
from openpyxl.utils import column_index_from_string, get_column_letter

from ...model.problems import Problem, ValidationError
from ...model.report import NUMBER_FORMATS, BarChart, Format, ReportSheet
from ..files import replace_atomically
from .cell_xml import column_cells
from .package import related_parts, sheet_parts
from .pivots import pivot_package_parts, placed
from .sheet_append import DIMENSION, extend_dimension, write_package
from .styles import StyleBook
from .writer import _widths, safe_text

HIGHLIGHTS = ("#FCE4D6", "#F8CBAD", "#F4B084", "#ED7D31")
NOTE_COLOR = "#595959"
CHUNK_ROWS = 4_000


def write_new_workbook(target: str | Path, reports: list[ReportSheet],
                       on_sheet: Callable[[str], None] | None = None, created: dt.datetime | None = None) -> Path:
    """Write ``reports`` to a new workbook file (replacing ``target`` if it exists), atomically;
    ``on_sheet`` is told each sheet's name before it is laid out (progress). ``created`` is the date in
    its properties (default: now); documents pass their day, so the same day's document has the same bytes."""
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise ValidationError([Problem(target.name, "reports are written as .xlsx; choose an --out ending in "
                                                    ".xlsx")])

    def write(tmp: str) -> None:
        build_package(Path(tmp), reports, on_sheet, created)
    return replace_atomically(target, write)


def build_package(path: Path, reports: list[ReportSheet], on_sheet: Callable[[str], None] | None = None,
                  created: dt.datetime | None = None) -> None:
    """The report workbook at ``path`` (a scratch file the caller owns)."""
    with tempfile.TemporaryDirectory(prefix="otc_xl_") as tmp:
        scratch = Path(tmp) / "layout.xlsx"
        layouts = lay_out(scratch, reports, on_sheet, created)
        with zipfile.ZipFile(scratch) as z:
            parts = sheet_parts(z)
            book = StyleBook(z.read("xl/styles.xml"))
            changed: dict[str, Any] = {}
            for layout in layouts:
                changed[parts[layout.report.sheet]] = layout.sheet_xml(z.read(parts[layout.report.sheet]), book)
            changed["xl/styles.xml"] = book.xml
            pivot_changed, added = pivot_package_parts(z.read, set(z.NameToInfo), reports, parts)
            changed.update(pivot_changed)
        write_package(scratch, str(path), changed, added)


class Layout:
    """One report sheet as xlsxwriter laid it out, and how to fill in its other rows."""

    def __init__(self, report: ReportSheet, columns: list[str], formats: list[Format], totals: bool):
        self.report, self.columns, self.formats, self.totals = report, columns, formats, totals

    def sheet_xml(self, xml: bytes, book: StyleBook, fix: Callable[[bytes], bytes] = lambda x: x) -> Iterator[bytes]:
        """The sheet part with the data rows 2 … n+1 streamed in (a note xlsxwriter wrote beside a
        data row joins that row); ``fix`` is applied to what xlsxwriter wrote (the splice maps its
        styles and strings into the user's workbook). The styles of the streamed rows are looked
        up in (added to) ``book`` now; the rows are built as the result is consumed."""
        styles = [book.xf(NUMBER_FORMATS[f]) for f in self.formats]
        return self._streamed(fix(xml), styles, book.xf("@", quote=True))

    def _streamed(self, xml: bytes, styles: list[int], quote: int) -> Iterator[bytes]:
        start, end = xml.find(b"<sheetData>") + len(b"<sheetData>"), xml.find(b"</sheetData>")
        if end < 0:  # <sheetData/>: nothing laid out beside the rows
            start = end = xml.find(b"<sheetData/>")
            xml = xml[:start] + b"<sheetData></sheetData>" + xml[start + len(b"<sheetData/>"):]
            start, end = start + len(b"<sheetData>"), start + len(b"<sheetData>")
        cells = _cells_by_row(xml[start:end])
        n = len(self.report.frame)
        last_row = max(n, 1) + 1 + self.totals
        if self.totals and last_row != LAID_OUT_TOTALS:  # the table was laid out with one data row
            laid_out = cells.pop(LAID_OUT_TOTALS, [])  # the totals cells, and a note beside them
            moved = [(c, _move(x, last_row)) for c, x in laid_out if c <= len(self.columns)]
            kept = [(c, x) for c, x in laid_out if c > len(self.columns)]
            if kept:
                cells[LAID_OUT_TOTALS] = kept
            cells[last_row] = sorted(moved + cells.get(last_row, []))
        rows = {r: b"".join(x for _, x in sorted(row)) for r, row in sorted(cells.items())}
        extra = {r: xml for r, xml in rows.items() if 2 <= r <= n + 1}
        before = b"".join(_row(r, x) for r, x in rows.items() if r < 2)
        after = b"".join(_row(r, x) for r, x in rows.items() if r > n + 1)
        last_col = max([len(self.columns), *(c for row in cells.values() for c, _ in row)])
        head = DIMENSION.sub(lambda m: extend_dimension(m, max([last_row, *rows]), last_col), xml[:start], count=1)
        yield head + before
        if n:
            yield from row_chunks(self.report.frame, 2, styles, quote, extra)
        yield after + xml[end:]

    def table_xml(self, xml: bytes) -> bytes:
        """The table part laid out with one data row, stretched over all of them."""
        rows = max(len(self.report.frame), 1)
        last = get_column_letter(len(self.columns))
        xml = _TABLE_REF.sub(f'\\g<1>A1:{last}{rows + 1 + self.totals}"'.encode(), xml, count=1)
        return _AUTOFILTER_REF.sub(f'\\g<1>A1:{last}{rows + 1}"'.encode(), xml, count=1)


LAID_OUT_TOTALS = 3
"""The sheet row of the totals row as laid out (header, one data row, totals)."""
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_TABLE_REF = re.compile(rb'(<table\b[^>]*?\bref=")[^"]*"')
_AUTOFILTER_REF = re.compile(rb'(<autoFilter\b[^>]*?\bref=")[^"]*"')


def _cells_by_row(sheet_data: bytes) -> dict[int, list[tuple[int, bytes]]]:
    """Sheet row → [(column number, cell XML)] of what xlsxwriter wrote."""
    out: dict[int, list[tuple[int, bytes]]] = {}
    for m in _CELL.finditer(sheet_data):
        out.setdefault(int(m.group(2)), []).append((column_index_from_string(m.group(1).decode()), m.group(0)))
    return out


def _move(cell: bytes, row: int) -> bytes:
    return re.sub(rb'^<c r="([A-Z]+)\d+"', lambda m: b'<c r="' + m.group(1) + str(row).encode() + b'"', cell)


def _row(r: int, cells: bytes) -> bytes:
    return f'<row r="{r}">'.encode() + cells + b"</row>"


def lay_out(path: Path, reports: list[ReportSheet], on_sheet: Callable[[str], None] | None,
            created: dt.datetime | None = None) -> list[Layout]:
    """xlsxwriter's layout of every report sheet (all but the data rows) in the package ``path``."""
    raw = path.with_name(f"{path.stem}.raw{path.suffix}")
    book = xlsxwriter.Workbook(str(raw), {"strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False, "nan_inf_to_errors": False})
    if created is not None:
        book.set_properties({"created": created})
    cache: dict[Any, Any] = {}

    def fmt(**props) -> Any:
        key = tuple(sorted(props.items()))
        if key not in cache:
            cache[key] = book.add_format(props)
        return cache[key]
    layouts = []
    for report in reports:
        if on_sheet:
            on_sheet(report.sheet)
        layouts.append(_sheet(book, report, fmt))
    book.close()
    with zipfile.ZipFile(raw) as z:
        parts = sheet_parts(z)
        tables = {t: layout for layout in layouts for t in related_parts(z, parts[layout.report.sheet], "table")}
        stretched = {t: layout.table_xml(z.read(t)) for t, layout in tables.items()}
    write_package(raw, str(path), stretched)
    raw.unlink()
    return layouts


def _number_format(code: str) -> Any:
    return 14 if code == "mm-dd-yy" else code  # the built-in short date, shown in the user's regional format


PIVOT_WIDTH = 17
"""Characters per column of a PivotTable's range: a money total up to 999,999,999,999.99 in bold."""


def _sheet(book, report: ReportSheet, fmt) -> Layout:
    frame = report.frame
    columns = [str(c) for c in frame.columns]
    kinds = [report.format_of(c) for c in frame.columns]
    formats = [fmt(num_format=_number_format(NUMBER_FORMATS[k])) for k in kinds]
    ws = book.add_worksheet(report.sheet)
    ws.freeze_panes(1, 0)
    # Printed: landscape A4, the sheet one page wide (as many pages long as it needs), the header row
    # repeated on every page. Without it a 13-invoice report printed as 128 pages, most of them slivers
    # of wide tables, notes and pivot tables cut across pages.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    for j, width in enumerate(_widths(report)):
        ws.set_column(j, j, width)
    rows = max(len(frame), 1)  # an Excel Table needs at least one data row
    totals = [c for c in report.totals if c in columns]
    if totals:
        sums = {c: round(float(pd.to_numeric(frame[c], errors="coerce").fillna(0).sum()), 2) for c in totals}
    # The table is laid out over one data row and stretched afterwards (Layout.table_xml): xlsxwriter
    # would otherwise remember every cell of its range (3 million entries, 400 MB, for 200,000 rows).
    ws.add_table(0, 0, 1 + bool(totals), len(columns) - 1, {
        "name": report.table, "style": "Table Style Medium 2", "total_row": bool(totals),
        "columns": [{"header": c, **({"total_function": "sum"} if c in totals else
                                     {"total_string": "Total"} if totals and j == 0 else {})}
                    for j, c in enumerate(columns)]})
    for j, c in enumerate(columns):
        if c in totals:  # the table's own name in the formula, and the result cached for readers that do not calculate
            ws.write_formula(LAID_OUT_TOTALS - 1, j, f"=SUBTOTAL(109,{report.table}[{_escape_header(c)}])", formats[j],
                             sums[c])
    for k, name in enumerate(report.highlight):  # later columns (older buckets) get darker fills
        if name in columns and len(frame):
            j = columns.index(name)
            ws.conditional_format(1, j, rows, j, {"type": "cell", "criteria": "!=", "value": 0,
                                                  "format": fmt(bg_color=HIGHLIGHTS[min(k, len(HIGHLIGHTS) - 1)])})
    notes_col = len(columns) + 1
    if report.notes:
        ws.set_column(notes_col, notes_col, min(max(map(len, report.notes)) + 2, 90))
        for i, note in enumerate(report.notes):
            ws.write_string(1 + i, notes_col, safe_text(note), fmt(italic=True, font_color=NOTE_COLOR))
    for pivot, (top, left) in placed(report):
        ws.write_string(top - 1, left, safe_text(pivot.title), fmt(bold=True))
        # wide enough for its labels and totals once refreshed (Excel and LibreOffice keep the widths;
        # at the default width a total of 1,234,567.89 shows as ###)
        width = len(pivot.rows) + (report.frame[pivot.columns[0]].nunique() + 1 if pivot.columns else 1)
        ws.set_column(left, left + width, PIVOT_WIDTH)
    if report.chart and len(frame):
        chart = _chart(book, report, columns, rows)
        if chart is not None:
            ws.insert_chart(len(report.notes) + 2, notes_col, chart)
    return Layout(report, columns, kinds, bool(totals))


def _escape_header(name: str) -> str:
    """A column name inside a structured reference: ``'``, ``#``, ``[`` and ``]`` take a ``'``."""
    return re.sub(r"(['#\[\]])", r"'\1", name)


def _chart(book, report: ReportSheet, columns: list[str], rows: int):
    """The report's native chart (None when ``only`` names a row the table lacks)."""
    spec, sheet = cast(BarChart, report.chart), report.sheet  # called for a report with a chart
    chart = book.add_chart({"type": spec.kind})
    chart.set_title({"name": spec.title})
    chart.set_size({"width": 680, "height": 340})
    if spec.x_title:
        chart.set_x_axis({"name": spec.x_title})
    if spec.y_title:
        chart.set_y_axis({"name": spec.y_title})
    cat = columns.index(spec.category)
    if spec.only is not None:
        matches = [i for i, v in enumerate(report.frame[spec.category].astype(str)) if v == spec.only]
        if not matches:
            return None
        r = matches[0] + 1
        js = [columns.index(name) for name in spec.values]  # adjacent bucket columns, left to right
        chart.add_series({"name": [sheet, r, cat], "categories": [sheet, 0, js[0], 0, js[-1]],
                          "values": [sheet, r, js[0], r, js[-1]]})
        chart.set_legend({"none": True})
        return chart
    for name in spec.values:
        j = columns.index(name)
        chart.add_series({"name": [sheet, 0, j], "categories": [sheet, 1, cat, rows, cat],
                          "values": [sheet, 1, j, rows, j]})
    return chart


# ---------------------------------------------------------------------------- streamed rows

def row_chunks(frame: pd.DataFrame, first_row: int, styles: list[int], quote: int,
               extra: dict[int, bytes] | None = None, chunk: int = CHUNK_ROWS) -> Iterator[bytes]:
    """``<row>`` elements for ``frame`` from sheet row ``first_row`` on, as UTF-8 chunks, built
    column by column (``styles``: the style index of each column's numbers and dates; ``quote``:
    the style of text that could be taken for a formula). ``extra`` adds cells (XML) after a row's
    own, e.g. a note to the right of the table."""
    extra = extra or {}
    letters = [get_column_letter(j + 1) for j in range(frame.shape[1])]
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start:start + chunk]
        rows = [str(first_row + start + i) for i in range(len(part))]
        cells = [column_cells(letters[j], rows, part.iloc[:, j], styles[j], quote) for j in range(frame.shape[1])]
        yield "".join(f'<row r="{r}">{"".join(rec)}{extra.get(int(r), b"").decode()}</row>'
                      for r, rec in zip(rows, zip(*cells))).encode("utf-8")

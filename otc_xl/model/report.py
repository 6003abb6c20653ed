"""What a report sheet is, independent of how it is written (openpyxl file or live Excel).

Engines return DataFrames; workflows wrap each one in a :class:`ReportSheet` that says which
sheet and Excel Table it goes to and how its columns are formatted. Adapters render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Format = Literal["text", "money", "date", "integer", "number", "percent"]

NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00;[Red]-#,##0.00",
    "date": "mm-dd-yy",  # Excel's built-in short date (id 14): shown in the user's regional format
    "integer": "#,##0",
    "number": "#,##0.00",
    "percent": "0.0%",
    "text": "@",
}

MESSAGES_SHEET = "otc_messages"
REPORT_TABLES = frozenset({
    "tblInputs", "tblApplications", "tblAliasSuggestions", "tblAgeing", "tblAgeingSummary", "tblAgeingDetail",
    "tblPivotData", "tblCreditBalances", "tblUnapplied", "tblUnbilled", "tblKPIs", "tblMessages",
    "tblDunning", "tblDunningItems", "tblDunningHistory", "tblLetters", "tblStatement", "tblWorklist",
    "tblContactLog", "tblDisputes", "tblDisputeItems", "tblDeductions", "tblWriteOffs", "tblPaymentPlan",
    "tblCreditAllocations",
    "tblCreditsLeft", "tblCreditPostings", "tblRefunds", "tblRefundLog", "tblRefundLetters",
    "tblLegalCases", "tblReconciliation", "tblReconciliationBalance", "tblPaymentPlans", "tblDirectDebits",
    "tblDebitLog", "tblHistory", "tblHistoryBuckets", "tblTrendDSO", "tblTrendOverdue", "tblTrendCEI", "tblMovements",
    "tblWorkbooks", "tblTeamAgeing", "tblTeamPivotData", "tblTopOverdue", "tblTopRisk", "tblWorkload",
    "tblTeamControls",
    "tblDailyCash", "tblWeeklyAgeing", "tblWeeklyPromises", "tblRollForward",
})
"""Excel Tables otc_xl writes: a sheet holding one of them is otc_xl's (it may be rewritten)."""


@dataclass(frozen=True)
class BarChart:
    """A native chart: one series per value column, one point per category row (clustered columns,
    or lines with ``kind="line"``).

    With ``only``, the chart shows the one row whose ``category`` is ``only`` (its value columns
    as the bars), so amounts in different currencies never share an axis."""

    title: str
    category: str
    values: tuple[str, ...]
    only: str | None = None
    x_title: str = ""
    y_title: str = ""
    kind: str = "column"
    """``column`` (clustered columns) or ``line`` (a trend over the category, e.g. dates)."""


@dataclass(frozen=True)
class Pivot:
    """A native PivotTable over a report sheet's own Table, placed to the right of it: ``value``
    summed by ``rows`` (currency first when the value is money) across ``columns``."""

    name: str
    title: str
    rows: tuple[str, ...]
    value: str
    columns: tuple[str, ...] = ()
    caption: str = "Sum"


@dataclass
class ReportSheet:
    """One report table: sheet name, stable Excel Table name, data and presentation."""

    sheet: str
    table: str
    frame: pd.DataFrame
    formats: dict[str, Format] = field(default_factory=dict)
    totals: tuple[str, ...] = ()
    """Columns summed in the table's totals row (none: no totals row)."""
    highlight: tuple[str, ...] = ()
    """Columns shaded when not zero, later ones darker (older ageing buckets)."""
    chart: BarChart | None = None
    notes: tuple[str, ...] = ()
    """Lines shown to the right of the table (controls, parameters)."""
    pivots: tuple[Pivot, ...] = ()
    """PivotTables over this sheet's table, to the right of it (file writers only: see io/pivots.py)."""

    def format_of(self, column: str) -> Format:
        if column in self.formats:
            return self.formats[column]
        dtype = self.frame[column].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "date"
        if pd.api.types.is_integer_dtype(dtype):
            return "integer"
        if pd.api.types.is_float_dtype(dtype):
            return "number"
        if dtype == object:  # noqa: E721 (numpy dtype("O") == object) a column of mixed blanks and values
            kind = pd.api.types.infer_dtype(self.frame[column], skipna=True)
            if kind in ("datetime64", "datetime", "date"):
                return "date"
            if kind in ("floating", "mixed-integer-float", "decimal"):
                return "number"
            if kind == "integer":
                return "integer"
        return "text"

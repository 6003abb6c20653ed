"""Problems found in user input, and the exception that carries them.

Every message names where the problem is (``Sheet!D14``), the value found and what was
expected, so an associate can fix the cell without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from openpyxl.utils import get_column_letter

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or worth knowing (warning) about the input.

    ``row`` is the 1-based Excel row and ``column`` the 1-based Excel column of the cell;
    either may be ``None`` when the problem concerns a whole sheet or column.
    """

    sheet: str
    message: str
    row: int | None = None
    column: int | None = None
    severity: Severity = "error"

    @property
    def cell(self) -> str:
        """``Sheet!D14``, ``Sheet!D``, ``Sheet!14`` or ``Sheet``, as precise as we know."""
        col = get_column_letter(self.column) if self.column else ""
        row = str(self.row) if self.row else ""
        ref = f"{col}{row}"
        return f"{self.sheet}!{ref}" if ref else self.sheet

    def __str__(self) -> str:
        return f"{self.cell}: {self.message}"


class ValidationError(Exception):
    """Raised when input cannot be used; ``problems`` lists every error found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        shown = "\n".join(f"  {p}" for p in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} problem(s) in the input:\n{shown}{more}")


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]

"""Cash application: remittance matching. Pure: DataFrames in, DataFrames out."""

from .book import CLEARED_COLUMNS
from .deductions import DEDUCTION_COLUMNS
from .engine import match_payments
from .learning import alias_suggestions
from .result import APPLICATION_COLUMNS, UNAPPLIED_COLUMNS, MatchResult
from .settings import MatchConfig

__all__ = ["APPLICATION_COLUMNS", "CLEARED_COLUMNS", "DEDUCTION_COLUMNS", "UNAPPLIED_COLUMNS", "MatchConfig",
           "MatchResult", "alias_suggestions",
           "match_payments"]

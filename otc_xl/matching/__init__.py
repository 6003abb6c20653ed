"""Cash application: remittance matching. Pure: DataFrames in, DataFrames out."""

from .deductions import DEDUCTION_COLUMNS
from .engine import APPLICATION_COLUMNS, CLEARED_COLUMNS, UNAPPLIED_COLUMNS, MatchConfig, MatchResult, match_payments
from .learning import alias_suggestions

__all__ = ["APPLICATION_COLUMNS", "CLEARED_COLUMNS", "DEDUCTION_COLUMNS", "UNAPPLIED_COLUMNS", "MatchConfig",
           "MatchResult", "alias_suggestions",
           "match_payments"]

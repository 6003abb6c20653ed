"""Cash application: remittance matching. Pure: DataFrames in, DataFrames out."""

from .engine import APPLICATION_COLUMNS, UNAPPLIED_COLUMNS, MatchConfig, MatchResult, match_payments
from .learning import alias_suggestions

__all__ = ["APPLICATION_COLUMNS", "UNAPPLIED_COLUMNS", "MatchConfig", "MatchResult", "alias_suggestions",
           "match_payments"]

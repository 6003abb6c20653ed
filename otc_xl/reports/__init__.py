"""Pure report engines: DataFrames in, DataFrames out; no I/O."""

from .ageing import ageing, credit_balances
from .buckets import bucket_labels
from .kpis import ar_kpis
from .pivot import pivot_data
from .unapplied import unapplied_cash
from .unbilled import unbilled_revenue

__all__ = ["ageing", "ar_kpis", "bucket_labels", "credit_balances", "pivot_data", "unapplied_cash",
           "unbilled_revenue"]

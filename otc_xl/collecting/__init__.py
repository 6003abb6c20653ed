"""Collections engines (pure: DataFrames in, DataFrames out): dunning, statements, worklist,
disputes, write-offs and payment plans.

Not called ``collections`` so that it can never shadow Python's own ``collections`` module.
"""

from .dunning import DunningResult, dunning_run
from .policy import DunningLevel, DunningPolicy, interest_cents

__all__ = ["DunningLevel", "DunningPolicy", "DunningResult", "dunning_run", "interest_cents"]

"""Which of a customer's open items add up exactly to a payment (in cents)?

A depth-first search over items sorted by amount, pruned by what the remaining items can still
reach, bounded in subset size and in nodes visited. It stops at the second solution: callers
only ever act on a *unique* subset, and a search cut short by its budget counts as not unique.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_SIZE = 6
MAX_NODES = 200_000


@dataclass(frozen=True)
class SubsetSearch:
    solutions: list[tuple[int, ...]]
    """Index tuples (into the amounts given) that sum to the target; at most two."""
    complete: bool
    """False when the node budget ran out before the search space was exhausted."""

    @property
    def unique(self) -> tuple[int, ...] | None:
        return self.solutions[0] if self.complete and len(self.solutions) == 1 else None


def exact_subsets(amounts: list[int], target: int, min_size: int = 2, max_size: int = MAX_SIZE,
                  max_nodes: int = MAX_NODES) -> SubsetSearch:
    """Subsets of positive ``amounts`` (cents) of ``min_size``..``max_size`` items summing to ``target``."""
    order = sorted((a, i) for i, a in enumerate(amounts) if a > 0)
    values = [a for a, _ in order]
    n = len(values)
    suffix_max = [0] * (n + 1)  # largest sum of k items from position j on is bounded by a prefix of the tail
    for j in range(n - 1, -1, -1):
        suffix_max[j] = suffix_max[j + 1] + values[j]
    solutions: list[tuple[int, ...]] = []
    nodes = 0
    exhausted = True

    def walk(start: int, remaining: int, chosen: list[int]) -> bool:
        nonlocal nodes, exhausted
        for j in range(start, n):
            nodes += 1
            if nodes > max_nodes:
                exhausted = False
                return True
            value = values[j]
            if value > remaining:
                break  # sorted: nothing further fits
            if suffix_max[j] < remaining:
                break  # even all the rest cannot reach the target
            chosen.append(j)
            if value == remaining and len(chosen) >= min_size:
                solutions.append(tuple(sorted(order[k][1] for k in chosen)))
                if len(solutions) >= 2:
                    return True
            elif len(chosen) < max_size and walk(j + 1, remaining - value, chosen):
                return True
            chosen.pop()
        return False

    if target > 0 and n:
        walk(0, target, [])
    return SubsetSearch(solutions, exhausted or len(solutions) >= 2)


def expected_coincidences(amounts: list[int], target: int, sizes: range, window: int = 1) -> float:
    """How many subsets of the given sizes would sum to within ``window`` cents of ``target`` by chance.

    Items are treated as independent draws from their own distribution (normal approximation of
    a k-item sum, density per cent). A unique exact match among 5 invoices is telling; among 500 it
    is likely luck. Callers turn this number into confidence.
    """
    values = [a for a in amounts if a > 0]
    n = len(values)
    if n == 0:
        return 0.0
    mean = sum(values) / n
    var = max(sum((v - mean) ** 2 for v in values) / n, (mean / 2) ** 2, 1.0)
    total = 0.0
    for k in sizes:
        if k > n:
            break
        sd = math.sqrt(k * var)
        density = math.exp(-((target - k * mean) ** 2) / (2 * sd * sd)) / (sd * math.sqrt(2 * math.pi))
        total += math.comb(n, k) * density * max(window, 1)
    return total

"""Whether realised prize counts fit their odds: exact binomial 99.9% intervals.

For `n` draws and a prize of probability `p` the interval is the central
99.9% of Binomial(n, p): the largest `lo` with P(X < lo) <= 0.0005 and the
smallest `hi` with P(X > hi) <= 0.0005, summed from the probability mass
function in logs (exact for any n a bench runs).
"""

import math
from collections.abc import Mapping
from typing import Any

TAIL = 0.0005  # each side of a central 99.9% interval


def _pmf(n: int, p: float, k: int) -> float:
    if p <= 0:
        return 1.0 if k == 0 else 0.0
    if p >= 1:
        return 1.0 if k == n else 0.0
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return math.exp(log + k * math.log(p) + (n - k) * math.log1p(-p))


def interval(n: int, p: float) -> tuple[int, int]:
    """The central 99.9% interval of Binomial(n, p)."""
    below, lo = 0.0, 0
    while lo < n and below + _pmf(n, p, lo) <= TAIL:
        below += _pmf(n, p, lo)
        lo += 1
    above, hi = 0.0, n
    while hi > 0 and above + _pmf(n, p, hi) <= TAIL:
        above += _pmf(n, p, hi)
        hi -= 1
    return lo, hi


def check(counts: Mapping[str, int], weights: Mapping[str, int]) -> dict[str, Any]:
    """Each prize's count against its interval, for draws by weight over an unlimited pool."""
    n, total = sum(counts.values()), sum(weights.values())
    prizes: dict[str, Any] = {}
    for prize, weight in weights.items():
        lo, hi = interval(n, weight / total)
        found = counts.get(prize, 0)
        prizes[prize] = {
            "count": found,
            "expected": round(n * weight / total, 1),
            "interval_999": [lo, hi],
            "within": lo <= found <= hi,
        }
    return {"draws": n, "all_within": all(p["within"] for p in prizes.values()), "prizes": prizes}

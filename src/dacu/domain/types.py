"""Aliases shared across the domain."""

from typing import TypeAlias

Fen: TypeAlias = int
"""An amount of money in fen (分): 100 = ¥1.00."""

Bp: TypeAlias = int
"""A rate in basis points: 10000 = 100%."""

FULL_BP: Bp = 10000

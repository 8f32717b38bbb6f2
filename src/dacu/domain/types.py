"""Aliases shared across the domain."""

from typing import TypeAlias

Fen: TypeAlias = int
"""An amount of money in fen (分): 100 = ¥1.00."""

Bp: TypeAlias = int
"""A rate in basis points: 10000 = 100%."""

FULL_BP: Bp = 10000

MAX_FEN: Fen = 10**12
"""¥10 billion: no price, amount or total at any edge is larger (64-bit columns hold
sums of millions of them)."""

MAX_QTY = 10**6
"""Units of one SKU in one cart line."""

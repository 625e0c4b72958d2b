"""The range tokens of Smiles2Actions: temperatures `#1#`..`#6#`, durations `@1@`..`@5@`, pH words.

All edges live in the one table below (the paper's Methods). Intervals are half-open,
``[lower edge, upper edge)``: a value exactly on an edge goes to the *upper* bin (numpy.digitize
semantics, as the paper's code). So 10 °C -> `#4#`, 30 min -> `@2@`, pH 6.5 -> neutral.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RangeTable:
    """Edges (ascending) and one token per bin: len(tokens) == len(edges) + 1."""

    quantity: str
    unit: str
    edges: tuple[float, ...]
    tokens: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.edges) + 1:
            raise ValueError(f"{self.quantity}: {len(self.edges)} edges need {len(self.edges) + 1} tokens")
        if list(self.edges) != sorted(set(self.edges)):
            raise ValueError(f"{self.quantity}: edges must be strictly ascending")

    def token(self, value: float) -> str:
        """Token of the bin holding `value`; a value on an edge belongs to the bin above it."""
        return self.tokens[bisect.bisect_right(self.edges, value)]

    def is_token(self, text: str) -> bool:
        return text in self.tokens


TEMPERATURE = RangeTable(
    quantity="temperature",
    unit="°C",
    edges=(-50.0, -10.0, 10.0, 40.0, 80.0),
    tokens=("#1#", "#2#", "#3#", "#4#", "#5#", "#6#"),
)

DURATION = RangeTable(
    quantity="duration",
    unit="h",
    edges=(0.5, 3.0, 10.0, 50.0),  # 30 min, 3 h, 10 h, 50 h
    tokens=("@1@", "@2@", "@3@", "@4@", "@5@"),
)

PH = RangeTable(
    quantity="pH",
    unit="",
    edges=(6.5, 7.5),
    tokens=("acidic", "neutral", "basic"),
)

TABLES = (TEMPERATURE, DURATION, PH)

# Positional compound tokens: `$k$` k-th precursor, `$-k$` k-th product (1-based).
COMPOUND_TOKEN_IN_TEXT = re.compile(r"\$-?[1-9][0-9]*\$")  # one inside a longer text
COMPOUND_TOKEN = re.compile(rf"^{COMPOUND_TOKEN_IN_TEXT.pattern}$")


def precursor_token(index: int) -> str:
    """Token of the precursor at 0-based `index`."""
    return f"${index + 1}$"


def product_token(index: int) -> str:
    """Token of the product at 0-based `index`."""
    return f"$-{index + 1}$"

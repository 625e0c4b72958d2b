"""Validity-aware re-ranking of a decoder's n-best list.

A beam ranks by total log-probability, which prefers short sequences, and knows nothing of which
molecules a reaction has. The chosen ranking decodes a wider list (`width`) and puts first the
hypotheses that are valid for their reaction (s2a.formats.targets: parse, and refer to exactly
the reaction's `$k$` / `$-k$`), each group ordered by log-probability per token**length_exponent
(0: the decoder's own total; 1: the mean per token). Stable: ties keep the decoder's order.
Scores must be total log-probabilities (decoders run with length penalty 0). Profiles set it as a
`ranking:` mapping (read by s2a.config.typed: `ranking: null` keeps the decoder's order).

Two further levers: `constrain` decodes the wide list with the reaction's positional tokens only
(decoders that support it, s2a.models.ctranslate; the raw ranking is then a second, unconstrained
decode), and `complete` edits the invalid hypotheses, which come after the valid ones
(s2a.formats.targets.completed: add the precursors one never names, drop what names none of
them), so that the first is valid even when none of the list was.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from s2a.formats.predictions import Hypothesis
from s2a.formats.targets import Counts, completed, is_valid_for, reaction_counts


@dataclass(frozen=True)
class Ranking:
    width: int = 10
    valid_first: bool = True
    length_exponent: float = 1.0
    constrain: bool = False
    complete: bool = False

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError(f"width must be >= 1, got {self.width}")
        if self.length_exponent < 0:
            raise ValueError(f"length_exponent must be >= 0, got {self.length_exponent}")

    def key(self, hypothesis: Hypothesis, counts: Counts) -> tuple[bool, float]:
        """Sort key, smaller first: (invalid, -normalised score)."""
        length = len(hypothesis.actions.split()) + 1  # + end of sequence, as the decoder scores it
        normalised = hypothesis.score / length**self.length_exponent
        invalid = self.valid_first and not is_valid_for(hypothesis.actions, counts)
        return invalid, -normalised

    def rank(self, src: str, hypotheses: Sequence[Hypothesis]) -> list[Hypothesis]:
        counts = reaction_counts(src)
        ranked = sorted(hypotheses, key=lambda h: self.key(h, counts))
        if not self.complete:
            return ranked
        out: list[Hypothesis] = []
        for h in ranked:  # the valid ones, then the others completed (a repeat of one above is dropped)
            fixed = h if is_valid_for(h.actions, counts) else Hypothesis(completed(h.actions, counts), h.score)
            if fixed.actions not in {o.actions for o in out}:
                out.append(fixed)
        return out

    def describe(self) -> dict[str, Any]:
        return {"width": self.width, "valid_first": self.valid_first, "length_exponent": self.length_exponent,
                "constrain": self.constrain, "complete": self.complete}

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

`consensus` then orders the candidates by minimum Bayes risk: by their expected similarity (the
metric's normalised Levenshtein) to what the model and the nearest training reactions say. The
evidence is a mixture: the model's hypotheses, weighted by exp(sharpness · normalised
log-probability), and the sequences of the reaction's `neighbours` nearest training reactions
(the nn index), weighted by exp(neighbour_sharpness · cosine), which together carry
`neighbour_weight` of it. A beam's best hypothesis is its most probable *sequence*; the consensus
is the answer closest to everything probable, which is what a similarity metric rewards, and the
neighbours pull it towards procedures that were really written for similar reactions.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Optional

from s2a.formats.predictions import Hypothesis
from s2a.formats.targets import Counts, completed, is_valid_for, reaction_counts, similarity


def _softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    weights = [math.exp(x - top) for x in logits]
    total = sum(weights)
    return [w / total for w in weights]


@dataclass(frozen=True)
class Consensus:
    """`consensus:` in a ranking: minimum-Bayes-risk order of the candidates (the module's text)."""

    sharpness: float = 1.0  # β: a hypothesis weighs exp(β · log-probability / length**length_exponent)
    neighbours: int = 10  # k nearest training reactions whose sequences are evidence too (0: none)
    neighbour_weight: float = 0.8  # λ: their share of the evidence (when a reaction has neighbours)
    neighbour_sharpness: float = 20.0  # γ: a neighbour weighs exp(γ · cosine)

    def __post_init__(self) -> None:
        for name in ("sharpness", "neighbours", "neighbour_sharpness"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0 <= self.neighbour_weight <= 1:
            raise ValueError(f"neighbour_weight must be in [0, 1], got {self.neighbour_weight}")

    def evidence(self, hypotheses: Sequence[tuple[str, float]],
                 neighbours: Sequence[Hypothesis]) -> list[tuple[str, float]]:
        """(sequence, weight) pairs summing to 1: the hypotheses (with their normalised scores) and
        the neighbours (their scores: cosines)."""
        share = self.neighbour_weight if neighbours else 0.0
        out = [] if share == 1 else [(a, (1 - share) * w) for (a, _), w in
                                     zip(hypotheses, _softmax([self.sharpness * x for _, x in hypotheses]))]
        if share:
            out += [(n.actions, share * w) for n, w in
                    zip(neighbours, _softmax([self.neighbour_sharpness * n.score for n in neighbours]))]
        return out

    @staticmethod
    def expected_similarity(candidate: str, evidence: Sequence[tuple[str, float]]) -> float:
        return sum(w * similarity(e, candidate) for e, w in evidence if w > 0)


@dataclass(frozen=True)
class Ranking:
    width: int = 10
    valid_first: bool = True
    length_exponent: float = 1.0
    constrain: bool = False
    complete: bool = False
    consensus: Optional[Consensus] = None

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError(f"width must be >= 1, got {self.width}")
        if self.length_exponent < 0:
            raise ValueError(f"length_exponent must be >= 0, got {self.length_exponent}")

    @property
    def neighbours(self) -> int:
        """How many nearest training reactions `rank` wants beside each list (0: none)."""
        return self.consensus.neighbours if self.consensus else 0

    def normalised(self, hypothesis: Hypothesis) -> float:
        length = len(hypothesis.actions.split()) + 1  # + end of sequence, as the decoder scores it
        return hypothesis.score / length**self.length_exponent

    def key(self, hypothesis: Hypothesis, counts: Counts) -> tuple[bool, float]:
        """Sort key, smaller first: (invalid, -normalised score)."""
        invalid = self.valid_first and not is_valid_for(hypothesis.actions, counts)
        return invalid, -self.normalised(hypothesis)

    def rank(self, src: str, hypotheses: Sequence[Hypothesis], neighbours: Sequence[Hypothesis] = ()) -> list[Hypothesis]:
        """The hypotheses re-ranked; `neighbours` (nearest training reactions' sequences, scored by
        cosine) are evidence for the consensus."""
        counts = reaction_counts(src)
        ranked = sorted(hypotheses, key=lambda h: self.key(h, counts))
        if self.complete:
            out: list[Hypothesis] = []
            for h in ranked:  # the valid ones, then the others completed (a repeat of one above is dropped)
                fixed = h if is_valid_for(h.actions, counts) else Hypothesis(completed(h.actions, counts), h.score)
                if fixed.actions not in {o.actions for o in out}:
                    out.append(fixed)
            ranked = out
        if self.consensus is None or not ranked:
            return ranked
        evidence = self.consensus.evidence([(h.actions, self.normalised(h)) for h in hypotheses], neighbours)
        expected = {h.actions: self.consensus.expected_similarity(h.actions, evidence) for h in ranked}
        invalid = {h.actions: self.valid_first and not is_valid_for(h.actions, counts) for h in ranked}
        return sorted(ranked, key=lambda h: (invalid[h.actions], -expected[h.actions]))

    def describe(self) -> dict[str, Any]:
        return {"width": self.width, "valid_first": self.valid_first, "length_exponent": self.length_exponent,
                "constrain": self.constrain, "complete": self.complete,
                **({"consensus": asdict(self.consensus)} if self.consensus else {})}

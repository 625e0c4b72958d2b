"""Is a model collapsed onto a few generic answers? Three figures per model, beside the metrics.

- distinct: the number of different top-1 sequences (a share of the reactions): a model that
  writes one answer for everything has 1.
- length JSD: Jensen–Shannon divergence (base 2, in [0, 1]) between the histograms of the number
  of actions of the predictions and of the truth: one spike at 12 actions is far from the truth.
- recall 0: the action types that make up >= `min_share` of the truth's actions but that the
  model never writes where the truth has them (s2a.evaluation.action_types: matched 0) — never
  written at all, or written only for reactions whose truth lacks them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from s2a.evaluation.action_types import TypeScore, action_type_scores
from s2a.formats.distributions import action_types, counter_divergence

MIN_SHARE = 0.01


@dataclass(frozen=True)
class Collapse:
    n: int
    distinct: int
    length_jsd: float
    zero_recall: tuple[TypeScore, ...]  # most frequent in the truth first

    @property
    def distinct_share(self) -> float:
        return self.distinct / self.n if self.n else 0.0

    def zero_recall_text(self) -> str:
        """'MAKESOLUTION, PH (written 3×)', or 'none'."""
        return ", ".join(t.action_type + (f" (written {t.predicted}×)" if t.predicted else "")
                         for t in self.zero_recall) or "none"


def collapse(truths: Sequence[str], predictions: Sequence[str], min_share: float = MIN_SHARE) -> Collapse:
    truth_lengths = Counter(str(len(action_types(t))) for t in truths)
    predicted_lengths = Counter(str(len(action_types(p))) for p in predictions)
    scores = action_type_scores(truths, predictions)
    total = sum(s.in_truth for s in scores) or 1
    return Collapse(
        n=len(predictions),
        distinct=len({p.strip() for p in predictions}),
        length_jsd=counter_divergence(truth_lengths, predicted_lengths),
        zero_recall=tuple(s for s in scores if s.in_truth / total >= min_share and s.matched == 0),
    )

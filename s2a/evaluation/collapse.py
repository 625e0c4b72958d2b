"""Is a model collapsed onto a few generic answers? Three figures per model, beside the metrics.

- distinct: the number of different top-1 sequences (a share of the reactions): a model that
  writes one answer for everything has 1.
- length JSD: Jensen–Shannon divergence (base 2, in [0, 1]) between the histograms of the number
  of actions of the predictions and of the truth: one spike at 12 actions is far from the truth.
- never predicted: the action types that make up >= `min_share` of the truth's actions but that
  the model never writes (recall 0 whatever else it does).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from s2a.formats.distributions import action_types, counter_divergence

MIN_SHARE = 0.01


@dataclass(frozen=True)
class Collapse:
    n: int
    distinct: int
    length_jsd: float
    never_predicted: tuple[str, ...]

    @property
    def distinct_share(self) -> float:
        return self.distinct / self.n if self.n else 0.0


def collapse(truths: Sequence[str], predictions: Sequence[str], min_share: float = MIN_SHARE) -> Collapse:
    truth_types = [action_types(t) for t in truths]
    predicted_types = [action_types(p) for p in predictions]
    truth_lengths = Counter(str(len(t)) for t in truth_types)
    predicted_lengths = Counter(str(len(p)) for p in predicted_types)
    in_truth = Counter(t for types in truth_types for t in types)
    total = sum(in_truth.values()) or 1
    predicted = {t for types in predicted_types for t in types}
    never = tuple(sorted((t for t, k in in_truth.items() if k / total >= min_share and t not in predicted),
                         key=lambda t: -in_truth[t]))
    return Collapse(
        n=len(predictions),
        distinct=len({p.strip() for p in predictions}),
        length_jsd=counter_divergence(truth_lengths, predicted_lengths),
        never_predicted=never,
    )

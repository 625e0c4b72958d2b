"""Per-action-type precision and recall over a corpus.

For each reaction, the action types (first word of each action) of truth and prediction are
counted as multisets. For a type T, summed over reactions:
  matched(T)   = sum min(count_truth(T), count_prediction(T))
  precision(T) = matched(T) / sum count_prediction(T)   (None if T is never predicted)
  recall(T)    = matched(T) / sum count_truth(T)        (None if T never occurs in the truth)
  F1(T)        = 2 matched(T) / (predicted(T) + in truth(T)); micro_f1 pools every type
Order and properties are ignored: this asks "does the model use the right kinds of steps, as often
as the chemist did?".
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from s2a.evaluation.differences import action_type
from s2a.formats.tokenization import detokenize_actions


@dataclass(frozen=True)
class TypeScore:
    action_type: str
    in_truth: int
    predicted: int
    matched: int

    @property
    def precision(self) -> Optional[float]:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> Optional[float]:
        return self.matched / self.in_truth if self.in_truth else None

    @property
    def f1(self) -> Optional[float]:
        return 2 * self.matched / (self.predicted + self.in_truth) if self.predicted + self.in_truth else None


def micro_f1(scores: Sequence[TypeScore]) -> Optional[float]:
    """F1 of all types pooled: 2 * matched / (predicted + in truth), summed over types; None when
    neither side has any action."""
    return TypeScore("all", sum(s.in_truth for s in scores), sum(s.predicted for s in scores),
                     sum(s.matched for s in scores)).f1


def type_counts(line: str) -> Counter[str]:
    return Counter(action_type(" ".join(a.split())) for a in detokenize_actions(line))


def action_type_scores(truths: Sequence[str], predictions: Sequence[str]) -> list[TypeScore]:
    """One TypeScore per type seen in truth or prediction, most frequent in the truth first."""
    in_truth: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    matched: Counter[str] = Counter()
    for t, p in zip(truths, predictions):
        ct, cp = type_counts(t), type_counts(p)
        in_truth.update(ct)
        predicted.update(cp)
        matched.update(ct & cp)  # multiset intersection: min of the counts
    types = sorted(set(in_truth) | set(predicted), key=lambda k: (-in_truth[k], -predicted[k], k))
    return [TypeScore(k, in_truth[k], predicted[k], matched[k]) for k in types]

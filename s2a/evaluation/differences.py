"""What separates a predicted action sequence from the truth (the paper's Table 5 analysis).

Both lines are split into actions (' ; '); an action is compared as its whitespace-normalised
string, its *type* is its first word (ADD, STIR, ...). The first category that applies wins:

1. exact: the same actions in the same order.
2. order: the same multiset of actions, in a different order.
3. properties: the same number of actions with the same type at every position; at least one
   action differs in what follows its type (compound, duration, temperature, layer, ...).
4. swapped: the same number of actions, all identical but one position whose type differs
   (one action replaced by an action of another type).
5. missing/extra: one action more or less; removing that one action from the longer sequence
   gives the shorter exactly.
6. several: anything else (more than one difference).
"""
from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence

from s2a.formats.tokenization import detokenize_actions


class Difference(str, enum.Enum):
    EXACT = "exact match"
    ORDER = "only the order differs"
    PROPERTIES = "only properties differ"
    SWAPPED = "one action swapped"
    MISSING_OR_EXTRA = "one action missing or extra"
    SEVERAL = "several differences"


def _actions(line: str) -> list[str]:
    return [" ".join(a.split()) for a in detokenize_actions(line)]


def action_type(action: str) -> str:
    """'STIR for @2@ at #4#' -> 'STIR'."""
    return action.split(" ", 1)[0] if action else ""


def _one_removed(longer: list[str], shorter: list[str]) -> bool:
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def categorise(truth: str, prediction: str) -> Difference:
    t, p = _actions(truth), _actions(prediction)
    if t == p:
        return Difference.EXACT
    if Counter(t) == Counter(p):
        return Difference.ORDER
    if len(t) == len(p):
        if [action_type(a) for a in t] == [action_type(a) for a in p]:
            return Difference.PROPERTIES
        if sum(a != b for a, b in zip(t, p)) == 1:
            return Difference.SWAPPED
        return Difference.SEVERAL
    if abs(len(t) - len(p)) == 1:
        longer, shorter = (t, p) if len(t) > len(p) else (p, t)
        if _one_removed(longer, shorter):
            return Difference.MISSING_OR_EXTRA
    return Difference.SEVERAL


def difference_counts(truths: Sequence[str], predictions: Sequence[str]) -> dict[Difference, int]:
    """How many predictions fall in each category (every category present, in table order)."""
    counts = Counter(categorise(t, p) for t, p in zip(truths, predictions))
    return {d: counts.get(d, 0) for d in Difference}

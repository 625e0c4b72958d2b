"""The round trip, the circle review's second reading: description → actions → description → …

A D2A model turns procedure texts into actions (round 1), an A2D model writes those actions back
as texts, the D2A model reads them again (round 2), and so on for k rounds. How far each round's
actions move from round 1's and from the gold says how fast meaning drifts when the two models
talk to each other; a pair that keeps everything stays at similarity 1 to round 1.

The models are plain callables on batches of lines (any family's top-1 predictions), so this
module needs no model code. Similarity is the Smiles2Actions metric (s2a.formats.targets).
"""
from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from s2a.errors import PredictionMismatch
from s2a.formats.targets import similarity

Translate = Callable[[Sequence[str]], Sequence[str]]  # a batch of lines -> one line each


@dataclass(frozen=True)
class RoundTripRound:
    round: int  # 1-based: round 1 reads the original descriptions
    to_first: float  # mean similarity of this round's actions to round 1's
    to_gold: float  # mean similarity of this round's actions to the gold actions
    unchanged: int  # examples whose actions equal the previous round's (round 1: 0)


@dataclass(frozen=True)
class RoundTrip:
    rounds: list[RoundTripRound]
    actions: list[list[str]]  # per round, the actions of every example
    descriptions: list[list[str]]  # per round, the descriptions read (round 1: the originals)


def _checked(out: Sequence[str], expected: int, what: str) -> list[str]:
    out = list(out)
    if len(out) != expected:
        raise PredictionMismatch(what, expected, len(out))
    return out


def round_trip(to_actions: Translate, to_descriptions: Translate, descriptions: Sequence[str],
               gold: Sequence[str], rounds: int) -> RoundTrip:
    """`rounds` readings of `descriptions` by `to_actions`, each after the first of the texts
    `to_descriptions` wrote from the previous round's actions."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    n = len(descriptions)
    if len(gold) != n:
        raise PredictionMismatch("gold action sequences", n, len(gold))
    texts = [list(descriptions)]
    actions = [_checked(to_actions(texts[0]), n, "actions of round 1")]
    for k in range(2, rounds + 1):
        texts.append(_checked(to_descriptions(actions[-1]), n, f"descriptions before round {k}"))
        actions.append(_checked(to_actions(texts[-1]), n, f"actions of round {k}"))
    summary = []
    for k, current in enumerate(actions):
        previous = actions[k - 1] if k else None
        summary.append(RoundTripRound(
            round=k + 1,
            to_first=statistics.fmean(similarity(a, b) for a, b in zip(actions[0], current)) if n else 0.0,
            to_gold=statistics.fmean(similarity(g, b) for g, b in zip(gold, current)) if n else 0.0,
            unchanged=0 if previous is None else sum(a == b for a, b in zip(previous, current)),
        ))
    return RoundTrip(summary, actions, texts)


def markdown_table(rounds: Sequence[RoundTripRound]) -> str:
    """One row per round: mean similarity (×100) to round 1's actions and to the gold, and how many
    examples' actions equal the round before's."""
    lines = ["| round | similarity to round 1 | similarity to gold | unchanged |", "|---|---|---|---|"]
    for r in rounds:
        lines.append(f"| {r.round} | {100 * r.to_first:.1f} | {100 * r.to_gold:.1f} | {r.unchanged} |")
    return "\n".join(lines)


def read_rounds(path: Path) -> tuple[dict[str, Any], list[RoundTripRound]]:
    """A result written by `s2a tasks round-trip` (s2a.task_round_trip): its JSON and its rounds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, [RoundTripRound(**r) for r in data["rounds"]]

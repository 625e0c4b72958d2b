"""The Smiles2Actions metrics (paper Table 3): validity, BLEU, exact and partial matches.

- validity: s2a.formats.targets.is_valid — the prediction converts to paragraph2actions actions
  *and* refers to exactly the molecules of its reaction (`$1$`..`$n$`, `$-1$`..`$-m$`).
- BLEU: nltk's corpus BLEU on whitespace tokens, standard 4-gram, the "original" variant
  (paragraph2actions.analysis.original_bleu: no padding, no smoothing). nltk counts a sentence
  shorter than n tokens as 0 matches out of 1 n-gram, so short sequences pull the corpus score
  down even when identical, and a corpus made only of sequences shorter than 4 tokens scores
  ~0 (nltk returns its float floor, about 1e-77) however well it matches.
- similarity: s2a.formats.targets.similarity, character-level normalised Levenshtein similarity,
  1 - distance / max(len) (textdistance; two empty strings are identical). Reported: exact match (= 1), the fractions with
  similarity >= 0.90, 0.75, 0.50, and the mean similarity.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Optional

from paragraph2actions.analysis import original_bleu

from s2a.errors import PredictionMismatch
from s2a.formats.targets import is_valid, similarity

THRESHOLDS = (0.90, 0.75, 0.50)


def bleu(truths: Sequence[str], predictions: Sequence[str]) -> float:
    """Corpus BLEU (nltk, original variant); 0 for an empty corpus."""
    if not truths:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns on every corpus without 4-gram matches
        return float(original_bleu(list(truths), list(predictions)))


def share_at_least(similarities: Sequence[float], thresholds: Sequence[float] = THRESHOLDS) -> dict[float, float]:
    """The fraction of `similarities` at or above each threshold (0 for none)."""
    n = len(similarities)
    return {th: sum(s >= th for s in similarities) / n if n else 0.0 for th in thresholds}


@dataclass(frozen=True)
class Scores:
    """One model's figures on one split (fractions in [0, 1])."""

    n: int
    validity: float
    bleu: float
    exact: float
    at_least_90: float
    at_least_75: float
    at_least_50: float
    mean_similarity: float
    # Fraction with at least one of the n-best hypotheses >= 75 % similar; None without n-best.
    best_of_n_75: Optional[float] = None
    n_best: Optional[int] = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_aligned(what: str, expected: int, got: int) -> None:
    if expected != got:
        raise PredictionMismatch(what, expected, got)


def score(
    srcs: Sequence[str],
    truths: Sequence[str],
    predictions: Sequence[str],
    nbest: Optional[Sequence[Sequence[str]]] = None,
) -> Scores:
    """All metrics for aligned lists (one entry per reaction; '' where a model gave no answer)."""
    _check_aligned("predictions", len(truths), len(predictions))
    _check_aligned("sources", len(truths), len(srcs))
    n = len(truths)
    if n == 0:
        return Scores(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    truths = [t.strip() for t in truths]
    predictions = [p.strip() for p in predictions]
    sims = [similarity(t, p) for t, p in zip(truths, predictions)]
    at_least = share_at_least(sims)
    best_of_n: Optional[float] = None
    width: Optional[int] = None
    if nbest is not None:
        _check_aligned("n-best lists", n, len(nbest))
        width = max((len(h) for h in nbest), default=0)
        best_of_n = sum(any(similarity(t, h.strip()) >= 0.75 for h in hs) for t, hs in zip(truths, nbest)) / n
    return Scores(
        n=n,
        validity=sum(is_valid(p, s) for p, s in zip(predictions, srcs)) / n,
        bleu=bleu(truths, predictions),
        exact=sum(t == p for t, p in zip(truths, predictions)) / n,
        at_least_90=at_least[0.90],
        at_least_75=at_least[0.75],
        at_least_50=at_least[0.50],
        mean_similarity=sum(sims) / n,
        best_of_n_75=best_of_n,
        n_best=width,
    )

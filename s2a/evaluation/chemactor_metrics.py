"""ChemActor's metric suite (Zhang et al., ACL 2025), for every task, beside the Smiles2Actions one.

Matched to ChemActor's public evaluation code, `evaluate/utils.py` of github.com/Zhanghahah/ChemActor
(`Metric_calculator.__call__` with its default `use_tokenizer=False`, and `modified_bleu`):

- BLEU-2 / BLEU-4: whitespace tokens; every reference and prediction shorter than n tokens is
  padded with empty-string tokens to n; nltk corpus_bleu, weights (1/2, 1/2) / (1/4,) * 4, no
  smoothing; x 100. The padding tokens match each other, so an identical one-token pair scores 100
  where unpadded nltk gives 0 (metrics.bleu, the Smiles2Actions variant, does not pad).
- ROUGE-1 / 2 / L: F-measure of `rouge_score.RougeScorer(['rouge1', 'rouge2', 'rougeL'])` (no
  stemmer) per pair, mean x 100. Its tokeniser lowercases and keeps runs of [a-z0-9] only: ';',
  '$' and '@' vanish, so `$1$` counts as the word '1'; a one-word pair has no bigram, so its
  ROUGE-2 is 0 even when identical ('NOACTION' / 'NOACTION': 100, 0, 100), as in theirs.
- validity, the looser one: the prediction parses (targets.parses) and the highest precursor
  position it names is not above the highest its reference names — molecules may be left out and
  products are not checked (the paper's validity, targets.is_valid, asks for exactly the reaction's
  molecules). Two deliberate differences from their code: positions are read with
  targets.positional_tokens (theirs: whitespace tokens `$k$` only, and its maximum over *all* tokens
  makes a reference that names only `$-1$` reject every prediction without tokens); and an empty
  prediction (a model's missing answer) is not valid, where their converter accepts ''.
- exact / >= 90 / >= 75 / >= 50 %: targets.similarity (textdistance's normalised Levenshtein, as
  theirs), shares via metrics.share_at_least, x 100.
- action-type F1: pooled over types (action_types.micro_f1), x 100; not in ChemActor's code,
  issue 13 adds it.

Everything is on ChemActor's 0-100 scale (metrics.Scores keeps fractions). For tasks whose target is
text (r2d, a2d; s2a.formats.tasks) validity and action-type F1 are None: BLEU, ROUGE and the
Levenshtein shares only. Their `eval_ChemTrans_*.py` scripts average nltk sentence_bleu with weights
[0, 1, 0, 0] instead — an older computation that utils.py replaced; we follow utils.py.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Optional

from nltk.translate.bleu_score import corpus_bleu
from rouge_score.rouge_scorer import RougeScorer

from s2a.errors import PredictionMismatch
from s2a.evaluation.action_types import action_type_scores, micro_f1
from s2a.evaluation.metrics import share_at_least
from s2a.formats.targets import parses, positional_tokens, similarity
from s2a.formats.tasks import task

_WEIGHTS = {2: (0.5, 0.5), 4: (0.25, 0.25, 0.25, 0.25)}
PAD = ""  # ChemActor's padding token


@dataclass(frozen=True)
class ChemActorScores:
    """One model's figures on one task and split, 0-100 (None: not defined for a text target)."""

    task: str
    n: int
    bleu2: float
    bleu4: float
    rouge1: float
    rouge2: float
    rouge_l: float
    exact: float
    at_least_90: float
    at_least_75: float
    at_least_50: float
    validity: Optional[float]
    action_type_f1: Optional[float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def padded(tokens: list[str], n: int) -> list[str]:
    return tokens + [PAD] * max(0, n - len(tokens))


def padded_bleu(references: Sequence[str], predictions: Sequence[str], n: int) -> float:
    """ChemActor's BLEU-n (n = 2 or 4), x 100; 0 for an empty corpus."""
    if not references:
        return 0.0
    refs = [[padded(r.split(), n)] for r in references]
    hyps = [padded(p.split(), n) for p in predictions]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns on every corpus without some n-gram match
        return 100 * float(corpus_bleu(refs, hyps, weights=_WEIGHTS[n]))


@lru_cache(maxsize=1)
def _rouge() -> RougeScorer:
    return RougeScorer(["rouge1", "rouge2", "rougeL"])


def rouge(references: Sequence[str], predictions: Sequence[str]) -> tuple[float, float, float]:
    """Mean ROUGE-1, -2, -L F-measure, x 100 (0 for an empty corpus)."""
    if not references:
        return 0.0, 0.0, 0.0
    sums = [0.0, 0.0, 0.0]
    for r, p in zip(references, predictions):
        found = _rouge().score(r, p)
        for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
            sums[i] += found[key].fmeasure
    n = len(references)
    return sums[0] * 100 / n, sums[1] * 100 / n, sums[2] * 100 / n


def highest_precursor(line: str) -> int:
    """The highest precursor position (`$k$`, k > 0) a line names; 0 when it names none."""
    return max((k for k in positional_tokens(line) if k > 0), default=0)


def loosely_valid(prediction: str, reference: str) -> bool:
    """ChemActor's validity: parses, and names no precursor beyond the reference's highest."""
    return bool(prediction.strip()) and parses(prediction) and highest_precursor(prediction) <= highest_precursor(reference)


def chemactor_scores(references: Sequence[str], predictions: Sequence[str], task_name: str = "s2a") -> ChemActorScores:
    """ChemActor's suite for aligned lists (one entry per example, '' where a model gave no answer).

    `task_name` is a task of s2a.formats.tasks: it says whether the target is actions or text.
    """
    kind = task(task_name).target
    if len(predictions) != len(references):
        raise PredictionMismatch("predictions", len(references), len(predictions))
    refs = [r.strip() for r in references]
    preds = [p.strip() for p in predictions]
    n = len(refs)
    shares = share_at_least([similarity(r, p) for r, p in zip(refs, preds)], (1.0, 0.90, 0.75, 0.50))
    validity: Optional[float] = None
    type_f1: Optional[float] = None
    if kind == "actions":
        validity = 100 * sum(loosely_valid(p, r) for r, p in zip(refs, preds)) / n if n else 0.0
        f1 = micro_f1(action_type_scores(refs, preds))
        type_f1 = 100 * f1 if f1 is not None else 0.0
    rouge1, rouge2, rouge_l = rouge(refs, preds)
    return ChemActorScores(
        task=task_name,
        n=n,
        bleu2=padded_bleu(refs, preds, 2),
        bleu4=padded_bleu(refs, preds, 4),
        rouge1=rouge1,
        rouge2=rouge2,
        rouge_l=rouge_l,
        exact=100 * shares[1.0],
        at_least_90=100 * shares[0.90],
        at_least_75=100 * shares[0.75],
        at_least_50=100 * shares[0.50],
        validity=validity,
        action_type_f1=type_f1,
    )

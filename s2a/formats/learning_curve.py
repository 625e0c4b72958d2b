"""Learning curves: validation loss, token accuracy and one sequence-level score per evaluation
step, in `<work dir>/learning_curve.csv` beside each family's checkpoints.

A final score says how good a model is; the curve says whether it was still learning (train
longer) or had stopped (change the model). The sequence score is the share of a fixed, seeded
sample of validation reactions whose top-1 prediction has >= 50 % normalised Levenshtein
similarity to the truth (s2a.formats.targets.similarity) — the same sample for every
checkpoint and family, so points are comparable. No torch here.
"""
from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from s2a.atomic import atomic_path
from s2a.formats.targets import similarity

FILE = "learning_curve.csv"
COLUMNS = ("step", "valid_loss", "valid_token_accuracy", "valid_at_least_50", "seconds")
DEFAULT_SAMPLE = 200
SAMPLE_SEED = 1234  # fixed: the sample does not change with the model's seed


@dataclass(frozen=True)
class CurvePoint:
    step: int
    valid_loss: Optional[float] = None  # nats per target token
    valid_token_accuracy: Optional[float] = None  # % of target tokens right under teacher forcing
    valid_at_least_50: Optional[float] = None  # % of the sample with similarity >= 0.5
    seconds: Optional[float] = None  # training wall time at this step


def sample_indices(n: int, size: int = DEFAULT_SAMPLE, seed: int = SAMPLE_SEED) -> list[int]:
    """A seeded sample of at most `size` of `n` lines, in file order."""
    if size >= n:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), size))


def valid_sample(data_dir: Path, size: int = DEFAULT_SAMPLE) -> tuple[list[str], list[str]]:
    """(sources, targets) of the sample of the validation split."""
    src = (data_dir / "src-valid.txt").read_text(encoding="utf-8").splitlines()
    tgt = (data_dir / "tgt-valid.txt").read_text(encoding="utf-8").splitlines()
    idx = sample_indices(min(len(src), len(tgt)), size)
    return [src[i] for i in idx], [tgt[i] for i in idx]


def at_least_50(truths: Sequence[str], predictions: Sequence[str]) -> float:
    """% of predictions with normalised Levenshtein similarity >= 0.5 to their truth."""

    if not truths:
        return float("nan")
    hits = sum(similarity(t, p) >= 0.5 for t, p in zip(truths, predictions, strict=True))
    return 100.0 * hits / len(truths)


def _num(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def read_curve(path: Path) -> list[CurvePoint]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [CurvePoint(int(row["step"]), *(_num(row.get(c) or "") for c in COLUMNS[1:]))
                for row in csv.DictReader(f)]


def _cell(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.4g}" if not float(value).is_integer() else str(value)


def merge_points(path: Path, points: Iterable[CurvePoint]) -> list[CurvePoint]:
    """Add `points` to the curve at `path` (a value given for a step replaces the old one; a
    missing value keeps it) and rewrite it sorted by step."""
    by_step = {p.step: p for p in read_curve(path)}
    for p in points:
        old = by_step.get(p.step)
        if old is None:
            by_step[p.step] = p
        else:
            by_step[p.step] = replace(old, **{k: v for k, v in p.__dict__.items() if v is not None})
    merged = [by_step[s] for s in sorted(by_step)]
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for p in merged:
            writer.writerow([p.step, *(_cell(getattr(p, c)) for c in COLUMNS[1:])])
    return merged


def elapsed_before(path: Path, step: int) -> float:
    """Training seconds recorded up to `step` (a resumed run counts on from there)."""
    earlier = [p.seconds for p in read_curve(path) if p.step <= step and p.seconds is not None]
    return max(earlier, default=0.0)

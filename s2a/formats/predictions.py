"""Prediction files, the hand-over between models and evaluation.

`predictions/<model>/<split>.txt`: the best hypothesis per reaction, one line each, `tgt` format,
aligned with `src-<split>.txt` (an empty line where a model had no answer).
`predictions/<model>/<split>.nbest.jsonl`: per reaction {"src", "hypotheses": [{"actions", "score"}]}.
`predictions/<model>/<split>.raw.txt` / `.raw.nbest.jsonl`: the same in the decoder's own order,
for models whose hypotheses are re-ranked (s2a.models.ranking): the paper-faithful figures.
`predictions/<model>/<split>.meta.json`: how they were made (model, profile, seed, n-best, time,
and for a seeded sample of the split its size and the `indices` of the lines predicted).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from s2a.atomic import atomic_write_text
from s2a.errors import MissingArtifact

RAW = "raw"  # `<split>.raw.txt`: predictions in the decoder's own ranking


@dataclass(frozen=True)
class Hypothesis:
    """One predicted action sequence in `tgt` format, with the decoder's score (higher is better)."""

    actions: str
    score: float = 0.0


def write_predictions(out_dir: Path, split: str, src: Sequence[str], hyps: Sequence[Sequence[Hypothesis]]) -> Path:
    if len(src) != len(hyps):
        raise ValueError(f"{len(src)} sources but {len(hyps)} prediction lists")
    out_dir.mkdir(parents=True, exist_ok=True)
    top = out_dir / f"{split}.txt"
    with top.open("w", encoding="utf-8") as f_top, (out_dir / f"{split}.nbest.jsonl").open("w", encoding="utf-8") as f_n:
        for s, h in zip(src, hyps):
            f_top.write((h[0].actions if h else "") + "\n")
            row = {"src": s, "hypotheses": [{"actions": x.actions, "score": x.score} for x in h]}
            f_n.write(json.dumps(row, ensure_ascii=False) + "\n")
    return top


def meta_path(out_dir: Path, split: str) -> Path:
    return out_dir / f"{split}.meta.json"


def write_meta(out_dir: Path, split: str, meta: dict[str, Any]) -> Path:
    return atomic_write_text(meta_path(out_dir, split), json.dumps(meta, indent=2) + "\n")


def read_meta(out_dir: Path, split: str) -> dict[str, Any]:
    """The meta data of a split's predictions; {} when there is none or it is unreadable."""
    try:
        value = json.loads(meta_path(out_dir, split).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def read_top1(path: Path) -> list[str]:
    if not path.is_file():
        raise MissingArtifact(str(path), "prediction file not found (train the model and predict first)")
    return path.read_text(encoding="utf-8").splitlines()


def read_nbest(path: Path) -> list[list[Hypothesis]]:
    if not path.is_file():
        raise MissingArtifact(str(path), "n-best file not found")
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out.append([Hypothesis(h["actions"], float(h["score"])) for h in row["hypotheses"]])
    return out

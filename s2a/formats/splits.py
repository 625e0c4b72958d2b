"""The processed splits: `src-<split>.txt` (tokenised reactions) and `tgt-<split>.txt` (tokenised
actions), one reaction per line, aligned."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from s2a.errors import DataError, MissingArtifact
from s2a.formats.records import read_jsonl

# `predict-split MODEL --split transfer`: the reactions of the public Smiles2Actions sample
# (configs/evaluation.yaml `transfer:`), answered by a model trained on our data.
TRANSFER_SPLIT = "transfer"


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise MissingArtifact(str(path), "not found (run `make data` first)")
    return path.read_text(encoding="utf-8").splitlines()


def read_pairs(data_dir: Path, split: str) -> tuple[list[str], list[str]]:
    """Aligned (src lines, tgt lines) of a split; a length mismatch is a MissingArtifact."""
    src, tgt = read_lines(data_dir / f"src-{split}.txt"), read_lines(data_dir / f"tgt-{split}.txt")
    if len(src) != len(tgt):
        raise DataError(str(data_dir / f"tgt-{split}.txt"), f"{len(tgt)} targets for {len(src)} sources")
    return src, tgt


def split_rows(data_dir: Path, split: str) -> list[dict[str, Any]]:
    """The processed records of a split (`<split>.jsonl`: patent, procedure, ...), checked to be
    aligned with its src-/tgt- lines."""
    path = data_dir / f"{split}.jsonl"
    rows = list(read_jsonl(path))
    src, tgt = read_pairs(data_dir, split)
    if len(rows) != len(src):
        raise DataError(str(path), f"{len(rows)} records but {len(src)} src / {len(tgt)} tgt lines")
    for i, (row, s, t) in enumerate(zip(rows, src, tgt)):
        if row.get("src") != s or row.get("tgt") != t:
            raise DataError(str(path), f"record {i + 1} ({row.get('id', '?')}) is not line {i + 1} "
                                       f"of src-/tgt-{split}.txt")
    return rows


def transfer_sources(sample_dir: Path, splits: Sequence[str]) -> Optional[list[str]]:
    """The sample's `src` lines of `splits`, in order; None when the sample is not there."""
    if not all((sample_dir / f"{k}-{s}.txt").is_file() for s in splits for k in ("src", "tgt")):
        return None
    return [x for s in splits for x in read_lines(sample_dir / f"src-{s}.txt")]

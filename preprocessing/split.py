"""`s2a data split`: standardised reactions -> train/valid/test, grouped by patent by default.

Grouped split: all reactions of one patent (source document) go to the same split, so a model is
never tested on a document it has seen. Groups are shuffled with the seed and filled in order into
train, valid, test until each reaches its share of reactions. A record without a patent is its own
group. `mode="random"` reproduces the paper's plain random split over reactions instead.
Two passes over the input: only the group sizes are held in memory.
"""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from s2a.errors import InputFileError, UserError
from s2a.formats.records import read_jsonl

SPLITS = ("train", "valid", "test")


class DuplicateReaction(UserError):
    def __init__(self, path: str, reaction_smiles: str) -> None:
        super().__init__(f"{path}: reaction {reaction_smiles!r} occurs twice; de-duplicate with `s2a data build`")
        self.path = path
        self.reaction_smiles = reaction_smiles


class SplitError(UserError):
    def __init__(self, fractions: tuple[float, float, float]) -> None:
        super().__init__(f"split fractions {fractions} must be three non-negative numbers summing to 1")
        self.fractions = fractions


def _group(row: dict[str, Any], mode: str) -> str:
    if mode == "random":
        return "id:" + row["id"]
    return "patent:" + row["patent"] if row.get("patent") else "id:" + row["id"]


def assign_groups(sizes: Counter[str], fractions: tuple[float, float, float], seed: int) -> dict[str, str]:
    """Map each group to a split so that each split gets about its fraction of the reactions."""
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise SplitError(fractions)
    groups = sorted(sizes)
    random.Random(seed).shuffle(groups)
    total = sum(sizes.values())
    targets = [fractions[0] * total, (fractions[0] + fractions[1]) * total]
    out: dict[str, str] = {}
    filled = 0
    for g in groups:
        # a group goes to the split in which its midpoint falls
        mid = filled + sizes[g] / 2
        out[g] = SPLITS[0] if mid <= targets[0] else SPLITS[1] if mid <= targets[1] else SPLITS[2]
        filled += sizes[g]
    return out


def split(
    in_path: Path,
    out_dir: Path,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    seed: int = 42,
    mode: str = "patent",
) -> dict[str, int]:
    """Write {train,valid,test}.jsonl and src-/tgt-*.txt into out_dir; return the counts."""
    if mode not in ("patent", "random"):
        raise UserError(f"unknown split mode {mode!r} (expected 'patent' or 'random')")
    if not in_path.is_file():
        raise InputFileError(str(in_path), "not found (run `s2a data build` first)")
    sizes: Counter[str] = Counter()
    seen: set[bytes] = set()
    for row in read_jsonl(in_path):
        sizes[_group(row, mode)] += 1
        key = hashlib.blake2b(row["reaction_smiles"].encode(), digest_size=8).digest()
        if key in seen:  # build() de-duplicates; a hand-made input may not have been
            raise DuplicateReaction(str(in_path), row["reaction_smiles"])
        seen.add(key)
    del seen
    where = assign_groups(sizes, fractions, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {s: 0 for s in SPLITS}
    files = {}
    try:
        for s in SPLITS:
            files[s] = (
                (out_dir / f"{s}.jsonl").open("w", encoding="utf-8"),
                (out_dir / f"src-{s}.txt").open("w", encoding="utf-8"),
                (out_dir / f"tgt-{s}.txt").open("w", encoding="utf-8"),
            )
        for row in read_jsonl(in_path):
            s = where[_group(row, mode)]
            f_json, f_src, f_tgt = files[s]
            f_json.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            f_src.write(row["src"] + "\n")
            f_tgt.write(row["tgt"] + "\n")
            counts[s] += 1
    finally:
        for handles in files.values():
            for h in handles:
                h.close()
    return counts

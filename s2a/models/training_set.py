"""The training split as the count-aware models see it: each training reaction's action sequence
and its numbers of precursors and products (`table.json` in a model's work dir), the fallback
groups for a query whose counts no training reaction has.

Shared by the random baselines, the nearest-neighbour model and the LLM fine-tuning.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from s2a.atomic import atomic_write_text
from s2a.errors import CorruptArtifact, DataError, MissingArtifact
from s2a.formats.targets import Counts, reaction_counts
from s2a.freshness import digest_files

TABLE_VERSION = 1


def fallback_groups(query: Counts, available: Iterable[Counts]) -> tuple[list[Counts], int]:
    """Groups to draw from when no training reaction has the query's counts, and their distance.

    Preferred are groups with at most as many precursors and products as the query (every
    positional token of their sequences then names an existing compound), the closest of them in
    |Δprecursors| + |Δproducts|; only if there is none, the closest groups overall. All groups tied
    at the best rank are returned (their union is the pool).
    """
    ranked: dict[tuple[bool, int], list[Counts]] = {}
    for g in available:
        distance = abs(g[0] - query[0]) + abs(g[1] - query[1])
        larger = g[0] > query[0] or g[1] > query[1]
        ranked.setdefault((larger, distance), []).append(g)
    if not ranked:
        raise MissingArtifact("training table", "empty: no training reactions")
    best = min(ranked)
    return sorted(ranked[best]), best[1]


@dataclass
class TrainingTable:
    """Targets of the training split and the counts of each training reaction, in file order."""

    targets: list[str]
    counts: list[Counts]
    digest: str = ""

    @classmethod
    def from_data(cls, data_dir: Path, extra: Optional[str] = None) -> "TrainingTable":
        src_path, tgt_path = data_dir / "src-train.txt", data_dir / "tgt-train.txt"
        digest = digest_files([src_path, tgt_path], extra)
        src = src_path.read_text(encoding="utf-8").splitlines()
        tgt = tgt_path.read_text(encoding="utf-8").splitlines()
        if len(src) != len(tgt):
            raise DataError(str(tgt_path), f"{len(tgt)} lines but {src_path.name} has {len(src)}")
        if not src:
            raise DataError(str(src_path), "empty training split")
        return cls(targets=tgt, counts=[reaction_counts(s) for s in src], digest=digest)

    def save(self, path: Path) -> None:
        row = {
            "version": TABLE_VERSION,
            "digest": self.digest,
            "targets": self.targets,
            "n_precursors": [c[0] for c in self.counts],
            "n_products": [c[1] for c in self.counts],
        }
        atomic_write_text(path, json.dumps(row))

    @classmethod
    def load(cls, path: Path) -> "TrainingTable":
        if not path.is_file():
            raise MissingArtifact(str(path), "not found (train the model first)")
        try:
            row = json.loads(path.read_text(encoding="utf-8"))
            if row.get("version") != TABLE_VERSION:
                raise ValueError(f"version {row.get('version')!r}, expected {TABLE_VERSION}")
            counts = list(zip(row["n_precursors"], row["n_products"]))
            if len(counts) != len(row["targets"]):
                raise ValueError("targets and counts differ in length")
            return cls(targets=list(row["targets"]), counts=[(int(a), int(b)) for a, b in counts], digest=row["digest"])
        except (ValueError, KeyError, TypeError) as e:
            raise CorruptArtifact(str(path), f"corrupt ({e}); train again") from None

    def groups(self) -> dict[Counts, np.ndarray]:
        """Row indices of the training reactions of each (precursors, products) group."""
        by: dict[Counts, list[int]] = {}
        for i, c in enumerate(self.counts):
            by.setdefault(c, []).append(i)
        return {c: np.asarray(rows, dtype=np.int64) for c, rows in by.items()}

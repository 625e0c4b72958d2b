"""The two random baselines of Smiles2Actions, and the training table both baselines share.

`RandomModel` ("random") predicts the action sequence of a random training reaction;
`RandomSameSizeModel` ("random-same-size") draws among training reactions with the same number of
precursors and products as the query, so that its positional tokens ($k$, $-k$) are valid.

The training table and the fallback groups live in s2a.models.training_set (the nearest-neighbour
model uses them too).

Randomness: each query gets its own generator seeded by (model seed, SHA-256 of the query line),
so a prediction does not depend on batching or on the other lines; the same reaction gets the same
sample, another seed gives other samples.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from s2a.errors import ConfigError, MissingArtifact
from s2a.models.base import ActionModel, Hypothesis, ModelPaths
from s2a.formats.targets import Counts, reaction_counts
from s2a.freshness import digest_files
from s2a.models.training_set import TrainingTable, fallback_groups


def query_rng(seed: int, src_line: str) -> np.random.Generator:
    key = int.from_bytes(hashlib.sha256(src_line.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, key])


def sample_distinct(rng: np.random.Generator, pool: np.ndarray, targets: Sequence[str], n: int) -> list[str]:
    """Up to n distinct sequences drawn without replacement from the reactions in `pool`.

    Equivalent to drawing reactions uniformly and skipping repeats of a sequence already drawn;
    rejection sampling keeps it O(n) for a large pool, a permutation finishes the rare hard cases.
    """
    chosen: list[str] = []
    seen: set[str] = set()
    for _ in range(20 * n):
        if len(chosen) == n:
            return chosen
        t = targets[int(pool[rng.integers(len(pool))])]
        if t not in seen:
            seen.add(t)
            chosen.append(t)
    for i in rng.permutation(pool):
        if len(chosen) == n:
            break
        t = targets[int(i)]
        if t not in seen:
            seen.add(t)
            chosen.append(t)
    return chosen


class RandomModel(ActionModel):
    """A random training sequence (score 0; in a fallback group, minus the count distance)."""

    name = "random"
    same_size = False

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42) -> None:
        if profile.endswith((".yaml", ".yml")):
            raise ConfigError(profile, "the random baselines have no settings to read; give a profile name "
                              "(it is only recorded with the predictions)")
        super().__init__(paths, profile, seed)
        self._table: TrainingTable | None = None
        self._groups: dict[Counts, np.ndarray] = {}

    @property
    def table_path(self) -> Path:
        return self.paths.work_dir / "table.json"

    def train(self) -> None:
        """Store the training table; a no-op when it is up to date with the training files."""
        digest = digest_files([self.paths.data_dir / "src-train.txt", self.paths.data_dir / "tgt-train.txt"])
        if self.table_path.is_file():
            try:
                if TrainingTable.load(self.table_path).digest == digest:
                    return
            except MissingArtifact:
                pass  # corrupt: rebuild
        table = TrainingTable.from_data(self.paths.data_dir)
        self.paths.work_dir.mkdir(parents=True, exist_ok=True)
        table.save(self.table_path)
        self._table = None

    def _load(self) -> TrainingTable:
        if self._table is None:
            self._table = TrainingTable.load(self.table_path)
            self._groups = self._table.groups()
        return self._table

    def _pool(self, src_line: str) -> tuple[np.ndarray, int]:
        table = self._load()
        if not self.same_size:
            return np.arange(len(table.targets)), 0
        query = reaction_counts(src_line)
        if query in self._groups:
            return self._groups[query], 0
        groups, distance = fallback_groups(query, self._groups)
        return np.concatenate([self._groups[g] for g in groups]), distance

    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        table = self._load()
        out = []
        for line in src:
            pool, distance = self._pool(line)
            sequences = sample_distinct(query_rng(self.seed, line), pool, table.targets, n_best)
            out.append([Hypothesis(s, -float(distance)) for s in sequences])
        return out


class RandomSameSizeModel(RandomModel):
    """A random training sequence with the query's numbers of precursors and products."""

    name = "random-same-size"
    same_size = True

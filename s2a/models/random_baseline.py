"""The two random baselines of Smiles2Actions, and the training table both baselines share.

`RandomModel` ("random") predicts the action sequence of a random training reaction;
`RandomSameSizeModel` ("random-same-size") draws among training reactions with the same number of
precursors and products as the query, so that its positional tokens ($k$, $-k$) are valid.

The training table (targets and precursor/product counts of the training split, `table.json` in
the work dir) and the choice of fallback groups are used by the nearest-neighbour model as well.

Randomness: each query gets its own generator seeded by (model seed, SHA-256 of the query line),
so a prediction does not depend on batching or on the other lines; the same reaction gets the same
sample, another seed gives other samples.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from s2a.errors import InvalidReaction, MissingArtifact
from s2a.models.base import ActionModel, Hypothesis, ModelPaths
from s2a.tokenization import detokenize_smiles

Counts = tuple[int, int]  # (number of precursors, number of products)
TABLE_VERSION = 1


def reaction_counts(src_line: str) -> Counts:
    """(precursors, products) of a tokenised `src` line; '.' separates compounds, '~' fragments."""
    smiles = detokenize_smiles(src_line)
    if smiles.count(">>") != 1:
        raise InvalidReaction(smiles, "expected 'precursors>>products'")
    left, right = smiles.split(">>")
    n_pre, n_prod = len([c for c in left.split(".") if c]), len([c for c in right.split(".") if c])
    if not n_pre or not n_prod:
        raise InvalidReaction(smiles, "no precursors or no products")
    return n_pre, n_prod


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


def digest_files(paths: Sequence[Path], extra: str = "") -> str:
    """SHA-256 over the files' bytes (and a parameter string): the staleness key of artefacts."""
    h = hashlib.sha256(extra.encode())
    for p in paths:
        if not p.is_file():
            raise MissingArtifact(str(p), "training data not found (run `make data` first)")
        with p.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class TrainingTable:
    """Targets of the training split and the counts of each training reaction, in file order."""

    targets: list[str]
    counts: list[Counts]
    digest: str = ""

    @classmethod
    def from_data(cls, data_dir: Path, extra: str = "") -> "TrainingTable":
        src_path, tgt_path = data_dir / "src-train.txt", data_dir / "tgt-train.txt"
        digest = digest_files([src_path, tgt_path], extra)
        src = src_path.read_text(encoding="utf-8").splitlines()
        tgt = tgt_path.read_text(encoding="utf-8").splitlines()
        if len(src) != len(tgt):
            raise MissingArtifact(str(tgt_path), f"{len(tgt)} lines but {src_path.name} has {len(src)}")
        if not src:
            raise MissingArtifact(str(src_path), "empty training split")
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
            raise MissingArtifact(str(path), f"corrupt ({e}); train again") from None

    def groups(self) -> dict[Counts, np.ndarray]:
        """Row indices of the training reactions of each (precursors, products) group."""
        by: dict[Counts, list[int]] = {}
        for i, c in enumerate(self.counts):
            by.setdefault(c, []).append(i)
        return {c: np.asarray(rows, dtype=np.int64) for c, rows in by.items()}


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

    def predict(self, src: Sequence[str], n_best: int = 1) -> list[list[Hypothesis]]:
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

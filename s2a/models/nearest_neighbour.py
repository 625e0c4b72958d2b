"""Nearest-neighbour model of Smiles2Actions: the action sequence of the most similar training reaction.

Similarity is the cosine of rxnfp `bert_ft` fingerprints (L2-normalised, faiss inner product). As in
the paper, a query only matches training reactions with the same numbers of precursors and products.

Count restriction: one exact `IndexFlatIP` per (precursors, products) group, built at load time from
the saved index. Each query is searched only within its group, so the restriction costs nothing
(each search scans fewer vectors than a global one) and, unlike "search wider and filter", cannot
miss neighbours when the query's group is a small part of the training set.

Fallback: a query whose group has no training reaction is matched within the closest groups (see
`fallback_groups`: at most as many precursors and products as the query first, so positional tokens
stay valid); its scores are the cosine minus the count distance (>= 1), so they are below any
same-group score and mark the fallback.

Artefacts in `paths.work_dir`: `fingerprints.npy` (raw rxnfp fingerprints of the training
reactions, float32), `index.faiss` (their L2-normalised vectors in an `IndexFlatIP`), `table.json`
(training targets, counts, and the digest of the inputs, written last; re-training with the same
inputs and settings is a no-op).
"""
from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import faiss
import numpy as np
from tqdm import tqdm

from s2a import config
from s2a.atomic import atomic_path
from s2a.errors import CorruptArtifact, MissingArtifact
from s2a.fingerprints import RxnfpFingerprinter, l2_normalise
from s2a.models.base import ActionModel, Hypothesis, ModelPaths
from s2a.formats.targets import Counts, reaction_counts
from s2a.freshness import digest_files
from s2a.models.training_set import TrainingTable, fallback_groups
from s2a.formats.tokenization import detokenize_smiles

ARTEFACT_VERSION = 1


@dataclass(frozen=True)
class NNSettings:
    """configs/nn-<profile>.yaml (see configs/nn-cpu.yaml)."""

    fingerprint_model: str = "bert_ft"
    batch_size: int = 32
    threads: int = 2
    chunk_size: int = 2048
    distinct: bool = True
    device: str = "cpu"


def load_settings(profile: str) -> NNSettings:
    where, data = config.load("nn", profile)
    return config.typed(NNSettings, data, where)


def _save_array(path: Path, array: np.ndarray) -> None:
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        np.save(f, array)


class NearestNeighbourModel(ActionModel):
    name = "nn"

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42) -> None:
        super().__init__(paths, profile, seed)
        self.config = load_settings(profile)
        self.threads = self.config.threads
        self.distinct = self.config.distinct
        self._fingerprinter: RxnfpFingerprinter | None = None
        self._table: TrainingTable | None = None
        self._vectors: np.ndarray | None = None
        self._groups: dict[Counts, np.ndarray] = {}
        self._subindices: dict[tuple[Counts, ...], tuple[faiss.Index, np.ndarray]] = {}

    # -- artefacts -------------------------------------------------------------------------------
    @property
    def table_path(self) -> Path:
        return self.paths.work_dir / "table.json"

    @property
    def index_path(self) -> Path:
        return self.paths.work_dir / "index.faiss"

    @property
    def fingerprints_path(self) -> Path:
        return self.paths.work_dir / "fingerprints.npy"

    def _settings_key(self) -> str:
        return f"nn-v{ARTEFACT_VERSION}|{self.config.fingerprint_model}"

    def fingerprinter(self) -> RxnfpFingerprinter:
        if self._fingerprinter is None:
            faiss.omp_set_num_threads(self.threads)
            self._fingerprinter = RxnfpFingerprinter(
                model=self.config.fingerprint_model,
                batch_size=self.config.batch_size,
                threads=self.threads,
                device=self.config.device,
            )
        return self._fingerprinter

    def _read_index(self, n_expected: int) -> faiss.Index:
        if not self.index_path.is_file():
            raise MissingArtifact(str(self.index_path), "not found (train the model first)")
        try:
            index = faiss.read_index(str(self.index_path))
        except RuntimeError:
            raise CorruptArtifact(str(self.index_path), "corrupt faiss index; train again") from None
        if index.ntotal != n_expected:
            raise MissingArtifact(
                str(self.index_path), f"{index.ntotal} vectors but {self.table_path.name} has {n_expected}; train again"
            )
        return index

    def is_up_to_date(self) -> bool:
        """True when the saved artefacts match the training files and settings and can be read."""
        data = self.paths.data_dir
        digest = digest_files([data / "src-train.txt", data / "tgt-train.txt"], self._settings_key())
        try:
            table = TrainingTable.load(self.table_path)
            self._read_index(len(table.targets))
            fingerprints = np.load(self.fingerprints_path, mmap_mode="r")
        except (MissingArtifact, OSError, ValueError):
            return False
        return table.digest == digest and fingerprints.shape[0] == len(table.targets)

    # -- training --------------------------------------------------------------------------------
    def train(self) -> None:
        """Fingerprint the training reactions and build the index; a no-op when up to date.

        Fingerprints are kept per chunk in `partial-<digest>/` while they are computed, so an
        interrupted run resumes where it stopped.
        """
        if self.is_up_to_date():
            return
        work = self.paths.work_dir
        work.mkdir(parents=True, exist_ok=True)
        self.table_path.unlink(missing_ok=True)  # written last: marks complete artefacts
        table = TrainingTable.from_data(self.paths.data_dir, self._settings_key())
        src = (self.paths.data_dir / "src-train.txt").read_text(encoding="utf-8").splitlines()
        reactions = [detokenize_smiles(s) for s in src]

        partial = work / f"partial-{table.digest[:16]}"
        for stale in work.glob("partial-*"):
            if stale != partial:
                shutil.rmtree(stale, ignore_errors=True)
        partial.mkdir(exist_ok=True)
        chunk = self.config.chunk_size
        parts = []
        with tqdm(total=len(reactions), desc="nn: rxnfp fingerprints", unit="rxn") as bar:
            for n, start in enumerate(range(0, len(reactions), chunk)):
                path = partial / f"chunk-{n:06d}.npy"
                batch = reactions[start : start + chunk]
                try:
                    part = np.load(path)
                    if part.shape[0] != len(batch):
                        raise ValueError("wrong length")
                    bar.update(len(batch))
                except (OSError, ValueError):
                    part = self.fingerprinter().fingerprints(batch, bar=bar)
                    _save_array(path, part)
                parts.append(part)
        fingerprints = np.concatenate(parts).astype(np.float32)

        index = faiss.IndexFlatIP(fingerprints.shape[1])
        index.add(l2_normalise(fingerprints))
        _save_array(self.fingerprints_path, fingerprints)
        with atomic_path(self.index_path) as tmp:
            faiss.write_index(index, str(tmp))
        table.save(self.table_path)
        shutil.rmtree(partial, ignore_errors=True)
        self._table = None

    # -- prediction ------------------------------------------------------------------------------
    def _load(self) -> TrainingTable:
        if self._table is None:
            table = TrainingTable.load(self.table_path)
            index = self._read_index(len(table.targets))
            self._vectors = index.reconstruct_n(0, index.ntotal)
            self._groups = table.groups()
            self._subindices = {}
            self._table = table
        return self._table

    def _subindex(self, groups: tuple[Counts, ...]) -> tuple[faiss.Index, np.ndarray]:
        if groups not in self._subindices:
            assert self._vectors is not None
            rows = np.concatenate([self._groups[g] for g in groups])
            index = faiss.IndexFlatIP(self._vectors.shape[1])
            index.add(self._vectors[rows])
            self._subindices[groups] = (index, rows)
        return self._subindices[groups]

    def _search(self, groups: tuple[Counts, ...], queries: np.ndarray, n_best: int, penalty: float) -> list[list[Hypothesis]]:
        """n-best of each query within the union of `groups`, distinct sequences if configured."""
        table = self._load()
        index, rows = self._subindex(groups)
        k = min(len(rows), 4 * n_best if self.distinct else n_best)
        while True:
            scores, ids = index.search(queries, k)
            results = []
            for q_scores, q_ids in zip(scores, ids):
                hyps: list[Hypothesis] = []
                seen: set[str] = set()
                for score, i in zip(q_scores, q_ids):
                    if i < 0 or len(hyps) == n_best:
                        break
                    target = table.targets[int(rows[i])]
                    if self.distinct and target in seen:
                        continue
                    seen.add(target)
                    hyps.append(Hypothesis(target, float(score) - penalty))
                results.append(hyps)
            if k >= len(rows) or all(len(h) == n_best for h in results):
                return results
            k = min(len(rows), 4 * k)

    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        """n-best training sequences by cosine; score = cosine (minus the count distance on fallback)."""
        self._load()
        counts = [reaction_counts(s) for s in src]
        reactions = [detokenize_smiles(s) for s in src]
        unique = list(dict.fromkeys(reactions))  # a repeated query is fingerprinted once
        vectors = l2_normalise(self.fingerprinter().fingerprints(unique, progress=len(unique) > 256))
        row_of = {r: i for i, r in enumerate(unique)}
        queries = vectors[[row_of[r] for r in reactions]]

        by_count: dict[Counts, list[int]] = {}
        for q, c in enumerate(counts):
            by_count.setdefault(c, []).append(q)
        out: list[list[Hypothesis]] = [[] for _ in src]
        for c, members in by_count.items():
            if c in self._groups:
                groups, distance = [c], 0
            else:
                groups, distance = fallback_groups(c, self._groups)
            found = self._search(tuple(groups), queries[members], n_best, float(distance))
            for q, hyps in zip(members, found):
                out[q] = hyps
        return out

    # -- neighbour lookup (retrieval-augmented input; the web page shows what a prediction resembles)
    def training_neighbours(self, patents: Optional[Sequence[str]] = None) -> list[int]:
        """For each training reaction, the row of its nearest *other* training reaction with the same
        numbers of precursors and products; the nearest other row of any counts when its group has
        none. From the stored fingerprints: no BERT.

        With `patents` (one per training row), the neighbour comes from another patent: a test
        reaction never shares a patent with the training split (the split is by patent), so its
        neighbour is that far away, and a model trained on same-patent neighbours (often the same
        procedure) would learn to copy more than it should. Without, the neighbour has another
        action sequence, so that a model given it never sees its own answer."""
        table = self._load()
        assert self._vectors is not None
        if patents is not None and len(patents) != len(table.targets):
            raise ValueError(f"{len(patents)} patents for {len(table.targets)} training reactions")

        def allowed(r: int, o: int) -> bool:
            if patents is not None:
                return not patents[o] or patents[o] != patents[r]
            return table.targets[o] != table.targets[r]

        out = [-1] * len(table.targets)
        everything = tuple(self._groups)
        for counts in self._groups:
            for groups in ((counts,), everything):
                index, rows = self._subindex(groups)
                members = [r for r in self._groups[counts].tolist() if out[r] < 0]
                k = min(len(rows), 64)
                while members and len(rows) >= 2:
                    _, ids = index.search(self._vectors[members], k)
                    for r, found in zip(members, ids):
                        others = [int(rows[i]) for i in found if i >= 0 and int(rows[i]) != r]
                        chosen = [o for o in others if allowed(r, o)]
                        if chosen or (groups == everything and others and k == len(rows)):
                            out[r] = (chosen or others)[0]
                    members = [r for r in members if out[r] < 0]
                    if k == len(rows):
                        break
                    k = min(len(rows), 8 * k)
        return out

    def nearest_training(self, src: Sequence[str]) -> list[tuple[int, float, str]]:
        """(row in src-/tgt-train.txt, score, target) of each query's nearest training reaction.

        Same search as `_predict` with n_best = 1 and without de-duplication: the row is the
        training reaction itself, so a caller can show its reaction and its target side by side.
        """
        table = self._load()
        reactions = [detokenize_smiles(s) for s in src]
        vectors = l2_normalise(self.fingerprinter().fingerprints(reactions, progress=False))
        out: list[tuple[int, float, str]] = []
        for line, vector in zip(src, vectors):
            c = reaction_counts(line)
            groups, distance = ([c], 0) if c in self._groups else fallback_groups(c, self._groups)
            index, rows = self._subindex(tuple(groups))
            scores, ids = index.search(vector[None, :].astype(np.float32), 1)
            row = int(rows[int(ids[0][0])])
            out.append((row, float(scores[0][0]) - distance, table.targets[row]))
        return out

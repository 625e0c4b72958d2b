"""Few-shot example retrieval: query `src` lines -> k training (src, tgt) examples each.

A retriever is any callable `(queries, k) -> list of k-lists of (src, tgt)`; the endpoint family
takes one as a parameter, so another similarity can be plugged in.

- `NearestNeighbourRetriever`: the rxnfp index built by `s2a train nn` (s2a.models.nearest_neighbour);
  cosine of reaction fingerprints over the whole training split (no same-count restriction: the
  examples illustrate the format and typical procedures, they are not copied).
- `OverlapRetriever`: the fallback when no up-to-date NN index exists (or `retrieval: overlap`):
  Jaccard similarity of the sets of compounds (canonical SMILES) of query and training reaction,
  ties broken by the Jaccard similarity of their SMILES token sets (weight 0.1). Needs no model.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from s2a.errors import DataError, MissingArtifact
from s2a.llm.prompts import Example
from s2a.formats.splits import read_pairs
from s2a.formats.tokenization import detokenize_smiles

log = logging.getLogger(__name__)

Retriever = Callable[[Sequence[str], int], list[list[Example]]]
TOKEN_WEIGHT = 0.1


def compounds(src: str) -> list[str]:
    """The compounds of a tokenised `src` line, precursors marked '<', products '>'."""
    left, _, right = detokenize_smiles(src).partition(">>")
    return [f"<{c}" for c in left.split(".") if c] + [f">{c}" for c in right.split(".") if c]


class OverlapRetriever:
    """Training examples sharing the most compounds (then SMILES tokens) with the query."""

    def __init__(self, train_src: Sequence[str], train_tgt: Sequence[str], chunk: int = 256) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        if not train_src:
            raise DataError("training split", "empty: no examples to retrieve")
        self.src, self.tgt, self.chunk = list(train_src), list(train_tgt), chunk
        self._compounds = CountVectorizer(analyzer=compounds, binary=True, dtype=np.float32)
        self._tokens = CountVectorizer(analyzer=lambda s: s.split(), binary=True, dtype=np.float32)
        self._train = (self._compounds.fit_transform(self.src), self._tokens.fit_transform(self.src))

    def similarity(self, queries: Sequence[str]) -> np.ndarray:
        """(queries, training) matrix of compound Jaccard + 0.1 · token Jaccard."""
        total = np.zeros((len(queries), len(self.src)), dtype=np.float32)
        for weight, vectorizer, train in ((1.0, self._compounds, self._train[0]),
                                          (TOKEN_WEIGHT, self._tokens, self._train[1])):
            q = vectorizer.transform(queries)
            inter = (q @ train.T).toarray()
            union = np.asarray(q.sum(1)) + np.asarray(train.sum(1)).T - inter
            total += weight * np.where(union > 0, inter / np.where(union > 0, union, 1), 0)
        return total

    def __call__(self, queries: Sequence[str], k: int) -> list[list[Example]]:
        out: list[list[Example]] = []
        k = min(k, len(self.src))
        for start in range(0, len(queries), self.chunk):
            chunk = list(queries[start: start + self.chunk])
            sims = self.similarity(chunk)
            for query, row in zip(chunk, sims):
                order = [int(i) for i in np.argsort(-row, kind="stable") if self.src[int(i)] != query][:k]
                out.append([(self.src[i], self.tgt[i]) for i in order])
        return out


class NearestNeighbourRetriever:
    """The k training reactions with the most similar rxnfp fingerprints (the nn model's index)."""

    def __init__(self, data_dir: Path, nn_work_dir: Path) -> None:
        import faiss

        from s2a.fingerprints import l2_normalise
        from s2a.models import ModelPaths
        from s2a.models.nearest_neighbour import NearestNeighbourModel

        self.model = NearestNeighbourModel(ModelPaths(data_dir, nn_work_dir))
        if not self.model.is_up_to_date():
            raise MissingArtifact(str(nn_work_dir), "no up-to-date nearest-neighbour index (run `s2a train nn`)")
        self.src, self.tgt = read_pairs(data_dir, "train")
        self.index = faiss.read_index(str(self.model.index_path))
        self._normalise = l2_normalise

    def __call__(self, queries: Sequence[str], k: int) -> list[list[Example]]:
        if not queries:
            return []
        vectors = self._normalise(self.model.fingerprinter().fingerprints([detokenize_smiles(q) for q in queries]))
        _, ids = self.index.search(vectors, min(k + 1, self.index.ntotal))
        out = []
        for query, row in zip(queries, ids):
            picked = [int(i) for i in row if i >= 0 and self.src[int(i)] != query][:k]
            out.append([(self.src[i], self.tgt[i]) for i in picked])
        return out


def make_retriever(kind: str, data_dir: Path, nn_work_dir: Path) -> tuple[str, Retriever]:
    """('nn' | 'overlap', retriever) for `retrieval: auto | nn | overlap`."""
    if kind in ("auto", "nn"):
        try:
            return "nn", NearestNeighbourRetriever(data_dir, nn_work_dir)
        except (MissingArtifact, ImportError) as e:
            if kind == "nn":
                raise
            log.warning("llm-endpoint: nearest-neighbour retrieval unavailable (%s); using token overlap", e)
    return "overlap", OverlapRetriever(*read_pairs(data_dir, "train"))

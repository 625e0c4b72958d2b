"""s2a.llm.retrieval: few-shot examples for the endpoint family."""
from __future__ import annotations

from pathlib import Path

import pytest

from s2a.errors import MissingArtifact
from s2a.llm.retrieval import OverlapRetriever, compounds, make_retriever
from s2a.formats.splits import read_pairs
from sample import sample_prefix

FIXTURE = sample_prefix(40)
SRC, TGT = read_pairs(FIXTURE, "train")
TEST_SRC, _ = read_pairs(FIXTURE, "test")


def jaccard(a: str, b: str) -> float:
    x, y = set(compounds(a)), set(compounds(b))
    return len(x & y) / len(x | y)


def test_compounds_mark_sides() -> None:
    assert compounds("C C O . Cl >> C C Cl") == ["<CCO", "<Cl", ">CCCl"]


def test_overlap_retriever_ranks_by_shared_compounds() -> None:
    retriever = OverlapRetriever(SRC, TGT)
    found = retriever(TEST_SRC, 3)
    assert [len(f) for f in found] == [3] * len(TEST_SRC)
    for query, examples in zip(TEST_SRC, found):
        best = max(jaccard(query, s) for s in SRC)
        assert jaccard(query, examples[0][0]) == pytest.approx(best)
        assert all((s, t) in set(zip(SRC, TGT)) for s, t in examples)
    # A training reaction is never its own example.
    assert all(s != SRC[4] for s, _ in retriever([SRC[4]], 5)[0])


def test_auto_falls_back_to_overlap_and_nn_needs_its_index(tmp_path: Path) -> None:
    kind, retriever = make_retriever("auto", FIXTURE, tmp_path / "no-index")
    assert kind == "overlap" and len(retriever(TEST_SRC[:1], 2)[0]) == 2
    with pytest.raises(MissingArtifact):
        make_retriever("nn", FIXTURE, tmp_path / "no-index")

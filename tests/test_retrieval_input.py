"""Retrieval-augmented input: the nearest training neighbour's sequence beside each reaction."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from s2a.formats.targets import is_valid, similarity  # noqa: E402
from s2a.models.base import ModelPaths  # noqa: E402
from s2a.models.retrieval_input import SEPARATOR, NeighbourInput, RetrievalSettings, augment, reaction_part  # noqa: E402
from s2a.models.transformer import TransformerModel  # noqa: E402
from sample import sample_prefix  # noqa: E402

DATA = sample_prefix(30)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_augment_and_back() -> None:
    line = augment("C C O >> C C = O", "ADD $1$ ; YIELD $-1$")
    assert line == f"C C O >> C C = O {SEPARATOR} ADD $1$ ; YIELD $-1$"
    assert reaction_part(line) == "C C O >> C C = O" and reaction_part("C C O >> C C = O") == "C C O >> C C = O"


@pytest.fixture(scope="module")
def augmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("retrieval")
    return NeighbourInput(DATA, root / "nn").write_splits(root / "augmented")


def test_training_reactions_never_see_their_own_answer(augmented: Path) -> None:
    src, tgt = _lines(DATA / "src-train.txt"), _lines(DATA / "tgt-train.txt")
    out = _lines(augmented / "src-train.txt")
    assert [reaction_part(line) for line in out] == src
    neighbours = [line.split(f" {SEPARATOR} ", 1)[1] for line in out]
    assert all(n != own for n, own in zip(neighbours, tgt))
    assert set(neighbours) <= set(tgt)  # neighbours come from the training split
    assert _lines(augmented / "tgt-train.txt") == tgt


def test_other_splits_get_a_training_neighbour_and_the_stamp_skips_rework(augmented: Path) -> None:
    train_tgt = set(_lines(DATA / "tgt-train.txt"))
    for split in ("valid", "test"):
        out = _lines(augmented / f"src-{split}.txt")
        assert [reaction_part(line) for line in out] == _lines(DATA / f"src-{split}.txt")
        assert all(line.split(f" {SEPARATOR} ", 1)[1] in train_tgt for line in out)
    before = (augmented / "src-train.txt").stat().st_mtime_ns
    NeighbourInput(DATA, augmented.parent / "nn").write_splits(augmented)
    assert (augmented / "src-train.txt").stat().st_mtime_ns == before


def test_training_neighbours_come_from_another_patent(augmented: Path, tmp_path: Path) -> None:
    """With train.jsonl's patents, a training reaction's neighbour is from another patent, as a
    test reaction's is (the split is by patent); the nn index of the same training files is reused."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    src, tgt = _lines(data / "src-train.txt"), _lines(data / "tgt-train.txt")
    neighbours = NeighbourInput(data, augmented.parent / "nn")
    nearest = neighbours.nn.training_neighbours()  # without patents: the nearest with another sequence
    patents = [f"US{r:08d}" for r in range(len(src))]
    patents[nearest[0]] = patents[0]  # the first reaction and its nearest: one patent
    (data / "train.jsonl").write_text("".join(json.dumps({"src": s, "tgt": t, "patent": p}) + "\n"
                                              for s, t, p in zip(src, tgt, patents)), encoding="utf-8")
    rows = neighbours.nn.training_neighbours(patents)
    assert all(0 <= o < len(src) and o != r and patents[o] != patents[r] for r, o in enumerate(rows))
    assert rows[0] != nearest[0] and patents[nearest[0]] == patents[0]
    out = neighbours.write_splits(tmp_path / "augmented")
    assert [line.split(f" {SEPARATOR} ", 1)[1] for line in _lines(out / "src-train.txt")] == [tgt[o] for o in rows]
    with pytest.raises(ValueError, match="2 patents for"):
        neighbours.nn.training_neighbours(patents[:2])


def test_training_neighbour_rule_is_checked() -> None:
    with pytest.raises(ValueError, match="other-patent, other-sequence"):
        RetrievalSettings(training_neighbour="same-patent")


@pytest.mark.slow
def test_transformer_trains_and_predicts_on_augmented_input(tmp_path: Path) -> None:
    # the consensus ranking weighs the nearest training reactions' sequences (here: only them, equally)
    consensus = {"neighbours": 3, "neighbour_weight": 1.0, "neighbour_sharpness": 0.0}
    model = TransformerModel(ModelPaths(DATA, tmp_path / "transformer"), profile="tiny",
                             overrides={"retrieval": {}, "onmt": {"train_steps": 10}, "ranking": {"consensus": consensus}})
    model.train()
    assert SEPARATOR in (model.train_data_dir / "src-train.txt").read_text()
    assert (tmp_path / "nn" / "index.faiss").is_file()  # the nn index beside the model
    src = _lines(DATA / "src-test.txt")[:3]
    hyps = model.predict(src, n_best=2)
    assert len(hyps) == 3 and all(1 <= len(h) <= 2 for h in hyps)
    assert model.describe()["retrieval"] and model.describe()["ranking"]["consensus"]["neighbours"] == 3
    neighbours = model.neighbours(src, 3)
    assert all(1 <= len(n) <= 3 and all(h.actions in _lines(DATA / "tgt-train.txt") for h in n) for n in neighbours)
    for chosen, near in zip(model.predict(src, n_best=5), neighbours):
        closeness = [sum(similarity(n.actions, h.actions) for n in near) for h in chosen]
        assert closeness == sorted(closeness, reverse=True)  # the closest to the neighbours first
    # validity is judged against the reaction itself, not the augmented line
    assert all(is_valid(h[0].actions, s) == is_valid(h[0].actions, reaction_part(s)) for h, s in zip(hyps, src))

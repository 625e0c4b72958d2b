import dataclasses
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from s2a.errors import MissingArtifact  # noqa: E402
from s2a.models import ModelPaths, model_class  # noqa: E402
from s2a.models.nearest_neighbour import NearestNeighbourModel  # noqa: E402
from s2a.formats.targets import reaction_counts
from s2a.models.training_set import TrainingTable, fallback_groups  # noqa: E402
from sample import SAMPLE

FIXTURES = SAMPLE


def _lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text().splitlines()


def _data(root: Path, n: int | None = None) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    for name in ("src-train.txt", "tgt-train.txt"):
        lines = _lines(name)[:n]
        (data / name).write_text("\n".join(lines) + "\n")
    return data


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> NearestNeighbourModel:
    root = tmp_path_factory.mktemp("nn")
    model = NearestNeighbourModel(ModelPaths(_data(root), root / "work"))
    model.train()
    return model


def _copy(model: NearestNeighbourModel, root: Path) -> NearestNeighbourModel:
    """A fresh model over copies of the trained model's data and artefacts."""
    shutil.copytree(model.paths.data_dir, root / "data")
    shutil.copytree(model.paths.work_dir, root / "work")
    return NearestNeighbourModel(ModelPaths(root / "data", root / "work"))


def _train_counts() -> dict[str, tuple[int, int]]:
    return {t: reaction_counts(s) for s, t in zip(_lines("src-train.txt"), _lines("tgt-train.txt"))}


def test_registered_as_nn() -> None:
    assert model_class("nn") is NearestNeighbourModel


def test_artefacts_are_saved(trained: NearestNeighbourModel) -> None:
    fingerprints = np.load(trained.fingerprints_path)
    assert fingerprints.shape == (100, 256)
    table = TrainingTable.load(trained.table_path)
    assert table.targets == _lines("tgt-train.txt")
    assert not list(trained.paths.work_dir.glob("partial-*"))


def test_a_training_reaction_finds_itself_first(trained: NearestNeighbourModel) -> None:
    src, tgt = _lines("src-train.txt"), _lines("tgt-train.txt")
    picks = [0, 7, 42, 99]
    hyps = trained.predict([src[i] for i in picks], n_best=3)
    for i, line in zip(picks, hyps):
        assert line[0].actions == tgt[i]
        assert line[0].score == pytest.approx(1.0, abs=1e-4)
        assert line[1].score < line[0].score


def test_neighbours_have_the_querys_counts_and_are_ordered(trained: NearestNeighbourModel) -> None:
    counts = _train_counts()
    groups = TrainingTable.load(trained.table_path).groups()
    queries = _lines("src-valid.txt")
    hyps = trained.predict(queries, n_best=5)
    assert len(hyps) == len(queries)
    fallbacks = 0
    for query, line in zip(queries, hyps):
        c = reaction_counts(query)
        scores = [h.score for h in line]
        assert scores == sorted(scores, reverse=True)
        assert len({h.actions for h in line}) == len(line)
        if c in groups:
            assert len(line) == min(5, len(groups[c]))
            assert all(counts[h.actions] == c for h in line)
            assert all(-1.0001 <= s <= 1.0001 for s in scores)
        else:  # (7, 2): no such training reaction; fallback to the closest groups, lower scores
            fallbacks += 1
            expected, distance = fallback_groups(c, groups)
            assert distance >= 1 and all(counts[h.actions] in expected for h in line)
            assert all(s <= 1.0001 - distance for s in scores) and line
    assert fallbacks == 1


def test_neighbours_agree_with_a_brute_force_search(trained: NearestNeighbourModel) -> None:
    fingerprints = np.load(trained.fingerprints_path)
    unit = fingerprints / np.linalg.norm(fingerprints, axis=1, keepdims=True)
    table = TrainingTable.load(trained.table_path)
    query = _lines("src-valid.txt")[0]
    c = reaction_counts(query)
    (line,) = trained.predict([query], n_best=2)
    q = trained.fingerprinter().fingerprints(["".join(query.split())])[0]
    q = q / np.linalg.norm(q)
    rows = [i for i, rc in enumerate(table.counts) if rc == c]
    cosines = sorted(((float(unit[i] @ q), table.targets[i]) for i in rows), reverse=True)[:2]
    assert [h.actions for h in line] == [t for _, t in cosines]
    np.testing.assert_allclose([h.score for h in line], [s for s, _ in cosines], atol=1e-5)


def test_retraining_is_a_no_op_and_a_fresh_model_predicts_the_same(trained: NearestNeighbourModel, tmp_path: Path) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in (trained.index_path, trained.table_path, trained.fingerprints_path)}
    trained.train()
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    queries = _lines("src-valid.txt")[:3]
    fresh = _copy(trained, tmp_path)
    assert fresh.is_up_to_date()
    assert fresh.predict(queries, n_best=2) == trained.predict(queries, n_best=2)
    with (fresh.paths.data_dir / "tgt-train.txt").open("a") as f:
        f.write("ADD $1$ ; YIELD $-1$\n")
    assert not fresh.is_up_to_date()  # changed training data: train would rebuild


def test_missing_or_corrupt_index_is_one_line_naming_the_file(trained: NearestNeighbourModel, tmp_path: Path) -> None:
    query = _lines("src-valid.txt")[:1]
    fresh = _copy(trained, tmp_path)
    fresh.index_path.unlink()
    with pytest.raises(MissingArtifact) as e:
        fresh.predict(query)
    assert str(fresh.index_path) in str(e.value) and "\n" not in str(e.value)
    fresh.index_path.write_bytes(b"not a faiss index")
    with pytest.raises(MissingArtifact) as e:
        NearestNeighbourModel(fresh.paths).predict(query)
    assert "index.faiss" in str(e.value) and "corrupt" in str(e.value)
    untrained = NearestNeighbourModel(ModelPaths(fresh.paths.data_dir, tmp_path / "empty"))
    with pytest.raises(MissingArtifact) as e:
        untrained.predict(query)
    assert "table.json" in str(e.value)


def test_interrupted_training_resumes_from_saved_chunks(tmp_path: Path) -> None:
    model = NearestNeighbourModel(ModelPaths(_data(tmp_path, n=8), tmp_path / "work"))
    model.config = dataclasses.replace(model.config, chunk_size=4)
    digest = TrainingTable.from_data(model.paths.data_dir, model._settings_key()).digest
    partial = model.paths.work_dir / f"partial-{digest[:16]}"
    partial.mkdir(parents=True)
    done = np.random.default_rng(0).normal(size=(4, 256)).astype(np.float32)  # "computed before"
    np.save(partial / "chunk-000000.npy", done)
    model.train()
    fingerprints = np.load(model.fingerprints_path)
    np.testing.assert_array_equal(fingerprints[:4], done)  # reused, not recomputed
    expected = model.fingerprinter().fingerprints(["".join(s.split()) for s in _lines("src-train.txt")[4:8]])
    np.testing.assert_allclose(fingerprints[4:], expected, atol=1e-5)
    assert not partial.exists()


def test_n_best_lists_distinct_sequences_unless_configured_otherwise(tmp_path: Path) -> None:
    data = _data(tmp_path, n=8)  # rows 2, 3, 4, 6 have 5 precursors and 1 product
    targets = _lines("tgt-train.txt")[:8]
    for i in (3, 4, 6):
        targets[i] = "ADD $1$ ; YIELD $-1$"
    (data / "tgt-train.txt").write_text("\n".join(targets) + "\n")
    model = NearestNeighbourModel(ModelPaths(data, tmp_path / "work"))
    model.train()
    query = [_lines("src-train.txt")[2]]
    (line,) = model.predict(query, n_best=4)
    assert [h.actions for h in line] == [targets[2], "ADD $1$ ; YIELD $-1$"]
    model.distinct = False
    (line,) = model.predict(query, n_best=4)
    assert [h.actions for h in line][0] == targets[2] and len(line) == 4
    assert model.predict([], n_best=3) == []
    with pytest.raises(ValueError, match="n_best"):  # the base class checks n_best for every family
        model.predict(query, n_best=0)

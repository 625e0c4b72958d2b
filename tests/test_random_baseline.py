import shutil
from pathlib import Path

import pytest

from s2a.errors import InvalidReaction, MissingArtifact
from s2a.models import ModelPaths, model_class
from s2a.models.random_baseline import RandomModel, RandomSameSizeModel
from s2a.formats.targets import reaction_counts
from s2a.models.training_set import TrainingTable, fallback_groups
from sample import SAMPLE

FIXTURES = SAMPLE


def _lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text().splitlines()


@pytest.fixture()
def paths(tmp_path: Path) -> ModelPaths:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("src-train.txt", "tgt-train.txt"):
        shutil.copy(FIXTURES / name, data / name)
    return ModelPaths(data_dir=data, work_dir=tmp_path / "work")


def _train_counts() -> dict[str, tuple[int, int]]:
    return {t: reaction_counts(s) for s, t in zip(_lines("src-train.txt"), _lines("tgt-train.txt"))}


def test_counts_compounds_not_fragments() -> None:
    assert reaction_counts("C C ( = O ) Cl . C C O >> C C O C ( C ) = O") == (2, 1)
    assert reaction_counts("O = C ( [O-] ) [O-] ~ [K+] ~ [K+] . C O >> C O . O") == (2, 2)
    with pytest.raises(InvalidReaction):
        reaction_counts("C C O")


def test_fallback_prefers_groups_not_larger_than_the_query() -> None:
    available = [(7, 1), (8, 2), (6, 2), (3, 1)]
    assert fallback_groups((7, 2), available) == ([(6, 2), (7, 1)], 1)
    assert fallback_groups((4, 1), available) == ([(3, 1)], 1)
    # nothing as small as the query: the closest larger groups
    assert fallback_groups((2, 1), [(5, 1), (3, 2), (3, 1)]) == ([(3, 1)], 1)
    with pytest.raises(MissingArtifact):
        fallback_groups((1, 1), [])


def test_registry_names() -> None:
    assert model_class("random") is RandomModel
    assert model_class("random-same-size") is RandomSameSizeModel


@pytest.mark.parametrize("cls", [RandomModel, RandomSameSizeModel])
def test_same_seed_same_predictions_other_seed_other_predictions(paths: ModelPaths, cls: type[RandomModel]) -> None:
    queries = _lines("src-valid.txt")
    model = cls(paths, seed=1)
    model.train()
    first = model.predict(queries, n_best=3)
    assert first == cls(paths, seed=1).predict(queries, n_best=3)
    assert first != cls(paths, seed=2).predict(queries, n_best=3)
    # one line at a time gives the same as the batch: per-query generators
    assert [model.predict([q], n_best=3)[0] for q in queries] == first
    known = set(_lines("tgt-train.txt"))
    for hyps in first:
        sequences = [h.actions for h in hyps]
        assert len(sequences) == 3 and len(set(sequences)) == 3
        assert set(sequences) <= known


def test_random_model_samples_across_sizes(paths: ModelPaths) -> None:
    model = RandomModel(paths, seed=0)
    model.train()
    hyps = model.predict(_lines("src-valid.txt"), n_best=20)
    counts = _train_counts()
    sizes = {counts[h.actions] for line in hyps for h in line}
    assert len(sizes) > 1
    assert all(h.score == 0.0 for line in hyps for h in line)


def test_same_size_restriction_and_fallback(paths: ModelPaths) -> None:
    model = RandomSameSizeModel(paths, seed=3)
    model.train()
    counts = _train_counts()
    groups = TrainingTable.load(model.table_path).groups()
    queries = _lines("src-valid.txt")
    hyps = model.predict(queries, n_best=4)
    fallbacks = 0
    for query, line in zip(queries, hyps):
        c = reaction_counts(query)
        assert line
        if c in groups:
            assert all(counts[h.actions] == c and h.score == 0.0 for h in line)
            assert len(line) == min(4, len(groups[c]))
        else:  # the sample's (7, 2) query: no training reaction has 2 products and 7 precursors
            fallbacks += 1
            expected, distance = fallback_groups(c, groups)
            assert all(counts[h.actions] in expected and h.score == -distance for h in line)
    assert fallbacks == 1


def test_small_group_gives_all_its_sequences_once(paths: ModelPaths) -> None:
    model = RandomSameSizeModel(paths, seed=0)
    model.train()
    query = "C C ( = O ) Cl . C C O >> C C O C ( C ) = O"  # (2, 1): five training reactions
    in_group = {t for t, c in _train_counts().items() if c == (2, 1)}
    (hyps,) = model.predict([query], n_best=50)
    assert {h.actions for h in hyps} == in_group and len(hyps) == len(in_group)


def test_train_is_a_no_op_when_up_to_date_and_predict_needs_it(paths: ModelPaths) -> None:
    model = RandomModel(paths)
    with pytest.raises(MissingArtifact) as e:
        model.predict(["C C O >> C C = O"])
    assert "table.json" in str(e.value) and "\n" not in str(e.value)
    model.train()
    stamp = model.table_path.stat().st_mtime_ns
    RandomModel(paths).train()
    assert model.table_path.stat().st_mtime_ns == stamp
    model.table_path.write_text("{not json")
    with pytest.raises(MissingArtifact):
        RandomModel(paths).predict(["C C O >> C C = O"])
    RandomModel(paths).train()  # a corrupt table is rebuilt
    assert len(TrainingTable.load(model.table_path).targets) == 100


def test_missing_training_data_is_reported(tmp_path: Path) -> None:
    with pytest.raises(MissingArtifact) as e:
        RandomModel(ModelPaths(tmp_path / "nodata", tmp_path / "work")).train()
    assert "src-train.txt" in str(e.value)

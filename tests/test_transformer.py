"""TransformerModel: tiny real OpenNMT-py runs (see tiny_transformer.py) — train, resume, predict."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from tiny_transformer import FIRST_STEPS, TinyRun, lines, trained

from s2a.checkpoint import load_checkpoint
from s2a.errors import MissingArtifact, StaleArtifact, TokenizationError
from s2a.formats.targets import positional_tokens, required_positions
from s2a.models import model_class
from s2a.models.base import ModelPaths
from s2a.models.transformer import TransformerModel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run() -> TinyRun:
    return trained()


def test_registered_under_its_name() -> None:
    assert model_class("transformer") is TransformerModel


def test_first_run_stopped_at_its_train_steps(run: TinyRun) -> None:
    assert run.steps_after_first_run == [FIRST_STEPS]


def test_raising_train_steps_resumes_from_the_checkpoint(run: TinyRun) -> None:
    model = run.model()
    steps = [s for s, _ in model.checkpoints()]
    assert steps == [FIRST_STEPS, model.settings.train_steps]
    final = load_checkpoint(model.final_checkpoint())
    # the optimiser's step counter continued from the checkpoint instead of starting again at 1
    assert final["optim"]["training_step"] == model.settings.train_steps + 1
    log = (model.work_dir / "logs" / "train.log").read_text(encoding="utf-8")
    assert f"Loading checkpoint from {model.checkpoint_dir / f'model_step_{FIRST_STEPS}.pt'}" in log
    # the first checkpoint was kept as it was, not rewritten by the resumed run
    first = model.checkpoint_dir / f"model_step_{FIRST_STEPS}.pt"
    assert first.stat().st_mtime_ns == run.first_run_mtimes[first.name]


def test_vocabularies_are_separate_and_from_the_training_split(run: TinyRun) -> None:
    model = run.model()
    src_vocab = {line.split("\t")[0] for line in model.vocab_path("src").read_text(encoding="utf-8").splitlines()}
    tgt_vocab = {line.split("\t")[0] for line in model.vocab_path("tgt").read_text(encoding="utf-8").splitlines()}
    assert {"ADD", ";", "YIELD"} <= tgt_vocab
    assert "ADD" not in src_vocab and "c" in src_vocab
    assert tgt_vocab == {tok for line in lines("train", "tgt") for tok in line.split()}


def test_training_again_when_finished_does_nothing(run: TinyRun) -> None:
    model = run.model()
    before = {p.name: p.stat().st_mtime_ns for _, p in model.checkpoints()}
    model.train()
    assert {p.name: p.stat().st_mtime_ns for _, p in model.checkpoints()} == before


def test_predict_n_best(run: TinyRun) -> None:
    model = run.model()
    src = lines("test")
    tgt_vocab = {tok for line in lines("train", "tgt") for tok in line.split()}
    chosen, predictions = model.predict_ranked(src, n_best=3)  # the decoder's own order, then the profile's ranking
    assert len(predictions) == len(chosen) == len(src)
    # completion makes the first name exactly the reaction's molecules (it cannot mend an unparseable action)
    assert all(positional_tokens(hyps[0].actions) == required_positions(s) for s, hyps in zip(src, chosen))
    for hyps in predictions:
        assert len(hyps) == 3
        assert len({h.actions for h in hyps}) == 3
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True) and all(s < 0 for s in scores)
        for h in hyps:
            assert h.actions and set(h.actions.split()) <= tgt_vocab
            assert len(h.actions.split()) <= model.settings.max_length
    # after 20 steps the model has learnt at least the most frequent target tokens
    train_counts = Counter(tok for line in lines("train", "tgt") for tok in line.split())
    top5 = {tok for tok, _ in train_counts.most_common(5)}
    predicted = Counter(tok for hyps in predictions for tok in hyps[0].actions.split())
    assert predicted.most_common(1)[0][0] in top5


def test_n_best_one_is_the_best_of_n_best(run: TinyRun) -> None:
    model = run.model()
    src = lines("test")[:4]
    one = model.predict(src, n_best=1)
    many = model.predict(src, n_best=5)
    assert [h[0].actions for h in one] == [h[0].actions for h in many]
    assert all(len(h) == 1 for h in one)


def test_predict_rejects_empty_lines_and_empty_input(run: TinyRun) -> None:
    model = run.model()
    assert model.predict([], n_best=2) == []
    with pytest.raises(TokenizationError):
        model.predict(["C C O >> C C", "  "])


def test_interrupted_save_is_skipped_when_resuming(run: TinyRun, tmp_path: Path) -> None:
    shutil.copytree(run.paths.work_dir, tmp_path / "work")
    model = TransformerModel(ModelPaths(run.paths.data_dir, tmp_path / "work"), profile="tiny")
    good = model.final_checkpoint()
    cut = model.checkpoint_dir / "model_step_30.pt"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 3])  # killed while saving
    assert model.last_checkpoint() == (model.settings.train_steps, good)


def test_predict_without_training_names_the_missing_checkpoint(tmp_path: Path) -> None:
    model = TransformerModel(ModelPaths(tmp_path / "data", tmp_path / "work"), profile="tiny")
    with pytest.raises(MissingArtifact, match="checkpoints"):
        model.predict(["C C O >> C C"])


def test_train_without_data_names_the_missing_split(tmp_path: Path) -> None:
    model = TransformerModel(ModelPaths(tmp_path / "data", tmp_path / "work"), profile="tiny")
    with pytest.raises(MissingArtifact, match="src-train.txt"):
        model.train()


def test_new_data_does_not_resume_an_old_run(run: TinyRun, tmp_path: Path) -> None:
    shutil.copytree(run.paths.work_dir, tmp_path / "work")
    shutil.copytree(run.paths.data_dir, tmp_path / "data")
    with (tmp_path / "data" / "src-train.txt").open("a", encoding="utf-8") as f:
        f.write("C C O >> C C\n")
    model = TransformerModel(ModelPaths(tmp_path / "data", tmp_path / "work"), profile="tiny")
    with pytest.raises(StaleArtifact, match="other data"):
        model.train()


def test_keep_checkpoint_also_prunes_the_runs_before_a_resume(run: TinyRun, tmp_path: Path) -> None:
    shutil.copytree(run.paths.work_dir, tmp_path / "work")
    model = TransformerModel(ModelPaths(run.paths.data_dir, tmp_path / "work"), profile="tiny",
                             overrides={"onmt": {"keep_checkpoint": 1}})
    model._prune_checkpoints()
    assert [s for s, _ in model.checkpoints()] == [model.settings.train_steps]


def test_learning_curve_has_validation_scores_and_a_sequence_score_per_checkpoint(run: TinyRun) -> None:
    from s2a.formats.learning_curve import COLUMNS, read_curve

    model = run.model()
    assert model.curve_path.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)
    points = read_curve(model.curve_path)
    assert [p.step for p in points] == [10, 20]  # valid_steps 10: one per run, the resumed one counted on
    for p in points:
        assert p.valid_loss is not None and p.valid_loss > 0
        assert p.valid_token_accuracy is not None and 0 <= p.valid_token_accuracy <= 100
        assert p.valid_at_least_50 is not None and 0 <= p.valid_at_least_50 <= 100
        assert p.seconds is not None and p.seconds > 0
    assert points[1].seconds > points[0].seconds
    assert not (model.work_dir / "curve-ct2").exists()


def test_report_every_is_lowered_for_a_slow_device(tmp_path: Path) -> None:
    paper = TransformerModel(ModelPaths(tmp_path, tmp_path / "w"), profile="paper", overrides={"device": "cpu"})
    # 4 x 1024 tokens per step at ~1,000 tokens/s: a report every ~10 steps, not every 1,000
    assert paper.report_every() == 10
    tiny = TransformerModel(ModelPaths(tmp_path, tmp_path / "w"), profile="tiny")
    assert tiny.report_every() == tiny.settings.onmt["report_every"]


def test_a_gpu_profile_without_a_gpu_says_so(tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    paper = TransformerModel(ModelPaths(tmp_path, tmp_path / "w"), profile="paper")
    assert paper.no_gpu_note() is not None and "no GPU found" in paper.no_gpu_note()
    assert TransformerModel(ModelPaths(tmp_path, tmp_path / "w"), profile="tiny").no_gpu_note() is None

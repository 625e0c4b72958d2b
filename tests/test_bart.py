"""The BART family end to end on a tiny real run (fixture lines from the Smiles2Actions sample)."""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from s2a.errors import ConfigError, MissingArtifact, StaleArtifact
from s2a.models import model_class
from s2a.models.augmentation import AugmentationSettings, augment_split
from s2a.models.bart import BartConfig, BartModel, load_config
from s2a.models.base import ModelPaths
from s2a.models.fairseq_checkpoint import checkpoint_num_updates, import_fairseq, load_checkpoint_state
from sample import sample_prefix

FIXTURES = sample_prefix(60)
slow = pytest.mark.slow  # uses the module's tiny trained model (about a minute, once)


def _lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> BartModel:
    root = tmp_path_factory.mktemp("bart")
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=root / "work"), profile="tiny")
    model.train()
    return model


@pytest.fixture(scope="module")
def batch_predictions(trained: BartModel) -> list:
    return trained.predict(_lines("src-test.txt"), n_best=3)


def _logged_losses(log: Path) -> list[float]:
    return [float(x) for x in re.findall(r"\| train_inner \|.*?loss=([0-9.]+)", log.read_text())]


def test_registered_under_bart() -> None:
    assert model_class("bart") is BartModel


@slow
def test_training_writes_checkpoint_joint_dictionary_and_learns(trained: BartModel) -> None:
    state = load_checkpoint_state(trained.checkpoint_dir / "checkpoint_last.pt")
    assert checkpoint_num_updates(state) == trained.config.train["max-update"]
    src_dict = (trained.bin_dir / "dict.src.txt").read_text()
    assert src_dict == (trained.bin_dir / "dict.tgt.txt").read_text()  # joined dictionary
    words = {line.split()[0] for line in src_dict.splitlines()}
    assert {"ADD", "$1$", ";", "c", ">>"} <= words
    losses = _logged_losses(trained.checkpoint_dir / "train.log")
    assert len(losses) >= 2 and losses[-1] < losses[0]


@slow
def test_predict_nbest_in_input_order_with_partial_batch(trained: BartModel, batch_predictions: list) -> None:
    src = _lines("src-test.txt")  # 10 lines, batch size 4: batches of 4, 4 and 2
    assert len(src) % trained.config.batch_size != 0
    out = batch_predictions
    assert len(out) == len(src)
    vocabulary = {line.split()[0] for line in (trained.bin_dir / "dict.tgt.txt").read_text().splitlines()}
    for hyps in out:
        assert len(hyps) == 3
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert all(s <= 0 for s in scores)
        for h in hyps:
            assert h.actions and set(h.actions.split()) <= vocabulary
    # the model's answers depend on the input, so a shuffled batch would be detected below
    assert len({round(h[0].score, 4) for h in out}) > 1
    # every line alone gives the answer the batch gave at its position (batching sorts by length)
    for i, line in enumerate(src):
        alone = trained.predict([line], n_best=1)[0][0]
        assert alone.actions == out[i][0].actions
        assert alone.score == pytest.approx(out[i][0].score, abs=1e-5)


@slow
def test_ctranslate2_decoding_matches_fairseq(trained: BartModel, batch_predictions: list) -> None:
    pytest.importorskip("ctranslate2")
    fast = BartModel(trained.paths, profile="tiny", config=trained.config.with_engine("ctranslate2"))
    out = fast.predict(_lines("src-test.txt"), n_best=3)
    assert (fast.ctranslate2_dir / "model.bin").is_file()
    assert [h[0].actions for h in out] == [h[0].actions for h in batch_predictions]
    for a, b in zip(out, batch_predictions):
        assert len(a) == 3
        assert a[0].score == pytest.approx(b[0].score, abs=1e-3)


@slow
def test_predict_more_hypotheses_than_beam(trained: BartModel) -> None:
    n = trained.config.beam + 2
    out = trained.predict(_lines("src-test.txt")[:2], n_best=n)
    assert [len(h) for h in out] == [n, n]
    assert trained.predict([], n_best=1) == []


@slow
def test_training_again_does_nothing(trained: BartModel) -> None:
    last = trained.checkpoint_dir / "checkpoint_last.pt"
    log = trained.checkpoint_dir / "train.log"
    before = (last.stat().st_mtime_ns, log.stat().st_size)
    trained.train()
    assert (last.stat().st_mtime_ns, log.stat().st_size) == before


@slow
def test_more_updates_resume_from_last_checkpoint(trained: BartModel, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(trained.paths.work_dir, work)
    steps = int(trained.config.train["max-update"])
    config = trained.config.with_train(max_update=steps + 10)
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=work), profile="tiny", config=config)
    model.train()
    log = (work / "checkpoints" / "train.log").read_text()
    assert re.search(rf"Loaded checkpoint .*checkpoint_last\.pt .*@ {steps} updates", log)
    assert checkpoint_num_updates(load_checkpoint_state(work / "checkpoints" / "checkpoint_last.pt")) == steps + 10


@slow
def test_a_checkpoint_of_another_architecture_is_not_resumed(trained: BartModel, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(trained.paths.work_dir, work)
    last = work / "checkpoints" / "checkpoint_last.pt"
    before = last.read_bytes()
    config = trained.config.with_train(arch="bart_base")
    with pytest.raises(StaleArtifact) as err:
        BartModel(ModelPaths(data_dir=FIXTURES, work_dir=work), profile="tiny", config=config).train()
    assert "bart_base_own_source_sinusoidal" in str(err.value) and err.value.path == str(work)
    assert last.read_bytes() == before


@slow
def test_state_dict_has_the_encoders_own_table(trained: BartModel) -> None:
    weights = load_checkpoint_state(trained.checkpoint_dir / "checkpoint_last.pt")["model"]
    enc, dec = weights["encoder.embed_tokens.weight"], weights["decoder.embed_tokens.weight"]
    assert enc.shape == dec.shape and not (enc == dec).all()  # joined dictionary, two tables
    assert "encoder.embed_positions.weight" not in weights  # sinusoidal: no learned positions


@slow
def test_missing_checkpoint_is_one_line_error(trained: BartModel, tmp_path: Path) -> None:
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=tmp_path / "empty"), profile="tiny")
    with pytest.raises(MissingArtifact) as err:
        model.predict(["C C O >> C C O"])
    assert "\n" not in str(err.value)
    # a checkpoint that is not one: dictionaries present, checkpoint file garbage
    work = tmp_path / "corrupt"
    shutil.copytree(trained.bin_dir, work / "data-bin")
    (work / "checkpoints").mkdir()
    (work / "checkpoints" / "checkpoint_last.pt").write_bytes(b"not a checkpoint")
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=work), profile="tiny")
    with pytest.raises(MissingArtifact) as err:
        model.predict(["C C O >> C C O"])
    assert err.value.path == str(work / "checkpoints" / "checkpoint_last.pt")
    assert "\n" not in str(err.value)


def test_missing_split_is_reported(tmp_path: Path) -> None:
    model = BartModel(ModelPaths(data_dir=tmp_path, work_dir=tmp_path / "w"), profile="tiny")
    with pytest.raises(MissingArtifact) as err:
        model.train()
    assert err.value.path.endswith("src-train.txt")


def test_profiles_load_and_bad_configs_are_rejected() -> None:
    for profile in ("tiny", "cpu", "paper"):
        config = load_config(profile)
        assert config.train["arch"] == ("bart_base" if profile == "paper" else "bart_base_own_source_sinusoidal")
        assert config.beam == 10
    assert load_config("paper").max_len_b == 400
    with pytest.raises(ConfigError):
        load_config("no-such-profile")
    with pytest.raises(ConfigError):  # s2a's own options cannot be overridden
        BartConfig.from_dict("x", {"train": {"arch": "bart_base", "required-batch-size-multiple": 8}})
    with pytest.raises(ConfigError):
        BartConfig.from_dict("x", {"train": {"lr": 0.1}})


@slow
def test_other_data_in_a_trained_folder_is_refused(trained: BartModel, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES, data)
    (data / "tgt-train.txt").write_text("\n".join(_lines("tgt-train.txt")[::-1]) + "\n", encoding="utf-8")
    model = BartModel(ModelPaths(data_dir=data, work_dir=trained.paths.work_dir), profile="tiny")
    with pytest.raises(StaleArtifact):
        model.train()


@slow
def test_augmentation_changes_the_training_data(trained: BartModel, tmp_path: Path) -> None:
    config = dataclasses.replace(trained.config, augmentation=AugmentationSettings(copies=2, rare_below=0.05))
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=trained.paths.work_dir), profile="tiny", config=config)
    with pytest.raises(StaleArtifact):  # the folder's model was trained without the copies
        model.train()
    fresh = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=tmp_path / "w"), profile="tiny", config=config)
    fresh._prepare_data()  # binarises what fairseq-train will read
    tgt = _lines("tgt-train.txt")
    binarised = (fresh.text_dir / "train.tgt").read_text(encoding="utf-8").splitlines()
    assert binarised == augment_split(_lines("src-train.txt"), tgt, config.augmentation)[1]
    assert len(tgt) < len(binarised) < 3 * len(tgt)
    assert fresh.describe()["augmentation"]["copies"] == 2


@pytest.mark.parametrize("profile", ["tiny", "cpu", "paper"])
def test_profile_options_parse_in_fairseq(profile: str, tmp_path: Path) -> None:
    import_fairseq()  # s2a's architectures registered, as in the training subprocess
    from fairseq import options

    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=tmp_path), profile=profile)
    args = options.parse_args_and_arch(options.get_training_parser(), input_args=model.train_argv())
    train = model.config.train
    assert args.arch == train["arch"] == ("bart_base" if profile == "paper" else "bart_base_own_source_sinusoidal")
    assert args.encoder_layers == train["encoder-layers"] and args.decoder_embed_dim == train["decoder-embed-dim"]
    assert args.required_batch_size_multiple == 1 and args.num_workers == 0
    # bart_base shares every table (needs the joined dictionary); s2a's cpu architecture only the decoder's
    assert args.share_all_embeddings == (profile == "paper") and args.share_decoder_input_output_embed
    assert args.save_dir == str(tmp_path / "checkpoints")


@slow
def test_learning_curve_scores_the_prediction_checkpoint(trained: BartModel) -> None:
    from s2a.formats.learning_curve import read_curve

    points = read_curve(trained.curve_path)
    final = [p for p in points if p.step == trained.config.train["max-update"]]
    assert final and final[0].valid_at_least_50 is not None and 0 <= final[0].valid_at_least_50 <= 100


@slow
def test_validation_lines_feed_the_learning_curve(tmp_path: Path) -> None:
    config = load_config("tiny").with_train(disable_validation=False, max_update=12, validate_interval_updates=6)
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=tmp_path / "work"), profile="tiny", config=config)
    model.train()
    from s2a.formats.learning_curve import read_curve

    points = {p.step: p for p in read_curve(model.curve_path)}
    assert {6, 12} <= set(points)
    for step in (6, 12):
        p = points[step]
        assert p.valid_loss is not None and p.valid_loss > 0  # nll_loss, converted to nats
        assert p.valid_token_accuracy is not None and 0 <= p.valid_token_accuracy <= 100  # --report-accuracy
    assert points[12].valid_at_least_50 is not None


def test_paper_profile_on_a_cpu_reports_often_and_says_it_has_no_gpu(tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    model = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=tmp_path), profile="paper")
    argv = model.train_argv()
    assert int(argv[argv.index("--log-interval") + 1]) < 500  # 4 x 4,096 tokens per update on a CPU
    assert "--report-accuracy" in argv
    assert model.no_gpu_note(argv) is not None
    tiny = BartModel(ModelPaths(data_dir=FIXTURES, work_dir=tmp_path), profile="tiny")
    assert tiny.no_gpu_note(tiny.train_argv()) is None
    assert argv_value(tiny.train_argv(), "--log-interval") == "25"


def argv_value(argv: list, flag: str) -> str:
    return str(argv[argv.index(flag) + 1])

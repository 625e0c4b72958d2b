"""Models of ChemActor's tasks (s2a.models.text_transformer): a tiny d2a transformer trained on real
task files through the CLI, its predictions in the report's layout, its row in the task section.

The d2a files are the first lines of `data/processed/tasks/d2a` when `make tasks` has run, else the
tasks written from the ORD fixture (a fresh clone)."""
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from s2a.cli import main
from s2a.errors import ConfigError, DataError, MissingArtifact, StaleArtifact, UnknownTask
from s2a.evaluation.task_report import task_section, task_table
from s2a.formats.predictions import read_meta, read_top1
from s2a.formats.splits import read_lines
from s2a.formats.tasks import task_dir
from s2a.models import ModelPaths, task_model_class
from s2a.models.text_transformer import TextTransformerModel, text_tasks
from s2a.paths import task_predictions_dir
from task_data import task_lines, write_pairs

HERE = Path(__file__).parent
LINES = {"train": 200, "valid": 20, "test": 20}
TINY = HERE.parent / "configs" / "transformer-text-tiny.yaml"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A processed-data folder with tasks/d2a (real lines)."""
    return task_lines(tmp_path_factory.mktemp("task-data"), ["d2a"], LINES, tmp_path_factory.mktemp("ord-tasks"))


@pytest.fixture(scope="module")
def trained(data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(work dir, predictions dir) of a tiny d2a transformer trained and predicted through the CLI."""
    root = tmp_path_factory.mktemp("task-model")
    work, preds = root / "model", root / "predictions"
    common = ["--task", "d2a", "--profile", "tiny", "--data-dir", str(data), "--work-dir", str(work)]
    result = CliRunner().invoke(main, ["tasks", "train", "transformer", *common])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["tasks", "predict", "transformer", *common, "--split", "test",
                                       "--predictions-dir", str(preds)])
    assert result.exit_code == 0, result.output
    return work, preds


def _model(data: Path, work: Path, task: str = "d2a", profile: str = "tiny") -> TextTransformerModel:
    model = task_model_class("transformer")(ModelPaths(task_dir(data, task), work), profile=profile, task=task)  # type: ignore[call-arg]
    assert isinstance(model, TextTransformerModel)
    return model


def test_predictions_in_the_report_layout_and_the_row(trained: tuple[Path, Path], data: Path) -> None:
    _, preds = trained
    out = task_predictions_dir("d2a", "transformer-tiny", preds)
    src = read_lines(task_dir(data, "d2a") / "src-test.txt")
    top = read_top1(out / "test.txt")
    assert len(top) == len(src) and all(isinstance(x, str) for x in top)
    assert not any("￭" in x for x in top)  # detokenised: no subword joiners left
    meta = read_meta(out, "test")
    assert meta["task"] == "d2a" and meta["profile"] == "tiny" and meta["shared_vocabulary"] is True
    assert "ranking" not in meta and not (out / "test.raw.txt").exists()  # no re-ranking of text tasks
    section = task_section(data, preds, "test")
    table = next(t for t in section.tables if t.task == "d2a")
    (row,) = [r for r in table.rows if r.model == "transformer-tiny"]
    assert row.status == "ok" and row.scores is not None and table.n == len(src)
    assert "| transformer-tiny | " in task_table(table)


def test_onmt_tokenize_saw_the_subwords_s2a_decodes_with(trained: tuple[Path, Path], data: Path) -> None:
    """The vocabulary OpenNMT-py's transform counted is the one pyonmttok gives s2a's decoding."""
    work, _ = trained
    model = _model(data, work)
    tok = model.tokenizers()
    folder, onmt = task_dir(data, "d2a"), model.settings.onmt
    pairs = [(tok["src"].tokenize(s)[0], tok["tgt"].tokenize(t)[0])
             for s, t in zip(read_lines(folder / "src-train.txt"), read_lines(folder / "tgt-train.txt"))]
    # OpenNMT-py's filtertoolong drops a pair whose source exceeds src_seq_length subwords or whose
    # target exceeds tgt_seq_length - 2 (onmt/transforms/misc.py) before counting
    kept = [p for p in pairs if len(p[0]) <= int(onmt["src_seq_length"]) and len(p[1]) <= int(onmt["tgt_seq_length"]) - 2]
    counted = Counter(t for src, _ in kept for t in src)
    vocab = {(parts := line.rsplit("\t", 1))[0]: int(parts[1]) for line in read_lines(work / "vocab.src")}
    assert vocab == dict(counted)
    shared = {(parts := line.rsplit("\t", 1))[0]: int(parts[1]) for line in read_lines(work / "vocab.shared")}
    target = {(parts := line.rsplit("\t", 1))[0]: int(parts[1]) for line in read_lines(work / "vocab.tgt")}
    assert shared == dict(Counter(vocab) + Counter(target))
    assert (work / "ct2" / "shared_vocabulary.json").is_file()


def test_retraining_is_a_no_op_and_new_data_is_refused(trained: tuple[Path, Path], data: Path, tmp_path: Path) -> None:
    work, _ = trained
    before = {p.name: p.stat().st_mtime_ns for p in (work / "checkpoints").iterdir()}
    _model(data, work).train()
    assert {p.name: p.stat().st_mtime_ns for p in (work / "checkpoints").iterdir()} == before
    copy, other = tmp_path / "model", tmp_path / "data"
    shutil.copytree(work, copy)
    shutil.copytree(task_dir(data, "d2a"), task_dir(other, "d2a"))
    with (task_dir(other, "d2a") / "src-train.txt").open("a", encoding="utf-8") as f:
        f.write("Water was added.\n")
    with (task_dir(other, "d2a") / "tgt-train.txt").open("a", encoding="utf-8") as f:
        f.write("ADD water\n")
    with pytest.raises(StaleArtifact):
        _model(other, copy).train()


def test_sides_per_task(tmp_path: Path) -> None:
    """Text on both sides: one BPE, one vocabulary; r2d keeps the SMILES tokens of its source."""
    for split in ("train", "valid"):
        write_pairs(task_dir(tmp_path, "r2d"), split, ["C C O >> C C = O"] * 3, ["The alcohol was oxidised."] * 3)
        write_pairs(task_dir(tmp_path, "a2d"), split, ["ADD water ; STIR for 2 h"] * 3, ["Water was added."] * 3)
    r2d = _model(tmp_path, tmp_path / "r2d", "r2d")
    r2d.work_dir.mkdir()
    r2d._check_subwords()
    options = r2d._data_options()
    assert not r2d.shared and options["share_vocab"] is False
    assert options["src_subword_type"] == "none" and options["src_onmttok_kwargs"] == "{'mode': 'space'}"
    assert options["tgt_subword_type"] == "bpe" and options["transforms"] == ["onmt_tokenize", "filtertoolong"]
    assert r2d.tokenizers()["src"].tokenize("C C O >> C C = O")[0] == "C C O >> C C = O".split()
    assert not r2d.bpe_path("src").exists() and r2d.bpe_path("tgt").is_file()
    a2d = _model(tmp_path, tmp_path / "a2d", "a2d")
    assert a2d.shared and a2d.bpe_path("src") == a2d.bpe_path("tgt")
    assert sorted(text_tasks()) == ["a2d", "d2a", "d2a-gold", "d2a-sentence", "r2d"]


def test_lossy_subwords_are_an_error(tmp_path: Path) -> None:
    """A line its subwords do not give back (the joiner mark inside the text) stops training."""
    for split in ("train", "valid"):
        write_pairs(task_dir(tmp_path, "d2a"), split, ["Water ￭ was added."] * 3, ["ADD water"] * 3)
    model = _model(tmp_path, tmp_path / "m")
    model.work_dir.mkdir()
    with pytest.raises(DataError, match="do not give the line back"):
        model._check_subwords()
    assert not model.bpe_path("src").exists()  # no partial BPE model left behind


def test_profiles_must_fit_text_targets(tmp_path: Path) -> None:
    with pytest.raises(UnknownTask):
        _model(tmp_path, tmp_path / "m", "s2a")
    ranked = tmp_path / "ranked.yaml"
    ranked.write_text(f"extends: {TINY}\nranking:\n  width: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ranking"):
        _model(tmp_path, tmp_path / "m", profile=str(ranked))
    plain = tmp_path / "plain.yaml"
    plain.write_text(f"extends: {TINY.parent / 'transformer-tiny.yaml'}\nranking: null\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="subword"):
        _model(tmp_path, tmp_path / "m", profile=str(plain))


def test_fine_tuning_starts_from_the_parent(trained: tuple[Path, Path], data: Path, tmp_path: Path) -> None:
    """init-from: the child keeps the parent's subwords and vocabulary, starts from its weights with
    a fresh step count, and a changed parent is refused once the child has trained."""
    import torch

    parent, _ = trained
    for split in ("train", "valid"):  # the d2a-gold shape: a few sentences of the parent's kind
        src, tgt = (read_lines(task_dir(data, "d2a") / f"{side}-{split}.txt")[:8] for side in ("src", "tgt"))
        write_pairs(task_dir(data, "d2a-gold"), split, src, tgt)
    child = _model(data, tmp_path / "child", "d2a-gold")
    with pytest.raises(MissingArtifact):
        child.init_from(tmp_path / "nothing")
    child.init_from(parent)
    child.train()
    for name in ("bpe.model", "vocab.shared", "vocab.src", "vocab.tgt"):
        assert (child.work_dir / name).read_bytes() == (parent / name).read_bytes()
    assert child.describe()["init_from"] == str(parent.resolve())  # in the predictions' meta, and the report's notes
    steps = [step for step, _ in child.checkpoints()]
    assert steps and max(steps) == child.settings.train_steps  # counted from 0, not from the parent's step
    parent_weights = torch.load(_model(data, parent).final_checkpoint(), weights_only=False)["model"]
    child_weights = torch.load(child.final_checkpoint(), weights_only=False)["model"]
    assert parent_weights.keys() == child_weights.keys()
    assert any(not torch.equal(parent_weights[k], child_weights[k]) for k in parent_weights)  # it trained
    moved = tmp_path / "parent-copy"
    shutil.copytree(parent, moved)
    (moved / "vocab.shared").write_text("other\t1\n", encoding="utf-8")
    again = _model(data, child.work_dir, "d2a-gold")
    again.init_from(moved)
    with pytest.raises(StaleArtifact):
        again.train()


def test_per_task_settings_of_a_profile(tmp_path: Path) -> None:
    """`tasks: {<task>: ...}` overrides the profile for that task only; the cpu profile gives
    paragraph tasks bigger batches than d2a-sentence."""
    cpu = {t: _model(tmp_path, tmp_path / t, t, profile="cpu").settings.onmt for t in ("d2a-sentence", "r2d", "d2a-gold")}
    assert cpu["r2d"]["batch_size"] > cpu["d2a-sentence"]["batch_size"]
    assert cpu["d2a-gold"]["decay_method"] == "none" and cpu["d2a-sentence"]["decay_method"] == "noam"
    assert _model(tmp_path, tmp_path / "t", "r2d").settings.onmt["train_steps"] == 20  # tiny: tasks: null

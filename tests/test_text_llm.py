"""The `llm` family on ChemActor's text tasks (s2a.models.text_llm) on a tiny randomly initialised
Llama: trained a few steps through the CLI on real task lines, predictions in the report's layout,
too-long examples counted, `--init-from` starting from a parent's weights and retraining when the
parent changes.

The task lines are the first lines of `data/processed/tasks/<task>` when `make tasks` has run, else
the tasks written from the ORD fixture (a fresh clone; it has no d2a-gold: the child task is d2a)."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from click.testing import CliRunner

from s2a.cli import main
from s2a.errors import ConfigError, MissingArtifact, UnknownTask, UnsupportedOption
from s2a.formats.predictions import read_meta, read_nbest, read_top1
from s2a.formats.splits import read_lines
from s2a.formats.tasks import task, task_dir
from s2a.llm import finetune
from s2a.llm.config import load_llm_config
from s2a.llm.prompts import S2A_PROMPT, task_prompt
from s2a.llm.tiny import build_tiny_llama_for
from s2a.models import ModelPaths, task_model_class
from s2a.models.text_llm import TextLLMModel
from s2a.paths import run_name, task_predictions_dir
from task_data import task_lines

HERE = Path(__file__).parent
LINES = {"train": 24, "valid": 6, "test": 5}
TASK_NAMES = ("d2a-sentence", "d2a-gold", "d2a", "r2d")
PARENT = "d2a-sentence"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A processed-data folder with the first lines of real task files."""
    return task_lines(tmp_path_factory.mktemp("text-llm-data"), TASK_NAMES, LINES, tmp_path_factory.mktemp("ord-tasks"))


@pytest.fixture(scope="module")
def child_task(data: Path) -> str:
    return "d2a-gold" if (task_dir(data, "d2a-gold") / "src-train.txt").is_file() else "d2a"


@pytest.fixture(scope="module")
def tiny(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return build_tiny_llama_for(task_dir(data, PARENT), tmp_path_factory.mktemp("tiny-llama"),
                                prompt=task_prompt(task(PARENT)))


def _lengths(tiny: Path, data: Path, name: str) -> list[int]:
    tokenizer = finetune.load_tokenizer(str(tiny))
    folder = task_dir(data, name)
    return [len(finetune.encode_example(tokenizer, s, t, task_prompt(task(name))).input_ids)
            for s, t in zip(read_lines(folder / "src-train.txt"), read_lines(folder / "tgt-train.txt"))]


def _profile(path: Path, tiny: Path, steps: int = 3, max_length: int = 4096, **extra: Any) -> Path:
    profile = {
        "base_model": str(tiny), "method": "full", "threads": 1,
        "train": {"steps": steps, "batch_size": 4, "lr": 3.0e-3, "warmup_steps": 1, "save_every": 100,
                  "log_every": 1, "max_length": max_length},
        "generate": {"beam": 2, "max_new_tokens": 10, "batch_size": 4},
        **extra,
    }
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    return path


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


@pytest.fixture(scope="module")
def parent(data: Path, tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """(work dir, predictions dir, max_length) of a tiny d2a-sentence LLM trained and predicted
    through the CLI; max_length is set so that the longest quarter of its examples is dropped."""
    root = tmp_path_factory.mktemp("text-llm")
    lengths = sorted(_lengths(tiny, data, PARENT))
    max_length = lengths[(3 * len(lengths)) // 4 - 1]
    profile = _profile(root / "tiny.yaml", tiny, max_length=max_length)
    work, preds = root / "parent", root / "predictions"
    common = ["--task", PARENT, "--profile", str(profile), "--data-dir", str(data), "--work-dir", str(work)]
    result = _invoke("tasks", "train", "llm", *common)
    assert result.exit_code == 0, result.output
    result = _invoke("tasks", "predict", "llm", *common, "--split", "test", "-n", "2", "--predictions-dir", str(preds))
    assert result.exit_code == 0, result.output
    return work, preds, max_length


def test_prompts_per_kind_of_task() -> None:
    assert task_prompt(task("d2a")).prompt("Water was added. ") == (
        "Write the actions of this procedure.\nProcedure: Water was added.\nActions:")
    assert task_prompt(task("d2a-sentence")).prompt("x") == task_prompt(task("d2a-gold")).prompt("x")
    assert task_prompt(task("r2d")).prompt("C C O >> C C = O") == (
        "Write the experimental procedure of this reaction.\nReaction: CCO>>CC=O\nProcedure:")
    assert task_prompt(task("a2d")).prompt("ADD water ; STIR") == (
        "Write the experimental procedure of these actions.\nActions: ADD water ; STIR\nProcedure:")
    assert task_prompt(task("d2a")).answer(" ADD water ") == " ADD water"
    assert task_prompt(task("s2a")) is S2A_PROMPT and S2A_PROMPT.describe() == ""  # S2A run keys unchanged
    assert len({task_prompt(task(t)).describe() for t in ("d2a", "r2d", "a2d")}) == 3


def test_registry_and_profiles(tmp_path: Path, tiny: Path) -> None:
    paths = ModelPaths(tmp_path, tmp_path / "w")
    assert task_model_class("llm") is TextLLMModel
    with pytest.raises(UnknownTask):
        TextLLMModel(paths, task="s2a")
    # configs/llm-text-cpu.yaml: paragraphs keep 512 tokens, the sentence task its own settings
    d2a, sentence = TextLLMModel(paths, task="d2a"), TextLLMModel(paths, task="d2a-sentence")
    assert d2a.config.train.max_length == 512 and d2a.config.ranking is None and d2a.split_limit() is None
    assert sentence.config.train.max_length < d2a.config.train.max_length
    assert TextLLMModel(paths, profile="gpu", task="r2d").config.device in ("cuda", "auto")
    with pytest.raises(ConfigError, match="tasks"):  # per-task settings are for text-task profiles
        load_llm_config(str(HERE.parent / "configs" / "llm-text-cpu.yaml"))
    bad = _profile(tmp_path / "bad.yaml", tiny, tasks={"d2b": {"train": {"steps": 1}}})
    with pytest.raises(ConfigError, match="d2b"):
        TextLLMModel(paths, profile=str(bad), task="d2a")
    bad = _profile(tmp_path / "bad.yaml", tiny, tasks={"d2a": {"train": {"stepz": 1}}})
    with pytest.raises(ConfigError, match="stepz"):
        TextLLMModel(paths, profile=str(bad), task="d2a")
    TextLLMModel(paths, profile=str(bad), task="r2d")  # another task's entry is not read
    ranked = _profile(tmp_path / "ranked.yaml", tiny, ranking={"width": 5})
    with pytest.raises(ConfigError, match="ranking"):
        TextLLMModel(paths, profile=str(ranked), task="d2a")


def test_predictions_in_the_report_layout(parent: tuple[Path, Path, int], data: Path) -> None:
    work, preds, _ = parent
    out = task_predictions_dir(PARENT, run_name("llm", "tiny.yaml"), preds)
    src = read_lines(task_dir(data, PARENT) / "src-test.txt")
    assert len(read_top1(out / "test.txt")) == len(src) == LINES["test"]
    nbest = read_nbest(out / "test.nbest.jsonl")
    assert len(nbest) == len(src) and all(len(h) == 2 for h in nbest)
    assert all("\n" not in x.actions for h in nbest for x in h)
    meta = read_meta(out, "test")
    assert meta["task"] == PARENT and meta["prompt"] == "text->actions" and meta["reactions"] == len(src)
    assert "ranking" not in meta and "init_from" not in meta
    trained = json.loads((work / "final" / finetune.META_FILE).read_text())
    assert trained["prompt"] == "text->actions" and trained["steps"] == 3 and trained["init_from"] is None


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_too_long_examples_are_counted_and_said(parent: tuple[Path, Path, int], data: Path, tiny: Path,
                                                tmp_path: Path) -> None:
    work, _, max_length = parent
    lengths = _lengths(tiny, data, PARENT)
    too_long = sum(n > max_length for n in lengths)
    assert 0 < too_long < len(lengths)
    meta = json.loads((work / "final" / finetune.META_FILE).read_text())
    assert meta["dropped_too_long"] == too_long and meta["examples"] == len(lengths) - too_long
    # said as a warning when it happens (the CLI shows s2a's log on stderr)
    model = TextLLMModel(ModelPaths(task_dir(data, PARENT), tmp_path / "w"),
                         profile=str(_profile(tmp_path / "p.yaml", tiny, steps=1, max_length=max_length)), task=PARENT)
    logger, handler = logging.getLogger("s2a.llm.finetune"), _Records()
    logger.addHandler(handler)
    try:
        model.train()
    finally:
        logger.removeHandler(handler)
    said = [r for r in handler.records if "longer than" in r.getMessage()]
    assert said[0].levelno == logging.WARNING and f"({too_long} longer than {max_length} tokens dropped)" in said[0].getMessage()


def test_init_from_starts_from_the_parents_weights(parent: tuple[Path, Path, int], data: Path, tiny: Path,
                                                   child_task: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    parent_work = parent[0]
    loaded: list[dict[str, torch.Tensor]] = []
    load = finetune._load_trainable

    def recording(*args: Any, **kwargs: Any) -> Any:
        model = load(*args, **kwargs)
        loaded.append({k: v.detach().clone() for k, v in model.state_dict().items()})
        return model

    monkeypatch.setattr(finetune, "_load_trainable", recording)
    profile = _profile(tmp_path / "child.yaml", tiny, steps=2)
    work = tmp_path / "child"
    result = _invoke("tasks", "train", "llm", "--task", child_task, "--profile", str(profile), "--data-dir", str(data),
                     "--work-dir", str(work), "--init-from", str(parent_work))
    assert result.exit_code == 0, result.output

    base, parents = _weights(tiny), _weights(parent_work / "final")
    (start,) = loaded
    keys = [k for k in parents if k in start]
    assert keys and all(torch.equal(start[k], parents[k]) for k in keys)  # step 0 is the parent
    assert any(not torch.equal(parents[k], base[k]) for k in keys)  # which is not the base model
    child = _weights(work / "final")
    assert any(not torch.equal(child[k], parents[k]) for k in keys)  # and it trained on from there
    meta = json.loads((work / "final" / finetune.META_FILE).read_text())
    assert meta["init_from"]["path"] == str(parent_work / "final") and meta["steps"] == 2

    # up to date: a no-op; the parent trained again (its weights rewritten): the child retrains
    model = TextLLMModel(ModelPaths(task_dir(data, child_task), work), profile=str(profile), task=child_task)
    model.init_from(parent_work)
    stamp = (work / "final" / finetune.META_FILE).stat().st_mtime_ns
    model.train()
    assert (work / "final" / finetune.META_FILE).stat().st_mtime_ns == stamp and len(loaded) == 1
    weights = parent_work / "final" / "model.safetensors"
    before = weights.stat()
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    try:
        model.train()
    finally:
        os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (work / "final" / finetune.META_FILE).stat().st_mtime_ns != stamp and len(loaded) == 2
    predicted = model.predict(read_lines(task_dir(data, child_task) / "src-test.txt")[:2])
    assert len(predicted) == 2 and model.describe()["init_from"] == str(parent_work / "final")


def test_init_from_refusals(parent: tuple[Path, Path, int], data: Path, tiny: Path, tmp_path: Path) -> None:
    profile = _profile(tmp_path / "p.yaml", tiny, steps=1)
    model = TextLLMModel(ModelPaths(task_dir(data, PARENT), tmp_path / "w"), profile=str(profile), task=PARENT)
    model.init_from(tmp_path / "nothing-here")
    with pytest.raises(MissingArtifact, match="no fine-tuned LLM to start from"):
        model.train()
    model.init_from(tmp_path / "w")
    with pytest.raises(UnsupportedOption, match="own folder"):
        model.train()
    lora = tmp_path / "lora"
    (lora / "final").mkdir(parents=True)
    (lora / "final" / finetune.META_FILE).write_text(json.dumps({"key": "k", "config": {"method": "lora"}}))
    model.init_from(lora)
    with pytest.raises(UnsupportedOption, match="LoRA"):
        model.train()


def test_a_family_without_init_from_refuses_it(tmp_path: Path) -> None:
    """The default of every family: a typed error (one line, exit code 2 in the CLI) before any work."""
    from s2a.models.base import ActionModel

    class Plain(ActionModel):
        name = "plain"

        def train(self) -> None:
            raise AssertionError("not reached")

        def _predict(self, src: Any, n_best: int) -> Any:
            return [[] for _ in src]

    with pytest.raises(UnsupportedOption, match="model 'plain' does not support --init-from") as refused:
        Plain(ModelPaths(tmp_path, tmp_path / "w")).init_from(tmp_path / "parent")
    assert refused.value.exit_code == 2 and refused.value.option == "--init-from"

"""The `llm` family on a tiny randomly initialised Llama built by the test (no download)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch
import yaml

from s2a.errors import ConfigError, MissingArtifact
from s2a.llm import finetune
from s2a.llm.config import load_llm_config
from s2a.llm.prompts import finetune_prompt
from s2a.llm.tiny import build_tiny_llama_for
from s2a.models import ModelPaths, model_class
from s2a.models.retrieval_input import split_line
from sample import sample_prefix

FIXTURE = sample_prefix(40)
SRC = (FIXTURE / "src-train.txt").read_text(encoding="utf-8").splitlines()
TGT = (FIXTURE / "tgt-train.txt").read_text(encoding="utf-8").splitlines()
TEST_SRC = (FIXTURE / "src-test.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return build_tiny_llama_for(FIXTURE, tmp_path_factory.mktemp("tiny-llama"))


def write_profile(path: Path, base: Path, method: str, steps: int, **train: object) -> Path:
    profile = {
        "base_model": str(base), "method": method, "threads": 1,
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0},
        "train": {"steps": steps, "batch_size": 4, "lr": 3.0e-3, "warmup_steps": 1, "save_every": 100,
                  "log_every": 1, **train},
        "generate": {"beam": 3, "max_new_tokens": 12, "batch_size": 2},
    }
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    return path


def test_loss_mask_covers_the_answer_only(tiny: Path) -> None:
    tokenizer = finetune.load_tokenizer(str(tiny))
    example = finetune.encode_example(tokenizer, SRC[0], TGT[0])
    prompt = finetune.encode_prompt(tokenizer, SRC[0])
    n = len(prompt)
    assert example.input_ids[:n] == prompt
    assert example.labels[:n] == [finetune.IGNORE_INDEX] * n
    assert example.labels[n:] == example.input_ids[n:]
    assert example.labels[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(example.input_ids[n:-1]).strip() == TGT[0]
    assert tokenizer.decode(prompt) == finetune_prompt(SRC[0])

    # The model's loss on a padded batch is the cross-entropy over answer positions only.
    batch = finetune.collate([finetune.encode_example(tokenizer, s, t) for s, t in zip(SRC[:3], TGT[:3])],
                             tokenizer.pad_token_id)
    assert (batch["labels"][batch["attention_mask"] == 0] == finetune.IGNORE_INDEX).all()
    model = finetune._load_trainable(load_llm_config(str(write_profile(tiny.parent / "p.yaml", tiny, "full", 1))),
                                     str(tiny), None)
    with torch.no_grad():
        out = model(**batch)
    logits, labels = out.logits[:, :-1], batch["labels"][:, 1:]
    keep = labels != finetune.IGNORE_INDEX
    manual = torch.nn.functional.cross_entropy(logits[keep], labels[keep])
    assert out.loss.item() == pytest.approx(manual.item(), rel=1e-5)
    n_answer = sum(len(finetune.encode_example(tokenizer, s, t).input_ids) - len(finetune.encode_prompt(tokenizer, s))
                   for s, t in zip(SRC[:3], TGT[:3]))
    assert int(keep.sum()) == n_answer


def test_full_finetune_resumes_identically_and_decodes_nbest(tiny: Path, tmp_path: Path) -> None:
    config = load_llm_config(str(write_profile(tmp_path / "full.yaml", tiny, "full", 4)))
    straight = finetune.train(config, FIXTURE, tmp_path / "a")
    losses = json.loads((straight / finetune.META_FILE).read_text())["losses"]
    assert len(losses) == 4 and losses[-1] < losses[0]

    stopped = finetune.train(config, FIXTURE, tmp_path / "b", stop_after=2)
    assert stopped.name == "checkpoint" and not (tmp_path / "b" / "final").exists()
    resumed = finetune.train(config, FIXTURE, tmp_path / "b")
    meta = json.loads((resumed / finetune.META_FILE).read_text())
    assert meta["steps"] == 4
    assert meta["losses"] == pytest.approx(losses, rel=1e-4)
    assert not (tmp_path / "b" / "checkpoint").exists()
    stamp = (resumed / finetune.META_FILE).stat().st_mtime_ns
    finetune.train(config, FIXTURE, tmp_path / "b")  # up to date: a no-op
    assert (resumed / finetune.META_FILE).stat().st_mtime_ns == stamp

    generator = finetune.Generator(config, tmp_path / "a")
    hyps = generator.predict(TEST_SRC[:3], n_best=3)
    assert len(hyps) == 3
    for h in hyps:
        assert len(h) == 3
        assert all("\n" not in x.actions for x in h)
        scores = [x.score for x in h]
        assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores)
    greedy = dataclasses.replace(config, generate=dataclasses.replace(config.generate, beam=1))
    one = finetune.Generator(greedy, tmp_path / "a").predict(TEST_SRC[:2], n_best=1)
    assert [len(h) for h in one] == [1, 1] and all(h[0].score <= 0 for h in one)

    # batched by prompt length, answered in input order; max_n_best caps what is asked for
    capped = dataclasses.replace(config, generate=dataclasses.replace(config.generate, beam=1, max_n_best=1,
                                                                      batch_size=3))
    generator = finetune.Generator(capped, tmp_path / "a")
    batched = generator.predict(TEST_SRC[:5], n_best=10)
    assert [len(h) for h in batched] == [1] * 5
    assert [h[0].actions for h in batched] == [generator.predict([s])[0][0].actions for s in TEST_SRC[:5]]


def test_lora_through_the_registry(tiny: Path, tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "lora.yaml", tiny, "lora", 3, max_examples=12)
    model = model_class("llm")(ModelPaths(FIXTURE, tmp_path / "work"), profile=str(profile))
    with pytest.raises(MissingArtifact):
        model.predict(TEST_SRC[:1])
    model.train()
    final = tmp_path / "work" / "final"
    assert (final / "adapter_config.json").is_file() and not (final / "model.safetensors").exists()
    from safetensors import safe_open

    with safe_open(str(final / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert keys and all("lora_" in k for k in keys)
    meta = json.loads((final / finetune.META_FILE).read_text())
    assert meta["examples"] == 12
    hyps = model.predict(TEST_SRC[:2], n_best=2)
    assert len(hyps) == 2 and all(len(h) == 2 for h in hyps)


def test_retrieval_prompt_trains_on_neighbour_augmented_data(tiny: Path, tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "retrieval.yaml", tiny, "full", 2, max_examples=8, max_length=512)
    profile.write_text(profile.read_text(encoding="utf-8") + "retrieval: {}\n", encoding="utf-8")
    model = model_class("llm")(ModelPaths(FIXTURE, tmp_path / "llm"), profile=str(profile))
    model.train()
    augmented = (tmp_path / "llm" / "data" / "src-train.txt").read_text(encoding="utf-8").splitlines()
    assert [split_line(line)[0] for line in augmented] == SRC
    assert all(split_line(line)[1] for line in augmented)  # every training reaction has a neighbour
    assert (tmp_path / "nn").is_dir()  # the neighbour index, beside the model
    prompt = model._neighbour_input()(TEST_SRC[:1])[0]
    assert "\nSimilar reaction: " in finetune_prompt(prompt)
    hyps = model.predict(TEST_SRC[:2], n_best=1)
    assert len(hyps) == 2 and all(len(h) == 1 for h in hyps)
    assert model.describe()["retrieval"]


def test_bad_profile_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: qlora\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="method"):
        load_llm_config(str(bad))
    bad.write_text("train: {steps: many}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="steps"):
        load_llm_config(str(bad))
    with pytest.raises(ConfigError, match="no llm profile"):
        load_llm_config("nonexistent-profile")


def test_progress_lines_and_learning_curve(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from s2a.formats.learning_curve import read_curve

    config = load_llm_config(str(write_profile(tmp_path / "full.yaml", tiny, "full", 3, save_every=2)))
    finetune.train(config, FIXTURE, tmp_path / "w")
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("[llm] running for")]
    assert len(lines) == 3 and "step 3/3" in lines[-1] and "tok/s" in lines[-1] and "ETA" in lines[-1]
    points = read_curve(tmp_path / "w" / "learning_curve.csv")
    assert [p.step for p in points] == [2, 3]  # at the checkpoint and at the end
    for p in points:
        assert p.valid_loss is not None and p.valid_loss > 0
        assert p.valid_token_accuracy is not None and 0 <= p.valid_token_accuracy <= 100
        assert p.valid_at_least_50 is None  # generation is left to predict-split

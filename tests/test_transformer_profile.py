"""Transformer profiles (configs/transformer-*.yaml): the paper's values, the CPU schedule, errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from s2a.errors import ConfigError
from s2a.models.transformer_profile import load_settings, profile_file


def test_paper_profile_has_the_published_hyper_parameters() -> None:
    s = load_settings("paper")
    o = s.onmt
    assert (o["layers"], o["hidden_size"], o["word_vec_size"], o["heads"], o["transformer_ff"]) == (4, 256, 256, 8, 2048)
    assert (o["dropout"], o["position_encoding"], o["optim"], o["adam_beta1"], o["adam_beta2"]) == (0.1, True, "adam", 0.9, 0.998)
    assert (o["decay_method"], o["warmup_steps"], o["learning_rate"], o["label_smoothing"]) == ("noam", 8000, 2.0, 0.0)
    assert (o["batch_size"], o["batch_type"], o["accum_count"]) == (1024, "tokens", 4)
    assert (o["src_vocab_size"], o["tgt_vocab_size"], o["share_vocab"]) == (2000, 2000, False)
    assert (o["src_seq_length"], o["tgt_seq_length"], o["train_steps"]) == (300, 300, 500_000)
    assert (s.beam_size, s.max_length, s.decoder, s.compute_type) == (10, 400, "ctranslate2", "default")


def test_cpu_profile_extends_the_paper_with_a_short_schedule() -> None:
    cpu, paper = load_settings("cpu"), load_settings("paper")
    assert cpu.onmt["self_attn_type"] == "scaled-dot"
    assert cpu.onmt["num_workers"] == 0 and cpu.onmt["bucket_size"] < 262144
    assert cpu.onmt["train_steps"] < paper.onmt["train_steps"]
    assert cpu.onmt["hidden_size"] == paper.onmt["hidden_size"] and cpu.onmt["src_vocab_size"] == 2000
    assert cpu.device == "cpu" and cpu.beam_size == 10


def test_overrides_apply_on_top_and_merge_the_onmt_section() -> None:
    s = load_settings("tiny", {"decoder": "onmt", "onmt": {"train_steps": 7}})
    assert s.decoder == "onmt" and s.onmt["train_steps"] == 7
    assert s.onmt["layers"] == load_settings("tiny").onmt["layers"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"onmt": {"layerz": 3}}, "unknown OpenNMT option 'layerz'"),
        ({"onmt": {"save_model": "/tmp/x"}}, "set by s2a"),
        ({"onmt": {"n_sample": 10}}, "set by s2a"),
        ({"decoderr": "onmt"}, "unknown setting"),
        ({"decoder": "fairseq"}, "decoder 'fairseq'"),
        ({"device": "tpu"}, "device 'tpu'"),
    ],
)
def test_bad_settings_are_config_errors(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings("tiny", overrides)


def test_unknown_profile_and_extends_loop(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no transformer profile 'huge'"):
        load_settings("huge")
    loop = tmp_path / "a.yaml"
    loop.write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="loops"):
        load_settings(str(loop))


def test_profile_given_as_a_path(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(f"extends: {profile_file('tiny')}\nonmt:\n  train_steps: 3\n")
    assert load_settings(str(own)).onmt["train_steps"] == 3

"""The OpenNMT-py option table: each option reaches exactly the commands that take it."""
from __future__ import annotations

import pytest

from s2a.errors import ConfigError
from s2a.models.onmt_options import BUILD_VOCAB, OPTIONS, TRAIN, TRANSLATE, check_settings, command_config
from s2a.models.transformer_profile import load_settings


def test_options_are_routed_to_their_commands() -> None:
    settings = {"layers": 4, "beam_size": 10, "src_seq_length": 300}
    filled = {"n_sample": -1, "seed": 1, "translate_batch_size": 16, "train_from": None}
    assert command_config(BUILD_VOCAB, settings, filled) == {"src_seq_length": 300, "n_sample": -1, "seed": 1}
    assert command_config(TRAIN, settings, filled) == {"layers": 4, "src_seq_length": 300, "seed": 1}
    # our key translate_batch_size is OpenNMT-py's batch_size of translate only
    assert command_config(TRANSLATE, settings, filled) == {"beam_size": 10, "seed": 1, "batch_size": 16}


def test_unknown_command_or_option_is_refused() -> None:
    with pytest.raises(ValueError):
        command_config("preprocess", {}, {})
    with pytest.raises(KeyError):
        command_config(TRAIN, {"nonsense": 1}, {})
    with pytest.raises(ConfigError):
        check_settings({"nonsense": 1}, "here")


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_onmt_knows_every_option_of_the_table() -> None:
    import importlib

    for command in (BUILD_VOCAB, TRAIN, TRANSLATE):
        parser = importlib.import_module(f"onmt.bin.{command}")._get_parser()
        known = {s.lstrip("-") for a in parser._actions for s in a.option_strings}
        for row in OPTIONS.values():
            if command in row.commands:
                assert row.name in known, f"onmt_{command} has no option {row.name}"


def test_every_profile_option_reaches_some_command() -> None:
    for profile in ("paper", "cpu", "tiny"):
        settings = load_settings(profile).onmt
        routed = set()
        for command in (BUILD_VOCAB, TRAIN, TRANSLATE):
            routed |= set(command_config(command, settings, {}))
        assert {OPTIONS[k].name for k in settings} == routed

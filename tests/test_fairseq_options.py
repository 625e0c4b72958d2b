from __future__ import annotations

import pytest

from s2a.errors import ConfigError
from s2a.models.fairseq_options import merge, to_argv


def test_to_argv_flags_values_and_tuples() -> None:
    argv = to_argv({"max-update": 30, "cpu": True, "fp16": False, "restore-file": None, "adam-betas": [0.9, 0.98], "lr": 0.001})
    assert argv == ["--max-update", "30", "--cpu", "--adam-betas", "(0.9, 0.98)", "--lr", "0.001"]


def test_to_argv_rejects_dashes_and_objects() -> None:
    with pytest.raises(ConfigError):
        to_argv({"--lr": 1})
    with pytest.raises(ConfigError):
        to_argv({"lr": {"a": 1}})


def test_merge_later_layers_win_and_underscores_normalise() -> None:
    assert merge({"max_update": 1, "lr": 2}, {"max-update": 5}) == {"max-update": 5, "lr": 2}

"""s2a.config: one mechanism (profile name or path, `extends:`, typed keys) for every family."""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

from s2a import config
from s2a.errors import ConfigError
from s2a.evaluation.report import EvaluationSettings
from s2a.llm.config import load_llm_config
from s2a.models import ModelPaths
from s2a.models.bart import load_config as load_bart
from s2a.models.nearest_neighbour import load_settings as load_nn
from s2a.models.random_baseline import RandomModel
from s2a.models.transformer_profile import load_settings as load_transformer
from s2a.paths import config_path
from s2a.procedure import RangeValues


@dataclass(frozen=True)
class Inner:
    width: int = 1
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outer:
    name: str
    rate: float = 0.5
    inner: Optional[Inner] = None
    free: dict[str, object] = field(default_factory=dict)


def test_extends_merges_mappings_all_the_way_down(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("a: 1\nsection: {x: 1, deep: {p: 1, q: 2}}\nlist: [1, 2]\n")
    (tmp_path / "top.yaml").write_text("extends: base.yaml\nsection: {deep: {q: 3}}\nlist: [9]\n")
    assert config.read(tmp_path / "top.yaml") == {"a": 1, "section": {"x": 1, "deep": {"p": 1, "q": 3}}, "list": [9]}


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text("extends: loop.yaml\n")
    with pytest.raises(ConfigError, match="loops"):
        config.read(tmp_path / "loop.yaml")
    (tmp_path / "bad.yaml").write_text("a: [1\n")
    with pytest.raises(ConfigError, match="bad.yaml: bad YAML"):
        config.read(tmp_path / "bad.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        config.read(tmp_path / "list.yaml")
    with pytest.raises(ConfigError, match="no transformer profile 'huge'"):
        config.load("transformer", "huge")


def test_typed_reads_nested_optional_and_free_sections() -> None:
    got = config.typed(Outer, {"rate": 1, "inner": {"width": 3, "names": ["a"]}, "free": {"k": [1]}}, "f.yaml", name="x")
    assert got == Outer("x", 1.0, Inner(3, ["a"]), {"k": [1]}) and isinstance(got.rate, float)
    assert config.typed(Outer, {"inner": None}, "f.yaml", name="x").inner is None


@pytest.mark.parametrize("data, key, reason", [
    ({"rat": 1}, "rat", "unknown setting"),
    ({"rate": "fast"}, "rate", "expected float"),
    ({"rate": True}, "rate", "expected float"),
    ({"inner": {"width": 2.5}}, "inner.width", "expected int"),
    ({"inner": {"names": ["a", 3]}}, r"inner.names\[1\]", "expected str"),
    ({"inner": {"depth": 1}}, "inner.depth", "unknown setting"),
    ({}, "name", "required setting missing"),
])
def test_typed_errors_name_file_and_key(data: dict, key: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=rf"f.yaml \[{key}\]: {reason}"):
        config.typed(Outer, data, "f.yaml")


def _own(tmp_path: Path, family: str, text: str) -> str:
    path = tmp_path / f"mine-{family}.yaml"
    path.write_text(f"extends: {config_path(f'{family}-cpu.yaml')}\n{text}")
    return str(path)


def test_every_family_takes_a_path_profile_and_names_a_bad_key(tmp_path: Path) -> None:
    assert load_transformer(_own(tmp_path, "transformer", "onmt: {train_steps: 3}\n")).onmt["train_steps"] == 3
    assert load_bart(_own(tmp_path, "bart", "generate: {beam: 4}\n")).beam == 4
    assert load_nn(_own(tmp_path, "nn", "batch_size: 8\n")).batch_size == 8
    assert load_llm_config(_own(tmp_path, "llm", "train: {steps: 7}\n")).train.steps == 7
    for family, loader, text, key in [
        ("transformer", load_transformer, "ranking: {widht: 3}\n", "ranking.widht"),
        ("bart", load_bart, "generate: {beem: 4}\n", "generate.beem"),
        ("nn", load_nn, "batchsize: 8\n", "batchsize"),
        ("llm", load_llm_config, "train: {stepz: 7}\n", "train.stepz"),
    ]:
        with pytest.raises(ConfigError, match=rf"mine-{family}.yaml \[{key}\]"):
            loader(_own(tmp_path, family, text))


def test_nn_honours_the_profile_and_random_rejects_a_settings_file(tmp_path: Path) -> None:
    assert load_nn("paper") == load_nn("cpu")
    with pytest.raises(ConfigError, match="no nn profile 'gpu'"):
        load_nn("gpu")
    with pytest.raises(ConfigError, match="no settings"):
        RandomModel(ModelPaths(tmp_path, tmp_path), profile=str(tmp_path / "x.yaml"))


def test_evaluation_and_range_settings_are_checked(tmp_path: Path) -> None:
    assert EvaluationSettings.from_yaml().best_model_metric == "at_least_75"
    bad = tmp_path / "evaluation.yaml"
    bad.write_text("models: [nn]\ntransfer: {sample_dir: x}\nbest_model_metric: speed\n")
    with pytest.raises(ConfigError, match=r"\[best_model_metric\]"):
        EvaluationSettings.from_yaml(bad)
    ranges = tmp_path / "procedure.yaml"
    ranges.write_text("temperatures: {1: cold}\ndurations: {one: 1 h}\n")
    with pytest.raises(ConfigError, match=r"\[durations\]"):
        RangeValues.from_yaml(ranges)

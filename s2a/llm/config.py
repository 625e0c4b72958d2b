"""Configuration of the LLM families: configs/llm-<profile>.yaml and configs/llm-endpoint.yaml.

A profile is a name (`cpu`, `gpu` -> configs/llm-cpu.yaml) or the path of a YAML file. Every
section is a flat mapping checked against the dataclass below: an unknown key or a value of the
wrong type is a one-line ConfigError naming the file and key.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TypeVar, cast, get_type_hints

import yaml

from s2a.errors import ConfigError
from s2a.paths import config_path

T = TypeVar("T")


@dataclass(frozen=True)
class LoraSettings:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])


@dataclass(frozen=True)
class TrainSettings:
    max_examples: Optional[int] = None  # a random subset of the training split; None = all of it
    steps: int = 100
    batch_size: int = 4
    grad_accum: int = 1
    lr: float = 2e-4
    warmup_steps: int = 10
    weight_decay: float = 0.0
    max_length: int = 512  # prompt + answer tokens; longer examples are dropped (counted)
    save_every: int = 50  # steps between resumable checkpoints
    log_every: int = 10


@dataclass(frozen=True)
class GenerateSettings:
    beam: int = 5
    max_new_tokens: int = 200
    batch_size: int = 4
    length_penalty: float = 1.0
    max_n_best: Optional[int] = None  # caps the n-best asked for (beams = max(beam, n)); None = no cap
    split_limit: Optional[int] = None  # `s2a predict-split` default: a seeded sample of this many reactions


@dataclass(frozen=True)
class LLMConfig:
    """The `llm` family: fine-tuning a causal LM (full or LoRA) and decoding it with beam search."""

    profile: str
    base_model: str = "smollm2-135m-instruct"
    method: str = "lora"  # "lora" or "full"
    dtype: str = "float32"  # "float32" or "bfloat16"
    device: str = "cpu"  # "cpu", "cuda", or "auto" (cuda when available)
    threads: int = 2
    lora: LoraSettings = field(default_factory=LoraSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    generate: GenerateSettings = field(default_factory=GenerateSettings)


@dataclass(frozen=True)
class EndpointConfig:
    """The `llm-endpoint` family: an OpenAI-compatible server, zero- or few-shot."""

    profile: str
    base_url: str = "http://127.0.0.1:8000/v1"  # env S2A_LLM_BASE_URL overrides
    model: str = ""  # env S2A_LLM_MODEL overrides
    api_key_env: str = "OPENAI_API_KEY"  # name of the variable holding the key ('none' if unset)
    shots: int = 5  # 0 = zero-shot
    retrieval: str = "auto"  # "nn" (rxnfp index of the nn model), "overlap", or "auto" (nn, else overlap)
    nn_work_dir: str = "models/nn"  # where `s2a train nn` keeps its index
    temperature: float = 0.0
    sample_temperature: float = 0.7  # for hypotheses 2..n of an n-best request
    max_samples: int = 1  # requests per reaction at most (n-best by sampling costs one request each)
    max_tokens: int = 300
    timeout: float = 120.0  # seconds per request
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_workers: int = 1  # concurrent requests


def _section(cls: type[T], data: Any, where: str) -> T:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(where, f"expected a mapping, got {type(data).__name__}")
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise ConfigError(where, f"unknown keys {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            values[key] = _section(hint, value, f"{where}: {key}")  # type: ignore[arg-type]
            continue
        expected = {int: (int,), float: (int, float), str: (str,), list[str]: (list,),
                    Optional[int]: (int, type(None))}.get(hint, (object,))
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ConfigError(f"{where}: {key}", f"bad value {value!r}")
        values[key] = float(cast(float, value)) if hint is float else value
    return cls(**values)


def _read_yaml(profile: str, family: str) -> tuple[str, dict[str, Any]]:
    path = Path(profile)
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        path = config_path(f"{family}-{profile}.yaml" if profile else f"{family}.yaml")
    if not path.is_file():
        raise ConfigError(str(path), f"no {family} profile {profile!r} (expected configs/{family}-<profile>.yaml)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(str(path), f"invalid YAML ({e})") from None
    return str(path), data


def load_llm_config(profile: str) -> LLMConfig:
    where, data = _read_yaml(profile, "llm")
    config = _section(LLMConfig, {"profile": profile, **data}, where)
    if config.method not in ("lora", "full"):
        raise ConfigError(f"{where}: method", f"{config.method!r} is not 'lora' or 'full'")
    if config.dtype not in ("float32", "bfloat16"):
        raise ConfigError(f"{where}: dtype", f"{config.dtype!r} is not 'float32' or 'bfloat16'")
    return config


def load_endpoint_config(profile: str) -> EndpointConfig:
    """configs/llm-endpoint.yaml (profile 'cpu'/'default'), llm-endpoint-<profile>.yaml, or a path."""
    name = "" if profile in ("", "cpu", "default") else profile
    where, data = _read_yaml(name, "llm-endpoint")
    config = _section(EndpointConfig, {"profile": profile, **data}, where)
    config = dataclasses.replace(config, base_url=os.environ.get("S2A_LLM_BASE_URL") or config.base_url,
                                 model=os.environ.get("S2A_LLM_MODEL") or config.model)
    if config.retrieval not in ("auto", "nn", "overlap"):
        raise ConfigError(f"{where}: retrieval", f"{config.retrieval!r} is not auto, nn or overlap")
    if not config.model:
        raise ConfigError(f"{where}: model", "no model name (set `model:` or S2A_LLM_MODEL)")
    return config

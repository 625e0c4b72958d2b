"""Configuration of the LLM families: configs/llm-<profile>.yaml and configs/llm-endpoint.yaml.

A profile is a name (`cpu`, `gpu` -> configs/llm-cpu.yaml) or the path of a YAML file, read by
s2a.config into the dataclasses below (`extends:`, unknown keys and wrong types are ConfigErrors
naming the file and key). A profile of ChemActor's text tasks (configs/llm-text-*.yaml) may hold
a `tasks:` mapping, task name -> settings over the file's for that task (a sentence task wants
shorter examples and more steps than a paragraph task); it is read for that task only, so
changing one task's settings leaves the others' run keys as they were.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Optional

from s2a import config
from s2a.errors import ConfigError
from s2a.models.ranking import Ranking
from s2a.models.retrieval_input import RetrievalSettings
from s2a.paths import config_path


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
    # Validity-aware re-ranking of `ranking.width` hypotheses (s2a.models.ranking); hypotheses are
    # then scored by total log-probability (length_penalty 0), the ranking normalises by length.
    ranking: Optional[Ranking] = None
    # Retrieval-augmented prompt (s2a.models.retrieval_input): the nearest training neighbour's
    # action sequence in every prompt ('Similar reaction: ...'); None = the reaction alone.
    retrieval: Optional[RetrievalSettings] = None


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


def load_llm_config(profile: str, task: Optional[str] = None) -> LLMConfig:
    """The settings of a profile, with its `tasks:` entry for `task` merged over them
    (s2a.config.for_task: a profile with a `tasks:` mapping is for text tasks)."""
    from s2a.formats.tasks import TASKS

    where, data = config.load("llm", profile)
    where, data = config.for_task(where, data, task, list(TASKS))
    settings = config.typed(LLMConfig, data, where, profile=profile)
    config.check_choice(settings.method, ("lora", "full"), where, "method")
    config.check_choice(settings.dtype, ("float32", "bfloat16"), where, "dtype")
    config.check_choice(settings.device, ("cpu", "cuda", "auto"), where, "device")
    return settings


def load_endpoint_config(profile: str) -> EndpointConfig:
    """configs/llm-endpoint.yaml (profile 'cpu'/'default'), llm-endpoint-<profile>.yaml, or a path."""
    if profile in ("", "cpu", "default"):
        path = config_path("llm-endpoint.yaml")
        where, data = str(path), config.read(path)
    else:
        where, data = config.load("llm-endpoint", profile)
    settings = config.typed(EndpointConfig, data, where, profile=profile)
    settings = dataclasses.replace(settings, base_url=os.environ.get("S2A_LLM_BASE_URL") or settings.base_url,
                                   model=os.environ.get("S2A_LLM_MODEL") or settings.model)
    config.check_choice(settings.retrieval, ("auto", "nn", "overlap"), where, "retrieval")
    if not settings.model:
        raise ConfigError(where, "no model name (set `model:` or S2A_LLM_MODEL)", key="model")
    return settings

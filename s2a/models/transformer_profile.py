"""Profiles of the transformer family: configs/transformer-<profile>.yaml, read into settings.

Read by s2a.config (profile name or path, `extends:`, typed keys). Top-level keys are s2a's own
settings (the fields of TransformerSettings); `onmt:` holds OpenNMT-py options checked against
s2a.models.onmt_options. No torch here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from s2a import config
from s2a.errors import ConfigError
from s2a.models.augmentation import AugmentationSettings
from s2a.models.onmt_options import check_settings
from s2a.models.ranking import Ranking
from s2a.models.retrieval_input import RetrievalSettings

DECODERS = ("ctranslate2", "onmt")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class SubwordSettings:
    """BPE of text for the ChemActor tasks (s2a.models.text_transformer): learnt with pyonmttok on
    the training split, applied by OpenNMT-py's `onmt_tokenize` transform; the other keys are
    pyonmttok.Tokenizer options. The default is lossless: detokenising gives the line back."""

    merges: int = 4000
    mode: str = "aggressive"
    joiner_annotate: bool = True
    segment_numbers: bool = True

    def tokenizer_options(self) -> dict[str, Any]:
        return {"mode": self.mode, "joiner_annotate": self.joiner_annotate, "segment_numbers": self.segment_numbers}


@dataclass(frozen=True)
class TransformerSettings:
    profile: str
    onmt: dict[str, Any] = field(default_factory=dict)
    decoder: str = "ctranslate2"
    compute_type: str = "default"
    threads: int = 0
    decode_batch_size: int = 32
    decode_batch_tokens: int = 0  # CTranslate2 only: batches of this many source tokens; 0 = decode_batch_size reactions
    device: str = "auto"
    gpus: int = 1
    ranking: Optional[Ranking] = None  # re-ranking of a wider n-best (s2a.models.ranking); None: decoder order
    retrieval: Optional[RetrievalSettings] = None
    augmentation: Optional[AugmentationSettings] = None  # SMILES augmentation of the training split (s2a.models.augmentation)
    subword: Optional[SubwordSettings] = None  # text tasks only (s2a.models.text_transformer)
    curve_sample: int = 200  # validation reactions decoded per checkpoint for the learning curve (s2a.formats.learning_curve)

    @property
    def beam_size(self) -> int:
        return int(self.onmt.get("beam_size", 10))

    @property
    def max_length(self) -> int:
        return int(self.onmt.get("max_length", 400))

    @property
    def train_steps(self) -> int:
        return int(self.onmt["train_steps"])


def profile_file(profile: str) -> Path:
    """'cpu' -> configs/transformer-cpu.yaml; a path to a .yaml file is used as is."""
    return config.profile_file("transformer", profile)


def load_settings(profile: str, overrides: Optional[Mapping[str, Any]] = None, task: Optional[str] = None) -> TransformerSettings:
    """Settings of a profile, with its `tasks:` entry for a text `task` (s2a.config.for_task) and
    then `overrides` (same shape as the YAML) applied on top."""
    from s2a.formats.tasks import TASKS

    where, data = config.load("transformer", profile)
    where, data = config.for_task(where, data, task, list(TASKS))
    data = config.merge(data, overrides or {})
    where += " + overrides" if overrides else ""
    settings = config.typed(TransformerSettings, data, where, profile=profile)
    check_settings(settings.onmt, where)
    if "train_steps" not in settings.onmt:
        raise ConfigError(where, "required setting missing", key="onmt.train_steps")
    if settings.retrieval and settings.augmentation:
        raise ConfigError(where, "retrieval and augmentation cannot be combined (yet)", key="augmentation")
    config.check_choice(settings.decoder, DECODERS, where, "decoder")
    config.check_choice(settings.device, DEVICES, where, "device")
    if settings.threads < 0 or settings.gpus < 1 or settings.decode_batch_size < 1 or settings.decode_batch_tokens < 0:
        raise ConfigError(where, "threads and decode_batch_tokens must be >= 0, gpus and decode_batch_size >= 1")
    return settings

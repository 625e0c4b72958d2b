"""Profiles of the transformer family: configs/transformer-<profile>.yaml, read into settings.

A profile may `extends:` another file (its values are merged under this one's; the `onmt:` section
key by key). Top-level keys are s2a's own settings (the fields of TransformerSettings); `onmt:`
holds OpenNMT-py options checked against s2a.models.onmt_options. No torch here.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from s2a.errors import ConfigError
from s2a.models.onmt_options import check_settings
from s2a.models.ranking import Ranking
from s2a.paths import config_path

DECODERS = ("ctranslate2", "onmt")
DEVICES = ("auto", "cpu", "cuda")


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
    curve_sample: int = 200  # validation reactions decoded per checkpoint for the learning curve (s2a.learning_curve)

    @property
    def beam_size(self) -> int:
        return int(self.onmt.get("beam_size", 10))

    @property
    def max_length(self) -> int:
        return int(self.onmt.get("max_length", 400))

    @property
    def train_steps(self) -> int:
        return int(self.onmt["train_steps"])


_TOP_LEVEL = {f.name for f in dataclasses.fields(TransformerSettings)} - {"profile"}


def profile_file(profile: str) -> Path:
    """'cpu' -> configs/transformer-cpu.yaml; a path to a .yaml file is used as is."""
    if profile.endswith((".yaml", ".yml")):
        return Path(profile)
    return config_path(f"transformer-{profile}.yaml")


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path in seen:
        raise ConfigError(str(path), "`extends` loops back to itself")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise ConfigError(str(path), f"cannot read ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        raise ConfigError(str(path), f"bad YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "expected a mapping")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    base = _read(path.parent / str(parent), (*seen, path))
    return merge(base, data)


def merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` over `base`; the `onmt` section is merged key by key."""
    out = dict(base)
    for key, value in top.items():
        if key == "onmt" and isinstance(value, Mapping):
            out["onmt"] = {**dict(out.get("onmt") or {}), **value}
        else:
            out[key] = value
    return out


def load_settings(profile: str, overrides: Optional[Mapping[str, Any]] = None) -> TransformerSettings:
    """Settings of a profile, with `overrides` (same shape as the YAML) applied on top."""
    path = profile_file(profile)
    if not path.is_file():
        raise ConfigError(str(path), f"no transformer profile {profile!r}")
    data = merge(_read(path), overrides or {})
    where = str(path) + (" + overrides" if overrides else "")
    unknown = set(data) - _TOP_LEVEL
    if unknown:
        raise ConfigError(where, f"unknown setting(s) {sorted(unknown)}; known: {sorted(_TOP_LEVEL)}")
    onmt = dict(data.get("onmt") or {})
    check_settings(onmt, where)
    if "train_steps" not in onmt:
        raise ConfigError(where, "onmt.train_steps is required")
    ranking = data.get("ranking")
    if ranking is not None and not isinstance(ranking, Mapping):
        raise ConfigError(where, "expected a mapping (width, valid_first, length_exponent) or null", key="ranking")
    data["ranking"] = Ranking.from_mapping(ranking, where) if ranking is not None else None
    settings = TransformerSettings(profile=profile, **{**data, "onmt": onmt})
    if settings.decoder not in DECODERS:
        raise ConfigError(where, f"decoder {settings.decoder!r} is not one of {DECODERS}")
    if settings.device not in DEVICES:
        raise ConfigError(where, f"device {settings.device!r} is not one of {DEVICES}")
    if settings.threads < 0 or settings.gpus < 1 or settings.decode_batch_size < 1 or settings.decode_batch_tokens < 0:
        raise ConfigError(where, "threads and decode_batch_tokens must be >= 0, gpus and decode_batch_size >= 1")
    return settings

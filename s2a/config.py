"""The one configuration mechanism: YAML profiles for every family and for evaluation settings.

- A profile is a name (`cpu` -> configs/<family>-cpu.yaml) or the path of a YAML file.
- A file may say `extends: other.yaml` (relative to itself); mappings merge key by key, all the way
  down (the extending file wins; a list or a scalar replaces the base's value).
- The merged mapping is read into a frozen dataclass by `typed`: an unknown key, a missing
  required key or a value of the wrong type is one ConfigError naming the file and the key.
No torch, no model code here: every family imports this, nothing here imports a family.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Optional, TypeVar, Union, get_args, get_origin, get_type_hints

import yaml

from s2a.errors import ConfigError
from s2a.paths import config_path

T = TypeVar("T")
EXTENDS = "extends"


def profile_file(family: str, profile: str) -> Path:
    """'cpu' -> configs/<family>-cpu.yaml; a path ending in .yaml/.yml is used as it is."""
    if profile.endswith((".yaml", ".yml")):
        return Path(profile)
    return config_path(f"{family}-{profile}.yaml")


def merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` over `base`, mappings merged recursively."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The mapping of one YAML file with its `extends:` chain resolved."""
    if path.resolve() in _seen:
        raise ConfigError(str(path), "`extends` loops back to itself")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(str(path), f"cannot read ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        raise ConfigError(str(path), f"bad YAML ({str(e).splitlines()[0]})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), f"expected a mapping, got {type(data).__name__}")
    parent = data.pop(EXTENDS, None)
    if parent is None:
        return data
    return merge(read(path.parent / str(parent), (*_seen, path.resolve())), data)


def load(family: str, profile: str) -> tuple[str, dict[str, Any]]:
    """(file name for messages, merged mapping) of a family's profile; ConfigError if there is none."""
    path = profile_file(family, profile)
    if not path.is_file():
        raise ConfigError(str(path), f"no {family} profile {profile!r} (expected configs/{family}-<profile>.yaml or a .yaml path)")
    return str(path), read(path)


# --- typed reading ---------------------------------------------------------------------------------


def _optional_of(hint: Any) -> Optional[Any]:
    """X for Optional[X] (X | None), else None."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            return args[0]
    return None


def _value(hint: Any, value: Any, where: str, key: str) -> Any:
    inner = _optional_of(hint)
    if inner is not None:
        return None if value is None else _value(inner, value, where, key)
    if dataclasses.is_dataclass(hint):
        return typed(hint, value, where, key)  # type: ignore[arg-type]
    origin = get_origin(hint)
    if hint is Any:
        return value
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif origin is list:
        (item,) = get_args(hint) or (Any,)
        ok = isinstance(value, list)
        if ok:
            value = [_value(item, v, where, f"{key}[{i}]") for i, v in enumerate(value)]
    elif origin in (dict, Mapping) or hint is dict:
        ok = isinstance(value, dict)
        value = dict(value) if ok else value
    else:
        raise TypeError(f"s2a.config cannot read values of type {hint!r} ({key})")
    if not ok:
        wanted = getattr(hint, "__name__", str(hint))
        raise ConfigError(where, f"expected {wanted}, got {value!r}", key=key)
    return value


def typed(cls: type[T], data: Any, where: str, prefix: str = "", **fixed: Any) -> T:
    """`data` read into the dataclass `cls`; `fixed` fields (e.g. the profile name) come from s2a."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(where, f"expected a mapping, got {type(data).__name__}", key=prefix)
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    dotted = (lambda k: f"{prefix}.{k}") if prefix else (lambda k: k)  # noqa: E731
    unknown = sorted(set(data) - (set(fields) - set(fixed)))
    if unknown:
        known = ", ".join(sorted(set(fields) - set(fixed)))
        raise ConfigError(where, f"unknown setting (known: {known})", key=dotted(unknown[0]))
    values = dict(fixed)
    for name, value in data.items():
        values[name] = _value(hints[name], value, where, dotted(name))
    missing = [n for n, f in fields.items() if n not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(where, "required setting missing", key=dotted(missing[0]))
    try:
        return cls(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError) as e:
        raise ConfigError(where, str(e), key=prefix) from None


def check_choice(value: str, choices: typing.Sequence[str], where: str, key: str) -> None:
    if value not in choices:
        raise ConfigError(where, f"{key.rsplit('.', 1)[-1]} {value!r} is not one of {', '.join(choices)}", key=key)


TASKS_KEY = "tasks"


def for_task(where: str, data: Mapping[str, Any], task: Optional[str], known: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """A text-task profile's `tasks: {<task>: {...}}` entry merged over the rest of it (sentences and
    paragraphs want other lengths and batches); `tasks: null` in a profile that extends one clears
    them. ConfigError for a `tasks:` mapping without a task, an unknown task or a malformed entry."""
    out = dict(data)
    per_task = out.pop(TASKS_KEY, None)
    if per_task is None:
        return where, out
    if task is None:
        raise ConfigError(where, "per-task settings are for text-task profiles (s2a tasks train ...)", key=TASKS_KEY)
    if not isinstance(per_task, Mapping):
        raise ConfigError(where, f"expected a mapping of task -> settings, got {per_task!r}", key=TASKS_KEY)
    unknown = sorted(set(per_task) - set(known))
    if unknown:
        raise ConfigError(where, f"no task {unknown[0]!r} (known: {', '.join(known)})", key=f"{TASKS_KEY}.{unknown[0]}")
    entry = per_task.get(task) or {}
    if not isinstance(entry, Mapping):
        raise ConfigError(where, f"expected a mapping of settings, got {entry!r}", key=f"{TASKS_KEY}.{task}")
    return (f"{where} (task {task})" if task in per_task else where), merge(out, entry)

"""fairseq command-line options as data: a YAML mapping {flag-name: value} becomes an argv list.

Config files name fairseq flags exactly as fairseq spells them (without the leading `--`), so a
reader can look every key up in `fairseq-train --help`. The flags s2a itself must control (paths,
CPU-only settings, the batch-size-multiple fix) live in tables in the model module, not in YAML.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from s2a.errors import ConfigError


def to_argv(options: Mapping[str, Any]) -> list[str]:
    """{'max-update': 30, 'cpu': True, 'fp16': False} -> ['--max-update', '30', '--cpu'].

    True is a bare flag, False/None leave the flag out; lists become fairseq's tuple syntax.
    """
    argv: list[str] = []
    for key, value in options.items():
        if not isinstance(key, str) or not key or key.startswith("-") or " " in key:
            raise ConfigError(str(key), "a fairseq option name without leading dashes, e.g. 'max-update'")
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            argv.append(flag)
        elif isinstance(value, (list, tuple)):
            argv += [flag, "(" + ", ".join(str(v) for v in value) + ")"]
        elif isinstance(value, (str, int, float)):
            argv += [flag, str(value)]
        else:
            raise ConfigError(f"{key}: {value!r}", "option values must be scalars or lists")
    return argv


def merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Later layers win; keys compared after normalising '_' to '-'."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            out[str(key).replace("_", "-")] = value
    return out

"""A predicted action sequence (`tgt` line) rendered as a numbered procedure a chemist can read.

The `tgt` format refers to molecules by position (`$k$`: k-th precursor of the canonical, sorted
precursor list; `$-k$`: k-th product) and to conditions by range tokens (`#k#` temperatures,
`@k@` durations). Rendering puts the reaction's molecules (a name where one is known, else the
SMILES) in place of positions and a representative value (configs/procedure.yaml) in place of
ranges, and turns `STIR for ...` into `Stir for ...`.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from paragraph2actions import actions as p2a_actions

from s2a import config
from s2a.errors import ConfigError
from s2a.paths import config_path
from s2a.formats.tokenization import detokenize_actions

# `$3$`, `$-1$`: molecules by position; `#4#`: temperature range; `@2@`: duration range.
TEMPERATURE_TOKEN = re.compile(r"#(\d+)#")
DURATION_TOKEN = re.compile(r"@(\d+)@")
_ANY_TOKEN = re.compile(r"\$(-?\d+)\$|#(\d+)#|@(\d+)@")


@dataclass(frozen=True)
class RangeValues:
    """Representative values of the range tokens and the word for 'the prepared solution'."""

    temperatures: Mapping[int, str]
    durations: Mapping[int, str]
    solution_token: str = "SLN"
    solution_text: str = "the solution"

    @classmethod
    def from_yaml(cls, path: Path) -> "RangeValues":
        where = str(path)
        raw = config.typed(cls, config.read(path), where)
        tables = {}
        for key in ("temperatures", "durations"):
            table = getattr(raw, key)
            if not all(isinstance(k, int) and not isinstance(k, bool) for k in table):
                raise ConfigError(where, "keys must be the range numbers (1, 2, ...)", key=key)
            tables[key] = {k: str(v) for k, v in table.items()}
        return dataclasses.replace(raw, **tables)


@lru_cache(maxsize=1)
def default_range_values() -> RangeValues:
    return RangeValues.from_yaml(config_path("procedure.yaml"))


@lru_cache(maxsize=1)
def _verbs() -> dict[str, str]:
    """'DRYSOLUTION' -> 'Dry solution', from paragraph2actions' action class names."""
    out = {}
    for cls in vars(p2a_actions).values():
        if isinstance(cls, type) and issubclass(cls, p2a_actions.Action) and cls is not p2a_actions.Action:
            words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*", cls.__name__)
            text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
            out[cls.__name__.upper()] = text[:1].upper() + text[1:] if text != "PH" else "Adjust pH"
    return out


def molecule_labels(molecules: Sequence[str], names: Mapping[str, str] | None = None) -> list[str]:
    """The name of each molecule where `names` (SMILES -> name) has one, else its SMILES."""
    names = names or {}
    return [names.get(m) or m for m in molecules]


def render_action(
    action: str,
    precursors: Sequence[str],
    products: Sequence[str],
    values: RangeValues | None = None,
) -> str:
    """One readable action with positions and ranges replaced; `precursors`/`products` are labels.

    A position outside the reaction (a model's mistake) stays visible as `[unknown $k$]`; an
    unknown range stays as the token itself.
    """
    values = values or default_range_values()

    def substitute(m: re.Match[str]) -> str:
        pos, temp, dur = m.groups()
        if pos is not None:
            k = int(pos)
            pool, index = (precursors, k - 1) if k > 0 else (products, -k - 1)
            return pool[index] if 0 <= index < len(pool) else f"[unknown {m.group(0)}]"
        if temp is not None:
            return values.temperatures.get(int(temp), m.group(0))
        return values.durations.get(int(dur), m.group(0))

    text = _ANY_TOKEN.sub(substitute, action.strip())
    word, _, rest = text.partition(" ")
    verb = _verbs().get(word, word)
    rest = re.sub(rf"\b{re.escape(values.solution_token)}\b", values.solution_text, rest)
    return f"{verb} {rest}".strip()


def render_steps(
    tgt: str,
    precursors: Sequence[str],
    products: Sequence[str],
    names: Mapping[str, str] | None = None,
    values: RangeValues | None = None,
) -> list[str]:
    """Readable actions of a `tgt` line; `precursors`/`products` are canonical SMILES."""
    pre, post = molecule_labels(precursors, names), molecule_labels(products, names)
    return [render_action(a, pre, post, values) for a in detokenize_actions(tgt)]


def render_procedure(
    tgt: str,
    precursors: Sequence[str],
    products: Sequence[str],
    names: Mapping[str, str] | None = None,
    values: RangeValues | None = None,
) -> str:
    """Numbered procedure, one step a line: '1. Add acetyl chloride.'"""
    steps = render_steps(tgt, precursors, products, names, values)
    return "\n".join(f"{i}. {s}." for i, s in enumerate(steps, 1))

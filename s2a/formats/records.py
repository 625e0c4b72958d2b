"""The one record type every data source produces, and JSONL reading/writing of records."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from s2a.errors import InputFileError, RecordError


@dataclass
class Record:
    """A reaction as read from a source, before standardisation.

    `names` are the record's own compound name -> SMILES pairs (from ORD identifiers, or given by
    the user). `actions` are paragraph2actions readable actions (one string per action) when the
    source already has them; otherwise an action source derives them (see preprocessing.action_sources).
    """

    id: str
    reaction_smiles: str
    source: str = ""
    patent: str = ""
    date: str = ""
    procedure: str = ""
    names: list[tuple[str, str]] = field(default_factory=list)
    actions: Optional[list[str]] = None
    # Free-form, source-specific structure an action source may use (e.g. the ORD message as dict).
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["names"] = [list(p) for p in self.names]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any], where: str = "") -> "Record":
        if not isinstance(d, dict):
            raise RecordError(where, "?", f"expected a JSON object, got {type(d).__name__}")
        rid = str(d.get("id", "") or "")
        smiles = d.get("reaction_smiles")
        if not smiles or not isinstance(smiles, str):
            raise RecordError(where, rid or "?", "no reaction_smiles")
        names = d.get("names") or []
        if isinstance(names, dict):
            names = list(names.items())
        actions = d.get("actions")
        if isinstance(actions, str):
            actions = [a.strip() for a in actions.split(";") if a.strip()]
        return cls(
            id=rid,
            reaction_smiles=smiles.strip(),
            source=str(d.get("source", "") or ""),
            patent=str(d.get("patent", "") or ""),
            date=str(d.get("date", "") or ""),
            procedure=str(d.get("procedure", "") or ""),
            names=[(str(n), str(s)) for n, s in names],
            actions=list(actions) if actions is not None else None,
            extra=dict(d.get("extra") or {}),
        )


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSONL file; a bad line is a one-line error naming file and line."""
    for _, obj in jsonl_lines(path):
        if isinstance(obj, RecordError):
            raise obj
        yield obj


def jsonl_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, JSON value) per non-blank line; a line that is not JSON gives its RecordError
    in place of the value (not raised), so a reader may skip it and go on. Text that is not
    UTF-8 raises InputFileError: nothing after it can be trusted."""
    try:
        f = path.open(encoding="utf-8")
    except OSError as e:
        raise InputFileError(str(path), e.strerror or str(e)) from None
    with f:
        lineno = 0
        try:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as e:
                    yield lineno, RecordError(str(path), f"line {lineno}", f"bad JSON ({e.msg})")
        except UnicodeDecodeError as e:
            raise InputFileError(str(path), f"not UTF-8 after line {lineno} ({e.reason})") from None

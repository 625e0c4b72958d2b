"""Is an artefact built from the current inputs? One mechanism for every family.

An artefact (a vocabulary, binarised data, an index, a conversion, a fine-tuned model) keeps a
stamp: a JSON file with the digest of what it was built from — the bytes of its input files and
the settings that shape it. A stamp that differs means the artefact is stale.
Checkpoints are large and change only when a trainer writes them: they count by identity (path,
size, modification time) rather than by content.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Optional

from s2a.atomic import atomic_write_text
from s2a.errors import MissingArtifact


def digest_files(paths: Sequence[Path], settings: Any = None) -> str:
    """SHA-256 over the files' names and bytes and the JSON of `settings` (any JSON-able value)."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for p in paths:
        if not p.is_file():
            raise MissingArtifact(str(p), "input not found (run `make data` first)")
        h.update(b"\0" + p.name.encode() + b"\0")
        with p.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def file_identity(path: Path) -> dict[str, Any]:
    """Which version of a large file (a checkpoint) this is, without reading it."""
    stat = Path(path).stat()
    return {"file": str(Path(path).resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class Stamp:
    """The record, beside an artefact, of the inputs it was built from."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> Optional[dict[str, Any]]:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def matches(self, inputs: Mapping[str, Any]) -> bool:
        return self.read() == dict(inputs)

    def exists(self) -> bool:
        return self.read() is not None

    def write(self, inputs: Mapping[str, Any]) -> None:
        atomic_write_text(self.path, json.dumps(dict(inputs), indent=1, sort_keys=True) + "\n")

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

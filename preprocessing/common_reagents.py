"""The common-reagent list: names that may stay in action sequences although not in the equation.

Loaded from configs/common_reagents.yaml (data, not code). A name matches an entry when its
`names.name_key` equals the key of the entry's name or of one of its aliases, either as written or
after `names.simplify_name`. A mixture of listed names ("ethyl acetate-hexane", "MeOH/CH2Cl2")
matches as the listed names joined by " / ". An entry may also carry a SMILES, so that a record's
own name->structure pair identifies it whatever the name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from preprocessing.names import name_key, simplify_name
from s2a.errors import InputFileError, InvalidSmiles
from s2a.paths import config_path

DEFAULT_FILE = "common_reagents.yaml"
MIXTURE_SEPARATOR = " / "
# Separators inside a name that may join the components of a mixture.
_MIXTURE_SPLIT = re.compile(r"\s*(?:/|\\|:|\s-\s|\s|-|,|\band\b|\+)\s*")
_MAX_MIXTURE_PARTS = 3


@dataclass
class CommonReagents:
    """Name key -> canonical name, canonical SMILES <-> canonical name."""

    by_key: dict[str, str] = field(default_factory=dict)
    by_smiles: dict[str, str] = field(default_factory=dict)
    smiles_of: dict[str, str] = field(default_factory=dict)  # canonical name -> canonical SMILES
    source: str = ""

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "CommonReagents":
        """Load the list; `path` defaults to configs/common_reagents.yaml."""
        from s2a.formats.reaction import canonical_molecule

        path = path or config_path(DEFAULT_FILE)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise InputFileError(str(path), e.strerror or str(e)) from None
        except yaml.YAMLError as e:
            raise InputFileError(str(path), f"bad YAML ({e})") from None
        entries: Any = data.get("reagents") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise InputFileError(str(path), "expected a top-level 'reagents:' list")
        out = cls(source=str(path))
        for n, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
                raise InputFileError(str(path), f"entry {n}: expected a mapping with a 'name'")
            name = entry["name"].strip()
            for spelling in [name, *[str(a) for a in entry.get("aliases") or []]]:
                out.by_key.setdefault(name_key(spelling), name)
            smiles = entry.get("smiles")
            if smiles:
                try:
                    canonical = canonical_molecule(str(smiles))
                    out.by_smiles.setdefault(canonical, name)
                    out.smiles_of.setdefault(name, canonical)
                except InvalidSmiles as e:
                    raise InputFileError(str(path), f"entry {n} ({name}): {e}") from None
        return out

    def __len__(self) -> int:
        return len(set(self.by_key.values()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.lookup(name) is not None

    def lookup(self, name: str) -> Optional[str]:
        """Canonical listed name for `name` (or a ' / '-joined mixture of them), else None."""
        for candidate in (name, simplify_name(name)):
            hit = self.by_key.get(name_key(candidate))
            if hit:
                return hit
        return self._mixture(simplify_name(name))

    def lookup_smiles(self, canonical_smiles: str) -> Optional[str]:
        """Canonical listed name of a compound given by its canonical SMILES (s2a.formats.reaction form)."""
        return self.by_smiles.get(canonical_smiles)

    def _mixture(self, name: str) -> Optional[str]:
        """Split 'ethyl acetate-hexane' into listed names, longest spans first; None if impossible."""
        words = [w for w in _MIXTURE_SPLIT.split(name) if w]
        if len(words) < 2 or len(words) > 12:
            return None
        # best[i]: the parts covering words[:i] with fewest parts, or None.
        best: list[Optional[list[str]]] = [None] * (len(words) + 1)
        best[0] = []
        for i in range(len(words)):
            if best[i] is None:
                continue
            for j in range(len(words), i, -1):
                hit = self.by_key.get(name_key(" ".join(words[i:j])))
                if hit is None:
                    continue
                candidate = [*best[i], hit]  # type: ignore[misc]
                if best[j] is None or len(candidate) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = candidate
        parts = best[len(words)]
        if not parts or len(parts) < 2 or len(parts) > _MAX_MIXTURE_PARTS:
            return None
        unique = list(dict.fromkeys(parts))
        if len(unique) < 2:
            return unique[0]
        return MIXTURE_SEPARATOR.join(unique)

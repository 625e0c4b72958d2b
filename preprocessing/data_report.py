"""Side-by-side report of the data built from two action sources (`text` and `ord`).

What it answers: how many records each source loses and why (the paper's Table 2, one column per
source), how long and how varied the kept sequences are, how close each source's action-type
distribution is to the public Smiles2Actions sample (Jensen–Shannon divergence, base 2), and how
similar the two sources' sequences are for the records both keep (normalised Levenshtein
similarity of the `tgt` strings, the paper's metric; records joined by id).

It reads what `s2a data build` wrote (the standardised JSONL and its `.stats.json`); it builds
nothing itself.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from preprocessing.reasons import Reason
from s2a.errors import MissingArtifact
from s2a.formats.distributions import action_types, counter_divergence
from s2a.formats.targets import similarity
from s2a.paths import REPO_ROOT
from s2a.formats.records import read_jsonl

# The Smiles2Actions authors' public sample, in the repository's parent `shared/` folder.
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "data" / "smiles2actions-sample"


@dataclass
class SourceData:
    """What one action source kept (tgt by record id) and its build stats."""

    name: str
    stats: dict[str, Any]
    tgt: dict[str, str]

    @classmethod
    def load(cls, name: str, standardised: Path) -> "SourceData":
        stats_path = standardised.with_suffix(".stats.json")
        for path in (standardised, stats_path):
            if not path.is_file():
                raise MissingArtifact(str(path), f"not found (run `s2a data build --actions {name} -o {standardised}`)")
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
        tgt = {str(row["id"]): str(row["tgt"]) for row in read_jsonl(standardised)}
        return cls(name, stats, tgt)

    def type_counts(self) -> Counter[str]:
        return _type_counts(self.tgt.values())

    def mean_actions(self) -> float:
        return sum(len(action_types(t)) for t in self.tgt.values()) / max(len(self.tgt), 1)


def _type_counts(lines: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(action_types(line))
    return counts


def reference_type_counts(directory: Path = REFERENCE_DIR) -> Optional[Counter[str]]:
    """Action types of the sample's tgt-*.txt lines, or None when the folder is absent."""
    files = sorted(directory.glob("tgt-*.txt")) if directory.is_dir() else []
    if not files:
        return None
    return _type_counts(line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip())


def mean_similarity(a: Mapping[str, str], b: Mapping[str, str]) -> tuple[int, float]:
    """(records in both, mean normalised Levenshtein similarity of their tgt strings)."""
    common = sorted(set(a) & set(b))
    if not common:
        return 0, 0.0
    return len(common), sum(similarity(a[i], b[i]) for i in common) / len(common)


def _shares(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: 100.0 * v / total for k, v in counts.items()} if total else {}


def report(sources: list[SourceData], reference: Optional[Counter[str]], reference_dir: Path = REFERENCE_DIR) -> str:
    """The markdown report (see the module docstring)."""
    names = [s.name for s in sources]
    lines = ["# Data report: action sources side by side", ""]
    lines += ["## Drop table (records read; each dropped record under one reason)", ""]
    lines.append("| reason | " + " | ".join(names) + " |")
    lines.append("|---|" + "---:|" * len(names))
    reasons = [r.value for r in Reason]
    present = [r for r in reasons if any(s.stats["dropped"].get(r) for s in sources)]
    present.sort(key=lambda r: -max(s.stats["dropped"].get(r, 0) for s in sources))

    def cell(n: int, s: SourceData) -> str:
        return f"{n} ({100.0 * n / max(s.stats['read'], 1):.1f} %)"

    for r in present:
        lines.append(f"| {r} | " + " | ".join(cell(s.stats["dropped"].get(r, 0), s) for s in sources) + " |")
    lines.append("| **kept** | " + " | ".join(cell(s.stats["kept"], s) for s in sources) + " |")
    lines.append("| read | " + " | ".join(str(s.stats["read"]) for s in sources) + " |")
    lines.append("| mean actions per kept reaction | " + " | ".join(f"{s.mean_actions():.2f}" for s in sources) + " |")
    lines.append("")

    counts = {s.name: s.type_counts() for s in sources}
    shares = {name: _shares(c) for name, c in counts.items()}
    columns = list(names)
    if reference is not None:
        shares["Smiles2Actions sample"] = _shares(reference)
        columns.append("Smiles2Actions sample")
    lines += ["## Action types (% of all actions)", ""]
    lines.append("| action | " + " | ".join(columns) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    types = sorted({t for c in shares.values() for t in c}, key=lambda t: (-max(c.get(t, 0.0) for c in shares.values()), t))
    for t in types:
        lines.append(f"| {t} | " + " | ".join(f"{shares[c].get(t, 0.0):.1f}" for c in columns) + " |")
    lines.append("")
    if reference is not None:
        lines.append("Jensen–Shannon divergence (base 2) of the action-type distribution to the Smiles2Actions sample "
                     f"({sum(reference.values())} actions): "
                     + ", ".join(f"{n} {counter_divergence(reference, counts[n]):.4f}" for n in names) + ".")
    else:
        lines.append(f"Jensen–Shannon divergence to the Smiles2Actions sample: skipped ({reference_dir} not found).")
    lines.append("")
    if len(sources) == 2:
        a, b = sources
        n, mean = mean_similarity(a.tgt, b.tgt)
        lines.append(f"Records kept by both {a.name} and {b.name}: {n}; mean normalised Levenshtein similarity "
                     f"of their action sequences: {100.0 * mean:.1f} %.")
        lines.append("")
    return "\n".join(lines)


def write_report(standardised: Mapping[str, Path], out_path: Path, reference_dir: Path = REFERENCE_DIR) -> str:
    """Load each source's build output, write the report to `out_path`, return its text."""
    sources = [SourceData.load(name, path) for name, path in standardised.items()]
    text = report(sources, reference_type_counts(reference_dir), reference_dir)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text, encoding="utf-8")
    return text

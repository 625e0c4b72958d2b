"""Reading the processed splits (`src-<split>.txt`, `tgt-<split>.txt`) the LLM code works on."""
from __future__ import annotations

from pathlib import Path

from s2a.errors import MissingArtifact


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise MissingArtifact(str(path), "not found (run `make data` first)")
    return path.read_text(encoding="utf-8").splitlines()


def read_pairs(data_dir: Path, split: str) -> tuple[list[str], list[str]]:
    """Aligned (src lines, tgt lines) of a split; a length mismatch is a MissingArtifact."""
    src, tgt = read_lines(data_dir / f"src-{split}.txt"), read_lines(data_dir / f"tgt-{split}.txt")
    if len(src) != len(tgt):
        raise MissingArtifact(str(data_dir / f"tgt-{split}.txt"), f"{len(tgt)} targets for {len(src)} sources")
    return src, tgt

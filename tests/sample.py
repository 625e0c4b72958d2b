"""The shared paper-format fixture (tests/fixtures/smiles2actions-sample) and prefixes of it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

SAMPLE = Path(__file__).parent / "fixtures" / "smiles2actions-sample"
_SPLITS = ("train", "valid", "test")


def sample_prefix(n_train: int) -> Path:
    """A directory with the first `n_train` training pairs and all valid/test pairs of the sample.

    Written once per process into a temporary directory (the slower tests train on fewer lines).
    """
    dest = Path(tempfile.gettempdir()) / f"s2a-sample-{n_train}-{os.getpid()}"
    if not (dest / "tgt-test.txt").is_file():
        dest.mkdir(parents=True, exist_ok=True)
        for split in _SPLITS:
            for side in ("src", "tgt"):
                lines = (SAMPLE / f"{side}-{split}.txt").read_text(encoding="utf-8").splitlines(keepends=True)
                (dest / f"{side}-{split}.txt").write_text("".join(lines[:n_train] if split == "train" else lines), encoding="utf-8")
    return dest

"""Where the project's files live. s2a is installed editable from the repository (make install),
so configs/ is found next to the package; S2A_CONFIG_DIR overrides it."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = Path(os.environ.get("S2A_CONFIG_DIR", REPO_ROOT / "configs"))


def config_path(name: str) -> Path:
    """Path of a file in configs/ (e.g. 'transformer-cpu.yaml')."""
    return CONFIG_DIR / name

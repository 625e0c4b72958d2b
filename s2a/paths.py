"""Where the project's files live: one place, not paths relative to the current directory.

s2a is installed editable from the repository (make install), so configs/ is found next to the
package; S2A_CONFIG_DIR overrides it. Data, models, predictions and reports live under the
project folder — the repository, or S2A_PROJECT_DIR — whatever directory a command runs from.
Every command still takes explicit paths (--data-dir, --work-dir, ...) for other layouts.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = Path(os.environ.get("S2A_CONFIG_DIR", REPO_ROOT / "configs"))
PROJECT_DIR = Path(os.environ.get("S2A_PROJECT_DIR", REPO_ROOT))

RAW_DIR = PROJECT_DIR / "data" / "raw"  # records as fetched (data/raw/ord: the ORD files of orderly)
INTERIM_DIR = PROJECT_DIR / "data" / "interim"  # standardised, de-duplicated records (one folder per action source)
DATA_DIR = PROJECT_DIR / "data" / "processed"  # the splits every model trains on
MODELS_DIR = PROJECT_DIR / "models"  # one folder per model family: checkpoints, indices
PREDICTIONS_DIR = PROJECT_DIR / "predictions"  # one folder per model: <split>.txt, .nbest.jsonl, .meta.json
REPORTS_DIR = PROJECT_DIR / "reports"  # comparison.md and its figures


def config_path(name: str) -> Path:
    """Path of a file in configs/ (e.g. 'transformer-cpu.yaml')."""
    return CONFIG_DIR / name


def model_dir(model: str) -> Path:
    return MODELS_DIR / model


def predictions_dir(model: str) -> Path:
    return PREDICTIONS_DIR / model

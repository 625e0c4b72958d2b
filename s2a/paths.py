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


DEFAULT_PROFILE = "cpu"


def run_name(model: str, profile: str = DEFAULT_PROFILE) -> str:
    """The folder name of a model trained with a profile: 'transformer' for the default profile,
    'transformer-cpu-long' for another (a profile given as a .yaml path: its file stem), so
    that profiles never resume each other's checkpoints and the report shows each as a row."""
    name = Path(profile).stem if profile.endswith((".yaml", ".yml")) else profile
    return model if name == DEFAULT_PROFILE else f"{model}-{name}"


def model_dir(model: str, profile: str = DEFAULT_PROFILE) -> Path:
    return MODELS_DIR / run_name(model, profile)


def predictions_dir(model: str, profile: str = DEFAULT_PROFILE) -> Path:
    return PREDICTIONS_DIR / run_name(model, profile)


# ChemActor's tasks beside S2A (s2a.formats.tasks): predictions/tasks/<task>/<model>/<split>.txt, in
# the format of predictions/<model>/<split>.txt (s2a.formats.predictions). The extra level keeps a
# task's models apart from the S2A models, which `s2a compare` finds as predictions/*/<split>.txt.
TASK_PREDICTIONS_DIRNAME = "tasks"


def task_predictions_root(predictions_dir: Path = PREDICTIONS_DIR) -> Path:
    return predictions_dir / TASK_PREDICTIONS_DIRNAME


def task_predictions_dir(task: str, model: str, predictions_dir: Path = PREDICTIONS_DIR) -> Path:
    """Where one model's predictions for one task go: <predictions>/tasks/<task>/<model>/."""
    return task_predictions_root(predictions_dir) / task / model


def task_model_dir(task: str, model: str, profile: str = DEFAULT_PROFILE) -> Path:
    """Where a task model keeps its artefacts: models/tasks/<task>/<model> (<model>-<profile> for a
    profile other than cpu, as run_name), apart from the S2A models of models/<model>/."""
    return MODELS_DIR / TASK_PREDICTIONS_DIRNAME / task / run_name(model, profile)


def round_trip_path(split: str, predictions_dir: Path = PREDICTIONS_DIR) -> Path:
    """Where `s2a tasks round-trip` writes its result and `s2a compare` reads it:
    <predictions>/tasks/round-trip/<split>.json."""
    return task_predictions_root(predictions_dir) / "round-trip" / f"{split}.json"


def task_review_paths(task: str, model: str, split: str, predictions_dir: Path = PREDICTIONS_DIR) -> list[Path]:
    """Where a circle-review result (`s2a review --out`) for a model's task predictions is looked
    for, first match wins: beside its predictions (<model>/<split>.review.json), then one file for
    the whole task (<task>/<split>.review.json, several models reviewed on one sample)."""
    model_dir_ = task_predictions_dir(task, model, predictions_dir)
    return [model_dir_ / f"{split}.review.json", model_dir_.parent / f"{split}.review.json"]

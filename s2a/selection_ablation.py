"""Data-selection ablation: train one model family on (a) the divergence-selected subset of the
training split, (b) a random subset of the same size, (c) the whole split, and score all three on
the same test split (s2a.evaluation.metrics).

Each arm gets `<work_root>/<arm>/data` (the training subset, other splits copied), `model/`
(the family's work dir) and `predictions/`; re-running resumes (every family resumes or skips
training that is up to date).
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from s2a.atomic import atomic_write_text
from s2a.errors import ConfigError
from s2a.selection import divergence, random_subset, select
from s2a.formats.splits import read_lines

SPLITS_COPIED = ("valid", "test")
RESULTS_FILE = "ablation.json"
SUMMARY_FILE = "ablation.md"  # what `s2a compare` puts in the report, as it is


def write_subset(data_dir: Path, indices: Sequence[int], out_dir: Path) -> Path:
    """A data directory whose training split is `indices` of `data_dir`'s (in original order)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keep = sorted(set(indices))
    for kind in ("src", "tgt"):
        lines = read_lines(data_dir / f"{kind}-train.txt")
        (out_dir / f"{kind}-train.txt").write_text("".join(lines[i] + "\n" for i in keep), encoding="utf-8")
        for split in SPLITS_COPIED:
            source = data_dir / f"{kind}-{split}.txt"
            if source.is_file():
                shutil.copyfile(source, out_dir / f"{kind}-{split}.txt")
    (out_dir / "selected.txt").write_text("".join(f"{i}\n" for i in indices), encoding="utf-8")
    return out_dir


@dataclass(frozen=True)
class ArmResult:
    arm: str
    train_size: int
    divergence: float  # JSD of the arm's training targets from the reference
    scores: dict[str, Any]


def run_ablation(data_dir: Path, work_root: Path, fraction: float, method: str = "greedy", step: int = 1,
                 model: str = "transformer", profile: str = "cpu", seed: int = 42, split: str = "test",
                 reference_split: str = "valid") -> list[ArmResult]:
    from s2a.evaluation.metrics import score
    from s2a.models import ModelPaths, model_class
    from s2a.formats.predictions import write_predictions

    pool = read_lines(data_dir / "tgt-train.txt")
    reference = read_lines(data_dir / f"tgt-{reference_split}.txt")
    size = max(1, round(fraction * len(pool)))
    arms = {
        "selected": select(reference, pool, size, method=method, step=step),
        "random": random_subset(len(pool), size, seed),
        "all": list(range(len(pool))),
    }
    src = read_lines(data_dir / f"src-{split}.txt")
    truth = read_lines(data_dir / f"tgt-{split}.txt")
    settings = {"model": model, "profile": profile, "fraction": fraction, "method": method, "seed": seed,
                "split": split, "reference_split": reference_split}
    results = []
    for arm, indices in arms.items():
        arm_dir = work_root / arm
        arm_data = data_dir if arm == "all" else write_subset(data_dir, indices, arm_dir / "data")
        family = model_class(model)(ModelPaths(arm_data, arm_dir / "model"), profile=profile, seed=seed)
        family.train()
        hyps = family.predict(src, n_best=1)
        write_predictions(arm_dir / "predictions", split, src, hyps)
        top1 = [h[0].actions if h else "" for h in hyps]
        subset = [pool[i] for i in indices]
        results.append(ArmResult(arm, len(indices), divergence(reference, subset)["total"],
                                 score(src, truth, top1).as_dict()))
    atomic_write_text(work_root / RESULTS_FILE,
                      json.dumps({"settings": settings, "arms": [asdict(r) for r in results]}, indent=2) + "\n")
    atomic_write_text(work_root / SUMMARY_FILE, summary(settings, results) + "\n")
    return results


def summary(settings: dict[str, Any], arms: Sequence[ArmResult]) -> str:
    """What the arms were and their table (markdown), for the report."""
    return (f"{settings['model']} ({settings['profile']} profile) trained on the {settings['fraction']:.0%} of the "
            f"training split closest to the {settings['reference_split']} split (selection: {settings['method']}), "
            f"on a random subset of the same size, and on all of it; scored on the {settings['split']} split "
            f"(%; JSD: divergence of the subset's action sequences from the reference, lower is closer).\n\n"
            + markdown_table(arms))


def load_ablation(path: Path) -> tuple[dict[str, Any], list[ArmResult]]:
    """The settings and arms a finished `run_ablation` wrote (ConfigError if unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["settings"]), [ArmResult(**arm) for arm in data["arms"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(str(path), f"not an ablation result ({type(e).__name__}: {e})") from None


COLUMNS = (("validity", "valid"), ("bleu", "BLEU"), ("exact", "exact"), ("at_least_75", ">=75%"),
           ("mean_similarity", "mean sim"))


def markdown_table(results: Sequence[ArmResult]) -> str:
    """The arms side by side (markdown): training size, divergence from the reference, test metrics (%)."""
    head = ["subset", "train", "JSD"] + [label for _, label in COLUMNS]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        rows.append(f"| {r.arm} | {r.train_size} | {r.divergence:.4f} | "
                    + " | ".join(f"{100 * float(r.scores[key]):.1f}" for key, _ in COLUMNS) + " |")
    return "\n".join(rows)

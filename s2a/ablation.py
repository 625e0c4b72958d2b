"""Ablation runs shared by the data-selection ablation (s2a.selection_ablation) and ChemActor's data
framework (s2a.chemactor_framework): one model family trained on each arm's training set, once per
seed, scored on one split, and reported per arm as mean ± standard deviation over the seeds.

Layout under a work root:

    <root>/<arm>/seed-<s>/model/          the family's work dir (it resumes, or skips finished training)
    <root>/<arm>/seed-<s>/predictions/    <split>.txt, .nbest.jsonl of that run
    <root>/<arm>/seed-<s>/result.json     its scores and the stamp of what they were made from
    <root>/ablation.json                  settings, every run, and the per-arm means and deviations
    <root>/ablation.md                    what the report includes as it is (s2a.evaluation.report)

A run whose result.json matches its inputs (the arm's training and scored files, the family, its
profile file, the seed, the split) is read back, not trained or predicted again: an interrupted
ablation resumes at the first unfinished arm and seed. The standard deviation is the sample one
(n - 1); with one seed there is none, and the table shows the single value.
"""
from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

from s2a.atomic import atomic_write_text
from s2a.errors import ConfigError
from s2a.formats.splits import read_lines
from s2a.freshness import Stamp, digest_files

RESULTS_FILE = "ablation.json"
SUMMARY_FILE = "ablation.md"  # what `s2a compare` puts in the report, as it is
RESULT_FILE = "result.json"
SPLITS_COPIED = ("valid", "test")

# (score key, column label): fractions of s2a.evaluation.metrics.Scores, shown in %.
COLUMNS = (("validity", "valid"), ("bleu", "BLEU"), ("exact", "exact"), ("at_least_75", ">=75%"),
           ("at_least_50", ">=50%"), ("mean_similarity", "mean sim"))


@dataclass(frozen=True)
class Arm:
    """What one arm trains on: `data_dir` has its src-/tgt-train.txt and the scored split."""

    name: str
    data_dir: Path
    train_size: int
    divergence: float  # JSD of the arm's training targets from the ablation's reference


@dataclass(frozen=True)
class ArmResult:
    """One trained model of one arm and seed, and its scores (s2a.evaluation.metrics.Scores.as_dict)."""

    arm: str
    train_size: int
    divergence: float
    scores: dict[str, Any]
    seed: int = 42


@dataclass(frozen=True)
class Spread:
    """Mean and sample standard deviation of one figure over seeds (std None for a single seed)."""

    mean: float
    std: Optional[float]

    @classmethod
    def of(cls, values: Sequence[float]) -> "Spread":
        if not values:
            raise ValueError("no values")
        return cls(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None)

    def format(self, scale: float = 1.0, digits: int = 1) -> str:
        text = f"{scale * self.mean:.{digits}f}"
        return text if self.std is None else f"{text} ± {scale * self.std:.{digits}f}"


@dataclass(frozen=True)
class ArmSummary:
    arm: str
    seeds: list[int]
    train_size: Spread
    divergence: Spread
    scores: dict[str, Spread]

    def to_json(self) -> dict[str, Any]:
        return {"arm": self.arm, "seeds": self.seeds, "train_size": asdict(self.train_size),
                "divergence": asdict(self.divergence), "scores": {k: asdict(v) for k, v in self.scores.items()}}


def parse_seeds(text: str) -> tuple[int, ...]:
    """'42,43,44' -> (42, 43, 44); ConfigError for anything but distinct integers."""
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ConfigError("--seeds", f"expected comma-separated integers, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise ConfigError("--seeds", f"expected at least one seed and no repeats, got {text!r}")
    return seeds


def write_training_set(data_dir: Path, src: Sequence[str], tgt: Sequence[str], out_dir: Path) -> Path:
    """A data directory with `src`/`tgt` as its training split and `data_dir`'s valid/test copied."""
    if len(src) != len(tgt):
        raise ValueError(f"{len(src)} sources but {len(tgt)} targets")
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind, lines in (("src", src), ("tgt", tgt)):
        atomic_write_text(out_dir / f"{kind}-train.txt", "".join(line + "\n" for line in lines))
        for split in SPLITS_COPIED:
            source = data_dir / f"{kind}-{split}.txt"
            if source.is_file():
                atomic_write_text(out_dir / f"{kind}-{split}.txt", source.read_text(encoding="utf-8"))
    return out_dir


def run_dir(root: Path, arm: str, seed: int) -> Path:
    return root / arm / f"seed-{seed}"


def _inputs(arm: Arm, seed: int, model: str, profile: str, split: str) -> dict[str, Any]:
    from s2a.config import profile_file

    files = [arm.data_dir / f"{side}-{s}.txt" for s in ("train", split) for side in ("src", "tgt")]
    profile_path = profile_file(model, profile)
    if profile_path.is_file():
        files.append(profile_path)
    return {"data": digest_files(files, {"model": model, "profile": profile, "seed": seed, "split": split}),
            "arm": arm.name}


def run_arm(arm: Arm, seed: int, root: Path, model: str, profile: str, split: str) -> ArmResult:
    """Train `model` on the arm's training split with `seed`, predict and score `split`; or read the
    result back when a finished run of the same inputs is there."""
    out = run_dir(root, arm.name, seed)
    stamp = Stamp(out / "stamp.json")
    inputs = _inputs(arm, seed, model, profile, split)
    if stamp.matches(inputs) and (out / RESULT_FILE).is_file():
        return ArmResult(**json.loads((out / RESULT_FILE).read_text(encoding="utf-8")))
    scores = _train_and_score(arm, seed, out, model, profile, split)
    result = ArmResult(arm.name, arm.train_size, arm.divergence, scores, seed)
    atomic_write_text(out / RESULT_FILE, json.dumps(asdict(result), indent=2) + "\n")
    stamp.write(inputs)
    return result


def _train_and_score(arm: Arm, seed: int, out: Path, model: str, profile: str, split: str) -> dict[str, Any]:
    from s2a.evaluation.metrics import score
    from s2a.formats.predictions import write_predictions
    from s2a.models import ModelPaths, model_class

    src = read_lines(arm.data_dir / f"src-{split}.txt")
    truth = read_lines(arm.data_dir / f"tgt-{split}.txt")
    family = model_class(model)(ModelPaths(arm.data_dir, out / "model"), profile=profile, seed=seed)
    family.train()
    hyps = family.predict(src, n_best=1)
    write_predictions(out / "predictions", split, src, hyps)
    return score(src, truth, [h[0].actions if h else "" for h in hyps]).as_dict()


def run_arms(arms_for: Callable[[int], Sequence[Arm]], seeds: Sequence[int], root: Path, model: str,
             profile: str, split: str) -> list[ArmResult]:
    """Every arm for every seed (seeds outer: the first seed's table is complete first)."""
    return [run_arm(arm, seed, root, model, profile, split) for seed in seeds for arm in arms_for(seed)]


def summarise(results: Sequence[ArmResult]) -> list[ArmSummary]:
    """One summary per arm, in the order the arms first appear."""
    by_arm: dict[str, list[ArmResult]] = {}
    for r in results:
        by_arm.setdefault(r.arm, []).append(r)
    out = []
    for arm, runs in by_arm.items():
        keys = [k for k in runs[0].scores if all(isinstance(r.scores.get(k), (int, float)) for r in runs)]
        out.append(ArmSummary(
            arm, [r.seed for r in runs], Spread.of([float(r.train_size) for r in runs]),
            Spread.of([r.divergence for r in runs]),
            {k: Spread.of([float(r.scores[k]) for r in runs]) for k in keys}))
    return out


def markdown_table(results: Sequence[ArmResult], label: str = "subset") -> str:
    """The arms side by side (markdown): seeds, training size, divergence from the reference, and the
    metrics in % as mean ± standard deviation over the seeds."""
    head = [label, "seeds", "train", "JSD"] + [name for _, name in COLUMNS]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summarise(results):
        # the training set and its divergence are often the same for every seed: one value then
        train = s.train_size.format(digits=0) if s.train_size.std else f"{s.train_size.mean:.0f}"
        jsd = s.divergence.format(digits=4) if s.divergence.std else f"{s.divergence.mean:.4f}"
        cells = [s.arm, str(len(s.seeds)), train, jsd]
        cells += [s.scores[key].format(scale=100) if key in s.scores else "n/a" for key, _ in COLUMNS]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def write_results(root: Path, settings: dict[str, Any], results: Sequence[ArmResult], summary: str,
                  extra: Optional[dict[str, Any]] = None) -> None:
    """ablation.json (settings, every run, the per-arm spreads, `extra`) and ablation.md (`summary`)."""
    data = {"settings": settings, "arms": [asdict(r) for r in results],
            "summary": [s.to_json() for s in summarise(results)], **(extra or {})}
    atomic_write_text(root / RESULTS_FILE, json.dumps(data, indent=2) + "\n")
    atomic_write_text(root / SUMMARY_FILE, summary + "\n")


def load_results(path: Path) -> tuple[dict[str, Any], list[ArmResult]]:
    """The settings and runs `write_results` wrote (ConfigError if unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["settings"]), [ArmResult(**arm) for arm in data["arms"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(str(path), f"not an ablation result ({type(e).__name__}: {e})") from None


def seeds_note(seeds: Sequence[int]) -> str:
    if len(seeds) == 1:
        return f"one seed ({seeds[0]}), no standard deviation"
    return f"mean ± standard deviation over {len(seeds)} seeds ({', '.join(map(str, seeds))})"

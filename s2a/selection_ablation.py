"""Data-selection ablation: train one model family on (a) the divergence-selected subset of the
training split, (b) a random subset of the same size, (c) the whole split, once per seed, and score
all three on the same split (s2a.evaluation.metrics); each arm is reported as mean ± standard
deviation over the seeds (s2a.ablation, shared with ChemActor's data framework).

The selected subset does not depend on the seed (`<work_root>/selected/data`); the random one is
drawn with each seed (`<work_root>/random/seed-<s>/data`); `all` trains on the data directory
itself. Runs go to `<work_root>/<arm>/seed-<s>/` and resume (s2a.ablation).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from s2a.ablation import (
    RESULTS_FILE,
    SUMMARY_FILE,
    Arm,
    ArmResult,
    load_results,
    markdown_table as _table,
    run_arms,
    run_dir,
    seeds_note,
    write_results,
    write_training_set,
)
from s2a.atomic import atomic_write_text
from s2a.formats.splits import read_lines
from s2a.selection import divergence, random_subset, select

__all__ = ["RESULTS_FILE", "SUMMARY_FILE", "ArmResult", "load_ablation", "markdown_table", "run_ablation",
           "summary", "write_subset"]

ARMS = ("selected", "random", "all")


def write_subset(data_dir: Path, indices: Sequence[int], out_dir: Path) -> Path:
    """A data directory whose training split is `indices` of `data_dir`'s (in original order)."""
    keep = sorted(set(indices))
    src, tgt = (read_lines(data_dir / f"{kind}-train.txt") for kind in ("src", "tgt"))
    write_training_set(data_dir, [src[i] for i in keep], [tgt[i] for i in keep], out_dir)
    atomic_write_text(out_dir / "selected.txt", "".join(f"{i}\n" for i in indices))
    return out_dir


def run_ablation(data_dir: Path, work_root: Path, fraction: float, method: str = "greedy", step: int = 1,
                 model: str = "transformer", profile: str = "cpu", seeds: Sequence[int] = (42,),
                 split: str = "test", reference_split: str = "valid") -> list[ArmResult]:
    """Every arm for every seed (seeds outer); writes ablation.json and ablation.md under work_root."""
    pool = read_lines(data_dir / "tgt-train.txt")
    reference = read_lines(data_dir / f"tgt-{reference_split}.txt")
    size = max(1, round(fraction * len(pool)))
    chosen = select(reference, pool, size, method=method, step=step)
    selected_dir = write_subset(data_dir, chosen, work_root / "selected" / "data")

    def jsd(indices: Sequence[int]) -> float:
        return divergence(reference, [pool[i] for i in indices])["total"]

    fixed = {"selected": Arm("selected", selected_dir, size, jsd(chosen)),
             "all": Arm("all", data_dir, len(pool), jsd(range(len(pool))))}

    def arms_for(seed: int) -> list[Arm]:
        drawn = random_subset(len(pool), size, seed)
        random_dir = write_subset(data_dir, drawn, run_dir(work_root, "random", seed) / "data")
        return [fixed["selected"], Arm("random", random_dir, size, jsd(drawn)), fixed["all"]]

    results = run_arms(arms_for, seeds, work_root, model, profile, split)
    settings = {"model": model, "profile": profile, "fraction": fraction, "method": method, "seeds": list(seeds),
                "split": split, "reference_split": reference_split}
    write_results(work_root, settings, results, summary(settings, results))
    return results


def summary(settings: dict[str, Any], arms: Sequence[ArmResult]) -> str:
    """What the arms were and their table (markdown), for the report."""
    seeds = settings.get("seeds") or [settings.get("seed", 42)]
    return (f"{settings['model']} ({settings['profile']} profile) trained on the {settings['fraction']:.0%} of the "
            f"training split closest to the {settings['reference_split']} split (selection: {settings['method']}), "
            f"on a random subset of the same size, and on all of it; scored on the {settings['split']} split "
            f"(%, {seeds_note(seeds)}; JSD: divergence of the subset's action sequences from the reference, "
            f"lower is closer).\n\n" + markdown_table(arms))


def load_ablation(path: Path) -> tuple[dict[str, Any], list[ArmResult]]:
    """The settings and arms a finished `run_ablation` wrote (ConfigError if unreadable)."""
    return load_results(path)


def markdown_table(results: Sequence[ArmResult]) -> str:
    """The arms side by side (markdown): seeds, training size, divergence from the reference, metrics
    (%, mean ± standard deviation over the seeds)."""
    return _table(results, label="subset")

"""The round trip on the project's own D2A and A2D models (`s2a tasks round-trip`).

The d2a task's procedure paragraphs of a split (a seeded sample) are read by a D2A "model" — the
rule-based extractor or a trained d2a model — into actions; a trained a2d model writes them back
as paragraphs, the D2A model reads those, and so on (s2a.evaluation.round_trip). The gold are the
d2a task's target actions (silver: the extractor's own labels). The result goes to a JSON file,
every round's texts and actions beside it (`<out stem>.rounds.jsonl`), so a reader can see where
meaning drifted.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from s2a.atomic import atomic_path, atomic_write_text
from s2a.evaluation.circle_review import sample_indices
from s2a.evaluation.round_trip import RoundTrip, Translate, round_trip
from s2a.formats.records import write_jsonl
from s2a.formats.splits import read_lines
from s2a.formats.tasks import task_dir
from s2a.models.base import ActionModel

RULES = "rules"
D2A_TASK = "d2a"  # paragraphs: the a2d task's targets, so the A2D model's output can be read again


def rules_translator() -> Translate:
    """The rule-based extractor on paragraphs; a paragraph whose actions cannot be written is ''."""
    from preprocessing.rule_predictions import predict_line

    return lambda texts: [predict_line(t, "paragraph")[0] for t in texts]


def model_translator(model: ActionModel) -> Translate:
    """A trained task model's top-1 for each line; an empty line (nothing to read) stays empty."""
    def translate(lines: Sequence[str]) -> list[str]:
        todo = [i for i, line in enumerate(lines) if line.strip()]
        out = [""] * len(lines)
        for i, hyps in zip(todo, model.predict([lines[i] for i in todo], n_best=1)):
            out[i] = hyps[0].actions if hyps else ""
        return out
    return translate


@dataclass(frozen=True)
class RoundTripRun:
    d2a: str  # "rules" or the D2A model's folder
    a2d: str  # the A2D model's folder
    split: str
    indices: list[int]  # the sampled lines of the d2a task's split
    seconds: float
    result: RoundTrip


def run_round_trip(data_dir: Path, split: str, to_actions: Translate, to_descriptions: Translate,
                   sample_size: int, seed: int, rounds: int, names: tuple[str, str],
                   progress: Callable[[str], None] = lambda _: None) -> RoundTripRun:
    """`rounds` readings of a seeded sample of the d2a task's `split` (names: what read and wrote)."""
    folder = task_dir(data_dir, D2A_TASK)
    texts = read_lines(folder / f"src-{split}.txt")
    gold = read_lines(folder / f"tgt-{split}.txt")
    indices = sample_indices(len(texts), sample_size, seed)
    progress(f"round trip: {len(indices)} paragraphs of d2a {split}, {rounds} rounds ({names[0]} <-> {names[1]})")
    start = time.perf_counter()
    result = round_trip(to_actions, to_descriptions, [texts[i] for i in indices], [gold[i] for i in indices], rounds)
    return RoundTripRun(names[0], names[1], split, indices, time.perf_counter() - start, result)


def write_round_trip(run: RoundTripRun, out: Path) -> tuple[Path, Path]:
    """`out` (JSON: the models, the sample and the per-round summary) and `<out stem>.rounds.jsonl`
    (per example: every round's description and actions), each written atomically."""
    examples = out.with_name(out.stem + ".rounds.jsonl")
    with atomic_path(examples) as tmp:
        write_jsonl(({"line": index, "descriptions": [r[k] for r in run.result.descriptions],
                      "actions": [r[k] for r in run.result.actions]} for k, index in enumerate(run.indices)), tmp)
    summary = {"d2a": run.d2a, "a2d": run.a2d, "task": D2A_TASK, "split": run.split, "indices": run.indices,
               "seconds": round(run.seconds, 2), "examples": examples.name,
               "rounds": [asdict(r) for r in run.result.rounds]}
    atomic_write_text(out, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return out, examples

"""The "ChemActor tasks" section of `s2a compare`: one table per task, ChemActor's metrics.

For each task of s2a.formats.tasks beside S2A (d2a, d2a-sentence, d2a-gold on its test split and
on all 100 sentences, r2d, a2d) it reads the references `data/processed/tasks/<task>/tgt-<split>.txt`
and every model's `predictions/tasks/<task>/<model>/<split>.txt` (s2a.paths), and scores them with
chemactor_metrics. A circle-review result (`s2a review --out`, s2a.evaluation.circle_review) found
where s2a.paths.task_review_paths looks adds the model's last-round mean score and the judges'
spread. A task without files, or without predictions, has no table, only a line saying so.

Prediction files must cover the whole split (no sampled runs, unlike the S2A table): a length
mismatch makes the row "unreadable", never a silent partial score.

Reference rows quote figures published for ChemActor itself, per task, from configs/evaluation.yaml
`chemactor_reference:` — measured on their own data, so marked "different data, not comparable".
"""
from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from s2a.errors import S2AError
from s2a.evaluation.chemactor_metrics import ChemActorScores, chemactor_scores
from s2a.evaluation.round_trip import markdown_table as round_trip_table, read_rounds
from s2a.formats.predictions import read_meta, read_top1
from s2a.formats.tasks import read_task_pairs
from s2a.paths import round_trip_path, task_predictions_root, task_review_paths

# The tasks of the section, in order; d2a-gold also on "all" (its 100 sentences, train and valid too).
REPORTED_TASKS = ("d2a", "d2a-sentence", "d2a-gold", "r2d", "a2d")
GOLD_ALL = ("d2a-gold", "all")

# (ChemActorScores field, column title), ChemActor's order; all on its 0-100 scale.
TASK_COLUMNS: list[tuple[str, str]] = [
    ("bleu2", "BLEU-2"),
    ("bleu4", "BLEU-4"),
    ("rouge1", "ROUGE-1"),
    ("rouge2", "ROUGE-2"),
    ("rouge_l", "ROUGE-L"),
    ("validity", "valid"),
    ("exact", "100 %"),
    ("at_least_90", "≥ 90 %"),
    ("at_least_75", "≥ 75 %"),
    ("at_least_50", "≥ 50 %"),
    ("action_type_f1", "type F1"),
]
REFERENCE_NOTE = "different data, not comparable"


@dataclass(frozen=True)
class ReviewSummary:
    """A model's circle review, its last round: mean score and judges' spread on 0-1."""

    path: Path
    round: int
    mean: Optional[float]
    spread: Optional[float]
    examples: int
    unparseable_share: float
    separation: Optional[float] = None  # the panel's controls: identical minus another reaction (circle_review)


@dataclass(frozen=True)
class TaskRow:
    model: str
    status: str  # "ok", or why it could not be scored
    scores: Optional[ChemActorScores] = None
    review: Optional[ReviewSummary] = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskTable:
    task: str
    split: str
    n: int  # reference lines
    rows: list[TaskRow]
    reference: Mapping[str, Any] = field(default_factory=dict)  # published figures, or {}

    @property
    def title(self) -> str:
        if (self.task, self.split) == GOLD_ALL:
            return f"{self.task}, all {self.n} sentences"
        return f"{self.task}, {self.split} split ({self.n} examples)"


@dataclass(frozen=True)
class TaskSection:
    split: str
    tables: list[TaskTable]
    missing: list[str]  # one line per task / split without a table, saying why
    references_given: bool
    round_trip: Optional[Path] = None  # `s2a tasks round-trip`'s result for this split, if any


def reported_splits(split: str) -> list[tuple[str, str]]:
    """(task, split) of every table, in the section's order."""
    out = [(t, split) for t in REPORTED_TASKS]
    if split != GOLD_ALL[1]:
        out.insert(out.index(("d2a-gold", split)) + 1, GOLD_ALL)
    return out


def task_models(predictions_dir: Path, task_name: str, split: str) -> list[str]:
    """The models with a `<split>.txt` for a task, by name."""
    folder = task_predictions_root(predictions_dir) / task_name
    return sorted(p.parent.name for p in folder.glob(f"*/{split}.txt")) if folder.is_dir() else []


def read_review(paths: Sequence[Path], model: str, n: int, predictions: Path) -> tuple[Optional[ReviewSummary], str]:
    """The model's last review round from the first result file that names it, and a note.

    A result older than the predictions (made again since) or naming lines beyond the split is
    not shown, and the note says why."""
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        entries = data.get("models") if isinstance(data, dict) else None
        entry = next((m for m in entries or [] if isinstance(m, dict) and m.get("model") == model), None)
        if entry is None:
            continue
        if path.stat().st_mtime < predictions.stat().st_mtime:
            return None, f"circle review {path.name} is older than the predictions (rerun s2a review)"
        indices, rounds = entry.get("indices") or [], entry.get("rounds") or []
        if not rounds or any(not isinstance(i, int) or not 0 <= i < n for i in indices):
            return None, f"circle review {path.name} does not fit this split"
        last = rounds[-1]
        return ReviewSummary(path, int(last.get("round", len(rounds) - 1)), last.get("mean"), last.get("spread"),
                             len(indices), float(last.get("unparseable_share", 0.0)),
                             data.get("control_separation")), ""
    return None, ""


def score_task_model(predictions_dir: Path, task_name: str, model: str, split: str, references: list[str]) -> TaskRow:
    folder = task_predictions_root(predictions_dir) / task_name / model
    top = folder / f"{split}.txt"
    meta = read_meta(folder, split)
    notes = [str(meta[k]) for k in ("profile", "note") if meta.get(k)]
    if meta.get("init_from"):  # s2a tasks train --init-from: on d2a-gold "all", its training sentences are in the score
        notes.append(f"fine-tuned from {'/'.join(Path(str(meta['init_from'])).parts[-3:])}")
    if meta.get("unwritable"):
        notes.append(f"{meta['unwritable']} empty answers (actions not writable)")
    try:
        preds = read_top1(top)
        scores = chemactor_scores(references, preds, task_name)
    except (S2AError, ValueError) as e:
        return TaskRow(model, f"unreadable: {e}", notes=tuple(notes))
    review, review_note = read_review(task_review_paths(task_name, model, split, predictions_dir), model,
                                      len(references), top)
    if review is not None:
        notes.append(f"circle review: round {review.round}, {review.examples} examples, "
                     f"{100 * review.unparseable_share:.0f} % unreadable"
                     + (f", controls separated by {100 * review.separation:.0f} points"
                        if review.separation is not None else ""))
    elif review_note:
        notes.append(review_note)
    return TaskRow(model, "ok", scores, review, tuple(notes))


def task_section(data_dir: Path, predictions_dir: Path, split: str = "test",
                 references: Optional[Mapping[str, Mapping[str, Any]]] = None) -> TaskSection:
    """Every task table that can be made; the others as lines saying why not."""
    references = references or {}
    tables: list[TaskTable] = []
    missing: list[str] = []
    for task_name, task_split in reported_splits(split):
        try:
            _, refs = read_task_pairs(data_dir, task_name, task_split)
        except S2AError as e:
            missing.append(f"{task_name} ({task_split}): no task files ({e}; `s2a data tasks`)")
            continue
        models = task_models(predictions_dir, task_name, task_split)
        if not models:
            missing.append(f"{task_name} ({task_split}): no predictions yet")
            continue
        rows = [score_task_model(predictions_dir, task_name, m, task_split, refs) for m in models]
        tables.append(TaskTable(task_name, task_split, len(refs), rows, dict(references.get(task_name) or {})))
    trip = round_trip_path(split, predictions_dir)
    return TaskSection(split, tables, missing, bool(references), trip if trip.is_file() else None)


# --- rendering -------------------------------------------------------------------------------


def _cell(x: Optional[float], scale: float = 1.0) -> str:
    return "n/a" if x is None else f"{scale * x:.1f}"


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


TASK_HEAD = ["model"] + [t for _, t in TASK_COLUMNS] + ["review", "spread", "notes"]


def task_table(t: TaskTable) -> str:
    """One task's table (markdown): a row per model, then the published reference row if any."""
    lines = [_line(TASK_HEAD), "|" + "---|" * len(TASK_HEAD)]
    for r in t.rows:
        if r.scores is None:
            lines.append(_line([r.model] + [""] * (len(TASK_HEAD) - 2) + ["; ".join((r.status, *r.notes))]))
            continue
        review = [_cell(r.review.mean, 100), _cell(r.review.spread, 100)] if r.review else ["–", "–"]
        lines.append(_line([r.model] + [_cell(getattr(r.scores, k)) for k, _ in TASK_COLUMNS] + review
                           + ["; ".join(r.notes)]))
    if t.reference:
        ref = t.reference
        cells = [f"*{ref.get('label', 'ChemActor (published)')}*"] + [_cell(ref.get(k)) for k, _ in TASK_COLUMNS]
        cells += [_cell(ref.get("review"), 100), "n/a", REFERENCE_NOTE]
        lines.append(_line(cells))
    return "\n".join(lines)


def render_task_section(s: TaskSection) -> str:
    """The section's markdown: what the columns mean, one table per task, the tasks left out."""
    out = ["## ChemActor tasks (its metric suite, 0-100)", "",
           "ChemActor's tasks on our data (`s2a data tasks`), scored with its metrics "
           "(s2a/evaluation/chemactor_metrics.py): BLEU-2/4 with sequences padded to n tokens, ROUGE-1/2/L "
           "F-measure, valid: parses and names no precursor beyond the reference's, 100 % / ≥ x %: normalised "
           "Levenshtein similarity, type F1: action types pooled; valid and type F1 are n/a where the target is "
           "text (r2d, a2d). review / spread: the circle review's last round (`s2a review`, "
           "predictions/tasks/<task>/<model>/<split>.review.json), mean judge score and the judges' spread, ×100. "
           "d2a and d2a-sentence have silver labels (the rule-based extractor's output); d2a-gold has the "
           "hand-checked paragraph2actions sentences.", ""]
    if not s.references_given:
        out += ["ChemActor's own published D2A / R2D figures are not quoted: we have not found them in a source "
                "we could verify (its public code holds no results, and the one third-party summary with a table "
                "could not be traced to the paper). `chemactor_reference:` in configs/evaluation.yaml takes them "
                "per task, shown as a row marked \"different data, not comparable\".", ""]
    for t in s.tables:
        out += [f"### {t.title}", "", task_table(t), ""]
    if s.round_trip is not None:
        data, rounds = read_rounds(s.round_trip)
        out += [f"### Round trip (d2a {data['split']}, {len(data['indices'])} paragraphs)", "",
                f"The circle review's second reading (`s2a tasks round-trip`, {s.round_trip}): D2A "
                f"({data['d2a']}) reads the paragraphs into actions, A2D ({data['a2d']}) writes them back as "
                "paragraphs, D2A reads those, and so on; mean similarity ×100 of each round's actions to round 1's "
                "and to the gold (silver labels), and how many answers equal the round before's.", "",
                round_trip_table(rounds), ""]
    if s.missing:
        out += ["Not shown: " + "; ".join(s.missing) + ".", ""]
    return "\n".join(out)


def write_task_csv(s: TaskSection, path: Path) -> Path:
    """One row per task, split and model: ChemActor's metrics and the review's last round."""
    fields = ["task", "split", "model", "status", "n"] + [k for k, _ in TASK_COLUMNS] + ["review_mean", "review_spread"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for t in s.tables:
            for r in t.rows:
                row: dict[str, Any] = {"task": t.task, "split": t.split, "model": r.model, "status": r.status}
                if r.scores is not None:
                    row.update({k: v for k, v in r.scores.as_dict().items() if k in fields})
                if r.review is not None:
                    row.update(review_mean=r.review.mean, review_spread=r.review.spread)
                w.writerow(row)
            if t.reference:
                w.writerow({"task": t.task, "split": t.split, "model": t.reference.get("label", "ChemActor"),
                            "status": f"reference ({REFERENCE_NOTE})",
                            **{k: t.reference[k] for k, _ in TASK_COLUMNS if k in t.reference}})
    return path

"""The rule-based extractor (preprocessing.text_actions) as a D2A "model": `s2a tasks predict-rules`.

It reads a D2A task's `src-<split>.txt` (s2a.formats.tasks: procedure paragraphs for `d2a`,
sentences for `d2a-sentence` and `d2a-gold`) and writes its actions as prediction files,
`predictions/tasks/<task>/rules/<split>.{txt,nbest.jsonl,meta.json}` (s2a.paths,
s2a.formats.predictions), so the report scores it like any other model.

The lines are made exactly as `s2a data tasks` makes the silver labels (preprocessing.tasks):
a paragraph's actions without NOACTION, a sentence's actions with it. So on `d2a` and
`d2a-sentence` the extractor reproduces its own labels (100 % by construction, said in the
meta data and the report); its informative figures are on `d2a-gold` test, the hand-checked
sentences it was not written on (on the sample's train and valid sentences it was).
A line whose actions cannot be written in the `tgt` format (an action's text contains ';') is an
empty prediction, counted in the meta data — as a model's missing answer, never dropped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from paragraph2actions.actions import Action, NoAction

from preprocessing.tasks import actions_line
from preprocessing.text_actions import paragraph_actions, sentence_actions
from s2a.errors import TokenizationError, UnknownTask
from s2a.formats.predictions import Hypothesis, write_meta, write_predictions
from s2a.formats.splits import read_lines
from s2a.formats.tasks import TASKS, task, task_dir
from s2a.paths import PREDICTIONS_DIR, task_predictions_dir

MODEL_NAME = "rules"
# The tasks whose labels `s2a data tasks` writes with this same extractor (preprocessing.tasks).
SILVER_TASKS = ("d2a", "d2a-sentence")
SILVER_NOTE = "silver labels are this extractor's own output: 100 % by construction (see d2a-gold)"
# The gold sample's train and valid sentences are the ones the extractor was written on
# (s2a.formats.tasks.load_gold): on them it is not a held-out score.
FITTED_NOTE = "includes the sample's train + valid sentences, which the rules were written on; test is held out"


def rule_note(task_name: str, split: str) -> str:
    """What a reader must know next to the extractor's figures on this task and split ('' if nothing)."""
    if task_name in SILVER_TASKS:
        return SILVER_NOTE
    if task_name == "d2a-gold" and split != "test":
        return FITTED_NOTE
    return ""


def d2a_tasks() -> list[str]:
    """The tasks from text to actions, the ones the extractor can answer."""
    return [t.name for t in TASKS.values() if t.source == "text" and t.target == "actions"]


@dataclass(frozen=True)
class RulePredictions:
    task: str
    split: str
    path: Path  # the top-1 file
    n: int
    unwritable: int  # lines predicted empty: an action's text contains ';'
    seconds: float


def predict_line(text: str, level: str) -> tuple[str, bool]:
    """(the `tgt` line for one source line, whether it could be written)."""
    actions: list[Action]
    if level == "paragraph":
        actions = [a for a in paragraph_actions(text) if not isinstance(a, NoAction)]
    else:
        actions = sentence_actions(text)
    try:
        return actions_line(actions), True
    except TokenizationError:
        return "", False


def predict_rules(data_dir: Path, task_name: str, split: str = "test",
                  predictions_dir: Path = PREDICTIONS_DIR) -> RulePredictions:
    """The extractor's answers to every source line of a D2A task's split, written as predictions."""
    spec = task(task_name)
    if task_name not in d2a_tasks():
        raise UnknownTask(task_name, d2a_tasks())
    src = read_lines(task_dir(data_dir, task_name) / f"src-{split}.txt")
    start = time.perf_counter()
    lines: list[str] = []
    unwritable = 0
    for text in src:
        line, ok = predict_line(text, spec.level)
        lines.append(line)
        unwritable += not ok
    seconds = time.perf_counter() - start
    out_dir = task_predictions_dir(task_name, MODEL_NAME, predictions_dir)
    top = write_predictions(out_dir, split, src, [[Hypothesis(line)] for line in lines])
    meta = {"model": MODEL_NAME, "profile": "rule-based extractor (preprocessing/text_actions.py)",
            "task": task_name, "split": split, "level": spec.level, "n": len(src), "unwritable": unwritable,
            "seconds": round(seconds, 3), "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    if rule_note(task_name, split):
        meta["note"] = rule_note(task_name, split)
    write_meta(out_dir, split, meta)
    return RulePredictions(task_name, split, top, len(src), unwritable, seconds)

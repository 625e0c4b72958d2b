"""`s2a tasks predict-rules`: the rule-based extractor's answers to a D2A task (preprocessing.rule_predictions)."""
from __future__ import annotations

from pathlib import Path

import click

from s2a.paths import DATA_DIR, PREDICTIONS_DIR


@click.group("tasks")
def tasks() -> None:
    """ChemActor's tasks beside S2A (the task files: `s2a data tasks`; scored by `s2a compare`)."""


@tasks.command("predict-rules")
@click.option("--task", "task_name", default="d2a-gold", show_default=True,
              help="A task from text to actions: d2a, d2a-sentence, d2a-gold.")
@click.option("--split", default="test", show_default=True, help="train, valid, test (d2a-gold also: all).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
              help="The processed data, with tasks/<task>/src-SPLIT.txt.")
@click.option("--predictions-dir", type=click.Path(path_type=Path), default=PREDICTIONS_DIR, show_default=True,
              help="Writes tasks/TASK/rules/SPLIT.txt (+ .nbest.jsonl, .meta.json) under it.")
def predict_rules(task_name: str, split: str, data_dir: Path, predictions_dir: Path) -> None:
    """Write the rule-based extractor's actions for every line of TASK's SPLIT as predictions.

    \b
    s2a tasks predict-rules --task d2a-gold --split test
    s2a tasks predict-rules --task d2a-gold --split all

    On d2a and d2a-sentence it reproduces its own silver labels (100 % by construction)."""
    from preprocessing.rule_predictions import predict_rules as run

    result = run(data_dir, task_name, split, predictions_dir)
    if result.unwritable:
        click.echo(f"{result.unwritable} of {result.n} lines predicted empty (an action's text contains ';')", err=True)
    click.echo(f"{result.n} predictions in {result.seconds:.1f} s: {result.path}")


commands = [tasks]

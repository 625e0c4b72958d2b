"""`s2a tasks train|predict MODEL --task TASK`: the models of ChemActor's tasks (s2a.models.TASK_REGISTRY);
`s2a tasks predict-rules`: the rule-based extractor's answers to a D2A task (preprocessing.rule_predictions)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from s2a.cli.models import data_opt, profile_opt, seed_opt, work_opt
from s2a.models import TASK_REGISTRY
from s2a.paths import DATA_DIR, PREDICTIONS_DIR, run_name, task_model_dir, task_predictions_dir


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


task_model_arg = click.argument("model", type=click.Choice(sorted(TASK_REGISTRY)))
task_opt = click.option("--task", "task_name", default="d2a", show_default=True,
                        help="d2a, d2a-sentence, d2a-gold (text -> actions), a2d (actions -> text), r2d (reaction -> text).")


def task_model_options(command: Callable[..., None]) -> Callable[..., None]:
    """MODEL, --task and the options of `s2a train` (data, work dir, profile, seed)."""
    for option in (seed_opt, profile_opt, work_opt, data_opt, task_opt, task_model_arg):
        command = option(command)
    return command


def _task_model(model: str, task_name: str, data_dir: Path, work_dir: Path | None, profile: str, seed: int):  # type: ignore[no-untyped-def]
    from s2a.formats.tasks import task_dir
    from s2a.models import ModelPaths, task_model_class

    paths = ModelPaths(task_dir(data_dir, task_name), work_dir or task_model_dir(task_name, model, profile))
    return task_model_class(model)(paths, profile=profile, seed=seed, task=task_name)  # type: ignore[call-arg]


@tasks.command("train")
@task_model_options
@click.option("--init-from", type=click.Path(path_type=Path), default=None,
              help="Start from the weights of another trained model of MODEL's family (its work dir), "
                   "e.g. models/tasks/d2a-sentence/llm; that model is part of this one's stamp (llm: "
                   "a retrained parent retrains it). A family that cannot start from another model "
                   "stops with an error (exit code 2).")
def train(model: str, task_name: str, data_dir: Path, work_dir: Path | None, profile: str, seed: int,
          init_from: Path | None) -> None:
    """Train MODEL on TASK's training split (resumes if interrupted).

    \b
    s2a tasks train transformer --task d2a          # configs/transformer-text-cpu.yaml
    s2a tasks train llm --task d2a-sentence         # configs/llm-text-cpu.yaml
    s2a tasks train llm --task d2a-gold --init-from models/tasks/d2a-sentence/llm
    Work dir: models/tasks/TASK/MODEL (MODEL-PROFILE for a profile other than cpu)."""
    family = _task_model(model, task_name, data_dir, work_dir, profile, seed)
    if init_from is not None:
        family.init_from(init_from)
    family.train()


@tasks.command("predict")
@task_model_options
@click.option("--split", "split_name", default="test", show_default=True, help="train, valid, test (d2a-gold also: all).")
@click.option("-n", "--n-best", default=1, show_default=True)
@click.option("--predictions-dir", type=click.Path(path_type=Path), default=PREDICTIONS_DIR, show_default=True,
              help="Writes tasks/TASK/MODEL/SPLIT.txt (+ .nbest.jsonl, .meta.json) under it, where `s2a compare` reads it.")
def predict(model: str, task_name: str, data_dir: Path, work_dir: Path | None, profile: str, seed: int,
            split_name: str, n_best: int, predictions_dir: Path) -> None:
    """Predict every line of TASK's SPLIT with a trained MODEL (the whole split: the report scores no samples)."""
    from s2a.predict_split import predict_split as run

    family = _task_model(model, task_name, data_dir, work_dir, profile, seed)
    out = run(family, split_name, n_best, task_predictions_dir(task_name, run_name(model, profile), predictions_dir))
    click.echo(f"wrote {out}", err=True)


@tasks.command("round-trip")
@click.option("--d2a", "d2a_model", type=click.Choice(["rules", *sorted(TASK_REGISTRY)]), default="rules",
              show_default=True, help="What reads paragraphs into actions: rules (the extractor) or a task "
                                      "model family trained on the d2a task.")
@click.option("--a2d", "a2d_model", type=click.Choice(sorted(TASK_REGISTRY)), default="transformer", show_default=True,
              help="The task model family, trained on a2d, that writes actions back as paragraphs.")
@click.option("--d2a-work-dir", type=click.Path(path_type=Path), default=None,
              help="The D2A model's folder [default: models/tasks/d2a/MODEL].")
@click.option("--a2d-work-dir", type=click.Path(path_type=Path), default=None,
              help="The A2D model's folder [default: models/tasks/a2d/MODEL].")
@data_opt
@profile_opt
@click.option("--split", default="test", show_default=True, help="Of the d2a task: train, valid, test.")
@click.option("--sample-size", type=click.IntRange(min=1), default=50, show_default=True,
              help="Paragraphs, one seeded sample.")
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Readings into actions (round 1 reads the original paragraphs).")
@seed_opt
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Result JSON; every round's texts and actions go beside it (.rounds.jsonl) "
                   "[default: predictions/tasks/round-trip/SPLIT.json, where s2a compare looks].")
def round_trip(d2a_model: str, a2d_model: str, d2a_work_dir: Path | None, a2d_work_dir: Path | None, data_dir: Path,
               profile: str, split: str, sample_size: int, rounds: int, seed: int, out: Path | None) -> None:
    """The circle review's second reading: paragraphs -> actions -> paragraphs -> ... with the D2A and
    A2D models; how similar each round's actions stay to round 1's and to the gold.

    \b
    s2a tasks train transformer --task a2d
    s2a tasks round-trip --d2a rules --a2d transformer --sample-size 50 --rounds 3"""
    from s2a.evaluation.round_trip import markdown_table
    from s2a.paths import round_trip_path
    from s2a.task_round_trip import RULES, model_translator, rules_translator, run_round_trip, write_round_trip

    if d2a_model == RULES:
        to_actions, d2a_name = rules_translator(), RULES
    else:
        d2a = _task_model(d2a_model, "d2a", data_dir, d2a_work_dir, profile, seed)
        to_actions, d2a_name = model_translator(d2a), str(d2a.paths.work_dir)
    a2d = _task_model(a2d_model, "a2d", data_dir, a2d_work_dir, profile, seed)
    run = run_round_trip(data_dir, split, to_actions, model_translator(a2d), sample_size, seed, rounds,
                         (d2a_name, str(a2d.paths.work_dir)), progress=lambda line: click.echo(line, err=True))
    result, examples = write_round_trip(run, out or round_trip_path(split))
    click.echo(markdown_table(run.result.rounds))
    click.echo(f"round trip: {result}\nexamples: {examples}")


commands = [tasks]

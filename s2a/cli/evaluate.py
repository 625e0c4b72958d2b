"""`s2a compare` (the comparison report) and `s2a predict` (procedures for new reactions)."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Optional, TextIO

import click

from s2a.paths import DATA_DIR, MODELS_DIR, PREDICTIONS_DIR, REPORTS_DIR, model_dir


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
              help="Processed splits with src-/tgt-SPLIT.txt.")
@click.option("--predictions-dir", type=click.Path(path_type=Path), default=PREDICTIONS_DIR, show_default=True,
              help="One folder per model with SPLIT.txt (+ .nbest.jsonl, SPLIT.meta.json).")
@click.option("--models-dir", type=click.Path(path_type=Path), default=MODELS_DIR, show_default=True,
              help="Trained models (their learning curves and the data-selection ablation).")
@click.option("--out-dir", type=click.Path(path_type=Path), default=REPORTS_DIR, show_default=True)
@click.option("--split", default="test", show_default=True)
@click.option("--transfer/--no-transfer", default=True, show_default=True,
              help="Also score the models' answers to the public Smiles2Actions sample (configs/evaluation.yaml; "
                   "made by `s2a predict-split MODEL --split transfer`).")
@click.option("--sample-dir", type=click.Path(path_type=Path), default=None,
              help="The sample for the transfer check [default: from configs/evaluation.yaml].")
def compare(data_dir: Path, predictions_dir: Path, models_dir: Path, out_dir: Path, split: str, transfer: bool,
            sample_dir: Optional[Path]) -> None:
    """Score every model's predictions and write reports/comparison.md (+ .csv, figures)."""
    from s2a.evaluation.report import EvaluationSettings, collapse_table, metrics_table, same_sample_tables, write_report
    from s2a.evaluation.report import compare as run
    from s2a.evaluation.task_report import task_table

    settings = EvaluationSettings.from_yaml()
    if sample_dir is not None:
        settings = dataclasses.replace(settings, sample_dir=sample_dir)
    comparison = run(data_dir, predictions_dir, split, settings, transfer, models_dir)
    path = write_report(comparison, out_dir, models_dir)
    click.echo(metrics_table(comparison))
    click.echo("\ncollapse check:\n" + collapse_table(comparison))
    if any(r.subset for r in comparison.scored):
        click.echo("\n" + same_sample_tables(comparison))
    if comparison.ablation:
        click.echo(f"\ndata selection ablation: {comparison.ablation}")
    if comparison.framework_ablation:
        click.echo(f"\nChemActor data framework ablation: {comparison.framework_ablation}")
    click.echo(f"\ntransfer check: {comparison.transfer_note}")
    if comparison.tasks is not None:
        for table in comparison.tasks.tables:
            click.echo(f"\nChemActor task {table.title}:\n" + task_table(table))
        if not comparison.tasks.tables:
            click.echo("ChemActor tasks: no task predictions yet (`make tasks task-rules`; README, Comparing with ChemActor)")
        elif comparison.tasks.missing:
            click.echo("ChemActor tasks not shown: " + "; ".join(comparison.tasks.missing))
    click.echo(f"report: {path}")


def _queries_from(stream: TextIO) -> list[tuple[int, str]]:
    return [(i, line) for i, line in enumerate(stream, 1) if line.strip()]


@click.command()
@click.argument("reaction", required=False)
@click.option("-m", "--model", default="transformer", show_default=True, help="A registered model family.")
@click.option("-i", "--input", "input_file", type=click.File("r", encoding="utf-8"), default=None,
              help="One reaction per line ('-' for stdin): 'SMILES' or 'SMILES<TAB>name1;name2;...'.")
@click.option("--names", default="", help="Compound names for REACTION, ';'-separated, in the order the "
              "compounds appear (products included; fewer is fine, an empty entry keeps the SMILES).")
@click.option("-n", "--n-best", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per reaction and line (JSON Lines).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True)
@click.option("--work-dir", type=click.Path(path_type=Path), default=None,
              help="Checkpoints / index of the model [default: models/MODEL].")
@click.option("--profile", default="cpu", show_default=True)
@click.option("--seed", default=42, show_default=True)
def predict(reaction: Optional[str], model: str, input_file: Optional[TextIO], names: str, n_best: int, fmt: str,
            data_dir: Path, work_dir: Optional[Path], profile: str, seed: int) -> None:
    """Predict the procedure of REACTION (or of each line of --input / stdin) with a trained model.

    \b
    s2a predict "CC(=O)Cl.OCC>>CC(=O)OCC" --names "acetyl chloride;ethanol" -n 3
    s2a predict --input reactions.txt --format json

    Positions in the prediction are replaced by the input's molecules (names where given), ranges by
    representative values (configs/procedure.yaml). Exit code 0 if every reaction was predicted; 2 if
    a reaction could not be read: alone it is a one-line error, in a batch the bad line is reported
    on stderr, the others are still predicted and printed, and the exit code is 2 at the end.
    """
    from s2a.api import ProcedurePredictor, ReactionQuery, split_names

    if reaction is not None and input_file is not None:
        raise click.UsageError("give either REACTION or --input, not both")
    if reaction is None and input_file is None and sys.stdin.isatty():
        raise click.UsageError("give a REACTION, --input FILE, or reactions on stdin")
    if names and reaction is None:
        raise click.UsageError("--names goes with a single REACTION; in a file put names after a TAB")
    predictor = ProcedurePredictor(model, data_dir=data_dir, work_dir=work_dir or model_dir(model, profile),
                                   profile=profile, seed=seed)
    if reaction is not None:
        lines = [(0, reaction)]
        queries = [ReactionQuery(reaction.strip(), split_names(names))]
    else:
        lines = _queries_from(input_file or sys.stdin)
        queries = [ReactionQuery.from_line(text) for _, text in lines]
    results = predictor.predict(queries, n_best=n_best)
    if reaction is not None and not results[0].ok:
        raise results[0].error  # type: ignore[union-attr]
    failed = 0
    for (lineno, _), result in zip(lines, results):
        if not result.ok:
            failed += 1
            click.echo(f"error: line {lineno}: {result.error}", err=True)  # type: ignore[union-attr]
        if fmt == "json":
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.ok:
            click.echo(result.to_text() + "\n")  # type: ignore[union-attr]
    if failed:
        click.echo(f"{failed} of {len(results)} reactions could not be read", err=True)
        sys.exit(2)


commands = [compare, predict]

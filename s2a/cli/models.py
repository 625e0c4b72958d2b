"""`s2a train MODEL` and `s2a predict-split MODEL`: every family through the same registry."""
from __future__ import annotations

from pathlib import Path

import click

from s2a.formats.splits import TRANSFER_SPLIT
from s2a.models import REGISTRY
from s2a.paths import DATA_DIR, model_dir, predictions_dir


def _model(name: str, data_dir: Path, work_dir: Path | None, profile: str, seed: int):  # type: ignore[no-untyped-def]
    from s2a.models import ModelPaths, model_class

    return model_class(name)(ModelPaths(data_dir, work_dir or model_dir(name, profile)), profile=profile, seed=seed)


model_arg = click.argument("model", type=click.Choice(sorted(REGISTRY)))
data_opt = click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
                        help="Processed splits (src-/tgt-*.txt) from `s2a data split`.")
work_opt = click.option("--work-dir", type=click.Path(path_type=Path), default=None,
                        help="Checkpoints / index of this model [default: models/MODEL, models/MODEL-PROFILE for a profile other than cpu].")
profile_opt = click.option("--profile", default="cpu", show_default=True,
                           help="Training profile: cpu (minutes on a laptop), paper (published settings), ...")
seed_opt = click.option("--seed", default=42, show_default=True)


@click.command()
@model_arg
@data_opt
@work_opt
@profile_opt
@seed_opt
def train(model: str, data_dir: Path, work_dir: Path | None, profile: str, seed: int) -> None:
    """Train MODEL on the processed training split (resumes if interrupted)."""
    _model(model, data_dir, work_dir, profile, seed).train()


@click.command("predict-split")
@model_arg
@data_opt
@work_opt
@profile_opt
@seed_opt
@click.option("--split", "split_name", default="test", show_default=True,
              help=f"A split of --data-dir, or '{TRANSFER_SPLIT}': the reactions of the public Smiles2Actions "
                   "sample (configs/evaluation.yaml), for the report's transfer check.")
@click.option("-n", "--n-best", default=10, show_default=True)
@click.option("--output-dir", type=click.Path(path_type=Path), default=None,
              help="[default: predictions/MODEL, predictions/MODEL-PROFILE for a profile other than cpu]")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="Predict a seeded random sample of this many reactions (the report scores the model on "
                   "those and says so); 0 = the whole split [default: the model's own, e.g. the llm cpu "
                   "profile's split_limit, else the whole split].")
def predict_split(model: str, data_dir: Path, work_dir: Path | None, profile: str, seed: int,
                  split_name: str, n_best: int, output_dir: Path | None, limit: int | None) -> None:
    """Predict the n best action sequences for every reaction of a split and write them to files."""
    from s2a.predict_split import predict_split as run

    src = None
    if split_name == TRANSFER_SPLIT:
        from s2a.evaluation.report import EvaluationSettings
        from s2a.formats.splits import transfer_sources

        settings = EvaluationSettings.from_yaml()
        src = transfer_sources(settings.sample_dir, settings.transfer_splits)
        if src is None:
            click.echo(f"skipped: {settings.sample_dir} not found (no transfer check)", err=True)
            return
        limit = 0
    family = _model(model, data_dir, work_dir, profile, seed)
    if limit is None:
        limit = family.split_limit()
    out = run(family, split_name, n_best, output_dir or predictions_dir(model, profile), limit or None, src=src)
    click.echo(f"wrote {out}", err=True)


commands = [train, predict_split]

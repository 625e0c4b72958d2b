"""The interface every model family implements: train on the processed splits, predict n-best."""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class Hypothesis:
    """One predicted action sequence in `tgt` format (tokenised actions joined by ' ; ')."""

    actions: str
    score: float = 0.0


@dataclass
class ModelPaths:
    """Where a model family reads its data and keeps its artefacts.

    data_dir: the processed splits (`src-{train,valid,test}.txt`, `tgt-*.txt`, `*.jsonl`).
    work_dir: checkpoints, vocabularies, indices of this model (e.g. `models/transformer`).
    """

    data_dir: Path
    work_dir: Path


class ActionModel(abc.ABC):
    """A model family. Subclasses are registered by name in `s2a.models.registry`."""

    name: str = ""

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42) -> None:
        self.paths = paths
        self.profile = profile
        self.seed = seed

    @abc.abstractmethod
    def train(self) -> None:
        """Train (or build the index) from `paths.data_dir`; resume if interrupted."""

    @abc.abstractmethod
    def predict(self, src: Sequence[str], n_best: int = 1) -> list[list[Hypothesis]]:
        """Predict up to `n_best` hypotheses per tokenised source line (best first).

        `src` lines are tokenised canonical reaction SMILES exactly as in `src-*.txt`.
        """

    def split_limit(self) -> Optional[int]:
        """How many reactions of a split `s2a predict-split` asks for by default (None: all).

        Families too slow to decode a whole split in their profile (the LLM on CPU) return a
        sample size; the report then scores them on that sample and says so.
        """
        return None

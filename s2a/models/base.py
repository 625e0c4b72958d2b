"""The interface every model family implements: train on the processed splits, predict n-best.

`predict` is the same for every family: it checks its input (n_best >= 1, no empty source line),
asks the family for its hypotheses (`_predict`), and, for families that rank hypotheses of their
own, applies the profile's ranking (s2a.models.ranking): the raw decoder order stays available
through `predict_ranked` for the paper-faithful figures.
"""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from s2a.errors import TokenizationError, UnsupportedOption
from s2a.formats.predictions import Hypothesis
from s2a.formats.targets import Counts, reaction_counts
from s2a.models.ranking import Ranking

__all__ = ["ActionModel", "Hypothesis", "ModelPaths"]


@dataclass
class ModelPaths:
    """Where a model family reads its data and keeps its artefacts.

    data_dir: the processed splits (`src-{train,valid,test}.txt`, `tgt-*.txt`, `*.jsonl`).
    work_dir: checkpoints, vocabularies, indices of this model (e.g. `models/transformer`).
    """

    data_dir: Path
    work_dir: Path


Ranked = tuple[list[list[Hypothesis]], list[list[Hypothesis]]]


class ActionModel(abc.ABC):
    """A model family. Subclasses are registered by name in `s2a.models.REGISTRY`."""

    name: str = ""

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42) -> None:
        self.paths = paths
        self.profile = profile
        self.seed = seed
        self._neighbour_model: Optional[ActionModel] = None  # the nn model of `neighbours`, loaded once

    @abc.abstractmethod
    def train(self) -> None:
        """Train (or build the index) from `paths.data_dir`; resume if interrupted."""

    @abc.abstractmethod
    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        """Up to `n_best` hypotheses per (checked, non-empty) source line, in the family's own order."""

    def init_from(self, parent: Path) -> None:
        """Train from `parent`'s weights (another trained model of this family, its work dir)
        rather than from the family's usual start; part of what makes this model current, so a
        retrained parent retrains it. Families that cannot raise UnsupportedOption (the default)."""
        raise UnsupportedOption(self.name, "--init-from", "this family cannot start from another model's weights yet")

    def _predict_constrained(self, src: Sequence[str], n_best: int, counts: Sequence[Counts]) -> Optional[list[list[Hypothesis]]]:
        """Hypotheses that use only the positional tokens of each line's reaction, or None where the
        family's decoder cannot be constrained (then the ranking re-ranks unconstrained lists)."""
        return None

    def ranking(self) -> Optional[Ranking]:
        """How hypotheses are re-ranked after decoding (None: the family's order is final)."""
        return None

    def predict(self, src: Sequence[str], n_best: int = 1) -> list[list[Hypothesis]]:
        """Up to `n_best` hypotheses per tokenised source line (best first).

        `src` lines are tokenised canonical reaction SMILES exactly as in `src-*.txt`.
        """
        return self.predict_ranked(src, n_best)[0]

    def predict_ranked(self, src: Sequence[str], n_best: int = 1) -> Ranked:
        """(chosen ranking, raw decoder ranking), each up to `n_best` hypotheses per line."""
        if isinstance(n_best, bool) or not isinstance(n_best, int) or n_best < 1:
            raise ValueError(f"n_best must be an integer >= 1, got {n_best!r}")
        for line in src:
            if not line.strip():
                raise TokenizationError(line, "empty source line")
        if not src:
            return [], []
        ranking = self.ranking()
        if ranking is None:
            hyps = self._predict(src, n_best)
            return hyps, hyps
        width = max(n_best, ranking.width)
        wide = None
        if ranking.constrain:
            wide = self._predict_constrained(src, width, [reaction_counts(line) for line in src])
        if wide is None:
            wide = self._predict(src, width)
            raw = [h[:n_best] for h in wide]
        else:
            raw = self._predict(src, n_best)
        neighbours = self.neighbours(src, ranking.neighbours) if ranking.neighbours else [[] for _ in src]
        chosen = [ranking.rank(line, h, n)[:n_best] for line, h, n in zip(src, wide, neighbours)]
        return chosen, raw

    def neighbour_settings(self) -> Any:
        """Where this model's nearest training reactions come from (a RetrievalSettings: by default
        the nn model beside this model's folder, models/nn)."""
        from s2a.models.retrieval_input import RetrievalSettings

        return RetrievalSettings()

    def neighbours(self, src: Sequence[str], k: int) -> list[list[Hypothesis]]:
        """The `k` nearest training reactions' distinct sequences of each line, scored by cosine
        (the nn model, trained first when it is not: fingerprints of the training split)."""
        from s2a.models.retrieval_input import NeighbourInput

        nn = self._neighbour_model
        if nn is None:
            nn = NeighbourInput.of_model(Path(self.paths.data_dir), Path(self.paths.work_dir), self.neighbour_settings()).nn
            nn.train()
            self._neighbour_model = nn
        return nn.predict(list(src), n_best=k)

    def describe(self) -> dict[str, Any]:
        """What a prediction file's meta data and `GET /models` say of this model beyond its name."""
        ranking = self.ranking()
        return {"ranking": ranking.describe()} if ranking else {}

    def split_limit(self) -> Optional[int]:
        """How many reactions of a split `s2a predict-split` asks for by default (None: all).

        Families too slow to decode a whole split in their profile (the LLM on CPU) return a
        sample size; the report then scores them on that sample and says so.
        """
        return None

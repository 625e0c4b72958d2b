"""Python API: predict the procedure of reactions given as SMILES, the way `s2a predict` does.

    >>> from s2a import predict_procedure
    >>> p = predict_procedure("CC(=O)Cl.OCC>>CC(=O)OCC", model="transformer", names=["acetyl chloride", "ethanol"])
    >>> print(p.to_text())

Input reactions are canonicalised as the data pipeline does (s2a.formats.reaction.canonical_reaction), so
the positional tokens of the prediction (`$k$`) refer to the sorted canonical precursors. Names
are given in the order the compounds appear in the input SMILES (reactants, agents, products);
fewer names than compounds is fine (the rest are shown as SMILES), an empty name means "use the
SMILES". The model is loaded once per ProcedurePredictor and predicts a batch in one call.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from rxn.chemutils.reaction_smiles import parse_any_reaction_smiles

from s2a.errors import InvalidNames, InvalidReaction, PredictionMismatch, UserError
from s2a.formats.targets import is_valid
from s2a.models import ActionModel, ModelPaths, model_class
from s2a.paths import DATA_DIR, MODELS_DIR, run_name
from s2a.procedure import RangeValues, render_steps
from s2a.formats.reaction import CanonicalReaction, canonical_molecule, canonical_reaction

NAME_SEPARATOR = ";"


@dataclass(frozen=True)
class ReactionQuery:
    """One reaction to predict: SMILES as given and optional compound names."""

    smiles: str
    names: tuple[str, ...] = ()

    @classmethod
    def from_line(cls, line: str) -> "ReactionQuery":
        """'SMILES' or 'SMILES<TAB>name1;name2;...' (names in the order of the compounds)."""
        smiles, _, names = line.rstrip("\n").partition("\t")
        return cls(smiles.strip(), split_names(names))


def split_names(text: str) -> tuple[str, ...]:
    """'acetyl chloride;ethanol' -> ('acetyl chloride', 'ethanol'). ';' because names hold commas."""
    if not text.strip():
        return ()
    return tuple(n.strip() for n in text.split(NAME_SEPARATOR))


def compound_names(smiles: str, names: Sequence[str]) -> dict[str, str]:
    """Canonical SMILES -> name for the named compounds of a reaction (first name wins)."""
    if not names:
        return {}
    try:
        equation = parse_any_reaction_smiles(smiles.strip())
    except Exception as e:
        raise InvalidReaction(smiles, f"cannot parse ({e})") from None
    compounds = [c for c in [*equation.reactants, *equation.agents, *equation.products] if c]
    if len(names) > len(compounds):
        raise InvalidNames(list(names), len(compounds), smiles)
    out: dict[str, str] = {}
    for compound, name in zip(compounds, names):
        if name:
            out.setdefault(canonical_molecule(compound), name)
    return out


@dataclass(frozen=True)
class PredictedProcedure:
    actions: str  # `tgt` format, positional and range tokens as the model wrote them
    score: float
    valid: bool
    steps: tuple[str, ...]  # readable, molecules and representative values filled in

    def as_dict(self) -> dict[str, Any]:
        return {"actions": self.actions, "score": self.score, "valid": self.valid, "steps": list(self.steps)}


@dataclass(frozen=True)
class ReactionPrediction:
    query: ReactionQuery
    reaction: CanonicalReaction
    names: dict[str, str]
    procedures: tuple[PredictedProcedure, ...]
    ok: bool = field(default=True, init=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "input": self.query.smiles,
            "ok": True,
            "canonical": self.reaction.smiles,
            "precursors": list(self.reaction.precursors),
            "products": list(self.reaction.products),
            "names": self.names,
            "predictions": [p.as_dict() for p in self.procedures],
        }

    def to_text(self) -> str:
        lines = [f"Reaction: {self.query.smiles}", f"Canonical: {self.reaction.smiles}"]
        for k, p in enumerate(self.procedures, 1):
            flag = "" if p.valid else " [invalid: does not parse or does not use every compound]"
            lines.append(f"Prediction {k} (score {p.score + 0.0:.3f}){flag}:")
            lines += [f"  {i}. {s}." for i, s in enumerate(p.steps, 1)]
        if not self.procedures:
            lines.append("(the model gave no prediction)")
        return "\n".join(lines)


@dataclass(frozen=True)
class FailedReaction:
    query: ReactionQuery
    error: UserError
    ok: bool = field(default=False, init=False)

    def as_dict(self) -> dict[str, Any]:
        return {"input": self.query.smiles, "ok": False, "error": str(self.error)}


Result = Union[ReactionPrediction, FailedReaction]


class ProcedurePredictor:
    """A trained model from the registry, loaded once, answering reactions given as SMILES."""

    def __init__(self, model: str = "transformer", data_dir: Path = DATA_DIR, models_dir: Path = MODELS_DIR,
                 work_dir: Optional[Path] = None, profile: str = "cpu", seed: int = 42,
                 values: Optional[RangeValues] = None) -> None:
        self.model_name = model
        self.paths = ModelPaths(Path(data_dir), Path(work_dir) if work_dir else Path(models_dir) / run_name(model, profile))
        self.profile = profile
        self.seed = seed
        self.values = values
        self._model: Optional[ActionModel] = None

    @property
    def model(self) -> ActionModel:
        if self._model is None:
            self._model = model_class(self.model_name)(self.paths, profile=self.profile, seed=self.seed)
        return self._model

    def predict(self, queries: Sequence[ReactionQuery], n_best: int = 1) -> list[Result]:
        """One result per query, in order; a query that cannot be read is a FailedReaction."""
        results: list[Optional[Result]] = [None] * len(queries)
        good: list[tuple[int, ReactionQuery, CanonicalReaction, dict[str, str]]] = []
        for i, q in enumerate(queries):
            try:
                good.append((i, q, canonical_reaction(q.smiles), compound_names(q.smiles, q.names)))
            except UserError as e:
                results[i] = FailedReaction(q, e)
        if good:
            hyps = self.model.predict([r.tokens for _, _, r, _ in good], n_best=n_best)
            if len(hyps) != len(good):
                raise PredictionMismatch("prediction lists", len(good), len(hyps), self.model_name)
            for (i, q, reaction, names), hs in zip(good, hyps):
                procedures = tuple(
                    PredictedProcedure(
                        actions=h.actions,
                        score=float(h.score),
                        valid=is_valid(h.actions, reaction.tokens),
                        steps=tuple(render_steps(h.actions, reaction.precursors, reaction.products, names,
                                                 self.values)),
                    )
                    for h in hs[:n_best]
                )
                results[i] = ReactionPrediction(q, reaction, names, procedures)
        return [r for r in results if r is not None]


def predict_procedure(reaction: str, model: str = "transformer", n_best: int = 1,
                      names: Optional[Sequence[str]] = None, **predictor_options: Any) -> ReactionPrediction:
    """Predict the procedure of one reaction; raises the UserError if it cannot be read."""
    result = ProcedurePredictor(model, **predictor_options).predict(
        [ReactionQuery(reaction, tuple(names or ()))], n_best=n_best)[0]
    if isinstance(result, FailedReaction):
        raise result.error
    return result

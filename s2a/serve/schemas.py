"""The JSON the API reads and writes (pydantic models: FastAPI's OpenAPI docs come from them)."""
from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from s2a.api import PredictedProcedure, ReactionPrediction, split_names

MAX_N_BEST = 50
MAX_BATCH = 256
MAX_REACTION_CHARS = 4_000

Names = Union[list[str], str]


def _names(value: Names) -> list[str]:
    if isinstance(value, str):
        return list(split_names(value))
    return [str(v).strip() for v in value]


class ReactionIn(BaseModel):
    """One reaction: SMILES and optional compound names (a list, or one string joined by ';')."""

    model_config = ConfigDict(extra="forbid")

    reaction: str = Field(min_length=1, max_length=MAX_REACTION_CHARS,
                          examples=["CC(=O)Cl.OCC>>CC(=O)OCC"],
                          description="reaction SMILES: 'precursors>>products' or 'reactants>agents>products'")
    names: Names = Field(default_factory=list, examples=[["acetyl chloride", "ethanol"]],
                         description="names in the order of the compounds of the SMILES; '' = use the SMILES")

    @field_validator("names")
    @classmethod
    def _split(cls, value: Names) -> list[str]:
        return _names(value)


class PredictIn(ReactionIn):
    model: Optional[str] = Field(default=None, description="a loaded model (GET /models); default: the first")
    n_best: int = Field(default=1, ge=1, le=MAX_N_BEST)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reactions: list[ReactionIn] = Field(min_length=1, max_length=MAX_BATCH)
    model: Optional[str] = None
    n_best: int = Field(default=1, ge=1, le=MAX_N_BEST)


class ExportIn(PredictIn):
    hypothesis: int = Field(default=1, ge=1, le=MAX_N_BEST, description="which prediction (1 = best)")
    format: Literal["ord", "json"] = "ord"


class HypothesisOut(BaseModel):
    rank: int
    actions: str = Field(description="the sequence as the model wrote it (`tgt` format)")
    tokens: list[str] = Field(description="its tokens")
    steps: list[str] = Field(description="readable steps: molecules and representative values filled in")
    score: float
    valid: bool = Field(description="parses as actions and refers to every compound of the reaction, and no other")

    @classmethod
    def of(cls, rank: int, p: PredictedProcedure) -> "HypothesisOut":
        return cls(rank=rank, actions=p.actions, tokens=p.actions.split(), steps=list(p.steps),
                   score=p.score, valid=p.valid)


class NeighbourOut(BaseModel):
    reaction: str
    actions: str
    steps: list[str]
    score: float = Field(description="cosine similarity of rxnfp fingerprints")


class PredictionOut(BaseModel):
    input: str
    model: str
    canonical: str
    precursors: list[str]
    products: list[str]
    names: dict[str, str]
    hypotheses: list[HypothesisOut]

    @classmethod
    def of(cls, model: str, r: ReactionPrediction) -> "PredictionOut":
        return cls(input=r.query.smiles, model=model, canonical=r.reaction.smiles,
                   precursors=list(r.reaction.precursors), products=list(r.reaction.products), names=r.names,
                   hypotheses=[HypothesisOut.of(k, p) for k, p in enumerate(r.procedures, 1)])


class BatchItemOut(BaseModel):
    ok: bool
    error: Optional[str] = None
    prediction: Optional[PredictionOut] = None


class BatchOut(BaseModel):
    model: str
    results: list[BatchItemOut]


class ExportOut(BaseModel):
    format: Literal["json"] = "json"
    prediction: PredictionOut
    hypothesis: HypothesisOut
    ord: dict[str, object] = Field(description="the ORD Reaction as JSON (protobuf JSON mapping)")
    ord_warnings: list[str]


class ErrorOut(BaseModel):
    error: str = Field(description="one line: what was wrong with the request")


class ModelOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    family: str
    profile: str


class ModelsOut(BaseModel):
    default: str
    models: list[ModelOut]


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    models: list[str]

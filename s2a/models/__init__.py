"""Model families registered by name. Imports are lazy: no torch until a model is used."""
from __future__ import annotations

import importlib

from s2a.errors import UnknownModel
from s2a.models.base import ActionModel, Hypothesis, ModelPaths

# name -> "module:Class"; each module imports its heavy libraries only when loaded.
REGISTRY: dict[str, str] = {
    "transformer": "s2a.models.transformer:TransformerModel",
    "bart": "s2a.models.bart:BartModel",
    "nn": "s2a.models.nearest_neighbour:NearestNeighbourModel",
    "random": "s2a.models.random_baseline:RandomModel",
    "random-same-size": "s2a.models.random_baseline:RandomSameSizeModel",
    "llm": "s2a.models.llm:LLMModel",
    "llm-endpoint": "s2a.models.llm:LLMEndpointModel",
}

# Models of ChemActor's tasks beside S2A (s2a.formats.tasks), same interface, built with a `task=`
# keyword; trained and predicted by `s2a tasks train|predict MODEL --task TASK`.
TASK_REGISTRY: dict[str, str] = {
    "transformer": "s2a.models.text_transformer:TextTransformerModel",
    "llm": "s2a.models.text_llm:TextLLMModel",
}


def model_class(name: str, registry: dict[str, str] = REGISTRY) -> type[ActionModel]:
    try:
        target = registry[name]
    except KeyError:
        raise UnknownModel(name, list(registry)) from None
    module_name, cls_name = target.split(":")
    cls: type[ActionModel] = getattr(importlib.import_module(module_name), cls_name)
    return cls


def task_model_class(name: str) -> type[ActionModel]:
    return model_class(name, TASK_REGISTRY)


__all__ = ["REGISTRY", "TASK_REGISTRY", "task_model_class", "ActionModel", "Hypothesis", "ModelPaths", "model_class"]

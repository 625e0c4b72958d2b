"""The LLM families behind the ActionModel interface (the work is done in s2a.llm).

- "llm": a causal LM fine-tuned on the training split (configs/llm-<profile>.yaml: cpu, gpu, or
  the path of a YAML file);
- "llm-endpoint": an OpenAI-compatible server, zero- or few-shot (configs/llm-endpoint.yaml).
torch / transformers / openai are imported when a model is trained or used, not on import.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from s2a.llm.config import LLMConfig, load_endpoint_config, load_llm_config
from s2a.models import retrieval_input
from s2a.models.base import ActionModel, Hypothesis, ModelPaths
from s2a.models.ranking import Ranking

if TYPE_CHECKING:
    from s2a.llm.prompts import PromptFormat
    from s2a.models.retrieval_input import NeighbourInput


class LLMModel(ActionModel):
    name = "llm"

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42) -> None:
        super().__init__(paths, profile, seed)
        self.config = self._load_config(profile)
        self._generator: Any = None
        self._init_from: Optional[Path] = None
        self._neighbours: Optional[NeighbourInput] = None

    def _load_config(self, profile: str) -> LLMConfig:
        return load_llm_config(profile)

    def prompt_format(self) -> PromptFormat:
        """What the model reads and writes (S2A's reaction prompt; a task's for TextLLMModel)."""
        from s2a.llm.prompts import S2A_PROMPT

        return S2A_PROMPT

    def init_from(self, parent: Path) -> None:
        """Start from another fine-tuned LLM's weights (its work dir); checked when training starts."""
        self._init_from = Path(parent)

    def _neighbour_input(self) -> NeighbourInput:
        from s2a.models.retrieval_input import NeighbourInput

        assert self.config.retrieval is not None
        if self._neighbours is None:
            self._neighbours = NeighbourInput.of_model(Path(self.paths.data_dir), self.paths.work_dir,
                                                       self.config.retrieval)
        return self._neighbours

    def train(self) -> None:
        """Fine-tune on the training split (with retrieval: on its neighbour-augmented copy in
        the work dir, each training reaction with another reaction's sequence)."""
        from s2a.llm import finetune

        data_dir = Path(self.paths.data_dir)
        if self.config.retrieval is not None:
            data_dir = self._neighbour_input().write_splits(self.paths.work_dir / "data")
        finetune.train(self.config, data_dir, self.paths.work_dir, self.seed,
                       prompt=self.prompt_format(), init_from=self._init_from)
        self._generator = None

    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        if self.config.retrieval is not None:
            src = self._neighbour_input()(src)
        if self._generator is None:
            from s2a.llm.finetune import Generator

            self._generator = Generator(self.config, self.paths.work_dir, self.prompt_format())
        result: list[list[Hypothesis]] = self._generator.predict(src, n_best)
        return result

    def ranking(self) -> Optional[Ranking]:
        return self.config.ranking

    def split_limit(self) -> Optional[int]:
        return self.config.generate.split_limit

    def describe(self) -> dict[str, Any]:
        gen = self.config.generate
        return {**super().describe(), "base_model": self.config.base_model, "method": self.config.method,
                "steps": self.config.train.steps, "beam": gen.beam, "max_n_best": gen.max_n_best,
                **({"retrieval": retrieval_input.DESCRIPTION} if self.config.retrieval else {})}


class LLMEndpointModel(ActionModel):
    name = "llm-endpoint"

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42) -> None:
        super().__init__(paths, profile, seed)
        self.config = load_endpoint_config(profile)
        self._predictor: Any = None
        self.retrieval: Optional[str] = None

    def train(self) -> None:
        """Nothing to train: checks that the training split (the few-shot pool) is readable."""
        from s2a.formats.splits import read_pairs

        read_pairs(self.paths.data_dir, "train")

    def predictor(self) -> Any:
        if self._predictor is None:
            from s2a.llm.endpoint import EndpointPredictor
            from s2a.llm.retrieval import make_retriever

            retriever = None
            if self.config.shots > 0:
                self.retrieval, retriever = make_retriever(self.config.retrieval, self.paths.data_dir,
                                                           Path(self.config.nn_work_dir))
            self._predictor = EndpointPredictor(self.config, retriever)
        return self._predictor

    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        result: list[list[Hypothesis]] = self.predictor().predict(src, n_best)
        return result

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"retrieval": self.retrieval}
        if self._predictor is not None:
            info.update(self._predictor.describe())
        return info

"""Predicting action sequences with an LLM behind an OpenAI-compatible server.

Works with vLLM, Ollama, llama.cpp's server, `transformers serve` or a hosted API: base URL and
model name come from configs/llm-endpoint.yaml or S2A_LLM_BASE_URL / S2A_LLM_MODEL; the API key
from the variable named by `api_key_env` (a placeholder when unset: local servers ignore it).

Requests go through the shared chat client (s2a.chat): streamed, retried with exponential back-off,
an unreachable server is EndpointUnavailable, a refused request (4xx) EndpointError. An answer
that does not parse into actions is kept as its raw first line (scored invalid), never a crash.

n-best: servers differ in support for `n` and beam search, so hypothesis 1 is decoded at
`temperature` (default 0, greedy) and hypotheses 2..n are samples at `sample_temperature`, one
request each, at most `max_samples` (default 1: a hosted API bills every request); duplicates are
dropped, so fewer than n may come back.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from s2a.chat import ChatClient, ChatEndpoint, ChatStats
from s2a.errors import EndpointError
from s2a.llm.config import EndpointConfig
from s2a.llm.prompts import Example, chat_messages, first_line, parse_answer
from s2a.llm.retrieval import Retriever
from s2a.formats.predictions import Hypothesis

log = logging.getLogger(__name__)

EndpointStats = ChatStats  # the name this family's callers know


class EndpointClient(ChatClient):
    """The shared chat client (s2a.chat) on this family's connection settings."""

    def __init__(self, config: EndpointConfig) -> None:
        super().__init__(ChatEndpoint(
            base_url=config.base_url, model=config.model, api_key_env=config.api_key_env,
            max_tokens=config.max_tokens, timeout=config.timeout, retries=config.retries, backoff=config.backoff,
        ))
        self.config = config


class EndpointPredictor:
    """Zero-shot (`shots: 0`) or few-shot prediction with examples from a retriever."""

    def __init__(self, config: EndpointConfig, retriever: Optional[Retriever] = None) -> None:
        if config.shots > 0 and retriever is None:
            raise EndpointError(config.base_url, f"{config.shots}-shot prompting needs a retriever")
        self.config = config
        self.retriever = retriever
        self.client = EndpointClient(config)

    @property
    def stats(self) -> EndpointStats:
        return self.client.stats

    def _answer(self, src: str, examples: Sequence[Example], n_best: int) -> list[Hypothesis]:
        messages = chat_messages(src, examples)
        hyps: list[Hypothesis] = []
        seen: set[str] = set()
        for i in range(max(1, min(n_best, self.config.max_samples))):
            temperature = self.config.temperature if i == 0 else self.config.sample_temperature
            text = self.client.complete(messages, temperature)
            parsed = parse_answer(text)
            if parsed is None:
                self.stats.add(invalid_answer=text)
                parsed = first_line(text)
            if parsed in seen:
                continue
            seen.add(parsed)
            # Rank: the greedy answer first, then the samples in the order drawn.
            hyps.append(Hypothesis(parsed, -float(i)))
        return hyps

    def predict(self, src: Sequence[str], n_best: int = 1) -> list[list[Hypothesis]]:
        start = time.perf_counter()
        examples: list[list[Example]] = (
            self.retriever(src, self.config.shots) if self.retriever is not None and self.config.shots > 0
            else [[] for _ in src]
        )
        with ThreadPoolExecutor(max_workers=max(1, self.config.max_workers)) as pool:
            out = list(pool.map(lambda args: self._answer(args[0], args[1], n_best), zip(src, examples)))
        self.stats.seconds += time.perf_counter() - start
        if self.stats.invalid:
            log.warning("llm-endpoint: %d unparsable answers, e.g. %r", self.stats.invalid, self.stats.examples[:1])
        return out

    def describe(self) -> dict[str, Any]:
        return {"endpoint": self.config.base_url, "endpoint_model": self.config.model, "shots": self.config.shots,
                "requests": self.stats.requests, "retries": self.stats.retries, "invalid_answers": self.stats.invalid}

"""Predicting action sequences with an LLM behind an OpenAI-compatible server.

Works with vLLM, Ollama, llama.cpp's server, `transformers serve` or a hosted API: base URL and
model name come from configs/llm-endpoint.yaml or S2A_LLM_BASE_URL / S2A_LLM_MODEL; the API key
from the variable named by `api_key_env` (a placeholder when unset: local servers ignore it).

Requests stream (`transformers serve` answers only as a stream) and are retried with exponential
back-off on connection errors, timeouts, 429 and 5xx; after the last retry an unreachable server
raises EndpointUnavailable, a refused request (4xx) EndpointError, each in one line. An answer
that does not parse into actions is kept as its raw first line (scored invalid), never a crash.

n-best: servers differ in support for `n` and beam search, so hypothesis 1 is decoded at
`temperature` (default 0, greedy) and hypotheses 2..n are samples at `sample_temperature`, one
request each, at most `max_samples` (default 1: a hosted API bills every request); duplicates are
dropped, so fewer than n may come back.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Optional

from s2a.errors import EndpointError, EndpointUnavailable
from s2a.llm.config import EndpointConfig
from s2a.llm.prompts import Example, chat_messages, first_line, parse_answer
from s2a.llm.retrieval import Retriever
from s2a.formats.predictions import Hypothesis

log = logging.getLogger(__name__)


@dataclass
class EndpointStats:
    """Counters shared by the request threads (update them with `add`)."""

    requests: int = 0
    retries: int = 0
    invalid: int = 0  # answers that did not parse into actions
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)  # a few raw invalid answers, for the log
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, requests: int = 0, retries: int = 0, invalid_answer: Optional[str] = None) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries
            if invalid_answer is not None:
                self.invalid += 1
                if len(self.examples) < 5:
                    self.examples.append(invalid_answer[:200])


class EndpointClient:
    """Streaming chat completions with timeouts and retries; returns the answer text."""

    def __init__(self, config: EndpointConfig) -> None:
        import openai

        self.config = config
        self._openai = openai
        key = os.environ.get(config.api_key_env, "") or "none"
        # Retries are ours (with logging and a typed error); the client's own are switched off.
        self.client = openai.OpenAI(base_url=config.base_url, api_key=key, timeout=config.timeout, max_retries=0)
        self.stats = EndpointStats()

    def _stream(self, messages: list[dict[str, str]], temperature: float) -> str:
        stream: Any = self.client.chat.completions.create(
            model=self.config.model, messages=messages, stream=True,  # type: ignore[arg-type]
            temperature=temperature, max_tokens=self.config.max_tokens,
        )
        parts = []
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return "".join(parts)

    def complete(self, messages: list[dict[str, str]], temperature: float) -> str:
        import httpx

        openai = self._openai
        delay = self.config.backoff
        for attempt in range(self.config.retries + 1):
            self.stats.add(requests=1)
            try:
                return self._stream(messages, temperature)
            except openai.APIStatusError as e:
                if e.status_code != 429 and e.status_code < 500:
                    raise EndpointError(self.config.base_url, f"HTTP {e.status_code}: {_one_line(e.message)}") from None
                reason = f"HTTP {e.status_code}: {_one_line(e.message)}"
            except (openai.APIConnectionError, openai.APITimeoutError) as e:
                reason = _one_line(str(e.__cause__ or e))
            except httpx.TransportError as e:  # raised while reading a stream: not wrapped by openai
                reason = f"{type(e).__name__}: {_one_line(str(e))}"
            if attempt == self.config.retries:
                break
            self.stats.add(retries=1)
            log.warning("llm-endpoint: %s (%s); retry %d/%d in %.1f s", self.config.base_url, reason,
                        attempt + 1, self.config.retries, delay)
            time.sleep(delay)
            delay *= 2
        attempts = self.config.retries + 1
        raise EndpointUnavailable(self.config.base_url, f"no answer after {attempts} attempts ({reason})")


def _one_line(text: str) -> str:
    return first_line(str(text))[:200] or "no detail"


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

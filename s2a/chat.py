"""Chat completions from any OpenAI-compatible server: one client for every caller.

Shared by the `llm-endpoint` model family (s2a.llm.endpoint) and the circle review's judges
(s2a.evaluation.circle_review), which sit in layers that may not import each other; so the client
lives here, in the base layer, and knows nothing of prompts or actions.

Requests stream (`transformers serve` answers only as a stream) and are retried with exponential
back-off on connection errors, timeouts, 429 and 5xx; after the last retry an unreachable server
raises EndpointUnavailable, a refused request (4xx) EndpointError, each in one line.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from s2a.errors import EndpointError, EndpointUnavailable

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(frozen=True)
class ChatEndpoint:
    """Where and how to ask: the connection settings of one server and model."""

    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"  # name of the variable holding the key ('none' if unset)
    max_tokens: int = 300
    timeout: float = 120.0  # seconds per read
    retries: int = 3  # after the first attempt, on connection errors, timeouts, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled each time


@dataclass
class ChatStats:
    """Counters shared by the request threads (update them with `add`)."""

    requests: int = 0
    retries: int = 0
    invalid: int = 0  # answers the caller could not read (it reports them through `add`)
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


class ChatClient:
    """Streaming chat completions with timeouts and retries; returns the answer text."""

    def __init__(self, endpoint: ChatEndpoint) -> None:
        import openai

        self.endpoint = endpoint
        self._openai = openai
        key = os.environ.get(endpoint.api_key_env, "") or "none"
        # Retries are ours (with logging and a typed error); the client's own are switched off.
        self.client = openai.OpenAI(base_url=endpoint.base_url, api_key=key, timeout=endpoint.timeout, max_retries=0)
        self.stats = ChatStats()

    def _stream(self, messages: list[Message], temperature: float) -> str:
        stream: Any = self.client.chat.completions.create(
            model=self.endpoint.model, messages=messages, stream=True,  # type: ignore[arg-type]
            temperature=temperature, max_tokens=self.endpoint.max_tokens,
        )
        parts = []
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return "".join(parts)

    def complete(self, messages: list[Message], temperature: float) -> str:
        import httpx

        openai = self._openai
        url = self.endpoint.base_url
        delay = self.endpoint.backoff
        for attempt in range(self.endpoint.retries + 1):
            self.stats.add(requests=1)
            try:
                return self._stream(messages, temperature)
            except openai.APIStatusError as e:
                if e.status_code != 429 and e.status_code < 500:
                    raise EndpointError(url, f"HTTP {e.status_code}: {one_line(e.message)}") from None
                reason = f"HTTP {e.status_code}: {one_line(e.message)}"
            except (openai.APIConnectionError, openai.APITimeoutError) as e:
                reason = one_line(str(e.__cause__ or e))
            except httpx.TransportError as e:  # raised while reading a stream: not wrapped by openai
                reason = f"{type(e).__name__}: {one_line(str(e))}"
            if attempt == self.endpoint.retries:
                break
            self.stats.add(retries=1)
            log.warning("chat: %s (%s); retry %d/%d in %.1f s", url, reason, attempt + 1, self.endpoint.retries, delay)
            time.sleep(delay)
            delay *= 2
        attempts = self.endpoint.retries + 1
        raise EndpointUnavailable(url, f"no answer after {attempts} attempts ({reason})")


def one_line(text: str) -> str:
    """The first non-empty line of an error message, at most 200 characters."""
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line[:200] or "no detail"

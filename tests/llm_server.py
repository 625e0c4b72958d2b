"""The tests' OpenAI-compatible server: s2a.local_server's `transformers serve` on 127.0.0.1, started
once per session (tests/conftest.py: the `llm_server` fixture), serving any local model folder
named in a request. No download, no mocked HTTP; skipped only where it is not installed."""
from __future__ import annotations

import pytest

from s2a.local_server import free_port, serve_available, transformers_serve

__all__ = ["free_port", "requires_serve", "transformers_serve"]

requires_serve = pytest.mark.skipif(not serve_available(),
                                    reason="`transformers serve` (transformers[serving]) not installed")

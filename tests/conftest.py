"""Fixtures shared by several test modules."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llm_server import transformers_serve
from sample import sample_prefix


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of one `transformers serve` for the session (tests using it mark `requires_serve`)."""
    with transformers_serve(tmp_path_factory.mktemp("transformers-serve") / "serve.log") as url:
        yield url


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained tiny Llama (answers nonsense) whose tokenizer covers the 40-reaction sample."""
    from s2a.llm.tiny import build_tiny_llama_for

    return build_tiny_llama_for(sample_prefix(40), tmp_path_factory.mktemp("served-llama"))

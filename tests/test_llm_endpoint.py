"""The `llm-endpoint` family against a real OpenAI-compatible server: `transformers serve` on
127.0.0.1 (tests/llm_server.py, one per session) with a tiny random Llama saved to a temporary
directory (no download, no mocked HTTP). Skipped only where `transformers serve` is not installed."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from s2a.errors import EndpointUnavailable
from s2a.llm.config import EndpointConfig, load_endpoint_config
from s2a.llm.endpoint import EndpointPredictor
from s2a.llm.prompts import parse_answer
from s2a.llm.retrieval import OverlapRetriever
from s2a.formats.splits import read_pairs
from s2a.models import ModelPaths, model_class
from llm_server import free_port, requires_serve
from sample import sample_prefix

FIXTURE = sample_prefix(40)
TEST_SRC = (FIXTURE / "src-test.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def server(llm_server: str, tiny_llama: Path) -> tuple[str, Path]:
    """The session's `transformers serve` (tests/conftest.py) and the tiny model it is asked for."""
    return llm_server, tiny_llama


def config_for(base_url: str, model: str, **changes: object) -> EndpointConfig:
    base = EndpointConfig(profile="test", base_url=base_url, model=model, shots=0, max_tokens=12,
                          timeout=60.0, retries=1, backoff=0.1)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def assert_answers_read(predictor: EndpointPredictor, hyps: list[list], n_queries: int) -> None:
    """Every answer is either valid actions (normalised by the converter) or counted invalid."""
    assert len(hyps) == n_queries and all(1 <= len(h) for h in hyps)
    texts = [x.actions for h in hyps for x in h]
    assert all("\n" not in t for t in texts)
    unparsable = sum(parse_answer(t) is None for t in texts)
    valid = [t for t in texts if parse_answer(t) is not None]
    assert all(parse_answer(t) == t for t in valid)
    assert predictor.stats.invalid >= unparsable


@requires_serve
def test_zero_and_few_shot_requests(server: tuple[str, Path]) -> None:
    base_url, model_dir = server
    zero = EndpointPredictor(config_for(base_url, str(model_dir)))
    hyps = zero.predict(TEST_SRC[:2])
    assert zero.stats.requests == 2 and zero.stats.retries == 0
    assert_answers_read(zero, hyps, 2)

    retriever = OverlapRetriever(*read_pairs(FIXTURE, "train"))
    few = EndpointPredictor(config_for(base_url, str(model_dir), shots=2, max_samples=2), retriever)
    hyps = few.predict(TEST_SRC[2:3], n_best=2)  # greedy answer + one sample: two requests
    assert few.stats.requests == 2
    assert_answers_read(few, hyps, 1)
    assert len(hyps[0]) <= 2 and hyps[0][0].score >= hyps[0][-1].score


@requires_serve
def test_endpoint_family_through_the_registry(server: tuple[str, Path], tmp_path: Path) -> None:
    base_url, model_dir = server
    profile = tmp_path / "endpoint.yaml"
    profile.write_text(f"base_url: {base_url}\nmodel: {model_dir}\nshots: 1\nretrieval: auto\n"
                       f"nn_work_dir: {tmp_path / 'no-nn-index'}\nmax_tokens: 8\nretries: 1\n", encoding="utf-8")
    model = model_class("llm-endpoint")(ModelPaths(FIXTURE, tmp_path / "work"), profile=str(profile))
    model.train()
    hyps = model.predict(TEST_SRC[:1], n_best=3)  # max_samples defaults to 1: one request
    assert len(hyps) == 1 and len(hyps[0]) == 1
    info = model.describe()  # type: ignore[attr-defined]
    assert info["retrieval"] == "overlap" and info["requests"] == 1 and info["shots"] == 1


def test_unreachable_server_is_a_typed_one_line_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    predictor = EndpointPredictor(config_for(url, "any", retries=2, backoff=0.01, timeout=5.0))
    with pytest.raises(EndpointUnavailable) as caught:
        predictor.predict(TEST_SRC[:1])
    assert caught.value.url == url and "\n" not in str(caught.value)
    assert predictor.stats.requests == 3 and predictor.stats.retries == 2


def test_endpoint_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S2A_LLM_BASE_URL", "http://10.0.0.1:9000/v1")
    monkeypatch.setenv("S2A_LLM_MODEL", "my-model")
    config = load_endpoint_config("cpu")
    assert config.base_url == "http://10.0.0.1:9000/v1" and config.model == "my-model"

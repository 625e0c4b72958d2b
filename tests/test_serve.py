"""`s2a serve`'s API and page through FastAPI's test client, on real tiny models trained on the
fixture sample (random-same-size: instant; nn: rxnfp fingerprints of 30 training reactions)."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from click.testing import CliRunner  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from google.protobuf import text_format  # noqa: E402
from ord_schema.proto import reaction_pb2  # noqa: E402

from s2a.api import ProcedurePredictor, ReactionQuery  # noqa: E402
from s2a.cli import main  # noqa: E402
from s2a.models import ModelPaths  # noqa: E402
from s2a.models.nearest_neighbour import NearestNeighbourModel  # noqa: E402
from s2a.models.random_baseline import RandomSameSizeModel  # noqa: E402
from s2a.formats.reaction import canonical_reaction  # noqa: E402
from s2a.serve import ServedModel, create_app, load_examples  # noqa: E402
from s2a.serve import export  # noqa: E402
from sample import SAMPLE, sample_prefix  # noqa: E402

ESTER = "CC(=O)Cl.OCC>>CC(=O)OCC"
NAMES = "acetyl chloride;ethanol"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("serve")
    RandomSameSizeModel(ModelPaths(SAMPLE, root / "rss")).train()
    nn_data = sample_prefix(30)
    NearestNeighbourModel(ModelPaths(nn_data, root / "nn")).train()
    app = create_app({
        "random-same-size": ProcedurePredictor("random-same-size", data_dir=SAMPLE, work_dir=root / "rss"),
        "nn": ProcedurePredictor("nn", data_dir=nn_data, work_dir=root / "nn"),
    }, examples=load_examples(SAMPLE, 3))
    with TestClient(app) as c:
        yield c


def _error(response) -> str:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}, body
    assert "\n" not in body["error"] and "Traceback" not in body["error"]
    return str(body["error"])


# -- /predict ----------------------------------------------------------------------------------------
def test_predict_returns_canonical_reaction_and_readable_hypotheses(client: TestClient) -> None:
    r = client.post("/predict", json={"reaction": ESTER, "names": NAMES, "n_best": 3})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["model"] == "random-same-size"  # the first loaded is the default
    assert out["canonical"] == "CC(=O)Cl.CCO>>CCOC(C)=O"
    assert out["names"] == {"CC(=O)Cl": "acetyl chloride", "CCO": "ethanol"}
    training = set((SAMPLE / "tgt-train.txt").read_text().splitlines())
    assert 1 <= len(out["hypotheses"]) <= 3
    for k, h in enumerate(out["hypotheses"], 1):
        assert h["rank"] == k and h["actions"] in training
        assert h["tokens"] == h["actions"].split()
        assert len(h["steps"]) == len(h["actions"].split(" ; "))
        assert h["valid"] is True and isinstance(h["score"], float)
        assert not any("$" in s or "#" in s or "@" in s for s in h["steps"])
    assert any("acetyl chloride" in s for h in out["hypotheses"] for s in h["steps"])


def test_names_as_a_list_and_the_nn_model(client: TestClient) -> None:
    r = client.post("/predict", json={"reaction": ESTER, "names": ["acetyl chloride", "ethanol"], "model": "nn",
                                      "n_best": 2})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["model"] == "nn" and 1 <= len(out["hypotheses"]) <= 2  # few (2, 1) reactions in 30
    scores = [h["score"] for h in out["hypotheses"]]
    assert scores == sorted(scores, reverse=True)


def test_batch_keeps_order_and_reports_bad_reactions_in_place(client: TestClient) -> None:
    body = {"reactions": [{"reaction": ESTER, "names": NAMES}, {"reaction": "not a reaction"},
                          {"reaction": "c1ccccc1Br.OB(O)c1ccccc1>>c1ccc(-c2ccccc2)cc1"}], "n_best": 2}
    r = client.post("/predict/batch", json=body)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["ok"] for x in results] == [True, False, True]
    assert "invalid reaction" in results[1]["error"] and results[1]["prediction"] is None
    assert results[2]["prediction"]["canonical"] == "Brc1ccccc1.OB(O)c1ccccc1>>c1ccc(-c2ccccc2)cc1"
    assert all(len(x["prediction"]["hypotheses"]) == 2 for x in results if x["ok"])


# -- bad input: 4xx with one line, and the server goes on -------------------------------------------
@pytest.mark.parametrize("body, status, words", [
    ({"reaction": "CC(=O)Cl.OCC"}, 422, "invalid reaction"),
    ({"reaction": "C1CC>>CC"}, 422, "invalid SMILES"),
    ({"reaction": ">>CC"}, 422, "no precursors"),
    ({"reaction": ""}, 422, "reaction"),
    ({"reaction": ESTER, "model": "nope"}, 404, "unknown model 'nope'"),
    ({"reaction": ESTER, "n_best": 0}, 422, "n_best"),
    ({"reaction": ESTER, "n_best": 51}, 422, "n_best"),
    ({"reaction": ESTER, "n_best": "many"}, 422, "n_best"),
    ({"reaction": ESTER, "names": "a;b;c;d"}, 422, "4 names given for the 3 compounds"),
    ({"reaction": ESTER, "colour": "blue"}, 422, "colour"),
    ({"smiles": ESTER}, 422, "reaction"),
    ({"reaction": "C" * 4001 + ">>C"}, 422, "reaction"),
])
def test_bad_requests_are_one_line_4xx(client: TestClient, body: dict, status: int, words: str) -> None:
    r = client.post("/predict", json=body)
    assert r.status_code == status, r.text
    assert words in _error(r)


def test_malformed_bodies(client: TestClient) -> None:
    r = client.post("/predict", content=b'{"reaction": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "not valid JSON" in _error(r)
    big = b'{"reaction": "' + b"C" * 70_000 + b'>>C"}'
    r = client.post("/predict", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "65,536 bytes" in _error(r)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(80):
            yield b" " * 1024

    r = client.post("/predict", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/predict/batch", json={"reactions": [{"reaction": ESTER}] * 257})
    assert r.status_code == 422 and "at most 256" in _error(r)
    r = client.post("/predict/batch", json={"reactions": []})
    assert r.status_code == 422
    r = client.get("/no-such-page")
    assert r.status_code == 404 and _error(r)
    assert client.get("/health").json() == {"status": "ok", "models": ["random-same-size", "nn"]}


# -- /models ---------------------------------------------------------------------------------------
def test_models_say_what_is_loaded(client: TestClient) -> None:
    out = client.get("/models").json()
    assert out["default"] == "random-same-size"
    by_name = {m["name"]: m for m in out["models"]}
    assert set(by_name) == {"random-same-size", "nn"}
    assert by_name["nn"]["family"] == "NearestNeighbourModel" and by_name["nn"]["profile"] == "cpu"
    assert len(by_name["nn"]["data_digest"]) == 16
    assert by_name["nn"]["data_digest"] != by_name["random-same-size"]["data_digest"]  # 30 vs 100 lines


# -- export ----------------------------------------------------------------------------------------
def test_export_ord_text_is_a_valid_ord_reaction(client: TestClient) -> None:
    r = client.post("/export", json={"reaction": ESTER, "names": NAMES, "model": "nn"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), r.text
    message = text_format.Parse(r.text, reaction_pb2.Reaction())
    errors, _ = export.validate(message)
    assert errors == []
    products = [i.value for p in message.outcomes[0].products for i in p.identifiers if i.type == i.SMILES]
    assert products == ["CCOC(C)=O"]
    assert message.identifiers[0].value == "CC(=O)Cl.CCO>>CCOC(C)=O"
    assert r.text == client.post("/export/ord", json={"reaction": ESTER, "names": NAMES, "model": "nn"}).text


def test_export_json_and_the_page_links(client: TestClient) -> None:
    r = client.post("/export?format=json", json={"reaction": ESTER, "hypothesis": 2, "n_best": 1})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["hypothesis"]["rank"] == 2 and out["prediction"]["canonical"] == "CC(=O)Cl.CCO>>CCOC(C)=O"
    assert out["ord"]["identifiers"][0]["value"] == "CC(=O)Cl.CCO>>CCOC(C)=O"
    r = client.get("/export", params={"reaction": ESTER, "names": NAMES, "hypothesis": 1, "format": "ord"})
    assert r.status_code == 200 and "inputs {" in r.text
    r = client.post("/export", json={"reaction": ESTER, "hypothesis": 60})
    assert r.status_code == 422 and "hypothesis" in _error(r)
    r = client.post("/export", json={"reaction": ESTER, "format": "pdf"})
    assert r.status_code == 422


def test_ord_mapping_of_a_known_sequence() -> None:
    reaction = canonical_reaction(ESTER)
    tgt = ("ADD $2$ ; ADD $1$ dropwise at #3# ; STIR for @2@ at #4# ; REFLUX for @3@ ; EXTRACT with ethyl acetate ; "
           "WASH with brine ; DRYSOLUTION over sodium sulfate ; FILTER keep filtrate ; CONCENTRATE ; PURIFY ; "
           "YIELD $-1$")
    message = export.to_ord(reaction, tgt, {"CCO": "ethanol"})
    assert export.validate(message)[0] == []
    assert [k for k in message.inputs] == ["1: ethanol", "2: CC(=O)Cl"]
    second = message.inputs["2: CC(=O)Cl"]
    assert second.addition_order == 2 and second.addition_temperature.value == 0.0
    assert second.addition_speed.type == reaction_pb2.ReactionInput.AdditionSpeed.DROPWISE
    c = message.conditions
    assert c.temperature.setpoint.value == 25.0 and c.reflux
    assert message.outcomes[0].reaction_time.value == 9.0  # 1 h stir + 8 h reflux
    W = reaction_pb2.ReactionWorkup
    assert [w.type for w in message.workups] == [W.EXTRACTION, W.WASH, W.DRY_WITH_MATERIAL, W.FILTRATION,
                                                 W.CONCENTRATION, W.CUSTOM]
    assert message.workups[3].keep_phase == "filtrate"
    assert message.workups[5].details == "Purify"
    assert message.outcomes[0].products[0].is_desired_product


# -- the page --------------------------------------------------------------------------------------
def test_page_shows_drawing_steps_scores_validity_and_the_nearest_training_reaction(client: TestClient) -> None:
    r = client.get("/", params={"reaction": ESTER, "names": NAMES, "model": "random-same-size", "n_best": 2})
    assert r.status_code == 200
    html = r.text
    assert "<svg" in html and 'id="canonical">CC(=O)Cl.CCO&gt;&gt;CCOC(C)=O' in html
    assert html.count('class="card hyp"') == 2 and "score " in html and "badge valid" in html
    assert "<li>Add acetyl chloride.</li>" in html or "<li>Add ethanol.</li>" in html
    assert "Nearest training reaction" in html and "cosine" in html
    assert html.count("<svg") == 2  # the query and its neighbour
    for resource in ('src="http', "src='http", 'href="http', "@import", "url(http"):
        assert resource not in html  # works offline
    assert "/export?" in html


def test_page_without_a_reaction_lists_examples(client: TestClient) -> None:
    html = client.get("/").text
    assert '<form method="get" action="/">' in html and "Test-split examples" in html
    assert html.count('<a href="/?reaction=') == 3


def test_page_says_clearly_what_is_wrong(client: TestClient) -> None:
    r = client.get("/", params={"reaction": "C1CC>>CC"})
    assert r.status_code == 422 and 'class="error"' in r.text and "invalid SMILES" in r.text
    r = client.get("/", params={"reaction": ESTER, "n_best": "0"})
    assert r.status_code == 422 and "n-best must be" in r.text
    r = client.get("/", params={"reaction": ESTER, "model": "nope"})
    assert r.status_code == 404 and "unknown model" in r.text


# -- batching --------------------------------------------------------------------------------------
class _Blocking(ProcedurePredictor):
    """A predictor whose first call waits until released, counting the batches it is given."""

    def __init__(self, inner: ProcedurePredictor) -> None:
        self.__dict__.update(inner.__dict__)
        self.release = threading.Event()
        self.sizes: list[int] = []

    def predict(self, queries: Sequence[ReactionQuery], n_best: int = 1):  # type: ignore[no-untyped-def, override]
        self.release.wait(10)
        self.sizes.append(len(queries))
        return super().predict(queries, n_best)


def test_requests_queued_while_the_model_is_busy_are_decoded_together(tmp_path: Path) -> None:
    RandomSameSizeModel(ModelPaths(SAMPLE, tmp_path)).train()
    predictor = _Blocking(ProcedurePredictor("random-same-size", data_dir=SAMPLE, work_dir=tmp_path))
    model = ServedModel("rss", predictor)
    try:
        first = model.submit([ReactionQuery(ESTER)], 1)
        while not first.running():
            threading.Event().wait(0.005)
        rest = [model.submit([ReactionQuery(ESTER), ReactionQuery("bad")], 1) for _ in range(5)]
        other_n = model.submit([ReactionQuery(ESTER)], 3)
        predictor.release.set()
        assert first.result(10)[0].ok
        results = [f.result(10) for f in rest]
        assert all([r.ok for r in rs] == [True, False] for rs in results)
        assert len(other_n.result(10)[0].procedures) == 3
        assert predictor.sizes == [1, 10, 1]  # one call for the five queued requests of the same n-best
    finally:
        model.close()


# -- command line ----------------------------------------------------------------------------------
def test_cli_serve_help_and_no_models(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--models" in result.output and "127.0.0.1" in result.output
    result = CliRunner().invoke(main, ["serve", "--models-dir", str(tmp_path)])
    assert result.exit_code == 2 and "no trained model" in result.stderr


def test_export_link_with_bad_parameters_is_4xx(client: TestClient) -> None:
    r = client.get("/export", params={"reaction": ESTER, "n_best": 0})
    assert r.status_code == 422 and "n_best" in _error(r)
    r = client.get("/export", params={"reaction": ESTER, "format": "pdf"})
    assert r.status_code == 422 and "format" in _error(r)
    r = client.get("/export", params={"reaction": "C1CC>>C"})
    assert r.status_code == 422 and "invalid SMILES" in _error(r)


def test_importing_the_app_and_the_command_loads_no_torch() -> None:
    import subprocess
    import sys

    code = "import sys, s2a.serve, s2a.cli.serve; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[1])
    assert out.stdout.strip() == "False"


def test_ctranslate2_families_get_a_worker_per_core_others_one(tmp_path: Path) -> None:
    from s2a.serve.service import default_workers

    assert default_workers("nn") == default_workers("random") == default_workers("llm-endpoint") == 1
    assert 1 <= default_workers("transformer") <= 4
    RandomSameSizeModel(ModelPaths(SAMPLE, tmp_path)).train()
    model = ServedModel("rss", ProcedurePredictor("random-same-size", data_dir=SAMPLE, work_dir=tmp_path), workers=3)
    try:
        futures = [model.submit([ReactionQuery(ESTER)], 1) for _ in range(20)]
        assert all(f.result(10)[0].ok for f in futures)
        assert model.workers == 3 and model.reactions == 20
        batch = [ReactionQuery(ESTER if k % 3 else "bad") for k in range(7)]  # cut into three parts
        assert [r.ok for r in model.submit(batch, 2).result(10)] == [k % 3 != 0 for k in range(7)]
        assert model.reactions == 27
    finally:
        model.close()


def test_the_parts_of_a_cut_batch_go_to_different_workers(tmp_path: Path) -> None:
    RandomSameSizeModel(ModelPaths(SAMPLE, tmp_path)).train()
    predictor = _Blocking(ProcedurePredictor("random-same-size", data_dir=SAMPLE, work_dir=tmp_path))
    model = ServedModel("rss", predictor, workers=2)
    try:
        future = model.submit([ReactionQuery(ESTER)] * 6, 1)
        threading.Event().wait(0.2)
        predictor.release.set()
        assert len(future.result(10)) == 6
        assert sorted(predictor.sizes) == [3, 3]
    finally:
        model.close()

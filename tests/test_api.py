import subprocess
import sys
from pathlib import Path

import pytest

from s2a.api import ProcedurePredictor, ReactionQuery, compound_names, predict_procedure
from s2a.errors import InvalidNames, InvalidReaction
from s2a.models import ModelPaths
from s2a.models.random_baseline import RandomModel
from sample import SAMPLE

FIXTURES = SAMPLE


def test_query_lines() -> None:
    assert ReactionQuery.from_line("CCO>>CC=O\n") == ReactionQuery("CCO>>CC=O")
    q = ReactionQuery.from_line("CC(=O)Cl.OCC>>CC(=O)OCC\tacetyl chloride; 2,2-dimethyl-ethanol\n")
    assert q.names == ("acetyl chloride", "2,2-dimethyl-ethanol")  # commas stay inside names


def test_names_follow_input_order_and_canonical_forms() -> None:
    names = compound_names("OCC.CC(=O)Cl>[Na+].[Cl-]>CC(=O)OCC |f:2.3|", ["ethanol", "", "brine salt"])
    assert names == {"CCO": "ethanol", "[Cl-]~[Na+]": "brine salt"}
    with pytest.raises(InvalidNames):
        compound_names("CCO>>CC=O", ["a", "b", "c"])


def test_predict_procedure_with_a_trained_random_model(tmp_path: Path) -> None:
    work = tmp_path / "random"
    RandomModel(ModelPaths(FIXTURES, work), seed=1).train()
    p = predict_procedure("OCC.CC(=O)Cl>>CC(=O)OCC", model="random", n_best=2, names=["ethanol"],
                          data_dir=FIXTURES, work_dir=work)
    assert p.reaction.precursors == ("CC(=O)Cl", "CCO")
    assert len(p.procedures) == 2 and p.procedures[0].actions != p.procedures[1].actions
    assert all(len(x.steps) == len(x.actions.split(" ; ")) for x in p.procedures)
    assert p.to_text().startswith("Reaction: OCC.CC(=O)Cl>>CC(=O)OCC")
    with pytest.raises(InvalidReaction):
        predict_procedure("nonsense", model="random", data_dir=FIXTURES, work_dir=work)


def test_batch_keeps_order_and_failures(tmp_path: Path) -> None:
    work = tmp_path / "random"
    RandomModel(ModelPaths(FIXTURES, work)).train()
    predictor = ProcedurePredictor("random", data_dir=FIXTURES, work_dir=work)
    results = predictor.predict([ReactionQuery("bad"), ReactionQuery("CCO>>CC=O"), ReactionQuery("C1CC>>C")])
    assert [r.ok for r in results] == [False, True, False]


def test_import_s2a_does_not_load_torch_or_models() -> None:
    code = "import sys, s2a; s2a.predict_procedure; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[1])
    assert out.stdout.strip() == "False"

"""`s2a predict` end to end with a real (random-same-size) model trained on the fixture sample."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from s2a.cli import main
from s2a.models import ModelPaths
from s2a.models.random_baseline import RandomSameSizeModel
from sample import SAMPLE

FIXTURES = SAMPLE
ESTER = "CC(=O)Cl.OCC>>CC(=O)OCC"
SUZUKI = "c1ccccc1Br.OB(O)c1ccccc1>>c1ccc(-c2ccccc2)cc1"


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("model") / "random-same-size"
    RandomSameSizeModel(ModelPaths(FIXTURES, work)).train()
    return work


def _run(work_dir: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["predict", "-m", "random-same-size", "--data-dir", str(FIXTURES),
                                     "--work-dir", str(work_dir), *args], input=stdin)


def test_single_reaction_readable(work_dir: Path) -> None:
    result = _run(work_dir, ESTER, "--names", "acetyl chloride;ethanol", "-n", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Canonical: CC(=O)Cl.CCO>>CCOC(C)=O" in out
    assert "Prediction 1" in out and "Prediction 2" in out
    assert "  1. " in out
    assert "acetyl chloride" in out and "ethanol" in out
    assert "$" not in out.split("Canonical:")[1]  # every position replaced by a molecule
    assert "#" not in out and "@" not in out  # every range replaced by a value


def test_json_hypotheses_are_training_sequences(work_dir: Path) -> None:
    result = _run(work_dir, ESTER, "-n", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["ok"] and row["precursors"] == ["CC(=O)Cl", "CCO"] and row["products"] == ["CCOC(C)=O"]
    training = set((FIXTURES / "tgt-train.txt").read_text().splitlines())
    assert 1 <= len(row["predictions"]) <= 3
    for p in row["predictions"]:
        assert p["actions"] in training
        assert p["valid"]  # same-size sampling only uses $1$, $2$ and $-1$ for this reaction
        assert len(p["steps"]) == len(p["actions"].split(" ; "))


def test_bad_reaction_is_one_line_error(work_dir: Path) -> None:
    result = _run(work_dir, "CC(=O)Cl.OCC")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: invalid reaction") and result.stderr.count("\n") == 1
    result = _run(work_dir, "C1CC>>CC")  # unclosed ring
    assert result.exit_code == 2 and "error:" in result.stderr


def test_too_many_names(work_dir: Path) -> None:
    result = _run(work_dir, ESTER, "--names", "a;b;c;d")
    assert result.exit_code == 2 and "4 names given for the 3 compounds" in result.stderr


def test_mixed_batch_reports_bad_lines_and_predicts_the_rest(work_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "reactions.txt"
    batch.write_text(f"{ESTER}\tacetyl chloride;ethanol;ethyl acetate\nnot a reaction\n\n{SUZUKI}\n")
    result = _run(work_dir, "--input", str(batch), "--format", "json")
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["ok"] for r in rows] == [True, False, True]
    assert rows[0]["names"]["CCOC(C)=O"] == "ethyl acetate"
    assert any("Yield ethyl acetate" == s for p in rows[0]["predictions"] for s in p["steps"])
    assert rows[2]["canonical"] == "Brc1ccccc1.OB(O)c1ccccc1>>c1ccc(-c2ccccc2)cc1"
    assert "error: line 2:" in result.stderr and "1 of 3 reactions" in result.stderr


def test_batch_from_stdin_all_good(work_dir: Path) -> None:
    result = _run(work_dir, stdin=f"{ESTER}\n{SUZUKI}\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Reaction: ") == 2 and result.stderr == ""


def test_unknown_model_and_untrained_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["predict", ESTER, "-m", "no-such-model"])
    assert result.exit_code == 2 and "unknown model" in result.stderr
    result = CliRunner().invoke(main, ["predict", ESTER, "-m", "random", "--work-dir", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "train the model first" in result.stderr


def test_cli_prints_s2a_progress_messages_on_stderr_at_the_chosen_level(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from s2a.cli import log_to_stderr

    log_to_stderr("INFO")
    logging.getLogger("s2a.llm.finetune").info("llm: step %d/%d", 10, 160)
    log_to_stderr("WARNING")
    logging.getLogger("s2a.models.transformer").info("hidden at WARNING")
    err = capsys.readouterr().err
    assert "llm: step 10/160" in err and "hidden" not in err
    log_to_stderr("INFO")

"""The round trip on trained task models (s2a.task_round_trip, `s2a tasks round-trip`): the rule-based
extractor reads real d2a paragraphs, a tiny a2d transformer trained through the CLI writes them back,
and the result lands where `s2a compare`'s ChemActor section shows it."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.rule_predictions import predict_line
from s2a.cli import main
from s2a.evaluation.task_report import render_task_section, task_section
from s2a.formats.splits import read_lines
from s2a.formats.tasks import task_dir
from s2a.models import ModelPaths, task_model_class
from s2a.models.base import ActionModel
from s2a.paths import round_trip_path
from s2a.task_round_trip import model_translator
from task_data import task_lines

LINES = {"train": 120, "valid": 10, "test": 12}


@pytest.fixture(scope="module")
def a2d(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data dir with d2a and a2d, work dir of a tiny a2d transformer trained through the CLI)."""
    data = task_lines(tmp_path_factory.mktemp("rt-data"), ["d2a", "a2d"], LINES, tmp_path_factory.mktemp("rt-ord"))
    work = tmp_path_factory.mktemp("rt-model") / "a2d"
    result = CliRunner().invoke(main, ["tasks", "train", "transformer", "--task", "a2d", "--profile", "tiny",
                                       "--data-dir", str(data), "--work-dir", str(work)])
    assert result.exit_code == 0, result.output
    return data, work


def _a2d_model(data: Path, work: Path) -> ActionModel:
    return task_model_class("transformer")(ModelPaths(task_dir(data, "a2d"), work), profile="tiny", task="a2d")  # type: ignore[call-arg]


def test_round_trip_command_writes_rounds_and_the_report_shows_them(a2d: tuple[Path, Path], tmp_path: Path) -> None:
    data, work = a2d
    out = round_trip_path("test", tmp_path / "predictions")
    result = CliRunner().invoke(main, ["tasks", "round-trip", "--d2a", "rules", "--a2d", "transformer",
                                       "--a2d-work-dir", str(work), "--profile", "tiny", "--data-dir", str(data),
                                       "--sample-size", "5", "--rounds", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| 2 |" in result.output
    summary = json.loads(out.read_text())
    assert len(summary["indices"]) == 5 and [r["round"] for r in summary["rounds"]] == [1, 2]
    assert summary["rounds"][0]["to_first"] == 1.0 and summary["rounds"][0]["unchanged"] == 0

    texts = read_lines(task_dir(data, "d2a") / "src-test.txt")
    examples = [json.loads(line) for line in (out.parent / "test.rounds.jsonl").read_text().splitlines()]
    assert [e["line"] for e in examples] == summary["indices"]
    for e in examples:
        original, rewritten = e["descriptions"]
        assert original == texts[e["line"]]
        assert e["actions"][0] == predict_line(original, "paragraph")[0]  # round 1: the extractor on the paragraph
        assert e["actions"][1] == predict_line(rewritten, "paragraph")[0]  # round 2: on the model's paragraph
    model = _a2d_model(data, work)
    assert [e["descriptions"][1] for e in examples] == model_translator(model)([e["actions"][0] for e in examples])

    section = render_task_section(task_section(data, tmp_path / "predictions", "test"))
    assert "### Round trip (d2a test, 5 paragraphs)" in section
    assert str(work) in section


def test_an_empty_line_is_not_sent_to_the_model(a2d: tuple[Path, Path]) -> None:
    data, work = a2d
    model = _a2d_model(data, work)
    line = read_lines(task_dir(data, "a2d") / "src-test.txt")[0]
    out = model_translator(model)(["", line, " "])
    assert out[0] == "" and out[2] == "" and out[1] == model_translator(model)([line])[0]


def test_unknown_d2a_model_is_a_usage_error(a2d: tuple[Path, Path]) -> None:
    data, work = a2d
    result = CliRunner().invoke(main, ["tasks", "round-trip", "--d2a", "oracle", "--data-dir", str(data),
                                       "--a2d-work-dir", str(work)])
    assert result.exit_code == 2 and "'oracle'" in result.output

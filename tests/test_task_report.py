"""The "ChemActor tasks" section of the report: tables from real task and prediction files."""
import os
from pathlib import Path

import pytest

from preprocessing.rule_predictions import SILVER_NOTE, predict_rules
from s2a.errors import ConfigError
from s2a.evaluation.chemactor_metrics import chemactor_scores
from s2a.evaluation.circle_review import JudgeSettings, ModelReview, PanelSettings, RoundSummary, write_review
from s2a.evaluation.report import EvaluationSettings
from s2a.evaluation.task_report import (REFERENCE_NOTE, render_task_section, reported_splits, task_section,
                                        task_table, write_task_csv)
from s2a.paths import task_predictions_dir, task_review_paths
from test_rule_predictions import GOLD_SRC, GOLD_TGT, PARAGRAPH, PARAGRAPH_ACTIONS, RULES_GOLD, write_task


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """Task files for d2a-gold (test, all) and d2a, with the rule extractor's predictions."""
    data, preds = tmp_path / "data", tmp_path / "predictions"
    write_task(data, "d2a-gold", "test", GOLD_SRC, GOLD_TGT)
    write_task(data, "d2a-gold", "all", GOLD_SRC, GOLD_TGT)
    write_task(data, "d2a", "test", [PARAGRAPH], [PARAGRAPH_ACTIONS])
    write_task(data, "r2d", "test", ["C C O >> C C = O"], [PARAGRAPH])  # files, but no model yet
    for task, split in (("d2a-gold", "test"), ("d2a-gold", "all"), ("d2a", "test")):
        predict_rules(data, task, split, preds)
    return tmp_path


def _review(path: Path, model: str, mean: float, spread: float, indices: list[int]) -> None:
    rounds = [RoundSummary(r, mean - 0.1 * (1 - r), spread, 4, 0, 0, {"a": mean, "b": mean}) for r in (0, 1)]
    settings = PanelSettings("test", [JudgeSettings("a", "http://x", "m"), JudgeSettings("b", "http://x", "m")],
                             rounds=1, sample_size=len(indices))
    write_review([ModelReview(model, indices, rounds)], [], settings, path)


def test_order_of_the_tables() -> None:
    assert reported_splits("test") == [("d2a", "test"), ("d2a-sentence", "test"), ("d2a-gold", "test"),
                                       ("d2a-gold", "all"), ("r2d", "test"), ("a2d", "test")]


def test_a_table_per_task_with_predictions(project: Path) -> None:
    s = task_section(project / "data", project / "predictions", "test")
    assert [(t.task, t.split) for t in s.tables] == [("d2a", "test"), ("d2a-gold", "test"), ("d2a-gold", "all")]
    gold = s.tables[1]
    assert gold.n == 2 and [r.model for r in gold.rows] == ["rules"]
    scores = gold.rows[0].scores
    assert scores == chemactor_scores(GOLD_TGT, RULES_GOLD, "d2a-gold") and scores is not None
    assert scores.exact == 50.0 and scores.validity == 100.0
    silver = s.tables[0].rows[0]
    assert silver.scores is not None and silver.scores.exact == 100.0 and SILVER_NOTE in silver.notes
    assert any(m.startswith("d2a-sentence (test): no task files") for m in s.missing)
    assert "r2d (test): no predictions yet" in s.missing
    md = render_task_section(s)
    assert "### d2a-gold, test split (2 examples)" in md and "### d2a-gold, all 2 sentences" in md
    assert "### r2d" not in md and "### d2a-sentence" not in md
    assert "| rules | " in task_table(gold) and "| 50.0 |" in task_table(gold)
    assert "are not quoted" in md  # no published figures configured


def test_a_missing_task_folder_shows_no_table(tmp_path: Path) -> None:
    s = task_section(tmp_path / "data", tmp_path / "predictions", "test")
    assert s.tables == [] and len(s.missing) == 6
    assert "###" not in render_task_section(s)


def test_circle_review_beside_the_predictions(project: Path) -> None:
    preds = project / "predictions"
    beside, whole_task = task_review_paths("d2a-gold", "rules", "test", preds)
    assert beside == task_predictions_dir("d2a-gold", "rules", preds) / "test.review.json"
    _review(whole_task, "rules", 0.7, 0.05, [0, 1])
    row = task_section(project / "data", preds).tables[1].rows[0]
    assert row.review is not None and row.review.path == whole_task and row.review.round == 1
    assert row.review.mean == pytest.approx(0.7) and row.review.examples == 2
    _review(beside, "rules", 0.9, 0.1, [1])  # the model's own file wins
    table = task_section(project / "data", preds).tables[1]
    assert table.rows[0].review is not None and table.rows[0].review.mean == pytest.approx(0.9)
    assert "| 90.0 | 10.0 | " in task_table(table) and "circle review: round 1, 1 examples" in task_table(table)
    top = beside.with_name("test.txt")
    later = beside.stat().st_mtime + 10
    os.utime(top, (later, later))  # predicted again since the review
    again = task_section(project / "data", preds).tables[1].rows[0]
    assert again.review is None and any("older than the predictions" in n for n in again.notes)


def test_unreadable_predictions_and_reference_row(project: Path) -> None:
    top = task_predictions_dir("d2a-gold", "rules", project / "predictions") / "test.txt"
    top.write_text(RULES_GOLD[0] + "\n", encoding="utf-8")
    reference = {"d2a-gold": {"label": "ChemActor (their Table 2)", "bleu4": 70.0}}
    s = task_section(project / "data", project / "predictions", "test", reference)
    gold = s.tables[1]
    assert gold.rows[0].scores is None and gold.rows[0].status.startswith("unreadable")
    text = task_table(gold)
    assert "*ChemActor (their Table 2)*" in text and REFERENCE_NOTE in text and "| 70.0 |" in text
    assert "are not quoted" not in render_task_section(s)
    csv_text = write_task_csv(s, project / "tasks.csv").read_text(encoding="utf-8")
    assert "d2a-gold,test,rules,unreadable" in csv_text and f"reference ({REFERENCE_NOTE})" in csv_text


def test_reference_figures_are_checked(tmp_path: Path) -> None:
    base = (Path(__file__).resolve().parents[1] / "configs" / "evaluation.yaml").read_text(encoding="utf-8")
    base = base.replace("chemactor_reference: {}", "")
    path = tmp_path / "evaluation.yaml"
    path.write_text(base + "chemactor_reference:\n  d2a:\n    bleu4: 50.0\n", encoding="utf-8")
    assert EvaluationSettings.from_yaml(path).chemactor_reference == {"d2a": {"bleu4": 50.0}}
    path.write_text(base + "chemactor_reference:\n  d2a:\n    bleu5: 50.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bleu5"):
        EvaluationSettings.from_yaml(path)

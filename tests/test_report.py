import csv
import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from s2a.cli import main
from s2a.errors import MissingArtifact
from s2a.evaluation.differences import Difference
from s2a.evaluation.metrics import score
from s2a.evaluation.report import (EvaluationSettings, compare, discover_models, metrics_table, provenance,
                                     render_markdown, same_sample_tables, write_report)
from s2a.models import ModelPaths
from s2a.models.random_baseline import RandomSameSizeModel
from s2a.predict_split import predict_split
from sample import SAMPLE

FIXTURES = SAMPLE


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """data/processed from the fixture, and predictions of an oracle, a real random model and a broken file."""
    data = tmp_path / "data"
    data.mkdir()
    for split in ("train", "test"):
        for kind in ("src", "tgt"):
            shutil.copy(FIXTURES / f"{kind}-{split}.txt", data / f"{kind}-{split}.txt")
    (data / "metadata.json").write_text(json.dumps({"source": "fixture sample", "counts": {"train": 100, "test": 10},
                                                    "seed": 7, "split": "random"}))
    preds = tmp_path / "predictions"
    (preds / "oracle").mkdir(parents=True)
    shutil.copy(data / "tgt-test.txt", preds / "oracle" / "test.txt")
    (preds / "oracle" / "test.meta.json").write_text(json.dumps({"profile": "gold"}))
    model = RandomSameSizeModel(ModelPaths(data, tmp_path / "models" / "random-same-size"), seed=3)
    model.train()
    predict_split(model, "test", 3, preds / "random-same-size")
    (preds / "broken").mkdir()
    (preds / "broken" / "test.txt").write_text("ADD $1$\nADD $2$\n")
    return tmp_path


def _settings(sample_dir: Path) -> EvaluationSettings:
    return dataclasses.replace(EvaluationSettings.from_yaml(), sample_dir=sample_dir)


def test_discover_keeps_known_order_and_adds_others(workspace: Path) -> None:
    found = discover_models(workspace / "predictions", "test", ["transformer", "random-same-size"])
    assert found == ["transformer", "random-same-size", "broken", "oracle"]


def test_compare_scores_each_model(workspace: Path) -> None:
    c = compare(workspace / "data", workspace / "predictions", "test", _settings(FIXTURES), transfer=False)
    by = {r.name: r for r in c.results}
    assert by["transformer"].status == "not run (make train-transformer)" and by["bart"].status.startswith("not run")
    assert by["llm-endpoint"].status.startswith("skipped: no endpoint configured")
    assert by["broken"].status.startswith("unreadable") and "2 predictions for 10" in by["broken"].status
    oracle = by["oracle"].scores
    assert oracle is not None and oracle.exact == 1.0 and oracle.validity == 1.0 and oracle.bleu == pytest.approx(1.0)
    rnd = by["random-same-size"].scores
    assert rnd is not None and rnd.n == 10 and rnd.n_best == 3
    assert rnd.best_of_n_75 is not None and rnd.best_of_n_75 >= rnd.at_least_75
    assert c.best == "oracle"
    assert c.differences[Difference.EXACT] == 10
    assert "random-same-size: cpu" in c.provenance and "training reactions: 100" in c.provenance
    assert "source: fixture sample" in c.provenance


def test_transfer_check_reads_the_answers_predict_split_wrote(workspace: Path) -> None:
    preds = workspace / "predictions"
    c = compare(workspace / "data", preds, "test", _settings(FIXTURES))
    by = {r.name: r for r in c.results}
    assert c.transfer_note.startswith("20 gold pairs")
    assert by["random-same-size"].transfer is None  # the report never runs a model
    assert "s2a predict-split random-same-size --split transfer" in by["random-same-size"].transfer_note
    sources = [x for s in ("valid", "test") for x in (FIXTURES / f"src-{s}.txt").read_text().splitlines()]
    model = RandomSameSizeModel(ModelPaths(workspace / "data", workspace / "models" / "random-same-size"), seed=3)
    predict_split(model, "transfer", 1, preds / "random-same-size", src=sources)
    c = compare(workspace / "data", preds, "test", _settings(FIXTURES))
    by = {r.name: r for r in c.results}
    assert by["random-same-size"].transfer is not None and by["random-same-size"].transfer.n == 20
    assert by["oracle"].transfer is None and "no transfer predictions" in by["oracle"].transfer_note
    assert json.loads((preds / "random-same-size" / "test.meta.json").read_text())["split"] == "test"  # not overwritten
    cached = preds / "random-same-size" / "transfer.txt"
    gold = [x for s in ("valid", "test") for x in (FIXTURES / f"tgt-{s}.txt").read_text().splitlines()]
    cached.write_text("\n".join(gold) + "\n")
    again = {r.name: r for r in compare(workspace / "data", preds, "test", _settings(FIXTURES)).results}
    assert again["random-same-size"].transfer is not None and again["random-same-size"].transfer.exact == 1.0
    # new test predictions (a retrained model) make the transfer answers stale: not scored
    test_file = preds / "random-same-size" / "test.txt"
    later = cached.stat().st_mtime + 10
    os.utime(test_file, (later, later))
    stale = {r.name: r for r in compare(workspace / "data", preds, "test", _settings(FIXTURES)).results}
    assert stale["random-same-size"].transfer is None and stale["random-same-size"].transfer_note.startswith("stale")


def test_predict_split_cli_answers_the_transfer_sample(workspace: Path) -> None:
    out = workspace / "predictions" / "random-same-size"
    result = CliRunner().invoke(main, ["predict-split", "random-same-size", "--split", "transfer", "-n", "1",
                                       "--data-dir", str(workspace / "data"),
                                       "--work-dir", str(workspace / "models" / "random-same-size"),
                                       "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    sample = EvaluationSettings.from_yaml().sample_dir
    if (sample / "src-test.txt").is_file():
        assert len((out / "transfer.txt").read_text().splitlines()) == 20
    else:
        assert "skipped" in result.output


def test_transfer_skipped_without_sample(workspace: Path) -> None:
    c = compare(workspace / "data", workspace / "predictions", "test", _settings(workspace / "nowhere"))
    assert c.transfer_note.startswith("skipped")
    assert all(r.transfer is None for r in c.results)


def test_report_files(workspace: Path) -> None:
    c = compare(workspace / "data", workspace / "predictions", "test", _settings(FIXTURES),
                models_dir=workspace / "models")
    md = write_report(c, workspace / "reports")
    text = md.read_text()
    assert "| oracle | 100.0 | 100.0 | 100.0 |" in text
    assert "| transformer |" in text and "not run" in text
    assert "Pistachio" in text and "| 3.6 |" in text  # the paper's row, marked as another data set
    assert "![number of actions](action_counts.png)" in text
    assert "best model, oracle" in text and "| exact match | 10 | 100.0 |" in text
    assert "| ADD |" in text
    assert (workspace / "reports" / "action_counts.png").read_bytes()[:4] == b"\x89PNG"
    rows = list(csv.DictReader((workspace / "reports" / "comparison.csv").open()))
    assert [r["model"] for r in rows][-1] == "paper-transformer-pistachio"
    assert {r["model"]: r["status"] for r in rows}["transformer"].startswith("not run")
    assert float({r["model"]: r for r in rows}["oracle"]["exact"]) == 1.0


def test_provenance_reads_the_pipeline_metadata(tmp_path: Path) -> None:
    meta = {"sources": ["data/raw/ord"], "seed": 42, "date": "2026-11-21", "kept": 95,
            "split": {"mode": "patent", "seed": 42, "fractions": [0.8, 0.1, 0.1],
                      "counts": {"train": 80, "valid": 10, "test": 10}}}
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    p = provenance(tmp_path, "test", 10, [])
    assert "source: data/raw/ord" in p and "training reactions: 80" in p and "test reactions: 10" in p
    assert "split: patent (seed 42)" in p and "data built: 2026-11-21" in p
    (tmp_path / "metadata.json").write_text("{not json")
    (tmp_path / "src-train.txt").write_text("A >> B\nC >> D\n")
    assert "training reactions: 2" in provenance(tmp_path, "test", 1, [])


def test_report_without_any_predictions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for kind in ("src", "tgt"):
        shutil.copy(FIXTURES / f"{kind}-test.txt", data / f"{kind}-test.txt")
    c = compare(data, tmp_path / "predictions", "test", _settings(FIXTURES), transfer=False)
    assert c.best is None and all(r.status.startswith(("not run", "skipped")) for r in c.results)
    assert "No model has predictions" in write_report(c, tmp_path / "reports").read_text()


def test_missing_test_split_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(MissingArtifact):
        compare(tmp_path, tmp_path / "predictions", "test", _settings(FIXTURES), transfer=False)


def test_cli_compare(workspace: Path) -> None:
    out = workspace / "reports"
    result = CliRunner().invoke(main, ["compare", "--data-dir", str(workspace / "data"), "--predictions-dir",
                                       str(workspace / "predictions"), "--out-dir", str(out), "--no-transfer"])
    assert result.exit_code == 0, result.output
    assert "| oracle | 100.0 |" in result.stdout
    assert f"report: {out / 'comparison.md'}" in result.stdout
    assert (out / "comparison.md").is_file()
    missing = CliRunner().invoke(main, ["compare", "--data-dir", str(workspace / "nowhere"), "--no-transfer"])
    assert missing.exit_code == 2 and "src-test.txt" in missing.stderr


def test_sampled_run_is_scored_on_its_own_lines(workspace: Path) -> None:
    data, preds = workspace / "data", workspace / "predictions"
    model = RandomSameSizeModel(ModelPaths(data, workspace / "models" / "random-same-size"), seed=5)
    predict_split(model, "test", 2, preds / "sampled", limit=4)
    meta = json.loads((preds / "sampled" / "test.meta.json").read_text())
    assert meta["reactions"] == 4 and meta["split_size"] == 10 and len(meta["indices"]) == 4
    lines = (preds / "sampled" / "test.txt").read_text().splitlines()
    assert len(lines) == 4
    c = compare(data, preds, "test", _settings(FIXTURES), transfer=False)
    sampled = next(r for r in c.results if r.name == "sampled")
    truths = (data / "tgt-test.txt").read_text().splitlines()
    srcs = (data / "src-test.txt").read_text().splitlines()
    assert sampled.truths == [truths[i] for i in meta["indices"]]
    assert sampled.scores is not None and sampled.scores.n == 4
    expected = score([srcs[i] for i in meta["indices"]], sampled.truths, lines)
    assert sampled.scores.mean_similarity == pytest.approx(expected.mean_similarity)
    assert "scored on a seeded sample of 4 of 10 reactions" in metrics_table(c)
    # the other models on the same four reactions, in the report
    same = same_sample_tables(c)
    assert "On the 4 reactions sampled was asked for" in same and same in render_markdown(c, None)
    oracle_row = next(line for line in same.splitlines() if line.startswith("| oracle |"))
    assert oracle_row.split("|")[2].strip() == "100.0"  # validity of the truth itself on the sample
    random_row = next(line for line in same.splitlines() if line.startswith("| random-same-size |"))
    predictions = (preds / "random-same-size" / "test.txt").read_text().splitlines()
    on_sample = score([srcs[i] for i in meta["indices"]], sampled.truths, [predictions[i] for i in meta["indices"]])
    assert random_row.split("|")[8].strip() == f"{100 * on_sample.mean_similarity:.1f}"


def test_sampled_run_with_indices_outside_the_split_is_unreadable(workspace: Path) -> None:
    preds = workspace / "predictions"
    (preds / "bad-sample").mkdir()
    (preds / "bad-sample" / "test.txt").write_text("ADD $1$\n")
    (preds / "bad-sample" / "test.meta.json").write_text(json.dumps({"indices": [10], "split_size": 10}))
    c = compare(workspace / "data", preds, "test", _settings(FIXTURES), transfer=False)
    assert next(r for r in c.results if r.name == "bad-sample").status.startswith("unreadable")


def test_report_shows_the_decoder_ranking_and_the_collapse_check(workspace: Path) -> None:
    preds = workspace / "predictions"
    truths = (workspace / "data" / "tgt-test.txt").read_text().splitlines()
    (preds / "oracle" / "test.raw.txt").write_text("\n".join([truths[0]] * len(truths)) + "\n")  # one answer
    c = compare(workspace / "data", preds, "test", _settings(FIXTURES), transfer=False)
    by = {r.name: r for r in c.results}
    raw = by["oracle"].raw
    assert raw is not None and raw.exact == pytest.approx(1 / len(truths))
    assert by["random-same-size"].raw is None
    table = metrics_table(c)
    assert "| oracle (decoder ranking) | " in table and "random-same-size (decoder ranking)" not in table
    assert "ranking: valid first, per-token score |" in table  # no meta: the defaults, nothing more
    by["oracle"].meta["ranking"] = {"complete": True, "consensus": {"neighbours": 10}}
    assert "ranking: valid first, per-token score, completed, consensus with 10 nearest training reactions" \
        in metrics_table(c)
    oracle = by["oracle"].collapse  # the oracle itself is not collapsed
    assert oracle is not None and oracle.distinct == len(set(truths)) and oracle.length_jsd == 0.0
    assert oracle.zero_recall == ()
    md = render_markdown(c, None)
    assert "### Collapse check" in md and f"| oracle | {len(set(truths))} (" in md


def test_report_plots_the_learning_curves_found_under_models(workspace: Path, tmp_path: Path) -> None:
    from s2a.formats.learning_curve import CurvePoint, merge_points, read_curve

    models = tmp_path / "models"
    merge_points(models / "transformer" / "learning_curve.csv",
                 [CurvePoint(10, 2.4, 48.0, seconds=4.5), CurvePoint(20, 2.0, 53.9, 12.5, 8.7)])
    merge_points(models / "llm" / "learning_curve.csv", [CurvePoint(2, 1.5, 61.0)])
    assert [p.valid_at_least_50 for p in read_curve(models / "transformer" / "learning_curve.csv")] == [None, 12.5]
    c = compare(workspace / "data", workspace / "predictions", "test", _settings(workspace / "nowhere"))
    text = write_report(c, tmp_path / "reports", models).read_text()
    assert "![learning curves](learning_curves.png)" in text
    assert (tmp_path / "reports" / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert "learning curves" not in write_report(c, tmp_path / "r2", tmp_path / "empty").read_text()


def test_report_has_the_chemactor_tasks_section(workspace: Path) -> None:
    from preprocessing.rule_predictions import predict_rules
    from test_rule_predictions import GOLD_SRC, GOLD_TGT, write_task

    data, preds, out = workspace / "data", workspace / "predictions", workspace / "reports"
    before = compare(data, preds, "test", _settings(FIXTURES), transfer=False)
    assert before.tasks is not None and before.tasks.tables == []  # no task files: no table, no crash
    md = render_markdown(before, None)
    assert "## ChemActor tasks" in md and "d2a-gold (test): no task files" in md and "### d2a" not in md
    write_task(data, "d2a-gold", "test", GOLD_SRC, GOLD_TGT)
    predict_rules(data, "d2a-gold", "test", preds)
    c = compare(data, preds, "test", _settings(FIXTURES), transfer=False)
    assert [r.name for r in c.results] == [r.name for r in before.results]  # predictions/tasks is no S2A model
    text = write_report(c, out).read_text(encoding="utf-8")
    assert text.index("## Metrics on the test split") < text.index("## ChemActor tasks")
    assert "### d2a-gold, test split (2 examples)" in text and "| rules | " in text
    rows = list(csv.DictReader((out / "chemactor_tasks.csv").open(encoding="utf-8")))
    assert [(r["task"], r["model"], float(r["exact"])) for r in rows] == [("d2a-gold", "rules", 50.0)]
    result = CliRunner().invoke(main, ["compare", "--data-dir", str(data), "--predictions-dir", str(preds),
                                       "--out-dir", str(out), "--no-transfer", "--models-dir", str(workspace / "models")])
    assert result.exit_code == 0, result.output
    assert "ChemActor task d2a-gold, test split (2 examples)" in result.output

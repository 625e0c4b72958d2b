"""The data-selection ablation and the `s2a select` / `s2a select-ablation` commands, run with the
fast `random` family (the ablation's plumbing, s2a.ablation, does not depend on which family is trained)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from s2a.cli import main
from s2a.errors import ConfigError
from s2a.selection_ablation import load_ablation, markdown_table, run_ablation
from s2a.selection import divergence
from sample import sample_prefix

FIXTURE = sample_prefix(40)


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_ablation_trains_and_scores_three_arms(tmp_path: Path) -> None:
    results = run_ablation(FIXTURE, tmp_path, fraction=0.5, model="random", seeds=(3,))
    assert [r.arm for r in results] == ["selected", "random", "all"]
    assert [r.train_size for r in results] == [20, 20, 40]
    by_arm = {r.arm: r for r in results}
    assert by_arm["selected"].divergence < by_arm["random"].divergence
    everything = divergence(read(FIXTURE / "tgt-valid.txt"), read(FIXTURE / "tgt-train.txt"))["total"]
    assert by_arm["all"].divergence == everything
    for r in results:
        assert r.scores["n"] == 10 and 0.0 <= r.scores["validity"] <= 1.0
        assert len(read(tmp_path / r.arm / "seed-3" / "predictions" / "test.txt")) == 10
    subset_src = read(tmp_path / "selected" / "data" / "src-train.txt")
    subset_tgt = read(tmp_path / "selected" / "data" / "tgt-train.txt")
    pairs = set(zip(read(FIXTURE / "src-train.txt"), read(FIXTURE / "tgt-train.txt")))
    assert len(subset_src) == 20 and set(zip(subset_src, subset_tgt)) <= pairs
    assert read(tmp_path / "selected" / "data" / "src-test.txt") == read(FIXTURE / "src-test.txt")
    table = markdown_table(results).splitlines()
    assert len(table) == 5 and table[2].startswith("| selected |") and table[4].startswith("| all |")
    assert (tmp_path / "ablation.json").is_file()


def test_seeds_give_mean_and_deviation_and_a_rerun_trains_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import s2a.ablation

    results = run_ablation(FIXTURE, tmp_path, fraction=0.5, model="random", seeds=(3, 4))
    assert [(r.seed, r.arm) for r in results] == [(s, a) for s in (3, 4) for a in ("selected", "random", "all")]
    by = {(r.seed, r.arm): r for r in results}
    # the selected subset and `all` do not depend on the seed; the random draw does
    assert by[3, "selected"].divergence == by[4, "selected"].divergence
    drawn = [read(tmp_path / "random" / f"seed-{s}" / "data" / "src-train.txt") for s in (3, 4)]
    assert drawn[0] != drawn[1]
    rows = {line.split("|")[1].strip(): line for line in markdown_table(results).splitlines()[2:]}
    assert set(rows) == {"selected", "random", "all"}
    assert all(" ± " in row and row.split("|")[2].strip() == "2" for row in rows.values())
    settings, loaded = load_ablation(tmp_path / "ablation.json")
    assert settings["seeds"] == [3, 4] and loaded == results
    assert "2 seeds (3, 4)" in (tmp_path / "ablation.md").read_text()

    def fail(*args: object) -> None:
        raise AssertionError("a finished arm was trained again")

    monkeypatch.setattr(s2a.ablation, "_train_and_score", fail)
    assert run_ablation(FIXTURE, tmp_path, fraction=0.5, model="random", seeds=(3, 4)) == results


def test_select_ablation_command_takes_seeds(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["select-ablation", "--data-dir", str(FIXTURE), "--model", "random",
                                       "--fraction", "0.5", "--seeds", "1,2", "--work-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "seeds 1,2" in result.output and result.output.count(" ± ") >= 3
    bad = CliRunner().invoke(main, ["select-ablation", "--data-dir", str(FIXTURE), "--seeds", "1,x",
                                    "--work-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "--seeds" in bad.output


def test_select_command_writes_a_data_dir(tmp_path: Path) -> None:
    out = tmp_path / "selected"
    result = CliRunner().invoke(main, ["select", "--data-dir", str(FIXTURE), "--fraction", "0.25",
                                       "--method", "score", "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines() if "JSD" in line}
    assert set(rows) == {"all", "selected", "random"} and rows["selected"].split()[1] == "10"
    assert len(read(out / "tgt-train.txt")) == 10 and len(read(out / "selected.txt")) == 10


def test_select_command_reports_a_missing_split_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["select", "--data-dir", str(tmp_path), "--out-dir", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "tgt-train.txt" in result.output and "Traceback" not in result.output


def test_compare_reports_the_ablation(tmp_path: Path) -> None:
    from s2a.evaluation.report import EvaluationSettings, compare, render_markdown

    results = run_ablation(FIXTURE, tmp_path / "models" / "select-ablation", fraction=0.5, model="random", seeds=(3,))
    c = compare(FIXTURE, tmp_path / "predictions", "test", EvaluationSettings.from_yaml(), transfer=False,
                models_dir=tmp_path / "models")
    rows = [line for line in c.ablation.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows] == ["subset"] + [r.arm for r in results]
    assert "random (cpu profile)" in c.ablation and "Data selection" in render_markdown(c, None)
    # the report reads the summary the ablation wrote; its results file is for load_ablation
    (tmp_path / "models" / "select-ablation" / "ablation.json").write_text("[]")
    with pytest.raises(ConfigError, match="not an ablation result"):
        load_ablation(tmp_path / "models" / "select-ablation" / "ablation.json")

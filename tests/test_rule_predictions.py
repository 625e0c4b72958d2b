"""The rule-based extractor as a D2A model: prediction files in the task layout, its notes."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.rule_predictions import FITTED_NOTE, SILVER_NOTE, d2a_tasks, predict_line, predict_rules
from s2a.cli import main
from s2a.errors import UnknownTask

# Two sentences of the paragraph2actions sample's test split (MIT) with their gold actions: the
# rules get the first exactly and the second not (they read 'drop' and 'mixture continued' as ADDs).
GOLD_SRC = ["The reaction mixture is allowed to warm to room temperature and stirred overnight.",
            "A further drop of methanesulfonyl chloride was added and the mixture continued to stir at RT for 30 min."]
GOLD_TGT = ["STIR for overnight at room temperature",
            "ADD methanesulfonyl chloride (1 drop) ; STIR for 30 min at RT"]
RULES_GOLD = ["STIR for overnight at room temperature",
              "ADD drop of methanesulfonyl chloride ; ADD mixture continued ; STIR for 30 min at RT"]
PARAGRAPH = ("The reaction mixture is allowed to warm to room temperature and stirred overnight. The combined "
             "organic layers were washed with brine, dried over sodium sulfate and concentrated.")
PARAGRAPH_ACTIONS = ("STIR for overnight at room temperature ; COLLECTLAYER organic ; WASH with brine ; "
                     "DRYSOLUTION over sodium sulfate ; CONCENTRATE")


def write_task(data: Path, task: str, split: str, src: list[str], tgt: list[str]) -> None:
    folder = data / "tasks" / task
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"src-{split}.txt").write_text("".join(x + "\n" for x in src), encoding="utf-8")
    (folder / f"tgt-{split}.txt").write_text("".join(x + "\n" for x in tgt), encoding="utf-8")


def test_lines_as_the_task_writer_makes_them() -> None:
    assert predict_line(PARAGRAPH, "paragraph") == (PARAGRAPH_ACTIONS, True)
    assert predict_line("The title compound is a white solid.", "sentence") == ("NOACTION", True)  # kept per sentence
    assert predict_line(GOLD_SRC[1], "sentence") == (RULES_GOLD[1], True)


def test_predictions_in_the_task_layout_with_notes(tmp_path: Path) -> None:
    data, preds = tmp_path / "data", tmp_path / "predictions"
    write_task(data, "d2a-gold", "test", GOLD_SRC, GOLD_TGT)
    write_task(data, "d2a-gold", "all", GOLD_SRC, GOLD_TGT)
    write_task(data, "d2a", "test", [PARAGRAPH], [PARAGRAPH_ACTIONS])
    result = predict_rules(data, "d2a-gold", "test", preds)
    assert result.path == preds / "tasks" / "d2a-gold" / "rules" / "test.txt" and result.n == 2
    assert result.path.read_text(encoding="utf-8").splitlines() == RULES_GOLD
    nbest = [json.loads(x) for x in (result.path.parent / "test.nbest.jsonl").read_text().splitlines()]
    assert [row["src"] for row in nbest] == GOLD_SRC and nbest[1]["hypotheses"][0]["actions"] == RULES_GOLD[1]
    meta = json.loads((result.path.parent / "test.meta.json").read_text())
    assert meta["model"] == "rules" and meta["task"] == "d2a-gold" and meta["unwritable"] == 0 and "note" not in meta
    predict_rules(data, "d2a-gold", "all", preds)
    assert json.loads((result.path.parent / "all.meta.json").read_text())["note"] == FITTED_NOTE
    silver = predict_rules(data, "d2a", "test", preds)
    assert silver.path.read_text(encoding="utf-8").splitlines() == [PARAGRAPH_ACTIONS]  # its own label
    assert json.loads((silver.path.parent / "test.meta.json").read_text())["note"] == SILVER_NOTE


def test_only_text_to_actions_tasks() -> None:
    assert d2a_tasks() == ["d2a", "d2a-sentence", "d2a-gold"]
    with pytest.raises(UnknownTask):
        predict_rules(Path("unused"), "r2d")


def test_cli(tmp_path: Path) -> None:
    data, preds = tmp_path / "data", tmp_path / "predictions"
    write_task(data, "d2a-gold", "test", GOLD_SRC, GOLD_TGT)
    args = ["tasks", "predict-rules", "--task", "d2a-gold", "--data-dir", str(data), "--predictions-dir", str(preds)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "2 predictions" in result.output and (preds / "tasks" / "d2a-gold" / "rules" / "test.txt").is_file()
    missing = CliRunner().invoke(main, args[:-4] + ["--split", "valid", "--data-dir", str(data),
                                                     "--predictions-dir", str(preds)])
    assert missing.exit_code == 2 and "src-valid.txt" in missing.output

"""ChemActor's task files (preprocessing.tasks, s2a.formats.tasks) on real records.

The records are the ORD fixture built and split by the pipeline (works in a fresh clone), and, when
`make data` has run, the first lines of the real processed splits too."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.pipeline import build
from preprocessing.sources import iter_records
from preprocessing.split import split
from preprocessing.tasks import METADATA_NAME, WRITTEN, paragraph_pair, sentence_pairs, write_tasks
from s2a.cli import main
from s2a.errors import GoldSetMissing, UnknownTask
from s2a.formats.targets import parses, positional_tokens
from s2a.formats.tasks import (
    GOLD_SAMPLE_DIR,
    SPLITS,
    TASKS,
    gold_to_tgt,
    load_gold,
    one_line,
    read_task_pairs,
    task_dir,
)

HERE = Path(__file__).parent
ORD_FIXTURE = HERE / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"
PROCESSED = HERE.parent / "data" / "processed"
REAL_LINES = 40


def _gold_fixture(folder: Path) -> Path:
    """A sample in the paragraph2actions format: 8 / 1 / 1 sentences."""
    folder.mkdir(parents=True)
    for s, n in (("train", 8), ("valid", 1), ("test", 1)):
        (folder / f"src-{s}.txt").write_text("".join(f"Water ({s} {i}) was added.\n" for i in range(n)))
        (folder / f"tgt-{s}.txt").write_text("".join(f"ADD water ({i} ml); STIR for 2 h.\n" for i in range(n)))
    (folder / "LICENSE").write_text("MIT\n")
    return folder


@pytest.fixture(scope="module", params=["ord-fixture", "processed"])
def data_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(request.param)
    if request.param == "ord-fixture":
        std = out / "std.jsonl"
        build(iter_records([ORD_FIXTURE]), std, seed=3, workers=1, progress=False, actions="text")
        split(std, out / "processed", fractions=(0.6, 0.2, 0.2), seed=3, mode="patent")
    else:
        if not all((PROCESSED / f"{s}.jsonl").is_file() for s in SPLITS):
            pytest.skip("no data/processed (run `make data`)")
        (out / "processed").mkdir()
        for s in SPLITS:
            lines = (PROCESSED / f"{s}.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
            (out / "processed" / f"{s}.jsonl").write_text("".join(lines[:REAL_LINES]), encoding="utf-8")
    return out / "processed"


@pytest.fixture(scope="module")
def written(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    gold = _gold_fixture(tmp_path_factory.mktemp("gold") / "sample")
    return data_dir, write_tasks(data_dir, gold_dir=gold, gold_seed=7)


def _records(data_dir: Path, split_name: str) -> list[dict]:
    return [json.loads(x) for x in (data_dir / f"{split_name}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_task_and_split_is_written_aligned_and_counted(written: tuple[Path, object]) -> None:
    data_dir, summary = written
    assert task_dir(data_dir, "s2a") == data_dir and task_dir(data_dir, "d2a") == data_dir / "tasks" / "d2a"
    meta = json.loads((data_dir / "tasks" / METADATA_NAME).read_text())
    for name in WRITTEN:
        for s in SPLITS:
            src, tgt = read_task_pairs(data_dir, name, s)
            counts = summary.counts[name][s]
            assert len(src) == len(tgt) == counts.kept
            assert counts.read == counts.kept + sum(counts.skipped.values())
            assert meta["counts"][name][s]["kept"] == counts.kept
            assert all(x and "\n" not in x and x == one_line(x) for x in src + tgt)
        assert sum(summary.counts[name][s].kept for s in SPLITS) > 0
    assert not list(data_dir.glob("*.partial"))


def test_same_splits_as_s2a_and_the_tasks_mirror_each_other(written: tuple[Path, object]) -> None:
    data_dir, _ = written
    for s in SPLITS:
        records = _records(data_dir, s)
        d2a_src, d2a_tgt = read_task_pairs(data_dir, "d2a", s)
        a2d_src, a2d_tgt = read_task_pairs(data_dir, "a2d", s)
        r2d_src, r2d_tgt = read_task_pairs(data_dir, "r2d", s)
        assert (a2d_src, a2d_tgt) == (d2a_tgt, d2a_src)
        # r2d: every record of the split, its S2A source and its procedure, in order.
        assert r2d_src == [r["src"] for r in records] and r2d_tgt == [one_line(r["procedure"]) for r in records]
        assert set(d2a_src) <= set(r2d_tgt)
        paragraphs = " ".join(r2d_tgt)
        sent_src, _ = read_task_pairs(data_dir, "d2a-sentence", s)
        assert all(x in paragraphs for x in sent_src)


def test_d2a_actions_are_named_readable_actions(written: tuple[Path, object]) -> None:
    data_dir, _ = written
    src, tgt = read_task_pairs(data_dir, "d2a", "train")
    sent_src, sent_tgt = read_task_pairs(data_dir, "d2a-sentence", "train")
    assert all(not positional_tokens(t) for t in tgt + sent_tgt)  # names, not $k$
    assert all(";" not in t.replace(" ; ", "") for t in tgt)  # ' ; ' between actions, no other ';'
    assert not any(a.strip() == "NOACTION" for t in tgt for a in t.split(";"))  # dropped at paragraph level
    assert sum(parses(t) for t in tgt) >= 0.9 * len(tgt)
    assert sum(parses(t) for t in sent_tgt) >= 0.9 * len(sent_tgt)
    assert len(sent_src) >= len(src)


def test_second_run_is_a_no_op_and_a_new_seed_rewrites(written: tuple[Path, object], tmp_path: Path) -> None:
    data_dir, _ = written
    copy = tmp_path / "processed"
    shutil.copytree(data_dir, copy)
    gold = _gold_fixture(tmp_path / "gold")
    first = write_tasks(copy, gold_dir=gold, gold_seed=7)
    assert not first.up_to_date  # the gold folder is another one: a different stamp
    mtime = (copy / "tasks" / "d2a" / "tgt-train.txt").stat().st_mtime_ns
    again = write_tasks(copy, gold_dir=gold, gold_seed=7)
    assert again.up_to_date and again.counts["d2a"]["train"].kept == first.counts["d2a"]["train"].kept
    assert (copy / "tasks" / "d2a" / "tgt-train.txt").stat().st_mtime_ns == mtime
    assert not write_tasks(copy, gold_dir=gold, gold_seed=8).up_to_date
    assert not write_tasks(copy, gold_dir=gold).up_to_date  # the files' own split


def test_gold_split_is_80_10_10_deterministic_by_seed(tmp_path: Path) -> None:
    gold = _gold_fixture(tmp_path / "gold")
    a, b, c = load_gold(gold, seed=1), load_gold(gold, seed=1), load_gold(gold, seed=2)
    assert a.splits == b.splits and a.splits != c.splits
    assert [len(a.splits[s][0]) for s in SPLITS] == [8, 1, 1]
    assert sorted(x for s in SPLITS for x in a.splits[s][0]) == sorted(a.all[0])
    pairs = dict(zip(*a.all))
    assert all(pairs[x] == y for s in SPLITS for x, y in zip(*a.splits[s]))
    own = load_gold(gold)  # default: the files' own split
    assert own.splits["valid"] == (["Water (valid 0) was added."], ["ADD water (0 ml) ; STIR for 2 h"])
    assert own.splits["train"][0][:2] == ["Water (train 0) was added.", "Water (train 1) was added."]


def test_gold_sample_written_with_its_licence(written: tuple[Path, object]) -> None:
    data_dir, summary = written
    assert summary.gold == {"train": 8, "valid": 1, "test": 1, "all": 10}  # type: ignore[attr-defined]
    src, tgt = read_task_pairs(data_dir, "d2a-gold", "all")
    assert len(src) == 10 and tgt[0] == "ADD water (0 ml) ; STIR for 2 h"
    assert (data_dir / "tasks" / "d2a-gold" / "LICENSE").read_text() == "MIT\n"


def test_absent_gold_is_a_typed_skip_not_a_crash(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(GoldSetMissing) as e:
        load_gold(tmp_path / "shared-absent")
    assert "shared-absent" in e.value.path
    copy = tmp_path / "processed"
    shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("tasks"))
    summary = write_tasks(copy, gold_dir=tmp_path / "shared-absent")
    assert summary.gold == {} and "not found" in summary.gold_note
    assert not (copy / "tasks" / "d2a-gold").exists() and (copy / "tasks" / "d2a" / "src-test.txt").is_file()


def test_cli_data_tasks(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tasks"
    result = CliRunner().invoke(main, ["data", "tasks", "--data-dir", str(data_dir), "-o", str(out),
                                       "--gold-dir", str(tmp_path / "absent")])
    assert result.exit_code == 0, result.output
    assert "| d2a |" in result.stdout and "| r2d |" in result.stdout
    assert "d2a-gold skipped" in result.stderr and (out / "a2d" / "tgt-valid.txt").is_file()


@pytest.mark.skipif(not (GOLD_SAMPLE_DIR / "tgt-test.txt").is_file(), reason="../shared is absent")
def test_the_public_gold_sample() -> None:
    gold = load_gold(GOLD_SAMPLE_DIR)
    assert [len(gold.splits[s][0]) for s in SPLITS] == [80, 10, 10] and len(gold.all[0]) == 100
    assert [len(load_gold(GOLD_SAMPLE_DIR, seed=42).splits[s][0]) for s in SPLITS] == [80, 10, 10]
    # Every gold line is in the tgt format; all but the bare INVALIDACTION lines (which
    # paragraph2actions 1.5.0 cannot read back) parse.
    unparsed = [t for t in gold.all[1] if not parses(t)]
    assert set(unparsed) <= {"INVALIDACTION"}


def test_format_helpers() -> None:
    assert gold_to_tgt("ADD X (2 g); STIR for 2 h.") == "ADD X (2 g) ; STIR for 2 h"
    assert gold_to_tgt("PHASESEPARATION.") == "PHASESEPARATION"
    assert one_line(" a\n b\t c ") == "a b c"
    assert set(TASKS) == {"s2a", "d2a", "d2a-sentence", "r2d", "a2d", "d2a-gold"}
    with pytest.raises(UnknownTask):
        task_dir(Path("."), "x2y")


def test_pairs_of_one_procedure() -> None:
    text = "Ethanol (5 ml) was added. The mixture was stirred for 2 h. M.p. 120 °C."
    paragraph = paragraph_pair(text)
    assert isinstance(paragraph, tuple) and paragraph[0] == text
    assert "ADD Ethanol (5 ml)" in paragraph[1] and "STIR for 2 h" in paragraph[1] and "NOACTION" not in paragraph[1]
    sentences = sentence_pairs(text)
    assert [p[0] for p in sentences if isinstance(p, tuple)][0] == "Ethanol (5 ml) was added."
    assert any(isinstance(p, tuple) and p[1] == "NOACTION" for p in sentences)
    assert paragraph_pair("   ").value == "no procedure text"  # type: ignore[union-attr]

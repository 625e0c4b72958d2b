import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.pipeline import build
from preprocessing.reasons import Reason
from preprocessing.sources import iter_items, iter_records
from s2a.cli import main

ORD_FIXTURE = Path(__file__).parent / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"

ACETYLATION = {
    "reaction_smiles": "CC(=O)Cl.OCC>>CC(=O)OCC",
    "names": {"acetyl chloride": "CC(=O)Cl", "ethanol": "OCC", "ethyl acetate": "CCOC(C)=O"},
    "actions": "ADD ethanol; ADD acetyl chloride at 0 °C; STIR for 2 h at room temperature; "
    "CONCENTRATE; PURIFY; YIELD ethyl acetate",
}


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("actions, min_kept", [("text", 25), ("ord", 100)])
def test_ord_fixture_accounting_identity_and_drop_table(tmp_path: Path, actions: str, min_kept: int) -> None:
    out = tmp_path / "std.jsonl"
    stats = build(iter_records([ORD_FIXTURE]), out, workers=2, progress=False, actions=actions)
    assert stats.read == 250
    assert stats.kept + sum(stats.dropped.values()) == stats.read
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == stats.kept > min_kept
    assert len({r["reaction_smiles"] for r in rows}) == len(rows)
    for r in rows:
        assert "".join(r["src"].split()) == r["reaction_smiles"].replace(">>", ">>")
        assert r["tgt"] == " ; ".join(r["actions"]) and len(r["actions"]) >= 5
        assert r["patent"].startswith("US") and r["n_precursors"] == r["reaction_smiles"].split(">>")[0].count(".") + 1
    table = out.with_suffix(".drop_table.md").read_text()
    for reason, n in stats.dropped.items():
        assert f"| {reason.value} | {n} |" in table
    assert json.loads(out.with_suffix(".stats.json").read_text())["read"] == 250


def test_one_worker_and_two_workers_give_identical_output(tmp_path: Path) -> None:
    build(iter_records([ORD_FIXTURE]), tmp_path / "a.jsonl", workers=1, progress=False)
    build(iter_records([ORD_FIXTURE]), tmp_path / "b.jsonl", workers=2, progress=False)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_text_source_same_seed_gives_byte_identical_splits(tmp_path: Path) -> None:
    from preprocessing.split import split

    for run in ("a", "b"):
        std = tmp_path / run / "std.jsonl"
        build(iter_records([ORD_FIXTURE]), std, seed=3, workers=2, progress=False, actions="text")
        split(std, tmp_path / run / "out", fractions=(0.6, 0.2, 0.2), seed=3, mode="patent")
    for name in ("train.jsonl", "valid.jsonl", "test.jsonl", "src-train.txt", "tgt-test.txt"):
        a, b = (tmp_path / run / "out" / name for run in ("a", "b"))
        assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 0


def test_record_with_procedure_and_no_actions_gets_them_from_its_text(tmp_path: Path) -> None:
    from tests.test_action_sources import GOOD, NAMES, SMILES

    rows = [
        {"id": "text", "reaction_smiles": SMILES, "names": dict(NAMES), "procedure": GOOD},
        dict(ACETYLATION, id="given", procedure="Ethanol was stirred for 2 h."),  # its own actions win
        {"id": "neither", "reaction_smiles": "CC(=O)Br.OCC>>CC(=O)OCC"},
    ]
    out = tmp_path / "std.jsonl"
    stats = build(iter_records([_jsonl(tmp_path / "r.jsonl", rows)]), out, workers=1, progress=False)
    kept = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert set(kept) == {"text", "given"} and stats.dropped[Reason.NO_ACTIONS] == 1
    assert kept["text"]["tgt"].endswith("CONCENTRATE ; PURIFY ; YIELD $-1$")
    assert len(kept["given"]["actions"]) == 6 and kept["given"]["actions"][2] == "STIR for @2@ at #4#"


def test_on_error_skip_counts_and_lists_malformed_records(tmp_path: Path) -> None:
    good = dict(ACETYLATION, id="good")
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"id": "cut", "reaction_smi\n' + json.dumps({"id": "nosmiles"}) + "\n"
                    + "[1, 2]\n")
    out = tmp_path / "o" / "std.jsonl"
    stats = build(iter_items([path], on_error="skip"), out, workers=2, progress=False)
    assert (stats.read, stats.kept, stats.dropped[Reason.MALFORMED_RECORD]) == (4, 1, 3)
    listed = [json.loads(line) for line in (tmp_path / "o" / "std.errors.jsonl").read_text().splitlines()]
    assert [(e["file"], e["record"]) for e in listed] == [(str(path), "line 2"), (str(path), "line 3"), (str(path), "line 4")]
    assert "bad JSON" in listed[0]["error"] and "no reaction_smiles" in listed[1]["error"]
    # The CLI: same counts, the drop table names the reason, and stop (the default) still stops.
    runner = CliRunner()
    result = runner.invoke(main, ["data", "build", str(path), "-o", str(out), "--workers", "1", "--on-error", "skip"])
    assert result.exit_code == 0, result.output
    assert "| malformed record | 3 |" in result.output and "std.errors.jsonl" in result.output
    result = runner.invoke(main, ["data", "build", str(path), "-o", str(out), "--workers", "1"])
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert result.exit_code == 2 and len(errors) == 1 and "line 2" in errors[0] and "Traceback" not in result.output


def test_on_error_skip_lists_a_corrupt_ord_file_and_reads_the_rest(tmp_path: Path) -> None:
    corrupt = tmp_path / "a-corrupt.pb.gz"
    corrupt.write_bytes(ORD_FIXTURE.read_bytes()[:2000])
    stats = build(iter_items([corrupt, ORD_FIXTURE], on_error="skip"), tmp_path / "std.jsonl", workers=2,
                  progress=False, actions="ord")
    assert stats.read == 251 and stats.dropped[Reason.MALFORMED_RECORD] == 1 and stats.kept > 100
    (listed,) = [json.loads(line) for line in (tmp_path / "std.errors.jsonl").read_text().splitlines()]
    assert listed["file"] == str(corrupt) and listed["record"] == "file"


def test_cli_actions_choice(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["data", "build", str(ORD_FIXTURE), "-o", str(tmp_path / "s.jsonl"), "--actions", "nope"])
    assert result.exit_code == 2 and "nope" in result.output


def test_duplicates_keep_one_record_chosen_by_seed(tmp_path: Path) -> None:
    variants = [
        dict(ACETYLATION, id=f"dup{i}", patent=f"P{i}",
             actions=ACETYLATION["actions"].replace("for 2 h", f"for {h} h"))
        for i, h in enumerate([1, 2, 5, 12, 20, 30])
    ]
    src = _jsonl(tmp_path / "r.jsonl", variants)
    chosen = set()
    for seed in range(8):
        stats = build(iter_records([src]), tmp_path / f"s{seed}.jsonl", seed=seed, workers=1, progress=False)
        assert (stats.read, stats.kept, stats.dropped[Reason.DUPLICATE]) == (6, 1, 5)
        # 1 h / 2 h / 5 h / 12 h / 20 h / 30 h fall in bins @2@, @2@, @3@, @4@, @4@, @4@: 3 distinct sequences
        assert stats.duplicate_groups_with_different_actions == 1
        assert stats.duplicates_with_different_actions == 2
        chosen.add(json.loads((tmp_path / f"s{seed}.jsonl").read_text())["id"])
    assert len(chosen) > 1  # the seed decides which record of a duplicate group is kept


def test_bad_records_are_counted_not_crashed(tmp_path: Path) -> None:
    rows = [
        dict(ACETYLATION, id="good"),
        dict(ACETYLATION, id="smiles", reaction_smiles="CC(=O)Cl.O[C>>CC(=O)OCC"),
        dict(ACETYLATION, id="short", reaction_smiles="CC(=O)Br.OCC>>CC(=O)OCC", actions="ADD ethanol; YIELD ethyl acetate"),
    ]
    stats = build(iter_records([_jsonl(tmp_path / "r.jsonl", rows)]), tmp_path / "std.jsonl", workers=1, progress=False)
    assert stats.read == 3 and stats.kept == 1
    assert stats.dropped[Reason.UNPARSABLE_SMILES] == 1 and stats.dropped[Reason.TOO_FEW_ACTIONS] == 1


@pytest.mark.parametrize(
    "name, content, needle",
    [
        ("truncated.pb.gz", ORD_FIXTURE.read_bytes()[:2000], "truncated.pb.gz"),
        ("broken.jsonl", b'{"id": "a", "reaction_smiles": "C>>C"}\n{"id": \n', "line 2"),
        ("empty.jsonl", b"", "empty file"),
        ("nosmiles.jsonl", b'{"id": "lonely", "procedure": "stir"}\n', "lonely"),
    ],
)
def test_cli_build_malformed_input_one_line_exit_2(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["data", "build", str(path), "-o", str(tmp_path / "o" / "std.jsonl"), "--workers", "1"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0] and str(path) in errors[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "o" / "std.all.jsonl").exists()


def test_cli_build_and_split_end_to_end(tmp_path: Path) -> None:
    std = tmp_path / "interim" / "std.jsonl"
    out = tmp_path / "processed"
    r = subprocess.run([sys.executable, "-m", "s2a", "data", "build", str(ORD_FIXTURE), "-o", str(std)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "| kept |" in r.stdout
    r = subprocess.run([sys.executable, "-m", "s2a", "data", "split", "-i", str(std), "-o", str(out), "--fractions", "0.6,0.2,0.2"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    meta = json.loads((out / "metadata.json").read_text())
    counts = meta["split"]["counts"]
    assert sum(counts.values()) == meta["kept"]
    train_smiles = {json.loads(x)["reaction_smiles"] for x in (out / "train.jsonl").read_text().splitlines()}
    test_smiles = {json.loads(x)["reaction_smiles"] for x in (out / "test.jsonl").read_text().splitlines()}
    assert train_smiles and test_smiles and not train_smiles & test_smiles
    for s in ("train", "valid", "test"):
        assert len((out / f"src-{s}.txt").read_text().splitlines()) == counts[s]

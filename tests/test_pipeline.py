import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.pipeline import build
from preprocessing.reasons import Reason
from preprocessing.sources import iter_records
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


def test_ord_fixture_accounting_identity_and_drop_table(tmp_path: Path) -> None:
    out = tmp_path / "std.jsonl"
    stats = build(iter_records([ORD_FIXTURE]), out, workers=2, progress=False)
    assert stats.read == 250
    assert stats.kept + sum(stats.dropped.values()) == stats.read
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == stats.kept > 50
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

import json
from collections import Counter
from pathlib import Path

import pytest

from preprocessing.split import DuplicateReaction, SplitError, assign_groups, split
from s2a.errors import InputFileError


def _rows(n_patents: int, per_patent: int) -> list[dict]:
    rows = []
    for p in range(n_patents):
        for k in range(per_patent + p % 3):
            rid = f"r{p}-{k}"
            rows.append({"id": rid, "patent": f"US{p:05d}", "reaction_smiles": f"C{'C' * k}O.N{p}>>X{rid}",
                         "src": f"s {rid}", "tgt": f"ADD $1$ ; YIELD $-1$ ; {rid}"})
    return rows


def _write(rows: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_patent_split_keeps_each_patent_in_one_split(tmp_path: Path) -> None:
    rows = _rows(60, 4)
    counts = split(_write(rows, tmp_path / "std.jsonl"), tmp_path / "out", seed=1)
    assert sum(counts.values()) == len(rows)
    where: dict[str, set[str]] = {}
    for s in ("train", "valid", "test"):
        for line in (tmp_path / "out" / f"{s}.jsonl").read_text().splitlines():
            where.setdefault(json.loads(line)["patent"], set()).add(s)
        src = (tmp_path / "out" / f"src-{s}.txt").read_text().splitlines()
        tgt = (tmp_path / "out" / f"tgt-{s}.txt").read_text().splitlines()
        assert len(src) == len(tgt) == counts[s]
    assert all(len(v) == 1 for v in where.values())
    # roughly 80/10/10 of the reactions (patents are whole groups of 4-6)
    assert 0.7 < counts["train"] / len(rows) < 0.9
    assert counts["valid"] > 0 and counts["test"] > 0


def test_same_seed_gives_byte_identical_splits(tmp_path: Path) -> None:
    std = _write(_rows(40, 3), tmp_path / "std.jsonl")
    split(std, tmp_path / "a", seed=7)
    split(std, tmp_path / "b", seed=7)
    split(std, tmp_path / "c", seed=8)
    for name in ("train.jsonl", "src-test.txt", "tgt-valid.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert _ids(tmp_path / "a" / "test.jsonl") != _ids(tmp_path / "c" / "test.jsonl")


def test_random_mode_splits_reactions_not_patents(tmp_path: Path) -> None:
    rows = _rows(3, 40)
    counts = split(_write(rows, tmp_path / "std.jsonl"), tmp_path / "out", seed=3, mode="random")
    patents_in_test = {json.loads(line)["patent"] for line in (tmp_path / "out" / "test.jsonl").read_text().splitlines()}
    assert counts["test"] > 0 and len(patents_in_test) > 1


def test_assign_groups_respects_fractions_and_rejects_bad_ones() -> None:
    sizes = Counter({f"g{i}": 1 for i in range(1000)})
    where = assign_groups(sizes, (0.5, 0.25, 0.25), seed=0)
    got = Counter(where.values())
    assert abs(got["train"] - 500) <= 1 and abs(got["valid"] - 250) <= 1
    with pytest.raises(SplitError):
        assign_groups(sizes, (0.5, 0.5, 0.5), seed=0)


def test_duplicate_reaction_and_missing_input_are_user_errors(tmp_path: Path) -> None:
    rows = _rows(2, 2)
    rows.append(dict(rows[0], id="copy"))
    with pytest.raises(DuplicateReaction):
        split(_write(rows, tmp_path / "std.jsonl"), tmp_path / "out")
    with pytest.raises(InputFileError):
        split(tmp_path / "missing.jsonl", tmp_path / "out")

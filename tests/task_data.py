"""Small real data of ChemActor's tasks for the task-model tests: the first lines of
`data/processed/tasks/<task>` when `make tasks` has run, else the tasks written from the ORD fixture
(a fresh clone; it has no d2a-gold: the gold sample lives in ../shared)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from s2a.formats.splits import read_lines
from s2a.formats.tasks import task_dir

HERE = Path(__file__).parent
PROCESSED = HERE.parent / "data" / "processed"
ORD_FIXTURE = HERE / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"


def write_pairs(folder: Path, split: str, src: Sequence[str], tgt: Sequence[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"src-{split}.txt").write_text("".join(x + "\n" for x in src), encoding="utf-8")
    (folder / f"tgt-{split}.txt").write_text("".join(x + "\n" for x in tgt), encoding="utf-8")


def ord_fixture_tasks(out: Path) -> Path:
    """The processed data and tasks of the ORD fixture, written to `out`."""
    from preprocessing.pipeline import build
    from preprocessing.sources import iter_records
    from preprocessing.split import split as split_records
    from preprocessing.tasks import write_tasks

    build(iter_records([ORD_FIXTURE]), out / "std.jsonl", seed=3, workers=1, progress=False, actions="text")
    split_records(out / "std.jsonl", out, fractions=(0.6, 0.2, 0.2), seed=3, mode="patent")
    write_tasks(out, gold_dir=None)
    return out


def task_lines(out: Path, tasks: Sequence[str], lines: Mapping[str, int], scratch: Path) -> Path:
    """A processed-data folder `out` with the first `lines[split]` pairs of each task that exists
    (`scratch`: where the ORD fixture's tasks are written when the processed data has not them)."""
    source = PROCESSED
    if not (task_dir(source, tasks[0]) / "src-train.txt").is_file():
        source = ord_fixture_tasks(scratch)
    for name in tasks:
        if not (task_dir(source, name) / "src-train.txt").is_file():
            continue
        for split, n in lines.items():
            src, tgt = (read_lines(task_dir(source, name) / f"{side}-{split}.txt")[:n] for side in ("src", "tgt"))
            write_pairs(task_dir(out, name), split, src, tgt)
    return out

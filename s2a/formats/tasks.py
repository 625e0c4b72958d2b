"""ChemActor's tasks beside S2A, the files each one reads, and the paragraph2actions gold sample.

| task           | src (one line per example)             | tgt                                   |
|----------------|----------------------------------------|---------------------------------------|
| `s2a`          | tokenised reaction SMILES              | actions with positional tokens        |
| `d2a`          | a procedure paragraph                  | its actions, with compound names      |
| `d2a-sentence` | one sentence of a procedure            | its actions, with compound names      |
| `r2d`          | tokenised reaction SMILES              | the procedure paragraph               |
| `a2d`          | a paragraph's actions (`d2a`'s tgt)    | the procedure paragraph               |
| `d2a-gold`     | a sentence of the paragraph2actions sample | its hand-checked actions          |

`s2a` is the processed data itself (`data/processed/{src,tgt}-<split>.txt`); every other task has
`data/processed/tasks/<task>/{src,tgt}-<split>.txt` in the same format (s2a.formats.splits), on the
same patent-grouped splits (`d2a-gold`: the sample's own 80/10/10 split, see `load_gold`).

Text is kept whole and untokenised on one line (runs of white space -> one space): subword
tokenisation is the model's business. Actions on every task are the `tgt` format — readable
paragraph2actions actions joined by ' ; ', no end mark — so `targets.parses`, the action-type
counts and the character Levenshtein similarity read them all alike; the gold sample's own
format (`'; '` between actions, a final '.') is converted by `gold_to_tgt`, text unchanged.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

from s2a.errors import DataError, GoldSetMissing, UnknownTask
from s2a.formats.splits import read_lines, read_pairs
from s2a.formats.tokenization import tokenize_actions
from s2a.paths import REPO_ROOT

Kind = Literal["reaction", "text", "actions"]
SPLITS = ("train", "valid", "test")
TASKS_DIRNAME = "tasks"  # under the processed data folder
# The paragraph2actions authors' public sample (MIT), in the repository's parent `shared/` folder.
GOLD_SAMPLE_DIR = REPO_ROOT.parent / "shared" / "data" / "paragraph2actions-sample"
GOLD_FRACTIONS = (0.8, 0.1, 0.1)


@dataclass(frozen=True)
class Task:
    name: str
    source: Kind
    target: Kind
    level: Literal["paragraph", "sentence"]


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task("s2a", "reaction", "actions", "paragraph"),
        Task("d2a", "text", "actions", "paragraph"),
        Task("d2a-sentence", "text", "actions", "sentence"),
        Task("r2d", "reaction", "text", "paragraph"),
        Task("a2d", "actions", "text", "paragraph"),
        Task("d2a-gold", "text", "actions", "sentence"),
    )
}


def task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise UnknownTask(name, list(TASKS)) from None


def task_dir(data_dir: Path, name: str) -> Path:
    """Where a task's `{src,tgt}-<split>.txt` live, given the processed data folder."""
    return Path(data_dir) if task(name).name == "s2a" else Path(data_dir) / TASKS_DIRNAME / name


def read_task_pairs(data_dir: Path, name: str, split: str) -> tuple[list[str], list[str]]:
    """Aligned (src, tgt) lines of one task and split (MissingArtifact / DataError as read_pairs)."""
    return read_pairs(task_dir(data_dir, name), split)


def one_line(text: str) -> str:
    """Text as one line of a parallel file: every run of white space (newlines too) -> one space."""
    return " ".join(text.split())


def gold_to_tgt(line: str) -> str:
    """'ADD X (2 g); STIR for 2 h.' (paragraph2actions readable) -> 'ADD X (2 g) ; STIR for 2 h'.

    The split is the converter's own ('; ' between actions; a separator inside a name is written
    with a zero-width non-joiner, so it is not one), so the action texts stay as they are.
    """
    text = line.strip()
    text = text[:-1] if text.endswith(".") else text
    return tokenize_actions(text.split("; ")) if text else ""


@dataclass(frozen=True)
class GoldSet:
    """The gold sentences: `splits[s]` = (sentences, tgt lines) of train / valid / test, and
    `all` = every pair in the files' order (train, valid, test), for the all-100 score."""

    source: Path
    seed: Optional[int]
    splits: dict[str, tuple[list[str], list[str]]]
    all: tuple[list[str], list[str]]


def load_gold(sample_dir: Path = GOLD_SAMPLE_DIR, seed: Optional[int] = None,
              fractions: Sequence[float] = GOLD_FRACTIONS) -> GoldSet:
    """The paragraph2actions sample: its files' own 80/10/10 train/valid/test (seed=None), or all
    pairs pooled (files' order), shuffled with random.Random(seed) and cut at round(0.8 n) and
    round(0.9 n). GoldSetMissing when the folder (it lives in ../shared) is not there.

    Why the files' split is the default: the rule-based extractor was written looking at the
    sample's train and valid sentences (it matches 95 % / 100 % of them exactly, 60 % of test), so
    a re-split moves sentences it was fitted on into test (seed 42: 100 % exact on test) and the
    rule baseline of d2a-gold would look better than it is."""
    sample_dir = Path(sample_dir)
    files = [sample_dir / f"{side}-{s}.txt" for s in SPLITS for side in ("src", "tgt")]
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise GoldSetMissing(str(missing[0]), "not found: the paragraph2actions sample lives in ../shared (skipped)")
    own = {s: read_pairs(sample_dir, s) for s in SPLITS}
    for s, (src, tgt) in own.items():
        if not src:
            raise DataError(str(sample_dir / f"src-{s}.txt"), "empty")
    src_all = [one_line(x) for s in SPLITS for x in own[s][0]]
    tgt_all = [gold_to_tgt(x) for s in SPLITS for x in own[s][1]]
    if seed is None:
        bounds, order = _bounds([len(own[s][0]) for s in SPLITS]), list(range(len(src_all)))
    else:
        if len(fractions) != 3 or abs(sum(fractions) - 1) > 1e-9 or min(fractions) < 0:
            raise DataError(str(sample_dir), f"fractions {tuple(fractions)} are not three shares summing to 1")
        n = len(src_all)
        cut1, cut2 = round(fractions[0] * n), round((fractions[0] + fractions[1]) * n)
        bounds = [(0, cut1), (cut1, cut2), (cut2, n)]
        order = list(range(n))
        random.Random(seed).shuffle(order)
    splits = {
        s: ([src_all[i] for i in order[a:b]], [tgt_all[i] for i in order[a:b]])
        for s, (a, b) in zip(SPLITS, bounds)
    }
    return GoldSet(sample_dir, seed, splits, (src_all, tgt_all))


def _bounds(sizes: list[int]) -> list[tuple[int, int]]:
    out, start = [], 0
    for size in sizes:
        out.append((start, start + size))
        start += size
    return out


def gold_licence(sample_dir: Path = GOLD_SAMPLE_DIR) -> str:
    """The sample's LICENSE text (MIT), to copy beside anything written from it."""
    path = Path(sample_dir) / "LICENSE"
    if not path.is_file():
        raise GoldSetMissing(str(path), "not found (skipped)")
    return "\n".join(read_lines(path)) + "\n"

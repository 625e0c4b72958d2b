"""The ChemActor task files (s2a.formats.tasks) from the processed splits: `s2a data tasks`.

From each record of `data/processed/{train,valid,test}.jsonl` (same patent-grouped splits):
- d2a:          procedure paragraph -> its actions;
- d2a-sentence: each sentence of it -> that sentence's actions;
- r2d:          the record's tokenised reaction (`src`, as S2A) -> the procedure;
- a2d:          d2a's actions -> the procedure;
and, when `../shared` has it, d2a-gold: the paragraph2actions sample on its own 80/10/10 split
(`gold_seed` re-splits it: see s2a.formats.tasks.load_gold for why that is not the default).

Why the D2A actions are extracted again from the text rather than taken from the record: the
processed records keep positional tokens (`$k$`), binned conditions (`#3#`, `@2@`) and no
quantities, and no compound names — the names that were mapped to `$k$` at build time came from
the record's ORD identifiers, which the processed records do not keep, so `$k$` cannot be mapped
back. The rule-based extractor (preprocessing.text_actions) is deterministic, and its output is
what the `text` action source standardised into the record's actions; taken before
standardisation it is D2A in paragraph2actions' own terms: names and quantities as written, the
format of the gold sample. These are silver labels: the rule-based extractor reproduces them
exactly, so as a D2A baseline it is informative on d2a-gold only.

Sentence level is exact, not an alignment: the extractor works sentence by sentence
(split_sentences, then sentence_actions on each). Sentences that describe no operation keep their
NOACTION, as in the gold sample; the paragraph's sequence (paragraph_actions) drops NOACTION, as
paragraph2actions' postprocessing does. Each task counts its skipped examples by one reason, and
read = kept + skipped is checked.
"""
from __future__ import annotations

import enum
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from paragraph2actions.actions import Action, NoAction

from preprocessing.sentences import split_sentences
from preprocessing.text_actions import paragraph_actions, sentence_actions
from s2a.atomic import atomic_path
from s2a.errors import DataError, GoldSetMissing, TokenizationError
from s2a.formats.action_format import readable_converter
from s2a.formats.records import read_jsonl
from s2a.formats.tasks import GOLD_SAMPLE_DIR, SPLITS, TASKS_DIRNAME, gold_licence, load_gold, one_line
from s2a.formats.tokenization import tokenize_actions
from s2a.freshness import Stamp, digest_files

# Bump when what is written changes, so existing task folders count as stale.
TASKS_VERSION = 1
WRITTEN = ("d2a", "d2a-sentence", "r2d", "a2d")
STAMP_NAME = "stamp.json"
METADATA_NAME = "metadata.json"


class Skip(enum.Enum):
    NO_PROCEDURE = "no procedure text"
    NO_ACTIONS = "the text gives no action"
    SEPARATOR_IN_ACTION = "an action's text contains ';'"


@dataclass
class Counts:
    read: int = 0
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {"read": self.read, "kept": self.kept, "skipped": dict(sorted(self.skipped.items()))}


@dataclass
class TasksSummary:
    """What `write_tasks` wrote (or found up to date): counts[task][split], and the gold sample's
    counts or the note saying why it was skipped."""

    out_dir: Path
    up_to_date: bool
    counts: dict[str, dict[str, Counts]]
    gold: dict[str, int]
    gold_note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": {t: {s: c.to_json() for s, c in by.items()} for t, by in self.counts.items()},
            "gold": self.gold,
            "gold_note": self.gold_note,
        }

    def table(self) -> str:
        lines = ["| task | " + " | ".join(SPLITS) + " | skipped |", "|---|" + "---|" * (len(SPLITS) + 1)]
        for name, by in self.counts.items():
            skipped = Counter[str]()
            for c in by.values():
                skipped.update(c.skipped)
            note = ", ".join(f"{k}: {n}" for k, n in sorted(skipped.items())) or "-"
            lines.append(f"| {name} | " + " | ".join(str(by[s].kept) for s in SPLITS) + f" | {note} |")
        if self.gold:
            lines.append("| d2a-gold | " + " | ".join(str(self.gold[s]) for s in SPLITS) + " | - |")
        else:
            lines.append("| d2a-gold | " + " | ".join("-" for _ in SPLITS) + f" | {self.gold_note} |")
        return "\n".join(lines)


_CONVERTER = readable_converter()


def actions_line(actions: list[Action]) -> str:
    """Actions in the `tgt` format; TokenizationError when an action's text contains ';'.

    paragraph2actions writes an InvalidAction without message as 'INVALIDACTION ' (trailing space);
    tokenize_actions strips it, as the annotations write it.
    """
    return tokenize_actions([_CONVERTER.action_to_string(a) for a in actions])


def paragraph_pair(procedure: str) -> tuple[str, str] | Skip:
    """(paragraph, its actions) for d2a, or why the record gives none."""
    text = one_line(procedure)
    if not text:
        return Skip.NO_PROCEDURE
    actions = [a for a in paragraph_actions(text) if not isinstance(a, NoAction)]
    if not actions:
        return Skip.NO_ACTIONS
    try:
        return text, actions_line(actions)
    except TokenizationError:
        return Skip.SEPARATOR_IN_ACTION


def sentence_pairs(procedure: str) -> list[tuple[str, str] | Skip]:
    """(sentence, its actions) for each sentence of a procedure, or why one gives none."""
    text = one_line(procedure)
    if not text:
        return [Skip.NO_PROCEDURE]
    out: list[tuple[str, str] | Skip] = []
    for sentence in split_sentences(text):
        sentence = one_line(sentence)
        actions = sentence_actions(sentence) if sentence else []
        if not actions:
            out.append(Skip.NO_ACTIONS)
            continue
        try:
            out.append((sentence, actions_line(actions)))
        except TokenizationError:
            out.append(Skip.SEPARATOR_IN_ACTION)
    return out


# The code that shapes the labels: a change to the extractor makes the task files stale too.
_CODE = [Path(__file__).with_name(n) for n in ("tasks.py", "text_actions.py", "text_mentions.py", "sentences.py")]


def _inputs(data_dir: Path, gold_dir: Optional[Path], gold_seed: Optional[int]) -> dict[str, Any]:
    files = [data_dir / f"{s}.jsonl" for s in SPLITS]
    gold = [gold_dir / f"{side}-{s}.txt" for s in SPLITS for side in ("src", "tgt")] if gold_dir else []
    present = [f for f in gold if f.is_file()]
    return {"version": TASKS_VERSION, "gold_seed": gold_seed, "gold_dir": str(gold_dir) if gold_dir else None,
            "digest": digest_files(files + (present if len(present) == len(gold) else []), {"gold_seed": gold_seed}),
            "code": digest_files(_CODE)}


def write_tasks(data_dir: Path, out_dir: Optional[Path] = None, gold_dir: Optional[Path] = GOLD_SAMPLE_DIR,
                gold_seed: Optional[int] = None) -> TasksSummary:
    """Write `<out_dir>/<task>/{src,tgt}-<split>.txt` for every task, `metadata.json` and a freshness
    stamp (default out_dir: `<data_dir>/tasks`); a no-op when the stamp matches. The folder is
    replaced as a whole (s2a.atomic). `gold_dir=None`, or a folder that is not there, skips d2a-gold
    with a note. `gold_seed` re-splits the gold sample (None: its files' own split); the records keep
    the processed split."""
    data_dir = Path(data_dir)
    out_dir = Path(out_dir) if out_dir is not None else data_dir / TASKS_DIRNAME
    inputs = _inputs(data_dir, gold_dir, gold_seed)
    stamp = Stamp(out_dir / STAMP_NAME)
    if stamp.matches(inputs) and (out_dir / METADATA_NAME).is_file():
        return _summary_from(out_dir, json.loads((out_dir / METADATA_NAME).read_text(encoding="utf-8")))

    lines: dict[str, dict[str, tuple[list[str], list[str]]]] = {t: {} for t in WRITTEN}
    counts: dict[str, dict[str, Counts]] = {t: {} for t in WRITTEN}
    for split in SPLITS:
        by_task: dict[str, tuple[list[str], list[str]]] = {t: ([], []) for t in WRITTEN}
        by_count = {t: Counts() for t in WRITTEN}
        for row in read_jsonl(data_dir / f"{split}.jsonl"):
            _add_record(row, data_dir / f"{split}.jsonl", by_task, by_count)
        for t in WRITTEN:
            c = by_count[t]
            if c.read != c.kept + sum(c.skipped.values()):  # a guard on the accounting above
                raise DataError(str(data_dir / f"{split}.jsonl"), f"{t}: read {c.read} != kept {c.kept} + skipped")
            lines[t][split], counts[t][split] = by_task[t], c

    gold_counts: dict[str, int] = {}
    gold_note = ""
    gold = None
    if gold_dir is None:
        gold_note = "skipped: no gold folder given"
    else:
        try:
            gold = load_gold(gold_dir, seed=gold_seed)
            licence = gold_licence(gold_dir)
        except GoldSetMissing as e:
            gold_note = f"skipped: {e.path} not found"

    with atomic_path(out_dir) as tmp:
        tmp.mkdir(parents=True)
        for t in WRITTEN:
            for split in SPLITS:
                _write_pair(tmp / t, split, *lines[t][split])
        if gold is not None:
            for split in SPLITS:
                _write_pair(tmp / "d2a-gold", split, *gold.splits[split])
                gold_counts[split] = len(gold.splits[split][0])
            _write_pair(tmp / "d2a-gold", "all", *gold.all)
            gold_counts["all"] = len(gold.all[0])
            (tmp / "d2a-gold" / "LICENSE").write_text(licence, encoding="utf-8")
        summary = TasksSummary(out_dir, False, counts, gold_counts, gold_note)
        meta = {**summary.to_json(), "data_dir": str(data_dir), "gold_seed": gold_seed,
                "gold_dir": str(gold_dir) if gold_dir else None, "version": TASKS_VERSION}
        (tmp / METADATA_NAME).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        Stamp(tmp / STAMP_NAME).write(inputs)
    return summary


def _add_record(row: dict[str, Any], path: Path, by_task: dict[str, tuple[list[str], list[str]]],
                by_count: dict[str, Counts]) -> None:
    procedure = str(row.get("procedure") or "")
    reaction = row.get("src")
    if not isinstance(reaction, str) or not reaction.strip():
        raise DataError(str(path), f"record {row.get('id', '?')}: no `src` (not a processed split?)")
    paragraph = paragraph_pair(procedure)
    for t in ("d2a", "r2d", "a2d"):
        by_count[t].read += 1
    if isinstance(paragraph, Skip):
        for t in ("d2a", "a2d"):
            by_count[t].skipped[paragraph.value] += 1
    else:
        text, actions = paragraph
        for t, (src, tgt) in (("d2a", (text, actions)), ("a2d", (actions, text))):
            by_task[t][0].append(src)
            by_task[t][1].append(tgt)
            by_count[t].kept += 1
    text = one_line(procedure)
    if text:
        by_task["r2d"][0].append(one_line(reaction))
        by_task["r2d"][1].append(text)
        by_count["r2d"].kept += 1
    else:
        by_count["r2d"].skipped[Skip.NO_PROCEDURE.value] += 1
    for pair in sentence_pairs(procedure):
        by_count["d2a-sentence"].read += 1
        if isinstance(pair, Skip):
            by_count["d2a-sentence"].skipped[pair.value] += 1
        else:
            by_task["d2a-sentence"][0].append(pair[0])
            by_task["d2a-sentence"][1].append(pair[1])
            by_count["d2a-sentence"].kept += 1


def _write_pair(folder: Path, split: str, src: list[str], tgt: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for side, rows in (("src", src), ("tgt", tgt)):
        (folder / f"{side}-{split}.txt").write_text("".join(r + "\n" for r in rows), encoding="utf-8")


def _summary_from(out_dir: Path, meta: dict[str, Any]) -> TasksSummary:
    counts = {
        t: {s: Counts(c["read"], c["kept"], Counter(c["skipped"])) for s, c in by.items()}
        for t, by in meta["counts"].items()
    }
    return TasksSummary(out_dir, True, counts, dict(meta.get("gold") or {}), str(meta.get("gold_note") or ""))

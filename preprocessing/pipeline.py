"""`s2a data build`: records -> standardised, de-duplicated reactions, with the drop table.

Streams: records are read one at a time, standardised by a pool of worker processes (input order
kept, so output is deterministic), and kept rows go straight to a JSONL file. Only a small
per-reaction index (8-byte hash, choice score, line number) is held in memory for de-duplication,
so the full ORD USPTO set (~1.7 M reactions) fits comfortably.

The action source is chosen by name (`actions`: preprocessing.action_sources.action_source) and
built once per worker. Malformed records that the reader let through (`on_error="skip"`) are
counted under MALFORMED_RECORD and listed in `<output stem>.errors.jsonl`.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from tqdm import tqdm

from preprocessing.action_sources import DEFAULT_ACTION_SOURCE, check_action_source
from preprocessing.reasons import Dropped, Reason
from preprocessing.sources import Item, MalformedRecord
from s2a.formats.tokenization import tokenize_actions

# Set per worker process by _init_worker (an ActionSource and the common-reagent list).
_WORKER: dict[str, Any] = {}


@dataclass
class BuildStats:
    read: int = 0
    kept: int = 0
    dropped: Counter[Reason] = field(default_factory=Counter)
    duplicate_groups_with_different_actions: int = 0
    duplicates_with_different_actions: int = 0
    # Parts of kept and dropped records that the action source could not turn into actions
    # (e.g. ORD CUSTOM work-ups): not silently lost, but reported.
    skipped_parts: Counter[str] = field(default_factory=Counter)

    def check(self) -> None:
        """The accounting identity: every record read is kept or dropped under exactly one reason."""
        total = self.kept + sum(self.dropped.values())
        if total != self.read:
            raise AssertionError(f"accounting broken: kept {self.kept} + dropped {total - self.kept} != read {self.read}")

    def table(self) -> list[tuple[str, int, float]]:
        """(reason, count, % of records read) rows, as the paper's Table 2, then the kept total."""
        rows = [(r.value, self.dropped[r], 100.0 * self.dropped[r] / max(self.read, 1)) for r in Reason if self.dropped[r]]
        rows.sort(key=lambda r: -r[1])
        rows.append(("kept", self.kept, 100.0 * self.kept / max(self.read, 1)))
        rows.append(("read", self.read, 100.0 if self.read else 0.0))
        return rows

    def markdown(self) -> str:
        lines = ["| reason | count | % |", "|---|---:|---:|"]
        lines += [f"| {r} | {n} | {p:.1f} |" for r, n, p in self.table()]
        lines.append("")
        lines.append(
            f"Reactions recorded several times with different action sequences: "
            f"{self.duplicate_groups_with_different_actions} ({self.duplicates_with_different_actions} extra distinct sequences)."
        )
        if self.skipped_parts:
            lines += ["", "Record parts not turned into actions (most frequent):", "",
                      "| part | count |", "|---|---:|"]
            lines += [f"| {part} | {n} |" for part, n in self.skipped_parts.most_common(15)]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "kept": self.kept,
            "dropped": {r.value: n for r, n in self.dropped.items()},
            "duplicates_with_different_actions": self.duplicates_with_different_actions,
            "duplicate_groups_with_different_actions": self.duplicate_groups_with_different_actions,
            "skipped_parts": dict(self.skipped_parts.most_common()),
        }


def _init_worker(common_reagents: Optional[str], actions: str) -> None:
    from preprocessing.action_sources import action_source
    from preprocessing.standardise import CommonReagents

    _WORKER["source"] = action_source(actions)
    _WORKER["reagents"] = CommonReagents.load(Path(common_reagents) if common_reagents else None)


Processed = tuple[Optional[dict[str, Any]], Optional[Reason], Counter[str]]


def _process(record: Item) -> Processed:
    """Standardise one record: (row, None, skipped) if kept, (None, reason, skipped) if dropped;
    a MalformedRecord is (its JSON, MALFORMED_RECORD, {}) so the caller can list it."""
    from preprocessing.standardise import standardise_record

    if isinstance(record, MalformedRecord):
        return record.to_json(), Reason.MALFORMED_RECORD, Counter()
    source = _WORKER["source"]
    before = Counter(getattr(source, "skipped", ()))
    try:
        result = standardise_record(record, source, _WORKER["reagents"], every_compound=True)
    except Dropped as d:
        return None, d.reason, Counter(getattr(source, "skipped", ())) - before
    skipped = Counter(getattr(source, "skipped", ())) - before
    reaction = result.reaction
    row = {
        "id": record.id,
        "patent": record.patent,
        "source": record.source,
        "date": record.date,
        "original_reaction_smiles": record.reaction_smiles,
        "reaction_smiles": reaction.smiles,
        "src": reaction.tokens,
        "tgt": tokenize_actions(result.actions),
        "actions": result.actions,
        "procedure": record.procedure,
        "n_precursors": len(reaction.precursors),
        "n_products": len(reaction.products),
    }
    return row, None, skipped


def standardise_stream(
    records: Iterable[Item],
    workers: int = 0,
    common_reagents: Optional[Path] = None,
    actions: str = DEFAULT_ACTION_SOURCE,
) -> Iterator[Processed]:
    """Standardise records in input order; `workers` processes (0 = all cores, 1 = in-process)."""
    from preprocessing.action_sources import action_source

    # Built once here so that an unknown name or a missing extractor fails in this process, with
    # its own error, and not in each worker's initializer (where a pool would respawn it forever).
    action_source(actions)
    workers = workers or os.cpu_count() or 1
    arg = str(common_reagents) if common_reagents else None
    if workers == 1:
        _init_worker(arg, actions)
        yield from map(_process, records)
        return
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(arg, actions)) as pool:
        yield from pool.imap(_process, records, chunksize=32)


def errors_path(out_path: Path) -> Path:
    """Where build lists the malformed records it skipped (beside its output)."""
    return out_path.with_suffix(".errors.jsonl")


def _digest(text: str, seed: int = 0) -> bytes:
    return hashlib.blake2b(f"{seed}\0{text}".encode(), digest_size=8).digest()


def build(
    records: Iterable[Item],
    out_path: Path,
    seed: int = 42,
    workers: int = 0,
    common_reagents: Optional[Path] = None,
    progress: bool = True,
    actions: str = DEFAULT_ACTION_SOURCE,
) -> BuildStats:
    """Standardise `records`, drop duplicates (seeded choice), write kept rows to `out_path` (JSONL).

    Also writes `<out_path stem>.drop_table.md`, `.stats.json` and `.errors.jsonl` (malformed
    records, one JSON object each: file, record, error) beside it. Returns the stats.
    """
    check_action_source(actions)
    stats = BuildStats()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    all_path = out_path.with_suffix(".all.jsonl")
    # reaction hash -> (choice score, line number, {tgt hashes}) of the kept candidate
    chosen: dict[bytes, tuple[bytes, int, set[bytes]]] = {}
    try:
        _standardise_to(records, all_path, errors_path(out_path), stats, chosen, seed, workers, common_reagents, progress, actions)
        keep_lines = {line for _, line, _ in chosen.values()}
        with all_path.open(encoding="utf-8") as src, out_path.open("w", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n in keep_lines:
                    dst.write(line)
    finally:
        all_path.unlink(missing_ok=True)
    for _, _, tgts in chosen.values():
        if len(tgts) > 1:
            stats.duplicate_groups_with_different_actions += 1
            stats.duplicates_with_different_actions += len(tgts) - 1
    stats.kept = len(keep_lines)
    stats.check()
    out_path.with_suffix(".drop_table.md").write_text(stats.markdown(), encoding="utf-8")
    out_path.with_suffix(".stats.json").write_text(json.dumps(stats.to_json(), indent=2) + "\n", encoding="utf-8")
    return stats


def _standardise_to(
    records: Iterable[Item],
    all_path: Path,
    errors_path: Path,
    stats: BuildStats,
    chosen: dict[bytes, tuple[bytes, int, set[bytes]]],
    seed: int,
    workers: int,
    common_reagents: Optional[Path],
    progress: bool,
    actions: str,
) -> int:
    """First pass: standardise every record, write each kept row, index it for de-duplication."""
    n_lines = 0
    with all_path.open("w", encoding="utf-8") as f, errors_path.open("w", encoding="utf-8") as errors:
        stream = standardise_stream(records, workers=workers, common_reagents=common_reagents, actions=actions)
        for row, reason, skipped in tqdm(stream, desc="standardise", unit=" rec", disable=not progress, mininterval=1.0):
            stats.read += 1
            stats.skipped_parts.update(skipped)
            if reason is not None:
                stats.dropped[reason] += 1
                if row is not None:  # a malformed record: listed, not kept
                    errors.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                continue
            assert row is not None
            key = _digest(row["reaction_smiles"])
            score = _digest(row["id"] + "\0" + row["tgt"], seed)
            tgt_hash = _digest(row["tgt"])
            if key in chosen:
                stats.dropped[Reason.DUPLICATE] += 1
                old_score, old_line, tgts = chosen[key]
                tgts.add(tgt_hash)
                if score < old_score:
                    chosen[key] = (score, n_lines, tgts)
            else:
                chosen[key] = (score, n_lines, {tgt_hash})
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            n_lines += 1
    return n_lines

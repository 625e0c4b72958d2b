"""Standardise ORD Dataset files in one process and print the yield, the drop reasons, what the ORD
action source skipped, and the speed of `standardise_record` on one core.

    python benchmarks/standardise_ord.py [--prefix uspto] [--show 5] FILE_OR_DIR...

Without arguments it uses the test fixture (250 USPTO reactions).
"""
from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

from preprocessing.action_sources import action_source
from preprocessing.ord_source import iter_ord_records
from preprocessing.reasons import Dropped, Reason
from preprocessing.standardise import CommonReagents, standardise_record

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--prefix", default="", help="only datasets whose name starts with this (e.g. uspto)")
    parser.add_argument("--show", type=int, default=0, help="print this many random kept examples")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = args.paths or [FIXTURE]
    files = sorted(p for path in paths for p in ([path] if path.is_file() else path.rglob("*.pb*")))

    source = action_source("ord")
    reagents = CommonReagents.load()
    reasons: Counter[Reason] = Counter()
    details: dict[Reason, Counter[str]] = defaultdict(Counter)
    kept = []
    read = 0
    seconds = 0.0
    for path in files:
        records = list(iter_ord_records(path))
        if args.prefix and not (records and records[0].source.startswith(args.prefix)):
            continue
        start = time.perf_counter()
        for record in records:
            read += 1
            try:
                kept.append((record, standardise_record(record, source, reagents)))
            except Dropped as d:
                reasons[d.reason] += 1
                details[d.reason][d.detail[:50]] += 1
        seconds += time.perf_counter() - start

    print(f"files: {len(files)}  records read: {read}  kept: {len(kept)} ({100 * len(kept) / max(read, 1):.1f} %)")
    print(f"standardise_record (incl. ORD action derivation), one core: {read / max(seconds, 1e-9):.0f} records/s")
    print("\n| reason | count | % of read | most frequent details |\n|---|---:|---:|---|")
    for reason, n in reasons.most_common():
        top = "; ".join(f"{d} ({c})" for d, c in details[reason].most_common(5))
        print(f"| {reason.value} | {n} | {100 * n / read:.1f} | {top} |")
    print("\nORD parts not turned into actions (counted, not silently dropped):")
    for what, n in source.skipped.most_common(15):  # type: ignore[attr-defined]
        print(f"  {n:7d}  {what}")
    lengths = Counter(len(s.actions) for _, s in kept)
    if kept:
        mean = sum(k * v for k, v in lengths.items()) / len(kept)
        print(f"\nkept sequences: mean {mean:.1f} actions, min {min(lengths)}, max {max(lengths)}")
    rng = random.Random(args.seed)
    for record, result in rng.sample(kept, min(args.show, len(kept))):
        print(f"\n{record.id}\n  procedure: {record.procedure[:400]}\n  reaction:  {result.reaction.smiles}")
        print(f"  actions:   {' ; '.join(result.actions)}")


if __name__ == "__main__":
    main()

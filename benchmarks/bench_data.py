"""Records/s of the standardisation (make bench-data): one core vs all cores, on the full ORD set.

Usage: python benchmarks/bench_data.py [SOURCES...]   (default: data/raw/ord)
Reading the ORD files is timed separately; the standardisation runs on records already in memory.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from preprocessing.pipeline import standardise_stream
from preprocessing.names import name_key, simplify_name
from preprocessing.sources import iter_records
from s2a.formats.reaction import canonical_molecule


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [Path("data/raw/ord")]
    t0 = time.perf_counter()
    records = list(iter_records(paths))
    t_read = time.perf_counter() - t0
    print(f"read {len(records)} records in {t_read:.1f} s ({len(records) / t_read:,.0f} records/s)")
    cores = os.cpu_count() or 1
    base = None
    for workers in sorted({1, cores}):
        for cached in (canonical_molecule, name_key, simplify_name):
            cached.cache_clear()  # forked workers would inherit warm caches from the run before
        t0 = time.perf_counter()
        kept = sum(1 for row, _, _ in standardise_stream(records, workers=workers) if row is not None)
        dt = time.perf_counter() - t0
        rate = len(records) / dt
        base = base or rate
        print(f"standardise on {workers} core(s): {dt:.1f} s, {rate:,.0f} records/s "
              f"({rate / workers:,.0f} per core, speed-up {rate / base:.2f}x), kept {kept}")


if __name__ == "__main__":
    main()

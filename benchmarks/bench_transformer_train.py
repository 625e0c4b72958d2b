"""Training throughput of the transformer (OpenNMT-py 3.5 on CPU) for a short run of a profile.

    python benchmarks/bench_transformer_train.py DATA_DIR [WORK_DIR] [--profile cpu] [--steps 40]

Trains `--steps` steps from scratch into WORK_DIR (a temporary folder by default, removed after)
and prints the wall time of each stage and OpenNMT-py's own token rates (source/target tokens per
second, averaged over its report windows after the first, which includes start-up).
"""
from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from s2a.models.base import ModelPaths  # noqa: E402
from s2a.models.transformer import TransformerModel  # noqa: E402

REPORT = re.compile(r"Step\s+(\d+)/\s*\d+;.*?bsz:\s*(\d+)/\s*(\d+)/\s*(\d+);\s*(\d+)/\s*(\d+) tok/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("work_dir", type=Path, nargs="?")
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--report-every", type=int, default=10)
    args = parser.parse_args()

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="s2a-bench-train-"))
    if work.exists() and any(work.iterdir()):
        sys.exit(f"{work} is not empty: give a fresh folder (the benchmark trains from scratch)")
    overrides = {
        "decoder": "onmt",  # no CTranslate2 conversion in the timing
        "onmt": {
            "train_steps": args.steps,
            "save_checkpoint_steps": args.steps,
            "valid_steps": args.steps,
            "report_every": args.report_every,
        },
    }
    model = TransformerModel(ModelPaths(args.data_dir, work), profile=args.profile, overrides=overrides)
    try:
        t0 = time.perf_counter()
        model._build_vocab(model._data_options())
        t1 = time.perf_counter()
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        model.train()
        t2 = time.perf_counter()
        cpu2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        log = (work / "logs" / "train.log").read_text(encoding="utf-8")
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)

    reports = [tuple(map(int, m.groups())) for m in REPORT.finditer(log)]
    later = reports[1:] or reports
    o = model.settings.onmt
    print(f"profile {args.profile}: layers {o.get('layers')}, hidden {o.get('hidden_size')}, ff {o.get('transformer_ff')}, "
          f"batch {o.get('batch_size')} {o.get('batch_type')} x accum {o.get('accum_count')}, threads {model.settings.threads or 'all'}")
    print(f"build_vocab: {t1 - t0:.1f} s")
    cpu = (cpu2.ru_utime + cpu2.ru_stime) - (cpu1.ru_utime + cpu1.ru_stime)
    print(f"train {args.steps} steps (incl. start-up, validation, saving): {t2 - t1:.1f} s = {(t2 - t1) / args.steps:.2f} s/step")
    print(f"CPU time of the training process: {cpu:.1f} s ({cpu / (t2 - t1):.2f} cores busy on average; "
          f"< threads means other load on the machine)")
    if later:
        print(f"onmt reports used: {len(later)} windows of {args.report_every} steps")
        print(f"source tokens/s: {statistics.mean(r[4] for r in later):,.0f}")
        print(f"target tokens/s: {statistics.mean(r[5] for r in later):,.0f}")
        print(f"mean batch: {statistics.mean(r[1] for r in later):.0f} src / {statistics.mean(r[2] for r in later):.0f} tgt tokens, "
              f"{statistics.mean(r[3] for r in later):.0f} reactions")


if __name__ == "__main__":
    main()

"""Training throughput and beam-10 inference speed of the BART family (fairseq on CPU).

    python benchmarks/bench_bart.py DATA_DIR [--profile cpu] [--steps 40] [--lines 20] [--threads 2]
    python benchmarks/bench_bart.py DATA_DIR --full      # time a complete run of the profile

Trains `--steps` updates from scratch in a temporary folder (validation off), prints the wall time
of binarisation and training, fairseq's own rates (target tokens/s = its `wps`, updates/s; median
over log windows after the first, which includes start-up), then decodes the first `--lines`
test lines at beam 10 with fairseq's SequenceGenerator and with CTranslate2 and prints
reactions/s. An under-trained model rarely emits end-of-sequence, so its decoding runs to the
maximum length: decoding figures of a short run are a worst case. `--full` trains the profile
exactly as configured (stop-time and max-update included) and prints its wall time.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from s2a.models.bart import BartModel, load_config  # noqa: E402
from s2a.models.base import ModelPaths  # noqa: E402

WINDOW = re.compile(r"\| train_inner \|.*?wps=([0-9.]+), ups=([0-9.]+).*?num_updates=(\d+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--lines", type=int, default=20, help="test lines to decode")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the profile's)")
    parser.add_argument("--full", action="store_true", help="train the profile as configured")
    args = parser.parse_args()

    config = load_config(args.profile)
    if args.threads:
        config = dataclasses.replace(config, threads=args.threads)
    if not args.full:
        config = config.with_train(
            max_update=args.steps, log_interval=max(1, args.steps // 8), disable_validation=True,
            stop_time_hours=None, save_interval_updates=None, keep_interval_updates=None,
        )
        config = dataclasses.replace(config, checkpoint="checkpoint_last.pt")
    work = Path(tempfile.mkdtemp(prefix="s2a-bench-bart-"))
    try:
        model = BartModel(ModelPaths(args.data_dir, work), profile=args.profile, config=config)
        t0 = time.perf_counter()
        model._prepare_data()
        t1 = time.perf_counter()
        model.train()
        t2 = time.perf_counter()
        n_train = sum(1 for _ in (args.data_dir / "src-train.txt").open(encoding="utf-8"))
        print(f"profile {args.profile}, {n_train} training reactions, torch threads {config.threads}")
        print(f"binarise: {t1 - t0:.1f} s; train ({'full profile' if args.full else f'{args.steps} updates'}): {t2 - t1:.1f} s")
        windows = WINDOW.findall((work / "checkpoints" / "train.log").read_text(encoding="utf-8"))
        if len(windows) > 1:
            wps = statistics.median(float(w[0]) for w in windows[1:])
            ups = statistics.median(float(w[1]) for w in windows[1:])
            print(f"training: {wps:.0f} target tokens/s, {ups:.2f} updates/s ({1 / ups:.2f} s/update)")
        test = args.data_dir / "src-test.txt"
        src = test.read_text(encoding="utf-8").splitlines()[: args.lines]
        for engine in ("fairseq", "ctranslate2"):
            decoder = BartModel(model.paths, profile=args.profile, config=dataclasses.replace(config, engine=engine))
            decoder.predict(src[:1])  # load (and convert) outside the timing
            t3 = time.perf_counter()
            out = decoder.predict(src, n_best=1)
            dt = time.perf_counter() - t3
            mean_len = statistics.mean(len(h[0].actions.split()) for h in out)
            print(f"decode {engine}: beam {config.beam}, {len(src)} reactions in {dt:.1f} s = "
                  f"{len(src) / dt:.2f} reactions/s (mean output {mean_len:.0f} tokens, max {config.max_len_b})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

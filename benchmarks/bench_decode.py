"""Decoding speed of a trained transformer: OpenNMT-py vs CTranslate2 float32 vs CTranslate2 int8
(or, with --family bart, of a trained BART: fairseq vs CTranslate2).

    python benchmarks/bench_decode.py DATA_DIR MODEL_DIR [--split test] [--limit 0] [--beam 10]
        [--n-best 1] [--threads 0] [--max-length 0] [--profile cpu]

MODEL_DIR is the model's work_dir (models/transformer after `make train-transformer`, models/bart
after `make train-bart`).
Each decoder runs in its own process (so that peak memory is its own): it loads the model, times
one single-reaction prediction cold (including the load) and then warm (median of 5), and then
decodes the split (all of it by default) at the profile's beam. Printed: reactions/s, speed-up over OpenNMT-py,
the fraction of top-1 outputs identical to OpenNMT-py's, peak resident memory, latencies; then each
decoder's accuracy on the split (the report's metrics, %), so that int8 can be checked against the
"within 1 point of float32 on every metric" rule for becoming a default.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VARIANTS = {
    "onmt": {"decoder": "onmt"},
    "ct2-float32": {"decoder": "ctranslate2", "compute_type": "float32"},
    "ct2-int8": {"decoder": "ctranslate2", "compute_type": "int8"},
}
BART_VARIANTS = {"fairseq": "fairseq", "ct2-float32": "ctranslate2"}  # variant -> generate.engine


def load_model(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from s2a.models.base import ModelPaths

    paths = ModelPaths(args.data_dir, args.model_dir)
    if args.family == "bart":
        from s2a.models.bart import BartModel, load_config

        config = load_config(args.profile).with_engine(BART_VARIANTS[args.only])
        return BartModel(paths, profile=args.profile, config=config)
    from s2a.models.transformer import TransformerModel

    onmt: dict[str, int] = {"beam_size": args.beam}
    if args.max_length:
        onmt["max_length"] = args.max_length
    overrides = {**VARIANTS[args.only], "threads": args.threads, "onmt": onmt}
    return TransformerModel(paths, profile=args.profile, overrides=overrides)


def run_variant(args: argparse.Namespace) -> None:
    """Child process: decode with one variant, write a JSON result."""
    src = (args.data_dir / f"src-{args.split}.txt").read_text(encoding="utf-8").splitlines()
    if args.limit:
        src = src[: args.limit]
    t0 = time.perf_counter()
    model = load_model(args)
    model.predict(src[:1])
    cold = time.perf_counter() - t0
    warm = []
    for line in src[1:6] or src[:1]:
        t = time.perf_counter()
        model.predict([line])
        warm.append(time.perf_counter() - t)
    t = time.perf_counter()
    hyps = model.predict(src, n_best=args.n_best)
    seconds = time.perf_counter() - t
    result = {
        "n": len(src),
        "seconds": seconds,
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "top1": [h[0].actions if h else "" for h in hyps],
    }
    Path(args.json).write_text(json.dumps(result), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=0, help="first N reactions (0 = all)")
    parser.add_argument("--beam", type=int, default=10)
    parser.add_argument("--n-best", type=int, default=1, help="hypotheses per reaction (make compare uses 10)")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--max-length", type=int, default=0,
                        help="cap the output length (early checkpoints that never stop); 0 = the profile's")
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--family", choices=["transformer", "bart"], default="transformer",
                        help="bart: beam, length limits and threads from the BART profile (not --beam/--threads)")
    parser.add_argument("--variants", default=None, help="comma-separated [default: all of the family's]")
    parser.add_argument("--only", choices=[*VARIANTS, *BART_VARIANTS], help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        run_variant(args)
        return

    variants = list(BART_VARIANTS if args.family == "bart" else VARIANTS)
    args.only = variants[-1]
    model = load_model(args)
    if args.family == "bart":  # conversion is not part of the cold latency
        model.export_ctranslate2()
    else:
        from s2a.models.ctranslate import ensure_converted

        ensure_converted(model.final_checkpoint(), model.ct2_dir)

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.variants.split(",") if args.variants else variants:
            out = Path(tmp) / f"{name}.json"
            argv = [sys.executable, __file__, str(args.data_dir), str(args.model_dir), "--split", args.split,
                    "--limit", str(args.limit), "--beam", str(args.beam), "--n-best", str(args.n_best),
                    "--threads", str(args.threads),
                    "--max-length", str(args.max_length),
                    "--profile", args.profile, "--family", args.family, "--only", name, "--json", str(out)]
            subprocess.run(argv, check=True)
            results[name] = json.loads(out.read_text(encoding="utf-8"))

    reference = results.get("fairseq" if args.family == "bart" else "onmt")
    beam = f"beam {args.beam}" if args.family == "transformer" else "beam of the BART profile"
    print(f"{args.family}: split {args.split}, {next(iter(results.values()))['n']} reactions, {beam}, "
          f"n-best {args.n_best}, "
          f"threads {args.threads or 'all'}, max length {args.max_length or 'of the profile'}")
    print(f"{'decoder':<12} {'react/s':>8} {'speed-up':>8} {'same top-1':>10} {'peak MB':>8} {'cold s':>7} {'warm ms':>8}")
    for name, r in results.items():
        rate = r["n"] / r["seconds"]
        speedup = f"{reference['seconds'] / r['seconds']:.1f}x" if reference else "-"
        same = f"{sum(a == b for a, b in zip(r['top1'], reference['top1'])) / r['n']:.1%}" if reference else "-"
        print(f"{name:<12} {rate:>8.2f} {speedup:>8} {same:>10} {r['peak_rss_mb']:>8.0f} {r['cold_s']:>7.1f} "
              f"{r['warm_s'] * 1000:>8.0f}")
    print_accuracy(args, results)


def print_accuracy(args: argparse.Namespace, results: dict[str, dict]) -> None:
    """Each decoder's top-1 scored against the split's targets, and the largest gap to float32."""
    from s2a.evaluation.metrics import score
    from s2a.evaluation.report import COLUMNS

    lines = {kind: (args.data_dir / f"{kind}-{args.split}.txt").read_text(encoding="utf-8").splitlines()
             for kind in ("src", "tgt")}
    scores = {}
    for name, r in results.items():
        n = r["n"]
        scores[name] = score(lines["src"][:n], lines["tgt"][:n], r["top1"]).as_dict()
    print(f"\naccuracy on these {n} reactions (%):")
    print(f"{'decoder':<12} " + " ".join(f"{label:>9}" for _, label in COLUMNS))
    for name, s in scores.items():
        print(f"{name:<12} " + " ".join(f"{100 * s[key]:>9.1f}" for key, _ in COLUMNS))
    if "ct2-float32" in scores and "ct2-int8" in scores:
        gap = max(abs(scores["ct2-int8"][k] - scores["ct2-float32"][k]) for k, _ in COLUMNS)
        print(f"largest int8 - float32 gap: {100 * gap:.1f} points (a default needs <= 1)")


if __name__ == "__main__":
    main()

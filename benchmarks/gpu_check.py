"""The Python part of benchmarks/gpu_check.sh: train the transformer for a few thousand steps on
the device, decode the test split there, print steps/s, tokens/s and the paper's metrics.

    python benchmarks/gpu_check.py --data data/processed --steps 2000 --device cuda [--out DIR]

A lent GPU machine is held for minutes only, so this is one prepared run: the paper profile with
only `train_steps` (and the validation/checkpoint interval, = steps) changed, OpenNMT-py's own
decoder by default (CTranslate2's cp312 wheel is 43 MB and links CUDA 12, the machine has CUDA 13).
`--device cpu --steps 5 --profile tiny` is the dry run the tests make.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from s2a.models.base import ModelPaths  # noqa: E402
from s2a.models.transformer import TransformerModel  # noqa: E402

STEP_LINE = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+) INFO\] Step\s+(\d+)/\s*\d+;.*?([\d.]+)/\s*([\d.]+) tok/s")


def train_speed(log: Path) -> dict[str, Any]:
    """Steady-state steps/s and tokens/s from OpenNMT-py's step reports (the first report, which
    includes start-up, only anchors the clock)."""
    reports = [(datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f"), int(m.group(2)), float(m.group(3)),
                float(m.group(4))) for m in STEP_LINE.finditer(log.read_text(encoding="utf-8", errors="replace"))]
    if len(reports) < 2:
        return {"reports": len(reports)}
    (t0, s0, _, _), (t1, s1, _, _) = reports[0], reports[-1]
    seconds = (t1 - t0).total_seconds()
    return {
        "reports": len(reports),
        "steps_per_s": round((s1 - s0) / seconds, 3) if seconds > 0 else None,
        "src_tokens_per_s": round(statistics.mean(r[2] for r in reports[1:])),
        "tgt_tokens_per_s": round(statistics.mean(r[3] for r in reports[1:])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data/processed"))
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cuda")
    parser.add_argument("--profile", default="paper")
    parser.add_argument("--decoder", choices=("onmt", "ctranslate2"), default="onmt")
    parser.add_argument("--decode-batch", type=int, default=0, help="reactions per decoding batch (0: 128 on cuda)")
    parser.add_argument("--limit", type=int, default=0, help="decode only the first N test reactions (0: all)")
    parser.add_argument("--work", type=Path, default=None, help="model folder (default: a temporary one, removed)")
    parser.add_argument("--out", type=Path, default=None, help="also write gpu_check.json, train.log and predictions here")
    args = parser.parse_args()

    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("error: --device cuda but torch sees no GPU")
    work = args.work or Path(tempfile.mkdtemp(prefix="s2a-gpu-check-"))
    batch = args.decode_batch or (128 if args.device == "cuda" else 32)
    overrides: dict[str, Any] = {
        "device": args.device, "decoder": args.decoder, "decode_batch_size": batch,
        "onmt": {"train_steps": args.steps, "valid_steps": args.steps, "save_checkpoint_steps": args.steps,
                 "keep_checkpoint": 1, "report_every": max(1, min(100, args.steps // 10))},
    }
    model = TransformerModel(ModelPaths(args.data, work), profile=args.profile, overrides=overrides)
    result: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu",
        "torch": torch.__version__, "profile": args.profile, "steps": args.steps, "decoder": args.decoder,
    }
    print(f"gpu check: {result}", flush=True)
    try:
        t = time.perf_counter()
        model.train()
        result["train_s"] = round(time.perf_counter() - t, 1)
        result.update(train_speed(work / "logs" / "train.log"))
        print(f"trained {args.steps} steps in {result['train_s']} s: {result.get('steps_per_s')} steps/s, "
              f"{result.get('src_tokens_per_s')} src tok/s", flush=True)

        src = (args.data / "src-test.txt").read_text(encoding="utf-8").splitlines()
        tgt = (args.data / "tgt-test.txt").read_text(encoding="utf-8").splitlines()
        if args.limit:
            src, tgt = src[: args.limit], tgt[: args.limit]
        t = time.perf_counter()
        hyps = model.predict(src, n_best=1)
        result["decode_s"] = round(time.perf_counter() - t, 1)
        result["reactions_per_s"] = round(len(src) / max(1e-9, result["decode_s"]), 1)
        top1 = [h[0].actions if h else "" for h in hyps]

        from s2a.evaluation.metrics import score

        scores = score(src, tgt, top1).as_dict()
        result["metrics_pct"] = {k: (round(100 * v, 1) if isinstance(v, float) else v) for k, v in scores.items()
                                 if v is not None}
        print(f"decoded {len(src)} test reactions in {result['decode_s']} s ({result['reactions_per_s']}/s)")
        print("metrics (%): " + ", ".join(f"{k} {v}" for k, v in result["metrics_pct"].items()))
        curve = work / "learning_curve.csv"
        if curve.is_file():
            print("learning curve:\n" + curve.read_text(encoding="utf-8"), end="")
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "gpu_check.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
            shutil.copyfile(work / "logs" / "train.log", args.out / "train.log")
            (args.out / "test.top1.txt").write_text("\n".join(top1) + "\n", encoding="utf-8")
        print("gpu check: " + json.dumps(result), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

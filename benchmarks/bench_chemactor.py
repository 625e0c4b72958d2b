"""Throughput of ChemActor's task models (issue 13), from what `make chemactor` left behind.

For every trained task model under models/tasks/<task>/<model>/ it prints the training speed that
OpenNMT-py reported (median source and target tokens/s and examples/s over the step reports of its
last run, with the wall time of the whole training from the learning curve) and the decoding
speed of each prediction file under predictions/tasks/<task>/<model>/ (lines/s from its
.meta.json, and subword tokens/s of the answers). With `--judge URL` it also times the circle
review's judge calls against one OpenAI-compatible endpoint (calls/s over a few test pairs).

    python benchmarks/bench_chemactor.py [--models-dir models] [--predictions-dir predictions]
                                         [--judge http://127.0.0.1:8000/v1 --judge-model NAME]

Not a test: it reads the logs of runs made on this machine, so it measures them as they ran (a
run that shared its cores reports the slower speed).
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from s2a.formats import learning_curve as curve  # noqa: E402
from s2a.formats.predictions import read_top1  # noqa: E402
from s2a.paths import MODELS_DIR, PREDICTIONS_DIR, TASK_PREDICTIONS_DIRNAME  # noqa: E402

# OpenNMT-py's step report: "Step 400/ 1600; acc: ...; sents: 991; bsz: 954/ 639/23; 2533/1698 tok/s;"
STEP_REPORT = re.compile(r"Step\s+(\d+)/\s*\d+;.*?sents:\s+(\d+);.*?(\d+)/\s*(\d+) tok/s;\s+(\d+) sec")


def training_speed(work_dir: Path) -> dict[str, float] | None:
    """Median tokens/s and examples/s of the last run in logs/train.log, and the curve's wall time."""
    log = work_dir / "logs" / "train.log"
    if not log.is_file():
        return None
    reports = [tuple(int(g) for g in m.groups()) for m in STEP_REPORT.finditer(log.read_text(errors="replace"))]
    if not reports:
        return None
    src_tps = statistics.median(r[2] for r in reports)
    tgt_tps = statistics.median(r[3] for r in reports)
    # examples per second between consecutive reports of one run (elapsed seconds restart per run)
    rates = [b[1] / (b[4] - a[4]) for a, b in zip(reports, reports[1:]) if b[4] > a[4]]
    points = curve.read_curve(work_dir / curve.FILE)
    seconds = max((p.seconds or 0.0 for p in points), default=0.0)
    return {"steps": float(reports[-1][0]), "src_tok_s": src_tps, "tgt_tok_s": tgt_tps,
            "examples_s": statistics.median(rates) if rates else float("nan"), "train_min": seconds / 60}


def decoding_speed(pred_dir: Path) -> list[tuple[str, float, float, int]]:
    """(split, lines/s, answer words/s, lines) of every prediction file with a meta file."""
    out = []
    for meta_path in sorted(pred_dir.glob("*.meta.json")):
        meta = json.loads(meta_path.read_text())
        split = meta_path.name[: -len(".meta.json")]
        answers = read_top1(pred_dir / f"{split}.txt") if (pred_dir / f"{split}.txt").is_file() else []
        seconds = float(meta.get("seconds") or 0.0)
        tokens = sum(len(a.split()) for a in answers)
        if seconds > 0:
            out.append((split, len(answers) / seconds, tokens / seconds, len(answers)))
    return out


def judge_speed(url: str, model: str, pairs: int) -> float:
    """Calls per second of one judge scoring `pairs` d2a-gold test pairs (the first round only)."""
    from s2a.chat import ChatClient, ChatEndpoint  # noqa: PLC0415

    refs = (ROOT / "data" / "processed" / "tasks" / "d2a-gold" / "tgt-test.txt").read_text().splitlines()[:pairs]
    client = ChatClient(ChatEndpoint(url, model, max_tokens=40))
    start = time.perf_counter()
    for ref in refs:
        client.complete([{"role": "user", "content": f"Score 0-1 how well '{ref}' matches '{ref}'. Answer: score, reason."}], 0.0)
    return len(refs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--predictions-dir", type=Path, default=PREDICTIONS_DIR)
    parser.add_argument("--judge", help="an OpenAI-compatible endpoint to time judge calls against")
    parser.add_argument("--judge-model", default="default")
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()

    root = args.models_dir / TASK_PREDICTIONS_DIRNAME
    print("| task | model | last step reported | train min | src tok/s | tgt tok/s | examples/s | split | lines | lines/s | answer words/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    found = False
    for work in sorted(p for p in root.glob("*/*") if p.is_dir()):
        task, model = work.parent.name, work.name
        train = training_speed(work)
        decode = decoding_speed(args.predictions_dir / TASK_PREDICTIONS_DIRNAME / task / model) or [("-", float("nan"), float("nan"), 0)]
        for split, lps, tps, n in decode:
            found = True
            t = (f"{train['steps']:.0f} | {train['train_min']:.1f} | {train['src_tok_s']:.0f} | {train['tgt_tok_s']:.0f} | "
                 f"{train['examples_s']:.1f}") if train else "- | - | - | - | -"
            print(f"| {task} | {model} | {t} | {split} | {n} | {lps:.1f} | {tps:.0f} |")
    if not found:
        print(f"no task models under {root}: run `make chemactor` first")
    if args.judge:
        print(f"\njudge {args.judge_model} at {args.judge}: {judge_speed(args.judge, args.judge_model, args.pairs):.2f} calls/s")


if __name__ == "__main__":
    main()

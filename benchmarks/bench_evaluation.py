"""Cost of `s2a compare` at the size of a real test split (make bench-evaluation).

Usage: python benchmarks/bench_evaluation.py [N_REACTIONS] [N_MODELS]   (default 1510 reactions, 5 models)

Builds a synthetic test split from the fixture sample (its lines repeated up to N), lets the
random-same-size baseline write 10-best predictions for it under several model names, and times
each metric and the whole report. Nothing is asserted; figures are printed.
"""
from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

from s2a.evaluation.action_types import action_type_scores
from s2a.evaluation.differences import difference_counts
from s2a.evaluation.metrics import bleu, score
from s2a.formats.targets import is_valid, similarity
from s2a.evaluation.report import EvaluationSettings, compare, write_report
from s2a.models import ModelPaths
from s2a.models.random_baseline import RandomSameSizeModel
from s2a.predict_split import predict_split

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "smiles2actions-sample"


def timed(label: str, n: int, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    print(f"{label:<38} {dt:8.3f} s   {n / dt:12,.0f} /s")
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1510
    n_models = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = root / "data"
        data.mkdir()
        for kind in ("src", "tgt"):
            shutil.copy(FIXTURES / f"{kind}-train.txt", data / f"{kind}-train.txt")
            lines = (FIXTURES / f"{kind}-train.txt").read_text().splitlines()
            (data / f"{kind}-test.txt").write_text("\n".join(lines[i % len(lines)] for i in range(n)) + "\n")
        model = RandomSameSizeModel(ModelPaths(data, root / "models" / "rss"))
        model.train()
        for k in range(n_models):
            model.seed = k
            predict_split(model, "test", 10, root / "predictions" / f"model-{k}")
        srcs = (data / "src-test.txt").read_text().splitlines()
        truths = (data / "tgt-test.txt").read_text().splitlines()
        preds = (root / "predictions" / "model-0" / "test.txt").read_text().splitlines()
        chars = sum(map(len, truths)) / n
        print(f"{n} reactions (mean {chars:.0f} characters per sequence), {n_models} models, 10-best")
        timed("validity (parse + tokens)", n, lambda: [is_valid(p, s) for p, s in zip(preds, srcs)])
        timed("Levenshtein similarity", n, lambda: [similarity(t, p) for t, p in zip(truths, preds)])
        timed("corpus BLEU", n, lambda: bleu(truths, preds))
        timed("differences (Table 5)", n, lambda: difference_counts(truths, preds))
        timed("action-type precision/recall", n, lambda: action_type_scores(truths, preds))
        timed("score() incl. 10-best", n, lambda: score(srcs, truths, preds, [[p] * 10 for p in preds]))
        settings = dataclasses.replace(EvaluationSettings.from_yaml(), models=[])
        c = timed(f"compare(), {n_models} models", n * n_models,
                  lambda: compare(data, root / "predictions", "test", settings, transfer=False))
        timed("write_report() (md, csv, png)", n, lambda: write_report(c, root / "reports"))


if __name__ == "__main__":
    main()

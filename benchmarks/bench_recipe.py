"""The CPU recipe sweep: transformer or BART variants trained and scored on the *validation* split.

    python benchmarks/bench_recipe.py DATA_DIR WORK_ROOT [--model transformer|bart] [--profile cpu]
                                      [--levers baseline,retrieval] [--seeds 42] [--steps N]

Each transformer lever is a set of overrides of the profile (s2a.models.transformer_profile), each
BART lever a set of fairseq-train options (BartConfig.with_train). Every variant is
trained from scratch into WORK_ROOT/<model>/<lever>-s<seed> (the transformer's: WORK_ROOT/<lever>-s<seed>;
re-running reuses finished runs) and decodes
the validation split with the profile's ranking; the table gives train time, validation ≥ 75 %,
≥ 50 %, mean similarity, BLEU, validity and distinct top-1 sequences, as mean ± standard deviation over seeds.
The decoding levers (length exponent, valid-first) are benchmarks/bench_ranking.py's. Choose settings here, never on the test split. Not a test: minutes per variant.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from s2a.evaluation.collapse import collapse  # noqa: E402
from s2a.evaluation.metrics import score  # noqa: E402
from s2a.formats.splits import read_pairs  # noqa: E402
from s2a.models import bart, fairseq_arch  # noqa: E402
from s2a.models.augmentation import AugmentationSettings  # noqa: E402
from s2a.models.base import ActionModel, ModelPaths  # noqa: E402
from s2a.models.transformer import TransformerModel  # noqa: E402

# lever -> overrides of the profile (same shape as its YAML). Every lever but `baseline` starts from
# the cpu profile as it was before 2026-12-05 (BEFORE: 1,600 steps, no augmentation), so that a
# lever's name keeps its meaning when the profile changes; `augmentation:` is spelled out whole
# (a mapping would merge into the profile's own).
BEFORE: dict[str, Any] = {"augmentation": None, "onmt": {"train_steps": 1600}}


def _on(base: dict[str, Any], **top: Any) -> dict[str, Any]:
    """`top` over `base`, the `onmt:` mappings merged; `augmentation:` given whole."""
    out = {**base, **top, "onmt": {**base.get("onmt", {}), **top.get("onmt", {})}}
    if top.get("augmentation"):
        out["augmentation"] = {**dataclasses.asdict(AugmentationSettings()), **top["augmentation"]}
    return out


LEVERS: dict[str, dict[str, Any]] = {
    "baseline": {},  # the profile as it is
    "before": BEFORE,
    "retrieval": _on(BEFORE, retrieval={}),
    "steps x2": _on(BEFORE, onmt={"train_steps": 3200}),
    "dropout 0.1": _on(BEFORE, onmt={"dropout": [0.1], "attention_dropout": [0.1]}),
    "dropout 0.3": _on(BEFORE, onmt={"dropout": [0.3], "attention_dropout": [0.3]}),
    "label smoothing 0.1": _on(BEFORE, onmt={"label_smoothing": 0.1}),
    "width 384": _on(BEFORE, onmt={"hidden_size": 384, "word_vec_size": 384}),
    "retrieval + steps x2": _on(BEFORE, retrieval={}, onmt={"train_steps": 3200}),
    # the text tasks' lever (configs/transformer-text-cpu.yaml): a lower peak and no dropout
    "lr 0.5 dropout 0": _on(BEFORE, onmt={"learning_rate": 0.5, "dropout": [0.0], "attention_dropout": [0.0]}),
    "lr 0.5": _on(BEFORE, onmt={"learning_rate": 0.5}),
    "lr 1.0 dropout 0.1": _on(BEFORE, onmt={"learning_rate": 1.0, "dropout": [0.1],
                                            "attention_dropout": [0.1]}),  # cpu until 2026-12-02
    "retrieval + lr 0.5 dropout 0": _on(BEFORE, retrieval={},
                                        onmt={"learning_rate": 0.5, "dropout": [0.0], "attention_dropout": [0.0]}),
    "augment x2": _on(BEFORE, augmentation={"copies": 2}),
    "augment x4": _on(BEFORE, augmentation={"copies": 4}),
    "augment x4 + steps x2": _on(BEFORE, augmentation={"copies": 4}, onmt={"train_steps": 3200}),
    "augment x4, shuffle only": _on(BEFORE, augmentation={"copies": 4, "randomise": False}),
    "augment x9 + steps x8": _on(BEFORE, augmentation={"copies": 9}, onmt={"train_steps": 12800}),
    # oversampling: augmented copies of the reactions with an action type < 1 % of the training actions
    "rare x2": _on(BEFORE, augmentation={"copies": 2, "rare_below": 0.01}),
    "rare x2 + steps 2400": _on(BEFORE, augmentation={"copies": 2, "rare_below": 0.01}, onmt={"train_steps": 2400}),
    "rare x4": _on(BEFORE, augmentation={"copies": 4, "rare_below": 0.01}),
    "steps 2400": _on(BEFORE, onmt={"train_steps": 2400}),  # the chosen recipe's nearest rival
}

# BART lever -> fairseq-train options replacing the profile's (configs/bart-<profile>.yaml)
BART_LEVERS: dict[str, dict[str, Any]] = {
    "baseline": {},  # bart-cpu: s2a's bart_base_own_source_sinusoidal (s2a.models.fairseq_arch)
    "bart_base": {"arch": "bart_base"},  # the cpu profile until 2026-12-02
    "bart_base dropout 0": {"arch": "bart_base", "dropout": 0.0},
    "bart_base dropout 0 label smoothing 0": {"arch": "bart_base", "dropout": 0.0, "label-smoothing": 0.0},
    "own source embeddings": {"arch": fairseq_arch.ARCH},  # learned positions, no scaling, as bart_base
    "own source embeddings dropout 0": {"arch": fairseq_arch.ARCH, "dropout": 0.0},
    "dropout 0": {"dropout": 0.0},
    "rare x2": {"augmentation": {"copies": 2, "rare_below": 0.01}},  # s2a's setting, not fairseq's
    "rare x2 + updates 1350": {"augmentation": {"copies": 2, "rare_below": 0.01}, "max-update": 1350},
    "updates 1350": {"max-update": 1350},
}


RARE_SHARE = 0.005  # the validation split has MAKESOLUTION at 0.6 % of its actions (the test split: 1.1 %)


def _row(scores: list[dict[str, float]]) -> str:
    def cell(key: str, scale: float = 100.0) -> str:
        values = [s[key] * scale for s in scores]
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.mean(values):.1f}" + (f" ± {sd:.1f}" if len(values) > 1 else "")

    rare = "; ".join(sorted({str(s["rare_never"]) for s in scores}))
    return " | ".join([cell("train_s", 1.0), cell("at_least_75"), cell("at_least_50"), cell("mean_similarity"),
                       cell("bleu"), cell("validity"), cell("distinct", 1.0), cell("never", 1.0), rare])


def make_model(family: str, data: Path, work: Path, profile: str, seed: int, lever: str, steps: int) -> ActionModel:
    if family == "bart":
        options = dict(BART_LEVERS[lever])
        augmentation = options.pop("augmentation", None)
        if steps:
            options["max-update"] = steps
        cfg = bart.load_config(profile).with_train(**options)
        if augmentation:
            cfg = dataclasses.replace(cfg, augmentation=AugmentationSettings(**augmentation))
        return bart.BartModel(ModelPaths(data, work), profile=profile, seed=seed, config=cfg)
    overrides = dict(LEVERS[lever])
    if steps:
        overrides["onmt"] = {**overrides.get("onmt", {}), "train_steps": steps}
    return TransformerModel(ModelPaths(data, work), profile=profile, seed=seed, overrides=overrides)


def run_variant(model: ActionModel, src: list[str], tgt: list[str]) -> dict[str, float]:
    start = time.perf_counter()
    model.train()
    train_s = time.perf_counter() - start
    top1 = [h[0].actions if h else "" for h in model.predict(src, n_best=1)]
    s = score(src, tgt, top1).as_dict()
    c = collapse(tgt, top1)
    rare = collapse(tgt, top1, min_share=RARE_SHARE)
    s.update({"train_s": train_s, "distinct": c.distinct, "never": len(c.zero_recall),
              "rare_never": rare.zero_recall_text()})
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("work_root", type=Path)
    parser.add_argument("--model", default="transformer", choices=("transformer", "bart"))
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--levers", default="baseline,retrieval",
                        help=f"comma-separated; transformer: {', '.join(LEVERS)}; bart: {', '.join(BART_LEVERS)}")
    parser.add_argument("--seeds", default="42", help="comma-separated seeds (3 for the chosen settings)")
    parser.add_argument("--steps", type=int, default=0,
                        help="override train_steps (bart: max-update) of every variant (0: keep)")
    args = parser.parse_args()
    levers = args.levers.split(",")
    known = BART_LEVERS if args.model == "bart" else LEVERS
    unknown = [lever for lever in levers if lever not in known]
    if unknown:
        parser.error(f"unknown {args.model} lever {unknown[0]!r}; known: {', '.join(known)}")
    root = args.work_root / "bart" if args.model == "bart" else args.work_root
    src, tgt = read_pairs(args.data_dir, "valid")
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"validation split: {len(src)} reactions; {args.model} profile {args.profile}; seeds {seeds}")
    print("| lever | train s | valid ≥ 75 % | valid ≥ 50 % | valid mean | valid BLEU | valid validity | distinct top-1 "
          f"| types at recall 0 | types ≥ {RARE_SHARE:.1%} at recall 0 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for lever in levers:
        runs = []
        for seed in seeds:
            work = root / f"{lever.replace(' ', '_')}-s{seed}"
            runs.append(run_variant(make_model(args.model, args.data_dir, work, args.profile, seed, lever, args.steps),
                                    src, tgt))
        print(f"| {lever} | {_row(runs)} |", flush=True)
    print("\ndecoding levers: benchmarks/bench_ranking.py (make bench-ranking) on a trained model")


if __name__ == "__main__":
    main()

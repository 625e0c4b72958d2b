"""Does a seq2seq model read its source? The loss of the true targets with each reaction's own
source against the same targets with every source swapped for another reaction's (a seeded
permutation). A decoder that ignores its encoder scores both alike: the gain is ~0.

    python benchmarks/bench_source_reliance.py DATA_DIR CT2_MODEL_DIR [CT2_MODEL_DIR ...] [--split valid]

CT2_MODEL_DIR: a CTranslate2 conversion of a trained model, e.g. models/transformer/ct2 or
models/bart/ctranslate2/checkpoint_best. Prints mean negative log-likelihood per target token
(nats) with the true and the swapped sources, and their difference. Not a test: seconds per model.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ctranslate2  # noqa: E402

from s2a.formats.splits import read_pairs  # noqa: E402


def mean_nll(translator: ctranslate2.Translator, src: list[str], tgt: list[str]) -> float:
    results = translator.score_batch([s.split() for s in src], [t.split() for t in tgt], max_batch_size=32)
    return -sum(sum(r.log_probs) for r in results) / sum(len(r.log_probs) for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--split", default="valid")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    src, tgt = read_pairs(args.data_dir, args.split)
    order = list(range(len(src)))
    random.Random(args.seed).shuffle(order)
    swapped = [src[i] for i in order]
    print(f"{args.split} split: {len(src)} reactions, sources permuted with seed {args.seed}")
    print("| model | loss, own source | loss, another's source | gain (nats/token) |")
    print("|---|---|---|---|")
    for model in args.models:
        translator = ctranslate2.Translator(str(model), inter_threads=2, intra_threads=1)
        own, other = mean_nll(translator, src, tgt), mean_nll(translator, swapped, tgt)
        print(f"| {model} | {own:.4f} | {other:.4f} | {other - own:.4f} |", flush=True)


if __name__ == "__main__":
    main()

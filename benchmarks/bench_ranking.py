"""Decoding levers of a trained model, scored on a split without retraining (use `valid`).

    python benchmarks/bench_ranking.py [transformer|bart] [SPLIT] [WIDTH] [--profile cpu]

Decodes the split with WIDTH hypotheses (the decoder's own order), once freely and once
constrained to each reaction's positional tokens (families whose decoder allows it), and scores
the top-1 of each ranking (s2a.models.ranking): raw, valid first with length exponents 0..1, per
token only, constrained, with completion of an invalid first hypothesis, and the consensus
(minimum Bayes risk) over the completed list with the nearest training reactions' share of the
evidence from 0 to 1, their number and sharpness.
`make bench-ranking` runs it for the transformer on the validation split.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from s2a.evaluation.collapse import collapse  # noqa: E402
from s2a.evaluation.metrics import score  # noqa: E402
from s2a.formats.splits import read_pairs  # noqa: E402
from s2a.models import ModelPaths, model_class  # noqa: E402
from s2a.formats.targets import reaction_counts  # noqa: E402
from s2a.models.ranking import Consensus, Ranking  # noqa: E402
from s2a.paths import DATA_DIR, model_dir  # noqa: E402

EXPONENTS = (0.0, 0.25, 0.5, 0.75, 1.0)
RANKINGS = [("raw decoder order", None)] + [
    (f"valid first, α={a}", Ranking(length_exponent=a)) for a in EXPONENTS
] + [("per token α=0.5, validity ignored", Ranking(valid_first=False, length_exponent=0.5))] + [
    (f"valid first, α={a}, completed", Ranking(length_exponent=a, complete=True)) for a in EXPONENTS
] + [(f"constrained, valid first, α={a}", Ranking(length_exponent=a, constrain=True)) for a in EXPONENTS] + [
    (f"constrained, valid first, α={a}, completed", Ranking(length_exponent=a, constrain=True, complete=True))
    for a in EXPONENTS] + [
    (f"valid first, α=0.5, completed, consensus λ={w} γ={g} k={k}",
     Ranking(length_exponent=0.5, complete=True, consensus=Consensus(neighbour_weight=w, neighbour_sharpness=g, neighbours=k)))
    for w, g, k in ((0.0, 20.0, 10), (0.5, 20.0, 10), (0.7, 20.0, 10), (0.8, 20.0, 10), (0.9, 20.0, 10), (1.0, 20.0, 10),
                    (0.8, 5.0, 10), (0.8, 100.0, 10), (0.8, 20.0, 5))] + [
    ("constrained, valid first, α=0.5, completed, consensus (defaults)",
     Ranking(length_exponent=0.5, constrain=True, complete=True, consensus=Consensus()))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?", default="transformer")
    parser.add_argument("split", nargs="?", default="valid")
    parser.add_argument("width", nargs="?", type=int, default=20)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    src, tgt = read_pairs(args.data_dir, args.split)
    model = model_class(args.model)(ModelPaths(args.data_dir, model_dir(args.model, args.profile)), profile=args.profile)
    _, raw = model.predict_ranked(src, n_best=args.width)
    constrained = model._predict_constrained(src, args.width, [reaction_counts(s) for s in src])
    neighbours = model.neighbours(src, max(r.neighbours for _, r in RANKINGS if r))
    print(f"{args.model} ({args.profile}), {args.split}: {len(src)} reactions, {args.width} hypotheses each")
    print("| ranking | exact | ≥ 90 % | ≥ 75 % | ≥ 50 % | mean sim. | BLEU | valid | distinct top-1 | length JSD | recall 0 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, ranking in RANKINGS:
        lists = constrained if ranking and ranking.constrain else raw
        if lists is None:
            continue
        top = [(ranking.rank(s, h, n[:ranking.neighbours]) if ranking else h)[0].actions if h else ""
               for s, h, n in zip(src, lists, neighbours)]
        sc, c = score(src, tgt, top), collapse(tgt, top)
        print(f"| {label} | {100 * sc.exact:.1f} | {100 * sc.at_least_90:.1f} | {100 * sc.at_least_75:.1f} | {100 * sc.at_least_50:.1f} | {100 * sc.mean_similarity:.1f} | "
              f"{100 * sc.bleu:.1f} | {100 * sc.validity:.1f} | {c.distinct} | {c.length_jsd:.3f} | "
              f"{c.zero_recall_text()} |")


if __name__ == "__main__":
    main()

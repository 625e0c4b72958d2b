"""Score the rule-based procedure-text -> actions extractor (preprocessing.text_actions).

Sentence by sentence against the public paragraph2actions sample (src-*.txt / tgt-*.txt), with
paragraph2actions' own metrics (full-sentence match, modified BLEU, Levenshtein similarity
thresholds) plus micro precision / recall / F1 over the action types of each sentence (multiset
matching), and the throughput on real ORD procedure paragraphs (one core).

    python benchmarks/bench_d2a.py [--sample DIR] [--ord FILE] [--show-errors]

The sample lives in ../shared/data/paragraph2actions-sample (or $S2A_P2A_SAMPLE); without it the
scores are skipped with a note and only the throughput is measured.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paragraph2actions.analysis import full_sentence_accuracy, modified_bleu, partial_accuracy  # noqa: E402

from preprocessing.text_actions import paragraph_actions, readable, sentence_actions  # noqa: E402

DEFAULT_SAMPLE = ROOT.parent / "shared" / "data" / "paragraph2actions-sample"
DEFAULT_ORD = ROOT / "tests" / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"
INTERIM = ROOT / "data" / "interim"
STANDARDISED_CANDIDATES = [INTERIM / "ord" / "standardised.jsonl", INTERIM / "text" / "standardised.jsonl", INTERIM / "standardised.jsonl"]


def standardised_file() -> Path | None:
    """The standardised records of `make data`, if built (any action source: only `procedure` is read)."""
    return next((p for p in STANDARDISED_CANDIDATES if p.is_file()), None)


def action_types(line: str) -> list[str]:
    """Action type of every action of a readable line ('ADD x; STIR.' -> ['ADD', 'STIR'])."""
    line = line.strip()
    if line.endswith("."):
        line = line[:-1]
    return [part.strip().split(" ", 1)[0] for part in line.split("; ") if part.strip()]


def type_prf(truth: list[str], pred: list[str]) -> tuple[float, float, float]:
    """Micro precision, recall, F1 of action types, matched as multisets per sentence."""
    tp = n_pred = n_true = 0
    for t, p in zip(truth, pred):
        ct, cp = Counter(action_types(t)), Counter(action_types(p))
        tp += sum((ct & cp).values())
        n_pred += sum(cp.values())
        n_true += sum(ct.values())
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def read_split(sample: Path, split: str) -> tuple[list[str], list[str]]:
    src = (sample / f"src-{split}.txt").read_text(encoding="utf-8").splitlines()
    tgt = (sample / f"tgt-{split}.txt").read_text(encoding="utf-8").splitlines()
    return src, tgt


def score_rows(sample: Path, show_errors: bool) -> list[tuple[str, int, dict[str, float]]]:
    data = {split: read_split(sample, split) for split in ("train", "valid", "test")}
    groups = {
        "train+valid": [s for s in ("train", "valid")],
        "test": ["test"],
        "all": ["train", "valid", "test"],
    }
    rows = []
    for name, splits in groups.items():
        src = [line for s in splits for line in data[s][0]]
        truth = [line for s in splits for line in data[s][1]]
        pred = [readable(sentence_actions(line)) for line in src]
        if show_errors and name == "train+valid":
            for s, t, p in zip(src, truth, pred):
                if t != p:
                    print(f"SRC  {s}\nGOLD {t}\nPRED {p}\n")
        precision, recall, f1 = type_prf(truth, pred)
        rows.append(
            (
                name,
                len(src),
                {
                    "full": 100 * full_sentence_accuracy(truth, pred),
                    "bleu": 100 * modified_bleu(truth, pred),
                    "90": 100 * partial_accuracy(truth, pred, 0.9),
                    "75": 100 * partial_accuracy(truth, pred, 0.75),
                    "50": 100 * partial_accuracy(truth, pred, 0.5),
                    "p": precision,
                    "r": recall,
                    "f1": f1,
                },
            )
        )
    return rows


def ord_paragraphs(path: Path, limit: int) -> list[str]:
    """Real procedure paragraphs: the standardised data if built, else the ORD test fixture."""
    standardised = standardised_file()
    if standardised is not None:
        out = []
        with standardised.open(encoding="utf-8") as f:
            for line in f:
                procedure = json.loads(line).get("procedure") or ""
                if procedure:
                    out.append(procedure)
                if len(out) >= limit:
                    break
        if out:
            return out
    from preprocessing.ord_source import iter_ord_records

    return [r.procedure for r in iter_ord_records(path) if r.procedure][:limit]


def throughput(paragraphs: list[str], repeat: int) -> tuple[float, float, float]:
    """(paragraphs per CPU second, per wall second, sentences per paragraph), one process on one core.

    CPU time is the figure to compare: on a shared machine wall time also counts other processes.
    """
    from preprocessing.sentences import split_sentences

    n_sentences = sum(len(split_sentences(p)) for p in paragraphs)
    for p in paragraphs[:20]:  # warm-up: regex compilation happens once per process
        paragraph_actions(p)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        for p in paragraphs:
            paragraph_actions(p)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = repeat * len(paragraphs)
    return n / cpu, n / wall, n_sentences / max(1, len(paragraphs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=Path(os.environ.get("S2A_P2A_SAMPLE", DEFAULT_SAMPLE)))
    parser.add_argument("--ord", type=Path, default=DEFAULT_ORD)
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--show-errors", action="store_true", help="print the train+valid sentences that differ")
    args = parser.parse_args()

    if (args.sample / "tgt-test.txt").is_file():
        print(f"rule-based D2A on the paragraph2actions sample ({args.sample}), sentence by sentence")
        print("| sentences        |   n | full % | BLEU | ≥90 % | ≥75 % | ≥50 % | type P | type R | type F1 |")
        print("|------------------|-----|--------|------|-------|-------|-------|--------|--------|---------|")
        for name, n, m in score_rows(args.sample, args.show_errors):
            print(
                f"| {name:<16} | {n:>3} | {m['full']:>6.1f} | {m['bleu']:>4.1f} | {m['90']:>5.1f} | {m['75']:>5.1f} "
                f"| {m['50']:>5.1f} | {m['p']:>6.3f} | {m['r']:>6.3f} | {m['f1']:>7.3f} |"
            )
    else:
        print(f"skipped scores: no paragraph2actions sample at {args.sample} (set S2A_P2A_SAMPLE or --sample)")

    paragraphs = ord_paragraphs(args.ord, args.paragraphs)
    if not paragraphs:
        print("skipped throughput: no ORD procedure paragraphs found")
        return
    rate, wall_rate, per = throughput(paragraphs, args.repeat)
    found = standardised_file()
    source = str(found.relative_to(ROOT)) if found is not None else args.ord.name
    print(f"throughput: {rate:,.0f} paragraphs/s on 1 core (CPU time; {wall_rate:,.0f}/s wall clock) — "
          f"{len(paragraphs)} ORD procedure paragraphs from {source}, {per:.1f} sentences each, x{args.repeat}")


if __name__ == "__main__":
    main()

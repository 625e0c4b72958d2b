"""Speed of the nearest-neighbour model's parts; prints figures (not a test).

1. rxnfp fingerprinting throughput (reactions/s) at a few batch sizes, torch at --threads threads.
2. Exact cosine search at the full training-set size: faiss IndexFlatIP vs a numpy brute force
   (matrix product + argpartition), their agreement, and the per-group search the model uses.
   Database: the trained model's fingerprints (models/nn/fingerprints.npy) when present, else
   synthetic 10k x 256 vectors. Queries: the validation reactions' fingerprints when the database
   is real, else perturbed database vectors.

Usage: PYTHONPATH=. python benchmarks/bench_nn.py [--threads 2] [--n-fingerprint 64]
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from s2a.fingerprints import RxnfpFingerprinter, l2_normalise  # noqa: E402
from s2a.formats.targets import reaction_counts  # noqa: E402
from s2a.paths import REPO_ROOT  # noqa: E402
from s2a.formats.tokenization import detokenize_smiles  # noqa: E402

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "smiles2actions-sample"


def _reactions(data: Path, split: str, n: int) -> list[str]:
    path = data / f"src-{split}.txt"
    if not path.is_file():
        path = FIXTURE / f"src-{split}.txt"
    lines = path.read_text().splitlines()
    lines = (lines * (n // max(len(lines), 1) + 1))[:n]
    return lines


def bench_fingerprints(data: Path, n: int, threads: int) -> RxnfpFingerprinter:
    lines = _reactions(data, "train", n)
    reactions = [detokenize_smiles(s) for s in lines]
    tokens = sum(len(s.split()) for s in lines) / len(lines)
    fp = RxnfpFingerprinter(batch_size=32, threads=threads)
    fp.fingerprints(reactions[:4])  # warm-up
    print(f"rxnfp fingerprints: {n} reactions, mean {tokens:.0f} SMILES tokens, {threads} torch threads")
    for batch in (1, 16, 32, 64):
        fp.batch_size = batch
        t = time.perf_counter()
        fp.fingerprints(reactions)
        dt = time.perf_counter() - t
        print(f"  batch {batch:3d}: {n / dt:7.1f} reactions/s ({dt:.1f} s)")
    fp.batch_size = 32
    return fp


def _brute_force(db: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    sims = queries @ db.T
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    top_sims = np.take_along_axis(sims, top, axis=1)
    order = np.argsort(-top_sims, axis=1, kind="stable")
    return np.take_along_axis(top_sims, order, axis=1), np.take_along_axis(top, order, axis=1)


def bench_search(data: Path, work: Path, fp: RxnfpFingerprinter, n_queries: int, k: int, threads: int) -> None:
    faiss.omp_set_num_threads(threads)
    saved = work / "fingerprints.npy"
    counts: list[tuple[int, int]] | None = None
    if saved.is_file() and (data / "src-train.txt").is_file():
        db = l2_normalise(np.load(saved))
        counts = [reaction_counts(s) for s in (data / "src-train.txt").read_text().splitlines()]
        valid = _reactions(data, "valid", n_queries)
        queries = l2_normalise(fp.fingerprints([detokenize_smiles(s) for s in valid]))
        query_counts = [reaction_counts(s) for s in valid]
        what = f"real training fingerprints ({saved})"
    else:
        rng = np.random.default_rng(0)
        db = l2_normalise(rng.normal(size=(10_000, 256)).astype(np.float32))
        picks = rng.integers(len(db), size=n_queries)
        queries = l2_normalise(db[picks] + 0.5 * rng.normal(size=(n_queries, 256)).astype(np.float32))
        what = "synthetic vectors (no trained models/nn/fingerprints.npy)"
    print(f"\ncosine search: database {db.shape[0]} x {db.shape[1]}, {len(queries)} queries, k={k}: {what}")

    index = faiss.IndexFlatIP(db.shape[1])
    index.add(db)
    t = time.perf_counter()
    f_scores, f_ids = index.search(queries, k)
    t_faiss = time.perf_counter() - t
    t = time.perf_counter()
    n_scores, n_ids = _brute_force(db, queries, k)
    t_numpy = time.perf_counter() - t
    per = 1000 / len(queries)
    print(f"  faiss IndexFlatIP: {t_faiss * 1000:8.1f} ms ({t_faiss * per:.3f} ms/query)")
    print(f"  numpy brute force: {t_numpy * 1000:8.1f} ms ({t_numpy * per:.3f} ms/query)")
    top1 = float(np.mean(f_ids[:, 0] == n_ids[:, 0]))
    sets = float(np.mean([set(a) == set(b) for a, b in zip(f_ids, n_ids)]))
    print(f"  agreement: top-1 {top1:.1%}, top-{k} sets {sets:.1%}, max |score diff| {np.abs(f_scores - n_scores).max():.2e}")

    if counts is None:  # synthetic: give the vectors the sample's group sizes
        sample = [reaction_counts(s) for s in (FIXTURE / "src-train.txt").read_text().splitlines()]
        rng = np.random.default_rng(1)
        counts = [sample[i] for i in rng.integers(len(sample), size=len(db))]
        query_counts = [sample[i] for i in rng.integers(len(sample), size=len(queries))]
    groups: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(counts):
        groups.setdefault(c, []).append(i)
    t = time.perf_counter()
    sub = {c: faiss.IndexFlatIP(db.shape[1]) for c in groups}
    for c, rows in groups.items():
        sub[c].add(db[rows])
    t_build = time.perf_counter() - t
    by_query: dict[tuple[int, int], list[int]] = {}
    for q, c in enumerate(query_counts):
        if c in groups:
            by_query.setdefault(c, []).append(q)
    t = time.perf_counter()
    found = {c: sub[c].search(queries[members], min(k, len(groups[c])))[1] for c, members in by_query.items()}
    t_group = time.perf_counter() - t
    agree = 0
    for c, members in by_query.items():
        group_rows = np.asarray(groups[c])
        mask = np.asarray([cc == c for cc in counts])
        for q, ids in zip(members, found[c]):
            sims = np.where(mask, db @ queries[q], -np.inf)
            agree += int(group_rows[ids[0]] == int(np.argmax(sims)))
    n_group = sum(len(m) for m in by_query.values())
    print(
        f"  per-group sub-indices ({len(groups)} groups): built in {t_build * 1000:.1f} ms; "
        f"search {t_group * 1000:.1f} ms for {n_group} queries; "
        f"top-1 equal to the masked brute force for {agree}/{n_group}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "data" / "processed")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "models" / "nn")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-fingerprint", type=int, default=48)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    fp = bench_fingerprints(args.data, args.n_fingerprint, args.threads)
    bench_search(args.data, args.work, fp, args.queries, args.k, args.threads)


if __name__ == "__main__":
    main()

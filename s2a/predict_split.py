"""Predicting a whole split with any model family and writing the prediction files."""
from __future__ import annotations

import random
import time
from datetime import date
from pathlib import Path
from typing import Optional

from tqdm import tqdm

from s2a.formats.predictions import RAW, Hypothesis, write_meta, write_predictions
from s2a.formats.splits import read_lines
from s2a.models.base import ActionModel

# Reactions per call of model.predict: large enough for batched decoding, small enough for a
# progress bar that moves.
CHUNK = 128


def sample_indices(size: int, limit: Optional[int], seed: int) -> Optional[list[int]]:
    """A seeded random sample of `limit` line numbers of a split of `size` lines, in order, or
    None when the whole split is asked for (no limit, or a limit >= its size)."""
    if limit is None or limit >= size:
        return None
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    return sorted(random.Random(seed).sample(range(size), limit))


def predict_split(model: ActionModel, split: str, n_best: int, out_dir: Path, limit: Optional[int] = None,
                  src: Optional[list[str]] = None) -> Path:
    """Predict every reaction of `split` (or a seeded sample of `limit` of them) and write the files.

    `src`: the split's lines when they are not `src-<split>.txt` of the model's data (the public
    sample of the transfer check).

    A sampled run writes the predictions of the sampled lines only and their line numbers in the
    split as `indices` in `<split>.meta.json`; the report scores it on those lines and says so.
    """
    if src is None:
        src = read_lines(model.paths.data_dir / f"src-{split}.txt")
    split_size = len(src)
    indices = sample_indices(split_size, limit, model.seed)
    if indices is not None:
        src = [src[i] for i in indices]
    start = time.perf_counter()
    hyps: list[list[Hypothesis]] = []
    raw: list[list[Hypothesis]] = []
    with tqdm(total=len(src), desc=f"{model.name}: predict {split}", unit="rxn") as bar:
        for i in range(0, len(src), CHUNK):
            chosen, decoded = model.predict_ranked(src[i : i + CHUNK], n_best=n_best)
            hyps += chosen
            raw += decoded
            bar.update(len(src[i : i + CHUNK]))
    seconds = time.perf_counter() - start
    path = write_predictions(out_dir, split, src, hyps)
    if model.ranking() is not None:  # the decoder's own order, for the paper-faithful figures
        write_predictions(out_dir, f"{split}.{RAW}", src, raw)
    else:
        for stale in (out_dir / f"{split}.{RAW}.txt", out_dir / f"{split}.{RAW}.nbest.jsonl"):
            stale.unlink(missing_ok=True)
    meta = {"model": model.name, "profile": model.profile, "seed": model.seed, "split": split,
            "n_best": n_best, "reactions": len(src), "seconds": round(seconds, 2), "date": date.today().isoformat()}
    if indices is not None:
        meta.update({"split_size": split_size, "indices": indices})
    meta.update(model.describe())
    write_meta(out_dir, split, meta)
    return path

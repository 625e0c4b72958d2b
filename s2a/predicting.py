"""Predicting a whole split with any model family and writing the prediction files."""
from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

from tqdm import tqdm

from s2a.errors import MissingArtifact
from s2a.models.base import ActionModel, Hypothesis
from s2a.predictions import write_predictions

# Reactions per call of model.predict: large enough for batched decoding, small enough for a
# progress bar that moves.
CHUNK = 128


def predict_split(model: ActionModel, split: str, n_best: int, out_dir: Path) -> Path:
    src_path = model.paths.data_dir / f"src-{split}.txt"
    if not src_path.is_file():
        raise MissingArtifact(str(src_path), "not found (run `make data` first)")
    src = src_path.read_text(encoding="utf-8").splitlines()
    start = time.perf_counter()
    hyps: list[list[Hypothesis]] = []
    with tqdm(total=len(src), desc=f"{model.name}: predict {split}", unit="rxn") as bar:
        for i in range(0, len(src), CHUNK):
            hyps += model.predict(src[i : i + CHUNK], n_best=n_best)
            bar.update(len(src[i : i + CHUNK]))
    seconds = time.perf_counter() - start
    path = write_predictions(out_dir, split, src, hyps)
    meta = {"model": model.name, "profile": model.profile, "seed": model.seed, "split": split,
            "n_best": n_best, "reactions": len(src), "seconds": round(seconds, 2), "date": date.today().isoformat()}
    meta.update(getattr(model, "describe", lambda: {})())
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path

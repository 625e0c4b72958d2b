"""One tiny transformer, trained once per test process and shared by test_transformer,
test_checkpoint and test_ctranslate: 10 steps, then resumed to 20 (the profile's train_steps),
on real src/tgt lines (tests/fixtures/smiles2actions-sample, MIT)."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from s2a.models.base import ModelPaths
from s2a.models.transformer import TransformerModel
from sample import SAMPLE

FIXTURE = SAMPLE
FIRST_STEPS = 10


@dataclass(frozen=True)
class TinyRun:
    paths: ModelPaths
    steps_after_first_run: list[int]  # checkpoint steps after training to FIRST_STEPS
    first_run_mtimes: dict[str, int]  # checkpoint name -> mtime after the first run

    def model(self, **overrides: object) -> TransformerModel:
        return TransformerModel(self.paths, profile="tiny", overrides=overrides or None)


def lines(split: str, side: str = "src") -> list[str]:
    return (FIXTURE / f"{side}-{split}.txt").read_text(encoding="utf-8").splitlines()


@functools.lru_cache(maxsize=1)
def trained() -> TinyRun:
    work = Path(tempfile.mkdtemp(prefix="s2a-tiny-transformer-"))
    atexit.register(shutil.rmtree, work, True)
    paths = ModelPaths(FIXTURE, work)
    first = TransformerModel(paths, profile="tiny", overrides={"onmt": {"train_steps": FIRST_STEPS}})
    first.train()
    steps = [s for s, _ in first.checkpoints()]
    mtimes = {p.name: p.stat().st_mtime_ns for _, p in first.checkpoints()}
    TransformerModel(paths, profile="tiny").train()  # resumes to the profile's train_steps
    return TinyRun(paths, steps, mtimes)

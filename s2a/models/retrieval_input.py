"""Retrieval-augmented input: each source line carries the action sequence of its nearest training
reaction (the nn model's rxnfp index, same precursor/product counts), so that a seq2seq model
learns to adapt a known procedure instead of writing one from nothing.

`C C O . C Cl >> C C O C <neighbour> ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; YIELD $-1$`

Neighbours come from the training split only. A valid or test reaction's neighbour is from
another patent (the split is by patent), so a training reaction gets its nearest training reaction
from another patent too (`training_neighbour: other-patent`, from train.jsonl's patents): with
same-patent neighbours, often the same procedure, the model would learn to copy more than it can
at test time. `other-sequence` (and data without train.jsonl) takes the nearest other reaction with
another sequence instead. Never its own answer. The augmented splits are written into the model's
folder and stamped with the data and rule they were made from.
"""
from __future__ import annotations

from collections.abc import Sequence
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from s2a.atomic import atomic_write_text
from s2a.formats.splits import read_lines, split_rows
from s2a.freshness import Stamp, digest_files
from s2a.models.base import ModelPaths

SEPARATOR = "<neighbour>"
SPLITS = ("train", "valid", "test")
STAMP = "retrieval.json"
DESCRIPTION = "nearest training neighbour's sequence"  # what a model's describe() says of it
TRAINING_NEIGHBOURS = ("other-patent", "other-sequence")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetrievalSettings:
    """`retrieval:` in a transformer or llm profile: the nearest training neighbour's sequence
    appended to every source line."""

    nn_dir: str = ""  # the nn model's folder; "" = `nn` beside the model's folder (models/nn)
    nn_profile: str = "cpu"
    training_neighbour: str = "other-patent"  # or "other-sequence" (see the module's text)

    def __post_init__(self) -> None:
        if self.training_neighbour not in TRAINING_NEIGHBOURS:
            raise ValueError(f"training_neighbour must be one of {', '.join(TRAINING_NEIGHBOURS)}, "
                             f"got {self.training_neighbour!r}")


def augment(src: str, neighbour: str) -> str:
    return f"{src} {SEPARATOR} {neighbour}".rstrip()


def split_line(line: str) -> tuple[str, str]:
    """(reaction, neighbour's sequence) of an augmented source line; ('<line>', '') for a plain one."""
    reaction, _, neighbour = line.partition(f" {SEPARATOR}")
    return reaction, neighbour.strip()


def reaction_part(line: str) -> str:
    """The reaction of an augmented (or plain) source line."""
    return split_line(line)[0]


class NeighbourInput:
    """Adds the nearest training neighbour's sequence to source lines (nn model in `nn_dir`)."""

    @classmethod
    def of_model(cls, data_dir: Path, work_dir: Path, settings: RetrievalSettings) -> NeighbourInput:
        """The input of a model trained in `work_dir` with these settings."""
        nn_dir = Path(settings.nn_dir) if settings.nn_dir else Path(work_dir).parent / "nn"
        return cls(Path(data_dir), nn_dir, settings.nn_profile, settings.training_neighbour)

    def __init__(self, data_dir: Path, nn_dir: Path, nn_profile: str = "cpu",
                 training_neighbour: str = "other-patent") -> None:
        from s2a.models.nearest_neighbour import NearestNeighbourModel

        self.data_dir = Path(data_dir)
        self.training_neighbour = training_neighbour
        self.nn = NearestNeighbourModel(ModelPaths(self.data_dir, Path(nn_dir)), profile=nn_profile)

    def ensure_index(self) -> None:
        """Train (a no-op when current) the nearest-neighbour index of the training split."""
        self.nn.train()

    def __call__(self, src: Sequence[str]) -> list[str]:
        """`src` lines (plain reactions) with their nearest training neighbour's sequence."""
        if not src:
            return []
        found = self.nn.nearest_training(list(src))
        return [augment(line, target) for line, (_, _, target) in zip(src, found)]

    def write_splits(self, out_dir: Path) -> Path:
        """The augmented splits in `out_dir` (src-* augmented, tgt-* copied), remade only when
        the data changed."""
        files = [self.data_dir / f"{side}-{split}.txt" for split in SPLITS for side in ("src", "tgt")
                 if (self.data_dir / f"{side}-{split}.txt").is_file()]
        patents = self._training_patents()
        rule = "other-patent" if patents is not None else "other-sequence"
        inputs = {"data": digest_files(files), "separator": SEPARATOR, "training_neighbour": rule}
        stamp = Stamp(out_dir / STAMP)
        if stamp.matches(inputs):
            return out_dir
        self.ensure_index()
        train_src, train_tgt = read_lines(self.data_dir / "src-train.txt"), read_lines(self.data_dir / "tgt-train.txt")
        rows = self.nn.training_neighbours(patents)
        lines = {"train": [augment(s, train_tgt[r] if r >= 0 else "") for s, r in zip(train_src, rows)]}
        for split in SPLITS[1:]:
            if (self.data_dir / f"src-{split}.txt").is_file():
                lines[split] = self(read_lines(self.data_dir / f"src-{split}.txt"))
        for split, augmented in lines.items():
            atomic_write_text(out_dir / f"src-{split}.txt", "\n".join(augmented) + "\n")
            tgt = self.data_dir / f"tgt-{split}.txt"
            atomic_write_text(out_dir / f"tgt-{split}.txt", tgt.read_text(encoding="utf-8"))
        stamp.write(inputs)
        return out_dir

    def _training_patents(self) -> Optional[list[str]]:
        """Each training reaction's patent (train.jsonl), or None for the other-sequence rule."""
        if self.training_neighbour != "other-patent":
            return None
        if not (self.data_dir / "train.jsonl").is_file():
            log.warning("%s has no train.jsonl (no patents): training neighbours are the nearest reactions "
                        "with another sequence instead", self.data_dir)
            return None
        return [str(row.get("patent") or "") for row in split_rows(self.data_dir, "train")]

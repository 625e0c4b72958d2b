"""SMILES augmentation of a training split: N extra copies of every reaction, each with its
precursors in a shuffled order and every molecule written as a randomised (non-canonical) SMILES,
the target's `$k$` tokens renumbered to the new order (`$-k$`, the products, keep theirs: they are
not shuffled). Smiles2Actions' Supplementary Note 3 studies this shuffling; the source side then
stops telling the model which precursor comes first, so it must read the molecules.

`rare_below` (a share, e.g. 0.01) gives copies only to the reactions whose sequence has an action
type that makes up less than that share of the training split's actions (MAKESOLUTION, TRITURATE,
QUENCH, ...): an oversampling of what a short run otherwise never learns to write.

Validation and test splits are never augmented. Seeded: the same settings give the same files.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from s2a.atomic import atomic_write_text
from s2a.errors import DataError
from s2a.formats.distributions import action_types
from s2a.formats.splits import read_lines
from s2a.formats.targets import POSITIONAL_TOKEN
from s2a.formats.tokenization import detokenize_smiles, tokenize_smiles
from s2a.freshness import Stamp, digest_files


@dataclass(frozen=True)
class AugmentationSettings:
    """`augmentation:` of a profile: `copies` augmented copies per training reaction (besides the
    original), shuffled precursor order and/or randomised SMILES."""

    copies: int = 1
    shuffle: bool = True
    randomise: bool = True
    seed: int = 0
    rare_below: float = 0.0  # > 0: copy only reactions with an action type rarer than this share


    def __post_init__(self) -> None:
        if self.copies < 1:
            raise ValueError(f"copies must be >= 1, got {self.copies}")
        if not 0 <= self.rare_below < 1:
            raise ValueError(f"rare_below must be a share in [0, 1), got {self.rare_below}")
        if not (self.shuffle or self.randomise):
            raise ValueError("shuffle and randomise are both off: the copies would equal the original")


def _random_smiles(compound: str, rng: random.Random) -> str:
    """A randomised SMILES of one compound ('~' joins its fragments; each is randomised alone)."""
    from rdkit import Chem, RDLogger  # here: reading a profile's settings needs no RDKit

    RDLogger.DisableLog("rdApp.*")
    out = []
    for fragment in compound.split("~"):
        mol = Chem.MolFromSmiles(fragment)
        if mol is None:  # kept as written: the canonicaliser accepted it, RDKit may not re-read it
            out.append(fragment)
            continue
        out.append(Chem.MolToRandomSmilesVect(mol, 1, randomSeed=rng.randrange(2**31))[0])
    return "~".join(out)


def augmented(src: str, tgt: str, rng: random.Random, settings: AugmentationSettings) -> tuple[str, str]:
    """One augmented copy of a (tokenised src, tgt) pair."""
    smiles = detokenize_smiles(src)
    if smiles.count(">>") != 1:
        raise DataError(src, "expected one '>>' in a source line")
    left, right = smiles.split(">>")
    precursors, products = left.split("."), right.split(".")
    order = list(range(len(precursors)))
    if settings.shuffle:
        rng.shuffle(order)
    new_position = {old + 1: new + 1 for new, old in enumerate(order)}  # 1-based $k$ renumbering
    if settings.randomise:
        precursors = [_random_smiles(p, rng) for p in precursors]
        products = [_random_smiles(p, rng) for p in products]
    reaction = ".".join(precursors[old] for old in order) + ">>" + ".".join(products)

    def renumber(match: re.Match[str]) -> str:
        k = int(match.group(1))
        return f"${new_position.get(k, k)}$" if k > 0 else match.group(0)

    return tokenize_smiles(reaction), POSITIONAL_TOKEN.sub(renumber, tgt)


def rare_types(tgt: Sequence[str], below: float) -> set[str]:
    """The action types that make up less than `below` of all the actions of `tgt`."""
    counts = Counter(t for line in tgt for t in action_types(line))
    total = sum(counts.values())
    return {t for t, n in counts.items() if n < below * total}


def augment_split(src: Sequence[str], tgt: Sequence[str], settings: AugmentationSettings) -> tuple[list[str], list[str]]:
    """The original pairs followed by `copies` augmented copies of each (of each with a rare action
    type, when `rare_below` is set), in a seeded order."""
    if len(src) != len(tgt):
        raise DataError("training split", f"{len(src)} source lines but {len(tgt)} targets")
    rng = random.Random(settings.seed)
    out_src, out_tgt = list(src), list(tgt)
    pairs = list(zip(src, tgt))
    if settings.rare_below:
        rare = rare_types(tgt, settings.rare_below)
        pairs = [(s, t) for s, t in pairs if rare.intersection(action_types(t))]
    for _ in range(settings.copies):
        for s, t in pairs:
            a, b = augmented(s, t, rng, settings)
            out_src.append(a)
            out_tgt.append(b)
    return out_src, out_tgt


STAMP = "augmentation.json"


def write_augmented(data_dir: Path, out_dir: Path, settings: AugmentationSettings) -> Path:
    """`out_dir/{src,tgt}-train.txt` augmented from `data_dir`'s, the other splits copied as they
    are; remade only when the data or the settings changed."""
    names = [f"{side}-{split}.txt" for split in ("train", "valid", "test") for side in ("src", "tgt")]
    files = [data_dir / n for n in names if (data_dir / n).is_file()]
    inputs = {"data": digest_files(files), "settings": asdict(settings)}
    stamp = Stamp(out_dir / STAMP)
    if stamp.matches(inputs):
        return out_dir
    new_src, new_tgt = augment_split(read_lines(data_dir / "src-train.txt"), read_lines(data_dir / "tgt-train.txt"), settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "src-train.txt", "\n".join(new_src) + "\n")
    atomic_write_text(out_dir / "tgt-train.txt", "\n".join(new_tgt) + "\n")
    for f in files:
        if not f.name.endswith("-train.txt"):
            atomic_write_text(out_dir / f.name, f.read_text(encoding="utf-8"))
    stamp.write(inputs)
    return out_dir

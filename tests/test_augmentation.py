"""SMILES augmentation: every augmented copy names the same molecules in the same roles."""
import random
from pathlib import Path

import pytest

from s2a.errors import ConfigError
from s2a.formats.reaction import canonical_molecule
from s2a.formats.splits import read_lines
from s2a.formats.targets import positional_tokens, reaction_counts
from s2a.formats.tokenization import detokenize_smiles
from s2a.formats.distributions import action_types
from s2a.models.augmentation import STAMP, AugmentationSettings, augment_split, augmented, rare_types, write_augmented
from s2a.models.transformer_profile import load_settings
from sample import SAMPLE


def _molecules(src: str) -> tuple[list[str], list[str]]:
    left, right = detokenize_smiles(src).split(">>")
    canon = lambda c: "~".join(canonical_molecule(f) for f in c.split("~"))  # noqa: E731
    return [canon(c) for c in left.split(".")], [canon(c) for c in right.split(".")]


def _roles(src: str, tgt: str) -> list[str]:
    """The target with every `$k$` replaced by the canonical molecule it names."""
    pre, prod = _molecules(src)
    out = tgt
    for k in sorted(positional_tokens(tgt), key=abs, reverse=True):
        out = out.replace(f"${k}$", f"<{pre[k - 1] if k > 0 else prod[-k - 1]}>")
    return out.split(" ; ")


def test_copies_keep_every_molecule_in_its_role() -> None:
    src, tgt = read_lines(SAMPLE / "src-train.txt")[:40], read_lines(SAMPLE / "tgt-train.txt")[:40]
    rng = random.Random(1)
    moved = rewritten = 0
    for s, t in zip(src, tgt):
        a, b = augmented(s, t, rng, AugmentationSettings())
        assert reaction_counts(a) == reaction_counts(s)
        assert sorted(_molecules(a)[0]) == sorted(_molecules(s)[0]) and _molecules(a)[1] == _molecules(s)[1]
        assert _roles(a, b) == _roles(s, t)
        moved += b != t
        rewritten += a.split(" >> ")[0] != s.split(" >> ")[0]
    assert moved > 10 and rewritten > 30  # shuffling really renumbers, randomising really rewrites


def test_shuffle_only_keeps_canonical_smiles() -> None:
    s, t = read_lines(SAMPLE / "src-train.txt")[0], read_lines(SAMPLE / "tgt-train.txt")[0]
    a, _ = augmented(s, t, random.Random(0), AugmentationSettings(randomise=False))
    assert sorted(a.split(" >> ")[0].split(" . ")) == sorted(s.split(" >> ")[0].split(" . "))


def test_split_is_seeded_and_remade_only_when_settings_change(tmp_path: Path) -> None:
    settings = AugmentationSettings(copies=2, seed=3)
    out = write_augmented(SAMPLE, tmp_path / "a", settings)
    n = len(read_lines(SAMPLE / "src-train.txt"))
    assert len(read_lines(out / "src-train.txt")) == len(read_lines(out / "tgt-train.txt")) == 3 * n
    assert read_lines(out / "src-train.txt")[:n] == read_lines(SAMPLE / "src-train.txt")
    assert read_lines(out / "src-valid.txt") == read_lines(SAMPLE / "src-valid.txt")  # never augmented
    again = write_augmented(SAMPLE, tmp_path / "b", settings)
    assert (again / "src-train.txt").read_text() == (out / "src-train.txt").read_text()
    stamp = (out / STAMP).read_text()
    write_augmented(SAMPLE, out, AugmentationSettings(copies=1, seed=3))
    assert (out / STAMP).read_text() != stamp and len(read_lines(out / "src-train.txt")) == 2 * n


def test_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[augmentation\]: copies must be >= 1"):
        load_settings("tiny", {"augmentation": {"copies": 0}})
    with pytest.raises(ConfigError, match="cannot be combined"):
        load_settings("tiny", {"augmentation": {"copies": 1}, "retrieval": {}})
    assert load_settings("tiny", {"augmentation": {"copies": 4}}).augmentation == AugmentationSettings(copies=4)


def test_rare_below_copies_only_the_reactions_with_a_rare_action_type() -> None:
    src, tgt = read_lines(SAMPLE / "src-train.txt"), read_lines(SAMPLE / "tgt-train.txt")
    rare = rare_types(tgt, 0.01)
    assert rare and "ADD" not in rare
    with_rare = [t for t in tgt if rare.intersection(action_types(t))]
    assert 0 < len(with_rare) < len(tgt)
    new_src, new_tgt = augment_split(src, tgt, AugmentationSettings(copies=2, rare_below=0.01))
    assert len(new_src) == len(new_tgt) == len(tgt) + 2 * len(with_rare)
    assert all(rare.intersection(action_types(t)) for t in new_tgt[len(tgt):])
    with pytest.raises(ValueError, match="rare_below"):
        AugmentationSettings(rare_below=1.0)

"""The `tgt` format a model writes, and the one rule for what a reaction lets it refer to.

`src` lines are tokenised canonical reactions (`C C O . C Cl >> C C O C`: '.' separates compounds,
'~' joins fragments of one compound); `tgt` lines are readable actions joined by ' ; ' that refer
to molecules by position (`$k$`: k-th precursor, `$-k$`: k-th product).

Valid (the paper's validity): the line converts to paragraph2actions actions *and* refers to every
molecule of its reaction and to nothing else — `$7$` in a six-precursor reaction cannot be executed.
"""
from __future__ import annotations

import re
from functools import lru_cache

import textdistance
from paragraph2actions.conversion_utils import ActionStringConversionError
from paragraph2actions.readable_converter import ReadableConverter

from s2a.formats.action_format import readable_converter
from s2a.errors import InvalidReaction
from s2a.formats.tokenization import ACTION_SEPARATOR, detokenize_actions, detokenize_smiles

Counts = tuple[int, int]  # (number of precursors, number of products)
POSITIONAL_TOKEN = re.compile(r"\$(-?\d+)\$")


def reaction_counts(src: str) -> Counts:
    """(precursors, products) of a `src` line (tokenised or not); InvalidReaction without both sides."""
    smiles = detokenize_smiles(src)
    if smiles.count(">>") != 1:
        raise InvalidReaction(smiles, "expected 'precursors>>products'")
    left, right = smiles.split(">>")
    n_pre, n_prod = len([c for c in left.split(".") if c]), len([c for c in right.split(".") if c])
    if not n_pre or not n_prod:
        raise InvalidReaction(smiles, "no precursors or no products")
    return n_pre, n_prod


def allowed_positions(counts: Counts) -> set[int]:
    """The positions a valid prediction refers to: {1..n} and {-1..-m}."""
    n, m = counts
    return set(range(1, n + 1)) | {-k for k in range(1, m + 1)}


def required_positions(src: str) -> set[int]:
    return allowed_positions(reaction_counts(src))


def positional_tokens(tgt: str) -> set[int]:
    """The molecule positions a `tgt` line refers to: {1, 2, -1} for '... $1$ ... $2$ ... $-1$'."""
    return {int(m) for m in POSITIONAL_TOKEN.findall(tgt)}


@lru_cache(maxsize=1)
def _converter() -> ReadableConverter:
    return readable_converter()


def parses(tgt: str) -> bool:
    """Whether every action of the line converts to a paragraph2actions action."""
    try:
        _converter().string_to_actions(tgt.strip())
    except ActionStringConversionError:
        return False
    return True


def is_valid_for(tgt: str, counts: Counts) -> bool:
    return parses(tgt) and positional_tokens(tgt) == allowed_positions(counts)


def is_valid(tgt: str, src: str) -> bool:
    return is_valid_for(tgt, reaction_counts(src))


def completed(tgt: str, counts: Counts) -> str:
    """`tgt` made to refer to exactly its reaction's molecules, the least edit a chemist would make:
    actions naming a molecule the reaction does not have are dropped, each precursor never named
    is added (`ADD $k$`) after the last action that adds a precursor (first if none does), each
    product never named gets `YIELD $-k$` at the end. Unparseable actions stay as they are."""
    allowed = allowed_positions(counts)
    actions = [a for a in detokenize_actions(tgt) if positional_tokens(a) <= allowed]
    named = set().union(*(positional_tokens(a) for a in actions)) if actions else set()
    missing_precursors = [f"ADD ${k}$" for k in sorted(p for p in allowed - named if p > 0)]
    adds = [i for i, a in enumerate(actions) if a.startswith("ADD ") and any(p > 0 for p in positional_tokens(a))]
    at = adds[-1] + 1 if adds else 0
    actions[at:at] = missing_precursors
    actions += [f"YIELD ${k}$" for k in sorted((p for p in allowed - named if p < 0), reverse=True)]
    return ACTION_SEPARATOR.join(actions)


def similarity(truth: str, prediction: str) -> float:
    """Normalised Levenshtein similarity of two `tgt` lines, character by character (1: identical)."""
    return float(textdistance.levenshtein.normalized_similarity(truth, prediction))

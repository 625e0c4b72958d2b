"""Tokenisation of reaction SMILES (the standard regex, via rxn-chem-utils) and of action sequences.

Tokenised SMILES: tokens joined by single spaces, precursors and products separated by ' >> '.
Tokenised actions: readable actions joined by ' ; ' (the Smiles2Actions `tgt` format).
Joining the tokens must give the input back; anything else is an error, never silent corruption.
"""
from __future__ import annotations

from rxn.chemutils.tokenization import TokenizationError as _RxnTokenizationError
from rxn.chemutils.tokenization import to_tokens

from s2a.errors import TokenizationError

ACTION_SEPARATOR = " ; "


def tokenize_smiles(smiles: str) -> str:
    """'CC(=O)Cl.OCC>>CC(=O)OCC' -> 'C C ( = O ) Cl . O C C >> C C ( = O ) O C C'."""
    if not smiles or any(c.isspace() for c in smiles):
        raise TokenizationError(smiles, "empty or contains whitespace")
    try:
        tokens = to_tokens(smiles)
    except _RxnTokenizationError as e:
        raise TokenizationError(smiles, e.detail) from None
    return " ".join(tokens)


def detokenize_smiles(tokens: str) -> str:
    return "".join(tokens.split())


def tokenize_actions(actions: list[str]) -> str:
    """Join readable actions (each without separator or end mark) with ' ; '."""
    for a in actions:
        if not a.strip() or ";" in a:
            raise TokenizationError(a, "an action must be non-empty and contain no ';'")
    return ACTION_SEPARATOR.join(a.strip() for a in actions)


def detokenize_actions(tgt: str) -> list[str]:
    """Split a `tgt` line into its readable actions."""
    return [a.strip() for a in tgt.split(";") if a.strip()]

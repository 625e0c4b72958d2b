"""Distributions of action sequences and their Jensen–Shannon divergence.

Shared by data selection (s2a.selection), the data report and the report's collapse check.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from s2a.formats.tokenization import detokenize_actions


def action_types(tgt: str) -> list[str]:
    """'ADD $1$ ; STIR for @2@ at #4#' -> ['ADD', 'STIR']."""
    return [a.split()[0] for a in detokenize_actions(tgt)]


def jsd_terms(q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-coordinate JSD term: ½ q log2(2q/(q+p)) + ½ p log2(2p/(q+p)), with 0 log 0 = 0."""
    m = q + p
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(q > 0, q * np.log2(np.where(q > 0, 2 * q / np.where(m > 0, m, 1), 1)), 0.0)
        b = np.where(p > 0, p * np.log2(np.where(p > 0, 2 * p / np.where(m > 0, m, 1), 1)), 0.0)
    return 0.5 * (a + b)


def jensen_shannon(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """JSD (base 2) between two frequency vectors, each normalised to sum 1 (a zero vector stays 0)."""
    pa, qa = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if pa.shape != qa.shape:
        raise ValueError(f"shapes differ: {pa.shape} vs {qa.shape}")
    pa = pa / pa.sum() if pa.sum() > 0 else pa
    qa = qa / qa.sum() if qa.sum() > 0 else qa
    return float(jsd_terms(qa, pa).sum())


def counter_divergence(reference: Mapping[str, float], other: Mapping[str, float]) -> float:
    keys = sorted(set(reference) | set(other))
    return jensen_shannon([reference.get(k, 0) for k in keys], [other.get(k, 0) for k in keys])

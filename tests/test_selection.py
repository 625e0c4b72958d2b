"""s2a.selection: Jensen–Shannon divergence and distribution-divergence data selection."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from s2a.errors import ConfigError
from s2a.formats.distributions import counter_divergence, jensen_shannon
from s2a.selection import divergence, features, random_subset, select
from sample import sample_prefix

FIXTURE = sample_prefix(40)


def lines(name: str) -> list[str]:
    return (FIXTURE / name).read_text(encoding="utf-8").splitlines()


def test_jsd_hand_computed() -> None:
    # Disjoint supports: the maximum, 1 bit.
    assert jensen_shannon([1, 0], [0, 1]) == pytest.approx(1.0)
    # P = (1/2, 1/2), Q = (1, 0), M = (3/4, 1/4):
    # KL(P||M) = 1/2 log2(2/3) + 1/2 log2(2), KL(Q||M) = log2(4/3); JSD = (KL(P||M) + KL(Q||M)) / 2.
    expected = 0.5 * (0.5 * math.log2(2 / 3) + 0.5 * 1.0) + 0.5 * math.log2(4 / 3)
    assert jensen_shannon([0.5, 0.5], [1, 0]) == pytest.approx(expected)
    assert expected == pytest.approx(0.3113, abs=1e-4)
    # Counts are normalised; identical distributions have divergence 0; JSD is symmetric.
    assert jensen_shannon([2, 6], [1, 3]) == pytest.approx(0.0)
    assert jensen_shannon([1, 2, 3], [3, 1, 1]) == pytest.approx(jensen_shannon([3, 1, 1], [1, 2, 3]))
    assert counter_divergence({"ADD": 1}, {"STIR": 5}) == pytest.approx(1.0)


def test_features_of_one_sequence() -> None:
    f = features("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; YIELD $-1$")
    assert f["type"] == {"ADD": 2, "STIR": 1, "YIELD": 1}
    assert f["bigram"] == {"<s> ADD": 1, "ADD ADD": 1, "ADD STIR": 1, "STIR YIELD": 1, "YIELD </s>": 1}
    assert f["length"] == {"4": 1}


def test_divergence_of_tiny_sets() -> None:
    ref = ["ADD $1$ ; YIELD $-1$"]
    d = divergence(ref, ["STIR for @1@ ; CONCENTRATE ; PURIFY"])
    assert d["type"] == pytest.approx(1.0) and d["bigram"] == pytest.approx(1.0) and d["length"] == pytest.approx(1.0)
    assert d["total"] == pytest.approx(1.0)
    assert divergence(ref, ref)["total"] == pytest.approx(0.0)


def test_greedy_matches_brute_force_first_picks() -> None:
    reference, pool = lines("tgt-valid.txt"), lines("tgt-train.txt")
    picked: list[int] = []
    for _ in range(3):
        best = min((i for i in range(len(pool)) if i not in picked),
                   key=lambda i: divergence(reference, [pool[j] for j in [*picked, i]])["total"])
        picked.append(best)
    assert select(reference, pool, 3, method="greedy") == picked


@pytest.mark.parametrize("step", [1, 3])
def test_greedy_subset_is_closer_than_random(step: int) -> None:
    reference, pool = lines("tgt-valid.txt") + lines("tgt-test.txt"), lines("tgt-train.txt")
    size = len(pool) // 2
    chosen = select(reference, pool, size, method="greedy", step=step)
    assert len(chosen) == size == len(set(chosen))
    selected = divergence(reference, [pool[i] for i in chosen])["total"]
    randoms = [divergence(reference, [pool[i] for i in random_subset(len(pool), size, seed)])["total"]
               for seed in range(10)]
    assert selected < min(randoms)
    assert selected < divergence(reference, pool)["total"]


def test_score_method_keeps_helpful_examples() -> None:
    # A reference of short sequences: the score method keeps the pool's short ones first.
    reference = ["ADD $1$ ; YIELD $-1$"] * 3
    pool = ["ADD $1$ ; STIR for @1@ ; WASH with water ; CONCENTRATE ; PURIFY ; YIELD $-1$",
            "ADD $1$ ; YIELD $-1$", "STIR for @1@ ; FILTER keep filtrate ; CONCENTRATE"]
    assert select(reference, pool, 1, method="score") == [1]
    assert select(reference, pool, 1, method="greedy") == [1]


def test_bad_arguments_are_typed_errors() -> None:
    pool = lines("tgt-train.txt")
    with pytest.raises(ConfigError):
        select(pool[:3], pool, 0)
    with pytest.raises(ConfigError):
        select(pool[:3], pool, len(pool) + 1)
    with pytest.raises(ConfigError):
        select(pool[:3], pool, 2, method="best")
    with pytest.raises(ConfigError):
        select(pool[:3], pool, 2, weights={"colour": 1.0})


def test_random_subset_is_seeded() -> None:
    assert random_subset(50, 10, 1) == random_subset(50, 10, 1)
    assert random_subset(50, 10, 1) != random_subset(50, 10, 2)
    assert len(set(random_subset(50, 10, 3))) == 10 and max(random_subset(50, 50, 3)) == 49
    assert np.all(np.array(random_subset(50, 10, 4)) < 50)

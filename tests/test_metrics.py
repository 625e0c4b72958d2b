import math
from pathlib import Path

import pytest

from s2a.errors import PredictionMismatch
from s2a.evaluation.metrics import bleu, score
from s2a.formats.targets import similarity
from sample import SAMPLE

FIXTURES = SAMPLE
SRC = "C C ( = O ) Cl . C C O >> C C O C ( C ) = O"  # 2 precursors, 1 product


def test_similarity_is_one_minus_normalised_levenshtein() -> None:
    assert similarity("abcd", "abce") == 0.75
    assert similarity("", "") == 1.0
    assert similarity("abc", "") == 0.0
    assert similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)


def test_bleu_identical_and_brevity_penalty() -> None:
    assert bleu(["a b c d e"], ["a b c d e"]) == pytest.approx(1.0)
    # all n-gram precisions are 1, the candidate is 4 tokens for a 6-token reference
    assert bleu(["a b c d e f"], ["a b c d"]) == pytest.approx(math.exp(1 - 6 / 4))


def test_bleu_short_sequences_are_penalised() -> None:
    # nltk counts a 2-token sentence as 0 of 1 possible 3-grams and 4-grams: p3 = 2/3, p4 = 1/2
    assert bleu(["a b c d", "x y"], ["a b c d", "x y"]) == pytest.approx((2 / 3 * 1 / 2) ** 0.25)
    # only sequences shorter than 4 tokens: no 4-gram can match, BLEU ~ 0 although identical
    assert bleu(["a b c", "x y z"], ["a b c", "x y z"]) < 1e-10
    assert bleu([], []) == 0.0


def test_score_fractions_by_hand() -> None:
    truths = ["abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", "abcd"]
    preds = ["abcdefghij", "abcdefghiX", "abcdefgXYZ", "", "abcX"]  # similarities 1, .9, .7, 0, .75
    s = score(["A >> B"] * 5, truths, preds)
    assert s.n == 5
    assert s.exact == pytest.approx(1 / 5)
    assert s.at_least_90 == pytest.approx(2 / 5)
    assert s.at_least_75 == pytest.approx(3 / 5)  # 0.75 counts as >= 75 %
    assert s.at_least_50 == pytest.approx(4 / 5)
    assert s.mean_similarity == pytest.approx((1 + 0.9 + 0.7 + 0 + 0.75) / 5)
    assert s.validity == 0.0
    assert s.best_of_n_75 is None


def test_score_validity_and_best_of_n() -> None:
    truth = "ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; YIELD $-1$"
    other = "ADD $2$ ; ADD $1$ ; REFLUX for @3@ ; FILTER keep precipitate ; YIELD $-1$"
    s = score([SRC, SRC], [truth, truth], [truth, "ADD $1$ ; YIELD $-1$"], nbest=[[truth], ["ADD $1$", truth]])
    assert s.validity == 0.5
    assert s.best_of_n_75 == 1.0 and s.n_best == 2
    s = score([SRC], [truth], [other], nbest=[[other]])
    assert s.best_of_n_75 == 0.0
    assert s.validity == 1.0


def test_score_refuses_misaligned_predictions() -> None:
    with pytest.raises(PredictionMismatch) as e:
        score([SRC, SRC], ["a", "b"], ["a"])
    assert e.value.expected == 2 and e.value.got == 1

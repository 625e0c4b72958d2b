"""ChemActor's metric suite against values computed by hand on hand-made pairs."""
import math

import pytest

from s2a.errors import PredictionMismatch, UnknownTask
from s2a.evaluation.chemactor_metrics import (
    chemactor_scores,
    highest_precursor,
    loosely_valid,
    padded,
    padded_bleu,
    rouge,
)
from s2a.evaluation.metrics import bleu as smiles2actions_bleu

A = "ADD A ; STIR"  # 4 whitespace tokens: ADD, A, ;, STIR
B = "ADD A ; WAIT"


def test_padding_to_n_tokens() -> None:
    assert padded(["STIR"], 2) == ["STIR", ""]
    assert padded(["STIR"], 4) == ["STIR", "", "", ""]
    assert padded(["ADD", "A", ";", "STIR"], 2) == ["ADD", "A", ";", "STIR"]


def test_one_token_identical_pair_scores_100_with_padding_and_0_without() -> None:
    # 'STIR' -> ['STIR', '']: unigrams 2/2, bigram ('STIR', '') 1/1, lengths 2 = 2 (BP 1):
    # BLEU-2 = sqrt(1 * 1) = 1 -> 100. BLEU-4 pads to 4 tokens: every n-gram matches -> 100.
    assert padded_bleu(["STIR"], ["STIR"], 2) == pytest.approx(100.0)
    assert padded_bleu(["STIR"], ["STIR"], 4) == pytest.approx(100.0)
    # The Smiles2Actions BLEU (no padding) counts the missing 4-grams as 0 matches: ~0.
    assert smiles2actions_bleu(["STIR"], ["STIR"]) < 1e-50


def test_one_token_different_pair_is_about_0() -> None:
    # ['ADD', ''] vs ['STIR', '']: unigrams 1/2 (the pads match), bigrams 0/1 -> nltk's float floor.
    assert padded_bleu(["STIR"], ["ADD"], 2) == pytest.approx(0.0, abs=1e-100)


def test_bleu_of_one_pair_by_hand() -> None:
    # A vs B: unigrams 3/4; bigrams (ADD A) (A ;) match, (; WAIT) not: 2/3; BP 1.
    # BLEU-2 = sqrt(3/4 * 2/3) = sqrt(1/2) = 0.70711 -> 70.71
    assert padded_bleu([A], [B], 2) == pytest.approx(100 * math.sqrt(0.5))


def test_corpus_bleu_pools_counts_over_pairs() -> None:
    # Pairs (A, A) and (A, B). Matches / n-grams pooled over the corpus:
    # 1-grams (4 + 3) / 8 = 7/8; 2-grams (3 + 2) / 6 = 5/6; 3-grams (2 + 1) / 4 = 3/4; 4-grams (1 + 0) / 2 = 1/2
    # BLEU-2 = sqrt(7/8 * 5/6) = sqrt(35/48) = 0.853913 -> 85.39
    # BLEU-4 = (7/8 * 5/6 * 3/4 * 1/2) ** (1/4) = (105/384) ** 0.25 = 0.723127 -> 72.31
    refs, preds = [A, A], [A, B]
    assert padded_bleu(refs, preds, 2) == pytest.approx(100 * math.sqrt(35 / 48))
    assert padded_bleu(refs, preds, 4) == pytest.approx(100 * (105 / 384) ** 0.25)
    assert padded_bleu(refs, preds, 2) == pytest.approx(85.39, abs=0.01)
    assert padded_bleu(refs, preds, 4) == pytest.approx(72.31, abs=0.01)


def test_brevity_penalty() -> None:
    # 'ADD A' vs A: unigrams 2/2, bigrams 1/1, but c = 2 < r = 4: BP = exp(1 - 4/2) = e^-1 -> 36.79
    assert padded_bleu([A], ["ADD A"], 2) == pytest.approx(100 * math.exp(-1))


def test_rouge_by_hand() -> None:
    # rouge_score's tokens: lowercased [a-z0-9] runs, ';' dropped: [add, a, stir] vs [add, a, wait].
    # ROUGE-1: 2 common of 3 and 3 -> P = R = F = 2/3; ROUGE-2: bigrams (add a)(a stir) vs (add a)(a wait):
    # 1 of 2 -> F = 1/2; ROUGE-L: LCS 'add a' = 2 -> F = 2/3.
    r1, r2, rl = rouge([A], [B])
    assert (r1, r2, rl) == pytest.approx((200 / 3, 50.0, 200 / 3))
    # One word: no bigram on either side, so ROUGE-2 is 0 however identical.
    assert rouge(["NOACTION"], ["NOACTION"]) == pytest.approx((100.0, 0.0, 100.0))
    # The mean over pairs: identical pair (100, 100, 100) and the one above.
    assert rouge([A, A], [A, B]) == pytest.approx(((100 + 200 / 3) / 2, 75.0, (100 + 200 / 3) / 2))


def test_looser_validity() -> None:
    ref = "ADD $1$ ; ADD $2$ ; STIR ; YIELD $-1$"
    assert loosely_valid("ADD $2$ ; YIELD $-1$", ref)  # $1$ left out: still valid here
    assert loosely_valid("ADD $1$ ; YIELD $-2$", ref)  # products are not checked
    assert not loosely_valid("ADD $3$ ; YIELD $-1$", ref)  # beyond the reference's highest precursor
    assert not loosely_valid("FOO $1$", ref)  # does not parse
    assert not loosely_valid(B, A)  # nor does a WAIT without duration
    assert not loosely_valid("", ref)  # no answer
    assert loosely_valid("ADD water ; STIR", "ADD ethanol ; STIR")  # names, no tokens: parsing only
    assert highest_precursor(ref) == 2 and highest_precursor("YIELD $-1$") == 0


def test_suite_on_an_action_task_by_hand() -> None:
    refs = ["ADD $1$ ; STIR ; YIELD $-1$", "ADD A"]
    preds = ["ADD $1$ ; ADD $2$ ; YIELD $-1$", "ADD B"]
    s = chemactor_scores(refs, preds, "s2a")
    assert s.n == 2 and s.task == "s2a"
    # Levenshtein: pair 2 'ADD A' / 'ADD B' = 1 - 1/5 = 0.8 (>= 75, < 90);
    # pair 1: 'STIR' -> 'ADD $2$' (4 substitutions + 3 insertions = 7) over max(27, 30) = 30: 1 - 7/30 = 0.767 (>= 75).
    assert (s.exact, s.at_least_90, s.at_least_75, s.at_least_50) == (0.0, 0.0, 100.0, 100.0)
    # Validity: pair 1 names $2$ where the reference stops at $1$ -> invalid; pair 2 parses -> valid: 50.
    assert s.validity == pytest.approx(50.0)
    # Action types: truth {ADD, STIR, YIELD} + {ADD}, prediction {ADD x2, YIELD} + {ADD};
    # matched ADD 1 + YIELD 1 + ADD 1 = 3 of 4 predicted and 4 true: F1 = 2*3 / (4 + 4) = 0.75 -> 75.
    assert s.action_type_f1 == pytest.approx(75.0)


def test_exact_match_and_perfect_scores() -> None:
    other = "ADD B ; STIR"  # (B itself does not parse: WAIT needs a duration)
    s = chemactor_scores([A, other], [A, other], "d2a")
    assert (s.exact, s.at_least_50, s.validity, s.action_type_f1) == (100.0, 100.0, 100.0, 100.0)
    assert s.bleu2 == pytest.approx(100.0) and s.bleu4 == pytest.approx(100.0) and s.rouge_l == pytest.approx(100.0)


def test_text_task_has_no_validity_or_action_types() -> None:
    # 'the mixture was stirred' / '... heated': 1-grams 3/4, 2-grams 2/3 -> BLEU-2 = sqrt(1/2) -> 70.71;
    # ROUGE-1 F = 3/4 -> 75; ROUGE-2: 2 of 3 bigrams -> 66.67.
    s = chemactor_scores(["the mixture was stirred"], ["the mixture was heated"], "r2d")
    assert s.validity is None and s.action_type_f1 is None
    assert s.bleu2 == pytest.approx(100 * math.sqrt(0.5))
    assert (s.rouge1, s.rouge2) == pytest.approx((75.0, 200 / 3))


def test_mismatch_and_unknown_task_are_typed() -> None:
    with pytest.raises(PredictionMismatch):
        chemactor_scores([A, B], [A])
    with pytest.raises(UnknownTask) as e:
        chemactor_scores([A], [A], "d2x")
    assert e.value.name == "d2x"


def test_empty_corpus() -> None:
    s = chemactor_scores([], [], "a2d")
    assert s.n == 0 and s.bleu4 == 0.0 and s.rouge1 == 0.0 and s.exact == 0.0

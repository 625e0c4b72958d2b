import pytest

from s2a.evaluation.action_types import action_type_scores, type_counts


def test_type_counts() -> None:
    assert type_counts("ADD $1$ ; ADD $2$ ; STIR for @2@ ; YIELD $-1$") == {"ADD": 2, "STIR": 1, "YIELD": 1}
    assert type_counts("") == {}


def test_precision_recall_by_multiset_counts() -> None:
    truths = ["ADD $1$ ; ADD $2$ ; STIR for @2@ ; YIELD $-1$", "ADD $1$ ; FILTER keep filtrate ; YIELD $-1$"]
    preds = ["ADD $1$ ; STIR for @2@ ; STIR for @3@ ; YIELD $-1$", "ADD $2$ ; ADD $1$ ; ADD $3$ ; YIELD $-1$"]
    scores = {t.action_type: t for t in action_type_scores(truths, preds)}
    # ADD: truth 2 + 1, predicted 1 + 3, matched min(2,1) + min(1,3) = 2
    add = scores["ADD"]
    assert (add.in_truth, add.predicted, add.matched) == (3, 4, 2)
    assert add.precision == pytest.approx(2 / 4) and add.recall == pytest.approx(2 / 3)
    # STIR: truth 1, predicted 2, matched 1
    assert scores["STIR"].precision == pytest.approx(1 / 2) and scores["STIR"].recall == 1.0
    # FILTER never predicted: no precision, recall 0
    assert scores["FILTER"].precision is None and scores["FILTER"].recall == 0.0
    assert scores["YIELD"].precision == 1.0 and scores["YIELD"].recall == 1.0
    # most frequent in the truth first
    assert [t.action_type for t in action_type_scores(truths, preds)][0] == "ADD"


def test_type_only_predicted_has_no_recall() -> None:
    scores = {t.action_type: t for t in action_type_scores(["ADD $1$"], ["ADD $1$ ; DEGAS"])}
    assert scores["DEGAS"].recall is None and scores["DEGAS"].precision == 0.0

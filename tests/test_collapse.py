from s2a.evaluation.collapse import collapse

TRUTHS = [
    "ADD $1$ ; STIR for @2@ at #4# ; WASH with water ; CONCENTRATE ; YIELD $-1$",
    "ADD $1$ ; ADD $2$ ; REFLUX for @3@ ; FILTER keep precipitate ; YIELD $-1$",
    "ADD $2$ ; ADD $1$ ; STIR for @1@ at #3# ; EXTRACT with $3$ ; DRYSOLUTION over sodium sulfate ; YIELD $-1$",
]


def test_one_answer_for_everything_is_collapsed() -> None:
    c = collapse(TRUTHS, [TRUTHS[0]] * 3)
    assert c.distinct == 1 and abs(c.distinct_share - 1 / 3) < 1e-9
    # lengths 5, 5, 6 against 5, 5, 5: ½[⅔·log2(⅔/⅚) + ⅓·log2(⅓/⅙)] + ½·log2(1/⅚) = 0.1909
    assert abs(c.length_jsd - 0.1909) < 1e-3
    # every type of the other two truths, none of which the answer contains, each >= 1 % of the truth
    assert set(c.never_predicted) == {"REFLUX", "FILTER", "EXTRACT", "DRYSOLUTION"}


def test_the_truth_itself_is_not_collapsed() -> None:
    c = collapse(TRUTHS, TRUTHS)
    assert c.distinct == 3 and c.length_jsd == 0.0 and c.never_predicted == ()


def test_rare_types_below_the_share_are_not_listed() -> None:
    c = collapse(TRUTHS, [TRUTHS[0]] * 3, min_share=0.2)
    assert c.never_predicted == ()  # no type is 20 % of the 16 truth actions except ADD (5) / YIELD

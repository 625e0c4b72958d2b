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
    assert {t.action_type for t in c.zero_recall} == {"REFLUX", "FILTER", "EXTRACT", "DRYSOLUTION"}
    assert all(t.predicted == 0 for t in c.zero_recall)
    assert c.zero_recall_text().count("written") == 0


def test_the_truth_itself_is_not_collapsed() -> None:
    c = collapse(TRUTHS, TRUTHS)
    assert c.distinct == 3 and c.length_jsd == 0.0 and c.zero_recall == ()


def test_rare_types_below_the_share_are_not_listed() -> None:
    c = collapse(TRUTHS, [TRUTHS[0]] * 3, min_share=0.2)
    assert c.zero_recall == ()  # no type is 20 % of the 16 truth actions except ADD (5) / YIELD


def test_a_type_written_only_where_the_truth_lacks_it_has_recall_0() -> None:
    # each reaction gets another one's answer: WASH and CONCENTRATE (only the first truth has them)
    # are written twice, for the other two reactions, and never right; EXTRACT and DRYSOLUTION once,
    # for the first; REFLUX and FILTER never; STIR and ADD are matched.
    predictions = [TRUTHS[2], TRUTHS[0], TRUTHS[0]]
    c = collapse(TRUTHS, predictions)
    by = {t.action_type: t for t in c.zero_recall}
    assert set(by) == {"WASH", "CONCENTRATE", "EXTRACT", "DRYSOLUTION", "REFLUX", "FILTER"}
    # as frequent in the truth, so the most written come first
    assert [t.action_type for t in c.zero_recall] == ["CONCENTRATE", "WASH", "DRYSOLUTION", "EXTRACT", "FILTER", "REFLUX"]
    assert by["WASH"].predicted == 2 and by["WASH"].matched == 0 and by["REFLUX"].predicted == 0
    assert "WASH (written 2×)" in c.zero_recall_text() and c.zero_recall_text().endswith("(written 1×), FILTER, REFLUX")
    assert c.zero_recall_text() != "none" and collapse(TRUTHS, TRUTHS).zero_recall_text() == "none"

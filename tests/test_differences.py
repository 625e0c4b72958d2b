import pytest

from s2a.evaluation.differences import Difference, action_type, categorise, difference_counts

TRUTH = "ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; CONCENTRATE ; YIELD $-1$"


@pytest.mark.parametrize(
    "prediction, expected",
    [
        (TRUTH, Difference.EXACT),
        ("ADD  $1$ ;  ADD $2$ ; STIR for @2@ at #4# ; CONCENTRATE ; YIELD $-1$", Difference.EXACT),  # spacing
        ("ADD $2$ ; ADD $1$ ; STIR for @2@ at #4# ; CONCENTRATE ; YIELD $-1$", Difference.ORDER),
        ("ADD $1$ ; ADD $2$ ; STIR for @3@ at #5# ; CONCENTRATE ; YIELD $-1$", Difference.PROPERTIES),
        # two properties in two actions: still only properties
        ("ADD $2$ ; ADD $2$ ; STIR for @3@ at #4# ; CONCENTRATE ; YIELD $-1$", Difference.PROPERTIES),
        ("ADD $1$ ; ADD $2$ ; REFLUX for @2@ ; CONCENTRATE ; YIELD $-1$", Difference.SWAPPED),
        ("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; YIELD $-1$", Difference.MISSING_OR_EXTRA),
        ("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; FILTER keep filtrate ; CONCENTRATE ; YIELD $-1$",
         Difference.MISSING_OR_EXTRA),
        # one swapped action plus a property change elsewhere
        ("ADD $1$ ; ADD $2$ ; REFLUX for @2@ ; CONCENTRATE ; YIELD $-2$", Difference.SEVERAL),
        # one extra action plus a property change
        ("ADD $1$ ; ADD $2$ ; STIR for @3@ at #4# ; PURIFY ; CONCENTRATE ; YIELD $-1$", Difference.SEVERAL),
        # two actions missing
        ("ADD $1$ ; ADD $2$ ; YIELD $-1$", Difference.SEVERAL),
        ("", Difference.SEVERAL),
    ],
)
def test_categories(prediction: str, expected: Difference) -> None:
    assert categorise(TRUTH, prediction) is expected


def test_order_wins_over_properties() -> None:
    # same multiset, reordered within equal types: the actions are the same, only the order differs
    assert categorise("ADD $1$ ; ADD $2$ ; YIELD $-1$", "ADD $2$ ; ADD $1$ ; YIELD $-1$") is Difference.ORDER


def test_action_type_is_the_first_word() -> None:
    assert action_type("STIR for @2@ at #4#") == "STIR"
    assert action_type("CONCENTRATE") == "CONCENTRATE"


def test_counts_cover_every_category_in_table_order() -> None:
    truths = [TRUTH, TRUTH, TRUTH]
    preds = [TRUTH, "ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; YIELD $-1$", TRUTH]
    counts = difference_counts(truths, preds)
    assert list(counts) == list(Difference)
    assert counts[Difference.EXACT] == 2
    assert counts[Difference.MISSING_OR_EXTRA] == 1
    assert sum(counts.values()) == 3

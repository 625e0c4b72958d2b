import pytest

from s2a.errors import InvalidReaction
from s2a.formats.targets import completed, is_valid, is_valid_for, parses, positional_tokens, reaction_counts, required_positions
from sample import SAMPLE

FIXTURES = SAMPLE
SRC = "C C ( = O ) Cl . C C O >> C C O C ( C ) = O"  # 2 precursors, 1 product


def test_positional_tokens() -> None:
    assert positional_tokens("ADD $1$ ; MAKESOLUTION with $12$ and $2$ ; YIELD $-1$") == {1, 12, 2, -1}
    assert positional_tokens("CONCENTRATE") == set()


def test_counts_need_both_sides() -> None:
    with pytest.raises(InvalidReaction):
        reaction_counts("C C O . C Cl")
    with pytest.raises(InvalidReaction):
        reaction_counts("C C O >>")


def test_counts_compounds_not_fragments() -> None:
    assert reaction_counts(SRC) == (2, 1)
    assert reaction_counts("O = C ( [O-] ) [O-] ~ [K+] ~ [K+] . C O >> C O . O") == (2, 2)
    assert required_positions(SRC) == {1, 2, -1}


def test_valid_needs_every_compound_and_nothing_else() -> None:
    assert is_valid("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; YIELD $-1$", SRC)
    # $2$ missing: the second precursor is never used
    assert not is_valid("ADD $1$ ; STIR for @2@ at #4# ; YIELD $-1$", SRC)
    # the product is never named
    assert not is_valid("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4#", SRC)
    # $3$ does not exist in a two-precursor reaction
    assert not is_valid("ADD $1$ ; ADD $2$ ; ADD $3$ ; YIELD $-1$", SRC)
    assert not is_valid("", SRC)


def test_valid_needs_parsable_actions() -> None:
    assert parses("ADD $1$ ; COLLECTLAYER organic ; YIELD $-1$")
    assert not parses("ADD $1$ ; SHAKE vigorously ; YIELD $-1$")  # no such action
    assert not parses("ADD $1$ ; COLLECTLAYER purple ; YIELD $-1$")  # layer must be aqueous/organic
    assert not is_valid("ADD $1$ ; ADD $2$ ; SHAKE vigorously ; YIELD $-1$", SRC)


def test_every_gold_sequence_of_the_sample_is_valid() -> None:
    src = (FIXTURES / "src-train.txt").read_text().splitlines()
    tgt = (FIXTURES / "tgt-train.txt").read_text().splitlines()
    assert all(is_valid(t, s) for s, t in zip(src, tgt))


def test_completed_adds_missing_precursors_after_the_last_add_and_drops_unknown_molecules() -> None:
    tgt = "ADD $1$ ; STIR for @2@ ; ADD $5$ ; ADD $2$ ; FILTER keep filtrate ; CONCENTRATE"
    out = completed(tgt, (3, 2))
    assert out == "ADD $1$ ; STIR for @2@ ; ADD $2$ ; ADD $3$ ; FILTER keep filtrate ; CONCENTRATE ; YIELD $-1$ ; YIELD $-2$"
    assert is_valid_for(out, (3, 2))
    assert completed("STIR for @2@", (1, 1)) == "ADD $1$ ; STIR for @2@ ; YIELD $-1$"
    valid = "ADD $1$ ; ADD $2$ ; YIELD $-1$"
    assert completed(valid, (2, 1)) == valid

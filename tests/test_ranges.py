import pytest

from preprocessing.ranges import COMPOUND_TOKEN, DURATION, PH, TEMPERATURE, RangeTable, precursor_token, product_token

EPS = 1e-6


@pytest.mark.parametrize(
    "edge, below, above",
    [(-50, "#1#", "#2#"), (-10, "#2#", "#3#"), (10, "#3#", "#4#"), (40, "#4#", "#5#"), (80, "#5#", "#6#")],
)
def test_temperature_edges_below_at_above(edge: float, below: str, above: str) -> None:
    assert TEMPERATURE.token(edge - EPS) == below
    assert TEMPERATURE.token(edge) == above  # a value on an edge goes to the bin above
    assert TEMPERATURE.token(edge + EPS) == above


@pytest.mark.parametrize(
    "edge_h, below, above",
    [(0.5, "@1@", "@2@"), (3, "@2@", "@3@"), (10, "@3@", "@4@"), (50, "@4@", "@5@")],
)
def test_duration_edges_below_at_above(edge_h: float, below: str, above: str) -> None:
    assert DURATION.token(edge_h - EPS) == below
    assert DURATION.token(edge_h) == above
    assert DURATION.token(edge_h + EPS) == above


@pytest.mark.parametrize("edge, below, above", [(6.5, "acidic", "neutral"), (7.5, "neutral", "basic")])
def test_ph_edges_below_at_above(edge: float, below: str, above: str) -> None:
    assert PH.token(edge - EPS) == below
    assert PH.token(edge) == above
    assert PH.token(edge + EPS) == above


def test_extremes_and_typical_values() -> None:
    assert TEMPERATURE.token(-196) == "#1#"
    assert TEMPERATURE.token(25) == "#4#"  # room temperature
    assert TEMPERATURE.token(0) == "#3#"
    assert TEMPERATURE.token(250) == "#6#"
    assert DURATION.token(0) == "@1@"
    assert DURATION.token(16) == "@4@"  # overnight
    assert DURATION.token(24 * 30) == "@5@"
    assert PH.token(0) == "acidic" and PH.token(14) == "basic" and PH.token(7) == "neutral"


def test_tables_have_one_more_token_than_edges() -> None:
    for table in (TEMPERATURE, DURATION, PH):
        assert len(table.tokens) == len(table.edges) + 1
        assert all(table.is_token(t) for t in table.tokens)
    assert not TEMPERATURE.is_token("25 °C")


def test_bad_tables_are_rejected() -> None:
    with pytest.raises(ValueError):
        RangeTable("x", "", (1.0, 2.0), ("a", "b"))
    with pytest.raises(ValueError):
        RangeTable("x", "", (2.0, 1.0), ("a", "b", "c"))


def test_compound_tokens() -> None:
    assert precursor_token(0) == "$1$" and product_token(1) == "$-2$"
    assert COMPOUND_TOKEN.match("$12$") and COMPOUND_TOKEN.match("$-1$")
    assert not COMPOUND_TOKEN.match("$0$") and not COMPOUND_TOKEN.match("$a$")

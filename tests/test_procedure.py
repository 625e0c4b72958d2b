from s2a.procedure import (
    RangeValues,
    default_range_values,
    render_action,
    render_procedure,
    render_steps,
)

PRE = ["CC(=O)Cl", "CCO"]
POST = ["CCOC(C)=O"]


def test_default_values_are_the_documented_ones() -> None:
    v = default_range_values()
    assert [v.temperatures[k] for k in range(1, 7)] == ["-70 °C", "-30 °C", "0 °C", "25 °C", "60 °C", "100 °C"]
    assert [v.durations[k] for k in range(1, 6)] == ["10 min", "1 h", "8 h", "1 day", "7 days"]


def test_names_replace_positions_smiles_otherwise() -> None:
    steps = render_steps("ADD $2$ ; ADD $1$ at #3# ; STIR for @2@ at #4# ; YIELD $-1$", PRE, POST, {"CCO": "ethanol"})
    assert steps == ["Add ethanol", "Add CC(=O)Cl at 0 °C", "Stir for 1 h at 25 °C", "Yield CCOC(C)=O"]


def test_action_words_and_solution() -> None:
    assert render_action("DRYSOLUTION over sodium sulfate", PRE, POST) == "Dry solution over sodium sulfate"
    assert render_action("MAKESOLUTION with $1$ and $2$", PRE, POST) == "Make solution with CC(=O)Cl and CCO"
    assert render_action("ADD SLN dropwise", PRE, POST) == "Add the solution dropwise"
    assert render_action("PH with $1$ to pH 7", PRE, POST) == "Adjust pH with CC(=O)Cl to pH 7"


def test_out_of_range_tokens_stay_visible() -> None:
    assert render_action("ADD $3$ at #9#", PRE, POST) == "Add [unknown $3$] at #9#"
    assert render_action("YIELD $-2$", PRE, POST) == "Yield [unknown $-2$]"


def test_a_name_holding_token_text_is_not_substituted_again() -> None:
    values = RangeValues(temperatures={4: "rt"}, durations={})
    assert render_action("ADD $1$ at #4#", ["weird $2$ name"], POST, values) == "Add weird $2$ name at rt"


def test_numbered_procedure() -> None:
    text = render_procedure("ADD $1$ ; ADD $2$ ; CONCENTRATE", PRE, POST, {"CC(=O)Cl": "acetyl chloride"})
    assert text.splitlines() == ["1. Add acetyl chloride.", "2. Add CCO.", "3. Concentrate."]

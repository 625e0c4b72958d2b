"""The `text` action source through the whole standardisation, on hand-made paragraphs: each
filter reason, and odd procedures that must give a reason, never a crash."""
from typing import Callable, Optional

import pytest
from paragraph2actions.actions import Action, Add, Chemical, Concentrate

from preprocessing.action_sources import FirstAvailable, GivenActions, TextActions, action_source
from preprocessing.common_reagents import CommonReagents
from preprocessing.reasons import Dropped, Reason
from preprocessing.standardise import standardise_record
from s2a.errors import UnknownActionSource, UserError
from s2a.formats.records import Record
from benzoylation import BZCL, DCM, ETOH, NAMES, NET3, SMILES


GOOD = (
    "To a solution of benzoyl chloride (1.4 g, 10 mmol) in dichloromethane (20 ml) were added ethanol (0.6 g) "
    "and triethylamine (1.5 g) at 0° C. The mixture was stirred at room temperature for 2 hours. The solvent was "
    "evaporated and the residue was purified by chromatography on silica gel to give ethyl benzoate (1.2 g, 80%) "
    "as a colourless oil."
)


@pytest.fixture(scope="module")
def reagents() -> CommonReagents:
    return CommonReagents.load()


@pytest.fixture(scope="module")
def text() -> TextActions:
    return TextActions()


def standardised(procedure: str, reagents: CommonReagents, source: Optional[TextActions] = None) -> list[str]:
    record = Record(id="t", reaction_smiles=SMILES, names=NAMES, procedure=procedure)
    return standardise_record(record, action_source("text") if source is None else source, reagents).actions


def reason(procedure: str, reagents: CommonReagents) -> tuple[Reason, str]:
    with pytest.raises(Dropped) as e:
        standardised(procedure, reagents)
    return e.value.reason, e.value.detail


def test_a_clean_paragraph_is_kept_in_the_paper_format(reagents: CommonReagents) -> None:
    # Leading MAKESOLUTION -> ADDs, quantities removed, conditions binned, YIELD -> the product.
    assert standardised(GOOD, reagents) == [
        f"ADD {BZCL}", f"ADD {DCM}", f"ADD {ETOH} at #3#", f"ADD {NET3} at #3#",
        "STIR for @2@ at #4#", "CONCENTRATE", "PURIFY", "YIELD $-1$",
    ]


def test_yield_of_a_generic_name_is_the_product(reagents: CommonReagents) -> None:
    actions = standardised(GOOD.replace("to give ethyl benzoate (1.2 g, 80%) as a colourless oil", "to give the title compound"), reagents)
    assert actions[-1] == "YIELD $-1$"


@pytest.mark.parametrize(
    "procedure, expected",
    [
        ("The title compound was prepared as described in Example 1 from benzoyl chloride and ethanol.",
         Reason.FOLLOW_OTHER_PROCEDURE),
        ("Man löste 10 g Benzoylchlorid in 50 ml Ethanol und rührte 2 Stunden bei Raumtemperatur.", Reason.OTHER_LANGUAGE),
        ("中文的实验步骤：加入乙醇，搅拌两小时。", Reason.OTHER_LANGUAGE),
        ("a" * 100_000, Reason.INVALID_ACTION),  # one 100 kB word
        ("Ethanol was added. The mixture was stirred for 2 h.", Reason.TOO_FEW_ACTIONS),
        (GOOD + " Ethyl benzoate was dissolved in ethanol and triethylamine was added. The mixture was stirred "
         "for 3 hours.", Reason.MULTI_STEP),
        (GOOD.replace("for 2 hours", "for a few minutes"), Reason.UNREADABLE_CONDITION),
        (GOOD.replace("ethanol (0.6 g)", "unobtainium (0.6 g)").replace("triethylamine (1.5 g)", "frobnium (1.5 g)"),
         Reason.UNMAPPED_COMPOUND),
        ("", Reason.NO_ACTIONS),
        ("   \n ", Reason.NO_ACTIONS),
    ],
)
def test_each_filter_reason_on_a_paragraph(reagents: CommonReagents, procedure: str, expected: Reason) -> None:
    assert reason(procedure, reagents)[0] is expected


def test_the_paper_filters_fire_on_text_actions(reagents: CommonReagents) -> None:
    # WAIT merged into the STIR before it; 'same temperature' resolved; WASH repetitions, atmospheres
    # and quantities removed; DRYSOLID keeps vacuum.
    paragraph = (
        "Benzoyl chloride (1.4 g) was added to a solution of ethanol (0.6 g) and triethylamine (1.5 g) in "
        "dichloromethane (20 ml) under nitrogen. The mixture was stirred at 25° C. and then allowed to stand for "
        "1 h. It was stirred at the same temperature for 3 days. The organic layer was washed three times with "
        "water, dried over sodium sulfate and concentrated. The solid was dried in vacuo to give ethyl benzoate."
    )
    actions = standardised(paragraph, reagents)
    assert actions[4:6] == ["STIR for @2@ at #4#", "STIR for @5@ at #4#"]  # 3 days: the 1-7 day bin
    assert not any("WAIT" in a or "nitrogen" in a or "three" in a or " g)" in a for a in actions)
    assert actions[-4:] == ["DRYSOLUTION over sodium sulfate", "CONCENTRATE", "DRYSOLID under vacuum", "YIELD $-1$"]
    assert "WASH with water" in actions


def test_noaction_removed_and_filter_phase_inferred(reagents: CommonReagents, text: TextActions) -> None:
    paragraph = GOOD.replace("The solvent was evaporated", "The mixture was filtered. The filtrate was concentrated") + (
        " The compound is useful as an herbicide.")
    raw = text.actions(Record(id="r", reaction_smiles=SMILES, procedure=paragraph))
    assert any(type(a).__name__ == "NoAction" for a in raw)
    assert any(type(a).__name__ == "Filter" and a.phase_to_keep is None for a in raw)  # type: ignore[attr-defined]
    actions = standardised(paragraph, reagents)
    assert "FILTER keep filtrate" in actions and not any(a.startswith("NOACTION") for a in actions)


@pytest.mark.parametrize(
    "procedure",
    [
        "☃️ 😀 \u0000 \u202e ﬁ ½ °C",
        "\ufeff" + GOOD.replace("°", "º"),
        ("Ethanol (5 ml) was added and the mixture was stirred for 2 h at 25° C. " * 1400)[:100_000],
        "(" * 50_000 + "x" + ")" * 50_000,
        "Ajouter l'éthanol goutte à goutte, puis agiter pendant deux heures à température ambiante.",
    ],
)
def test_odd_procedures_give_a_reason_never_a_crash(reagents: CommonReagents, procedure: str) -> None:
    try:
        standardised(procedure, reagents)
    except Dropped as d:
        assert isinstance(d.reason, Reason)


def test_source_choice_given_first_then_the_named_source() -> None:
    calls: list[str] = []

    def fake(paragraph: str) -> list[Action]:
        calls.append(paragraph)
        return [Add(Chemical("ethanol")), Concentrate()]

    source = FirstAvailable([GivenActions(), TextActions(fake)])
    given = Record(id="g", reaction_smiles="C>>C", procedure="ignored", actions=["CONCENTRATE"])
    assert source.actions(given) == [Concentrate()] and calls == []
    assert source.actions(Record(id="p", reaction_smiles="C>>C", procedure="Ethanol was added.")) == [
        Add(Chemical("ethanol")), Concentrate()]
    with pytest.raises(Dropped) as e:  # neither actions nor procedure
        source.actions(Record(id="n", reaction_smiles="C>>C"))
    assert e.value.reason is Reason.NO_ACTIONS
    empty: Callable[[str], list[Action]] = lambda paragraph: []
    with pytest.raises(Dropped) as e:
        TextActions(empty).actions(Record(id="e", reaction_smiles="C>>C", procedure="Nothing happened."))
    assert e.value.reason is Reason.NO_ACTIONS


def test_ord_choice_does_not_read_the_text() -> None:
    source = action_source("ord")
    with pytest.raises(Dropped) as e:
        source.actions(Record(id="p", reaction_smiles="C>>C", procedure=GOOD))
    assert e.value.reason is Reason.NO_ACTIONS


def test_unknown_source_is_a_typed_user_error() -> None:
    with pytest.raises(UnknownActionSource) as e:
        action_source("paragraph2actions")
    assert isinstance(e.value, UserError) and e.value.name == "paragraph2actions"
    assert "'paragraph2actions'" in str(e.value) and "ord, text" in str(e.value)

"""Rule-based procedure text -> actions: one literal patent-style sentence per action type and property."""
from __future__ import annotations

import pytest
from paragraph2actions.actions import Add, Chemical, InvalidAction, NoAction, OtherLanguage

from preprocessing.text_actions import paragraph_actions, readable, sentence_actions


def r(sentence: str) -> str:
    return readable(sentence_actions(sentence))


CASES = [
    # ADD: quantities after the name, before it with "of", dropwise, temperature, duration, atmosphere
    ("Benzyl bromide (5.2 g, 30.4 mmol) was added.", "ADD Benzyl bromide (5.2 g, 30.4 mmol)."),
    ("12.5 ml (25 mmol) of a 2 M solution of lithium diisopropylamide in THF were added.",
     "ADD 2 M solution of lithium diisopropylamide in THF (12.5 ml, 25 mmol)."),
    ("Acetyl chloride (1.2 mL) was added dropwise at 0 °C.", "ADD Acetyl chloride (1.2 mL) dropwise at 0 °C."),
    ("Sodium hydride (0.40 g) was added in portions over 15 minutes under nitrogen.",
     "ADD Sodium hydride (0.40 g) under nitrogen over 15 minutes."),
    ("Water (20 ml) and ethyl acetate (30 ml) were added.", "ADD Water (20 ml); ADD ethyl acetate (30 ml)."),
    ("The mixture was diluted with dichloromethane (50 mL).", "ADD dichloromethane (50 mL)."),
    ("The reaction mixture was poured into ice water.", "ADD ice water."),
    ("4-Chloro-2-(3,4-dimethoxyphenyl)-1H-imidazole (1.0 g, 4.2 mmol) was dissolved in methanol (15 ml).",
     "ADD 4-Chloro-2-(3,4-dimethoxyphenyl)-1H-imidazole (1.0 g, 4.2 mmol); ADD methanol (15 ml)."),
    ("Triethylamine (2.1 g) was added to toluene (40 ml).", "ADD toluene (40 ml); ADD Triethylamine (2.1 g)."),
    # MAKESOLUTION / ADD SLN
    ("To a solution of 2-bromopyridine (3.0 g) in THF (30 mL) was added n-butyllithium (7.5 mL) at -78 °C.",
     "MAKESOLUTION with 2-bromopyridine (3.0 g) and THF (30 mL); ADD SLN; ADD n-butyllithium (7.5 mL) at -78 °C."),
    ("A solution of 1.5 g of phenol in 10 ml of acetone was added dropwise.",
     "MAKESOLUTION with phenol (1.5 g) and acetone (10 ml); ADD SLN dropwise."),
    ("Potassium carbonate (2.0 g) was added to a stirred solution of 4-nitrophenol (1.39 g) in DMF (10 ml).",
     "MAKESOLUTION with 4-nitrophenol (1.39 g) and DMF (10 ml); ADD SLN; ADD Potassium carbonate (2.0 g)."),
    # STIR / REFLUX / SETTEMPERATURE / WAIT
    ("The mixture was stirred at room temperature for 3 hours.", "STIR for 3 hours at room temperature."),
    ("The suspension was stirred overnight under an argon atmosphere.", "STIR for overnight under argon."),
    ("The reaction mixture was heated under reflux for 6 h.", "REFLUX for 6 h."),
    ("The solution was cooled to -10° C.", "SETTEMPERATURE -10° C."),
    ("The mixture was allowed to warm to room temperature.", "SETTEMPERATURE room temperature."),
    ("The flask was cooled in an ice bath.", "SETTEMPERATURE 0 °C."),
    ("The mixture was heated to 80 °C and stirred for 2 hours.", "STIR for 2 hours at 80 °C."),
    ("The solution was left to stand at 4 °C for two days.", "WAIT for two days at 4 °C."),
    ("The mixture was stirred for 30 min at 0 °C and then for 1 h at 25 °C.",
     "STIR for 30 min at 0 °C; STIR for 1 h at 25 °C."),
    # QUENCH / EXTRACT / WASH / COLLECTLAYER / PHASESEPARATION / PARTITION
    ("The reaction was quenched with saturated aqueous ammonium chloride.",
     "QUENCH with saturated aqueous ammonium chloride."),
    ("The mixture was extracted with ethyl acetate (3×40 ml).", "EXTRACT with ethyl acetate (40 ml) 3 x."),
    ("The aqueous phase was extracted twice with diethyl ether.",
     "COLLECTLAYER aqueous; EXTRACT with diethyl ether 2 x."),
    ("The combined organic extracts were washed with water and brine.",
     "COLLECTLAYER organic; WASH with water; WASH with brine."),
    ("The layers were separated.", "PHASESEPARATION."),
    ("The residue was partitioned between ethyl acetate and water.", "PARTITION with ethyl acetate and water."),
    # DRYSOLUTION / FILTER / CONCENTRATE / DRYSOLID
    ("The organic layer was dried over anhydrous sodium sulfate, filtered and concentrated under reduced pressure.",
     "COLLECTLAYER organic; DRYSOLUTION over anhydrous sodium sulfate; FILTER keep filtrate; CONCENTRATE."),
    ("The precipitate was collected by filtration, washed with cold ethanol and dried in vacuo.",
     "FILTER keep precipitate; WASH with cold ethanol; DRYSOLID under vacuum."),
    ("The solvent was evaporated.", "CONCENTRATE."),
    # PURIFY / RECRYSTALLIZE / TRITURATE / YIELD
    ("The crude product was purified by flash chromatography on silica gel (hexane/ethyl acetate 4:1).", "PURIFY."),
    ("The solid was recrystallised from ethanol.", "RECRYSTALLIZE from ethanol."),
    ("The residue was triturated with diethyl ether.", "TRITURATE with diethyl ether."),
    ("Evaporation of the solvent gave 3-methoxybenzamide (1.8 g, 92%) as a white solid.",
     "CONCENTRATE; YIELD 3-methoxybenzamide (1.8 g, 92%)."),
    ("The title compound was obtained as a colourless oil (0.52 g).", "YIELD title compound (0.52 g)."),
    # PH
    ("The aqueous solution was acidified to pH 2 with 6N hydrochloric acid.",
     "PH with 6N hydrochloric acid to pH 2."),
    ("The mixture was neutralized with saturated sodium bicarbonate solution.",
     "PH with saturated sodium bicarbonate solution to pH neutral."),
    ("The pH was adjusted to 8 by addition of 1 M sodium hydroxide.", "PH with 1 M sodium hydroxide to pH 8."),
    # DEGAS / SONICATE / MICROWAVE
    ("The solution was degassed with argon for 10 minutes.", "DEGAS with argon for 10 minutes."),
    ("The suspension was sonicated for 5 min.", "SONICATE for 5 min."),
    ("The vial was sealed and heated in a microwave reactor at 150 °C for 20 min.",
     "MICROWAVE for 20 min at 150 °C."),
    # whole-sentence labels
    ("The title compound was prepared in a manner analogous to Example 4 from 3-bromoaniline.",
     "FOLLOWOTHERPROCEDURE."),
    ("Following the general procedure of Method B, the amide was obtained in 71% yield.", "FOLLOWOTHERPROCEDURE."),
    ("1H NMR (400 MHz, CDCl3) δ 7.26 (s, 1H), 3.91 (s, 3H).", "NOACTION."),
    ("The purity was determined by HPLC.", "NOACTION."),
    ("Die Mischung wurde 2 Stunden bei Raumtemperatur gerührt und dann mit Wasser versetzt.", "OTHERLANGUAGE."),
    ("混合物を室温で2時間撹拌した。", "OTHERLANGUAGE."),
    ("The residue was lyophilized to give a white powder.", "INVALIDACTION."),
]


@pytest.mark.parametrize("sentence,expected", CASES)
def test_sentence(sentence: str, expected: str) -> None:
    assert r(sentence) == expected


def test_paragraph_concatenates_sentences_in_order() -> None:
    paragraph = (
        "To a solution of aniline (0.93 g) in DCM (10 ml) was added acetic anhydride (1.1 ml). "
        "The mixture was stirred for 2 h. The solvent was removed in vacuo."
    )
    assert readable(paragraph_actions(paragraph)) == (
        "MAKESOLUTION with aniline (0.93 g) and DCM (10 ml); ADD SLN; ADD acetic anhydride (1.1 ml); "
        "STIR for 2 h; CONCENTRATE."
    )


def test_actions_are_paragraph2actions_objects() -> None:
    actions = sentence_actions("Sodium azide (0.65 g, 10 mmol) was added.")
    assert actions == [Add(Chemical("sodium azide".capitalize(), quantity=["0.65 g", "10 mmol"]))]


def test_readable_invalid_action_has_no_trailing_space() -> None:
    assert readable([InvalidAction()]) == "INVALIDACTION."
    assert readable([NoAction(), OtherLanguage()]) == "NOACTION; OTHERLANGUAGE."


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t", ".", "(((", "))) ]]", "°C ° µ ‰ ∞ ☃", "\u200b\u200c", "a" * 100_000,
     "The mixture was stirred. " * 4000, "x (" * 3000, "¿Qué? ¡Sí!", "\x00\x01\x02"],
)
def test_never_raises(text: str) -> None:
    for actions in (sentence_actions(text), paragraph_actions(text)):
        assert isinstance(actions, list)
        readable(actions)


def test_empty_gives_no_actions() -> None:
    assert sentence_actions("") == [] and paragraph_actions("  ") == []


def test_very_long_paragraph_is_processed_sentence_by_sentence() -> None:
    actions = paragraph_actions("The mixture was stirred for 1 h. " * 2000)
    assert len(actions) == 2000 and readable(actions[:1]) == "STIR for 1 h."


OLD_STYLE_AND_SOLUTIONS = [
    ("A mixture of 12.5 g. (53 mmoles) of 4-nitroaniline and 8.7 g. of acetic anhydride in 40 ml. of dioxane was "
     "heated at 70° C. for 15 hours.",
     "MAKESOLUTION with 4-nitroaniline (12.5 g, 53 mmoles) and acetic anhydride (8.7 g) and dioxane (40 ml); ADD SLN; "
     "STIR for 15 hours at 70° C."),
    ("956 mg (5.0 mmol) of 2-chloroquinoline dissolved in 5 mL of toluene was added dropwise to the above solution.",
     "MAKESOLUTION with 2-chloroquinoline (956 mg, 5.0 mmol) and toluene (5 mL); ADD SLN dropwise."),
    ("Ethyl bromoacetate (5.0 g) in THF (10 ml) was added to the suspension over 20 minutes.",
     "MAKESOLUTION with Ethyl bromoacetate (5.0 g) and THF (10 ml); ADD SLN over 20 minutes."),
    ("The residue was treated with a solution of sodium methoxide (1.1 g) in methanol (20 ml).",
     "MAKESOLUTION with sodium methoxide (1.1 g) and methanol (20 ml); ADD SLN."),
    ("Recrystallisation from ethanol gave 2.1 g. (64% of theory) of the pure amide, m.p. 141°-143° C.",
     "RECRYSTALLIZE from ethanol; YIELD pure amide (2.1 g, 64%)."),
    ("The crystals were collected, washed with cold methanol and air dried.",
     "FILTER keep precipitate; WASH with cold methanol; DRYSOLID under air."),
    ("After completion of the addition, the mixture was stirred for 1 h at 50 °C.", "STIR for 1 h at 50 °C."),
    ("The catalyst was removed by filtration through Celite and the filtrate concentrated.",
     "FILTER keep filtrate; CONCENTRATE."),
    ("The solvent was distilled off and the residual oil was distilled under reduced pressure.", "CONCENTRATE; PURIFY."),
    ("The flask was evacuated and backfilled with argon three times.", "DEGAS with argon."),
    ("Hydrogen chloride gas was bubbled through the solution for 15 minutes.", "ADD Hydrogen chloride gas."),
    ("The reaction was cooled to 0 °C and quenched by the slow addition of water (1 mL), 15% NaOH (1 mL) and water (3 mL).",
     "SETTEMPERATURE 0 °C; QUENCH with water (1 mL); ADD 15% NaOH (1 mL); ADD water (3 mL)."),
    ("2-Methylbenzoic acid, methyl ester (3.0 g) and 1,2-dibromoethane (2 ml) were added.",
     "ADD 2-Methylbenzoic acid, methyl ester (3.0 g); ADD 1,2-dibromoethane (2 ml)."),
]


@pytest.mark.parametrize("sentence,expected", OLD_STYLE_AND_SOLUTIONS)
def test_old_style_and_solutions(sentence: str, expected: str) -> None:
    assert r(sentence) == expected


def test_bracketed_temperature_and_solid_subject_carry_over() -> None:
    assert r("To a cooled (0 °C) solution of the amine (1 g) in DCM (5 ml) was added TEA (1 ml).") == (
        "MAKESOLUTION with amine (1 g) and DCM (5 ml); ADD SLN; ADD TEA (1 ml) at 0 °C."
    )
    assert r("The solid was washed with water and dried.") == "WASH with water; DRYSOLID."
    assert r("The organic layer was washed with water and dried.") == (
        "COLLECTLAYER organic; WASH with water; DRYSOLUTION over unknown."
    )

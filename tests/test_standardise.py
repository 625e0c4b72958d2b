from pathlib import Path
from typing import Optional

import pytest
from paragraph2actions.readable_converter import ReadableConverter

from preprocessing.action_sources import GivenActions, action_source
from preprocessing.common_reagents import CommonReagents
from preprocessing.compounds import CompoundMapper
from preprocessing.ord_source import iter_ord_records
from preprocessing.ranges import COMPOUND_TOKEN, DURATION, TEMPERATURE
from preprocessing.reasons import Dropped, Reason
from preprocessing.standardise import Standardised, standardise_record
from s2a.formats.reaction import canonical_reaction
from s2a.formats.records import Record
from s2a.formats.tokenization import detokenize_actions, tokenize_actions

FIXTURE = Path(__file__).parent / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"

# Benzoylation of ethanol with benzoyl chloride / triethylamine in dichloromethane.
SMILES = "O=C(Cl)c1ccccc1.CCO.CCN(CC)CC.ClCCl>>CCOC(=O)c1ccccc1"
NAMES = [
    ("benzoyl chloride", "O=C(Cl)c1ccccc1"),
    ("triethylamine", "CCN(CC)CC"),
    ("methylene chloride", "ClCCl"),
    ("ethyl benzoate", "CCOC(=O)c1ccccc1"),
]
REACTION = canonical_reaction(SMILES)


def tok(smiles: str) -> str:
    """Expected token of a compound of REACTION, from its position in the canonical lists."""
    from s2a.formats.reaction import canonical_molecule

    c = canonical_molecule(smiles)
    if c in REACTION.products:
        return f"$-{REACTION.products.index(c) + 1}$"
    return f"${REACTION.precursors.index(c) + 1}$"


BZCL, ETOH, NET3, DCM, PRODUCT = (tok(s) for s in ("O=C(Cl)c1ccccc1", "CCO", "CCN(CC)CC", "ClCCl", "CCOC(=O)c1ccccc1"))


@pytest.fixture(scope="module")
def reagents() -> CommonReagents:
    return CommonReagents.load()


def run(actions: list[str], reagents: CommonReagents, smiles: str = SMILES, names: Optional[list] = None) -> Standardised:
    record = Record(id="t", reaction_smiles=smiles, names=NAMES if names is None else names, actions=actions)
    return standardise_record(record, GivenActions(), reagents)


def reason(actions: list[str], reagents: CommonReagents, smiles: str = SMILES) -> tuple[Reason, str]:
    with pytest.raises(Dropped) as e:
        run(actions, reagents, smiles)
    return e.value.reason, e.value.detail


FULL = [
    "MAKESOLUTION with benzoyl chloride (1.4 g, 10 mmol) and methylene chloride (10 mL)",
    "ADD SLN",
    "ADD Ethanol (5 mL)",
    "ADD NEt3 (1.5 mL) dropwise at 0 °C",
    "STIR at room temperature under nitrogen",
    "WAIT for 16 h",
    "QUENCH with saturated aqueous NaHCO3 solution",
    "EXTRACT with CH2Cl2 3 x",
    "WASH with brine 2 x",
    "DRYSOLUTION over anhydrous Na2SO4",
    "FILTER",
    "CONCENTRATE",
    "PURIFY",
    "YIELD ethyl benzoate (1.2 g, 80%)",
]


def test_full_sequence_as_in_the_paper(reagents: CommonReagents) -> None:
    result = run(FULL, reagents)
    assert result.reaction == REACTION
    assert result.actions == [
        f"ADD {BZCL}",  # leading MAKESOLUTION + ADD SLN -> ADDs of its components
        f"ADD {DCM}",
        f"ADD {ETOH}",  # listed name whose structure is a precursor -> its token
        f"ADD {NET3} dropwise at #3#",  # alias of a listed name, quantities removed
        "STIR for @4@ at #4#",  # WAIT merged into the STIR before it, atmosphere removed
        "QUENCH with sodium bicarbonate",  # not in the equation but on the list
        f"EXTRACT with {DCM}",  # repetitions removed
        "WASH with brine",
        "DRYSOLUTION over sodium sulfate",
        "FILTER keep filtrate",  # phase inferred from the next action
        "CONCENTRATE",
        "PURIFY",
        f"YIELD {PRODUCT}",
    ]


def test_output_round_trips_through_the_readable_converter(reagents: CommonReagents) -> None:
    result = run(FULL, reagents)
    line = tokenize_actions(result.actions)
    converter = ReadableConverter(separator=" ; ", end_mark="")
    assert converter.actions_to_string(converter.string_to_actions(line)) == line
    assert detokenize_actions(line) == result.actions
    # Standardising the standardised output again changes nothing (tokens are accepted as they are).
    assert run(result.actions, reagents, smiles=REACTION.smiles, names=[]).actions == result.actions


@pytest.mark.parametrize(
    "name, expected",
    [
        ("benzoyl chloride", BZCL),  # the record's own name
        ("Benzoyl-Chloride", BZCL),  # normalised name
        ("benzoyl chl0ride", BZCL),  # OCR look-alike
        ("benzoyl chloride solution", BZCL),  # simplified name
        ("c1ccccc1C(Cl)=O", BZCL),  # given as (non-canonical) SMILES
        ("Methylene  chloride", DCM),
        ("ethyl benzoate", PRODUCT),  # products
        ("CCOC(=O)c1ccccc1", PRODUCT),
        ("$2$", "$2$"),  # already a token
        ("SLN", "SLN"),
        ("water", "water"),  # listed, not in the equation
        ("ice-water", "ice water"),
        ("ethyl acetate/hexane", "ethyl acetate / hexane"),
        ("saturated NaCl", "sodium chloride"),
        ("NaHCO3 aq.", "sodium bicarbonate"),
        (f"{BZCL} / carbon", f"{BZCL} / carbon"),  # a mixture of a precursor and a listed name
        ("benzoyl chloride/Et3N", f"{BZCL} / {NET3}"),
    ],
)
def test_compound_mapping(reagents: CommonReagents, name: str, expected: str) -> None:
    assert CompoundMapper(REACTION, NAMES, reagents).map(name) == expected


def test_greek_letters_and_structures_from_record_names(reagents: CommonReagents) -> None:
    reaction = canonical_reaction("CC(N)c1ccccc1.O=C(Cl)c1ccccc1>>CC(NC(=O)c1ccccc1)c1ccccc1")
    names = [("α-methylbenzylamine", "CC(N)c1ccccc1"), ("brine", "[Na+].[Cl-]")]
    mapper = CompoundMapper(reaction, names, reagents)
    assert mapper.map("alpha-methylbenzylamine") == mapper.map("α-methylbenzylamine") == "$1$"
    # A record name whose structure is listed (and not in the equation) becomes the listed name.
    mapper = CompoundMapper(reaction, [("salt water", "[Na+].[Cl-]")], reagents)
    assert mapper.map("salt water") == "sodium chloride"


@pytest.mark.parametrize("name", ["unobtainium", "$9$", "$-2$", "title compound", "ethyl benzoate bromide", "water / unobtainium"])
def test_unmapped_compounds(reagents: CommonReagents, name: str) -> None:
    with pytest.raises(Dropped) as e:
        CompoundMapper(REACTION, NAMES, reagents).map(name)
    assert e.value.reason is Reason.UNMAPPED_COMPOUND and e.value.detail in name


@pytest.mark.parametrize(
    "condition, token",
    [
        ("STIR for 10 min at -78 °C", "STIR for @1@ at #1#"),
        ("STIR for 30 min at -50 °C", "STIR for @2@ at #2#"),
        ("STIR for 1 h at -10 °C", "STIR for @2@ at #3#"),
        ("STIR for 3 h at 10 °C", "STIR for @3@ at #4#"),
        ("STIR for 10 h at 40 °C", "STIR for @4@ at #5#"),
        ("STIR for 50 h at 80 °C", "STIR for @5@ at #6#"),
        ("STIR for overnight at 20-25 °C", "STIR for @4@ at #4#"),
        ("STIR for 2 days at 122 °F", "STIR for @4@ at #5#"),
        ("STIR for 2 h at reflux", "REFLUX for @2@"),
        ("SETTEMPERATURE reflux", "REFLUX"),
        ("SETTEMPERATURE 0° C", "SETTEMPERATURE #3#"),
        ("PH with $1$ to pH 2", "PH with $1$ to pH acidic"),
        ("PH with $1$ to pH 7", "PH with $1$ to pH neutral"),
        ("PH with $1$ to pH basic", "PH with $1$ to pH basic"),
        ("DRYSOLID for 2 h at 40 °C under high vacuum", "DRYSOLID for @2@ at #5# under vacuum"),
        ("REFLUX for 3 h under argon", "REFLUX for @3@"),
    ],
)
def test_conditions_become_range_tokens(reagents: CommonReagents, condition: str, token: str) -> None:
    actions = run(["ADD $1$", "ADD $2$", condition, "CONCENTRATE", "YIELD $-1$"], reagents).actions
    assert actions[2] == token


def test_wait_with_its_own_temperature_stays(reagents: CommonReagents) -> None:
    actions = run(["ADD $1$", "ADD $2$", "STIR for 1 h", "WAIT for 2 h at 0 °C", "YIELD $-1$"], reagents).actions
    assert actions[2:4] == ["STIR for @2@", "WAIT for @2@ at #3#"]


def test_every_reason(reagents: CommonReagents) -> None:
    ok = ["ADD $1$", "ADD $2$", "STIR for 2 h", "CONCENTRATE", "YIELD $-1$"]
    assert reason(ok, reagents, smiles="C1CC>>CC")[0] is Reason.UNPARSABLE_SMILES
    assert reason(ok, reagents, smiles="CCO")[0] is Reason.UNPARSABLE_SMILES
    assert reason(["ADD $1$", "FOLLOWOTHERPROCEDURE", *ok], reagents)[0] is Reason.FOLLOW_OTHER_PROCEDURE
    assert reason(["OTHERLANGUAGE", *ok], reagents)[0] is Reason.OTHER_LANGUAGE
    assert reason(["INVALIDACTION unclear", *ok], reagents)[0] is Reason.INVALID_ACTION
    assert reason(["ADD $1$", "JUGGLE flasks", *ok], reagents) == (Reason.INVALID_ACTION, "JUGGLE flasks")
    assert reason([*ok[:2], "ADD SLN", *ok[2:]], reagents)[0] is Reason.INVALID_ACTION  # SLN without MAKESOLUTION
    assert reason(["ADD $1$", "STIR for 2 h", "YIELD $-1$", "ADD $2$", "STIR for 1 h", "YIELD $-1$"], reagents)[0] is Reason.MULTI_STEP
    assert reason(ok[:4], reagents) == (Reason.TOO_FEW_ACTIONS, "4")
    assert reason(["ADD $1$", "ADD $2$", "STIR for a few minutes", "CONCENTRATE", "YIELD $-1$"], reagents) == (
        Reason.UNREADABLE_CONDITION,
        "a few minutes",
    )
    assert reason(["ADD $1$", "ADD $2$", "STIR at 25", "CONCENTRATE", "YIELD $-1$"], reagents)[0] is Reason.UNREADABLE_CONDITION
    assert reason(["ADD $1$", "ADD unobtainium", *ok], reagents) == (Reason.UNMAPPED_COMPOUND, "unobtainium")
    with pytest.raises(Dropped) as e:
        standardise_record(Record(id="n", reaction_smiles=SMILES), action_source("ord"), reagents)
    assert e.value.reason is Reason.NO_ACTIONS


def test_workup_after_yield_is_one_step(reagents: CommonReagents) -> None:
    actions = run(["ADD $1$", "ADD $2$", "STIR for 2 h", "YIELD $-1$", "WASH with water", "DRYSOLID"], reagents).actions
    assert actions[-3:] == ["YIELD $-1$", "WASH with water", "DRYSOLID"]


def test_order_of_checks_gives_exactly_one_reason(reagents: CommonReagents) -> None:
    # Unparsable SMILES wins over everything; structure (too few actions) over conditions/names.
    assert reason(["ADD unobtainium", "STIR for a while"], reagents, smiles="C1CC>>CC")[0] is Reason.UNPARSABLE_SMILES
    assert reason(["ADD unobtainium", "STIR for a while", "YIELD $-1$"], reagents)[0] is Reason.TOO_FEW_ACTIONS
    assert reason(["ADD unobtainium", "STIR for a while", "FOLLOWOTHERPROCEDURE"], reagents)[0] is Reason.FOLLOW_OTHER_PROCEDURE
    assert reason(["ADD unobtainium", "STIR for a while", "ADD $1$", "CONCENTRATE", "YIELD $-1$"], reagents)[0] is (
        Reason.UNREADABLE_CONDITION
    )


def test_input_actions_are_not_modified(reagents: CommonReagents) -> None:
    source = GivenActions()
    record = Record(id="t", reaction_smiles=SMILES, names=NAMES, actions=FULL)
    parsed = source.actions(record)
    before = repr(parsed)
    from preprocessing.standardise import standardise_actions

    standardise_actions(parsed, CompoundMapper(REACTION, NAMES, reagents))
    assert repr(parsed) == before


def test_real_ord_records(reagents: CommonReagents) -> None:
    source = action_source("ord")
    converter = ReadableConverter(separator=" ; ", end_mark="")
    kept, reasons = 0, set()
    for record in iter_ord_records(FIXTURE):
        try:
            result = standardise_record(record, source, reagents)
        except Dropped as d:
            assert isinstance(d.reason, Reason)
            reasons.add(d.reason)
            continue
        kept += 1
        line = tokenize_actions(result.actions)
        assert converter.actions_to_string(converter.string_to_actions(line)) == line
        assert len(result.actions) >= 5
        for token in (t for a in result.actions for t in a.split() if t.startswith("$")):
            assert COMPOUND_TOKEN.match(token)
            k = int(token.strip("$"))
            assert (1 <= k <= len(result.reaction.precursors)) if k > 0 else (-k <= len(result.reaction.products))
        for action in result.actions:
            for word in action.split():
                if word.startswith("#"):
                    assert TEMPERATURE.is_token(word)
                if word.startswith("@"):
                    assert DURATION.is_token(word)
    assert kept >= 100  # structured ORD data: about 70 % of this slice is kept
    assert {Reason.TOO_FEW_ACTIONS, Reason.UNMAPPED_COMPOUND} <= reasons


def test_paper_format_sequences_survive_restandardisation(reagents: CommonReagents) -> None:
    from s2a.formats.tokenization import detokenize_smiles

    here = Path(__file__).parent / "fixtures" / "standardise"
    src = (here / "src.txt").read_text(encoding="utf-8").splitlines()
    tgt = (here / "tgt.txt").read_text(encoding="utf-8").splitlines()
    kept = identical = 0
    for n, (s, t) in enumerate(zip(src, tgt)):
        record = Record(id=str(n), reaction_smiles=detokenize_smiles(s), actions=detokenize_actions(t))
        try:
            result = standardise_record(record, GivenActions(), reagents)
        except Dropped as d:
            assert d.reason is Reason.INVALID_ACTION  # a MAKESOLUTION without SLN in the source data
            continue
        kept += 1
        assert len(result.reaction.precursors) == s.split(" >> ")[0].count(" . ") + 1
        out = tokenize_actions(result.actions)
        identical += out == t
        # Positions and range tokens never change; only synonyms of listed names are unified.
        assert [w for w in out.split() if w[0] in "$#@"] == [w for w in t.split() if w[0] in "$#@"]
    assert kept >= 28 and identical >= 15


def test_unknown_optional_values_are_no_values(reagents: CommonReagents) -> None:
    # paragraph2actions' 'unknown': a drying agent the text does not name is a bare DRYSOLUTION.
    actions = run(["ADD $1$", "ADD $2$", "STIR for 2 h", "DRYSOLUTION over unknown", "DEGAS with nitrogen for unknown",
                   "CONCENTRATE", "YIELD $-1$"], reagents).actions
    assert actions[3:5] == ["DRYSOLUTION", "DEGAS with nitrogen"]
    assert reason(["ADD $1$", "ADD $2$", "WAIT for unknown", "CONCENTRATE", "YIELD $-1$"], reagents) == (
        Reason.UNREADABLE_CONDITION, "unknown")


def test_every_compound_of_the_equation_is_named_or_the_record_drops(reagents: CommonReagents) -> None:
    from preprocessing.standardise import complete_equation

    # the product of a one-product reaction is added as the YIELD the text left implicit
    assert complete_equation(["ADD $1$", "ADD $2$"], 2, 1) == ["ADD $1$", "ADD $2$", "YIELD $-1$"]
    assert complete_equation(["ADD $2$", "ADD $1$", "YIELD $-1$"], 2, 1) == ["ADD $2$", "ADD $1$", "YIELD $-1$"]
    with pytest.raises(Dropped) as e:
        complete_equation(["ADD $1$", "YIELD $-1$"], 3, 1)
    assert e.value.reason is Reason.UNUSED_COMPOUND and e.value.detail == "$2$ never used (+1 more)"
    with pytest.raises(Dropped) as e:  # two products: which one the text meant is not guessed
        complete_equation(["ADD $1$", "YIELD $-1$"], 1, 2)
    assert e.value.detail == "$-2$ never used"
    record = Record(id="t", reaction_smiles=SMILES, names=NAMES, actions=[
        "ADD benzoyl chloride", "ADD ethanol", "ADD methylene chloride", "STIR for 2 h at 25 °C", "CONCENTRATE"])
    with pytest.raises(Dropped) as e:  # triethylamine is in the equation but never added
        standardise_record(record, GivenActions(), reagents, every_compound=True)
    assert e.value.reason is Reason.UNUSED_COMPOUND and e.value.detail.startswith(f"{NET3} never used")
    record.actions = [*record.actions[:3], "ADD triethylamine", *record.actions[3:]]
    kept = standardise_record(record, GivenActions(), reagents, every_compound=True)
    assert kept.actions[-1] == f"YIELD {PRODUCT}"

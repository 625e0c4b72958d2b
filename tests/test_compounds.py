import pytest

from preprocessing.common_reagents import CommonReagents
from preprocessing.compounds import CompoundMapper, Mention
from preprocessing.reasons import Dropped, Reason
from s2a.formats.reaction import canonical_reaction
from benzoylation import BZCL, DCM, ETOH, NAMES, NET3, REACTION


@pytest.fixture(scope="module")
def mapper() -> CompoundMapper:
    return CompoundMapper(REACTION, NAMES, CommonReagents.load())


def test_record_names_then_listed_names(mapper: CompoundMapper) -> None:
    # ethanol and DCM have no name pair in the record: the common-reagent list finds them in the equation.
    mentions = [Mention("benzoyl chloride"), Mention("ethanol"), Mention("Et3N"), Mention("CH2Cl2"), Mention("ethyl benzoate", True)]
    assert mapper.map_sequence(mentions) == [BZCL, ETOH, NET3, DCM, "$-1$"]


def test_one_unmapped_name_takes_the_one_unmapped_molecule(mapper: CompoundMapper) -> None:
    # 'abs. EtOH (dist.)' maps by no lookup; ethanol is the only molecule no other name took.
    mentions = [Mention("benzoyl chloride"), Mention("abs. EtOH (dist.)"), Mention("triethylamine"),
                Mention("dichloromethane"), Mention("abs. EtOH (dist.)"), Mention("ethyl benzoate", True)]
    assert mapper.map_sequence(mentions) == [BZCL, ETOH, NET3, DCM, ETOH, "$-1$"]


def test_two_unmapped_names_or_molecules_are_dropped(mapper: CompoundMapper) -> None:
    with pytest.raises(Dropped) as e:  # two names left for one molecule
        mapper.map_sequence([Mention("benzoyl chloride"), Mention("compound X"), Mention("compound Y"),
                             Mention("triethylamine"), Mention("dichloromethane")])
    assert (e.value.reason, e.value.detail) == (Reason.UNMAPPED_COMPOUND, "compound X")
    with pytest.raises(Dropped) as e:  # one name, two molecules left (ethanol and DCM)
        mapper.map_sequence([Mention("benzoyl chloride"), Mention("compound X"), Mention("triethylamine")])
    assert e.value.detail == "compound X"


@pytest.mark.parametrize("name", ["the title compound", "yellow solid", "the residue", "crude product", "4-(unmappable)"])
def test_yield_is_the_product_when_there_is_one(mapper: CompoundMapper, name: str) -> None:
    mentions = [Mention("benzoyl chloride"), Mention("ethanol"), Mention("triethylamine"), Mention(name, True)]
    assert mapper.map_sequence(mentions)[-1] == "$-1$"


def test_yield_with_two_products_follows_the_one_unmapped_rule() -> None:
    reaction = canonical_reaction("CC(=O)OC(C)=O.OCC>>CC(=O)OCC.CC(=O)O")
    mapper = CompoundMapper(reaction, [("ethanol", "OCC"), ("acetic acid", "CC(=O)O")], CommonReagents.load())
    anhydride = f"${reaction.precursors.index('CC(=O)OC(C)=O') + 1}$"
    ester = f"$-{reaction.products.index('CCOC(C)=O') + 1}$"
    mentions = [Mention("acetic anhydride"), Mention("ethanol"), Mention("acetic acid"), Mention("the title ester", True)]
    # The YIELD name is the one name left, the ester the one molecule no other name took.
    tokens = mapper.map_sequence(mentions)
    assert tokens[0] == anhydride and tokens[3] == ester
    with pytest.raises(Dropped):  # without 'acetic acid' two molecules are left: no guess
        mapper.map_sequence([m for m in mentions if m.name != "acetic acid"])

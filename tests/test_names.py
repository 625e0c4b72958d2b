from pathlib import Path

import pytest

from preprocessing.common_reagents import CommonReagents
from preprocessing.names import is_generic, name_key, simplify_name
from s2a.errors import InputFileError


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ethyl Acetate", "ethyl acetate"),  # case
        ("ethylacetate", "ethyl  acetate"),  # spaces
        ("methylene-chloride", "methylene chloride"),  # dashes
        ("2‐propanol", "2-propanol"),  # Unicode hyphen
        ("1,1'-oxybisethane", "1,1′-oxybis ethane"),  # primes and punctuation
        ("alpha-methylbenzylamine", "α-methylbenzylamine"),  # Greek letters spelled out
        ("6-beta-hydroxy", "6β-hydroxy"),
        ("Dl-alanine", "DL-alanine"),
        ("2-chl0r0pyridine", "2-chloropyridine"),  # OCR: 0 for O
        ("l-methylpiperazine", "1-methylpiperazine"),  # OCR: l for 1
    ],
)
def test_name_key_matches_variants(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    "a, b",
    [("ethanol", "methanol"), ("1,2-dichloroethane", "1,1-dichloroethane"), ("alphabet", "α-bet"), ("pentane", "hexane")],
)
def test_name_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    "name, simple",
    [
        ("saturated aqueous sodium bicarbonate solution", "sodium bicarbonate"),
        ("1N HCl", "HCl"),
        ("2 M sodium hydroxide", "sodium hydroxide"),
        ("10% aqueous citric acid", "citric acid"),
        ("anhydrous magnesium sulphate", "magnesium sulphate"),
        ("ethyl acetate/hexane (1:4)", "ethyl acetate/hexane"),
        ("conc. sulfuric acid", "sulfuric acid"),
        ("NaHCO3 (aq)", "NaHCO3"),
        ("toluene", "toluene"),
        ("solution", "solution"),  # never empty
        # What procedure text puts around a name (the text action source)
        ("a mixture of 14.0 g (79 mmol) of 6-methylisatoic anhydride", "6-methylisatoic anhydride"),
        ("1 liter of water", "water"),
        ("2×50 ml of water", "water"),
        ("ca 100 ml of 15 percent potassium carbonate solution", "potassium carbonate"),
        ("sodium hydride (60% dispersion in mineral oil)", "sodium hydride"),
        ("the residue", "residue"),
        ("sat'd NaCl", "NaCl"),
        ("concd. hydrochloric acid", "hydrochloric acid"),
        ("2-N ammonium hydroxide", "ammonium hydroxide"),
        ("tris(dibenzylideneacetone)dipalladium(0)", "tris(dibenzylideneacetone)dipalladium(0)"),
        ("N-bromosuccinimide", "N-bromosuccinimide"),  # a locant, not a concentration
        ("n-butyllithium", "n-butyllithium"),
        ("1-methylpiperazine", "1-methylpiperazine"),
        ("a drop of DMF", "DMF"),
        ("Ten grams of benzyl chloride", "benzyl chloride"),
        ("10% palladium on carbon catalyst", "palladium on carbon"),
        ("sodium hydroxide solution 1N", "sodium hydroxide"),
    ],
)
def test_simplify_name(name: str, simple: str) -> None:
    assert simplify_name(name) == simple


def test_generic_names() -> None:
    assert is_generic("crude product") and is_generic("The residue".replace("The ", "")) and is_generic("two")
    assert is_generic("aqueous solution")
    assert not is_generic("ethyl acetate") and not is_generic("sodium hydride")


@pytest.fixture(scope="module")
def reagents() -> CommonReagents:
    return CommonReagents.load()


def test_default_list_loads_a_few_hundred_spellings(reagents: CommonReagents) -> None:
    assert len(reagents) >= 150
    assert len(reagents.by_key) >= 400
    assert Path(reagents.source).name == "common_reagents.yaml"


@pytest.mark.parametrize(
    "name, listed",
    [
        ("water", "water"),
        ("H2O", "water"),
        ("Brine", "brine"),
        ("EtOAc", "ethyl acetate"),
        ("methylene chloride", "dichloromethane"),
        ("anhydrous magnesium sulphate", "magnesium sulfate"),
        ("MgSO4", "magnesium sulfate"),
        ("saturated aqueous NaHCO3 solution", "sodium bicarbonate"),
        ("1N hydrochloric acid", "hydrochloric acid"),
        ("ether", "diethyl ether"),
        ("n-hexane", "hexane"),
        ("N,N-dimethylformamide", "dimethylformamide"),
        ("silica gel", "silica gel"),
    ],
)
def test_lookup_by_name(reagents: CommonReagents, name: str, listed: str) -> None:
    assert reagents.lookup(name) == listed
    assert name in reagents


@pytest.mark.parametrize(
    "name, listed",
    [
        ("ethyl acetate-hexane", "ethyl acetate / hexane"),
        ("MeOH/CH2Cl2", "methanol / dichloromethane"),
        ("chloroform methanol", "chloroform / methanol"),
        ("ethyl acetate n-hexane", "ethyl acetate / hexane"),
    ],
)
def test_lookup_mixtures(reagents: CommonReagents, name: str, listed: str) -> None:
    assert reagents.lookup(name) == listed


@pytest.mark.parametrize("name", ["2-chloro-5-nitropyridine", "title compound", "Grignard reagent", "ethyl acetate bromide"])
def test_unlisted_names(reagents: CommonReagents, name: str) -> None:
    assert reagents.lookup(name) is None
    assert name not in reagents


def test_lookup_by_structure(reagents: CommonReagents) -> None:
    from s2a.formats.reaction import canonical_molecule

    assert reagents.lookup_smiles(canonical_molecule("[Na+].[Cl-]")) == "sodium chloride"
    assert reagents.lookup_smiles(canonical_molecule("O=C([O-])O.[Na+]")) == "sodium bicarbonate"
    assert reagents.lookup_smiles(canonical_molecule("c1ccc2ccccc2c1")) is None


def test_custom_file_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "r.yaml"
    good.write_text("reagents:\n  - {name: unobtainium, aliases: [Uo], smiles: '[U]'}\n", encoding="utf-8")
    custom = CommonReagents.load(good)
    assert custom.lookup("UO") == "unobtainium" and custom.lookup("water") is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("reagents: [", encoding="utf-8")
    with pytest.raises(InputFileError) as e:
        CommonReagents.load(bad)
    assert e.value.path == str(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("reagents:\n  - {name: x, smiles: 'C(('}\n", encoding="utf-8")
    with pytest.raises(InputFileError):
        CommonReagents.load(wrong)
    with pytest.raises(InputFileError):
        CommonReagents.load(tmp_path / "missing.yaml")

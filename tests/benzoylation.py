"""The hand-made reaction of the text-source and compound-mapping tests: benzoylation of ethanol
(benzoyl chloride + ethanol + triethylamine in DCM -> ethyl benzoate), its record's own names, and
the positional token of each compound in the canonical order."""
from s2a.formats.reaction import canonical_molecule, canonical_reaction

SMILES = "O=C(Cl)c1ccccc1.CCO.CCN(CC)CC.ClCCl>>CCOC(=O)c1ccccc1"
REACTION = canonical_reaction(SMILES)
NAMES = [("benzoyl chloride", "O=C(Cl)c1ccccc1"), ("triethylamine", "CCN(CC)CC"), ("ethyl benzoate", "CCOC(=O)c1ccccc1")]


def tok(smiles: str) -> str:
    c = canonical_molecule(smiles)
    return f"$-{REACTION.products.index(c) + 1}$" if c in REACTION.products else f"${REACTION.precursors.index(c) + 1}$"


BZCL, ETOH, NET3, DCM = (tok(s) for s in ("O=C(Cl)c1ccccc1", "CCO", "CCN(CC)CC", "ClCCl"))

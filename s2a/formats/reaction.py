"""Canonical form of a reaction as the Smiles2Actions paper's Methods define it.

Reactants and reagents (solvents included) are merged into one precursor list, each compound is
RDKit-canonical without atom maps, fragments of one compound (salts, complexes) are sorted and
joined by '~', duplicates are removed and precursors sorted. Positional tokens `$k$` refer to the
k-th precursor of this sorted list (1-based), `$-k$` to the k-th product.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem, RDLogger
from rxn.chemutils.reaction_smiles import parse_any_reaction_smiles

from s2a.errors import InvalidReaction, InvalidSmiles
from s2a.formats.tokenization import tokenize_smiles

RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]

FRAGMENT_BOND = "~"


@dataclass(frozen=True)
class CanonicalReaction:
    precursors: tuple[str, ...]
    products: tuple[str, ...]

    @property
    def smiles(self) -> str:
        return ".".join(self.precursors) + ">>" + ".".join(self.products)

    @property
    def tokens(self) -> str:
        """The tokenised `src` line: tokens of precursors, ' >> ', tokens of products."""
        left = " . ".join(tokenize_smiles(p) for p in self.precursors)
        right = " . ".join(tokenize_smiles(p) for p in self.products)
        return f"{left} >> {right}"


@lru_cache(maxsize=200_000)
def canonical_molecule(smiles: str) -> str:
    """RDKit-canonical SMILES of one compound without atom maps; fragments sorted, joined by '~'.

    Accepts fragments separated by '.' or '~'. Raises InvalidSmiles if RDKit cannot parse it.
    """
    fragments = [f for f in smiles.replace(FRAGMENT_BOND, ".").split(".") if f]
    if not fragments:
        raise InvalidSmiles(smiles, "empty")
    out = []
    for fragment in fragments:
        mol = Chem.MolFromSmiles(fragment)
        if mol is None:
            raise InvalidSmiles(smiles, f"RDKit cannot parse {fragment!r}")
        for atom in mol.GetAtoms():
            atom.SetAtomMapNum(0)
        out.append(Chem.MolToSmiles(mol))
    return FRAGMENT_BOND.join(sorted(out))


def canonical_reaction(reaction_smiles: str) -> CanonicalReaction:
    """Parse any reaction SMILES (plain, with '~', or extended CXSMILES with |f:..|)."""
    text = reaction_smiles.strip()
    if text.count(">") not in (2,) or ">>>" in text:
        raise InvalidReaction(reaction_smiles, "expected 'precursors>>products' or 'reactants>agents>products'")
    try:
        equation = parse_any_reaction_smiles(text)
    except Exception as e:  # rxn-chem-utils raises ValueError and RDKit errors of several kinds
        raise InvalidReaction(reaction_smiles, f"cannot parse ({e})") from None
    precursors = sorted({canonical_molecule(c) for c in [*equation.reactants, *equation.agents] if c})
    products = sorted({canonical_molecule(c) for c in equation.products if c})
    if not precursors:
        raise InvalidReaction(reaction_smiles, "no precursors")
    if not products:
        raise InvalidReaction(reaction_smiles, "no products")
    return CanonicalReaction(tuple(precursors), tuple(products))

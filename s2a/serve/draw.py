"""Reactions drawn by RDKit as inline SVG (precursors and products as the model sees them)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from rdkit import Chem
from rdkit.Chem import rdChemReactions
from rdkit.Chem.Draw import rdMolDraw2D

from s2a.formats.reaction import FRAGMENT_BOND

_XML_HEADER = re.compile(r"^<\?xml[^>]*\?>\s*")


def reaction_svg(precursors: Sequence[str], products: Sequence[str], height: int = 180,
                 per_molecule: int = 170, max_width: int = 1400) -> str:
    """One SVG of the reaction; each compound (its '~'-joined fragments together) is one molecule."""
    rxn = rdChemReactions.ChemicalReaction()
    for smiles in precursors:
        rxn.AddReactantTemplate(_mol(smiles))
    for smiles in products:
        rxn.AddProductTemplate(_mol(smiles))
    width = min(max_width, per_molecule * (len(precursors) + len(products)) + 80)
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    options = drawer.drawOptions()
    options.clearBackground = False
    drawer.DrawReaction(rxn)
    drawer.FinishDrawing()
    svg = _XML_HEADER.sub("", drawer.GetDrawingText())
    return svg.replace("<svg ", '<svg role="img" aria-label="reaction drawing" class="reaction" ', 1)


def _mol(smiles: str) -> Chem.Mol:
    mol = Chem.MolFromSmiles(smiles.replace(FRAGMENT_BOND, "."))
    return mol if mol is not None else Chem.Mol()

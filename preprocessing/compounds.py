"""Compound names in actions -> positional tokens (`$k$` precursor, `$-k$` product) or listed names.

A name is looked up, in this order:
1. already a positional token (`$2$`, `$-1$`) within range, or 'SLN' (a solution made earlier);
2. the record's own name -> SMILES pairs, by exact name, then by normalised name (names.name_key,
   also after names.simplify_name); the SMILES is canonicalised and compared with the precursors
   and products;
3. the name itself read as a SMILES;
4. the common-reagent list (by name, or by the structure found in step 2/3): a listed compound
   whose listed structure is in the equation gets its token, any other is kept as its listed name.
A name 'A / B' that maps as a whole by none of these maps part by part ('$3$ / carbon').

`map_sequence` maps every name of one action sequence at once and adds the paper's two
per-record rules for names the lookups cannot place:
5. the YIELD of a sequence is the product: an unmapped YIELD name ('the title compound',
   'yellow solid') is `$-1$` when the equation has exactly one product (as the ORD source does
   for a product without structure);
6. if then exactly one molecule of the equation and exactly one name are still unmapped, the
   name is that molecule (a misspelt or trivial name of the one compound left).
Anything else is Dropped(UNMAPPED_COMPOUND, name).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from preprocessing.common_reagents import MIXTURE_SEPARATOR, CommonReagents
from preprocessing.names import name_key, simplify_name
from preprocessing.ranges import COMPOUND_TOKEN, precursor_token, product_token
from preprocessing.reasons import Dropped, Reason
from s2a.errors import InvalidSmiles
from s2a.formats.reaction import CanonicalReaction, canonical_molecule

SOLUTION = "SLN"


def _canonical(smiles: str) -> Optional[str]:
    try:
        return canonical_molecule(smiles)
    except InvalidSmiles:
        return None


@dataclass(frozen=True)
class Mention:
    """One compound name in a sequence; `is_yield` for the chemical of a YIELD (rule 5)."""

    name: str
    is_yield: bool = False


class CompoundMapper:
    """Maps the compound names of one record (see module docstring)."""

    def __init__(self, reaction: CanonicalReaction, names: Sequence[tuple[str, str]], reagents: CommonReagents) -> None:
        self.reaction = reaction
        self.reagents = reagents
        self.precursors = {s: precursor_token(i) for i, s in enumerate(reaction.precursors)}
        self.products = {s: product_token(i) for i, s in enumerate(reaction.products)}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_key: dict[str, list[str]] = defaultdict(list)
        for name, smiles in names:
            self.by_name[name.strip()].append(smiles)
            self.by_key[name_key(name)].append(smiles)
            self.by_key[name_key(simplify_name(name))].append(smiles)

    def _token(self, canonical: str, prefer_product: bool) -> Optional[str]:
        first, second = (self.products, self.precursors) if prefer_product else (self.precursors, self.products)
        return first.get(canonical) or second.get(canonical)

    def _is_valid_token(self, name: str) -> bool:
        if not COMPOUND_TOKEN.match(name):
            return False
        k = int(name.strip("$"))
        return 1 <= k <= len(self.reaction.precursors) if k > 0 else 1 <= -k <= len(self.reaction.products)

    def map_sequence(self, mentions: Sequence[Mention]) -> list[str]:
        """The token or listed name of each mention, with the per-record rules 5 and 6 (two passes:
        rule 6 needs to know which molecules all the other names took)."""
        out: list[Optional[str]] = []
        unmapped: dict[str, None] = {}  # names in order of first mention
        for mention in mentions:
            try:
                out.append(self.map(mention.name, prefer_product=mention.is_yield))
            except Dropped:
                if mention.is_yield and len(self.reaction.products) == 1:
                    out.append(product_token(0))
                else:
                    out.append(None)
                    unmapped[mention.name.strip()] = None
        if unmapped:
            used = {part for token in out if token for part in token.split(MIXTURE_SEPARATOR)}
            left = [t for t in (*self.precursors.values(), *self.products.values()) if t not in used]
            if len(unmapped) == 1 and len(left) == 1:
                out = [token if token is not None else left[0] for token in out]
            else:
                raise Dropped(Reason.UNMAPPED_COMPOUND, next(iter(unmapped)))
        return [token for token in out if token is not None]

    def map(self, name: str, prefer_product: bool = False) -> str:
        """Rules 1-4 for one name; Dropped(UNMAPPED_COMPOUND) when none applies."""
        try:
            return self._map_one(name, prefer_product)
        except Dropped:
            parts = [p.strip() for p in name.split("/") if p.strip()]
            if len(parts) < 2:
                raise
            # A mixture written 'A / B' ('$3$ / carbon'): every part must map.
            return MIXTURE_SEPARATOR.join(self._map_one(p, prefer_product) for p in parts)

    def _map_one(self, name: str, prefer_product: bool) -> str:
        text = name.strip()
        if text == SOLUTION or self._is_valid_token(text):
            return text
        structures: list[str] = []
        for smiles_list in (
            self.by_name.get(text, []),
            self.by_key.get(name_key(text), []),
            self.by_key.get(name_key(simplify_name(text)), []),
        ):
            for smiles in smiles_list:
                canonical = _canonical(smiles)
                if canonical is None:
                    continue
                token = self._token(canonical, prefer_product)
                if token:
                    return token
                structures.append(canonical)
        if text and " " not in text:
            canonical = _canonical(text)
            if canonical is not None:
                token = self._token(canonical, prefer_product)
                if token:
                    return token
                structures.append(canonical)
        listed = self.reagents.lookup(text)
        if listed:
            # A listed name whose structure is in the equation is that precursor/product ('EtOH'
            # when ethanol is the solvent), whatever the record's own names say.
            return MIXTURE_SEPARATOR.join(
                self._token(self.reagents.smiles_of.get(part, ""), prefer_product) or part
                for part in listed.split(MIXTURE_SEPARATOR)
            )
        for canonical in structures:
            listed = self.reagents.lookup_smiles(canonical)
            if listed:
                return listed
        raise Dropped(Reason.UNMAPPED_COMPOUND, text)

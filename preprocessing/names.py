"""Compound names as written in procedures, reduced to comparable keys.

Two names "match" when their keys are equal. The key ignores case, spaces, dashes and other
punctuation variants, spells Greek letters one way (alpha -> α) and folds characters that OCR
of old patents confuses (0/O, 1/l/I/|). It is a comparison key, never shown to anyone.

`simplify_name` strips what describes the state of a compound rather than the compound
("saturated aqueous NaCl solution" -> "NaCl", "anhydrous magnesium sulphate" -> "magnesium sulphate",
"1N HCl" -> "HCl"); it is used before looking a name up in the common-reagent list.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

GREEK: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω",
}
# Longest first, so 'epsilon' is not read as 'psi'+..., and only as whole words or between
# non-letters (as in '6-alpha-methyl', '(alpha)', 'alpha,beta').
_GREEK_WORD = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(GREEK, key=len, reverse=True)) + r")(?![a-z])"
)

# Characters that OCR confuses in old patent text, folded to one representative each.
_OCR_FOLD = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l"})
# Everything that is not a letter or digit (spaces, all dashes, commas, brackets, primes) is
# dropped from the key: '1,1'-oxybisethane' == '1,1-oxybis ethane'.
_NON_ALNUM = re.compile(r"[^0-9a-zα-ω]+")


@lru_cache(maxsize=100_000)
def name_key(name: str) -> str:
    """Comparison key of a compound name; equal keys = same name up to typography and OCR noise."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = _GREEK_WORD.sub(lambda m: GREEK[m.group(1)], text)
    # The micro sign and Greek mu are one letter; the Latin sharp s is not Greek beta but is used
    # for it in some patents.
    text = text.replace("µ", "μ").replace("ß", "β")
    text = _NON_ALNUM.sub("", text)
    return text.translate(_OCR_FOLD)


# Words that describe the state, grade or form of a compound, not the compound itself.
_STATE_WORDS = (
    "saturated", "sat.", "sat", "satd.", "satd", "aqueous", "aq.", "aq", "anhydrous", "anh.", "dry", "dried",
    "dilute", "diluted", "dil.", "concentrated", "conc.", "conc", "cold", "ice-cold", "ice cold", "chilled",
    "hot", "warm", "boiling", "warm", "fresh", "freshly", "solid", "powdered", "powder", "granular",
    "absolute", "abs.", "glacial", "degassed", "distilled", "deionized", "deionised", "pure", "crude",
    "excess", "an excess of", "additional", "more", "fuming", "gaseous", "liquid", "ethereal",
    "methanolic", "ethanolic", "half-saturated", "half saturated", "sufficient", "small amount of",
    "concd.", "concd", "sat'd", "sat'd.", "activated", "a little", "little", "some", "a small amount of",
)
_STATE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(w) for w in sorted(_STATE_WORDS, key=len, reverse=True)) + r")\s+)+",
    re.IGNORECASE,
)
# Concentrations in front of a name: '1N', '2 M', '10%', '50 % w/v', '0.5 mol/L', '(1:1)'.
_CONCENTRATION = re.compile(
    r"^(?:\(?\d+(?:[.,]\d+)?\s*-?\s*(?:n|m|mm|%|% w/v|% v/v|% w/w|wt%|wt\.?\s*%|mol/l|normal|molar)\)?\s+)+",
    re.IGNORECASE,
)
_RATIO = re.compile(r"\s*\(?\d+(?:[.,]\d+)?\s*:\s*\d+(?:[.,]\d+)?(?:\s*:\s*\d+(?:[.,]\d+)?)*\)?\s*(?:v/v|by volume)?\s*$")
_TRAILING = re.compile(
    r"\s+(?:solution|soln\.?|solutions|mixture|suspension|slurry|aq\.?|aqueous|sat\.?|satd\.?|conc\.?|catalyst|"
    r"\d+(?:[.,]\d+)?\s*(?:n|m|%))$", re.IGNORECASE
)
_TRAILING_STATE = re.compile(r"\s*\((?:aq|aqueous|s|l|g|sat|satd|conc)\.?\)$", re.IGNORECASE)
# What procedure text writes around a name: an amount ('14.0 g (79 mmol) of', '1 liter of'), a
# container ('a mixture of', 'a solution of'), an article, a bracketed note after a space
# ('(60% dispersion in mineral oil)', '(catalyst)', '(×2)'; 'palladium(0)' has no space and stays).
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_AMOUNT = re.compile(
    r"^(?:(?:ca\.?|about|approx\.?|approximately)\s+)?(?:\d+\s*[x×]\s*)?"
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|a few|a)\s*"
    r"(?:mg|g|grams?|kg|ml|mL|l|L|liters?|litres?|mmol|mol|moles?|µl|μl|ul|drops?|parts?|equiv\.?|eq\.?)\.?"
    r"(?:\s*\([^()]*\))?\s+(?:of\s+)?",
    re.IGNORECASE,
)
_CONTAINER = re.compile(
    r"^(?:(?:stirred|cooled|cold|hot|warm|clear|resulting|resultant)\s+)*(?:mixture|solution|suspension|slurry|drops?|portions?|traces?)\s+of\s+",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(\d)\s*(?:percent|per cent)\b", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s+\([^()]*\)$")


@lru_cache(maxsize=100_000)
def simplify_name(name: str) -> str:
    """Drop concentrations, state adjectives and 'solution' around a name; keep its spelling.

    'saturated aqueous sodium bicarbonate solution' -> 'sodium bicarbonate'; '1N HCl' -> 'HCl';
    'ethyl acetate/hexane (1:4)' -> 'ethyl acetate/hexane'; 'a mixture of 14.0 g (79 mmol) of
    isatoic anhydride' -> 'isatoic anhydride'; 'sodium hydride (60% dispersion in mineral oil)'
    -> 'sodium hydride'. Returns the input stripped when
    nothing applies. Never returns an empty string for a non-empty name.
    """
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    text = _PERCENT.sub(r"\1%", text)
    previous = None
    while previous != text:
        previous = text
        text = _ARTICLE.sub("", text)
        text = _AMOUNT.sub("", text)
        text = _CONTAINER.sub("", text)
        text = _TRAILING_NOTE.sub("", text)
        text = _CONCENTRATION.sub("", text)
        text = _STATE.sub("", text)
        text = _RATIO.sub("", text)
        text = _TRAILING.sub("", text)
        text = _TRAILING_STATE.sub("", text)
        text = text.strip(" ,;")
    return text or name.strip()


# Words that name no compound at all ("the residue", "crude product"): an ORD work-up input with
# such a name and no structure is a text-mining artefact, not a material.
GENERIC_NAMES = frozenset(
    name_key(n)
    for n in (
        "residue", "crude product", "product", "crude", "crude material", "crude residue", "crude mixture",
        "crude compound", "crude oil", "raw product", "solution", "aqueous solution", "mixture", "reaction mixture",
        "resultant mixture", "resultant solution", "resultant residue", "resultant precipitate", "solid", "oil",
        "material", "desired product", "desired compound", "title compound", "title product", "desired title product",
        "compound", "filtrate", "precipitate", "extract", "extracts", "organic layer", "aqueous layer", "layer",
        "phase", "organic phase", "aqueous phase", "one", "two", "three", "four", "five", "six", "several",
        "portion", "portions", "combined extracts", "the residue", "remaining residue", "salt", "filter cake",
        "crystals", "the solid", "suspension", "slurry", "solvent", "solvents", "eluent", "mother liquor",
    )
)


def is_generic(name: str) -> bool:
    """True for names such as 'residue', 'crude product', 'two' that denote no compound."""
    return name_key(simplify_name(name)) in GENERIC_NAMES or name_key(name) in GENERIC_NAMES

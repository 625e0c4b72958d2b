"""Chemistry-aware splitting of a procedure paragraph into sentences.

A plain "split at '. '" breaks experimental text in the wrong places: numbers ("2.5 g"), headings
("Example 3."), abbreviations ("m.p.", "ca.", "approx.", "aq.", "sat."), units ending in a dot
before a lower-case continuation ("at 0° C. and then"), and anything inside brackets
("(ca. 5 ml)"). A sentence ends at '.', '!' or '?' outside brackets, followed by white space and
an upper-case letter, a digit, a bracket or a chemical-name prefix ("tert-Butyl", "n-BuLi").
"""
from __future__ import annotations

import regex

# Words that, written with a final dot, do not end a sentence.
_ABBREVIATIONS = frozenset(
    """ca approx approx ap e.g i.e eg ie etc vs viz cf resp al fig figs no nos ex exs eq eqs equiv
    conc sat aq satd soln sol vol wt mp m.p b.p bp ref refs mol temp abs anh anhyd
    dil ml mmol st nd rd th ph dr mr mrs prof ltd inc co corp pp vols ed eds med soc lett synth pharm bull am""".split()
)
# Words after which a number and a dot form a heading or a reference, not a sentence end.
_REFERENCE_WORDS = frozenset("example examples step steps table tables method procedure scheme fig figure no preparation intermediate compound".split())

_CANDIDATE = regex.compile(r"[.!?]+(?=\s+)")
_NEXT_STARTS_SENTENCE = regex.compile(
    r"\s+(?:[\p{Lu}\d(\[{\"'“]|(?:[a-z]{1,5}|\(\p{L}{1,3}\))-\S*\p{Lu})"
)
_WORD_BEFORE = regex.compile(r"(\S+)$")
_NUMBER_AFTER_WORD = regex.compile(r"(\p{L}+)\s+[\dIVX]+[A-Za-z]?$")


def _depths(text: str) -> list[int]:
    """Bracket depth before each character; unbalanced closers never go below zero."""
    depth = 0
    out = []
    for ch in text:
        out.append(depth)
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth > 0:
            depth -= 1
    return out


def _is_abbreviation(before: str) -> bool:
    found = _WORD_BEFORE.search(before)
    if not found:
        return False
    word = found.group(1).lower().lstrip("([{")
    if word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS:
        return True
    raw = found.group(1).lstrip("([{")
    if len(raw) == 1 and raw.isupper() and not regex.search(r"(?:°|\d)\s*\S$", before):
        return True  # initials ("J. Med."), but not the "C" of "0° C."
    reference = _NUMBER_AFTER_WORD.search(before[-40:])
    return bool(reference and reference.group(1).lower() in _REFERENCE_WORDS)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of `paragraph` in order, stripped; an empty or blank paragraph gives []."""
    text = paragraph.strip()
    if not text:
        return []
    if "." not in text and "!" not in text and "?" not in text:
        return [text]
    depths = _depths(text)
    sentences = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        if depths[match.start()] > 0:
            continue
        if not _NEXT_STARTS_SENTENCE.match(text, end):
            continue
        if match.group() == "." and _is_abbreviation(text[start : match.start()]):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences

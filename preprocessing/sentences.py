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
    conc sat aq satd soln sol wt mp m.p b.p bp ref refs temp abs anh anhyd
    dil st nd rd th ph dr mr mrs prof ltd inc co corp pp vols ed eds med soc lett synth pharm bull am""".split()
)
# Words after which a number and a dot form a heading or a reference, not a sentence end.
_REFERENCE_WORDS = frozenset("example examples step steps table tables method procedure scheme fig figure no preparation intermediate compound".split())

_LONGEST_BRACKET = 200  # characters; a bracketed remark longer than this is taken as unclosed
_CANDIDATE = regex.compile(r"[.!?]+(?=\s+)")
_NEXT_STARTS_SENTENCE = regex.compile(
    r"\s+(?:[\p{Lu}\d(\[{\"'“]|(?:[a-z]{1,5}|\(\p{L}{1,3}\))-\S*\p{Lu})"
)
_WORD_BEFORE = regex.compile(r"(\S+)$")
_NUMBER_AFTER_WORD = regex.compile(r"(\p{L}+)\s+[\dIVX]+[A-Za-z]?$")


def _depth_at(text: str, start: int, end: int, depth: int, opened: int) -> tuple[int, int]:
    """Bracket depth at `end` and where the outermost open bracket opened, given both at `start`."""
    chunk = text[start:end]
    if not any(c in chunk for c in "()[]{}"):
        return depth, opened
    for i, ch in enumerate(chunk):
        if ch in "([{":
            if depth == 0:
                opened = start + i
            depth += 1
        elif ch in ")]}" and depth > 0:
            depth -= 1
    return depth, opened


_UNIT_ABBREVIATIONS = frozenset("g mg kg gm gms ml l cc mm mmol mol mole moles hr hrs h min mins sec µl μl wt vol conc temp approx ca".split())
_CONTINUES = regex.compile(r"\s+[(\d\p{Ll}]")


def _unit_continues(before: str, text: str, end: int) -> bool:
    """'13.0 g. (0.05 mol)': an old-style unit with a dot, continued by a bracket, number or lower case."""
    found = _WORD_BEFORE.search(before)
    if not found or found.group(1).lower() not in _UNIT_ABBREVIATIONS:
        return False
    return bool(_CONTINUES.match(text, end))


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
    sentences = []
    start = 0
    depth = 0
    opened = 0
    scanned = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        depth, opened = _depth_at(text, scanned, match.start(), depth, opened)
        scanned = match.start()
        if depth > 0 and match.start() - opened > _LONGEST_BRACKET:
            depth = 0  # a bracket never closed (a typo in the patent): stop waiting for it
        if depth > 0:
            continue
        if not _NEXT_STARTS_SENTENCE.match(text, end):
            continue
        if match.group() == "." and _is_abbreviation(text[start : match.start()]):
            continue
        if match.group() == "." and _unit_continues(text[start : match.start()], text, end):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences

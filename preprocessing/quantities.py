"""Reading temperatures, durations and pH values written as text, into numbers.

Each parser returns a float (°C, hours, pH) or raises UnreadableQuantity carrying the text.
Ranges ("20-25 °C", "1 to 2 h") give their midpoint. Words with a fixed meaning come from small
tables (room temperature = 25 °C, overnight = 16 h). Vague amounts ("a few minutes", "several
hours") are unreadable on purpose: guessing a bin would put wrong labels in the training data.
"Reflux" is not a temperature here: see `is_reflux` (the standardisation turns it into REFLUX).
"""
from __future__ import annotations

import re
import unicodedata

ROOM_TEMPERATURE_C = 25.0
OVERNIGHT_H = 16.0

TEMPERATURE_WORDS: dict[str, float] = {
    "room temperature": ROOM_TEMPERATURE_C,
    "room temp": ROOM_TEMPERATURE_C,
    "rt": ROOM_TEMPERATURE_C,
    "r.t.": ROOM_TEMPERATURE_C,
    "r.t": ROOM_TEMPERATURE_C,
    "ambient": ROOM_TEMPERATURE_C,
    "ambient temperature": ROOM_TEMPERATURE_C,
    "ice bath": 0.0,
    "ice-bath": 0.0,
    "ice cooling": 0.0,
    "ice-cooling": 0.0,
    "ice water bath": 0.0,
    "ice-water bath": 0.0,
    "ice/water bath": 0.0,
    "ice water": 0.0,
    "ice-water": 0.0,
    "ice/water": 0.0,
    "ice bath temperature": 0.0,
    "ice temperature": 0.0,
    "under ice cooling": 0.0,
    "with ice cooling": 0.0,
    "ice-water cooling": 0.0,
    "ice cold": 0.0,
    "ice-cold": 0.0,
    "dry ice": -78.0,
    "dry ice/acetone": -78.0,
    "dry ice-acetone": -78.0,
}

DURATION_WORDS: dict[str, float] = {
    "overnight": OVERNIGHT_H,
    "over night": OVERNIGHT_H,
    "night": OVERNIGHT_H,
    "one night": OVERNIGHT_H,
    "the night": OVERNIGHT_H,
    "half an hour": 0.5,
    "a half hour": 0.5,
    "one and a half hours": 1.5,
    "an hour and a half": 1.5,
}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-eight": 48, "sixty": 60, "ninety": 90,
    "forty-five": 45, "thirty-six": 36, "seventy-two": 72, "twenty-four": 24,
}

# hours per unit
_DURATION_UNITS: dict[str, float] = {
    "s": 1 / 3600, "sec": 1 / 3600, "secs": 1 / 3600, "second": 1 / 3600, "seconds": 1 / 3600,
    "min": 1 / 60, "mins": 1 / 60, "min.": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "m": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "h.": 1.0, "hour": 1.0, "hours": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0,
    "week": 168.0, "weeks": 168.0, "wk": 168.0,
}

# Filler words that do not change the value.
_FILLERS = re.compile(
    r"\b(?:about|approximately|approx\.?|ca\.?|circa|around|roughly|some|additional|further|more|another|"
    r"a further|an additional|total of|a total of|at least|over|for|at|of|period of|a period of)\b",
    re.IGNORECASE,
)

_NUM = r"[-+]?\d+(?:[.,]\d+)?"
_RANGE_SEP = r"\s*(?:-|–|—|to|~|or|and)\s*"
_DURATION_RANGE_SEP = r"\s*(?:-|–|—|to|~|or)\s*"


class UnreadableQuantity(ValueError):
    """A temperature / duration / pH that cannot be read as a number; carries the text."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(f"unreadable {kind}: {text!r}")
        self.kind = kind
        self.text = text


# A number in brackets, as OCR'd patents write negative temperatures: '(-78)° C'.
_BRACKETED_NUMBER = re.compile(r"\(\s*([-+]?\d+(?:[.,]\d+)?)\s*\)")
# A simple fraction: '1/2 hour' (NFKC turns '½' into '1⁄2').
_FRACTION = re.compile(r"(?<![\d.,])(\d+)\s*[/⁄]\s*(\d+)(?![\d.,])")
# A trailing bracket that restates or annotates ('overnight (16 h)', 'room temperature (about 20° C.)').
_TRAILING_BRACKET = re.compile(r"\s*\([^()]*\)\.?$")


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u2212", "-").replace("\u2012", "-").replace("\u2013", "-").replace("\u2014", "-")
    t = t.replace("º", "°").replace("˚", "°").replace("℃", "°C").replace("℉", "°F")
    t = _BRACKETED_NUMBER.sub(r"\1", t).strip()
    if t.startswith("(") and ")" not in t:  # an unclosed bracket cut by the extractor: '(0° C'
        t = t[1:]
    return " ".join(t.split())


def _without_trailing_bracket(text: str) -> str:
    """'overnight (16 h)' -> 'overnight'; '' when there is no trailing bracket or nothing before it."""
    stripped = _TRAILING_BRACKET.sub("", text)
    return stripped if stripped != text else ""


def _to_float(number: str) -> float:
    return float(number.replace(",", "."))


def is_reflux(text: str) -> bool:
    """True for 'reflux', 'at reflux', 'reflux temperature', 'under reflux', 'refluxing'."""
    return "reflux" in text.lower()


_TEMPERATURE = re.compile(
    rf"^(?P<a>{_NUM})\s*(?:°\s*(?P<ua>[CFK])?\.?)?(?:{_RANGE_SEP}(?P<b>{_NUM}))?\s*"
    r"(?P<unit>°\s*C|°\s*F|°|deg(?:rees?)?\.?\s*[CFK]?|degC|degF|C|F|K|celsius|kelvin|fahrenheit)?\.?$",
    re.IGNORECASE,
)


# Words before a temperature that do not change its bin: 'below 30°' is read as 30 °C (the bins
# are 30-40 °C wide; the bound is the best value the text gives).
_TEMPERATURE_PREFIXES = (
    "at ", "to ", "about ", "approximately ", "approx. ", "approx ", "ca. ", "ca ", "around ", "near ",
    "below ", "under ", "above ", "over ", "not exceeding ", "not above ", "not below ", "less than ",
    "more than ", "up to ", "at most ", "at least ", "between ", "maintained at ", "kept at ",
    "< ", "> ", "<", ">", "≤", "≥", "~",
)


def parse_temperature(text: str) -> float:
    """Temperature in °C. '25 °C', '0° C', '-78 C', '(-78)° C', '20-25 °C' (midpoint), 'between 0
    and 5 °C', 'below 30°' (30), '300 K', '77 °F', 'rt', 'ice-water bath'.

    A number without any unit or degree sign is unreadable (it could be anything).
    """
    t = _clean(text)
    try:
        return _parse_temperature(t, text)
    except UnreadableQuantity:
        base = _without_trailing_bracket(t)
        if not base:
            raise
        return _parse_temperature(base, text)


def _parse_temperature(t: str, text: str) -> float:
    low = t.lower().rstrip(".")
    while True:
        prefix = next((p for p in _TEMPERATURE_PREFIXES if low.startswith(p) and len(low) > len(p)), None)
        if prefix is None:
            break
        low = low[len(prefix):].lstrip()
    if low in TEMPERATURE_WORDS:
        return TEMPERATURE_WORDS[low]
    m = _TEMPERATURE.match(low)
    if not m:
        raise UnreadableQuantity("temperature", text)
    unit_text = (m.group("unit") or m.group("ua") or "").lower().replace(" ", "")
    if not unit_text and "°" not in low:
        raise UnreadableQuantity("temperature", text)
    a = _to_float(m.group("a"))
    b = _to_float(m.group("b")) if m.group("b") else a
    value = (a + b) / 2
    if unit_text.endswith("f") or unit_text == "fahrenheit":
        return (value - 32.0) * 5.0 / 9.0
    if unit_text.endswith("k") or unit_text == "kelvin":
        return value - 273.15
    return value


_DURATION_PART = re.compile(
    rf"(?P<a>{_NUM}|[a-z-]+\b)(?:{_DURATION_RANGE_SEP}(?P<b>{_NUM}|[a-z-]+\b))?\s*(?P<unit>[a-z]+\.?)(?![a-z])",
    re.IGNORECASE,
)


_NUMBER_UNIT_HYPHEN = re.compile(r"(\d)-(?=[a-z])")  # '3-day', '3-d'


def _number(word: str) -> float:
    w = word.lower()
    if w in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[w])
    return _to_float(w)


def parse_duration(text: str) -> float:
    """Duration in hours. '2 h', '30 min', '1.5 hours', '1-2 h' (midpoint), '2 days', 'overnight',
    '1 h 30 min' (summed), 'two hours', 'an hour', '1/2 hour', 'overnight (16 h)' (the text before
    the bracket). 'a few minutes', 'several hours': unreadable."""
    t = _clean(text).lower().rstrip(".")
    try:
        return _parse_duration(t, text)
    except UnreadableQuantity:
        base = _without_trailing_bracket(t)
        if not base:
            raise
        return _parse_duration(base, text)


def _parse_duration(t: str, text: str) -> float:
    if t in DURATION_WORDS:
        return DURATION_WORDS[t]
    t = _NUMBER_UNIT_HYPHEN.sub(r"\1 ", t)
    t = _FRACTION.sub(lambda m: f"{int(m.group(1)) / int(m.group(2)):g}" if int(m.group(2)) else m.group(0), t)
    t = _FILLERS.sub(" ", t)
    t = " ".join(t.split())
    if t in DURATION_WORDS:
        return DURATION_WORDS[t]
    if not t:
        raise UnreadableQuantity("duration", text)
    total = 0.0
    pos = 0
    parts = 0
    for m in _DURATION_PART.finditer(t):
        if t[pos:m.start()].strip(" ,and"):
            raise UnreadableQuantity("duration", text)
        unit = m.group("unit").rstrip(".") if m.group("unit") not in _DURATION_UNITS else m.group("unit")
        if unit not in _DURATION_UNITS:
            raise UnreadableQuantity("duration", text)
        try:
            a = _number(m.group("a"))
            b = _number(m.group("b")) if m.group("b") else a
        except ValueError:
            raise UnreadableQuantity("duration", text) from None
        if a < 0 or b < 0:
            raise UnreadableQuantity("duration", text)
        total += (a + b) / 2 * _DURATION_UNITS[unit]
        pos = m.end()
        parts += 1
    if parts == 0 or t[pos:].strip():
        raise UnreadableQuantity("duration", text)
    return total


PH_WORDS: dict[str, float] = {"acidic": 3.0, "acid": 3.0, "neutral": 7.0, "basic": 11.0, "alkaline": 11.0}

_PH = re.compile(rf"^(?:ph\s*(?:=|of)?\s*)?(?P<a>{_NUM})(?:{_RANGE_SEP}(?P<b>{_NUM}))?$", re.IGNORECASE)


def parse_ph(text: str) -> float:
    """pH value: '2', 'pH 2', 'pH=8-9' (midpoint), 'acidic' (3), 'neutral' (7), 'basic' (11)."""
    t = _clean(text).lower().rstrip(".")
    for prefix in ("about ", "approximately ", "ca. ", "ca ", "to "):
        if t.startswith(prefix):
            t = t[len(prefix):]
    if t in PH_WORDS:
        return PH_WORDS[t]
    m = _PH.match(t)
    if not m:
        raise UnreadableQuantity("pH", text)
    a = _to_float(m.group("a"))
    b = _to_float(m.group("b")) if m.group("b") else a
    value = (a + b) / 2
    if not 0.0 <= value <= 14.0:
        raise UnreadableQuantity("pH", text)
    return value

"""Mentions inside a procedure clause: chemicals with quantities, temperatures, durations, gases.

Compound names in patents contain brackets, commas, digits and hyphens
("3-(2,3-dichloro-4-methoxybenzyl)-1H-pyrazole"), so every split here happens only at bracket
depth zero and only at ", " / " and " with spaces around, never inside a name. Quantities come
either after the name in brackets ("X (10 g, 52.63 mmol)") or before it with "of"
("18.1 ml (18 mmol) of a 1-molar solution of X"); both become `Chemical(name, quantity=[...])`
as paragraph2actions writes them. Condition texts are kept as written ("0° C", "r.t.", "overnight"),
which is the gold's convention, except for ice baths, which are written "0 °C".
"""
from __future__ import annotations

import functools
from typing import Any, Optional

import regex as re
from paragraph2actions.actions import Chemical

@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# regex's module-level functions look their cache up slowly; these are the same with a faster cache.
def rsearch(pattern: str, string: str, flags: Any = 0) -> Optional[re.Match[str]]:
    return _compiled(pattern, int(flags)).search(string)


def rmatch(pattern: str, string: str, flags: Any = 0) -> Optional[re.Match[str]]:
    return _compiled(pattern, int(flags)).match(string)


def rfullmatch(pattern: str, string: str, flags: Any = 0) -> Optional[re.Match[str]]:
    return _compiled(pattern, int(flags)).fullmatch(string)


def rsub(pattern: str, repl: Any, string: str, count: int = 0, flags: Any = 0) -> str:
    return _compiled(pattern, int(flags)).sub(repl, string, count=count)


def rsplit(pattern: str, string: str, maxsplit: int = 0, flags: Any = 0) -> list[str]:
    return _compiled(pattern, int(flags)).split(string, maxsplit=maxsplit)


NUMBER = r"(?:\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)"
_UNIT = (
    r"(?:mg|g|gm|gms|grams?|kg|µg|μg|ug|mL|ml|Ml|l|L|µL|μL|µl|μl|ul|uL|mmol|mmole|mmoles|mol|moles?|µmol|μmol|umol|"
    r"nmol|millimoles?|milliliters?|millilitres?|liters?|litres?|m\.mol|m\.moles?|parts?(?:\s+by\s+(?:weight|volume))?|m(?=\s*[,;)])|eq\.?|equiv\.?|equivalents?|M|N|mM|%|wt\.?\s?%|"
    r"drops?|ppm|cc)(?:\.(?=\s|$|[,;)]))?"
)
# units that name an amount (not a concentration): a quantity written before a name without "of"
_AMOUNT_UNIT = r"(?:mg|g|gm|gms|grams?|kg|mL|ml|l|L|µL|μL|µl|μl|ul|mmol|mol|moles?|millimoles?|cc|parts?)\.?"
QUANTITY = rf"(?:[~˜≈]\s?|ca\.\s?|about\s|approx\.\s?|approximately\s)?{NUMBER}(?:\s?[-–]\s?{NUMBER})?\s?{_UNIT}(?![\p{{L}}\d])"
_QUANTITY_FULL = re.compile(rf"^{QUANTITY}\.?$")
_REPEATED_QUANTITY = re.compile(rf"^(\d+)\s?[x×X*]\s?({QUANTITY})$")
_LEADING_QUANTITY = re.compile(
    rf"^(?P<q>{QUANTITY}(?:\s?[x×]\s?{QUANTITY})?)\s*(?:\((?P<q2>[^()]*)\)\s*)?of\s+(?P<name>.+)$"
    rf"|^(?P<q>{NUMBER}\s?{_AMOUNT_UNIT})\s*(?:\((?P<q2>[^()]*)\)\s*)?(?!of\b)(?P<name>[\p{{L}}\d(\[].+)$"
)
_NAME_CONTINUATION = re.compile(
    r"^(?:(?:mono|di|tri)?(?:methyl|ethyl|propyl|isopropyl|butyl|tert-butyl|t-butyl|benzyl|phenyl|allyl)\s+)?"
    r"(?:ester|esters|salt|(?:mono|di|tri|hemi|sesqui)?hydrochloride|hydrobromide|(?:mono|di|tri|hemi)?hydrate|"
    r"sodium salt|potassium salt|lithium salt|N-oxide|methiodide|hydroiodide)(?:\s*\(.*\))?$",
    re.I,
)
_REFERENCE = re.compile(
    r"\b(?:see|Example|Ex\.|Step|Intermediate|Preparation|Reference|prepared|described|synthesi[sz]ed|obtained|"
    r"from|WO|EP|US|JP|Table|Method|compound)\b|\bWO\d|\bEP\d|\bUS\d",
    re.I,
)
_ARTICLES = re.compile(
    r"^(?:(?:a mixture of|a small amount of|a total of|a portion of|an excess of|a further|a catalytic amount of|"
    r"a little|little|(?:the\s+)?addition of|excesses of|stirring|stirred|"
    r"(?:an?\s+)?(?:equal|small|large|excess|sufficient|catalytic|additional|further|minimum|minimal)\s+(?:quantity|volume|amount|portion)s?\s+of|"
    r"a|an|the|some|additional|further|more|another|fresh|then|also|successively|sequentially|each|"
    r"same|first|second|third|finally|next|subsequently|thereafter|again|moreover|furthermore|meanwhile|"
    r"additionally|likewise|similarly|portions? of|excess(?: of)?|small amount of|"
    r"a small amount of|a mixture of|total of|a total of|amount of)\s+)+",
    re.I,
)
_FILLERS = re.compile(
    r"\s*,?\s*\b(?:all at once|at once|in (?:one|a single) portion|in (?:several |small |\w+ )?portions|portion-?wise|"
    r"in one go|slowly|carefully|cautiously|quickly|rapidly|thereto|successively|sequentially|gradually|"
    r"(?:with|under|while) (?:vigorous |constant |continuous |efficient |good |rapid )?stirring|"
    r"with (?:occasional )?(?:swirling|shaking)|in vacuo|under (?:reduced pressure|vacuum|high vacuum)|"
    r"via (?:a )?(?:syringe|cannula|dropping funnel|addition funnel)|by syringe|by cannula|via syringe pump|"
    r"in one lot|at a time|together|simultaneously|in turn|with (?:external |ice[- ]|water[- ])?cooling|respectively|in (?:this|that) order|by using|by means of|"
    r"in an?\s+(?:[\w-]+\s+){0,4}?(?:flask|vessel|reactor|autoclave|tube|bottle|beaker|apparatus)\b(?:\s+(?:fitted|equipped)\s+with\b.*)?)\b",
    re.I,
)
_PREPARED_SUFFIX = re.compile(
    r"\s*,?\s+(?:(?:as )?(?:prepared|obtained|synthesi[sz]ed|described|made|produced|formed)\s+"
    r"(?:in|above|as|according|from|by|previously|before|earlier|under|in the)\b.*|prepared above|obtained above|"
    r"from (?:Example|Step|Preparation|Intermediate|Reference|Stage)\b.*)$",
    re.I,
)
_FORM_PREFIX = re.compile(
    r"^(?:(?:pale|light|dark|bright|white|yellow|orange|red|brown|red-brown|colou?rless|off-white|crude|pure|"
    r"solid|oily|beige|tan|pink|green|purple|black|grey|gray)[\s-]+)+(?:solid|oil|powder|compound|product|"
    r"material|crystals|gum|foam)\s+(?=\S*[A-Za-z]\S*[\d\[\(-]|\S*[\d\[\(-]\S*[A-Za-z])",
    re.I,
)
_GENERIC = re.compile(
    r"^(?:the\s+|this\s+|that\s+|these\s+|said\s+|which\s*|it\s*$)?(?:(?:crude|resulting|resultant|reaction|remaining|"
    r"combined|obtained|above|same|whole|entire|final|filtered|cooled|cold|warm|hot|stirred|clear|organic|"
    r"aqueous|solid|residual|precipitated|separated|dried|concentrated|required|pure|pooled|collected|"
    r"product-containing|appropriate|desired|homogeneous|heterogeneous|yellow|white|brown|dark|pale|red|orange|"
    r"two|both|biphasic|suspended|thick|light|colou?rless|turbid|cloudy|viscous|free|title|starting|"
    r"first|second|dry|wet|mother|filtrate|previous|latter|former|solvent|evaporation|resulted|formed|"
    r"insoluble|precipitated|inorganic|oily|semi-solid|boiling|refluxing|cooled|warm|ice-cold|decanted|stirring)\s+)*"
    r"(?:mixtures?|residues?|solutions?|suspensions?|slurry|slurries|reactions?|reaction mixture|products?|"
    r"materials?|solids?|precipitates?|filtrates?|extracts?|layers?|phases?|oils?|concentrates?|contents|"
    r"filter cake|cake|crystals|mass|compounds?|solvents?|it|this|them|batch|vessel|flask|system|"
    r"fractions?|liquors?|mother liquors?|gum|foam|powder|substance|liquid|portion|volatiles|emulsion|"
    r"free base(?: of the product)?|base|salt|acid|amine|ester|intermediate|ones?|all|crude|mixture thus obtained|samples?|"
    r"(?:[\w-]+\s+)?reactions?|"
    r"obtained residue thus|reactants?|reagents?|filter|funnel|apparatus|tube|mixture obtained|"
    r"(?:compound|product|material|residue|solid|oil|solution|mixture)\s+(?:thus\s+|so\s+)?(?:obtained|formed|prepared))$",
    re.I,
)


_BRACKET = re.compile(r"[()\[\]{}]")


@functools.lru_cache(maxsize=256)
def depths(text: str) -> tuple[int, ...]:
    """Bracket depth before each character (unbalanced closers stay at zero); cached, clauses are re-read."""
    if "(" not in text and "[" not in text and "{" not in text:
        return (0,) * len(text)
    depth = 0
    last = 0
    out: list[int] = []
    for m in _BRACKET.finditer(text):  # jump from bracket to bracket
        i = m.start()
        out.extend([depth] * (i - last + 1))
        if text[i] in "([{":
            depth += 1
        elif depth > 0:
            depth -= 1
        last = i + 1
    out.extend([depth] * (len(text) - last))
    return tuple(out)


def split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split at the matches of `pattern` that lie outside brackets."""
    if not text:
        return []
    d = depths(text)
    parts = []
    start = 0
    for m in pattern.finditer(text):
        if m.start() < start or d[m.start()] > 0 or (m.end() < len(text) and d[m.end() - 1] > 0):
            continue
        if m.start() == m.end() and m.start() == start:
            continue
        parts.append(text[start : m.start()])
        start = m.end()
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


def find_top(text: str, pattern: re.Pattern[str], start: int = 0) -> Optional[re.Match[str]]:
    """First match of `pattern` outside brackets."""
    d = depths(text)
    for m in pattern.finditer(text, start):
        if d[m.start()] == 0:
            return m
    return None


_INNERMOST_GROUP = re.compile(r"\([^()\[\]{}]*\)|\[[^()\[\]{}]*\]|\{[^()\[\]{}]*\}")


def strip_brackets(text: str) -> str:
    """The text with every bracketed group removed (for classification, never for names)."""
    for _ in range(10):
        shorter = _INNERMOST_GROUP.sub("", text)
        if shorter == text:
            break
        text = shorter
    return text


# ---------------------------------------------------------------- conditions
_TNUM = r"(?:\([-−–]\s?\d+(?:\.\d+)?\)|[-−–]?\s?\d+(?:\.\d+)?)"  # "(−78)° C" keeps its brackets
_DEG = r"(?:°\s?C\b\.?|°\s?C|℃|°\s?F\b|°(?!\s?\d)|\s?deg(?:rees?)?\.?\s?C(?:elsius)?\b|\s?degrees?\b|\s?K\b(?=\s|$|[,.;)]))"
_TEMP_VALUE = rf"{_TNUM}\s?(?:°\s?(?:C\b\.?)?)?(?:\s?(?:-|–|to|and)\s?{_TNUM})?\s?{_DEG}"
_COMPARATOR = r"(?:(?:below|above|under|not exceeding|not above|less than|lower than|higher than|at least|about|approximately|around|ca\.|near|between|from)\s|[<>≤≥]\s?|[~˜]\s?)"
_TEMPERATURE = re.compile(
    rf"(?P<value>{_COMPARATOR}?{_TEMP_VALUE})"
    r"|\b(?P<named>(?:room|ambient) temperature|r\.t\.|rt\b|RT\b|r\.t\b|(?:the )?same temperature|"
    r"(?:that|this) temperature|reflux temperature)"
)
_ICE = re.compile(
    r"\b(?:ice[-/ ]?(?:water|salt)?[- ]?(?:bath|cooling|cooled|cold)|under ice|with ice(?![-/ ]?water)|ice-bath|"
    r"cooling with ice|in ice(?![-/ ]?water)|ice bath)\b",
    re.I,
)
_DRY_ICE = re.compile(r"\bdry[- ]ice(?:[-/ ](?:acetone|isopropanol|ethanol|methanol))?(?: bath)?\b", re.I)
_NUMBER_WORD = (
    r"(?:\d+(?:\.\d+)?|(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty|several|a few|few|half an?|one and a half))"
)
_DURATION_UNIT = (
    r"(?:(?i:hours?|hrs?\.?|minutes?|mins?\b\.?|days?|seconds?|secs?\b|weeks?|nights?)|(?:h|hr|d|s|min)(?![\w]))"
)
_ONE_DURATION = rf"(?:{_NUMBER_WORD}(?:\s?(?:-|–|to|or)\s?{_NUMBER_WORD})?[\s-]?{_DURATION_UNIT}|(?i:an?)\s+(?i:hour|minute|day|week|night))"
_DURATION_CORE = rf"{_ONE_DURATION}(?:\s?(?:and|,)?\s?{_ONE_DURATION})?"
_DURATION = re.compile(
    rf"(?<![\w.])(?P<d>{_DURATION_CORE}|(?i:overnight|over\s?night|over the weekend))(?![\w])"
)
_ADD_DURATION = re.compile(
    rf"\b(?:over|during|within|in the course of)\s+(?:(?:a period of|the course of|a|an|approximately|about|ca\.)\s*)*(?P<d>{_DURATION_CORE})(?:\s+period)?"
)
_ATMOSPHERE = re.compile(
    r"\b(?i:under|in|with)\s+(?:an?\s+|the\s+)?(?:(?:dry|inert|positive pressure of|stream of|flow of|blanket of|"
    r"atmosphere of|balloon of|slight)\s+)*(?P<gas>nitrogen|argon|N2|Ar|helium|He|hydrogen|H2|air|oxygen|O2|"
    r"CO|carbon monoxide|inert atmosphere|inert gas)\b(?:\s+(?:atmosphere|gas|balloon|stream|flow|pressure))?",
)
_DROPWISE = re.compile(r"\b(?:drop-?wise|drop by drop|in drops)\b", re.I)


def clean_condition(text: str) -> str:
    """A condition as the gold writes it: trimmed, without the sentence's full stop after 'C'."""
    text = text.strip().strip(",;")
    if text.endswith(".") and not rsearch(r"\b\w\.\w\.$", text):
        text = text[:-1].rstrip()
    return text


def temperature(text: str) -> Optional[tuple[str, int, int]]:
    """The first temperature mentioned (text, start, end); an ice bath is '0 °C'."""
    ice = _ICE.search(text)
    if ice:
        return "0 °C", ice.start(), ice.end()
    dry = _DRY_ICE.search(text)
    if dry:
        return "-78 °C", dry.start(), dry.end()
    m = _TEMPERATURE.search(text)
    if not m:
        return None
    if m.group("named"):
        named = m.group("named")
        if "same" in named or named.lower() in ("that temperature", "this temperature"):
            return "same temperature", m.start(), m.end()
        if named.lower() == "reflux temperature":
            return None
        return clean_condition(named) if named != "r.t." else named, m.start(), m.end()
    return clean_condition(m.group("value")), m.start(), m.end()


def duration(text: str) -> Optional[tuple[str, int, int]]:
    """The first duration (text, start, end), as written ('1 hour and 30 minutes', 'overnight')."""
    for m in _DURATION.finditer(text):
        d = m.group("d")
        if rmatch(r"^(?:an?|several|a few|few)\s+(?:s|d|h)\b", d, re.I):
            continue  # "a d" / "a s" are not durations
        if rsearch(r"\d\s?(?:s|d)$", d) and not rsearch(r"\b(?:for|after|over|during)\s+$", text[: m.start()]):
            continue  # "2 d" only after a preposition
        d = rsub(r"^(?:an? )(?=\d)", "", d)
        return clean_condition(d) if not d.endswith("h.") else d[:-1], m.start(), m.end()
    return None


def add_duration(text: str) -> Optional[str]:
    """Addition time ('over 30 min', 'over a 30 minute period')."""
    m = _ADD_DURATION.search(text)
    return clean_condition(m.group("d")) if m else None


def atmosphere(text: str) -> Optional[str]:
    m = _ATMOSPHERE.search(text)
    if not m:
        return None
    gas = m.group("gas")
    if gas in ("air", "oxygen", "O2", "CO", "carbon monoxide", "H2", "hydrogen", "He") and not m.group(0).lower().startswith("under"):
        return None
    return gas


def is_dropwise(text: str) -> bool:
    return bool(_DROPWISE.search(text))


_MODIFIER_PATTERNS = [
    re.compile(r"\s*,?\s*\b(?:which\s+(?:had\s+been|has\s+been|was)\s+)?(?:pre-?)?cooled\s+(?:using|with|in|by|on)\s+(?:an?\s+|the\s+)?[\w/-]*\s?bath\b", re.I),
    re.compile(rf"\s*,?\s*\b(?:at|to|from|between|under|with|while|during|in|on|using|by)?\s*(?:a\s+)?(?:temperature\s+(?:of\s+)?)?(?:{_COMPARATOR})?{_TEMP_VALUE}"),
    re.compile(
        r"\s*,?\s*\b(?:at|to)\s+(?:(?:room|ambient) temperature|r\.t\.|rt\b|RT\b|(?:the )?same temperature|"
        r"(?:that|this) temperature|reflux(?: temperature)?)"
    ),
    re.compile(
        r"\s*,?\s*\b(?:(?:with|under|while|by|using|in|on|upon)\s+(?:an?\s+|the\s+)?)?(?:cooling\s+(?:with|in|by|using)\s+(?:an?\s+|the\s+)?)?"
        r"(?:ice[-/ ]?(?:water|salt)?[- ]?(?:bath|cooling|cold)|ice-bath|ice bath)(?:\s+cooling)?\b",
        re.I,
    ),
    re.compile(rf"\s*,?\s*\b(?:for|over|during|within|in the course of)\s+(?:(?:a period of|the course of|a further|an additional|additional|another|a|an|approximately|about|ca\.)\s*)*{_DURATION_CORE}(?:\s+period)?"),
    re.compile(r"\s*,?\s*\b(?:overnight|over\s?night)\b", re.I),
    re.compile(rf"^\s*(?:after|within)\s+(?:a\s+further\s+|another\s+|an\s+additional\s+)?{_DURATION_CORE},?", re.I),
    _ATMOSPHERE,
    re.compile(r"\s*,?\s*\b(?:drop-?wise|drop by drop|in drops)\b", re.I),
    _FILLERS,
]


# A cheap substring test per pattern (lower-cased text): most clauses have few modifiers.
_MODIFIER_GUARDS: list[tuple[str, ...]] = [
    ("bath",),
    ("°", "deg", "℃", " k"),
    ("temperature", "rt", "r.t", "reflux"),
    ("ice",),
    ("for", "over", "during", "within", "course"),
    ("night",),
    ("after", "within"),
    ("nitrogen", "argon", "n2", "ar", "helium", "he", "hydrogen", "h2", "air", "oxygen", "o2", "co", "inert"),
    ("drop",),
    ("once", "portion", "slow", "careful", "cautious", "quick", "rapid", "thereto", "success", "sequential", "gradual",
     "stirring", "swirling", "shaking", "vacuo", "pressure", "vacuum", "syringe", "cannula", "funnel", "lot", "time",
     "together", "simultaneous", "one go"),
]
_MODIFIERS = list(zip(_MODIFIER_PATTERNS, _MODIFIER_GUARDS))


def strip_modifiers(text: str) -> str:
    """`text` without temperature, duration, atmosphere, dropwise and manner phrases."""
    low = text.lower()
    for pattern, guard in _MODIFIERS:
        if any(g in low for g in guard) and pattern.search(text):
            text = _sub_top(pattern, text)
    return text.strip(" ,;.")


def _sub_top(pattern: re.Pattern[str], text: str) -> str:
    d = depths(text)
    pieces = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() < last or d[m.start()] > 0:
            continue
        pieces.append(text[last : m.start()])
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces)


# ---------------------------------------------------------------- chemicals
_LIST_SEPARATOR = re.compile(
    r"\s*,\s+(?:and\s+|then\s+|followed\s+by\s+|as well as\s+)?|\s+(?:and|then|plus|followed\s+by|followed|as well as|along with|together with|&)\s+|\s*;\s+"
)
_QUANTITY_ITEM = re.compile(rf"^(?P<q>{QUANTITY}(?:\s*\([^()]*\))?)\.?$")
_PERCENT_ONLY = re.compile(r"^\d+(?:\.\d+)?\s?%(?:\s*\(.*\))?$")


def _quantity_parts(inside: str) -> tuple[list[str], list[str], int]:
    """(quantities, other parts kept in the name, repetitions) of a bracket's content."""
    inside = rsub(r"\byield\s*:?\s*", "", inside, flags=re.I)
    inside = inside.replace("(", ", ").replace(")", "")
    quantities: list[str] = []
    others: list[str] = []
    repetitions = 1
    for raw in rsplit(r"\s*[,;]\s*", inside):
        part = raw.strip()
        if not part:
            continue
        rep = _REPEATED_QUANTITY.match(part)
        if rep:
            repetitions = int(rep.group(1))
            quantities.append(rep.group(2).rstrip("."))
        elif _QUANTITY_FULL.match(part):
            quantities.append(part.rstrip(".") if not part.endswith("%.") else part[:-1])
        elif _REFERENCE.search(part) or rfullmatch(r"[A-Z]?\d+[a-z]?|[A-Z]\d*|[IVX]+", part):
            continue
        elif rsearch(r"\d", part) and rsearch(r"/|%|\bwt\b", part):
            others.append(part)  # a property of the material ("3.2 mmol/g"), kept in its name
    return quantities, others, repetitions


def _trailing_group(name: str) -> Optional[int]:
    """Start of a bracketed group that closes the name, if any."""
    if not name.endswith(")"):
        return None
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        ch = name[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                return i if i > 0 and name[i - 1] == " " else None
    return None


def _outside_brackets(text: str, index: int) -> bool:
    """Whether position `index` of `text` lies outside brackets."""
    return depths(text)[index] == 0


def is_generic(name: str) -> bool:
    """A reference to what is in the flask ('the residue', 'the mixture'), not a compound."""
    return bool(_GENERIC.match(name.strip()))


_SPELLED_QUANTITY = re.compile(
    r"^(?P<q>(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|fifty|a hundred|one hundred)"
    r"\s+(?:milliliters?|millilitres?|liters?|litres?|grams?|kilograms?|drops?|equivalents?|moles?|millimoles?))\s+of\s+",
    re.I,
)
_REFERRING_PREFIX = re.compile(r"^(?:resulting|resultant|said|above|above-mentioned|aforementioned|aforesaid|previously prepared)\s+", re.I)
_OF_THEORY = re.compile(
    r"^(?:in\s+)?(?:an?\s+)?(?P<p>\d+(?:\.\d+)?\s?%)\s+(?:of\s+(?:the\s+)?theory\s+of|yield(?:\s+of)?)\s+(?:the\s+)?", re.I
)
_AMOUNT_OF = re.compile(rf"\s+in\s+(?:an?\s+)?(?:amount|quantity|yield)\s+of\s+(?P<q>{QUANTITY})\s*$", re.I)
_STARTS_WITH_DURATION = re.compile(rf"^{_DURATION_CORE}\b")
_EQUIPMENT = re.compile(
    r"\b(?:flask|vessel|reactor|autoclave|apparatus|funnel|beaker|bottle|vial|condenser|column|hydrogenator|stirrer|"
    r"thermometer|device)s?(?:\s+(?:equipped|fitted|provided)\b.*)?$",
    re.I,
)
_STOPWORDS = frozenset(
    """a an the it of in on at to with and or by from this that which these them its as is was then again further
    also thereafter subsequently now first finally additionally latter former""".split()
)
_DESCRIPTOR_TAIL = re.compile(
    r"(?:,\s*|\s+)(?:which|that|having|melting|m\.p\.|mp\b|b\.p\.|with an? (?:m\.p\.|melting|boiling)|"
    r"and has|in the form of|as an? |as the |named in|until|while|whilst|maintaining|keeping|at such a rate|at a rate|"
    r"so that|so as|equipped with|fitted with|in an? (?:\w+ )?manner|instead of|(?:pre-?)?cooled|heated|warmed|chilled|"
    r"kept|maintained|added|dropped|resulted|resulting in|caused|led to|for\s+(?:the\s+)?\w+ations?|with the)\b.*$|"
    r"\s+(?:with|having|and has|and|or|then|plus|of|in|at|to|by|from|for)\s*(?:an?\s*)?$",
    re.I,
)


def chemical(text: str) -> Optional[tuple[Chemical, int]]:
    """A Chemical and its repetitions from one mention; None for references to the flask content."""
    text = _FILLERS.sub("", text).strip(" ,;.:")
    text = rsub(r"^(?:(?:of|with|in|into|to|by|using|from|onto|and|or|then|plus|followed\s+by)\s+)+", "", text, flags=re.I)
    spelled = _SPELLED_QUANTITY.match(text)
    if spelled:  # "Five milliliters of methanol"
        text = f"{text[spelled.end():]} ({spelled.group('q')})"
    text = _ARTICLES.sub("", text).strip()
    if not text:
        return None
    untimed = rsub(r"^(?:(?:after|for|during|over|within|another|final|the final|a further|additional)\s+)+", "", text, flags=re.I)
    timed = _STARTS_WITH_DURATION.match(untimed)
    if timed:  # "After 1 hour 40 minutes water (20 ml)": the time is no part of the name
        text = untimed[timed.end() :].strip(" ,")
        if not text:
            return None
    clause = rsearch(r"\s+(?:was|were|is|are|had|has|have|being)(?:\s+|$)", text)
    if clause and clause.start() > 0 and _outside_brackets(text, clause.start()):
        text = text[: clause.start()].strip()
    quantities: list[str] = []
    repetitions = 1
    theory = _OF_THEORY.match(text)
    if theory:
        quantities.append(theory.group("p"))
        text = text[theory.end() :]
    amount = _AMOUNT_OF.search(text)
    if amount and amount.start() > 0:
        quantities.append(amount.group("q").rstrip("."))
        text = text[: amount.start()].strip()
    lead = _LEADING_QUANTITY.match(text)
    if lead and not rmatch(r"^\d+(?:\.\d+)?\s?%$", lead.group("q")):
        q = lead.group("q")
        rep = _REPEATED_QUANTITY.match(q)
        if rep:
            repetitions = int(rep.group(1))
            q = rep.group(2)
        quantities.append(q.rstrip("."))
        if lead.group("q2"):
            extra, _, _ = _quantity_parts(lead.group("q2"))
            quantities.extend(extra)
        text = _ARTICLES.sub("", lead.group("name")).strip()
    stripped = _PREPARED_SUFFIX.sub("", text).strip()
    if stripped and not is_generic(stripped):
        text = stripped
    name = text
    # bracketed groups at the end: quantities, references (dropped) or part of the name
    tail_names: list[str] = []
    for _ in range(3):
        start = _trailing_group(name)
        if start is None:
            break
        found, others, reps = _quantity_parts(name[start + 1 : -1])
        inside = name[start + 1 : -1]
        if found:
            quantities = found + quantities if not quantities else quantities + found
            repetitions = max(repetitions, reps)
            tail_names = [f"({o})" for o in others] + tail_names
            name = name[:start].rstrip()
        elif _REFERENCE.search(inside) and not rsearch(r"\d+[RS]|[RS]\)|\b[RS],", inside):
            name = name[:start].rstrip()
        else:
            break
    stripped = _PREPARED_SUFFIX.sub("", name).strip()
    if stripped and not is_generic(stripped):
        name = stripped
    # references in brackets inside the name ("(for a synthesis see WO...)")
    name = rsub(r"\s\((?:for (?:a |the )?(?:synthesis|preparation)|see|prepared|obtained|described|from Example|Example|Intermediate)\b[^()]*(?:\([^()]*\)[^()]*)*\)", "", name, flags=re.I)
    name = _FORM_PREFIX.sub("", name).strip()
    referring = _REFERRING_PREFIX.match(name)
    if referring and not is_generic(name[referring.end() :]):
        name = name[referring.end() :]
    name = rsub(r"\s+containing\s+(?:some|a little|traces? of|about|ca\.?)\b.*$", "", name, flags=re.I)
    name = _DESCRIPTOR_TAIL.sub("", name).strip(" ,;.:")
    if name.lower() in _STOPWORDS or _EQUIPMENT.search(name):
        return None
    if tail_names:
        name = name + " " + " ".join(tail_names)
    if not name or (not quantities and is_generic(name)):
        return None
    if is_generic(name) and quantities and rmatch(r"^(?:the\s+)?(?:reaction\s+)?(?:mixture|solution)$", name, re.I):
        return None
    if len(name) > 300:
        return None
    return Chemical(name, quantity=quantities), repetitions


_IN_AMOUNT = re.compile(rf"(?P<sep>\s+in\s+(?:about\s+|ca\.\s*)?)(?={QUANTITY}\s+(?:of\s+)?\S)")
_IN_AFTER_BRACKET = re.compile(r"(?<=\))(?P<sep>\s+in\s+)(?=\S)")
_GENERIC_IN = re.compile(
    r"^(?:the\s+)?(?:crude\s+|resulting\s+|remaining\s+|solid\s+|oily\s+)*(?:residue|product|solid|oil|precipitate|material)\s+"
    r"(?:(?:dissolved|taken up|suspended)\s+)?in\s+(?P<solvent>.+)$",
    re.I,
)


def _in_after_quantity(item: str) -> Optional[re.Match[str]]:
    """' in ' right after a quantity bracket ('1-bromopropane (51 ml) in propan-1-ol')."""
    if " in " not in item:
        return None
    m = find_top(item, _IN_AFTER_BRACKET)
    if m is None:
        return None
    start = _trailing_group(item[: m.start()])
    if start is None or not _quantity_parts(item[start + 1 : m.start() - 1])[0]:
        return None
    return m


def chemicals(text: str) -> list[tuple[Chemical, int]]:
    """Chemicals of a list ('A (1 g), B and 3 ml of C'), in order; flask references are skipped."""
    text = strip_modifiers(text)
    items = split_top(text, _LIST_SEPARATOR)
    merged: list[str] = []
    for item in items:
        # "sodium hydride, 60% (160 mg)" is one compound; "(2.0 g)" alone belongs to the previous one
        if merged and _QUANTITY_ITEM.match(item):
            merged[-1] = f"{merged[-1]} ({_QUANTITY_ITEM.match(item).group('q').strip()})"  # type: ignore[union-attr]
            continue
        if merged and _NAME_CONTINUATION.match(item) and not _LEADING_QUANTITY.match(item):
            merged[-1] = f"{merged[-1]}, {item}"
            continue
        if merged and (_PERCENT_ONLY.match(item) or item.startswith("(")):
            merged[-1] = f"{merged[-1]}, {item}" if not item.startswith("(") else f"{merged[-1]} {item}"
            continue
        merged.append(item)
    split_items: list[str] = []
    for item in merged:
        inside = find_top(item, _IN_AMOUNT) or _in_after_quantity(item)
        if inside is not None and inside.start() > 0:
            # "2-imidazolidinone in 250 ml of DMSO": the solute and its solvent, both added
            split_items.extend([item[: inside.start()], item[inside.start() + len(inside.group("sep")) :]])
        else:
            split_items.append(item)
    out = []
    for item in split_items:
        generic_in = _GENERIC_IN.match(item)
        if generic_in:
            item = generic_in.group("solvent")
        found = chemical(item)
        if found is not None:
            out.append(found)
    return out

"""Procedure text -> paragraph2actions actions, by rules (a model-free D2A step).

Smiles2Actions trains on actions extracted from patent procedures by the paragraph2actions model.
Where that model is not at hand, these rules do the same job well enough to build a training set:
a sentence is split into clauses at commas / "and" / "then" outside brackets, each clause is
classified by its lab verb (passive or active voice), and the verb's arguments become actions
with the conventions of the paragraph2actions annotations ("To a solution of A in B was added C"
-> MAKESOLUTION with A and B; ADD SLN; ADD C). Whole sentences that describe no operation map to
NOACTION, references to other procedures to FOLLOWOTHERPROCEDURE, non-English text to
OTHERLANGUAGE. Nothing here raises on odd input: the result is a list of actions, possibly empty.
"""
from __future__ import annotations

from typing import Callable, Optional

import regex as re

import s2a.formats.action_format  # noqa: F401  (makes the readable converter's type check robust)
from paragraph2actions.actions import (
    PH,
    Action,
    Add,
    Chemical,
    CollectLayer,
    Concentrate,
    Degas,
    DrySolid,
    DrySolution,
    Extract,
    Filter,
    FollowOtherProcedure,
    InvalidAction,
    MakeSolution,
    Microwave,
    NoAction,
    OtherLanguage,
    Partition,
    PhaseSeparation,
    Purify,
    Quench,
    Recrystallize,
    Reflux,
    SetTemperature,
    Sonicate,
    Stir,
    Triturate,
    Wait,
    Wash,
    Yield,
)
from paragraph2actions.readable_converter import ReadableConverter

from preprocessing import text_mentions as tm
from preprocessing.text_mentions import rmatch, rsearch, rsplit, rsub
from preprocessing.sentences import split_sentences

MAX_SENTENCE_CHARS = 3000  # longer "sentences" are tables or run-on text, not procedures
SOLUTION = "SLN"

# ---------------------------------------------------------------- whole-sentence classes
_FOREIGN_WORD = re.compile(
    r"(?<![\w-])(?:und|wurde|wurden|mit|der|dem|den|das|zu|bei|nach|eine[mnrs]?|wird|werden|unter|Stunden?|"
    r"gelöst|zugegeben|gerührt|auf|anschließend|Lösung|danach|dann|Wasser|erhalten|abgekühlt|über|je|"
    r"est|avec|dans|les|une|sont|puis|pendant|été|ajouté|mélange|et|sous|durante|fue|los|las|una|mezcla|"
    r"agua|para|sobre|che|della|sono|il)(?![\w-])",
    re.I,
)
_ENGLISH_WORD = re.compile(
    r"\b(?:the|was|were|and|with|of|to|in|added|stirred|is|are|for|at|mixture|solution|then|by|from|under)\b", re.I
)
_NON_LATIN = re.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Cyrillic}\p{Arabic}\p{Hebrew}\p{Thai}\p{Devanagari}]")
_LETTER = re.compile(r"\p{L}")
_ANALYSIS_START = re.compile(
    r"^\s*(?:\d+\s?)?(?:1H|13C|19F|31P|11B|15N|H|C|\d+H)[\s-]?NMR"
    r"|^\s*(?:\(?(?:ESI|ES|EI|APCI|CI|FAB|DCI|MALDI|HR|LR|ESI-?MS)[+\-]?\)?[\s:-]?)?(?:MS|HRMS|LCMS|LC-MS|LC/MS|GC-?MS|GC/MS|UPLC-?MS|m/z|MH\+|MS\s?\()"
    r"|^\s*(?:IR|UV|Anal\b|Analysis|Elemental analysis|Calc(?:d|ulated)?|Found|mp\b|m\.p\.|M\.p\.|Mp\b|M\.P\.|b\.p\.|bp\b|"
    r"Rf\b|R\.f\.|TLC\b|Retention time|tR\b|Rt\b|\[α\]|\[a\]|Optical rotation|Yield\b|Purity|Chiral HPLC|δ|"
    r"Melting point|Boiling point|MW\b|Mass spectrum|HPLC(?:\s?\(|:|\s+(?:Rt|retention|purity|method))|NMR|ESI|ES\+|ES-|EI\b|APCI|LRMS|HRMS)",
    re.I,
)
_ANALYSIS_TAIL = re.compile(
    r"(?:[:;.,]\s+|\s+)(?:(?:with|having|and\s+has|which\s+had)\s+(?:an?\s+)?)?(?=(?:\d+\s?)?(?:1H|13C|19F)[\s-]?NMR|(?:ESI|EI|APCI|HR|LR|LC)?[-/]?MS\s?[(:]|MS\s?\(|m\.p\.|M\.p\.|M\.P\.|mp\s+\d|melting\s+(?:at|point)|melts?\s+at|b\.p\.|"
    r"LC/MS|LCMS|LC-MS|Rf\s?[=:]|IR\s?\(|Anal\.|m/z|\[α\]|δ\s?\d|HPLC\s?(?:\(|:|Rt|purity|retention))"
)
_COLON_TAIL = re.compile(r":\s+")
_FOP = re.compile(
    r"\b(?:according to|following|as described (?:in|for|above|previously|under|earlier)|as in|analogous(?:ly)?(?: to)?|"
    r"in (?:a|an) (?:similar|analogous|like|same|comparable|identical) (?:manner|fashion|way)|"
    r"in the same (?:manner|way|fashion)|(?:similar|identical|analogous) (?:to|procedure|conditions|method)|"
    r"by (?:the )?(?:general )?(?:procedures?|methods?)|using (?:the )?(?:general )?(?:procedures?|methods?|protocols?)|"
    r"(?:procedures?|methods?) (?:of|described)|(?:was|were) repeated|repeating|as for|as per)\b",
    re.I,
)
_FOP_STRONG = re.compile(
    r"\b(?:in (?:a|an) (?:similar|analogous|like|comparable|identical) (?:manner|fashion|way)|analogously|"
    r"in the same (?:manner|way|fashion) as|(?:according to|following|by|using) (?:the )?(?:general )?"
    r"(?:procedures?|methods?|protocols?) (?:of|described|outlined|given|used)|as described (?:in|for|above|previously)|"
    r"(?:was|were) (?:prepared|synthesi[sz]ed|obtained|made) (?:similarly|analogously|likewise))\b",
    re.I,
)
_FOP_REFERENCE = re.compile(
    r"\b(?:Example|Ex\.|Procedure|Method|Step|Scheme|Preparation|Intermediate|Reference|Route|Protocol|"
    r"procedure|method|protocol)\b|\b\d+[a-z]\b|\b\d+-\d+\b",
    re.I,
)
_REACTED_IN_PRESENCE = re.compile(r"\breacted with\b.*\b(?:in (?:the )?presence of|using)\b", re.I)
_LITERATURE = re.compile(r"\b(?:Example|WO|EP|GB|US|JP|DE|Appl\.|J\.|Synthesis|Chem\.|Tetrahedron|Lett\.)\s?\d|\bAppl\.|\bexample\b", re.I)
_INVALID = re.compile(r"\blyophili[sz]|\bfreeze-?dri|\bfrozen\b|\bboiled with (?:activated )?(?:carbon|charcoal)", re.I)
_NOT_ACTION = re.compile(
    r"\b(?:analy[sz]ed|characteri[sz]ed|confirmed|identified|determined|measured|monitored|checked|"
    r"assayed|verified|estimated)\s+(?:by|using|with|via)\b|\battempt\b|\bwas used (?:in|for|directly|without)|"
    r"\bused (?:directly |as such )?(?:in|for) the (?:next|subsequent|following)\b|"
    r"\bhad\s+an?\s+(?:[\w-]+\s+){0,3}?(?:melting|boiling|weight|molecular|purity|optical|content|value|m\.p\.|mp|"
    r"ratio|retention|Rf|specific|viscosity|transmittance|analysis|spectrum)",
    re.I,
)
_SUBORDINATE_DONE = re.compile(
    r"^(?:when|once|as soon as|after|until|while|as)\b.*?\b(?:ceased|subsided|subsides|completed?|finished|"
    r"was over|stopped|had ceased|consumed|disappeared|complete|ended|ceases|stops|completion|completing)\b"
    r"|^(?:after|once|when)\b[^,]*?\bhad\s+been\s+\w+\b",
    re.I,
)
_WITHOUT_PURIFICATION = re.compile(r",?\s*\b(?:without|with no)\s+(?:any\s+)?(?:further|additional)?\s*purification\b", re.I)
_PURPOSE = re.compile(
    r"\s+(?:in order\s+)?to\s+(?:precipitate|dissolve|remove|ensure|complete|effect|induce|destroy|decompose|"
    r"maintain the (?!pH)|keep|help|aid|facilitate|wash|allow|bring about|initiate)\b.*$|\s+(?:such|so)\s+that\b.*$",
    re.I,
)

# ---------------------------------------------------------------- clauses
_BOUNDARY = re.compile(
    r",?\s+and\s+then\s+|,\s*then\s+|;\s+|,\s+and\s+|\s+and\s+|,\s+|\s+followed\s+by\s+|\s+followed\s+(?=\w)|"
    r"(?<!\b(?:was|were|is|are|be|been|and))\s+then\s+|\s+before\s+being\s+|\s+before\s+|\s+after\s+which\s+(?:time\s+)?|"
    r"\s+(?:which|that)\s+(?=(?:was|were|is|are|had|has)\s+(?!(?:been\s+)?(?:pre-?)?(?:cooled|heated|warmed)\s+to\b))|"
    r"(?<=°\s?C\.?|\btemperature|\d\s?(?:h|hrs?|hours?|min|minutes)\.?|overnight|cooling|reflux)\s+(?=(?:the|this|said)\s+(?:[\w-]+\s+){0,3}?(?:was|were|is|are)\s+)|"
    r"\s+whereupon\s+|\s+prior\s+to\s+|\s+until\s+(?!(?:the\s+)?pH)|\s+while\s+|\s+after\s+(?=\w+ing\b)|"
    r"\s+(?=(?:to\s+(?:give|afford|yield|provide|obtain|furnish|produce|leave)|afford(?:ed|ing)|gave|giving|"
    r"yield(?:ed|ing)|provid(?:ed|ing)|furnish(?:ed|ing)|obtaining|gives|affords|provides|furnishes)\b)"
)
_VERBS: list[tuple[str, str]] = [
    ("ph", r"acidif(?:ied|y|ying|ication)|basif(?:ied|y|ying|ication)|alkalini[sz]ed|alkalified|alkalified|"
           r"neutrali[sz](?:ed|ing|ation|e)|made\s+(?:acidic|basic|alkaline|neutral)|rendered\s+(?:acidic|basic|alkaline)|"
           r"(?:adjusted|brought|taken|added)\s+(?:to|until)\s+(?:a\s+|the\s+)?pH|pH\s+(?:value\s+)?(?:of\s+[\w\s]+?)?(?:was|is)\s+(?:then\s+)?"
           r"(?:adjusted|brought|maintained|kept|raised|lowered)|until\s+(?:the\s+)?pH|to\s+(?:maintain|keep|adjust|bring)\s+(?:the\s+)?pH|"
           r"pH\s+adjusted|adjust(?:ed|ing)?\s+(?:the\s+)?pH"),
    ("phasesep", r"(?:layers|phases)\s+(?:were|was|are|is)\s+(?:then\s+)?separated|separat(?:ed|e|ing|ion\s+of)\s+(?:the\s+)?"
                 r"(?:layers|phases)|(?:layers|phases)\s+separated|phase\s+separation|separated\s+into\s+(?:two\s+)?(?:layers|phases)"),
    ("collect", r"(?:organic|aqueous)\s+(?:layers?|phases?|extracts?|portions?|fractions?)\s+(?:was|were|is|are)\s+(?:then\s+)?"
                r"(?:separated|collected|decanted|isolated|kept|retained)"),
    ("partition", r"partition(?:ed|ing)?\s+(?:\S+\s+){0,3}?between"),
    ("quench", r"quench(?:ed|ing)?"),
    ("microwave", r"microwave\w*|micro-wave\w*"),
    ("sonicate", r"sonicat(?:ed|ing|ion|e)|ultrasonicat\w*|ultrasound|ultrasonic\s+bath"),
    ("degas", r"degass(?:ed|ing)|de-gassed|degas|purged|sparged|bubbl(?:ed|ing)\s+(?:\S+\s+){0,3}?(?:through|into)|"
              r"flushed\s+with|evacuated\s+and\s+(?:back-?)?(?:filled|flushed)"),
    ("extract", r"(?:re-?|back-?)?extract(?:ed|ing|ion)?(?![\w-])"),
    ("wash", r"wash(?:ed|ing|es)?(?![\w-])|rins(?:ed|e|ing)(?![\w-])"),
    ("dry", r"air[- ]dried|dried|drying(?!\s+agent)|dry(?=\s+(?:over|with|on|under|in\s+vacuo|in\s+an?\s+oven))|air-dried|desiccated"),
    ("filter", r"filter(?:ed|ing)?(?!\s*(?:cake|paper|aid|pad|funnel))|filtration|suction-filtered|collected\s+(?:by|on|via|through)|"
               r"(?:elimination|removal|separation)\s+of\s+(?:the\s+)?(?:desiccant|drying\s+agent|solids?|precipitate|catalyst|insolubles?)|"
               r"(?:was|were|is|are)\s+(?:then\s+)?collected(?!\s+and\s+combined)|(?<=(?:solids?|precipitates?|crystals|product)\s)collected"),
    ("concentrate", r"concentrat(?:ed|ing)(?!\s+(?:hydrochloric|sulfuric|sulphuric|nitric|HCl|H2SO4|aqueous|ammonia|ammonium|"
                    r"acid|phosphoric|formic|acetic|hydrobromic|HBr|NaOH|sodium|potassium|KOH|solution\s+of|brine|NH|HNO3))|"
                    r"concentration(?=\s+(?:of\s+the\s+(?:solution|mixture|filtrate|extracts?|organic|reaction|solvent)|under|in\s+vacuo|"
                    r"to|at\s+reduced|on|and|followed|gave|afforded|yielded|provided)\b|\s*[,.;]|\s*$)|"
                    r"evaporat(?:ed|ing|e)|evaporation(?!\s+(?:rate|residue))|rotovap\w*|rotary\s+evaporat\w*|stripped|distilled\s+off|removed|removal\s+of"),
    ("recrystallize", r"re-?crystalli[sz](?:ed|ation|ing|e)|crystalli[sz](?:ed|ation)\s+from"),
    ("triturate", r"triturat(?:ed|ing|ion|e)"),
    ("purify", r"purif(?:ied|y|ying|ication)|chromatograph(?:ed|y)|column\s+chromatography|distilled(?!\s+off)|distillation(?!\s+of\s+the\s+solvent)"),
    ("crystallize_wait", r"(?:left|allowed|set\s+aside)\s+to\s+(?:crystalli[sz]e|precipitate)"),
    ("reflux", r"reflux(?:ed|ing)?|boiled"),
    ("wait", r"(?:left|allowed|let)\s+(?:to\s+)?(?:stand|sit)|leave(?=\s+(?:to\s+stand\s+)?(?:for|overnight|at)\b)|standing|stand|stood|aged|allowed\s+to\s+age|"
             r"(?:was|were)\s+(?:then\s+)?left\s+(?=for|overnight|at)"),
    ("yield", r"to\s+(?:give|afford|yield|provide|obtain|furnish|produce|leave)|afford(?:ed|ing|s)|gave|giving|gives|yield(?:ed|ing)|"
              r"provides|furnishes|"
              r"provid(?:ed|ing)|furnish(?:ed|ing)|obtaining|(?:was|were|is|are)\s+(?:thus\s+|then\s+|finally\s+)?"
              r"(?:obtained|isolated|recovered)(?!\s+(?:by|from|as\s+described|in\s+Example))|(?:obtained|isolated)\s+(?:was|were)\b"),
    ("stir", r"stirr(?:ed|ing)|stir|agitated|shaken|(?:allowed|left)\s+to\s+react|reacted|allowed\s+to\s+proceed|"
             r"(?<=(?:reaction|hydrogenation|mixture)\s+(?:was|is)\s+(?:then\s+)?)(?:carried\s+out|conducted|performed|continued|run)\b"),
    ("heat", r"(?:re-?)?heat(?:ed|ing)|warm(?:ed|ing)|(?:re-?)?cool(?:ed|ing)|chill(?:ed|ing)|"
             r"(?:cool|heat|warm)(?=\s+(?:to|the|it|in|on|down|and|slowly|gradually)\b|\s*[,.;]|\s*$)|brought\s+to|raised\s+to|lowered\s+to|"
             r"(?:allowed|left)\s+to\s+(?:cool|warm|reach|come|return|adapt|attain|rise)|return(?:ed)?\s+to|"
             r"(?:bath|cooling)\s+(?:was|is)\s+removed|kept|maintained|held|placed\s+in\s+an?\s+(?:ice|oil|water|cooling)[\s-]?bath"),
    ("add", r"add(?:ed|ing|ition(?:\s+(?:in\s+(?:one|a\s+single)\s+portion|dropwise|portionwise))?\s+of|s)?(?!\w)|charged|poured|"
            r"transferred\s+(?:(?:via|by|with|through)\s+(?:a\s+)?(?:cannula|syringe|pipette)\s+)?(?:in)?to(?=\s+(?:an?|the)\s+(?:[\w-]+\s+){0,3}?(?:solution|suspension|mixture))|dilut(?:ed|ing|ion)|treated|treating|treatment\s+with|"
            r"dissolv(?:ed|ing|e)|re-?dissolv(?:ed|e)|suspended|slurried|re-?slurried|placed(?=\s+(?:in|into)\s+an?\s+(?:[\w-]+\s+){0,3}?(?:flask|vial|vessel|tube|reactor|autoclave))|suspending|taken\s+up|(?:was|were|is|are)\s+(?:then\s+)?combined|combined\s+with|"
            r"mixed|admixed|dropped|cannulated|injected|introduc(?:ed|ing)|"
            r"passed\s+(?:in)?(?:to|through)(?=\s+the\s+(?:[\w-]+\s+)?(?:solution|mixture|suspension))"),
]
_PRIORITY = ("ph", "microwave", "sonicate", "phasesep", "collect", "partition")
_NO_LOOKBEHIND = {"ph", "phasesep", "collect", "partition", "filter", "concentrate", "yield", "microwave", "sonicate"}
# One word boundary in front of the whole alternation: 1.7x faster than one per verb class.
_VERB = re.compile(r"\b(?:" + "|".join(rf"(?P<{name}>{pattern})" for name, pattern in _VERBS) + ")", re.I)
_PRIORITY_VERB = re.compile(
    r"\b(?:" + "|".join(rf"(?P<{name}>{pattern})" for name, pattern in _VERBS if name in _PRIORITY) + ")", re.I
)
_ADJECTIVE_BEFORE = re.compile(
    r"(?:\b(?:a|an|the|this|these|its|their|well|freshly|pre|ice|combined|organic|aqueous|ethereal)[\s-]|-)$", re.I
)


def _is_verb(text: str, m: re.Match[str]) -> bool:
    """False for participles used as adjectives ('a stirred solution'); nouns ('the addition of') stay verbs."""
    if m.lastgroup in _NO_LOOKBEHIND or m.group(0).lower().endswith(("ion", "ion of", "of")):
        return True
    return not _ADJECTIVE_BEFORE.search(text, max(0, m.start() - 12), m.start())


def _verb_search(text: str, pos: int = 0) -> Optional[re.Match[str]]:
    """First lab verb of `text` from `pos`."""
    for m in _VERB.finditer(text, pos):
        if _is_verb(text, m):
            return m
    return None
_LEADING_WORDS = re.compile(
    r"^(?:(?:then|and|next|subsequently|finally|thereafter|afterwards|again|also|first|further|additionally|"
    r"moreover|furthermore|meanwhile|likewise|similarly|"
    r"immediately|now|once|so|thus|still|successively|carefully|slowly|after|that|which|the\s+mixture\s+was|"
    r"it|this)\s*,?\s+)+",
    re.I,
)
_AUXILIARIES = frozenset(
    """was were is are be been being had has have then subsequently again also first finally can may could should
    must allowed left to further thereafter gradually slowly carefully immediately successively sequentially directly
    rapidly quickly cautiously""".split()
)
_LAYER_SUBJECT = re.compile(
    r"^(?:the\s+)?(?:(?:combined|remaining|separated|resulting|pooled|two|second|first|upper|lower|collected|"
    r"reserved|original|residual)\s+)*(?P<layer>organic|aqueous|ethereal)\s+(?:layers?|phases?|extracts?|portions?|"
    r"fractions?)|^(?P<combined>(?:the\s+)?combined\s+(?:extracts|layers|phases|filtrates?\s+and\s+extracts))",
    re.I,
)
_SOLID_WORDS = re.compile(r"\b(?:solids?|precipitates?|crystals?|powder|filter cake|cake|crystalline|product|compound|residue|salt|title compound|material)\b", re.I)
_VACUUM = re.compile(r"\b(?:in\s+vacuo|(?:under|at)\s+(?:high\s+|reduced\s+)?(?:vacuum|pressure)|vacuum|in\s+a\s+desiccator)\b", re.I)
_SOLUTION_OF = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:[\w-]+|\([^()]*\))\s+){0,3}?(?:solution|suspension|mixture|slurry|emulsion)\s+"
    r"(?:of|containing)\s+(?P<solutes>.+?)\s+in\s+(?P<solvents>.+)$",
    re.I,
)
_SOLUTION_IN = re.compile(r"^(?:as\s+)?(?:a\s+)?(?:solution|suspension)\s+in\s+(?P<solvents>.+)$", re.I)
_COOLED_TARGET = re.compile(
    rf"\s*,?\s*(?:which|that)?\s*(?:had\s+been|has\s+been|was|were|previously|pre-?)?\s*(?:cooled|heated|warmed|pre-?cooled)\s+to\s+(?P<t>{tm._COMPARATOR}?{tm._TEMP_VALUE}|(?:room|ambient)\s+temperature)",
    re.I,
)
_TARGET_PREFIX = re.compile(r"^(?:to|into|in|onto)\s+", re.I)
_RELATIVE_TARGET = re.compile(r"^(?:to|into)\s+(?:which|this|it|that|these|the\s+latter)\b\s*,?\s*", re.I)
_REPETITIONS = re.compile(
    r"\b(?:(?P<word>twice|thrice|once)|(?P<n>\d+|two|three|four|five|six)\s+(?:times|portions)|(?P<x>\d+)\s?[x×X]\b(?!\s?\d))",
    re.I,
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twice": 2, "thrice": 3, "once": 1}
_PH_VALUE = re.compile(
    r"\bpH\s*(?:value\s*)?(?:=|of|to|at|was|is|reached|:)?\s*(?:about\s+|ca\.?\s*|approximately\s+|around\s+)?"
    r"(?P<v>[~˜≈<>]?\s?\d+(?:\.\d+)?(?:\s?(?:-|–|to)\s?\d+(?:\.\d+)?)?)",
    re.I,
)
_PH_VALUE_AFTER_VERB = re.compile(
    r"\bpH\b[^.;]{0,40}?\b(?:adjusted|brought|raised|lowered|set)\s+to\s+(?:about\s+|ca\.?\s*|approximately\s+)?"
    r"(?P<v>[~˜≈<>]?\s?\d+(?:\.\d+)?(?:\s?(?:-|–|to)\s?\d+(?:\.\d+)?)?)",
    re.I,
)
_PH_PHRASE = re.compile(
    r"\s*,?\s*(?:(?:to|at|until|till)\s+(?:a\s+|the\s+)?)?\bpH\s*(?:value\s*)?(?:=|of|to|at|was|is|reached|:)?\s*"
    r"(?:about\s+|ca\.?\s*|approximately\s+)?[~˜≈<>]?\s?\d+(?:\.\d+)?(?:\s?(?:-|–|to)\s?\d+(?:\.\d+)?)?|\s*,?\s*(?:to|until)\s+(?:it\s+was\s+)?(?:acidic|basic|alkaline|neutral)\b|"
    r"\s*\b(?:adjusted|brought|raised|lowered|set)\s+to\s+(?:about\s+|ca\.?\s*|approximately\s+)?[~˜≈<>]?\s?\d+(?:\.\d+)?(?:\s?(?:-|–|to)\s?\d+(?:\.\d+)?)?",
    re.I,
)
_PH_MATERIAL = re.compile(
    r"\b(?:with|using|by\s+(?:the\s+)?(?:slow\s+|dropwise\s+|careful\s+)?(?:addition\s+of|adding|means\s+of)|by\s+(?:pushing|passing|filtering|percolating|eluting)\s+(?:it\s+|them\s+)?(?:through|over)|by|through|via)\s+(?P<m>.+)$",
    re.I,
)
_ADD_TARGET = re.compile(r"(?:^|\s)(?:to|into|onto)\s+(?P<t>(?!pH\b|a\s+(?:final\s+)?(?:volume|total)\b|\d+(?:\.\d+)?\s?(?:mL|ml|l|L|liters?|litres?)\b).+)$", re.I)
_SECONDARY_ADD = re.compile(r"\b(?:with|by|upon|on|during)\s+(?:the\s+)?(?:slow\s+|periodic\s+|dropwise\s+|portionwise\s+|further\s+|gradual\s+)?addition\s+of\s+(?P<m>.+)$", re.I)


class _Sentence:
    """Working state for one sentence: its actions so far and what the last clause was about."""

    def __init__(self) -> None:
        self.actions: list[Action] = []
        self.last_kind = ""
        self.solid = False  # the last clause with a subject was about a solid ("The solid was washed ... and dried")
        self.text = ""

    def add(self, action: Action) -> None:
        if isinstance(action, CollectLayer) and self.actions and self.actions[-1] == action:
            return
        self.actions.append(action)


def _add_modifiers(text: str) -> dict[str, object]:
    t = tm.temperature(text)
    return {
        "dropwise": tm.is_dropwise(text),
        "temperature": t[0] if t else None,
        "atmosphere": tm.atmosphere(text),
        "duration": tm.add_duration(text),
    }


_IN = re.compile(r"\s+in\s+")
_SOLUTION_OF_LIST = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:[\w-]+|\([^()]*\))\s+){0,2}?(?:solution|suspension|mixture|slurry)\s+(?:of|containing)\s+(?P<m>.+)$", re.I
)


def _in_solvent(text: str) -> Optional[list[Action]]:
    """MAKESOLUTION + ADD SLN for 'A (1 g) in B (10 ml)', None otherwise."""
    split = tm.find_top(text, _IN)
    if split is None:
        return None
    if rsearch(r"\b(?:solution|suspension|mixture|dispersion)\b", text[: split.start()], re.I):
        return None  # "2M dimethylamine solution in THF": one commercial reagent
    solutes = tm.chemicals(text[: split.start()])
    solvents = tm.chemicals(text[split.end() :])
    if not solutes or not solvents or not (solutes[0][0].quantity or solvents[0][0].quantity):
        return None
    return [MakeSolution([c for c, _ in solutes + solvents]), Add(Chemical(SOLUTION))]


def _make_solution(target: str) -> Optional[list[Action]]:
    """MAKESOLUTION + ADD SLN for 'a solution of A in B', None if `target` is no such phrase."""
    m = _SOLUTION_OF.match(target.strip())
    if not m or tm.find_top(target, _IN) is None:
        listed = _SOLUTION_OF_LIST.match(target.strip())
        found = tm.chemicals(listed.group("m")) if listed else []
        if len(found) < 2:
            return None
        return [MakeSolution([c for c, _ in found]), Add(Chemical(SOLUTION))]
    solutes = tm.chemicals(m.group("solutes"))
    solvents = tm.chemicals(m.group("solvents"))
    materials = [c for c, _ in solutes + solvents]
    if len(materials) < 2:
        return None
    return [MakeSolution(materials), Add(Chemical(SOLUTION))]


def _split_solution_target(text: str) -> tuple[str, Optional[str]]:
    """Target without a 'which had been cooled to T' clause, and that T."""
    m = _COOLED_TARGET.search(text)
    if not m:
        return text, None
    return text[: m.start()] + text[m.end() :], tm.clean_condition(m.group("t"))


_SUBORDINATE_START = re.compile(
    r"^(?:followed\s+by|after|upon|on|before|while|when|once|during|with|without|by)\b\s*$|^(?:followed\s+by|as|while|when|once|whilst)\s+|"
    r"^(?:after|upon|on|following)\s+(?:the\s+)?(?:\w+\s+)?\w+(?:ion|ing)\b(?:\s+(?:was|is|had\s+been)\s+\w+)?\s*,?\s*",
    re.I,
)


def _subject(before: str) -> str:
    """The clause's subject: the text before the verb without trailing auxiliaries ('X was then')."""
    words = before.rstrip(" ,").split(" ")
    while words and words[-1].strip(",").lower() in _AUXILIARIES:
        words.pop()
        if words:
            words[-1] = words[-1].rstrip(",")
    subject = _SUBORDINATE_START.sub("", " ".join(words).strip())
    return _LEADING_WORDS.sub("", subject).strip(" ,")


# ---------------------------------------------------------------- handlers
def _h_add(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    verb = m.group(0).lower()
    seg_wo, cooled_to = _split_solution_target(seg)
    mods = _add_modifiers(seg_wo)
    if _TARGET_PREFIX.match(seg) and m.start() > 0:
        # "To a solution of A in B was added C", "In THF was dissolved X", "To the residue were added A and B"
        rel = _RELATIVE_TARGET.match(seg)
        if rel:
            materials_text = seg[rel.end() : m.start()] + " " + seg[m.end() :]
            _emit_adds(s, tm.chemicals(_clean_material_text(materials_text)), mods)
            return
        inner = seg[: m.start()]
        inner = rsub(r"\s*,?\s*(?:was|were|is|are|then|slowly|successively|there\s+(?:was|were))\s*$", "", inner, flags=re.I)
        inner = rsub(r"\s*,?\s*(?:was|were|is|are)\s*$", "", inner, flags=re.I)
        body = _TARGET_PREFIX.sub("", inner)
        comma = tm.find_top(body, re.compile(r",\s+"))
        if comma is not None and not rsearch(r"\b(?:was|were)\s*$", inner):
            target, pre_materials = body[: comma.start()], body[comma.end() :]
        else:
            target, pre_materials = body, ""
        target, cooled = _split_solution_target(target)
        target_clean = tm.strip_modifiers(target)
        materials = tm.chemicals(_clean_material_text(pre_materials + " , " + seg[m.end() :]))
        solution = _make_solution(target_clean)
        if solution:
            for a in solution:
                s.add(a)
            if cooled:
                s.add(SetTemperature(cooled))
        elif "dissolv" in verb or "suspend" in verb:
            _emit_adds(s, tm.chemicals(target_clean), {})
        else:
            for c, _ in tm.chemicals(target_clean):
                s.add(Add(c))
        _emit_adds(s, materials, mods)
        return
    added_later = _WAS_ADDED.search(after) if verb.startswith(("dissolv", "suspend")) and subject else None
    if added_later:
        # "X dissolved in Y was added dropwise": a solution made elsewhere, then added
        solvent_text = rsub(r"^\s*(?:in|into)\s+", "", after[: added_later.start()])
        materials = [c for c, _ in tm.chemicals(subject) + tm.chemicals(solvent_text)]
        if len(materials) >= 2:
            s.add(MakeSolution(materials))
            s.add(Add(Chemical(SOLUTION), **_add_modifiers(after[added_later.end() :])))  # type: ignore[arg-type]
            return
    if verb.startswith(("dissolv", "re-dissolv", "redissolv", "suspend", "taken", "placed", "slurried", "reslurried", "re-slurried")) or (
        rsearch(r"combined|mixed", verb) and rmatch(r"^\s*(?:together\s+)?in\s+", after)
    ):
        # "A was dissolved in B", "by dissolving A and B in C": in text order, conditions on the last
        solutes = tm.chemicals(subject) if subject else []
        if solutes:
            rest = after
        else:
            split = tm.find_top(after, re.compile(r"\s+in\s+"))
            solutes = tm.chemicals(after[: split.start()]) if split else []
            rest = after[split.start() :] if split else after
        rest = rsub(r"^\s*(?:(?:again|then|further|once\s+more)\s+)?(?:in|into|with)\s+", "", rest.strip(), flags=re.I)
        solvents = tm.chemicals(_clean_material_text(rest))
        found = solutes + solvents
        for i, (c, _) in enumerate(found):
            s.add(Add(c, **(mods if i == len(found) - 1 else {})))  # type: ignore[arg-type]
        return
    if verb in ("added",) or verb.startswith(("add", "charged", "introduc", "dropped", "injected", "cannulated", "poured", "mixed", "admixed", "combined", "treat", "dilut", "addition", "passed")):
        subject_solution = (_make_solution(tm.strip_modifiers(subject)) or _in_solvent(tm.strip_modifiers(subject))) if subject else None
        as_solution = _SOLUTION_IN.match(tm.strip_modifiers(after.strip())) if after else None
        subject_chems = tm.chemicals(subject) if subject and not subject_solution else []
        after = _PURPOSE.sub("", after)
        obj_text = after
        target_actions: list[Action] = []
        cooled = cooled_to
        tgt = tm.find_top(after, _ADD_TARGET)
        if tgt and (subject_chems or subject_solution):
            target_text, cooled = _split_solution_target(tgt.group("t"))
            target_text = tm.strip_modifiers(target_text)
            solution = _make_solution(target_text) or _in_solvent(target_text)
            if solution:
                target_actions = solution
            else:
                target_actions = [Add(c) for c, _ in tm.chemicals(target_text)]
            obj_text = ""
        elif tgt and verb.startswith(("transferred", "poured", "added")):
            target_text = tm.strip_modifiers(_split_solution_target(tgt.group("t"))[0])
            solution = _make_solution(target_text)
            if solution:
                for a in solution:
                    s.add(a)
                return
            listed = _SOLUTION_OF_LIST.match(target_text)
            if listed:  # "added to a cooled solution of methylamine (40% in water)": the reagent in the flask
                for c, _ in tm.chemicals(listed.group("m")):
                    s.add(Add(c))
                return
        if verb.startswith(("treat", "dilut", "mixed", "admixed", "combined")):
            w = rsearch(r"\b(?:with|by|using)\s+(?P<m>.+)$", after, re.I)
            obj_text = w.group("m") if w else ""
        elif verb.startswith("poured"):
            w = rsearch(r"\b(?:into|onto|in|over|on)\s+(?P<m>.+)$", after, re.I)
            obj_text = w.group("m") if w else ""
            if subject_chems and obj_text:
                # "X was poured into water": water first, then X
                for c, _ in tm.chemicals(_clean_material_text(obj_text)):
                    s.add(Add(c))
                _emit_adds(s, subject_chems, mods)
                return
            subject_chems = []
        if obj_text and not subject_chems and not subject_solution:
            into = tm.find_top(obj_text, _ADD_TARGET)
            if into is not None and into.start() > 0:  # active voice: "added X to the solution"
                obj_text = obj_text[: into.start()]
            obj_solution = _make_solution(tm.strip_modifiers(_clean_material_text(obj_text)))
            if obj_solution:  # "treated with a solution of A in B"
                s.add(obj_solution[0])
                s.add(Add(Chemical(SOLUTION), **mods))  # type: ignore[arg-type]
                return
        obj_chems = tm.chemicals(_clean_material_text(obj_text)) if obj_text else []
        if subject_solution:
            for a in subject_solution:
                s.add(a)
            if as_solution is None:
                s.actions[-1] = Add(Chemical(SOLUTION), **mods)  # type: ignore[arg-type]
            _emit_adds(s, obj_chems, mods)
            return
        if as_solution and subject_chems:
            solvents = tm.chemicals(as_solution.group("solvents"))
            materials = [c for c, _ in subject_chems + solvents]
            if len(materials) >= 2:
                s.add(MakeSolution(materials))
                s.add(Add(Chemical(SOLUTION), **mods))  # type: ignore[arg-type]
                return
        for a in target_actions:
            s.add(a)
        if cooled:
            s.add(SetTemperature(cooled))
        if verb.startswith(("treat", "dilut", "mixed", "admixed", "combined")):
            for c, _ in subject_chems:
                s.add(Add(c, **({} if obj_chems else mods)))  # type: ignore[arg-type]
            _emit_adds(s, obj_chems, mods)
        else:
            _emit_adds(s, subject_chems + obj_chems, mods)


_WAS_ADDED = re.compile(r"\b(?:was|were|is|are)\s+(?:then\s+)?(?:slowly\s+|carefully\s+)?(?:added|introduced|charged)\b", re.I)


def _clean_material_text(text: str) -> str:
    text = _PURPOSE.sub("", text)
    text = rsub(r",?\s+(?:while\s+|whilst\s+)?(?:maintaining|keeping|holding)\b.*$", "", text, flags=re.I)
    text = rsub(r"\b(?:as\s+a\s+(?:solid|liquid|powder|gas|neat\s+liquid)|neat)\b", "", text, flags=re.I)
    return text


def _emit_adds(s: _Sentence, found: list[tuple[Chemical, int]], mods: dict[str, object]) -> None:
    for c, _ in found:
        s.add(Add(c, **mods))  # type: ignore[arg-type]


def _stir_parts(seg: str) -> list[str]:
    parts = tm.split_top(seg, re.compile(r",?\s+and\s+then\s+|,\s*then\s+|\s+then\s+|,\s+and\s+(?=(?:at|for)\b)|,\s+(?=(?:at|for)\s)"))
    return parts or [seg]


_MIXTURE_OF = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,2}?(?:mixture|combination|slurry|suspension|solution)\s+(?:of|consisting\s+of|containing|comprising)\s+(?P<m>.+)$",
    re.I,
)


def _subject_materials(s: _Sentence, subject: str) -> bool:
    """ADDs for a subject that names what is in the flask ('A solution of A in B was heated')."""
    if not subject or _LAYER_SUBJECT.match(subject):
        return False
    clean = tm.strip_modifiers(subject)
    solution = _make_solution(clean)
    if solution:
        for a in solution:
            s.add(a)
        return True
    mixture = _MIXTURE_OF.match(clean)
    found = tm.chemicals(mixture.group("m") if mixture else clean)
    if tm.is_generic(clean) and not mixture:
        return False
    for c, _ in found:
        s.add(Add(c))
    return bool(found)


def _h_stir(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    added = _subject_materials(s, subject)
    if added and not _SOLUTION_OF.match(subject) and not _MIXTURE_OF.match(subject):
        if True:
            w = rmatch(r"^\s*(?:together\s+)?(?:in|with)\s+(?P<m>.+)$", after, re.I)
            if w:
                for c, _ in tm.chemicals(rsub(r"\s+with\s+", " and ", w.group("m"))):
                    s.add(Add(c))
    if rsearch(r"\breflux", seg, re.I):
        d = tm.duration(seg)
        s.add(Reflux(duration=d[0] if d else None, atmosphere=tm.atmosphere(seg)))
        return
    made = False
    for part in _stir_parts(seg):
        t = tm.temperature(part)
        d = tm.duration(part)
        atm = tm.atmosphere(part)
        if t or d or atm:
            s.add(Stir(duration=d[0] if d else None, temperature=t[0] if t else None, atmosphere=atm))
            made = True
    if not made and not added:
        s.add(Stir())
    sec = _SECONDARY_ADD.search(seg)
    if sec:
        for c, _ in tm.chemicals(_clean_material_text(sec.group("m"))):
            s.add(Add(c))


def _h_heat(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    verb = m.group(0).lower()
    if not rsearch(r"temperature|bath", subject + verb, re.I):
        _subject_materials(s, subject)
    if rsearch(r"\breflux", seg, re.I):
        w = rsearch(r"\bwith\s+(?P<m>.+)$", after, re.I)
        if w:
            for c, _ in tm.chemicals(w.group("m")):
                s.add(Add(c))
        d = tm.duration(seg)
        s.add(Reflux(duration=d[0] if d else None, atmosphere=tm.atmosphere(seg)))
        return
    if "removed" in verb:
        s.add(SetTemperature("room temperature"))
        return
    t = tm.temperature(seg)
    d = tm.duration(seg)
    temp = t[0] if t else None
    dur = d[0] if d else None
    if verb.startswith(("kept", "maintained", "held")) and rsearch(r"temperature", subject, re.I) and not rsearch(r"\b(?:raised|increased|lowered)\b", subject, re.I):
        s.add(Wait(duration=dur or "unknown", temperature=temp))
        return
    if dur:
        s.add(Stir(duration=dur, temperature=temp, atmosphere=tm.atmosphere(seg)))
        return
    if temp:
        s.add(SetTemperature(temp))
        return
    if "cool" in verb or "chill" in verb:
        s.add(SetTemperature("room temperature"))


def _h_wait(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    t = tm.temperature(seg)
    d = tm.duration(seg)
    s.add(Wait(duration=d[0] if d else "unknown", temperature=t[0] if t else None))


def _h_crystallize_wait(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    t = tm.temperature(seg)
    d = tm.duration(seg)
    if t:
        s.add(SetTemperature(t[0]))
    s.add(Wait(duration=d[0] if d else "unknown"))


def _h_reflux(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    _subject_materials(s, subject)
    w = rmatch(r"^\s*(?:under\s+reflux\s+)?(?:with|in)\s+(?P<m>.+)$", after, re.I)
    if w:
        for c, _ in tm.chemicals(w.group("m")):
            s.add(Add(c))
    d = tm.duration(seg)
    s.add(Reflux(duration=d[0] if d else None, atmosphere=tm.atmosphere(seg), dean_stark=bool(rsearch(r"dean[- ]stark", seg, re.I))))


def _repetitions(text: str) -> int:
    r = _REPETITIONS.search(text)
    if not r:
        return 1
    if r.group("word"):
        return _NUMBERS[r.group("word").lower()]
    if r.group("n"):
        n = r.group("n").lower()
        return _NUMBERS.get(n) or int(n)
    return int(r.group("x"))


def _strip_repetitions(text: str) -> str:
    return _REPETITIONS.sub("", rsub(r"\b(?:once\s+more|again|further|each\s+time|each)\b", "", text, flags=re.I))


def _h_extract(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    w = rsearch(r"\b(?:with|using|into|in|by)\s+(?P<m>.+)$", after, re.I)
    if not w and rmatch(r"^\s*(?:\S+\s+)?(?:\d|portions?)", after):
        w = rsearch(r"(?P<m>.+)$", after)
    reps = _repetitions(seg)
    found = tm.chemicals(_strip_repetitions(w.group("m"))) if w else []
    if not found:
        previous = [a for a in s.actions if isinstance(a, Extract)]
        if previous:
            s.add(Extract(Chemical(previous[-1].solvent.name), repetitions=reps))
        return
    for c, r in found[:1]:
        s.add(Extract(c, repetitions=max(reps, r)))


def _h_wash(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    if m.group(0).lower().startswith("washing") and s.last_kind == "purify":
        return
    w = rsearch(r"\b(?:with|using|in)\s+(?P<m>.+)$", after, re.I)
    if not w:
        w = rsearch(r"^\s*(?P<m>(?:\d|several|two|three).+)$", after)
    if not w:
        return
    text = w.group("m")
    reps = _repetitions(text)
    for c, r in tm.chemicals(_strip_repetitions(text)):
        s.add(Wash(c, repetitions=max(reps, r)))


def _solid_context(s: _Sentence, subject: str, seg: str) -> bool:
    if not subject and s.solid:
        return True
    if _SOLID_WORDS.search(subject) and not _LAYER_SUBJECT.match(subject):
        return True
    last_filter = next((a for a in reversed(s.actions) if isinstance(a, Filter)), None)
    if last_filter is not None and last_filter.phase_to_keep == "precipitate":
        return True
    return bool(rsearch(r"\b(?:in\s+vacuo|under\s+(?:high\s+)?vacuum|in\s+an?\s+(?:vacuum\s+)?oven|air[- ]dried|on\s+air|in\s+air|"
                          r"(?:under|at)\s+reduced\s+pressure|in\s+a\s+desiccator|at\s+\d)", seg, re.I)) and not rsearch(r"\bover\b|\(", seg)


def _h_dry(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    agent = rmatch(r"^\s*(?:by\s+using\s+|by\s+means\s+of\s+)?(?:over(?!\s*night)|with|on|using|by)\s+(?:using\s+)?(?P<m>.+)$", after, re.I)
    bracket = rmatch(r"^\s*\((?P<m>[^()]+)\)", after)
    if agent or bracket:
        text = (agent or bracket).group("m")  # type: ignore[union-attr]
        text = rsplit(r"\s+(?:and|then)\s+|,\s+", tm.strip_modifiers(text))[0]
        text = rsub(r"^(?:the\s+|an?\s+)", "", text.strip(), flags=re.I)
        s.add(DrySolution(text.strip(" .") or "unknown"))
        return
    if _solid_context(s, subject, seg):
        t = tm.temperature(seg)
        d = tm.duration(seg)
        atm: Optional[str] = None
        if _VACUUM.search(seg) or rsearch(r"\bvacuum\b", seg, re.I):
            atm = "vacuum"
        elif rsearch(r"\bair\b", seg, re.I):
            atm = "air"
        else:
            atm = tm.atmosphere(seg)
        s.add(DrySolid(duration=d[0] if d else None, temperature=t[0] if t else None, atmosphere=atm))
        return
    s.add(DrySolution("unknown"))


def _h_filter(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    phase: Optional[str] = None
    verb = m.group(0).lower()
    if rsearch(r"\b(?:desiccant|drying agent|catalyst|insolubles?|celite|dicalite|hyflo|silica|a\s+pad|a\s+plug|charcoal|"
                 r"filter\s+aid|inorganic|insoluble\s+salts?)\b", seg, re.I) or verb.startswith(("elimination", "removal")):
        phase = "filtrate"
    elif verb.startswith("collected") or rsearch(r"\bfiltered\s+off\b", seg, re.I) and _SOLID_WORDS.search(subject or seg):
        phase = "precipitate"
    elif subject and _SOLID_WORDS.search(subject) and not rsearch(r"\b(?:mixture|solution|suspension|filtrate)\b", subject, re.I):
        phase = "precipitate"
    elif "filtrate" in seg.lower() or ("filtrate" in s.text.lower() and not _SOLID_WORDS.search(subject)):
        phase = "filtrate"
    elif any(isinstance(a, DrySolution) for a in s.actions[-1:]):
        phase = "filtrate"
    s.add(Filter(phase_to_keep=phase))
    if verb.startswith(("elimination", "removal")) and rsearch(r"\band\s+(?:the\s+)?solvents?\b", seg, re.I):
        s.add(Concentrate())


def _h_concentrate(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    verb = m.group(0).lower()
    if verb.startswith("removed") or verb.startswith("removal"):
        if rsearch(r"\bbath\b", seg, re.I):
            s.add(SetTemperature("room temperature"))
            return
        if not (_VACUUM.search(seg) or rsearch(r"\b(?:solvents?|volatiles?|volatile|evaporation|distillation|rotary|THF|"
                                                 r"methanol|ethanol|toluene|dioxane|DMF|dichloromethane|acetone|water)\b", seg, re.I)):
            if rsearch(r"\b(?:insoluble|precipitated?|solids?|catalyst|crystals)\b", subject, re.I):
                s.add(Filter(phase_to_keep="filtrate"))
            elif rsearch(r"\b(?:filtration|filtering)\b", seg, re.I):
                s.add(Filter(phase_to_keep="filtrate"))
            return
    s.add(Concentrate())
    y = rsearch(r"\bto\s+(?:an?\s+)?(?P<m>(?:[\w-]+\s+){0,3}?(?:residue|oil|solid|foam|gum|syrup|glass)\s*\(.*\))", after, re.I)
    if y:
        found = tm.chemical(y.group("m"))
        if found and found[0].quantity:
            s.add(Yield(found[0]))


def _h_purify(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    if m.group(0).lower().startswith("distil") and rsearch(r"\b(?:solvents?|volatiles?|excess|THF|methanol|ethanol|toluene|water)\b", subject, re.I):
        s.add(Concentrate())  # "the solvent was distilled under reduced pressure"
        return
    r = rsearch(r"\b(?:re-?)?crystalli[sz]ation\s+from\s+(?P<m>.+)$", seg, re.I)
    if r:
        _h_recrystallize_text(s, r.group("m"))
        return
    t = rsearch(r"\btrituration\s+with\s+(?P<m>.+)$", seg, re.I)
    if t:
        found = tm.chemicals(t.group("m"))
        if found:
            s.add(Triturate(found[0][0]))
            return
    s.add(Purify())


def _h_recrystallize_text(s: _Sentence, text: str) -> None:
    found = tm.chemicals(text)
    if found:
        s.add(Recrystallize(found[0][0]))
    else:
        s.add(Recrystallize(Chemical("unknown")))


def _h_recrystallize(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    f = rsearch(r"\bfrom\s+(?P<m>.+)$", seg, re.I)
    if f:
        _h_recrystallize_text(s, f.group("m"))
    else:
        s.add(Recrystallize(Chemical("unknown")))


def _h_triturate(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    w = rsearch(r"\b(?:with|in|using|from)\s+(?P<m>.+)$", after, re.I)
    found = tm.chemicals(w.group("m")) if w else []
    s.add(Triturate(found[0][0] if found else Chemical("unknown")))


def _h_ph(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    value = _PH_VALUE.search(seg) or _PH_VALUE_AFTER_VERB.search(seg)
    ph: Optional[str]
    if value:
        ph = value.group("v").replace(" ", "") if rmatch(r"^[~˜≈<>]\s", value.group("v")) else value.group("v")
    elif rsearch(r"acidif|acidic", seg, re.I):
        ph = "acidic"
    elif rsearch(r"basif|basic|alkalin|alkalif", seg, re.I):
        ph = "basic"
    elif rsearch(r"neutral", seg, re.I):
        ph = "neutral"
    else:
        ph = None
    text = tm._sub_top(_PH_PHRASE, seg)
    material: Optional[Chemical] = None
    mat = _PH_MATERIAL.search(text[m.start() :] if m.start() < len(text) else text)
    if mat:
        found = tm.chemicals(_PURPOSE.sub("", mat.group("m")))
        if found:
            material = found[0][0]
    if material is None:
        subj = _subject(text[: m.start()]) if m.start() <= len(text) else subject
        subj = rsub(r"\b(?:was|were|is|are)\s+(?:then\s+)?(?:added|used)\b.*$", "", subj, flags=re.I)
        subj = rsub(r"\b(?:the\s+)?pH\b.*$", "", subj, flags=re.I)
        found = tm.chemicals(subj) if subj else []
        if found:
            material = found[0][0]
    if material is None:
        w = rsearch(r"\b(?:with|using|by\s+(?:the\s+)?addition\s+of|by\s+adding)\s+(?P<m>[^,]+)", text, re.I)
        found = tm.chemicals(w.group("m")) if w else []
        if found:
            material = found[0][0]
    if material is None:
        return
    t = tm.temperature(seg)
    s.add(PH(material, ph=ph, dropwise=tm.is_dropwise(seg), temperature=t[0] if t else None))


def _h_quench(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    w = rsearch(r"\b(?:with|by\s+(?:the\s+)?(?:slow\s+|careful\s+|dropwise\s+)?(?:addition\s+of|adding|pouring\s+(?:it\s+)?(?:into|onto))|using|into|onto|in)\s+(?P<m>.+)$", after, re.I)
    found = tm.chemicals(_clean_material_text(w.group("m"))) if w else []
    if not found and subject and not tm.is_generic(subject):
        found = tm.chemicals(rsub(r"\s+(?:was|were)\s+(?:added|used).*$", "", subject))
    if not found:
        return
    t = tm.temperature(seg)
    s.add(Quench(found[0][0], dropwise=tm.is_dropwise(seg), temperature=t[0] if t else None))
    for c, _ in found[1:]:  # "quenched by addition of water, 15% NaOH and water": the others are added
        s.add(Add(c))


def _h_partition(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    found = tm.chemicals(after)
    if len(found) >= 2:
        s.add(Partition(found[0][0], found[1][0]))


def _h_phasesep(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    s.add(PhaseSeparation())


def _h_collect(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    if rsearch(r"\b(?:both|two)\b|\band\s+(?:the\s+)?(?:organic|aqueous)\b", seg[: m.end()], re.I):
        s.add(PhaseSeparation())
        return
    s.add(CollectLayer("organic" if "organic" in m.group(0).lower() else "aqueous"))


def _h_degas(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    g = rsearch(r"\b(nitrogen|argon|N2|Ar|helium|He)\b", seg)
    if g is None and subject and m.group(0).lower().startswith("bubbl"):
        for c, _ in tm.chemicals(subject):  # "HCl gas was bubbled through": a reagent, not degassing
            s.add(Add(c))
        return
    d = tm.duration(seg)
    s.add(Degas(gas=g.group(1) if g else None, duration=d[0] if d else None))


def _h_sonicate(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    t = tm.temperature(seg)
    d = tm.duration(seg)
    s.add(Sonicate(duration=d[0] if d else None, temperature=t[0] if t else None))


def _h_microwave(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    t = tm.temperature(seg)
    d = tm.duration(seg)
    s.add(Microwave(duration=d[0] if d else None, temperature=t[0] if t else None))


_AS_FORM = re.compile(r"\s+as\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,4}?(?:solid|oil|foam|powder|crystals?|gum|syrup|glass|liquid|"
                      r"product|salt|residue|needles|prisms|plates|mixture|precipitate|film|semi-?solid|form|isomer|"
                      r"diastereomer|enantiomer|\w+)\b", re.I)
_YIELD_PERCENT = re.compile(r"\b(?:in\s+)?(?P<p>\d+(?:\.\d+)?\s?%)\s+(?:yield|of theory)\b|\byield\s*(?:of|:)?\s*(?P<p2>\d+(?:\.\d+)?\s?%)", re.I)
_NOT_PRODUCT = re.compile(r"^(?:(?:an?|the)\s+)?(?:(?:clear|homogeneous|homogenous|heterogeneous|colou?rless|pale|yellow|brown|"
                          r"white|thick|turbid|cloudy|biphasic|two-phase|red|orange|dark|light|green|black)\s+)*"
                          r"(?:solution|mixture|suspension|slurry|emulsion|precipitate|free base of the product|the product|"
                          r"reaction mixture)$|^(?:a|an|the)?\s*free base of\b", re.I)


def _h_yield(s: _Sentence, seg: str, m: re.Match[str], subject: str, after: str) -> None:
    verb = m.group(0).lower()
    passive = verb.startswith(("was", "were", "is", "are"))
    text = subject if passive and subject and not rmatch(r"^there$", subject, re.I) else after
    if passive and not text:
        text = after
    quantities: list[str] = []
    form = tm.find_top(text, _AS_FORM)
    name_text = text
    rest = ""
    if form is not None:
        name_text, rest = text[: form.start()], text[form.end() :]
    if passive and text is subject:
        rest = after
    found = tm.chemical(name_text)
    if found is None:
        title = rsearch(r"\btitle\s+(?:compound|product)\b", name_text, re.I)
        found = (Chemical(title.group(0)), 1) if title else None
    q = rsearch(r"\((?P<q>(?:[^()]|\([^()]*\))*)\)", rest)
    if q:
        extra, _, _ = tm._quantity_parts(q.group("q"))
        quantities.extend(extra)
    pct = _YIELD_PERCENT.search(rest or text)
    if found is None:
        return
    chem = found[0]
    if quantities and not chem.quantity:
        chem = Chemical(rsub(r"\s+\((?:[^()]*\s)?(?:mixture|isomers?|diastereomers?|enantiomers?|racemic|racemate|ratio|purity|ee)\b[^()]*\)$", "", chem.name), quantity=[])
    if _NOT_PRODUCT.match(chem.name.strip()):
        return
    quantity = list(chem.quantity) + [x for x in quantities if x not in chem.quantity]
    if pct:
        p = pct.group("p") or pct.group("p2")
        if p and p not in quantity:
            quantity.append(p)
    s.add(Yield(Chemical(chem.name, quantity=quantity)))


_HANDLERS: dict[str, Callable[[_Sentence, str, re.Match[str], str, str], None]] = {
    "add": _h_add,
    "stir": _h_stir,
    "heat": _h_heat,
    "wait": _h_wait,
    "crystallize_wait": _h_crystallize_wait,
    "reflux": _h_reflux,
    "extract": _h_extract,
    "wash": _h_wash,
    "dry": _h_dry,
    "filter": _h_filter,
    "concentrate": _h_concentrate,
    "purify": _h_purify,
    "recrystallize": _h_recrystallize,
    "triturate": _h_triturate,
    "ph": _h_ph,
    "quench": _h_quench,
    "partition": _h_partition,
    "phasesep": _h_phasesep,
    "collect": _h_collect,
    "degas": _h_degas,
    "sonicate": _h_sonicate,
    "microwave": _h_microwave,
    "yield": _h_yield,
}
_LAYER_KINDS = {"wash", "dry", "extract", "ph", "concentrate", "filter", "add", "purify", "quench"}


_INDEPENDENT_CLAUSE = re.compile(
    r"\b(?:was|were|is|are|became|becomes|turned|turns|formed|occurred|had|has|began|begins|started|changed|"
    r"appeared|precipitated|crystallized|crystallised|ceased|subsided|dissolved|gone)\b",
    re.I,
)
_AFTER_START = re.compile(r"^(?:after|upon|on|following|when|once|as soon as)\b", re.I)


def _segments(sentence: str) -> list[tuple[str, Optional[re.Match[str]]]]:
    """Clauses of a sentence, each with its lab verb; verb-less pieces join their neighbour."""
    starts = _verb_starts(sentence)
    out: list[tuple[str, Optional[re.Match[str]]]] = []
    pending = ""
    for sep, piece, begin in _split_keep(sentence):
        has_verb = any(begin <= v < begin + len(piece) for v in starts)
        if not has_verb:
            if out and not pending:
                text, v = out[-1]
                out[-1] = (text + sep + piece, v)
            elif _INDEPENDENT_CLAUSE.search(piece) or (not out and _AFTER_START.match(piece) and not pending):
                continue  # "the mixture became colourless", "After completion of the reaction": no action, own clause
            else:
                pending = pending + sep + piece if pending else piece
            continue
        offset = 0
        if pending:
            offset = len(pending) + len(sep)
            piece = pending + sep + piece
            pending = ""
        verb = _verb_search(piece, offset)
        if verb is None:  # a verb cut by a clause boundary ("evacuated and backfilled"): join the next piece
            pending = piece
            continue
        out.append((piece, verb))
    if pending:
        out.append((pending, _verb_search(pending)))
    return out


def _verb_starts(text: str) -> list[int]:
    """Start of every lab verb of `text` (one pass over the sentence, not one per clause)."""
    return [m.start() for m in _VERB.finditer(text) if _is_verb(text, m)]


def _split_keep(text: str) -> list[tuple[str, str, int]]:
    """(separator before, piece, piece start) for the top-level clause boundaries of `text`."""
    d = tm.depths(text)
    result: list[tuple[str, str, int]] = []
    last = 0
    sep = ""
    for m in _BOUNDARY.finditer(text):
        if d[m.start()] > 0 or m.start() < last:
            continue
        if m.start() == m.end() and m.start() == last:
            continue
        result.append((sep, text[last : m.start()], last))
        sep = m.group(0) if m.group(0) else " "
        last = m.end()
    result.append((sep, text[last:], last))
    return [(s, p, b) for s, p, b in result if p.strip()]


def _choose_verb(seg: str, first: re.Match[str]) -> re.Match[str]:
    found = _PRIORITY_VERB.search(seg)
    return found if found is not None else first


def _clause_actions(s: _Sentence, seg: str, verb: re.Match[str]) -> None:
    done = _SUBORDINATE_DONE.search(seg)
    if done:
        seg = seg[done.end() :].strip(" ,")
        found = _verb_search(seg)
        if found is None:
            return
        verb = found
    not_action = _NOT_ACTION.search(seg)
    if not_action:
        if not_action.start() <= verb.end():
            return
        seg = rsub(r"\s*,?\s*(?:which|that|and)?\s*(?:was|were|is|are)?\s*$", "", seg[: not_action.start()])
    if rsearch(r"\belut(?:ed|ing|ion)\b", seg, re.I) and verb.lastgroup not in ("yield", "purify"):
        return
    verb = _choose_verb(seg, verb)
    kind = verb.lastgroup or ""
    subject = _subject(seg[: verb.start()])
    if subject:
        s.solid = bool(_SOLID_WORDS.search(subject)) and not _LAYER_SUBJECT.match(subject) and not rsearch(
            r"\b(?:solution|mixture|suspension|filtrate|layer|phase|extracts?)\b", subject, re.I
        )
    after = seg[verb.end() :]
    layer = _LAYER_SUBJECT.match(subject)
    if layer and kind in _LAYER_KINDS:
        s.add(CollectLayer("aqueous" if (layer.group("layer") or "").lower() == "aqueous" else "organic"))
    before = len(s.actions)
    try:
        _HANDLERS[kind](s, seg, verb, subject, after)
    except (ValueError, TypeError, IndexError, KeyError):  # an action refused its arguments
        del s.actions[before:]
    s.last_kind = kind


def _postprocess(actions: list[Action]) -> list[Action]:
    """Join 'heated to T' + 'stirred/maintained for D' into one STIR at T; decide open FILTERs from their neighbours."""
    out: list[Action] = []
    for i, a in enumerate(actions):
        if (
            isinstance(a, Stir)
            and out
            and isinstance(out[-1], SetTemperature)
            and a.duration is not None
            and (a.temperature is None or a.temperature == "same temperature")
        ):
            previous = out.pop()
            assert isinstance(previous, SetTemperature)
            a = Stir(duration=a.duration, temperature=previous.temperature, atmosphere=a.atmosphere)
        if isinstance(a, Stir) and a == Stir():
            neighbours = actions[max(0, i - 1) : i] + actions[i + 1 : i + 2]
            if any(isinstance(n, (Stir, Reflux, SetTemperature, Wait, Microwave)) for n in neighbours):
                continue  # "stirred and heated under reflux": the heating says it all
        out.append(a)
    for i, a in enumerate(out):
        if isinstance(a, Filter) and a.phase_to_keep is None:
            previous = out[i - 1] if i > 0 else None
            following = out[i + 1] if i + 1 < len(out) else None
            if isinstance(previous, (Recrystallize, Triturate)) or isinstance(following, (Wash, DrySolid, Recrystallize, Triturate, Yield)):
                out[i] = Filter(phase_to_keep="precipitate")
            elif isinstance(following, (Concentrate, DrySolution, Extract, Purify, PH)) or isinstance(previous, DrySolution):
                out[i] = Filter(phase_to_keep="filtrate")
    solid = False
    for i, a in enumerate(out):
        if isinstance(a, Filter):
            solid = a.phase_to_keep == "precipitate"
        elif isinstance(a, DrySolution) and a.material == "unknown" and solid:
            out[i] = DrySolid()
        elif not isinstance(a, Wash):
            solid = False
    return out


def _sentence_class(sentence: str) -> Optional[list[Action]]:
    """A whole-sentence label (other language, analysis, other procedure, invalid), else None."""
    if not _LETTER.search(sentence):
        return [NoAction()]
    if not sentence.isascii() and _NON_LATIN.search(sentence):
        head = sentence[:2000]
        if len(_NON_LATIN.findall(head)) > 0.3 * len(_LETTER.findall(head)):
            return [OtherLanguage()]
    lower = f" {sentence.lower()} "
    common = sum(lower.count(w) for w in (" the ", " was ", " were ", " of ", " with "))
    if not (common >= 3 and sentence.isascii()):  # clearly English text skips the word count
        foreign = len(_FOREIGN_WORD.findall(sentence))
        if foreign >= 3 and foreign > len(_ENGLISH_WORD.findall(sentence)):
            return [OtherLanguage()]
    if _ANALYSIS_START.match(sentence):
        return [NoAction()]
    flat = tm.strip_brackets(sentence)
    if _FOP_STRONG.search(flat) or (_FOP.search(flat) and _FOP_REFERENCE.search(flat)):
        return [FollowOtherProcedure()]
    if _REACTED_IN_PRESENCE.search(flat):
        return [FollowOtherProcedure()] if _LITERATURE.search(sentence) else [InvalidAction()]
    if _INVALID.search(sentence):
        return [InvalidAction()]
    return None


_VESSEL_PREFIX = re.compile(
    r"^(?:In|Into)\s+an?\s+(?:[\w-]+\s+){0,4}?(?:flask|vessel|reactor|autoclave|apparatus|beaker|bottle|tube|vial)\b[^,]*,\s*", re.I
)


def _one_sentence(sentence: str) -> list[Action]:
    text = sentence.strip()
    if not text:
        return []
    if len(text) > MAX_SENTENCE_CHARS:
        return [InvalidAction()]
    labelled = _sentence_class(text)
    if labelled is not None:
        return labelled
    tail = tm.find_top(text, _ANALYSIS_TAIL)
    if tail is not None and tail.start() > 0:
        text = text[: tail.start()]
    colon = tm.find_top(text, _COLON_TAIL)
    if colon is not None and colon.start() > 0:
        text = text[: colon.start()]
    text = _WITHOUT_PURIFICATION.sub("", text)
    if text.endswith(".") and not rsearch(r"\b\w\.\w\.$", text):
        text = text[:-1]
    text = rsub(r"\b(After|Upon|On|Following|During|With|Before)\s+the\s+", r"\1 ", text.strip())
    text = _VESSEL_PREFIX.sub("", text)
    s = _Sentence()
    s.text = text
    for seg, verb in _segments(text):
        if verb is not None:
            _clause_actions(s, seg.strip(), verb)
    actions = _postprocess(s.actions)
    return actions or [NoAction()]


def sentence_actions(sentence: str) -> list[Action]:
    """Actions of one sentence (a text the splitter cuts further is handled piece by piece)."""
    try:
        if not sentence or not sentence.strip():
            return []
        parts = split_sentences(sentence) if len(sentence) <= 100_000 else [sentence]
        out: list[Action] = []
        for part in parts:
            out.extend(_one_sentence(part))
        if len(out) > 1 and any(isinstance(a, NoAction) for a in out):
            out = [a for a in out if not isinstance(a, NoAction)] or [NoAction()]
        return out
    except Exception:  # rules must never take a pipeline down; the sentence is marked instead
        return [InvalidAction()]


def _safe_one_sentence(sentence: str) -> list[Action]:
    try:
        return _one_sentence(sentence)
    except Exception:  # as in sentence_actions
        return [InvalidAction()]


def paragraph_actions(paragraph: str) -> list[Action]:
    """Actions of every sentence of a procedure paragraph, in order, concatenated."""
    try:
        sentences = split_sentences(paragraph or "")
    except Exception:
        return [InvalidAction()]
    out: list[Action] = []
    for sentence in sentences:
        out.extend(_safe_one_sentence(sentence))  # already split: no second pass of the splitter
    return out


_CONVERTER = ReadableConverter()


def readable(actions: list[Action]) -> str:
    """The paragraph2actions readable format ('ADD water (10 ml); STIR for 2 h.').

    paragraph2actions writes an InvalidAction without message as 'INVALIDACTION ' (trailing
    space); the annotations write 'INVALIDACTION', so the space is dropped.
    """
    if not actions:
        return ""
    parts = [_CONVERTER.action_to_string(a).rstrip() for a in actions]
    return _CONVERTER.separator.join(parts) + _CONVERTER.end_mark

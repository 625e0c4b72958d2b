"""One record -> the paper's standard form (canonical reaction + readable actions with tokens).

The checks run in this fixed order; the first that fails names the one Reason of a record:

1. UNPARSABLE_SMILES     the reaction SMILES cannot be canonicalised.
2. NO_ACTIONS / INVALID_ACTION / UNREADABLE_CONDITION   raised by the action source itself.
3. FOLLOW_OTHER_PROCEDURE, OTHER_LANGUAGE, INVALID_ACTION   the paper's forbidden actions, each
                         its own reason (the first forbidden action of the sequence names it);
                         INVALID_ACTION also when MAKESOLUTION and 'SLN' mentions do not pair up.
   (then, no drop, with paragraph2actions' postprocessors: NoAction removed, a leading
   MAKESOLUTION + ADD SLN -> ADDs of its components, 'same temperature' resolved, WAIT merged into
   the action before it when that action has no duration of its own and is not an ADD and the
   WAIT has no temperature of its own (else the WAIT stays), FILTER phase inferred from neighbours)
4. MULTI_STEP            a YIELD followed by an action that is not work-up (a second reaction step).
5. TOO_FEW_ACTIONS       fewer than 5 actions.
   (then, no drop: 'unknown' DEGAS durations and DRYSOLUTION materials cleared, as no value)
6. UNREADABLE_CONDITION  a temperature, duration or pH that cannot be read (see quantities.py);
                         STIR/SETTEMPERATURE/WAIT 'at reflux' become REFLUX first.
   (then, no drop: atmospheres removed except vacuum for DRYSOLID, WASH/EXTRACT repetitions
   removed, quantities removed)
7. UNMAPPED_COMPOUND     a compound neither in the equation nor on the common-reagent list.
8. INVALID_ACTION        the action strings do not round-trip through ReadableConverter (a guard;
                         detail says 'round trip').
   (then, no drop: a sequence that never names the product of a one-product reaction ends with
   YIELD $-1$: text procedures often end "... to give the title compound")
9. UNUSED_COMPOUND       a precursor or product of the equation that no action refers to: as in
                         the paper's data (every sequence of the public sample is valid), a target
                         names every molecule of its reaction, so validity means the same for
                         predictions and for the truth.
Structural checks (3-5) come before the checks that depend on our parsing and name lists (6-7), so
the drop table says how many records are lost whatever the quality of those lists.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

import attr
from paragraph2actions.actions import (
    PH,
    Action,
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
    NoAction,
    OtherLanguage,
    Partition,
    PhaseSeparation,
    Purify,
    Recrystallize,
    Reflux,
    SetTemperature,
    Stir,
    Triturate,
    Wait,
    Wash,
    Yield,
)
from paragraph2actions.postprocessing.action_postprocessor import ActionPostprocessor
from paragraph2actions.postprocessing.filter_postprocessor import FilterPostprocessor
from paragraph2actions.postprocessing.initial_makesolution_postprocessor import InitialMakesolutionPostprocessor
from paragraph2actions.postprocessing.noaction_postprocessor import NoActionPostprocessor
from paragraph2actions.postprocessing.postprocessor_combiner import PostprocessorCombiner
from paragraph2actions.postprocessing.same_temperature_postprocessor import SameTemperaturePostprocessor
from paragraph2actions.postprocessing.wait_postprocessor import WaitPostprocessor
from paragraph2actions.utils import apply_to_durations, apply_to_temperatures, extract_chemicals

from preprocessing.action_sources import ActionSource
from preprocessing.common_reagents import CommonReagents
from preprocessing.compounds import SOLUTION, CompoundMapper, Mention
from preprocessing.quantities import UnreadableQuantity, is_reflux, parse_duration, parse_ph, parse_temperature
from preprocessing.ranges import DURATION, PH as PH_TABLE, TEMPERATURE, product_token
from preprocessing.reasons import Dropped, Reason
from s2a.formats.action_format import readable_converter
from s2a.formats.targets import allowed_positions, positional_tokens
from s2a.formats.tokenization import ACTION_SEPARATOR
from s2a.errors import InvalidReaction, InvalidSmiles
from s2a.formats.reaction import CanonicalReaction, canonical_reaction
from s2a.formats.records import Record

__all__ = ["CommonReagents", "Standardised", "standardise_actions", "standardise_record"]

MIN_ACTIONS = 5
# Forbidden action classes and the reason each one is counted under.
FORBIDDEN: dict[type[Action], Reason] = {
    InvalidAction: Reason.INVALID_ACTION,
    FollowOtherProcedure: Reason.FOLLOW_OTHER_PROCEDURE,
    OtherLanguage: Reason.OTHER_LANGUAGE,
}
# Actions that may follow a YIELD without starting another reaction step.
WORKUP_ACTIONS = (
    Yield, Purify, Concentrate, Recrystallize, NoAction, Filter, Wash, DrySolid, DrySolution,
    CollectLayer, Triturate, Extract, PhaseSeparation, Partition,
)
# Actions whose temperature 'reflux' means the REFLUX action.
_REFLUX_LIKE = (Stir, SetTemperature, Wait)
_VACUUM_WORDS = ("vacuum", "vacuo", "reduced pressure")

CONVERTER = readable_converter()


class _When(ActionPostprocessor):
    """Run a paragraph2actions postprocessor only where it can change something: each one deep-copies
    the whole sequence, which was half of the standardisation time."""

    def __init__(self, applies: Callable[[list[Action]], bool], postprocessor: ActionPostprocessor) -> None:
        self.applies = applies
        self.postprocessor = postprocessor

    def postprocess(self, actions: list[Action]) -> list[Action]:
        return self.postprocessor.postprocess(actions) if self.applies(actions) else actions


_STRUCTURE = PostprocessorCombiner(
    [
        _When(lambda a: any(isinstance(x, NoAction) for x in a), NoActionPostprocessor()),
        _When(lambda a: bool(a) and isinstance(a[0], MakeSolution), InitialMakesolutionPostprocessor()),
        _When(lambda a: any(getattr(x, "temperature", None) == "same temperature" for x in a), SameTemperaturePostprocessor()),
        _When(lambda a: any(isinstance(x, Wait) for x in a), WaitPostprocessor()),
        _When(lambda a: any(isinstance(x, Filter) and x.phase_to_keep is None for x in a), FilterPostprocessor()),
    ]
)


@dataclass
class Standardised:
    reaction: CanonicalReaction
    actions: list[str]  # readable actions, each without separator or end mark


def standardise_record(record: Record, source: ActionSource, reagents: CommonReagents,
                       every_compound: bool = False) -> Standardised:
    """The record in the paper's standard form, or Dropped with exactly one Reason.

    `every_compound`: step 9 (the data pipeline's setting; off for checking single steps alone).
    """
    try:
        reaction = canonical_reaction(record.reaction_smiles)
    except (InvalidReaction, InvalidSmiles) as e:
        raise Dropped(Reason.UNPARSABLE_SMILES, str(e)) from None
    actions = source.actions(record)
    mapper = CompoundMapper(reaction, record.names, reagents)
    strings = standardise_actions(actions, mapper)
    if every_compound:
        strings = complete_equation(strings, len(reaction.precursors), len(reaction.products))
    return Standardised(reaction, strings)


def standardise_actions(actions: list[Action], mapper: CompoundMapper) -> list[str]:
    """Steps 3-8 of the module docstring on a list of actions (not modified)."""
    actions = copy.deepcopy(actions)
    check_allowed(actions)
    actions = _STRUCTURE.postprocess(actions)
    check_single_step(actions)
    if len(actions) < MIN_ACTIONS:
        raise Dropped(Reason.TOO_FEW_ACTIONS, str(len(actions)))
    clear_unknowns(actions)
    actions = bin_conditions(actions)
    clean(actions)
    map_compounds(actions, mapper)
    return to_strings(actions)


def complete_equation(strings: list[str], n_precursors: int, n_products: int) -> list[str]:
    """Step 9 (with the YIELD of a one-product reaction added first) on the readable actions."""
    used = positional_tokens(ACTION_SEPARATOR.join(strings))
    if n_products == 1 and -1 not in used:
        strings = [*strings, f"YIELD {product_token(0)}"]
        used.add(-1)
    missing = sorted(allowed_positions((n_precursors, n_products)) - used, key=lambda k: (k < 0, abs(k)))
    if missing:
        k = missing[0]
        raise Dropped(Reason.UNUSED_COMPOUND, f"${k}$ never used" + (f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""))
    return strings


def check_allowed(actions: list[Action]) -> None:
    for action in actions:
        forbidden = FORBIDDEN.get(type(action))
        if forbidden is not None:
            raise Dropped(forbidden, action.action_name)
    n_solutions = sum(isinstance(a, MakeSolution) for a in actions)
    n_sln = sum(c.name == SOLUTION for c in extract_chemicals(actions))
    if n_solutions != n_sln:
        raise Dropped(Reason.INVALID_ACTION, f"{n_solutions} MAKESOLUTION but {n_sln} SLN")


def check_single_step(actions: list[Action]) -> None:
    """A YIELD followed by anything but work-up means the sequence describes several steps."""
    seen_yield = False
    for action in actions:
        if isinstance(action, Yield):
            seen_yield = True
        elif seen_yield and not isinstance(action, WORKUP_ACTIONS):
            raise Dropped(Reason.MULTI_STEP, f"{action.action_name} after YIELD")


def _temperature_token(text: str) -> str:
    if TEMPERATURE.is_token(text):
        return text
    try:
        return TEMPERATURE.token(parse_temperature(text))
    except UnreadableQuantity:
        raise Dropped(Reason.UNREADABLE_CONDITION, text) from None


def _duration_token(text: str) -> str:
    if DURATION.is_token(text):
        return text
    try:
        return DURATION.token(parse_duration(text))
    except UnreadableQuantity:
        raise Dropped(Reason.UNREADABLE_CONDITION, text) from None


def _ph_word(text: str) -> str:
    if PH_TABLE.is_token(text):
        return text
    try:
        return PH_TABLE.token(parse_ph(text))
    except UnreadableQuantity:
        raise Dropped(Reason.UNREADABLE_CONDITION, f"pH {text}") from None


# paragraph2actions writes 'unknown' where the text names no value: for these optional fields that
# is the same as no value (the Smiles2Actions data has bare DRYSOLUTION). A WAIT 'for unknown'
# (duration required) stays, and is UNREADABLE_CONDITION.
_UNKNOWN = "unknown"
_OPTIONAL_UNKNOWNS: tuple[tuple[type[Action], str], ...] = ((Degas, "duration"), (DrySolution, "material"))


def clear_unknowns(actions: list[Action]) -> None:
    """In place: 'unknown' in an optional field (DEGAS duration, DRYSOLUTION material) -> None."""
    for action in actions:
        for cls, name in _OPTIONAL_UNKNOWNS:
            if isinstance(action, cls) and getattr(action, name) == _UNKNOWN:
                setattr(action, name, None)


def bin_conditions(actions: list[Action]) -> list[Action]:
    """Reflux temperatures -> REFLUX, then temperatures/durations/pH -> range tokens (in place,
    except that a reflux-like action is replaced: use the returned list)."""
    out: list[Action] = []
    for action in actions:
        temperature = getattr(action, "temperature", None)
        if isinstance(action, _REFLUX_LIKE) and temperature and is_reflux(temperature):
            action = Reflux(duration=getattr(action, "duration", None))
        out.append(action)
    for action in out:
        temperature = getattr(action, "temperature", None)
        if temperature and is_reflux(temperature):
            raise Dropped(Reason.UNREADABLE_CONDITION, f"{action.action_name} at {temperature}")
    apply_to_temperatures(out, _temperature_token)
    apply_to_durations(out, _duration_token)
    for action in out:
        if isinstance(action, PH) and action.ph is not None:
            action.ph = _ph_word(action.ph)
    return out


def clean(actions: list[Action]) -> None:
    """In place: atmospheres (except vacuum for DRYSOLID), repetitions and quantities removed."""
    for action in actions:
        atmosphere = getattr(action, "atmosphere", None)
        if atmosphere is None:
            continue
        keep = isinstance(action, DrySolid) and any(w in atmosphere.lower() for w in _VACUUM_WORDS)
        action.atmosphere = "vacuum" if keep else None  # type: ignore[attr-defined]
    for action in actions:
        if isinstance(action, (Wash, Extract)):
            action.repetitions = 1
    for chemical in extract_chemicals(actions):
        chemical.quantity = []


def map_compounds(actions: list[Action], mapper: CompoundMapper) -> None:
    """In place: every compound name -> `$k$` / `$-k$` / listed name (CompoundMapper.map_sequence,
    all names of the sequence at once); else Dropped(UNMAPPED_COMPOUND)."""
    mentions: list[Mention] = []
    setters: list[Callable[[str], None]] = []
    for action in actions:
        is_yield = isinstance(action, Yield)
        for field in attr.fields(type(action)):
            value = getattr(action, field.name)
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, Chemical):
                    mentions.append(Mention(item.name, is_yield))
                    setters.append(lambda token, c=item: setattr(c, "name", token))
            if isinstance(action, DrySolution) and field.name == "material" and value:
                mentions.append(Mention(value))
                setters.append(lambda token, a=action: setattr(a, "material", token))
    for setter, token in zip(setters, mapper.map_sequence(mentions), strict=True):
        setter(token)


def to_strings(actions: list[Action]) -> list[str]:
    """Readable strings, checked to round-trip through the converter as one ' ; '-joined line."""
    strings = [CONVERTER.action_to_string(a) for a in actions]
    joined = CONVERTER.actions_to_string(actions)
    bad: Optional[str] = next((s for s in strings if ";" in s or not s.strip()), None)
    if bad is not None:
        raise Dropped(Reason.INVALID_ACTION, f"round trip: {bad!r}")
    try:
        back = CONVERTER.string_to_actions(joined)
    except Exception:
        raise Dropped(Reason.INVALID_ACTION, f"round trip: {joined!r}") from None
    if back != actions:
        raise Dropped(Reason.INVALID_ACTION, f"round trip: {joined!r}")
    return strings

"""ORD structured fields -> actions: inputs by addition order, conditions, reaction time, work-ups
by type, products (paragraph2actions Action objects)."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Optional

from ord_schema.proto import reaction_pb2
from paragraph2actions.actions import (
    PH,
    Action,
    Add,
    Chemical,
    CollectLayer,
    Concentrate,
    DrySolid,
    DrySolution,
    Extract,
    Filter,
    Microwave,
    PhaseSeparation,
    Purify,
    Reflux,
    SetTemperature,
    Stir,
    Wait,
    Wash,
    Yield,
)

from preprocessing.action_sources import ActionSource
from preprocessing.names import is_generic
from preprocessing.ord_source import compound_name, compound_smiles
from preprocessing.reasons import Dropped, Reason
from s2a.formats.records import Record

_WORKUP = reaction_pb2.ReactionWorkup.ReactionWorkupType
_CONTROL = reaction_pb2.TemperatureConditions.TemperatureControl.TemperatureControlType
_SPEED = reaction_pb2.ReactionInput.AdditionSpeed.AdditionSpeedType
_TIME_UNITS = {
    reaction_pb2.Time.DAY: "days",
    reaction_pb2.Time.HOUR: "h",
    reaction_pb2.Time.MINUTE: "min",
    reaction_pb2.Time.SECOND: "s",
}
_TEMPERATURE_UNITS = {
    reaction_pb2.Temperature.CELSIUS: "°C",
    reaction_pb2.Temperature.FAHRENHEIT: "°F",
    reaction_pb2.Temperature.KELVIN: "K",
}
# Temperature controls that fix the temperature without a setpoint.
_CONTROL_TEMPERATURES = {
    _CONTROL.AMBIENT: "room temperature",
    _CONTROL.ICE_BATH: "0 °C",
    _CONTROL.DRY_ICE_BATH: "-78 °C",
    _CONTROL.LIQUID_NITROGEN: "-196 °C",
}


class OrdStructuredActions(ActionSource):
    """Actions derived from the structured fields of the ORD Reaction in record.extra['ord'].

    Order: inputs (by addition_order, else by the numbers of their keys m1, m2, ...; each component
    an ADD), the reaction conditions (STIR for reaction time at temperature / REFLUX /
    SETTEMPERATURE), the work-ups in their order, then YIELD of each product.
    Work-ups that carry no usable structure (CUSTOM, an ADDITION without material, ...) are skipped
    and counted in `self.skipped` (cumulative) and in the result of `derive` (per record), so the
    pipeline can report what was not used.
    The only free text read is a work-up's `details`, for two decisions ORD has no field for:
    'reflux' in a TEMPERATURE/STIRRING work-up gives REFLUX, and a DISTILLATION whose details say
    'off'/'solvent' ("the solvent was distilled off") is CONCENTRATE, any other one PURIFY.
    """

    name = "ord"

    def __init__(self) -> None:
        self.skipped: Counter[str] = Counter()

    def available(self, record: Record) -> bool:
        return isinstance(record.extra.get("ord"), (bytes, bytearray))

    def actions(self, record: Record) -> list[Action]:
        actions, skipped = self.derive(record)
        self.skipped.update(skipped)
        return actions

    def derive(self, record: Record) -> tuple[list[Action], Counter[str]]:
        """(actions, what was skipped) for one record."""
        data = record.extra.get("ord")
        if not isinstance(data, (bytes, bytearray)):
            raise Dropped(Reason.NO_ACTIONS, "no ORD message")
        try:
            reaction = reaction_pb2.Reaction.FromString(bytes(data))
        except Exception as e:  # protobuf DecodeError
            raise Dropped(Reason.NO_ACTIONS, f"unreadable ORD message ({type(e).__name__})") from None
        builder = _Builder()
        builder.inputs(reaction)
        builder.conditions(reaction)
        for workup in reaction.workups:
            builder.workup(workup)
        builder.products(reaction, record.reaction_smiles)
        if not builder.actions:
            raise Dropped(Reason.NO_ACTIONS, "ORD reaction without structured actions")
        return _collapse_repeats(builder.actions), builder.skipped


# --- ORD -> actions -------------------------------------------------------------------------------


def time_text(time: reaction_pb2.Time) -> Optional[str]:
    """'2 h', '30 min', '3 days'; None if the unit is unspecified or the value not a number."""
    unit = _TIME_UNITS.get(time.units)
    if unit is None or not math.isfinite(time.value):
        return None
    return f"{time.value:g} {unit}"


def temperature_value_text(temperature: reaction_pb2.Temperature) -> Optional[str]:
    """'25 °C', '77 °F', '300 K'; None if the unit is unspecified or the value not a number (NaN)."""
    unit = _TEMPERATURE_UNITS.get(temperature.units)
    if unit is None or not math.isfinite(temperature.value):
        return None
    return f"{temperature.value:g} {unit}"


def temperature_text(conditions: reaction_pb2.TemperatureConditions) -> Optional[str]:
    """'25 °C' from a setpoint, 'room temperature' for AMBIENT control, None if unknown."""
    if conditions.HasField("setpoint"):
        text = temperature_value_text(conditions.setpoint)
        if text is not None:
            return text
    return _CONTROL_TEMPERATURES.get(conditions.control.type)


def _input_order(item: tuple[str, reaction_pb2.ReactionInput]) -> tuple[int, int, str]:
    key, reaction_input = item
    numbers = [int(n) for n in re.findall(r"\d+", key)]
    order = reaction_input.addition_order if reaction_input.addition_order > 0 else 1 << 30
    return order, min(numbers) if numbers else 1 << 30, key


def _chemical(compound: reaction_pb2.Compound | reaction_pb2.ProductCompound) -> Optional[Chemical]:
    name = compound_name(compound) or compound_smiles(compound)
    return Chemical(name) if name else None


class _Builder:
    def __init__(self) -> None:
        self.actions: list[Action] = []
        self.skipped: Counter[str] = Counter()

    def _materials(self, components: Sequence[reaction_pb2.Compound], what: str) -> list[Chemical]:
        out = []
        for c in components:
            chemical = _chemical(c)
            if chemical is None:
                self.skipped[f"{what}: component without name or SMILES"] += 1
            elif not compound_smiles(c) and is_generic(chemical.name):
                self.skipped[f"{what}: generic name ({chemical.name})"] += 1
            else:
                out.append(chemical)
        return out

    def inputs(self, reaction: reaction_pb2.Reaction) -> None:
        for _, reaction_input in sorted(reaction.inputs.items(), key=_input_order):
            temperature = None
            if reaction_input.HasField("addition_temperature"):
                temperature = temperature_value_text(reaction_input.addition_temperature)
            duration = None
            if reaction_input.HasField("addition_duration"):
                duration = time_text(reaction_input.addition_duration)
            dropwise = reaction_input.addition_speed.type == _SPEED.DROPWISE
            for chemical in self._materials(reaction_input.components, "input"):
                self.actions.append(Add(chemical, dropwise=dropwise, temperature=temperature, duration=duration))

    def conditions(self, reaction: reaction_pb2.Reaction) -> None:
        conditions = reaction.conditions
        duration = None
        for outcome in reaction.outcomes:
            if outcome.HasField("reaction_time"):
                duration = time_text(outcome.reaction_time)
                break
        temperature = temperature_text(conditions.temperature) if conditions.HasField("temperature") else None
        if conditions.HasField("reflux") and conditions.reflux:
            self.actions.append(Reflux(duration=duration))
        elif conditions.temperature.control.type == _CONTROL.MICROWAVE:
            self.actions.append(Microwave(duration=duration, temperature=temperature))
        elif duration is not None or conditions.HasField("stirring"):
            self.actions.append(Stir(duration=duration, temperature=temperature))
        elif temperature is not None:
            self.actions.append(SetTemperature(temperature))

    def workup(self, w: reaction_pb2.ReactionWorkup) -> None:
        kind = _WORKUP.Name(w.type)
        temperature = temperature_text(w.temperature) if w.HasField("temperature") else None
        duration = time_text(w.duration) if w.HasField("duration") else None
        materials = self._materials(w.input.components, kind) if w.HasField("input") else []
        before = len(self.actions)
        if w.type in (_WORKUP.ADDITION, _WORKUP.DISSOLUTION):
            self.actions += [Add(m, temperature=temperature) for m in materials]
        elif w.type == _WORKUP.TEMPERATURE:
            if "reflux" in w.details.lower():
                self.actions.append(Reflux(duration=duration))
            elif temperature is not None and duration is not None:
                self.actions.append(Stir(duration=duration, temperature=temperature))
            elif temperature is not None:
                self.actions.append(SetTemperature(temperature))
        elif w.type == _WORKUP.STIRRING:
            if "reflux" in w.details.lower():
                self.actions.append(Reflux(duration=duration))
            else:
                self.actions.append(Stir(duration=duration, temperature=temperature))
        elif w.type == _WORKUP.WAIT:
            if duration is not None:
                self.actions.append(Wait(duration, temperature=temperature))
        elif w.type == _WORKUP.CONCENTRATION:
            self.actions.append(Concentrate())
        elif w.type == _WORKUP.EXTRACTION:
            self.actions += [Extract(m) for m in materials[:1]]
        elif w.type == _WORKUP.WASH:
            self.actions += [Wash(m) for m in materials]
        elif w.type == _WORKUP.FILTRATION:
            self.actions.append(Filter(_keep_phase(w.keep_phase)))
        elif w.type == _WORKUP.DRY_WITH_MATERIAL:
            self.actions.append(DrySolution(materials[-1].name if materials else None))
        elif w.type == _WORKUP.DRY_IN_VACUUM:
            self.actions.append(DrySolid(duration=duration, temperature=temperature, atmosphere="vacuum"))
        elif w.type in (_WORKUP.FLASH_CHROMATOGRAPHY, _WORKUP.OTHER_CHROMATOGRAPHY):
            self.actions.append(Purify())
        elif w.type == _WORKUP.DISTILLATION:
            # 'the solvent was distilled off' removes solvent; 'the residue was distilled' purifies.
            details = w.details.lower()
            removes_solvent = " off" in details or "solvent" in details or "evaporat" in details
            self.actions.append(Concentrate() if removes_solvent else Purify())
        elif w.type in (_WORKUP.CUSTOM, _WORKUP.UNSPECIFIED):
            action = _custom_workup_action(w.details, self.actions[-1] if self.actions else None)
            if action is not None:
                self.actions.append(action)
        elif w.type == _WORKUP.PH_ADJUST:
            if materials:
                ph = f"{w.target_ph:g}" if w.HasField("target_ph") else None
                self.actions.append(PH(materials[0], ph=ph, temperature=temperature))
        if len(self.actions) == before:
            detail = "" if w.type in (_WORKUP.CUSTOM, _WORKUP.UNSPECIFIED) else " (nothing usable)"
            self.skipped[f"workup {kind}{detail}"] += 1

    def products(self, reaction: reaction_pb2.Reaction, reaction_smiles: str) -> None:
        products = [p for outcome in reaction.outcomes for p in outcome.products]
        with_structure = [p for p in products if compound_smiles(p)]
        for product in products:
            if not compound_smiles(product):
                # A product named only 'crystals' / 'compound': if it is the only product, the
                # equation says what it is; beside a product with a structure it is mining noise.
                only = None if with_structure else _only_product(reaction_smiles)
                if only is not None:
                    self.actions.append(Yield(Chemical(only)))
                    self.skipped["product without structure: YIELD of the equation's product"] += 1
                    continue
                if with_structure:
                    self.skipped["product without structure beside one with: skipped"] += 1
                    continue
            chemical = _chemical(product)
            if chemical is not None:
                self.actions.append(Yield(chemical))


# CUSTOM work-ups are free text in ORD (28k of them in the 8 USPTO slices): "the solvent was
# evaporated", "the residue was purified by column chromatography", "dried under vacuum". A few
# unambiguous phrases map to actions without materials; the first matching rule wins, anything
# else is skipped and counted.
_CUSTOM_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"chromatograph|purified (by|on|with|using) (a )?(silica|column|flash|hplc|prep)"), "purify"),
    (re.compile(r"evaporat|concentrat|distilled off|(solvents?|volatiles?|volatile material) (was |were |is |are )?removed"), "concentrate"),
    (re.compile(r"dried (under (high )?vacuum|in vacuo|under reduced pressure)|drying (under vacuum|in vacuo)"), "dry solid"),
    (re.compile(r"^(was |were )?dried$|^drying$|(extracts?|layers?|phases?|solutions?) (was |were )?dried"), "dry"),
    (re.compile(r"organic (layer|phase|extracts?) (was |were )?(separated|collected)"), "organic layer"),
    (re.compile(r"(layers|phases) (was |were )?separated"), "phase separation"),
]


def _custom_workup_action(details: str, previous: Optional[Action]) -> Optional[Action]:
    text = details.lower().strip()
    for pattern, kind in _CUSTOM_RULES:
        if pattern.search(text):
            break
    else:
        return None
    if kind == "purify":
        return Purify()
    if kind == "concentrate":
        return Concentrate()
    if kind == "dry solid" or (kind == "dry" and isinstance(previous, (Filter, DrySolid))):
        return DrySolid(atmosphere="vacuum" if kind == "dry solid" else None)
    if kind == "dry":
        return DrySolution(None)
    if kind == "organic layer":
        return CollectLayer("organic")
    return PhaseSeparation()


def _only_product(reaction_smiles: str) -> Optional[str]:
    """The canonical SMILES of the equation's product if there is exactly one, else None."""
    from s2a.errors import InvalidReaction, InvalidSmiles
    from s2a.formats.reaction import canonical_reaction

    try:
        products = canonical_reaction(reaction_smiles).products
    except (InvalidReaction, InvalidSmiles):
        return None
    return products[0] if len(products) == 1 else None


def _keep_phase(text: str) -> Optional[str]:
    t = text.strip().lower()
    if t in ("filtrate", "liquid", "mother liquor", "solution"):
        return "filtrate"
    if t in ("precipitate", "solid", "residue", "filter cake", "cake", "crystals"):
        return "precipitate"
    return None


def _collapse_repeats(actions: list[Action]) -> list[Action]:
    """Drop an action identical to the one before it: ORD text mining often records one step twice
    ('extracted with ether' + 'the ether extract'). STIR/REFLUX/MICROWAVE repeats are real steps."""
    out: list[Action] = []
    for action in actions:
        if out and action == out[-1] and not isinstance(action, (Stir, Reflux, Microwave)):
            continue
        out.append(action)
    return out

"""A predicted procedure as an ORD `Reaction` (Open Reaction Database schema, text proto).

The mapping follows how s2a derives actions from ORD records (preprocessing/ord_actions.py), run
backwards: ADDs before the first work-up action are the reaction's inputs (in order of addition),
STIR / REFLUX / SETTEMPERATURE set the conditions (temperature set-point, reflux) and the reaction
time (their durations summed), every later action is a `ReactionWorkup` of the closest type (CUSTOM
with the readable step where none fits), and YIELD names the desired product. Amounts are not
predicted: inputs carry an unmeasured amount saying so. Range tokens become the representative
values of configs/procedure.yaml (25 °C, 1 h, ...).
"""
from __future__ import annotations

import re
import sys
import types
from collections.abc import Mapping
from typing import Any, Optional

from google.protobuf import json_format, text_format
from ord_schema.proto import reaction_pb2
from paragraph2actions import actions as A

from s2a.formats.action_format import readable_converter
from s2a.procedure import RangeValues, default_range_values, molecule_labels, render_action
from s2a.formats.reaction import CanonicalReaction
from s2a.formats.tokenization import detokenize_actions

_POSITION = re.compile(r"^\$(-?\d+)\$$")
_TEMPERATURE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*°?\s*C\s*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(min|minutes?|h|hours?|days?|d|s|seconds?|weeks?)\s*$", re.I)
_TIME_UNITS = {"s": "SECOND", "sec": "SECOND", "second": "SECOND", "seconds": "SECOND", "min": "MINUTE",
               "minute": "MINUTE", "minutes": "MINUTE", "h": "HOUR", "hour": "HOUR", "hours": "HOUR",
               "d": "DAY", "day": "DAY", "days": "DAY"}

W = reaction_pb2.ReactionWorkup
_WORKUP_TYPES: dict[type, int] = {
    A.Extract: W.EXTRACTION, A.Wash: W.WASH, A.DrySolution: W.DRY_WITH_MATERIAL, A.DrySolid: W.DRY_IN_VACUUM,
    A.Filter: W.FILTRATION, A.Concentrate: W.CONCENTRATION, A.Add: W.ADDITION, A.Quench: W.ADDITION,
    A.PH: W.PH_ADJUST, A.Wait: W.WAIT, A.Stir: W.STIRRING, A.SetTemperature: W.TEMPERATURE,
    A.Partition: W.EXTRACTION, A.CollectLayer: W.EXTRACTION, A.PhaseSeparation: W.EXTRACTION,
}
_REACTION_PHASE = (A.Add, A.MakeSolution, A.Stir, A.Reflux, A.SetTemperature, A.Wait, A.Degas, A.Microwave,
                   A.Sonicate)


def validations() -> Any:
    """ord_schema.validations, importable without pyarrow.

    ord_schema 0.9.6 imports its parquet module (pyarrow) only for type annotations of dataset
    views; the pinned pyarrow needs NumPy 2 while s2a pins NumPy 1.26, so where that import fails a
    stand-in with the one class the annotations name takes its place (reactions never use it).
    """
    try:
        from ord_schema import validations as v
    except ImportError:
        import ord_schema

        stub = types.ModuleType("ord_schema.parquet")
        stub.DatasetView = type("DatasetView", (), {})  # type: ignore[attr-defined]
        sys.modules["ord_schema.parquet"] = stub
        ord_schema.parquet = stub  # type: ignore[attr-defined]
        sys.modules.pop("ord_schema.validations", None)
        from ord_schema import validations as v
    return v


class _Builder:
    def __init__(self, reaction: CanonicalReaction, names: Mapping[str, str], values: RangeValues) -> None:
        self.reaction = reaction
        self.names = dict(names)
        self.values = values
        self.labels_pre = molecule_labels(reaction.precursors, names)
        self.labels_post = molecule_labels(reaction.products, names)
        self.message = reaction_pb2.Reaction()
        self.minutes = 0.0
        self.in_workup = False
        self.additions = 0

    # -- compounds --------------------------------------------------------------------------------
    def _smiles_of(self, material: str) -> Optional[str]:
        m = _POSITION.match(material.strip())
        if not m:
            return None
        k = int(m.group(1))
        pool, i = (self.reaction.precursors, k - 1) if k > 0 else (self.reaction.products, -k - 1)
        return pool[i] if 0 <= i < len(pool) else None

    def _label(self, material: str) -> str:
        smiles = self._smiles_of(material)
        return (self.names.get(smiles) or smiles) if smiles else material

    def _identify(self, compound: Any, material: str) -> None:
        smiles = self._smiles_of(material)
        if smiles:
            compound.identifiers.add(type=reaction_pb2.CompoundIdentifier.SMILES, value=smiles.replace("~", "."))
            if self.names.get(smiles):
                compound.identifiers.add(type=reaction_pb2.CompoundIdentifier.NAME, value=self.names[smiles])
        else:
            compound.identifiers.add(type=reaction_pb2.CompoundIdentifier.NAME, value=material)

    def _component(self, container: Any, material: str, role: int) -> None:
        c = container.components.add()
        self._identify(c, material)
        c.reaction_role = role
        c.amount.unmeasured.type = reaction_pb2.UnmeasuredAmount.CUSTOM
        c.amount.unmeasured.details = "not predicted"

    # -- values -----------------------------------------------------------------------------------
    def _value(self, token: Optional[str], table: Mapping[int, str]) -> Optional[str]:
        if not token:
            return None
        m = re.fullmatch(r"[#@](\d+)[#@]", token.strip())
        return table.get(int(m.group(1)), token) if m else token

    def _temperature(self, target: Any, token: Optional[str]) -> bool:
        text = self._value(token, self.values.temperatures)
        m = _TEMPERATURE.match(text or "")
        if not m:
            return False
        target.value = float(m.group(1))
        target.units = reaction_pb2.Temperature.CELSIUS
        return True

    def _duration(self, target: Any, token: Optional[str]) -> Optional[float]:
        """Sets a Time message; returns the duration in minutes."""
        text = self._value(token, self.values.durations)
        m = _DURATION.match(text or "")
        if not m:
            return None
        unit = m.group(2).lower()
        if unit.startswith("week"):
            value, name = float(m.group(1)) * 7, "DAY"
        else:
            value, name = float(m.group(1)), _TIME_UNITS.get(unit, "MINUTE")
        target.value = value
        target.units = reaction_pb2.Time.TimeUnit.Value(name)
        return value * {"SECOND": 1 / 60, "MINUTE": 1, "HOUR": 60, "DAY": 1440}[name]

    # -- actions ----------------------------------------------------------------------------------
    def add(self, action: A.Action, text: str) -> None:
        starts_workup = not isinstance(action, _REACTION_PHASE) and not isinstance(action, A.Yield)
        if starts_workup:
            self.in_workup = True
        if isinstance(action, A.Yield):
            self._product(action.material.name)
        elif not self.in_workup and isinstance(action, (A.Add, A.MakeSolution)):
            self._input(action, text)
        elif not self.in_workup and isinstance(action, (A.Stir, A.Reflux, A.SetTemperature, A.Wait)):
            self._condition(action, text)
        else:
            self._workup(action, text)

    def _input(self, action: A.Action, text: str) -> None:
        self.additions += 1
        materials = [action.material.name] if isinstance(action, A.Add) else [m.name for m in action.materials]
        key = f"{self.additions}: " + " + ".join(self._label(m) for m in materials)
        entry = self.message.inputs[key]
        entry.addition_order = self.additions
        for m in materials:
            role = reaction_pb2.ReactionRole.REACTANT if self._smiles_of(m) else reaction_pb2.ReactionRole.REAGENT
            self._component(entry, m, role)
        if isinstance(action, A.Add) and action.dropwise:
            entry.addition_speed.type = reaction_pb2.ReactionInput.AdditionSpeed.DROPWISE
        if isinstance(action, A.Add) and action.temperature:
            self._temperature(entry.addition_temperature, action.temperature)

    def _condition(self, action: A.Action, text: str) -> None:
        conditions = self.message.conditions
        if isinstance(action, A.Reflux):
            conditions.reflux = True
        temperature = getattr(action, "temperature", None)
        if temperature and not conditions.temperature.HasField("setpoint"):
            if self._temperature(conditions.temperature.setpoint, temperature):
                control = conditions.temperature.control
                if conditions.temperature.setpoint.value == 25:
                    control.type = reaction_pb2.TemperatureConditions.TemperatureControl.AMBIENT
                else:
                    control.type = reaction_pb2.TemperatureConditions.TemperatureControl.CUSTOM
                    control.details = "set-point predicted by s2a"
        if isinstance(action, A.Stir) and not conditions.stirring.type:
            conditions.stirring.type = reaction_pb2.StirringConditions.CUSTOM
            conditions.stirring.details = "stirred"
        duration = getattr(action, "duration", None)
        if duration:
            scratch = reaction_pb2.Time()
            minutes = self._duration(scratch, duration)
            if minutes is not None:
                self.minutes += minutes
        details = conditions.details
        conditions.details = f"{details}; {text}" if details else text

    def _workup(self, action: A.Action, text: str) -> None:
        w = self.message.workups.add()
        w.type = _WORKUP_TYPES.get(type(action), W.CUSTOM)
        w.details = text
        material = None
        if isinstance(action, (A.Extract, A.Recrystallize, A.Triturate)):
            material = action.solvent.name
        elif isinstance(action, (A.Wash, A.Add, A.Quench, A.PH)):
            material = action.material.name
        elif isinstance(action, A.DrySolution):
            material = action.material
        if material:
            self._component(w.input, material, reaction_pb2.ReactionRole.WORKUP)
        if isinstance(action, A.Filter) and action.phase_to_keep:
            w.keep_phase = action.phase_to_keep
        if isinstance(action, A.Extract):
            w.keep_phase = "organic"
        temperature = getattr(action, "temperature", None)
        if temperature:
            self._temperature(w.temperature.setpoint, temperature)
        duration = getattr(action, "duration", None)
        if duration:
            self._duration(w.duration, duration)

    def _product(self, material: str) -> None:
        outcome = self._outcome()
        p = outcome.products.add()
        self._identify(p, material)
        p.is_desired_product = True
        p.reaction_role = reaction_pb2.ReactionRole.PRODUCT

    def _outcome(self) -> Any:
        return self.message.outcomes[0] if self.message.outcomes else self.message.outcomes.add()

    def finish(self, actions: str) -> reaction_pb2.Reaction:
        m = self.message
        m.identifiers.add(type=reaction_pb2.ReactionIdentifier.REACTION_SMILES,
                          value=self.reaction.smiles.replace("~", "."))
        outcome = self._outcome()
        if self.minutes:
            outcome.reaction_time.value = round(self.minutes / 60, 4)
            outcome.reaction_time.units = reaction_pb2.Time.HOUR
        if not outcome.products:
            for k in range(1, len(self.reaction.products) + 1):
                self._product(f"$-{k}$")
        if m.conditions.details:
            m.conditions.conditions_are_dynamic = True  # the steps say more than the fields hold
        m.notes.procedure_details = f"Predicted by s2a, amounts not predicted (actions: {actions})"
        return m


def to_ord(reaction: CanonicalReaction, actions: str, names: Optional[Mapping[str, str]] = None,
           values: Optional[RangeValues] = None) -> reaction_pb2.Reaction:
    """The ORD Reaction of one predicted `tgt` line of `reaction`."""
    values = values or default_range_values()
    builder = _Builder(reaction, names or {}, values)
    converter = readable_converter()
    for text in detokenize_actions(actions):
        readable = render_action(text, builder.labels_pre, builder.labels_post, values)
        try:
            action = converter.string_to_action(text)
        except Exception:  # noqa: BLE001 - an action the converter cannot read stays as its text
            action = A.InvalidAction(error=text)
        builder.add(action, readable)
    return builder.finish(actions)


def ord_text(message: reaction_pb2.Reaction) -> str:
    return text_format.MessageToString(message, as_utf8=True)


def ord_json(message: reaction_pb2.Reaction) -> dict[str, Any]:
    out: dict[str, Any] = json_format.MessageToDict(message)
    return out


def validate(message: reaction_pb2.Reaction) -> tuple[list[str], list[str]]:
    """(errors, warnings) of ord_schema's validation of the message.

    Provenance is not required: a prediction has no experimenter (ORD wants a person with an
    e-mail address), and the record says in its notes that s2a predicted it.
    """
    v = validations()
    output = v.validate_message(message, raise_on_error=False,
                                options=v.ValidationOptions(require_provenance=False))
    return list(output.errors), list(output.warnings)


__all__ = ["ord_json", "ord_text", "to_ord", "validate", "validations"]

from pathlib import Path
from typing import Optional

import pytest
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
    PhaseSeparation,
    Purify,
    Reflux,
    SetTemperature,
    Stir,
    Wait,
    Wash,
    Yield,
)

from preprocessing.action_sources import FirstAvailable, GivenActions, action_source
from preprocessing.ord_actions import OrdStructuredActions, _custom_workup_action, temperature_text, time_text
from preprocessing.ord_source import iter_ord_records
from preprocessing.reasons import Dropped, Reason
from s2a.formats.records import Record

FIXTURE = Path(__file__).parent / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"
W = reaction_pb2.ReactionWorkup


def _compound(container, name: str, smiles: Optional[str] = None):  # type: ignore[no-untyped-def]
    c = container.add()
    c.identifiers.add(type=reaction_pb2.CompoundIdentifier.NAME, value=name)
    if smiles:
        c.identifiers.add(type=reaction_pb2.CompoundIdentifier.SMILES, value=smiles)
    return c


def _record(reaction: reaction_pb2.Reaction) -> Record:
    return Record(id="r", reaction_smiles="", extra={"ord": reaction.SerializeToString()})


def _workup(reaction: reaction_pb2.Reaction, kind: int, details: str = "", *materials: str) -> reaction_pb2.ReactionWorkup:
    w = reaction.workups.add(type=kind, details=details)
    for m in materials:
        _compound(w.input.components, m)
    return w


def test_given_actions_are_parsed() -> None:
    record = Record(id="x", reaction_smiles="", actions=["ADD $1$", "STIR for 2 h at 25 °C", "YIELD $-1$"])
    actions = GivenActions().actions(record)
    assert actions == [Add(Chemical("$1$")), Stir(duration="2 h", temperature="25 °C"), Yield(Chemical("$-1$"))]


def test_unparsable_given_action_is_invalid_action() -> None:
    record = Record(id="x", reaction_smiles="", actions=["ADD $1$", "DANCE wildly"])
    with pytest.raises(Dropped) as e:
        GivenActions().actions(record)
    assert e.value.reason is Reason.INVALID_ACTION and e.value.detail == "DANCE wildly"


def test_first_available_and_default_source() -> None:
    source = action_source("ord")
    assert isinstance(source, FirstAvailable)
    given = Record(id="x", reaction_smiles="", actions=["CONCENTRATE"])
    assert source.actions(given) == [Concentrate()]
    with pytest.raises(Dropped) as e:
        source.actions(Record(id="y", reaction_smiles="C>>C"))
    assert e.value.reason is Reason.NO_ACTIONS
    reaction = reaction_pb2.Reaction()
    _workup(reaction, W.CONCENTRATION)
    assert source.actions(_record(reaction)) == [Concentrate()]  # falls through to ORD
    _workup(reaction, W.CUSTOM, "stirred with a magic wand")
    source.actions(_record(reaction))
    assert source.skipped["workup CUSTOM"] == 1  # the combiner reports what its sources skipped


def test_inputs_in_order_of_key_numbers_then_addition_order() -> None:
    reaction = reaction_pb2.Reaction()
    _compound(reaction.inputs["m10"].components, "late")
    _compound(reaction.inputs["m2_m1"].components, "first")
    _compound(reaction.inputs["m2_m1"].components, "second")
    _compound(reaction.inputs["m3"].components, "third")
    names = [a.material.name for a in OrdStructuredActions().actions(_record(reaction))]
    assert names == ["first", "second", "third", "late"]
    reaction.inputs["m10"].addition_order = 1
    reaction.inputs["m3"].addition_order = 2
    names = [a.material.name for a in OrdStructuredActions().actions(_record(reaction))]
    assert names == ["late", "third", "first", "second"]


def test_addition_properties_are_kept() -> None:
    reaction = reaction_pb2.Reaction()
    reaction_input = reaction.inputs["m1"]
    _compound(reaction_input.components, "acetyl chloride", "CC(=O)Cl")
    reaction_input.addition_speed.type = reaction_pb2.ReactionInput.AdditionSpeed.DROPWISE
    reaction_input.addition_temperature.value = 0
    reaction_input.addition_temperature.units = reaction_pb2.Temperature.CELSIUS
    reaction_input.addition_duration.value = 30
    reaction_input.addition_duration.units = reaction_pb2.Time.MINUTE
    (action,) = OrdStructuredActions().actions(_record(reaction))
    assert action == Add(Chemical("acetyl chloride"), dropwise=True, temperature="0 °C", duration="30 min")


def test_conditions_become_stir_reflux_or_settemperature() -> None:
    reaction = reaction_pb2.Reaction()
    _compound(reaction.inputs["m1"].components, "x")
    reaction.conditions.temperature.control.type = reaction_pb2.TemperatureConditions.TemperatureControl.AMBIENT
    outcome = reaction.outcomes.add()
    outcome.reaction_time.value = 2
    outcome.reaction_time.units = reaction_pb2.Time.HOUR
    source = OrdStructuredActions()
    assert source.actions(_record(reaction))[1] == Stir(duration="2 h", temperature="room temperature")
    reaction.conditions.reflux = True
    assert source.actions(_record(reaction))[1] == Reflux(duration="2 h")
    reaction.conditions.ClearField("reflux")
    reaction.outcomes[0].ClearField("reaction_time")
    reaction.conditions.temperature.setpoint.value = -78
    reaction.conditions.temperature.setpoint.units = reaction_pb2.Temperature.CELSIUS
    assert source.actions(_record(reaction))[1] == SetTemperature("-78 °C")


def test_workups_by_type_and_skipped_counter() -> None:
    reaction = reaction_pb2.Reaction()
    _compound(reaction.inputs["m1"].components, "x")
    _workup(reaction, W.ADDITION, "poured into water", "water")
    _workup(reaction, W.ADDITION, "was added")  # no material: skipped
    _workup(reaction, W.EXTRACTION, "extracted with ether", "ether")
    _workup(reaction, W.EXTRACTION, "the ether extract", "ether")  # mining duplicate: collapsed
    _workup(reaction, W.WASH, "washed with water and brine", "water", "brine")
    _workup(reaction, W.DRY_WITH_MATERIAL, "dried over MgSO4", "MgSO4")
    filtration = _workup(reaction, W.FILTRATION, "filtered")
    filtration.keep_phase = "filtrate"
    _workup(reaction, W.CONCENTRATION, "evaporated")
    _workup(reaction, W.CUSTOM, "the residue was chromatographed")  # free text -> PURIFY
    _workup(reaction, W.FLASH_CHROMATOGRAPHY, "")  # the same step mined twice: collapsed
    _workup(reaction, W.CUSTOM, "this compound was prepared")  # nothing usable: skipped
    reflux = _workup(reaction, W.TEMPERATURE, "heated under reflux for 2 hours")
    reflux.duration.value, reflux.duration.units = 2, reaction_pb2.Time.HOUR
    wait = _workup(reaction, W.WAIT, "left overnight")
    wait.duration.value, wait.duration.units = 16, reaction_pb2.Time.HOUR
    ph = _workup(reaction, W.PH_ADJUST, "acidified with HCl", "HCl")
    ph.target_ph = 2
    _workup(reaction, W.DRY_IN_VACUUM, "dried in vacuo")
    _workup(reaction, W.DISTILLATION, "the solvent was distilled off")
    _workup(reaction, W.DISTILLATION, "the residue was distilled")
    _workup(reaction, W.CUSTOM, "two", "two")  # generic name, no structure: skipped and counted
    _compound(reaction.outcomes.add().products, "title compound", "CCO")
    source = OrdStructuredActions()
    actions, skipped = source.derive(_record(reaction))
    assert actions == [
        Add(Chemical("x")),
        Add(Chemical("water")),
        Extract(Chemical("ether")),
        Wash(Chemical("water")),
        Wash(Chemical("brine")),
        DrySolution("MgSO4"),
        Filter("filtrate"),
        Concentrate(),
        Purify(),
        Reflux(duration="2 h"),
        Wait("16 h"),
        PH(Chemical("HCl"), ph="2"),
        DrySolid(atmosphere="vacuum"),
        Concentrate(),
        Purify(),
        Yield(Chemical("title compound")),
    ]
    assert skipped["workup CUSTOM"] == 2
    assert skipped["workup ADDITION (nothing usable)"] == 1
    assert skipped["CUSTOM: generic name (two)"] == 1
    source.actions(_record(reaction))
    source.actions(_record(reaction))
    assert source.skipped["workup CUSTOM"] == 4  # cumulative over records


def test_no_structured_actions_is_no_actions() -> None:
    with pytest.raises(Dropped) as e:
        OrdStructuredActions().actions(_record(reaction_pb2.Reaction()))
    assert e.value.reason is Reason.NO_ACTIONS
    with pytest.raises(Dropped) as e:
        OrdStructuredActions().actions(Record(id="x", reaction_smiles="", extra={"ord": b"\xff\xff\xff"}))
    assert e.value.reason is Reason.NO_ACTIONS


def test_ord_text_helpers() -> None:
    t = reaction_pb2.Time(value=1.5, units=reaction_pb2.Time.HOUR)
    assert time_text(t) == "1.5 h"
    assert time_text(reaction_pb2.Time(value=3)) is None
    c = reaction_pb2.TemperatureConditions()
    c.setpoint.value, c.setpoint.units = 300, reaction_pb2.Temperature.KELVIN
    assert temperature_text(c) == "300 K"
    ice = reaction_pb2.TemperatureConditions()
    ice.control.type = reaction_pb2.TemperatureConditions.TemperatureControl.ICE_BATH
    assert temperature_text(ice) == "0 °C"
    nan = reaction_pb2.TemperatureConditions()
    nan.setpoint.value, nan.setpoint.units = float("nan"), reaction_pb2.Temperature.CELSIUS
    assert temperature_text(nan) is None  # some ORD sets record NaN setpoints


def test_real_ord_records_give_actions_ending_in_yield() -> None:
    source = OrdStructuredActions()
    n_actions = 0
    for record in iter_ord_records(FIXTURE):
        try:
            actions = source.actions(record)
        except Dropped as d:
            assert d.reason is Reason.NO_ACTIONS
            continue
        n_actions += 1
        assert isinstance(actions[-1], Yield) or not any(isinstance(a, Yield) for a in actions)
    assert n_actions >= 240
    assert source.skipped["workup CUSTOM"] > 100


@pytest.mark.parametrize(
    "details, previous, expected",
    [
        ("the solvent was evaporated under reduced pressure", None, Concentrate()),
        ("the volatiles were removed by evaporation", None, Concentrate()),
        ("the residue was purified by column chromatography on silica gel", None, Purify()),
        ("dried under vacuum", None, DrySolid(atmosphere="vacuum")),
        ("the extract was dried", None, DrySolution(None)),
        ("dried", Filter("precipitate"), DrySolid()),
        ("the organic layer was separated", None, CollectLayer("organic")),
        ("the layers were separated", None, PhaseSeparation()),
        ("at room temperature", None, None),
        ("the residue was triturated with ether", None, None),
    ],
)
def test_custom_workup_text_rules(details: str, previous: Optional[Action], expected: Optional[Action]) -> None:
    assert _custom_workup_action(details, previous) == expected

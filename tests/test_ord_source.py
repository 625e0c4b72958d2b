import gzip
import pickle
from pathlib import Path

import pytest
from ord_schema.proto import dataset_pb2, reaction_pb2

from preprocessing.ord_source import iter_ord_records, reaction_smiles, reaction_to_record
from s2a.errors import InputFileError
from s2a.formats.reaction import canonical_reaction

FIXTURE = Path(__file__).parent / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"


@pytest.fixture(scope="module")
def records() -> list:
    return list(iter_ord_records(FIXTURE))


def test_one_record_per_reaction_with_provenance(records: list) -> None:
    assert len(records) == 250
    assert len({r.id for r in records}) == 250
    assert all(r.id.startswith("ord-") for r in records)
    assert {r.source for r in records} == {"uspto-grants-1995_11"}
    assert all(r.patent.startswith("US") for r in records)
    assert all(len(r.date) == 10 and r.date[4] == "-" for r in records)
    assert sum(bool(r.procedure) for r in records) == 250


def test_reaction_smiles_from_cxsmiles_parse(records: list) -> None:
    assert all(r.reaction_smiles for r in records)
    parsed = 0
    for r in records:
        try:
            canonical_reaction(r.reaction_smiles)
            parsed += 1
        except Exception:
            pass
    assert parsed >= 245


def test_names_are_name_smiles_pairs_of_the_reaction(records: list) -> None:
    first = records[0]
    assert ("water", "O") in first.names
    assert all(name and smiles for r in records for name, smiles in r.names)
    assert sum(len(r.names) for r in records) > 1000


def test_extra_ord_is_the_picklable_reaction_message(records: list) -> None:
    record = pickle.loads(pickle.dumps(records[3]))
    reaction = reaction_pb2.Reaction.FromString(record.extra["ord"])
    assert reaction.reaction_id == record.id
    assert reaction.notes.procedure_details == record.procedure


def test_smiles_built_from_components_when_no_identifier() -> None:
    reaction = reaction_pb2.Reaction(reaction_id="r1")
    component = reaction.inputs["m1"].components.add()
    component.identifiers.add(type=reaction_pb2.CompoundIdentifier.NAME, value="acetyl chloride")
    component.identifiers.add(type=reaction_pb2.CompoundIdentifier.SMILES, value="CC(=O)Cl")
    component.reaction_role = reaction_pb2.ReactionRole.REACTANT
    ethanol = reaction.inputs["m2"].components.add()
    ethanol.identifiers.add(type=reaction_pb2.CompoundIdentifier.SMILES, value="CCO")
    ethanol.reaction_role = reaction_pb2.ReactionRole.SOLVENT
    product = reaction.outcomes.add().products.add()
    product.identifiers.add(type=reaction_pb2.CompoundIdentifier.SMILES, value="CCOC(C)=O")
    assert reaction_smiles(reaction) == "CC(=O)Cl.CCO>>CCOC(C)=O"
    salt = reaction.inputs["m3"].components.add()
    salt.identifiers.add(type=reaction_pb2.CompoundIdentifier.SMILES, value="[Na+].[OH-]")
    salt.reaction_role = reaction_pb2.ReactionRole.REAGENT
    assert reaction_smiles(reaction) == "CC(=O)Cl.CCO.[Na+]~[OH-]>>CCOC(C)=O"  # one compound
    assert "[Na+]~[OH-]" in canonical_reaction(reaction_smiles(reaction)).precursors
    record = reaction_to_record(reaction, "hand")
    assert record.names == [("acetyl chloride", "CC(=O)Cl")]
    assert record.date == "" and record.source == "hand"
    del reaction.outcomes[:]
    assert reaction_smiles(reaction) == ""


def test_file_stem_is_the_source_of_unnamed_datasets(tmp_path: Path) -> None:
    dataset = dataset_pb2.Dataset()
    dataset.reactions.add(reaction_id="r1")
    path = tmp_path / "mine.pb"
    path.write_bytes(dataset.SerializeToString())
    (record,) = iter_ord_records(path)
    assert record.source == "mine" and record.reaction_smiles == ""


def test_truncated_file_is_an_input_file_error(tmp_path: Path) -> None:
    data = FIXTURE.read_bytes()
    truncated = tmp_path / "truncated.pb.gz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError) as e:
        list(iter_ord_records(truncated))
    assert e.value.path == str(truncated)
    assert "\n" not in str(e.value)


def test_corrupt_protobuf_is_an_input_file_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.pb.gz"
    with gzip.open(corrupt, "wb") as f:
        f.write(b"\xff\xfe not a protobuf \x00\x01" * 10)
    with pytest.raises(InputFileError):
        list(iter_ord_records(corrupt))
    with pytest.raises(InputFileError):
        list(iter_ord_records(tmp_path / "missing.pb.gz"))

"""Records from Open Reaction Database `Dataset` files (.pb.gz or .pb), one per reaction.

One Dataset file is loaded at a time (ORD files are per dataset); the caller streams over files.
The serialised Reaction message travels in `record.extra["ord"]` (bytes, picklable), for action
sources that derive actions from the structured fields (preprocessing.ord_actions).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ord_schema import message_helpers
from ord_schema.proto import dataset_pb2, reaction_pb2

from s2a.errors import InputFileError
from s2a.formats.reaction import FRAGMENT_BOND
from s2a.formats.records import Record

_IDENTIFIER = reaction_pb2.CompoundIdentifier.CompoundIdentifierType
_REACTION_IDENTIFIER = reaction_pb2.ReactionIdentifier.ReactionIdentifierType
_ROLE = reaction_pb2.ReactionRole.ReactionRoleType
# Roles whose components belong to the left side of the equation.
_PRECURSOR_ROLES = {_ROLE.REACTANT, _ROLE.REAGENT, _ROLE.SOLVENT, _ROLE.CATALYST, _ROLE.UNSPECIFIED}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def load_dataset(path: Path) -> dataset_pb2.Dataset:
    """Read one ORD Dataset file; a missing, truncated or corrupt file is an InputFileError."""
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    try:
        dataset = message_helpers.load_message(str(path), dataset_pb2.Dataset)
    except Exception as e:  # gzip (EOFError, BadGzipFile, zlib.error) and protobuf DecodeError
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputFileError(str(path), f"cannot read ORD Dataset ({type(e).__name__}: {reason})") from None
    return dataset


def iter_ord_records(path: Path) -> Iterator[Record]:
    """One s2a Record per reaction of the ORD Dataset file at `path`."""
    dataset = load_dataset(path)
    source = dataset_source(dataset, path)
    for reaction in dataset.reactions:
        yield reaction_to_record(reaction, source)


def dataset_source(dataset: dataset_pb2.Dataset, path: Path) -> str:
    """The records' `source`: the dataset's name, else the file name without its suffix."""
    return dataset.name or _stem(path)


def reaction_to_record(reaction: reaction_pb2.Reaction, source: str = "") -> Record:
    return Record(
        id=reaction.reaction_id,
        reaction_smiles=reaction_smiles(reaction),
        source=source,
        patent=reaction.provenance.patent,
        date=_date(reaction),
        procedure=reaction.notes.procedure_details,
        names=compound_names(reaction),
        extra={"ord": reaction.SerializeToString()},
    )


def reaction_smiles(reaction: reaction_pb2.Reaction) -> str:
    """The reaction's (CX)SMILES identifier, else one built from component SMILES, else ''."""
    for wanted in (_REACTION_IDENTIFIER.REACTION_CXSMILES, _REACTION_IDENTIFIER.REACTION_SMILES):
        for identifier in reaction.identifiers:
            if identifier.type == wanted and identifier.value.strip():
                return identifier.value.strip()
    # Fragments of one compound (a salt, a complex) are joined by '~' so they stay one compound.
    left = [
        s.replace(".", FRAGMENT_BOND)
        for reaction_input in reaction.inputs.values()
        for c in reaction_input.components
        if c.reaction_role in _PRECURSOR_ROLES and (s := compound_smiles(c))
    ]
    right = [s.replace(".", FRAGMENT_BOND) for outcome in reaction.outcomes for p in outcome.products if (s := compound_smiles(p))]
    if not left or not right:
        return ""
    return ".".join(left) + ">>" + ".".join(right)


def compound_smiles(compound: reaction_pb2.Compound | reaction_pb2.ProductCompound) -> str:
    for identifier in compound.identifiers:
        if identifier.type == _IDENTIFIER.SMILES and identifier.value.strip():
            return identifier.value.strip()
    return ""


def compound_name(compound: reaction_pb2.Compound | reaction_pb2.ProductCompound) -> str:
    """The compound's first NAME identifier ('' if none)."""
    for identifier in compound.identifiers:
        if identifier.type == _IDENTIFIER.NAME and identifier.value.strip():
            return identifier.value.strip()
    return ""


def all_compounds(
    reaction: reaction_pb2.Reaction,
) -> Iterable[reaction_pb2.Compound | reaction_pb2.ProductCompound]:
    """Every compound of a reaction: inputs, work-up inputs, products."""
    for reaction_input in reaction.inputs.values():
        yield from reaction_input.components
    for workup in reaction.workups:
        yield from workup.input.components
    for outcome in reaction.outcomes:
        yield from outcome.products


def compound_names(reaction: reaction_pb2.Reaction) -> list[tuple[str, str]]:
    """(name, SMILES) of every compound with both; every NAME of a compound is paired; no repeats."""
    pairs: dict[tuple[str, str], None] = {}
    for compound in all_compounds(reaction):
        smiles = compound_smiles(compound)
        if not smiles:
            continue
        for identifier in compound.identifiers:
            if identifier.type == _IDENTIFIER.NAME and identifier.value.strip():
                pairs[(identifier.value.strip(), smiles)] = None
    return list(pairs)


def _date(reaction: reaction_pb2.Reaction) -> str:
    """ISO date (YYYY-MM-DD) the record was created, or '' if unknown."""
    for text in (reaction.provenance.experiment_start.value, reaction.provenance.record_created.time.value):
        match = _DATE.search(text or "")
        if match:
            return "-".join(match.groups())
    return ""


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".pb.gz", ".pb"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem

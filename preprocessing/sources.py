"""Read records from any supported source, one at a time.

Supported: ORD Dataset files (`.pb.gz`, `.pb`), JSONL (`.jsonl`, one Record JSON object per line)
and CSV (`.csv`, header with at least `reaction_smiles`; optional `id`, `patent`, `date`,
`procedure`, `actions` (readable actions separated by ';'), `names` (a JSON object name -> SMILES)).
A directory stands for every supported file below it, in sorted order.

A malformed record (a bad JSON line, a CSV row without reaction_smiles) or an unreadable file is a
RecordError / InputFileError that stops the read (`on_error="stop"`), or, with `on_error="skip"`,
a MalformedRecord in the stream in its place, for the pipeline to count and list.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Union

from s2a.errors import InputFileError, RecordError
from s2a.formats.records import Record, jsonl_lines

ORD_SUFFIXES = (".pb.gz", ".pb")
SUFFIXES = (*ORD_SUFFIXES, ".jsonl", ".csv")
OnError = Literal["stop", "skip"]
ON_ERROR_CHOICES: tuple[OnError, ...] = ("stop", "skip")


@dataclass(frozen=True)
class MalformedRecord:
    """What stood in the input where a record could not be read (`on_error="skip"`)."""

    file: str
    record: str  # 'line 7', 'row 3', 'file' (the whole file could not be read)
    error: str

    @classmethod
    def of(cls, error: Union[RecordError, InputFileError], file: Path, record: str) -> "MalformedRecord":
        return cls(str(file), record, str(error))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


Item = Union[Record, MalformedRecord]


def _kind(path: Path) -> str:
    name = path.name.lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return suffix
    raise InputFileError(str(path), f"unsupported file type (expected one of {', '.join(SUFFIXES)})")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to read: each file as given, each directory replaced by its supported files."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))
            if not found:
                raise InputFileError(str(path), "directory contains no .pb.gz, .pb, .jsonl or .csv files")
            out.extend(found)
        elif path.is_file():
            _kind(path)
            out.append(path)
        else:
            raise InputFileError(str(path), "no such file or directory")
    return out


def iter_records(paths: Iterable[Path]) -> Iterator[Record]:
    """Records of every file, in order; the first malformed record or file raises. Paths are
    checked now; files are read lazily."""
    return _iter_files(expand_paths(paths), "stop")  # type: ignore[return-value]


def iter_items(paths: Iterable[Path], on_error: OnError = "stop") -> Iterator[Item]:
    """Like iter_records; with on_error="skip" a MalformedRecord replaces what cannot be read."""
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"on_error must be one of {ON_ERROR_CHOICES}, not {on_error!r}")
    return _iter_files(expand_paths(paths), on_error)


def _iter_files(files: list[Path], on_error: OnError) -> Iterator[Item]:
    for path in files:
        try:
            if path.stat().st_size == 0:
                raise InputFileError(str(path), "empty file")
            kind = _kind(path)
            if kind in ORD_SUFFIXES:
                from preprocessing.ord_source import load_dataset, reaction_to_record, dataset_source

                # Loaded whole before the first record: a corrupt file is one malformed item.
                dataset = load_dataset(path)
                source = dataset_source(dataset, path)
                yield from (reaction_to_record(r, source) for r in dataset.reactions)
            elif kind == ".jsonl":
                yield from _iter_jsonl(path, on_error)
            else:
                yield from _iter_csv(path, on_error)
        except InputFileError as e:
            if on_error == "stop":
                raise
            yield MalformedRecord.of(e, path, "file")


def _with_default_id(record: Record, path: Path, n: int) -> Record:
    if not record.id:
        record.id = f"{path.stem}:{n}"
    if not record.source:
        record.source = path.name
    return record


def _iter_jsonl(path: Path, on_error: OnError) -> Iterator[Item]:
    """One record per non-blank line; ids default to '<stem>:<line number>'."""
    for n, obj in jsonl_lines(path):
        try:
            if isinstance(obj, RecordError):
                raise obj
            yield _with_default_id(Record.from_json(obj, where=f"{path}: line {n}"), path, n)
        except RecordError as e:
            if on_error == "stop":
                raise
            yield MalformedRecord.of(e, path, f"line {n}")


def _iter_csv(path: Path, on_error: OnError) -> Iterator[Item]:
    try:
        f = path.open(encoding="utf-8", newline="")
    except OSError as e:
        raise InputFileError(str(path), e.strerror or str(e)) from None
    with f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "reaction_smiles" not in reader.fieldnames:
            raise InputFileError(str(path), "CSV header must contain a 'reaction_smiles' column")
        for n, row in enumerate(reader, 1):
            try:
                yield _with_default_id(_csv_record(row, f"{path}: row {n}"), path, n)
            except RecordError as e:
                if on_error == "stop":
                    raise
                yield MalformedRecord.of(e, path, f"row {n}")


def _csv_record(row: dict[str, Any], where: str) -> Record:
    names = row.get("names") or ""
    if names.strip():
        try:
            row["names"] = json.loads(names)
        except json.JSONDecodeError:
            raise RecordError(where, row.get("id") or "?", "'names' must be a JSON object name -> SMILES") from None
    else:
        row.pop("names", None)
    if not (row.get("actions") or "").strip():
        row.pop("actions", None)
    return Record.from_json(dict(row), where=where)

"""Read records from any supported source, one at a time.

Supported: ORD Dataset files (`.pb.gz`, `.pb`), JSONL (`.jsonl`, one Record JSON object per line)
and CSV (`.csv`, header with at least `reaction_smiles`; optional `id`, `patent`, `date`,
`procedure`, `actions` (readable actions separated by ';'), `names` (a JSON object name -> SMILES)).
A directory stands for every supported file below it, in sorted order.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from s2a.errors import InputFileError, RecordError
from s2a.records import Record, read_jsonl

ORD_SUFFIXES = (".pb.gz", ".pb")
SUFFIXES = (*ORD_SUFFIXES, ".jsonl", ".csv")


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
    """Records of every file, in order. Paths are checked now; files are read lazily."""
    return _iter_files(expand_paths(paths))


def _iter_files(files: list[Path]) -> Iterator[Record]:
    for path in files:
        if path.stat().st_size == 0:
            raise InputFileError(str(path), "empty file")
        kind = _kind(path)
        if kind in ORD_SUFFIXES:
            from preprocessing.ord_source import iter_ord_records

            yield from iter_ord_records(path)
        elif kind == ".jsonl":
            yield from _iter_jsonl(path)
        else:
            yield from _iter_csv(path)


def _with_default_id(record: Record, path: Path, n: int) -> Record:
    if not record.id:
        record.id = f"{path.stem}:{n}"
    if not record.source:
        record.source = path.name
    return record


def _iter_jsonl(path: Path) -> Iterator[Record]:
    for n, obj in enumerate(read_jsonl(path), 1):
        yield _with_default_id(Record.from_json(obj, where=f"{path}: line {n}"), path, n)


def _iter_csv(path: Path) -> Iterator[Record]:
    try:
        f = path.open(encoding="utf-8", newline="")
    except OSError as e:
        raise InputFileError(str(path), e.strerror or str(e)) from None
    with f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "reaction_smiles" not in reader.fieldnames:
            raise InputFileError(str(path), "CSV header must contain a 'reaction_smiles' column")
        for n, row in enumerate(reader, 1):
            where = f"{path}: row {n}"
            names = row.get("names") or ""
            if names.strip():
                try:
                    row["names"] = json.loads(names)  # type: ignore[assignment]
                except json.JSONDecodeError:
                    raise RecordError(where, row.get("id") or "?", "'names' must be a JSON object name -> SMILES") from None
            else:
                row.pop("names", None)
            if not (row.get("actions") or "").strip():
                row.pop("actions", None)
            yield _with_default_id(Record.from_json(dict(row), where=where), path, n)

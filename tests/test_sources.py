import json
from pathlib import Path

import pytest

from preprocessing.sources import expand_paths, iter_records
from s2a.errors import InputFileError, RecordError


def test_jsonl_and_csv_records(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "x1", "reaction_smiles": "CCO.CC(=O)Cl>>CCOC(C)=O", "actions": "ADD $1$; YIELD $-1$",
                    "names": {"ethanol": "CCO"}}) + "\n\n"
    )
    (tmp_path / "b.csv").write_text(
        'reaction_smiles,procedure,names\nCCO>>CC=O,"Oxidise, then stir.","{""ethanol"": ""CCO""}"\n'
    )
    records = list(iter_records([tmp_path]))
    assert [r.id for r in records] == ["x1", "b:1"]
    assert records[0].actions == ["ADD $1$", "YIELD $-1$"]
    assert records[0].names == [("ethanol", "CCO")]
    assert records[1].procedure == "Oxidise, then stir." and records[1].actions is None
    assert records[1].source == "b.csv"


@pytest.mark.parametrize(
    "name, content, error, needle",
    [
        ("bad.jsonl", '{"id": "ok", "reaction_smiles": "C>>C"}\n{"id": "broken", \n', RecordError, "line 2"),
        ("nosmiles.jsonl", '{"id": "r7", "procedure": "stir"}\n', RecordError, "r7"),
        ("empty.jsonl", "", InputFileError, "empty file"),
        ("nocol.csv", "smiles\nCC>>C\n", InputFileError, "reaction_smiles"),
        ("data.txt", "CC>>C\n", InputFileError, "unsupported"),
    ],
)
def test_malformed_inputs_name_the_file_and_record(tmp_path: Path, name: str, content: str, error: type, needle: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(error) as e:
        list(iter_records([path]))
    message = str(e.value)
    assert name in message and needle in message and "\n" not in message


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        expand_paths([tmp_path / "nope.pb.gz"])
    with pytest.raises(InputFileError, match="no .pb.gz"):
        expand_paths([tmp_path])


def test_on_error_skip_yields_malformed_records_in_place(tmp_path: Path) -> None:
    from preprocessing.sources import MalformedRecord, iter_items

    (tmp_path / "a.csv").write_text('id,reaction_smiles,names\nok,CCO>>CC=O,\nnone,,\nbadnames,CCO>>CC=O,{oops\n')
    (tmp_path / "b.jsonl").write_text('{"id": "j1", "reaction_smiles": "C>>C"}\n\n{"id": \n')
    (tmp_path / "c.jsonl").write_text("")
    items = list(iter_items([tmp_path], on_error="skip"))
    assert [i.id if not isinstance(i, MalformedRecord) else (Path(i.file).name, i.record) for i in items] == [
        "ok", ("a.csv", "row 2"), ("a.csv", "row 3"), "j1", ("b.jsonl", "line 3"), ("c.jsonl", "file")]
    with pytest.raises(ValueError, match="'maybe'"):
        iter_items([tmp_path], on_error="maybe")  # type: ignore[arg-type]

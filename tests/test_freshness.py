import os
from pathlib import Path

import pytest

from s2a.errors import MissingArtifact
from s2a.freshness import Stamp, digest_files, file_identity


def test_digest_changes_with_bytes_names_and_settings(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("C C O")
    b.write_text("C C O")
    first = digest_files([a])
    assert digest_files([a]) == first
    assert digest_files([b]) != first  # another file with the same bytes
    assert digest_files([a], {"steps": 2}) != first
    a.write_text("C C N")
    assert digest_files([a]) != first
    with pytest.raises(MissingArtifact, match="make data"):
        digest_files([tmp_path / "missing.txt"])


def test_stamp_matches_only_the_inputs_it_recorded(tmp_path: Path) -> None:
    ckpt = tmp_path / "model.pt"
    ckpt.write_bytes(b"weights")
    stamp = Stamp(tmp_path / "out" / "stamp.json")
    assert not stamp.exists() and not stamp.matches(file_identity(ckpt))
    stamp.write(file_identity(ckpt))
    assert stamp.matches(file_identity(ckpt))
    os.utime(ckpt, ns=(1, 1))  # the trainer wrote the checkpoint again
    assert stamp.exists() and not stamp.matches(file_identity(ckpt))
    stamp.path.write_text("{broken")
    assert not stamp.exists()

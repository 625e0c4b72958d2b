"""s2a.checkpoint: real OpenNMT-py checkpoints load; anything outside the allowlist is refused."""
from __future__ import annotations

import argparse
import collections
import datetime
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from s2a.checkpoint import ALLOWED_GLOBALS, load_checkpoint
from s2a.errors import MissingArtifact, UnsafeCheckpoint, UserError


class Payload:
    """Stands for any class a malicious or foreign checkpoint might smuggle in."""

    def __init__(self) -> None:
        self.value = 1


class NamedOrderedDict(collections.OrderedDict):  # type: ignore[type-arg]
    pass


def test_allowlist_is_exactly_argparse_namespace() -> None:
    assert ALLOWED_GLOBALS == (argparse.Namespace,)


def test_plain_tensors_and_namespace_load(tmp_path: Path) -> None:
    path = tmp_path / "ok.pt"
    torch.save({"opt": argparse.Namespace(layers=2), "w": torch.ones(2)}, path)
    loaded = load_checkpoint(path)
    assert loaded["opt"].layers == 2 and torch.equal(loaded["w"], torch.ones(2))


@pytest.mark.parametrize(
    "payload, name",
    [
        (Payload(), "Payload"),
        (NamedOrderedDict(a=1), "NamedOrderedDict"),
        (datetime.date(2021, 4, 9), "datetime.date"),
    ],
)
def test_refuses_objects_outside_the_allowlist(tmp_path: Path, payload: object, name: str) -> None:
    path = tmp_path / "bad.pt"
    torch.save({"model": {"w": torch.zeros(1)}, "extra": payload}, path)
    with pytest.raises(UnsafeCheckpoint, match=name) as info:
        load_checkpoint(path)
    assert info.value.path == str(path)
    assert name in info.value.global_name
    assert "\n" not in str(info.value)
    assert isinstance(info.value, UserError)


def test_refusal_does_not_leak_the_allowlist_to_the_process(tmp_path: Path) -> None:
    path = tmp_path / "opt.pt"
    torch.save({"opt": argparse.Namespace(a=1)}, path)
    load_checkpoint(path)
    with pytest.raises(Exception, match="argparse.Namespace"):
        torch.load(path, weights_only=True)  # outside our loader: still refused


def test_missing_truncated_and_foreign_files_are_missing_artifacts(tmp_path: Path) -> None:
    with pytest.raises(MissingArtifact, match="not found"):
        load_checkpoint(tmp_path / "nope.pt")
    real = tmp_path / "real.pt"
    torch.save({"w": torch.zeros(100)}, real)
    cut = tmp_path / "cut.pt"
    cut.write_bytes(real.read_bytes()[:200])
    text = tmp_path / "text.pt"
    text.write_text("not a checkpoint\n")
    tensor = tmp_path / "tensor.pt"
    torch.save(torch.zeros(1), tensor)
    for path in (cut, text, tensor):
        with pytest.raises(MissingArtifact) as info:
            load_checkpoint(path)
        assert info.value.path == str(path) and "\n" not in str(info.value)


@pytest.mark.slow
def test_loads_a_real_opennmt_checkpoint() -> None:
    from tiny_transformer import trained

    model = trained().model()
    checkpoint = load_checkpoint(model.final_checkpoint())
    assert {"model", "generator", "vocab", "opt", "optim"} <= set(checkpoint)
    assert isinstance(checkpoint["opt"], argparse.Namespace)
    assert checkpoint["opt"].self_attn_type == "scaled-dot"
    assert checkpoint["opt"].hidden_size == model.settings.onmt["hidden_size"]


@pytest.mark.slow
def test_onmt_entry_translates_a_real_checkpoint_under_torch_weights_only() -> None:
    """OpenNMT-py's own torch.load succeeds through our entry (allowlist registered first)."""
    from tiny_transformer import lines, trained

    model = trained().model()
    work = Path(model.work_dir)
    src = work / "entry-src.txt"
    src.write_text("\n".join(lines("test")[:2]) + "\n", encoding="utf-8")
    out = work / "entry-out.txt"
    result = subprocess.run(
        [sys.executable, "-m", "s2a.models.onmt_entry", "translate", "-model", str(model.final_checkpoint()),
         "-src", str(src), "-output", str(out), "-beam_size", "2", "-max_length", "20"],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "S2A_TORCH_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
